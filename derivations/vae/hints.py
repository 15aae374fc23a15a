"""Question 3's own simplifications: Leibniz's rule under integrals, linearity of expectation, and
the definitions of a CDF, its inverse and the marginal (the shared ones are
:mod:`derivations.symbolic.hints`).

>>> import sympy as sp
>>> from derivations.vae.symbols import theta, z
>>> g = sp.Function("g")
>>> combine_under(sp.Derivative(sp.Integral(g(theta, z), (z, 0, 1)), theta)
...               - sp.Integral(sp.Derivative(g(theta, z), theta), (z, 0, 1)))
0
"""

from __future__ import annotations

import sympy as sp
from sympy.stats import Expectation

from derivations.symbolic.hints import expand_logs, tidy_sums
from derivations.vae.symbols import F, F_inv, f, p_cond, p_theta, p_z, t, z


def combine_under(diff, classes=(sp.Integral, sp.Sum)):
    """Differentiate under integral signs, then merge integrals (sums) over equal ranges.

    Derivative(Integral(f, z), theta) becomes Integral(df/dtheta, z) when theta is not the
    variable of integration (Leibniz's rule); terms ``c * Integral(f_k, L)`` with the same
    limits L are merged into one integral whose integrand is expanded.
    """

    def inside(e):
        g = e.expr
        if isinstance(g, sp.Integral) and not any(s in g.variables for s, _ in e.variable_count):
            return sp.Integral(sp.diff(g.function, *e.variable_count), *g.limits)
        return e

    diff = diff.replace(lambda e: isinstance(e, sp.Derivative) and isinstance(e.expr, sp.Integral), inside)
    groups: dict = {}
    rest = sp.S.Zero
    for term in sp.Add.make_args(sp.expand(diff)):
        coeff, body = term.as_independent(*classes, as_Add=False)
        if isinstance(body, classes):
            groups.setdefault((type(body), body.limits), []).append(coeff * body.function)
        else:
            rest += term
    out = rest
    for (cls, limits), parts in groups.items():
        integrand = sp.expand(sp.Add(*parts).doit())
        if integrand != 0:
            out += cls(integrand, *limits)
    return out


def log_of_product(diff):
    """The log of a product of positive factors is the sum of their logs; then linearise the sums."""
    diff = diff.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.Product),
                        lambda e: sp.Sum(sp.log(e.args[0].function), *e.args[0].limits))
    return tidy_sums(diff)


def merge_expectations(diff):
    """Linearity of expectation: sum c_k E[A_k] = E[sum c_k A_k]; expand the logs of the merged
    argument and evaluate one expectation only if it does not cancel to zero."""
    parts, rest = [], sp.S.Zero
    for term in sp.Add.make_args(diff):
        coeff, body = term.as_independent(Expectation, as_Add=False)
        if isinstance(body, Expectation) and len(body.args) == 1:
            parts.append(coeff * body.args[0])
        else:
            rest += term
    inner = expand_logs(sp.Add(*parts))
    return expand_logs(rest + (Expectation(inner).doit() if inner != 0 else 0))


def define_cdf(diff):
    """Write F(y) as the integral of its density f up to y (definition of a CDF)."""
    return diff.replace(F, lambda y: sp.Integral(f(t), (t, -sp.oo, y)))


def inverse_cancels(diff):
    """F(F^{-1}(y)) = y for y in (0, 1) (definition of the inverse CDF)."""
    return diff.replace(lambda e: e.func == F and e.args[0].func == F_inv, lambda e: e.args[0].args[0])


def marginalise(diff):
    """Write p_theta(y) as the integral of p_theta(y | z) p(z) over z."""
    return diff.replace(p_theta, lambda y: sp.Integral(p_cond(y, z) * p_z(z), (z, -sp.oo, sp.oo)))
