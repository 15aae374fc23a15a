"""An answer as read (or a reference quantity) typeset in LaTeX, for notebooks and grading reports.

Everything goes through :func:`typeset`, a thin layer over :func:`sympy.latex`: the notation module
(the course's printer) will replace it in this one place.

>>> import sympy as sp
>>> typeset(sp.sqrt(sp.Symbol("alphabar_t", positive=True)))
'\\\\sqrt{\\\\bar{\\\\alpha}_{t}}'
>>> typeset("alpha_t"), typeset(2)
('\\\\alpha_{t}', '\\\\text{option } 2')
"""

from __future__ import annotations

from typing import Any


def typeset(value: Any) -> str:
    """LaTeX (math mode, no delimiters) for a SymPy value, a distribution, a choice or a symbol name.

    A distribution is a weighted sum of :math:`\\mathcal{N}(\\mu, \\Sigma)`, :math:`\\delta_{a}` and
    :math:`\\mathcal{U}(a, b)`; a scalar covariance ``c`` stands for ``c I``.

    >>> from derivations.distributions import Gaussian
    >>> import sympy as sp
    >>> typeset(Gaussian(sp.Symbol("x_0"), 1 - sp.Symbol("alphabar_t")))
    '\\\\mathcal{N}\\\\left(x_{0}, \\\\left(1 - \\\\bar{\\\\alpha}_{t}\\\\right) I\\\\right)'
    """
    import sympy as sp

    if value is None:
        return ""
    if isinstance(value, bool):
        return sp.latex(value)
    if isinstance(value, int):  # a choice among printed options
        return f"\\text{{option }} {value}"
    if isinstance(value, str):  # a symbol's name, e.g. a counterexample's coordinate
        return sp.latex(sp.Symbol(value))
    components = getattr(_as_distribution(value), "components", None)
    if components is not None:
        return " + ".join(_component(c) for c in components) or "0"
    if isinstance(value, sp.MatrixBase) and value.cols == 1 and value.rows > 1:
        return "\\left[" + ", ".join(sp.latex(e) for e in value) + "\\right]^\\top"
    return sp.latex(value)


def _as_distribution(value):
    """A reference distribution as the answer reader's weighted sum of components (or ``value``)."""
    from derivations import distributions as refdist

    if isinstance(value, (refdist.Gaussian, refdist.Mixture, refdist.PointMasses, refdist.Uniform)):
        from derivations.answercheck.dists import from_reference

        return from_reference(value)
    return value


def _component(c) -> str:
    import sympy as sp

    if c.family == "normal":
        mean, cov = c.params
        at = "" if c.at is None else typeset(c.at) + "; "
        body = f"\\mathcal{{N}}\\left({at}{typeset(mean)}, {_covariance(cov)}\\right)"
    elif c.family == "point":
        body = f"\\delta_{{{typeset(c.params[0])}}}"
    else:
        body = f"\\mathcal{{U}}\\left({typeset(c.params[0])}, {typeset(c.params[1])}\\right)"
    weight = "" if c.weight == 1 else _factor(c.weight) + "\\, "
    over = ""
    if c.over is not None:
        i, lo, hi = c.over
        over = f"\\sum_{{{sp.latex(i)}={sp.latex(lo)}}}^{{{sp.latex(hi)}}} "
    return over + weight + body


def _covariance(cov) -> str:
    import sympy as sp

    if isinstance(cov, sp.MatrixBase):
        return sp.latex(cov)
    if cov == 1:
        return "I"
    if cov == 0:
        return "0"
    return _factor(cov) + " I"


def _factor(expr) -> str:
    """``expr`` as a factor: in brackets when it is a sum."""
    import sympy as sp

    text = sp.latex(expr)
    return f"\\left({text}\\right)" if isinstance(expr, sp.Add) else text
