"""The ``derive verify`` subcommand: argument parsing, per-part help, exit codes.

``derive verify ID ANSWER`` exits 0 when the answer is correct (proved or numerically), 1 when it
is incorrect, 2 when the input cannot be read or compared (one line on stderr, never a traceback)
and 3 when it is undecided (neither proved nor refuted). The whole command, start-up included,
keeps within :data:`WALL_SECONDS`. ``derive verify ID --help`` lists the part's quantities and the
symbols an answer may use.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

#: The wall-clock limit of one ``derive verify``, start-up included (the comparison gets what is left).
WALL_SECONDS = 20.0
#: Kept back for start-up (interpreter, imports) and for reporting.
RESERVED_SECONDS = 4.0
EXIT_TEXT = "Exit codes: 0 correct (proved or numerically), 1 incorrect, 2 input error, 3 undecided."

USAGE = "derive verify ID ANSWER [--quantity NAME] [--seed N] [--json]"
NOTATION = (
    "numbers, + - * / ^ (or **), implicit products (2 t x_1), \\frac{a}{b}, \\sqrt{x} or sqrt(x), "
    "\\exp{x}, exp(x) or e^{x}, \\log or log() (a bare \\log takes the factors next to it, up to the next "
    "+ - / * or function name: \\log 2x y is log(2xy), \\log x \\log y is log(x)log(y)), "
    "\\sum_{i=1}^{n} ..., \\|v\\|^2 or ||v||^2, "
    "x^\\top, [a, b]^\\top or \\begin{pmatrix}a\\\\b\\end{pmatrix}, \\left( \\right), \\cdot, \\, ; "
    "distributions: \\mathcal{N}(mean, cov) or N(mean, cov) with I for the identity, "
    "weighted sums of them (mixtures), \\delta_{a} (a point mass), U(a, b) or \\mathcal{U}[a, b] (a < b); "
    "a label before '=' or '\\sim' is ignored (q(x_t|x_0) = ...); "
    "new names may be defined after the answer: '..., where w = ...' or '...; w = ...'; "
    "\\int ... dz, \\nabla_{\\theta} f and \\frac{\\partial f}{\\partial \\theta} where the part has functions."
)


class _PartHelp(argparse.Action):
    """``-h``: print the help of the part named before it (or the general help), exit 0."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        from derivations.answercheck.errors import AnswerError

        try:
            text = help_text(getattr(namespace, "id", None))
        except AnswerError as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
        print(text)
        raise SystemExit(0)


def add_parser(sub) -> argparse.ArgumentParser:
    """Register ``verify`` on the ``derive`` subparsers (help is ours: it depends on the part)."""
    vp = sub.add_parser("verify", add_help=False, usage=USAGE,
                        help="check your own answer to a part (exit 0 correct, 1 incorrect, 2 bad input, 3 undecided)")
    vp.add_argument("id", metavar="ID")
    vp.add_argument("answer", metavar="ANSWER", help="LaTeX or plain text; '-' reads it from standard input")
    vp.add_argument("--quantity", "-q", metavar="NAME", default=None)
    vp.add_argument("--seed", type=_seed, default=0)
    vp.add_argument("--json", action="store_true")
    vp.add_argument("-h", "--help", action=_PartHelp)
    return vp


def _seed(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"seed must be a non-negative integer, got {text!r}")
    return int(text)


def verifiable_parts() -> list[str]:
    """Part ids whose registered answer has quantities to compare with."""
    from derivations import homeworks
    from derivations.answercheck.verdict import quantities

    out = []
    for pid in homeworks.registry().homework.order:
        try:
            quantities(pid)
        except Exception:  # noqa: BLE001 - todo, prose, or a part that fails to build: not verifiable
            continue
        out.append(pid)
    return out


def help_text(part_id: str | None) -> str:
    """The help of ``derive verify`` (generic, or for one part)."""
    from derivations import homeworks
    from derivations.answercheck.errors import AnswerError
    from derivations.answercheck.verdict import choice_help, domains_of, quantities, vocabulary
    from derivations.notation import latex, unicode_text

    parts = homeworks.registry().homework.by_id
    lines = [f"usage: {USAGE}", ""]
    if part_id is not None and part_id not in parts:
        raise AnswerError(f"unknown part '{part_id}' (derive verify --help lists the verifiable parts)")
    if part_id is None:
        lines += ["Check your own answer to a part of the homework against its derivation.",
                  EXIT_TEXT,
                  "Put -- before an answer that starts with '-'; ANSWER '-' reads standard input.",
                  "", f"parts with a reference answer: {', '.join(verifiable_parts()) or '(none yet)'}",
                  "derive verify ID --help lists that part's quantities and symbols.", "",
                  "notation: " + NOTATION]
        return "\n".join(lines)
    lines += [f"Check your own answer to part {part_id}: {unicode_text(parts[part_id].title)}.",
              EXIT_TEXT, ""]
    qs = quantities(part_id)
    lines.append("quantities" + (" (choose with --quantity NAME, or a unique part of it):" if len(qs) > 1 else ":"))
    for q in qs:
        # the description is not shown: it often states the reference answer itself
        lines.append(f"  {q.name}  [{KIND_TEXT[q.kind]}]")
        if q.kind == "choice":
            lines += choice_help(q.value)
            continue
        vocab = vocabulary(q)
        listed = [e for e in vocab.entries if e.listed]
        if not listed and not vocab.aliases():
            lines.append("      (no symbols: the answer is written with numbers only)")
            continue
        width = max([len(e.latex()) for e in listed] + [5])
        lines.append(f"      {'LaTeX'.ljust(width)}  plain text")
        for e in listed:
            lines.append(f"      {e.latex().ljust(width)}  {', '.join(e.plain())}")
        for latex_form, plain_form in vocab.aliases():
            lines.append(f"      {latex_form.ljust(width)}  {plain_form}")
        for name, value in q.defined.items():
            lines.append(f"      {name.ljust(width)}  {name} (stands for {unicode_text(f'${latex(value)}$')})")
        named = {e.obj for e in vocab.entries}
        for sym, dom in domains_of(q, part_id).items():
            if (sym in q.mistakable and sym not in q.domains) or sym not in named:
                continue
            lines.append(f"      ({sym} ranges over {_interval(dom)})")
    lines += ["", "notation: " + NOTATION,
              "Put -- before an answer that starts with '-'; ANSWER '-' reads standard input."]
    return "\n".join(lines)


KIND_TEXT = {"expression": "an expression", "distribution": "a distribution",
             "choice": "a choice among the printed options"}


def _interval(dom) -> str:
    start = getattr(dom, "start", None)
    if start is None:
        return str(dom)
    return (f"{'(' if dom.left_open else '['}{dom.start}, {dom.end}{')' if dom.right_open else ']'}")


def _read_answer(args):
    if args.answer == "-":
        data = sys.stdin.buffer.read(64_000)
        return data
    return args.answer


def run(args, usage_error: type[Exception]) -> int:
    """Run ``derive verify``; bad input is re-raised as ``usage_error`` (exit code 2), and so is any
    other failure, in one line: a traceback is never shown."""
    from derivations.budget import OutOfTime, time_budget

    started = time.monotonic()
    try:
        from derivations import homeworks
        from derivations.answercheck.errors import AnswerError
        from derivations.answercheck.verdict import verify

        if args.id not in homeworks.registry().homework.by_id:
            raise AnswerError(f"unknown part '{args.id}' (derive verify --help lists the verifiable parts)")
        left = WALL_SECONDS - RESERVED_SECONDS - _since_start(started)
        with time_budget(max(left, 1.0)):
            verdict = verify(args.id, _read_answer(args), quantity=args.quantity, seed=args.seed)
    except OutOfTime:
        raise usage_error(f"the answer could not be decided within the {WALL_SECONDS:g} s budget of derive verify; "
                          "simplify it or name its quantity with --quantity") from None
    except usage_error:
        raise
    except Exception as exc:  # noqa: BLE001 - AnswerError, and anything else said in one line
        from derivations.answercheck.errors import AnswerError

        message = str(exc) if isinstance(exc, AnswerError) else \
            f"internal error while checking the answer ({type(exc).__name__}: {exc})"
        raise usage_error(" ".join(message.split())[:1500]) from None
    if args.json:
        print(json.dumps(verdict.to_json(), indent=1))
    else:
        print(verdict.report())
    return verdict.exit_code


def _since_start(started: float) -> float:
    """Seconds since the process started (start-up included where the system says), else since ``started``."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as uptime:
            now = float(uptime.read().split()[0])
        import os

        return max(now - ticks / os.sysconf("SC_CLK_TCK"), time.monotonic() - started)
    except (OSError, ValueError, IndexError, AttributeError):
        return time.monotonic() - started
