"""Long formulas broken across display lines, for the answers document (:mod:`derivations.latex`).

:func:`formula` is the LaTeX of a SymPy expression; :func:`math_lines` cuts a formula too wide for
the page into lines: a sum between its terms, a product between its factors (a long factor in
parentheses inside ``\\Bigl( ... \\Bigr)``), a fraction with a long numerator as ``1/den`` times
it, ``exp`` of a long argument as ``\\exp\\Bigl(...\\Bigr)``, a long argument inside its own
delimiters, a wide vector entry by entry. Widths are measured with :func:`derivations.render.pretty`
(columns), a proxy for the typeset width; what cannot break is scaled down, never below 85 per cent.
"""

from __future__ import annotations

import re

import sympy as sp
from sympy.core.function import _coeff_isneg
from sympy.printing.precedence import PRECEDENCE, precedence

from derivations import notation
from derivations.render import pack, pretty_width, signed_terms

#: Display width in columns of :func:`derivations.render.pretty`: the text width is 483 pt, and a
#: column measured 3.2-5.5 pt on the answers (wider with \log and \left( ... \right)).
LINE = 84
#: The narrowest budget a nested piece is broken to; narrower pieces read as one symbol a line.
MIN_BUDGET = 40


def formula(expr) -> str:
    r"""LaTeX of a SymPy expression in the course's notation (:func:`derivations.notation.latex`).

    A symbol named with braces is printed as its brace-less name would be:

    >>> formula(sp.Symbol("alphabar_{t-1}"))
    '\\bar{\\alpha}_{t-1}'
    """
    return notation.latex(expr)


def _factor(expr) -> str:
    """A factor of a product, in parentheses when it binds more loosely than multiplication."""
    tex = formula(expr)
    return rf"\left({tex}\right)" if precedence(expr) < PRECEDENCE["Mul"] else tex


def formula_width(expr) -> int:
    """Columns ``expr`` takes when drawn by :func:`derivations.render.pretty` (else half its LaTeX)."""
    try:
        return pretty_width(expr)
    except Exception:  # an object pretty cannot draw: judge by its LaTeX
        return len(formula(expr)) // 2


def math_lines(expr, budget: int = LINE) -> list[str]:
    """LaTeX of ``expr`` as display lines that each fit within ``budget`` columns where possible.

    A sum breaks between terms, a product between factors (a long factor in parentheses breaks
    inside ``\\Bigl( ... \\Bigr)``), a fraction with a long numerator becomes ``1/den`` times it,
    and ``exp`` of a long argument becomes ``\\exp\\Bigl(...\\Bigr)``. Continuation lines start
    with their operator. What cannot break is scaled down, never left to run off the page.

    >>> math_lines(sp.Symbol("x") + 1)
    ['x + 1']
    >>> len(math_lines(sum(sp.symbols("a_1:40")), budget=40)) > 3
    True
    """
    if not isinstance(expr, (sp.Basic, sp.MatrixBase)):
        return [formula(expr)]
    budget = max(budget, MIN_BUDGET)  # nested breaks never squeeze a piece into a sliver
    width = formula_width(expr)
    if width <= budget:
        return [formula(expr)]
    if isinstance(expr, sp.Add):
        return _add_lines(expr, budget)
    if isinstance(expr, sp.Mul):
        return _mul_lines(expr, budget)
    if isinstance(expr, sp.exp):
        return _wrapped(r"\exp\Bigl(", math_lines(expr.args[0], budget - 4), r"\Bigr)")
    if isinstance(expr, sp.MatrixBase) and 1 in expr.shape and len(expr) > 1:
        return _vector_lines(expr, budget)
    return _argument_lines(expr, budget, width) or [_scaled(formula(expr), budget / width)]


_HOLE = sp.Symbol("XHOLEX")
_OPEN = {r"\left(": r"\Bigl(", r"\left[": r"\Bigl[", r"\left\{": r"\Bigl\{", r"\left|": r"\Bigl|",
         r"\left.": r"\Bigl."}
_CLOSE = {r"\right)": r"\Bigr)", r"\right]": r"\Bigr]", r"\right\}": r"\Bigr\}", r"\right|": r"\Bigr|",
          r"\right.": r"\Bigr."}


def _argument_lines(expr, budget: int, width: int) -> list[str] | None:
    r"""Break inside the delimiters around the widest argument: ``E[...]``, ``\log(...)``, ``\left. ... \right|``.

    The argument is replaced by a placeholder; if the placeholder sits directly inside a
    ``\left ... \right`` pair at the top level, the pair becomes ``\Bigl ... \Bigr`` (which may
    span lines) and the argument is broken between them. None if that is not the case.
    """
    args = [a for a in getattr(expr, "args", ()) if isinstance(a, (sp.Basic, sp.MatrixBase))]
    if not args:
        return None
    widest = max(args, key=formula_width)
    if formula_width(widest) < width // 2:
        return None
    full, inner_tex = formula(expr), formula(widest)
    if full.count(inner_tex) == 1:
        before, after = full.split(inner_tex)
    else:  # printed differently in context: put a placeholder in its place
        try:
            outer = formula(expr.xreplace({widest: _HOLE}))
        except Exception:
            return None
        if outer.count("XHOLEX") != 1:
            return None
        before, after = outer.split("XHOLEX")
    before, after = before.rstrip(), after.lstrip()
    opening = next((k for k in _OPEN if before.endswith(k)), None)
    closing = next((k for k in _CLOSE if after.startswith(k)), None)
    if opening is None or closing is None:
        return None
    head, tail = before[: -len(opening)], after[len(closing):]
    if head.endswith("{") and tail.startswith("}"):  # \log{\left( ... \right)}
        head, tail = head[:-1], tail[1:]
    if not (_balanced(head) and _balanced(tail)) or _visible(head + tail) > budget // 2:
        return None
    inner = math_lines(widest, budget - 6)
    return _wrapped(head + _OPEN[opening], inner, _CLOSE[closing] + tail)


def _visible(tex: str) -> int:
    """Rough count of the characters ``tex`` shows (commands and braces removed)."""
    return len(re.sub(r"\\[A-Za-z]+|[{}\s]", "", tex))


def _balanced(tex: str) -> bool:
    """Braces balance and every ``\\left`` has its ``\\right`` (so a line may end here)."""
    depth = 0
    for ch in re.sub(r"\\[{}]", "", tex):
        depth += (ch == "{") - (ch == "}")
        if depth < 0:
            return False
    return depth == 0 and len(re.findall(r"\\left(?![a-z])", tex)) == len(re.findall(r"\\right(?![a-z])", tex))


def _vector_lines(vector, budget: int) -> list[str]:
    """A vector too wide for a line: its entries in order, several a line, a long one broken."""
    entries = list(vector)
    widths = [formula_width(e) for e in entries]
    lines: list[str] = []
    for group in pack(widths, budget - 8, sep=2):
        if len(group) == 1 and widths[group[0]] > budget - 8:
            lines.extend(math_lines(entries[group[0]], budget - 8))
        else:
            lines.append(", ".join(formula(entries[i]) for i in group))
        if group[-1] < len(entries) - 1:
            lines[-1] += ","
    closing = r"\Bigr)^{\top}" if vector.shape[1] == 1 else r"\Bigr)"
    return _wrapped(r"\Bigl(", lines, closing)


def _add_lines(expr: sp.Add, budget: int) -> list[str]:
    terms = signed_terms(expr)
    widths = [formula_width(t) for _, t in terms]
    lines: list[str] = []
    for group in pack(widths, budget - 4):
        parts = []
        for k, i in enumerate(group):
            sign, term = terms[i]
            lead = sign if (k or lines or sign == "-") else ""
            if widths[i] > budget - 4:
                sub = math_lines(term, budget - 6)
                sub[0] = f"{lead} {sub[0]}".strip()
                lines.extend(sub)
                continue
            parts.append(f"{lead} {formula(term)}".strip())
        if parts:
            lines.append(" ".join(parts))
    return lines


def _mul_lines(expr: sp.Mul, budget: int) -> list[str]:
    if _coeff_isneg(expr):
        lines = math_lines(-expr, budget - 2)
        lines[0] = "-" + lines[0]
        return lines
    num, den = sp.fraction(expr, exact=True)
    if den != 1 and formula_width(den) <= budget // 2:
        prefix = rf"\frac{{1}}{{{formula(den)}}}"
        inner = math_lines(num, budget - formula_width(den) - 2)
        if isinstance(num, sp.Add):
            return _wrapped(prefix + r"\Bigl(", inner, r"\Bigr)")
        inner[0] = prefix + " " + inner[0]
        return inner
    factors = expr.as_ordered_factors()
    lines: list[str] = []
    current: list[str] = []
    used = room = 0

    def flush() -> None:
        nonlocal current, used
        if current:
            lines.append((r"\cdot " if lines else "") + " ".join(current))
        current, used = [], 0

    for factor in factors:
        width = formula_width(factor) + (2 if isinstance(factor, sp.Add) else 0)
        if width > budget - 4:  # a long factor: break it, short factors before it lead its first line
            if used > budget // 2:
                flush()
            sub = math_lines(factor, budget - used - 6)
            if isinstance(factor, sp.Add):
                sub = _wrapped(r"\Bigl(", sub, r"\Bigr)")
            sub[0] = (r"\cdot " if lines else "") + " ".join([*current, sub[0]])
            lines.extend(sub)
            current, used = [], 0
            room = budget // 3  # short factors after it may still follow on its last line
            continue
        tex = _factor(factor)
        if lines and not current and width <= room:
            lines[-1] += " " + tex
            room -= width + 1
            continue
        if current and used + 1 + width > budget - 4:
            flush()
        current.append(tex)
        used += width + 1
    flush()
    return lines


def _wrapped(opening: str, lines: list[str], closing: str) -> list[str]:
    lines = list(lines)
    lines[0] = opening + lines[0]
    lines[-1] = lines[-1] + closing
    return lines


#: The smallest a formula is ever scaled: below it a reader strains, so a formula that still does not
#: fit is left to overflow (pdflatex reports it) and its derivation must be restructured instead.
MIN_SCALE = 0.85


def _scaled(tex: str, ratio: float) -> str:
    """A formula that cannot break, shrunk a little to fit (never below :data:`MIN_SCALE`)."""
    return rf"\scalebox{{{max(MIN_SCALE, min(1.0, ratio)):.2f}}}{{$\displaystyle {tex}$}}"
