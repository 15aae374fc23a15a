"""Terminal rendering of part results: the answer, each derivation step and every check.

Formulas are drawn by the notation module's Unicode printer (:func:`derivations.notation.pretty`);
a sum too wide for the terminal is broken between its terms, one line each, so nothing wraps
mid-symbol. Prose written in LaTeX (summaries, explanations, reasons, titles) is read as Unicode by
:func:`derivations.notation.unicode_text`.

>>> import sympy as sp
>>> x, y = sp.symbols("x y")
>>> print(pretty_lines(x + y, width=80))
x + y
"""

from __future__ import annotations

import functools
import math
import re
import shutil
import textwrap
from typing import Any, Iterable, Sequence

import sympy as sp
from sympy.core.function import _coeff_isneg
from sympy.printing.pretty.stringpict import prettyForm, stringPict

from derivations import notation
from derivations.chain import ChainResult, StepResult
from derivations.notation import unicode_text
from derivations.runner import PartResult
from derivations.status import status_table

_REL = {"=": "=", "<=": "≤", ">=": "≥"}


def terminal_width() -> int:
    """Columns available for output (at least 60, at most 120)."""
    return max(60, min(120, shutil.get_terminal_size((100, 24)).columns))


# --------------------------------------------------------------------------- formulas


def pretty(expr) -> str:
    """Unicode drawing of ``expr`` in the course's notation (never wrapped mid-symbol)."""
    return notation.pretty(expr)


def pretty_width(expr) -> int:
    """Width in columns of ``expr`` drawn by :func:`pretty`: a proxy for its typeset width.

    >>> pretty_width(sp.Symbol("x") + 1)
    5
    """
    if isinstance(expr, sp.Basic):
        return _cached_width(expr)
    return _measure(expr)


def _measure(expr) -> int:
    return max((len(line) for line in pretty(expr).splitlines()), default=0)


@functools.lru_cache(maxsize=4096)
def _cached_width(expr: sp.Basic) -> int:
    return _measure(expr)


def signed_terms(expr) -> list[tuple[str, Any]]:
    """The terms of a sum in printing order, each as ``(sign, absolute term)``.

    >>> x, y = sp.symbols("x y")
    >>> signed_terms(x - 2*y)
    [('+', x), ('-', 2*y)]
    """
    return [("-", -t) if _coeff_isneg(t) else ("+", t) for t in expr.as_ordered_terms()]


def pack(widths: Sequence[int], budget: int, sep: int = 3) -> list[list[int]]:
    """Greedy line filling: indices of items grouped so each group's width stays within ``budget``.

    An item wider than ``budget`` gets a group of its own.

    >>> pack([10, 10, 10, 30], 25)
    [[0, 1], [2], [3]]
    """
    groups: list[list[int]] = []
    used = budget + 1
    for i, w in enumerate(widths):
        if groups and used + sep + w <= budget:
            groups[-1].append(i)
            used += sep + w
        else:
            groups.append([i])
            used = w
    return groups


def _join_terms(terms: list[tuple[str, Any]], first: bool) -> prettyForm:
    """Draw signed terms side by side on a common baseline."""
    form = None
    for k, (sign, term) in enumerate(terms):
        pic = notation.pretty_form(term)
        lead = (sign == "-") if (k == 0 and first) else True
        op = (f"{sign} " if k == 0 else f" {sign} ") if lead else ""
        form = prettyForm(*stringPict.next(*([form] if form is not None else []), op, pic))
    return form


def pretty_block(expr, width: int) -> tuple[str, int]:
    """``expr`` drawn within ``width`` columns where possible, and the row of its first baseline.

    A sum wider than ``width`` is broken between its terms, one group of terms a line.
    """
    if not isinstance(expr, sp.Add) or pretty_width(expr) <= width:
        form = notation.pretty_form(expr)
        return form.render(wrap_line=False), form.baseline
    terms = signed_terms(expr)
    groups = pack([pretty_width(t) for _, t in terms], width - 4)
    blocks, baseline = [], 0
    for g, idx in enumerate(groups):
        form = _join_terms([terms[i] for i in idx], first=(g == 0))
        text = form.render(wrap_line=False)
        if g == 0:
            baseline = form.baseline
        blocks.append(text if g == 0 else textwrap.indent(text, "  "))
    return "\n".join(blocks), baseline


def pretty_lines(expr, width: int) -> str:
    """``expr`` drawn within ``width`` columns where possible (see :func:`pretty_block`).

    >>> print(pretty_lines(sum(sp.symbols("a:k")), width=30))
    a + b + c + d + e + f + g
      + h + i + j + k
    """
    return pretty_block(expr, width)[0]


# --------------------------------------------------------------------------- prose


def wrap(text: str, width: int, indent: int = 4) -> str:
    """Paragraphs of ``text`` filled to ``width``, each line indented."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    pad = " " * indent
    return "\n".join(textwrap.fill(p, width, initial_indent=pad, subsequent_indent=pad) for p in paragraphs)


# --------------------------------------------------------------------------- evidence

#: Evidence keys in the order they are shown, with their labels (plain text, LaTeX math).
EVIDENCE_KEYS = (
    ("n", "n", "n"),
    ("size", "values", r"\text{values}"),
    ("components", "components", r"k"),
    ("cells", "cells", r"\text{cells}"),
    ("successes", "successes", r"\text{successes}"),
    ("expected_p", "p0", r"p_0"),
    ("statistic", "statistic", r"\text{statistic}"),
    ("dof", "dof", r"\text{dof}"),
    ("max_abs_z", "max|z|", r"\max|z|"),
    ("critical_z", "critical z", r"z^{*}"),
    ("min_expected_count", "min expected count", r"\min E"),
    ("max_abs_error", "max error", r"\max|\Delta|"),
    ("rtol", "rtol", r"\text{rtol}"),
    ("atol", "atol", r"\text{atol}"),
    ("p_value", "p", "p"),
    ("alpha", "alpha", r"\alpha"),
)
_HIDDEN = {"test", "estimate", "expected", "standard_error", "max_excess_over_bound"}


def evidence_fields(evidence: dict) -> list[tuple[str, Any]]:
    """The evidence of one check as ordered ``(key, value)`` pairs: known keys first, then the rest.

    The test's name is left out (it heads the line); so are the bulky vectors of a mean test,
    except an estimate with at most three entries, shown beside its expected value.

    >>> evidence_fields({"test": "t", "alpha": 1e-6, "p_value": 0.5, "n": 10, "radius": 2.0})
    [('n', 10), ('p_value', 0.5), ('alpha', 1e-06), ('radius', 2.0)]
    """
    known = [key for key, _, _ in EVIDENCE_KEYS]
    out = [(k, evidence[k]) for k in known if k in evidence]
    for extra in ("estimate", "expected"):
        value = evidence.get(extra)
        if value is not None and len(_flat(value)) <= 3:
            out.append((extra, value))
    out += [(k, v) for k, v in evidence.items() if k not in known and k not in _HIDDEN]
    return out


def _flat(value) -> list:
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _flat(v)]
    if hasattr(value, "tolist"):
        return _flat(value.tolist())
    return [value]


def number(value: Any) -> str:
    """A number as a person writes it: integers grouped, floats to 3-4 significant digits.

    >>> [number(v) for v in (20000, 0.4312, 1e-6, 3.2e-12, 12.5, True)]
    ['20\u202f000', '0.431', '1e-06', '3.2e-12', '12.5', 'yes']
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")  # a narrow no-break space: never wrapped
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
            return f"{value:.2g}" if abs(value) < 1e-3 else f"{value:.3g}"
        return f"{value:.3g}"
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        items = _flat(value)
        if len(items) == 1:
            return number(items[0])
        shown = ", ".join(number(v) for v in items[:4])
        return f"[{shown}{', …' if len(items) > 4 else ''}]"
    return str(value)


def evidence_text(evidence: dict) -> str:
    """One line of evidence for the terminal."""
    label = {k: text for k, text, _ in EVIDENCE_KEYS}
    pairs = dict(evidence_fields(evidence))
    p, alpha = pairs.pop("p_value", None), pairs.pop("alpha", None)
    fields = [f"{label.get(k, k)} = {number(v)}" for k, v in pairs.items()]
    if p is not None:
        compare = "" if alpha is None else f" {'≥' if p >= alpha else '<'} α = {number(alpha)}"
        fields.append(f"p = {number(p)}{compare}")
    head = str(evidence.get("test", "check"))
    return head + (": " + ", ".join(fields) if fields else "")


# --------------------------------------------------------------------------- parts


def _indent(text: str, n: int = 4) -> str:
    return textwrap.indent(text, " " * n)


def step_block(step: StepResult, width: int = 100) -> str:
    """One step: relation and right-hand side, then its reason and verdict."""
    text, baseline = pretty_block(step.rhs, width - 2)
    lines = text.splitlines() or [""]
    rel = _REL[step.relation]
    out = "\n".join((f"{rel} " if i == baseline else "  ") + line for i, line in enumerate(lines))
    out += f"\n      [{step.standing.value}] {unicode_text(step.reason)}  ({step.method})"
    if step.printed_verified is False:
        out += f"\n      what is printed was not shown to be what was proved: {step.printed_reason}"
    if step.hint_error:
        out += f"\n      the step's own simplification raised {step.hint_error}"
    if step.counterexample is not None:
        out += f"\n      counterexample: {step.counterexample}"
        if step.values:
            out += f"; left side {step.values[0]}, right side {step.values[1]}"
    return out


def chain_block(result: ChainResult, width: int = 100) -> str:
    kind = "Derivation" if result.chain.general else f"Illustration ({result.chain.scope})"
    head = f"{kind}: {unicode_text(result.chain.title)}  [{result.verdict.value}]"
    body = [pretty_lines(result.chain.start, width - 4)] + [step_block(s, width - 4) for s in result.steps]
    return head + "\n" + _indent("\n".join(body))


def check_lines(result: PartResult, width: int = 100) -> list[str]:
    lines = []
    for c in result.checks:
        lines.append(f"[{'pass' if c.passed else 'FAIL'}] {unicode_text(c.name)}")
        lines.append(textwrap.fill(evidence_text(c.to_json()["evidence"]), width - 6,
                                   initial_indent="      ", subsequent_indent="        "))
    return lines


_RELATIONS = {"=": "=", r"\sim": "∼", r"\le": "≤", r"\ge": "≥", r"\approx": "≈", r"\to": "→"}


def quantity_block(quantity, width: int = 100) -> str:
    """A quantity of the answer drawn in Unicode: ``lhs = value``, or the chosen option of a choice."""
    value = quantity.value
    if quantity.kind == "choice":
        return "; ".join(f"{quantity.name}: option {k} ({unicode_text(value.options[k - 1])})"
                         for k in sorted(value.correct))
    lhs = quantity.lhs
    drawn = pretty_lines(value, width - 4)
    if lhs is None:  # named, not written as an equation
        return f"{quantity.name}{':' if quantity.kind == 'distribution' else ' ='}\n" + _indent(drawn)
    head = unicode_text(lhs) if isinstance(lhs, str) else pretty(lhs)
    rel = _RELATIONS[quantity.relation]
    if "\n" not in drawn and "\n" not in head and len(head) + len(drawn) + 3 <= width:
        return f"{head} {rel} {drawn}"
    return f"{head} {rel}\n" + _indent(drawn)


def part_report(result: PartResult, width: int | None = None) -> str:
    """Everything about one part, readable in a terminal."""
    width = width or terminal_width()
    out = [f"{result.id}  {unicode_text(result.title)}",
           f"status: {result.status} (claims {result.claim}; seed {result.seed}; {result.seconds:.2f} s)"]
    if result.error:
        out.append(f"error: {result.error}")
    answer = result.answer
    if answer is not None:
        out += ["", "Answer:"]
        out += [_indent(quantity_block(q, width - 4)) for q in answer.quantities]
        if answer.summary.strip():
            out.append(wrap(unicode_text(answer.summary), width))
        if answer.explanation:
            out += ["", "Why:", wrap(unicode_text(answer.explanation), width)]
    for chain in result.chains:
        out += ["", chain_block(chain, width)]
    if answer is not None and answer.checks:
        out += ["", "Checks:"] + [wrap(f"- {unicode_text(c.name)}: {unicode_text(c.claim)}", width) for c in answer.checks]
    if result.checks:
        out += ["", "Check results:"] + [_indent(line) for line in check_lines(result, width - 4)]
    if answer is not None and answer.figures:
        out += ["", "Figures (drawn by derive latex):"]
        out += [wrap(f"- {f.filename}: {unicode_text(f.caption)}", width) for f in answer.figures]
    return "\n".join(out)


def run_summary(results: Sequence[PartResult]) -> str:
    """The status table of a run, then the count of each status."""
    counts: dict[str, int] = {}
    for r in results:
        counts[str(r.status)] = counts.get(str(r.status), 0) + 1
    table = status_table((r.id, r.status, r.title) for r in results)
    return table + "\n\n" + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
