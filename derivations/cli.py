"""The ``derive`` command line: list, check, show and latex (verify comes with its own module).

Exit codes: 0 everything passed, 1 a part failed, 2 bad usage (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from typing import TYPE_CHECKING

from derivations import homeworks
from derivations.fileio import atomic_write
from derivations.status import status_table

if TYPE_CHECKING:
    from derivations.runner import PartResult


def run_part(part_id: str, **kwargs) -> "PartResult":
    """:func:`derivations.runner.run_part`, imported when a command runs a part (not for list)."""
    from derivations.runner import run_part as run

    return run(part_id, **kwargs)


class UsageError(Exception):
    """Bad input from the user: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print usage and exit; we want one line
        raise UsageError(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="derive", description="Derive, check and typeset the answers of Homework 7.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ls = sub.add_parser("list", help="every part id with its title and claimed status")
    ls.add_argument("--json", action="store_true", help="print JSON")

    ck = sub.add_parser("check", help="run derivations and numeric checks")
    ck.add_argument("ids", nargs="*", metavar="ID", help="part ids or prefixes (default: all)")
    ck.add_argument("--json", action="store_true", help="print one JSON document")
    ck.add_argument("--seed", type=_seed, default=0, help="seed of every random draw (default 0)")

    sh = sub.add_parser("show", help="one part: answer, derivation steps, check results")
    sh.add_argument("id", metavar="ID")
    sh.add_argument("--seed", type=_seed, default=0)
    sh.add_argument("--latex", action="store_true", help="print the part's LaTeX fragment of the solution set instead")
    sh.add_argument("--report", action="store_true", help="with --latex: the fragment of the verification report")

    lx = sub.add_parser("latex", help="write the solution set and the verification report (LaTeX)",
                        description="One run of every part writes two documents: the solution set to FILE, and "
                                    "the verification report (every step's verification, every check's "
                                    "statistics) to verification.tex beside it. With --report, only the report, "
                                    "to FILE.")
    lx.add_argument("-o", "--output", required=True, metavar="FILE", help="the .tex file to write")
    lx.add_argument("--seed", type=_seed, default=0)
    lx.add_argument("--pdf", action="store_true", help="also compile each .tex into a PDF beside it (pdflatex)")
    lx.add_argument("--report", action="store_true", help="write only the verification report, to FILE")

    from derivations.answercheck.command import add_parser as add_verify_parser  # its help is per part
    add_verify_parser(sub)
    from derivations.grading.command import add_parser as add_grade_parser  # derive grade (course staff)
    add_grade_parser(sub)
    return p


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"seed must be a non-negative integer, got {value}")
    return value


def _select(ids: Sequence[str]) -> list[str]:
    homework = homeworks.registry().homework
    try:
        return homework.select(list(ids)) if ids else list(homework.order)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None


def cmd_list(args) -> int:
    registry = homeworks.registry()
    from derivations.notation.text import unicode_text

    rows = [{"id": p.id, "title": unicode_text(p.title), "question": p.question, "kind": p.kind,
             "status": registry.declared_status(p.id).value} for p in registry.homework.parts]
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print(status_table([(r["id"], r["status"], r["title"]) for r in rows]))
    return 0


def run_many(ids: list[str], seed: int, *, progress: bool = True) -> list[PartResult]:
    results = []
    for n, pid in enumerate(ids, start=1):
        r = run_part(pid, seed=seed)
        if progress:
            print(f"[{n:>2}/{len(ids)}] {pid:<7} {r.status:<9} {r.seconds:6.2f}s", file=sys.stderr, flush=True)
        results.append(r)
    return results


def _exit_code(results: list[PartResult]) -> int:
    return 1 if any(r.status == "failed" for r in results) else 0


def cmd_check(args) -> int:
    from derivations import render

    results = run_many(_select(args.ids), args.seed)
    if args.json:
        print(json.dumps([r.to_json() for r in results], indent=1))
    else:
        print(render.run_summary(results))
        for r in results:
            if r.status == "failed":
                print(f"\n--- {r.id} failed ---\n{render.part_report(r)}")
    return _exit_code(results)


def cmd_show(args) -> int:
    from derivations import render

    (pid,) = _single(args.id)
    result = run_part(pid, seed=args.seed)
    if args.report and not args.latex:
        raise UsageError("--report goes with --latex (derive show ID --latex --report)")
    if args.latex:
        from derivations import report, solutions
        print((report if args.report else solutions).part_tex(result))
    else:
        print(render.part_report(result))
    return _exit_code([result])


def _single(selector: str) -> list[str]:
    ids = _select([selector])
    if len(ids) != 1:
        raise UsageError(f"derive show takes one part id, and {selector!r} names {len(ids)} parts "
                         f"({', '.join(ids[:6])}{', ...' if len(ids) > 6 else ''})")
    return ids


def cmd_latex(args) -> int:
    """One run: every part, its figures, the solution set and the verification report (or only the
    report with --report); with --pdf their PDFs; the table on stdout."""
    from derivations import figures, pdf, render, report, solutions  # deferred: matplotlib and pdflatex

    out = Path(args.output)
    if out.is_dir() or out.suffix != ".tex":
        raise UsageError(f"-o expects a .tex file name, got {str(out)!r}")
    documents = [(out, report)] if args.report else [(out, solutions), (out.with_name("verification.tex"), report)]
    if not args.report and out.name == "verification.tex":
        raise UsageError("the verification report is written as verification.tex beside the solution set; "
                         "name the solution set otherwise (e.g. -o answers.tex) or pass --report")
    results = run_many(list(homeworks.registry().homework.order), args.seed)
    drawn = figures.draw_all(results, out.parent, args.seed)
    for path, module in documents:
        text = module.document(results, drawn, seed=args.seed) if module is report else module.document(results, drawn)
        try:
            atomic_write(path, text)
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    print(render.run_summary(results))
    n_fig = sum(len(v) for v in drawn.values())
    print(f"wrote {', '.join(str(p) for p, _ in documents)} ({len(results)} parts, {n_fig} figures)", file=sys.stderr)
    if args.pdf:
        for path, _ in documents:
            try:
                compiled = pdf.compile_pdf(path)
            except pdf.LatexError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            print(f"wrote {path.with_suffix('.pdf')} ({compiled.pages} pages, pdflatex ran {compiled.runs} times)",
                  file=sys.stderr)
            for line, points, pid in compiled.overfull:
                print(f"warning: {path.name}:{line}{f' (part {pid})' if pid else ''}: a line is {points:.1f}pt "
                      "too wide", file=sys.stderr)
    return _exit_code(results)


def show_section(section: str, seed: int = 0) -> int:
    """Print every registered part of one section: what ``python -m derivations.X`` does."""
    from derivations import render

    ids = homeworks.registry().homework.parts_of_section(section)
    results = [run_part(pid, seed=seed) for pid in ids]
    for r in results:
        print(render.part_report(r) + "\n" + "=" * 72)
    return _exit_code(results)


def cmd_verify(args) -> int:
    """Check a user's own answer (derivations/answercheck); exit 0 correct, 1 incorrect, 2 bad input."""
    from derivations.answercheck.command import run

    return run(args, UsageError)


def cmd_grade(args) -> int:
    """Grade a class's answers (derivations/grading); exit 0 graded, 2 unreadable file or output."""
    from derivations.grading.command import run

    return run(args, UsageError)


COMMANDS = {"list": cmd_list, "check": cmd_check, "show": cmd_show, "latex": cmd_latex, "verify": cmd_verify,
            "grade": cmd_grade}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
