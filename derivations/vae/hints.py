"""Question 3's own simplifications: the definitions a step rests on (a CDF, a normalised density,
the point mass, samples drawn independently) written as rewrites the zero-decider can use. Each
preserves the value of the difference it is given, under the hypothesis it names; none applies a
named theorem (those are cited, :mod:`derivations.theorems`).

>>> import sympy as sp
>>> from derivations.vae.symbols import F, f, x, u, p_z, z
>>> cdf_is(F, f, x)(F(u) - sp.Integral(f(x), (x, -sp.oo, u)))
0
>>> normalised(p_z)(sp.Integral(3 * p_z(z), (z, -sp.oo, sp.oo)) - 3)
0
"""

from __future__ import annotations

import sympy as sp

from derivations.symbolic import KL, Expect, GaussianDensity
from derivations.symbolic.hints import expand_logs, merge_under, tidy_sums
from derivations.symbolic.expectation import Prob


def _canonical(expr):
    """Bound variables renamed canonically, so that integrals differing only in them cancel."""
    return sp.sympify(expr).as_dummy()


def cdf_is(F, density, variable):
    """``F`` is the CDF of ``variable``, whose density is ``density``: :math:`F(y) = \\int_{-\\infty}^y f`,
    and probabilities of events are integrals of the density."""
    def hint(diff):
        diff = diff.replace(lambda e: isinstance(e, Prob), lambda e: e.doit(deep=False))
        diff = diff.replace(lambda e: getattr(e, "func", None) == F and len(e.args) == 1,
                            lambda e: sp.Integral(density(variable), (variable, -sp.oo, e.args[0])))
        return sp.expand(_canonical(diff))
    return hint


def _normalise(expr, densities):
    """:math:`\\int c\\, q(z)\\, dz = c` over the line, for ``q`` one of ``densities`` and ``c`` free of ``z``."""
    def integrate(e):
        if len(e.limits) != 1 or len(e.limits[0]) != 3 or e.limits[0][1:] != (-sp.oo, sp.oo):
            return e
        v = e.limits[0][0]
        out = sp.S.Zero
        for term in sp.Add.make_args(sp.expand(e.function)):
            coeff, dep = term.as_independent(v, as_Add=False)
            if getattr(dep, "func", None) in densities:
                out += coeff
            else:
                out += sp.Integral(term, e.limits[0])
        return out
    return expr.replace(lambda e: isinstance(e, sp.Integral), integrate)


def normalised(*densities):
    """Each of ``densities`` integrates to 1 over the line (it is a probability density)."""
    return lambda diff: sp.expand(_normalise(_as_integrals(diff), densities))


def _as_integrals(expr):
    """Expectations and KL divergences written as integrals."""
    expr = expr.replace(lambda e: isinstance(e, KL), lambda e: e.as_expectation())
    return expr.replace(lambda e: isinstance(e, Expect), lambda e: e.as_integral())


def expectations(*densities):
    """Linearity of expectation: every expectation (and KL) written as an integral, logarithms of
    densities split, integrals over the line merged, and ``densities`` integrating to 1."""
    def hint(diff):
        merged = merge_under(expand_logs(_as_integrals(diff)), simplify=expand_logs)
        return sp.expand(expand_logs(_normalise(merged, densities)))
    return hint


def sift(diff):
    """The point mass: :math:`\\int g(z)\\, \\delta(z - c)\\, dz = g(c)`, after taking finite sums out of
    the integral (a finite sum commutes with an integral)."""
    def out_of_integral(e):
        body = sp.expand(e.function)
        if isinstance(body, sp.Mul):
            sums = [s for s in body.args if isinstance(s, sp.Sum)]
            if len(sums) == 1:
                s = sums[0]
                rest = body / s
                return sp.Sum(out_of_integral(sp.Integral(rest * s.function, *e.limits)), *s.limits)
        if isinstance(body, sp.Sum):
            return sp.Sum(out_of_integral(sp.Integral(body.function, *e.limits)), *body.limits)
        (v, lo, hi), = e.limits
        total = sp.S.Zero
        for term in sp.Add.make_args(body):
            deltas = [g for g in sp.Mul.make_args(term) if isinstance(g, sp.DiracDelta)]
            if len(deltas) != 1 or (lo, hi) != (-sp.oo, sp.oo):
                return e
            point = sp.solve(deltas[0].args[0], v)
            if len(point) != 1:
                return e
            total += (term / deltas[0]).subs(v, point[0])
        return total

    return tidy_sums(diff.replace(lambda e: isinstance(e, sp.Integral), out_of_integral))


def iid_average(samples, density, variable):
    """Independent samples ``samples[j]`` with the same ``density``: the expectation of
    :math:`c\\sum_{j=1}^K g(z^{(j)})` under :math:`\\prod_j p(z^{(j)})` is :math:`cK\\,\\mathbb{E}_{p(z)}[g(z)]`
    (linearity of expectation; each :math:`z^{(j)}` has the law :math:`p`)."""
    def one(e):
        if not (isinstance(e, Expect) and isinstance(e.density, sp.Product)):
            return e
        coeff, body = e.function.as_independent(samples, as_Add=False)
        if not isinstance(body, sp.Sum) or len(body.limits) != 1:
            return e
        jj, lo, hi = body.limits[0]
        g = body.function.replace(lambda q: isinstance(q, sp.Indexed) and q.base == samples and q.indices == (jj,),
                                  lambda q: variable)
        if g.has(samples) or g.has(jj):
            return e
        return coeff * (hi - lo + 1) * Expect(g, variable, density(variable))

    return lambda diff: diff.replace(lambda e: isinstance(e, Expect), one)


def gaussian_moments(diff):
    """:math:`\\mathbb{E}_{\\mathcal{N}(x;\\mu,s^2)}[P(x)]` for a polynomial :math:`P`: write :math:`x=\\mu+st`
    and use the moments of :math:`t\\sim\\mathcal{N}(0,1)`, :math:`\\mathbb{E}\\,t^{2r}=(2r-1)!!`, odd ones 0."""
    def one(e):
        if not (isinstance(e, Expect) and isinstance(e.density, GaussianDensity) and e.density.point == e.variable
                and len(e.density.args) == 3):
            return e
        x, mean, var = e.variable, e.density.mean, e.density.variance
        t = sp.Dummy("t", real=True)
        shifted = sp.expand(e.function.subs(x, mean + sp.sqrt(var) * t))
        if not shifted.is_polynomial(t):
            return e
        return sum(c * (sp.factorial2(r - 1) if r % 2 == 0 else 0) for (r,), c in sp.Poly(shifted, t).terms())
    return diff.replace(lambda e: isinstance(e, Expect), one)


def _nest(s):
    """:math:`\\sum_j c_j \\sum_a b_{ja} = \\sum_j\\sum_a c_j b_{ja}`, as one sum over both indices."""
    f = s.function
    if isinstance(f, sp.Sum):
        return sp.Sum(f.function, *f.limits, *s.limits)
    if isinstance(f, sp.Mul):
        inner = [g for g in f.args if isinstance(g, sp.Sum)]
        if len(inner) == 1:
            rest = f / inner[0]
            if not rest.free_symbols & set(inner[0].variables):
                return sp.Sum(rest * inner[0].function, *inner[0].limits, *s.limits)
    return s


def _canonical_limits(s):
    """A rectangular multiple sum with its limits in one order (by their ranges) and its indices
    renamed by position (finite sums commute)."""
    limits = list(s.limits)
    bounds = {lim[0] for lim in limits}
    if any(sp.Tuple(*lim[1:]).free_symbols & bounds for lim in limits):
        return s
    limits.sort(key=lambda lim: (str(lim[1]), str(lim[2])))
    names = [sp.Dummy(f"i{h}", integer=True) for h in range(len(limits))]
    rename = {lim[0]: name for lim, name in zip(limits, names)}
    return sp.Sum(s.function.xreplace(rename), *[(rename[v], lo, hi) for v, lo, hi in limits])


_POSITIONAL = [sp.Symbol(f"_i{h}", integer=True) for h in range(6)]


def canonical_sums(diff):
    """Linearity of finite sums, factors moved into the inner sums, nested sums merged into one sum
    over all their indices in a canonical order, and sums over equal ranges merged."""
    expr = tidy_sums(sp.expand(diff))
    for _ in range(4):
        new = expr.replace(lambda e: isinstance(e, sp.Sum), _nest)
        if new == expr:
            break
        expr = new
    expr = expr.replace(lambda e: isinstance(e, sp.Sum), _canonical_limits)
    expr = expr.replace(lambda e: isinstance(e, sp.Sum),
                        lambda e: e.xreplace({v: _POSITIONAL[h] for h, v in enumerate(e.variables)}))
    return merge_under(expr, classes=(sp.Sum,))
