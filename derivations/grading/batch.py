"""One batch: read the submissions, check each distinct answer once, write every report.

Nothing is written until every answer is checked; then each file is written atomically
(:func:`derivations.fileio.atomic_write`), the students' ``results.json`` first and the
summaries last. A row that is an input error (no answer, an unknown part or quantity, an answer
that cannot be read) is graded 0 with the reason as its output; a row that cannot be attributed
or trusted is skipped and listed in ``skipped.csv`` (see :mod:`.submissions`).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TextIO

from derivations.fileio import atomic_write
from derivations.grading import checking, reports
from derivations.grading.checking import (CORRECT, INCORRECT, INPUT_ERROR, INTERNAL_ERROR, UNDECIDED, Key,
                                          answer_key, check_all, check_answer, input_error)
from derivations.grading.names import directory_names
from derivations.grading.reports import Graded
from derivations.grading.submissions import Submissions, SubmissionsError, read_submissions


class GradeError(Exception):
    """The batch cannot be done (an unreadable file, an output directory that cannot be written):
    one line, exit code 2."""


@dataclass
class Batch:
    """What a run did: the graded rows in file order, the skipped rows, the directory of each
    student, and the answers that were checked (each distinct key once)."""

    submissions: Submissions
    graded: list[Graded] = field(default_factory=list)
    directories: dict[str, str] = field(default_factory=dict)
    checked: list[Key] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def renamed(self) -> int:
        return sum(student != name for student, name in self.directories.items())


def grade(source: str | os.PathLike, out_dir: str | os.PathLike, *, jobs: int = 2, seed: int = 0,
          visibility: str = "visible", top: int = 10, progress: TextIO | None = None,
          check: Callable[..., dict] = check_answer) -> Batch:
    """Grade every row of ``source`` and write the reports into ``out_dir``."""
    start = time.perf_counter()
    try:
        subs = read_submissions(source)
    except SubmissionsError as exc:
        raise GradeError(str(exc)) from None
    out = Path(out_dir)
    batch = Batch(subs, directories=directory_names(r.student for r in subs.rows))
    _check_output(out, batch.directories.values())
    tasks, pre = _tasks(subs, seed)
    batch.checked = list(tasks)
    say = _Progress(progress, start)
    say(f"read {len(subs.rows)} answers of {len(batch.directories)} students from {subs.path} ({subs.format}); "
        f"{len(tasks)} distinct answers to check " + _where(jobs, len(tasks))
        + (f"; {len(subs.skipped)} rows skipped" if subs.skipped else ""))
    for s in subs.skipped[:20]:
        say(f"  skipped line {s.line}: {s.reason}")
    if len(subs.skipped) > 20:
        say(f"  ... {len(subs.skipped) - 20} more in skipped.csv")
    results = check_all(tasks, jobs=jobs, progress=say.count, check=check)
    for row, key in zip(subs.rows, pre):
        batch.graded.append(Graded(row, key if isinstance(key, dict) else results[key]))
    _write(batch, out, visibility=visibility, top=top)
    batch.seconds = time.perf_counter() - start
    c = reports.count(batch.graded)
    say(f"wrote {out}: results.json for {len(batch.directories)} students, summary.csv, mistakes.md"
        + (f", students.csv ({batch.renamed} ids changed into directory names)" if batch.renamed else "")
        + (f", skipped.csv ({len(subs.skipped)} rows)" if subs.skipped else "")
        + f". {len(batch.graded)} answers: {c[CORRECT]} correct, {c[INCORRECT]} incorrect, "
        f"{c[UNDECIDED]} undecided, {c[INPUT_ERROR]} input errors, {c[INTERNAL_ERROR]} internal errors "
        f"({batch.seconds:.1f} s)")
    return batch


def homework_parts() -> tuple[list[str], dict[str, str]]:
    """The homework's part ids in order, and their titles (LaTeX, as the homework's table writes
    them): the one place that reads the parts table. Imports no section and no SymPy."""
    from derivations import homeworks

    homework = homeworks.registry().homework
    return list(homework.order), {pid: homework.by_id[pid].title for pid in homework.order}


def _where(jobs: int, tasks: int) -> str:
    if jobs > 1 and tasks >= checking.MIN_FOR_WORKERS:
        return f"in {min(jobs, tasks)} worker processes"
    return "in this process"


def _tasks(subs: Submissions, seed: int) -> tuple[dict[Key, tuple], list]:
    """The distinct answers to check (``key -> (part, quantity, text, seed)``) and, per row, its
    key or the input error found before checking."""
    order, _ = homework_parts()
    known = set(order)
    tasks: dict[Key, tuple] = {}
    per_row: list = []
    for row in subs.rows:
        if row.problem:
            per_row.append(input_error(row.problem))
        elif row.part not in known:
            per_row.append(input_error(f"unknown part '{reports.one_line(row.part, 40)}' (see derive list)"))
        else:
            key = answer_key(row.part, row.quantity, row.answer)
            tasks.setdefault(key, (key[0], key[1], key[2], seed))
            per_row.append(key)
    return tasks, per_row


def _check_output(out: Path, names) -> None:
    """Refuse an output that is a file, or a student's directory that is a link (it could point
    anywhere): before anything is checked or written."""
    if out.exists() and not out.is_dir():
        raise GradeError(f"-o {out} is a file; expected a directory (it is created if missing)")
    for name in names:
        if (out / name).is_symlink():
            raise GradeError(f"{out / name} is a symbolic link; remove it (derive grade writes only real "
                             "directories inside the output directory)")
        if (out / name).exists() and not (out / name).is_dir():
            raise GradeError(f"{out / name} is a file where a student's directory belongs; move it away")


def _write(batch: Batch, out: Path, *, visibility: str, top: int) -> None:
    per_student: dict[str, list[Graded]] = {}
    for g in batch.graded:
        per_student.setdefault(g.row.student, []).append(g)
    order, titles = homework_parts()
    try:
        out.mkdir(parents=True, exist_ok=True)
        root = out.resolve()
        for student, graded in per_student.items():
            target = out / batch.directories[student] / "results.json"
            if target.resolve().parent.parent != root:  # names.py makes this impossible; never trust it alone
                raise GradeError(f"refusing to write outside {out}: {target}")
            doc = reports.results_json(graded, visibility=visibility)
            atomic_write(target, json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
        atomic_write(out / "summary.csv", reports.summary_csv(batch.graded, order))
        atomic_write(out / "mistakes.md", reports.mistakes_md(batch.graded, order, titles,
                                                              source=batch.submissions.path.name, top=top))
        _optional(out / "skipped.csv", reports.skipped_csv(batch.submissions.skipped) if batch.submissions.skipped
                  else None)
        _optional(out / "students.csv", reports.students_csv(batch.directories) if batch.renamed else None)
    except OSError as exc:
        raise GradeError(f"cannot write into {out}: {exc.strerror or exc}"
                         + (f" ({exc.filename})" if getattr(exc, "filename", None) else "")) from None


def _optional(path: Path, content: str | None) -> None:
    """Write ``content``, or remove a stale file of that name when there is nothing to say."""
    if content is None:
        path.unlink(missing_ok=True)
    else:
        atomic_write(path, content)


class _Progress:
    """Progress lines on ``stream`` (stderr): every message, and the count at most every 2 s."""

    def __init__(self, stream: TextIO | None, start: float):
        self.stream, self.start, self.last = stream, start, 0.0

    def __call__(self, message: str) -> None:
        if self.stream is not None:
            print(f"grade: {message}", file=self.stream, flush=True)

    def count(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if self.stream is not None and (now - self.last >= 2.0 or done == total):
            self.last = now
            self(f"checked {done}/{total} distinct answers ({now - self.start:.0f} s)")


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)

