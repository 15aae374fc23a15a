"""The ``derive grade`` subcommand: arguments and exit codes.

Exit 0 when the batch was graded (whatever the answers), 2 when the submissions file cannot be
read or the output directory cannot be written (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import sys

DESCRIPTION = """\
Check a class's answers in one batch, for course staff. SUBMISSIONS is a CSV file with the header
student,part,answer (and optionally quantity), or JSON Lines: one object a line with those keys
(or a JSON array of them). The format follows the extension (.csv; .jsonl, .ndjson or .json),
else the content (JSON when it starts with { or [, CSV otherwise). UTF-8.

Writes into DIR (created if missing):
  <student>/results.json  Gradescope's autograder results: one test per submitted row, in file
                          order, scored 1 (correct) or 0, the verdict as its output
  summary.csv             per part and quantity: answers, correct, incorrect, undecided, input
                          errors, internal errors
  mistakes.md             per part, the most common wrong answers grouped by how they were read,
                          with a counterexample and the count
  students.csv            student id -> directory, when some id was not a safe directory name
  skipped.csv             rows that were not graded, and why

A row with an empty answer, an unknown part or quantity, or an answer that cannot be read is
graded 0 with the reason in its output (an input error); a row that names no student, is not
valid JSON, or has more or fewer CSV fields than the header is skipped (listed in skipped.csv),
since it cannot be attributed to a student or its fields cannot be trusted. Identical answers
(the same part, quantity and text up to whitespace) are checked once.
Exit codes: 0 graded, 2 the file cannot be read or DIR cannot be written."""


def add_parser(sub) -> argparse.ArgumentParser:
    """Register ``grade`` on the ``derive`` subparsers."""
    from derivations.grading.batch import default_jobs
    from derivations.grading.reports import VISIBILITIES

    gp = sub.add_parser("grade", help="grade a class's answers (CSV or JSON Lines) into Gradescope results",
                        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    gp.add_argument("submissions", metavar="SUBMISSIONS", help="CSV or JSON Lines file of student,part,answer[,quantity]")
    gp.add_argument("-o", "--output", required=True, metavar="DIR", help="directory for the reports")
    gp.add_argument("--jobs", "-j", type=_positive, default=default_jobs(),
                    help="worker processes checking answers (default: the cores available, here %(default)s)")
    gp.add_argument("--seed", type=_seed, default=0, help="seed of the random points of every check (default 0)")
    gp.add_argument("--visibility", choices=VISIBILITIES, default="visible",
                    help="Gradescope visibility of the results (default visible)")
    gp.add_argument("--top", type=_positive, default=10, help="wrong readings listed per quantity in mistakes.md")
    gp.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return gp


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def _seed(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"seed must be a non-negative integer, got {text!r}")
    return int(text)


def run(args, usage_error: type[Exception]) -> int:
    """Run ``derive grade``; a file or directory problem is re-raised as ``usage_error`` (exit 2)."""
    from derivations.grading.batch import GradeError, grade
    from derivations.grading.checking import WorkerError

    try:
        grade(args.submissions, args.output, jobs=args.jobs, seed=args.seed, visibility=args.visibility,
              top=args.top, progress=None if args.quiet else sys.stderr)
    except (GradeError, WorkerError) as exc:
        raise usage_error(str(exc)) from None
    return 0
