"""The ``derive`` command line: list, check, show and latex (verify comes with its own module).

Exit codes: 0 everything passed, 1 a part failed, 2 bad usage (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from derivations import latex, render
from derivations.fileio import atomic_write
from derivations.parts import ORDER, PARTS, select
from derivations.registry import declared_status
from derivations.runner import PartResult, run_part


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
    sh.add_argument("--latex", action="store_true", help="print the part's LaTeX fragment instead")

    lx = sub.add_parser("latex", help="write the LaTeX answers document")
    lx.add_argument("-o", "--output", required=True, metavar="FILE")
    lx.add_argument("--seed", type=_seed, default=0)
    lx.add_argument("--pdf", action="store_true", help="also compile FILE into a PDF beside it (pdflatex)")

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
    try:
        return select(list(ids)) if ids else list(ORDER)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None


def cmd_list(args) -> int:
    rows = [{"id": pid, "title": PARTS[pid].title, "question": PARTS[pid].question,
             "kind": PARTS[pid].kind, "status": declared_status(pid)} for pid in ORDER]
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        print(render.status_table([(r["id"], r["status"], r["title"]) for r in rows]))
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
    (pid,) = _single(args.id)
    result = run_part(pid, seed=args.seed)
    print(latex.part_tex(result) if args.latex else render.part_report(result))
    return _exit_code([result])


def _single(selector: str) -> list[str]:
    ids = _select([selector])
    if len(ids) != 1:
        raise UsageError(f"derive show takes one part id, and {selector!r} names {len(ids)} parts "
                         f"({', '.join(ids[:6])}{', ...' if len(ids) > 6 else ''})")
    return ids


def cmd_latex(args) -> int:
    """One run: every part, its figures, the .tex (and with --pdf the PDF); the table on stdout."""
    from derivations import figures, pdf  # deferred: matplotlib and pdflatex only for this command

    out = Path(args.output)
    if out.is_dir() or out.suffix != ".tex":
        raise UsageError(f"-o expects a .tex file name, got {str(out)!r}")
    results = run_many(list(ORDER), args.seed)
    drawn = figures.draw_all(results, out.parent, args.seed)
    try:
        atomic_write(out, latex.document(results, drawn, seed=args.seed))
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(render.run_summary(results))
    n_fig = sum(len(v) for v in drawn.values())
    print(f"wrote {out} ({len(results)} parts, {n_fig} figures)", file=sys.stderr)
    if args.pdf:
        try:
            report = pdf.compile_pdf(out)
        except pdf.LatexError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"wrote {out.with_suffix('.pdf')} ({report.pages} pages, pdflatex ran {report.runs} times)",
              file=sys.stderr)
        for line, points, pid in report.overfull:
            print(f"warning: {out.name}:{line}{f' (part {pid})' if pid else ''}: a line is {points:.1f}pt "
                  "too wide", file=sys.stderr)
    return _exit_code(results)


def show_section(section: str, seed: int = 0) -> int:
    """Print every registered part of one section module: what ``python -m derivations.X`` does."""
    ids = [pid for pid in ORDER if PARTS[pid].section == section]
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
