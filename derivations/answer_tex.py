"""A verdict's values typeset in LaTeX, for notebooks and grading reports.

Formulas and distributions are printed by the course's printer, :func:`derivations.notation.latex`
(the one the answers document uses); this module adds only what a verdict holds besides them: the
option number of a choice and the names of a counterexample's coordinates.

>>> import sympy as sp
>>> typeset(sp.sqrt(sp.Symbol("alphabar_t", positive=True)))
'\\\\sqrt{\\\\bar{\\\\alpha}_{t}}'
>>> typeset("alpha_t"), typeset(2), typeset(None)
('\\\\alpha_{t}', '\\\\text{option } 2', '')
"""

from __future__ import annotations

from typing import Any


def typeset(value: Any) -> str:
    """LaTeX (math mode, no delimiters) for a SymPy value or a distribution (as
    :func:`derivations.notation.latex` prints it), a chosen option (an ``int``), or a symbol's name
    (a ``str``, as a counterexample names its coordinates); ``''`` for ``None``."""
    from derivations.notation import latex

    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):  # a choice among printed options
        return f"\\text{{option }} {value}"
    if isinstance(value, str):
        import sympy as sp

        return latex(sp.Symbol(value))
    return latex(value)
