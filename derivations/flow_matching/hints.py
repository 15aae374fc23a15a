"""Simplifications that only Question 9's chains need (the shared ones are
:mod:`derivations.symbolic.hints`).

A Gaussian's derivative divided by the Gaussian is a polynomial, so continuity residuals are
decided after dividing by the density and cancelling; sums over the data points are compared term
by term; integrals over one variable are compared through their integrands. Never a blind
``simplify`` on a large expression.

>>> import sympy as sp
>>> from derivations.flow_matching.symbols import S, component, t, x, x_1
>>> p = component(x, x_1)
>>> rational((sp.Derivative(p, t) + sp.Derivative(p * (x_1 - x) / S, x)) / p)
0
"""

from __future__ import annotations

import sympy as sp
from sympy.simplify.simplify import factor_sum, sum_simplify

from derivations.flow_matching.symbols import sigma, t
from derivations.symbolic.hints import evaluate_derivatives, expand_logs, explicit, tidy_sums


def rational(e):
    """Evaluate derivatives and cancel: exp(E) exp(-E) combine on sight, so the Gaussian factors
    divide out; if that is not enough, combine the exponentials and expand first."""
    e = evaluate_derivatives(e)
    out = sp.cancel(e)
    return out if out == 0 else sp.cancel(sp.expand(sp.powsimp(e)))


def termwise(density):
    """Hint: inside every Sum write the summand as ``density * (summand / density)``, cancelled.

    Equality-preserving (it multiplies and divides by the positive density), and it reduces a
    sum of conditional continuity residuals to a sum of zeros.
    """
    def hint(e):
        e = evaluate_derivatives(e)
        return sp.expand(e.replace(lambda q: isinstance(q, sp.Sum),
                                   lambda s: sp.Sum(density * rational(s.function / density), *s.limits)))
    return hint


def _factor_sums(e):
    """Move factors that do not depend on the summation index out of every Sum."""
    return e.replace(lambda q: isinstance(q, sp.Sum), lambda s: factor_sum(s))


def pull_out_of_sums(e):
    """Pull index-free factors out of the sums (a common factor then cancels as written);
    otherwise evaluate the derivatives and cancel."""
    e = _factor_sums(explicit(e))
    if e == 0:
        return e
    return sp.cancel(sp.together(_factor_sums(evaluate_derivatives(e))))


def derivatives_into_sums(e):
    """Linearity: move each derivative of ``c * Sum(f)`` inside the sum (unevaluated), then merge
    sums with equal limits; two sides that differentiate the same terms then cancel as written."""
    def move(dv):
        factors = sp.Mul.make_args(dv.expr)
        sums = [f for f in factors if isinstance(f, sp.Sum)]
        const = sp.Mul(*[f for f in factors if not isinstance(f, sp.Sum)])
        if len(sums) != 1 or any(const.has(v) for v, _ in dv.variable_count):
            return dv
        return const * sp.Sum(sp.Derivative(sums[0].function, *dv.variable_count), *sums[0].limits)
    return sum_simplify(sp.expand(e.replace(lambda q: isinstance(q, sp.Derivative), move)))


def split_sums(e):
    """A log of a product as a sum of logs: expand the logs, split every sum term by term with its
    constants pulled out and counted (``d * c``), expand the logs again."""
    return expand_logs(tidy_sums(expand_logs(e)))


_J = sp.Dummy("J")


def under_integral(simplify):
    """Hint for a difference that is linear in integrals over one variable: compare integrands.

    Every ``Integral(f, ...)`` becomes ``J * f`` for a fresh symbol ``J``; if the result is
    linear in ``J`` with no ``J``-free part, and nothing outside the integrals depends on an
    integration variable, the difference of the integrals is the integral of the coefficient of
    ``J``, which ``simplify`` must reduce to zero.
    """
    def hint(e):
        e = explicit(e)
        integrals = e.atoms(sp.Integral)
        bound = {lim[0] for q in integrals for lim in q.limits}
        outside = e.replace(lambda q: isinstance(q, sp.Integral), lambda q: _J)
        if not integrals or outside.free_symbols & bound:
            return e
        e2 = e.replace(lambda q: isinstance(q, sp.Integral), lambda q: _J * q.function)
        if sp.diff(e2, _J, 2) != 0 or e2.subs(_J, 0).doit() != 0:
            return e
        return simplify(sp.diff(e2, _J))
    return hint


def on_unit_interval(e):
    """Write t = 1 - sigma with sigma > 0 (valid on 0 < t < 1), then evaluate."""
    return sp.cancel(explicit(e).subs(t, 1 - sigma).doit())
