"""What ``derive grade`` writes: Gradescope's ``results.json`` per student, ``summary.csv`` and
``mistakes.md``. Pure functions from graded rows to text; :mod:`.batch` writes the files.

Gradescope's autograder format: a top-level ``score`` and a list of ``tests``, each with
``name``, ``score``, ``max_score``, ``status`` ("passed"/"failed") and ``output``. Outputs are
``text`` (``output_format``), never Markdown or HTML, since they quote what students typed.

>>> from derivations.grading.submissions import Row
>>> g = Graded(Row(2, "ada", "8a", "x_0"), {"status": "incorrect", "correct": False, "report": "8a [m]: incorrect"})
>>> doc = results_json([g])
>>> doc["score"], doc["tests"][0]["name"], doc["tests"][0]["status"], doc["tests"][0]["max_score"]
(0, '8a', 'failed', 1)
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from derivations.grading.checking import (CORRECT, INCORRECT, INPUT_ERROR, INTERNAL_ERROR, NUMERIC,
                                          UNDECIDED)
from derivations.grading.submissions import Row, Skipped

VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")
SHOWN_ANSWER = 500  # characters of a submitted answer quoted in a test's output
SHOWN_EXAMPLE = 160  # characters of an example answer in mistakes.md
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Graded:
    """A row and its result (see :func:`derivations.grading.checking.check_answer`)."""

    row: Row
    result: dict

    @property
    def status(self) -> str:
        return self.result["status"]

    @property
    def score(self) -> int:
        return 1 if self.result.get("correct") else 0

    @property
    def quantity(self) -> str:
        """The quantity compared with, else the one the row named, else ''."""
        return self.result.get("quantity") or self.row.quantity or ""

    @property
    def name(self) -> str:
        """The test's name: the part, with the quantity in brackets when the row named one or the
        part has several."""
        part = self.row.part or "(no part)"
        shown = self.row.quantity or (self.result.get("quantity") if self.result.get("several") else None)
        return f"{part} [{shown}]" if shown else part


def text(value: str) -> str:
    """Text safe to write as UTF-8: a lone surrogate (possible in JSON input) becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", value)


def one_line(value: str, limit: int) -> str:
    flat = " ".join(text(value).split())
    return flat if len(flat) <= limit else flat[:limit] + " ..."


# --------------------------------------------------------------------------- results.json


def test_output(g: Graded) -> str:
    """The output of one test: the answer as submitted, then the verdict (what ``derive verify``
    prints) or the reason it could not be checked."""
    lines = [f"answer: {one_line(g.row.answer, SHOWN_ANSWER)}"] if g.row.answer.strip() else []
    if g.status == INPUT_ERROR:
        lines.append(f"{g.name}: input error (scored 0): {g.result['message']}")
    elif g.status == INTERNAL_ERROR:
        lines.append(f"{g.name}: internal error while checking this answer (scored 0 for now; course staff "
                     f"will review it): {g.result['message']}")
    else:
        lines.append(g.result["report"])
    return text("\n".join(lines))


def results_json(graded: list[Graded], *, visibility: str = "visible") -> dict:
    """One student's ``results.json`` (their rows in file order)."""
    tests = []
    for g in graded:
        extra = {"status": g.status, "line": g.row.line}
        if g.quantity:
            extra["quantity"] = text(g.quantity)
        tests.append({"name": text(g.name), "score": g.score, "max_score": 1,
                      "status": "passed" if g.score else "failed", "output": test_output(g),
                      "output_format": "text", "extra_data": extra})
    score = sum(t["score"] for t in tests)
    unread = sum(g.status == INPUT_ERROR for g in graded)
    output = f"{score} of {len(tests)} answers correct."
    if unread:
        output += f" {unread} could not be read (see each answer's output)."
    return {"score": score, "output": output, "output_format": "text", "test_output_format": "text",
            "test_name_format": "text", "visibility": visibility, "tests": tests}


# --------------------------------------------------------------------------- summary.csv

SUMMARY_COLUMNS = ("part", "quantity", "answers", "correct", "incorrect", "undecided", "input_errors",
                   "internal_errors")


def count(graded: list[Graded]) -> Counter:
    """How many rows have each status; ``correct`` counts both kinds of correct."""
    c = Counter(g.status for g in graded)
    c[CORRECT] += c.pop(NUMERIC, 0)
    return c


def by_part(graded: list[Graded], order: list[str]) -> dict[tuple[str, str], list[Graded]]:
    """Rows grouped by (part, quantity): parts in homework order, then unknown ones; quantities in
    order of first appearance."""
    groups: dict[tuple[str, str], list[Graded]] = defaultdict(list)
    for g in graded:
        groups[(g.row.part, g.quantity)].append(g)
    rank = {pid: k for k, pid in enumerate(order)}
    first = {key: k for k, key in enumerate(groups)}
    return dict(sorted(groups.items(), key=lambda kv: (rank.get(kv[0][0], len(rank)), kv[0][0] if kv[0][0]
                                                      not in rank else "", first[kv[0]])))


def summary_csv(graded: list[Graded], order: list[str]) -> str:
    """Per part and quantity: answers, correct, incorrect, undecided, input and internal errors."""
    rows = [SUMMARY_COLUMNS]
    for (part, quantity), group in by_part(graded, order).items():
        c = count(group)
        rows.append((part, quantity, len(group), c[CORRECT], c[INCORRECT], c[UNDECIDED], c[INPUT_ERROR],
                     c[INTERNAL_ERROR]))
    return csv_text(rows)


def csv_text(rows) -> str:
    """CSV with every cell that a spreadsheet would run as a formula (= + - @) quoted with a '."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _cell(value) -> str | int:
    if not isinstance(value, str):
        return value
    value = text(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def skipped_csv(skipped: list[Skipped]) -> str:
    return csv_text([("line", "student", "reason")] + [(s.line, s.student or "", s.reason) for s in skipped])


def students_csv(names: dict[str, str]) -> str:
    return csv_text([("student", "directory")] + sorted(names.items(), key=lambda kv: kv[1]))


# --------------------------------------------------------------------------- mistakes.md


def mistakes_md(graded: list[Graded], order: list[str], titles: dict[str, str], *, source: str,
                top: int = 10) -> str:
    """Per part and quantity, the most common wrong answers grouped by how they were read, each
    with its count, what differs, the counterexample and an example as written; then the most
    common reasons answers could not be read."""
    students = len({g.row.student for g in graded})
    c = count(graded)
    out = [f"# Common mistakes in {one_line(source, 120)}", "",
           f"{_n(len(graded), 'answer')} from {_n(students, 'student')}: {c[CORRECT]} correct, {c[INCORRECT]} incorrect, "
           f"{c[UNDECIDED]} undecided, {c[INPUT_ERROR]} could not be read, {c[INTERNAL_ERROR]} internal errors.",
           "Wrong answers that were read the same way are counted together, most common first; a "
           "counterexample is a point where the answer and the reference differ.", ""]
    last_part = None
    groups = by_part(graded, order)
    for (part, quantity), group in groups.items():
        if part != last_part:
            title = titles.get(part)
            out += [f"## {part or '(no part)'}" + (f": {title}" if title else " (not a part of the homework)"), ""]
            last_part = part
        cq = count(group)
        if quantity:
            out += [f"### {one_line(quantity, 120)}", ""]
        elif any(q for (p, q) in groups if p == part):
            out += ["### (quantity not determined)", ""]
        out += [f"{_n(len(group), 'answer')}: {cq[CORRECT]} correct, {cq[INCORRECT]} incorrect"
                + (f", {cq[UNDECIDED]} undecided" if cq[UNDECIDED] else "")
                + (f", {cq[INPUT_ERROR]} could not be read" if cq[INPUT_ERROR] else "")
                + (f", {cq[INTERNAL_ERROR]} internal errors" if cq[INTERNAL_ERROR] else "") + ".", ""]
        out += _wrong_answers(group, top) + _unreadable(group, top)
    return text("\n".join(out).rstrip() + "\n")


def _wrong_answers(group: list[Graded], top: int) -> list[str]:
    readings: dict[str, list[Graded]] = defaultdict(list)
    for g in group:
        if g.status in (INCORRECT, UNDECIDED):
            readings[g.result.get("read_as") or ""].append(g)
    ranked = sorted(readings.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    lines = []
    for k, (read_as, gs) in enumerate(ranked[:top], start=1):
        r = gs[0].result
        tex = r.get("tex")
        head = f"{k}. **{_n(len(gs), 'answer')}**"
        head += f", read as ${tex}$" if tex and r.get("kind") != "choice" else ""
        lines.append(head + (f" ({_code(read_as)})" if read_as else ""))
        lines.append(f"   - {_difference(r)}")
        example = Counter(one_line(g.row.answer, SHOWN_EXAMPLE) for g in gs).most_common(1)[0][0]
        lines.append(f"   - for example {_code(example)}")
    if len(ranked) > top:
        lines.append(f"\n... and {len(ranked) - top} other wrong readings "
                     f"({sum(len(gs) for _, gs in ranked[top:])} answers).")
    return lines + [""] if lines else []


def _difference(r: dict) -> str:
    if r["status"] == UNDECIDED:
        return "undecided: SymPy could not prove it and no point was found where it differs (scored 0; worth a look)"
    parts = [f"{r['differs']} differs" if r.get("differs") else "differs from the reference"]
    cex = r.get("counterexample") or []
    if cex:
        point = ", ".join(f"${t} = {v}$" if t else f"{n} = {v}" for n, v, t in cex)
        parts.append(f"counterexample: {point}")
    if r.get("values"):
        yours, ref = r["values"]
        parts.append(f"there the answer gives {yours} and the reference {ref}")
    return text("; ".join(parts))


def _unreadable(group: list[Graded], top: int) -> list[str]:
    errors = Counter(g.result["message"] for g in group if g.status in (INPUT_ERROR, INTERNAL_ERROR))
    if not errors:
        return []
    lines = ["Could not be checked:", ""]
    for message, n in errors.most_common(top):
        lines.append(f"- {n} × {_code(one_line(message, 300))}")
    return lines + [""]


def _n(k: int, noun: str) -> str:
    return f"{k} {noun}{'s' * (k != 1)}"


def _code(value: str) -> str:
    """``value`` as a Markdown code span, fenced with more backticks than it contains."""
    value = one_line(value, 10_000)
    runs = [len(m) for m in re.findall(r"`+", value)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value else ""
    return f"{fence}{pad}{value}{pad}{fence}"
