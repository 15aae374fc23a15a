"""Reading a class's submissions: CSV with a header, or JSON Lines, one answer a row.

The columns (or keys) are ``student``, ``part``, ``answer`` and optionally ``quantity``. The
format follows the extension (``.csv``; ``.jsonl``, ``.ndjson`` or ``.json``), or else the content
(JSON when it starts with ``{`` or ``[``, CSV otherwise). A ``.json`` file may also hold one JSON
array of such objects.

A file that cannot be read at all raises :class:`SubmissionsError` (one line). A row is either
kept, possibly with a ``problem`` that makes it an input error before any checking (no part,
an answer that is not text), or *skipped* when it cannot be attributed to a student or its fields cannot be
trusted (invalid JSON, a CSV row with more or fewer fields than the header, no student id).

>>> import pathlib, tempfile
>>> p = pathlib.Path(tempfile.mkdtemp()) / "class.csv"
>>> _ = p.write_text('student,part,answer\\nada,8a,"N(sqrt(abar_t) x_0, 1-abar_t)"\\n,8a,x\\n')
>>> subs = read_submissions(p)
>>> subs.format, [(r.line, r.student, r.part) for r in subs.rows], [(s.line, s.reason) for s in subs.skipped]
('CSV', [(2, 'ada', '8a')], [(3, 'no student id')])
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

REQUIRED = ("student", "part", "answer")
OPTIONAL = ("quantity",)
HEADER = "student,part,answer[,quantity]"
MAX_BYTES = 512 * 2**20  # a class's answers are a few MB; refuse what cannot be one


class SubmissionsError(Exception):
    """The submissions file cannot be read (exit code 2, one line)."""


@dataclass(frozen=True)
class Row:
    """One submitted answer. ``line`` is where it starts in the file (item number in a JSON array);
    ``problem`` says why it is an input error before any checking (None when it is not)."""

    line: int
    student: str
    part: str
    answer: str
    quantity: str | None = None
    problem: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A row that was not graded, and why."""

    line: int
    reason: str
    student: str | None = None


@dataclass
class Submissions:
    path: Path
    format: str  # "CSV", "JSON Lines" or "JSON"
    rows: list[Row] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def read_submissions(path: str | os.PathLike) -> Submissions:
    """Every row of the file, in order (see the module's docstring for the formats)."""
    path = Path(path)
    text = _read_text(path)
    kind = _format(path, text)
    subs = Submissions(path, kind)
    if kind == "CSV":
        _read_csv(path, text, subs)
    else:
        _read_json(path, text, subs)
    return subs


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise SubmissionsError(f"{path} is a directory; expected a CSV or JSON Lines file")
        if size > MAX_BYTES:
            raise SubmissionsError(f"{path} is {size / 2**20:.0f} MB; a submissions file is expected "
                                   f"to be under {MAX_BYTES // 2**20} MB")
        data = path.read_bytes()
    except FileNotFoundError:
        raise SubmissionsError(f"cannot read {path}: no such file") from None
    except OSError as exc:
        raise SubmissionsError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SubmissionsError(f"{path} is not UTF-8 text (byte {exc.start + 1}); expected a CSV file "
                               f"with the header {HEADER}, or JSON Lines") from None
    if not text.strip():
        raise SubmissionsError(f"{path} is empty; expected a CSV file with the header {HEADER}, or JSON Lines")
    return text


def _format(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "CSV"
    if suffix in (".jsonl", ".ndjson"):
        return "JSON Lines"
    if suffix == ".json" or text.lstrip()[:1] in ("{", "["):
        return "JSON" if text.lstrip().startswith("[") else "JSON Lines"
    return "CSV"


# --------------------------------------------------------------------------- CSV


def _read_csv(path: Path, text: str, subs: Submissions) -> None:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise SubmissionsError(f"{path}: the header is not valid CSV ({exc}); expected {HEADER}") from None
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        found = ",".join(h.strip() for h in header)[:80]
        raise SubmissionsError(f"{path}: the CSV header lacks the column{'s' * (len(missing) > 1)} "
                               f"{', '.join(missing)} (it reads {found!r}); expected {HEADER}")
    twice = sorted({n for n in names if names.count(n) > 1 and n in REQUIRED + OPTIONAL})
    if twice:
        raise SubmissionsError(f"{path}: the CSV header names {', '.join(twice)} more than once; expected {HEADER}")
    col = {n: names.index(n) for n in REQUIRED + OPTIONAL if n in names}
    start = reader.line_num + 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            subs.skipped.append(Skipped(start, f"not valid CSV ({exc})"))
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not any(f.strip() for f in fields):
            continue  # a blank line
        student = fields[col["student"]].strip() if len(fields) > col["student"] else ""
        if len(fields) > len(header) or any(col[c] >= len(fields) for c in REQUIRED):
            subs.skipped.append(Skipped(line, f"{len(fields)} fields where the header has {len(header)} "
                                              "(an answer with a comma must be in double quotes)", student or None))
            continue
        if not student:
            subs.skipped.append(Skipped(line, "no student id"))
            continue
        quantity = fields[col["quantity"]].strip() if col.get("quantity", len(fields)) < len(fields) else ""
        subs.rows.append(_row(line, student, fields[col["part"]], fields[col["answer"]], quantity or None))


def _row(line: int, student: str, part, answer, quantity) -> Row:
    part = part.strip() if isinstance(part, str) else ""
    problem = None
    answer = "" if answer is None else answer  # no answer: the checker says it is empty
    if not part:
        problem = "no part id given"
    elif not isinstance(answer, str):
        problem = f"the answer must be text, got {_json_kind(answer)}"
    if quantity is not None and not isinstance(quantity, str):
        problem = problem or f"the quantity must be text, got {_json_kind(quantity)}"
        quantity = None
    return Row(line, student, part, answer if isinstance(answer, str) else "", quantity, problem)


# --------------------------------------------------------------------------- JSON Lines / JSON


def _read_json(path: Path, text: str, subs: Submissions) -> None:
    if subs.format == "JSON":
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SubmissionsError(f"{path} is not valid JSON (line {exc.lineno}: {exc.msg}); expected a JSON "
                                   "array of objects or JSON Lines with the keys student, part, answer") from None
        if not isinstance(items, list):
            subs.format, lines = "JSON Lines", [(1, items)]  # one object: a file of one line
        else:
            lines = list(enumerate(items, start=1))
    else:
        lines = []
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                lines.append((number, json.loads(raw)))
            except json.JSONDecodeError as exc:
                subs.skipped.append(Skipped(number, f"not valid JSON ({exc.msg} at column {exc.colno})"))
    for number, item in lines:
        row = _json_row(number, item, subs)
        if row is not None:
            subs.rows.append(row)
    if not subs.rows and not any(isinstance(item, dict) and set(REQUIRED) <= set(item) for _, item in lines):
        first = subs.skipped[0].reason if subs.skipped else "no object has the keys student, part and answer"
        raise SubmissionsError(f"{path} is not {subs.format} of submissions ({first}); expected one object a "
                               "line with the keys student, part, answer (and optionally quantity), or a CSV "
                               f"file with the header {HEADER}")


def _json_row(number: int, item, subs: Submissions) -> Row | None:
    if not isinstance(item, dict):
        subs.skipped.append(Skipped(number, f"not a JSON object ({_json_kind(item)})"))
        return None
    student = item.get("student")
    if isinstance(student, int) and not isinstance(student, bool):
        student = str(student)
    if not isinstance(student, str) or not student.strip():
        subs.skipped.append(Skipped(number, "no student id" if student in (None, "") or isinstance(student, str)
                                    else f"the student id must be text, got {_json_kind(student)}"))
        return None
    part, answer = item.get("part"), item.get("answer")
    part = str(part) if isinstance(part, (int, float)) and not isinstance(part, bool) else part
    if isinstance(answer, (int, float)) and not isinstance(answer, bool):
        answer = str(answer)  # an option's number
    quantity = item.get("quantity")
    quantity = quantity.strip() or None if isinstance(quantity, str) else quantity
    return _row(number, student.strip(), part, answer, quantity)


def _json_kind(value) -> str:
    return {dict: "an object", list: "an array", bool: "true/false", type(None): "null",
            str: "text", int: "a number", float: "a number"}.get(type(value), type(value).__name__)
