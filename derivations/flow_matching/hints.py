"""Simplifications that only Question 9's chains need (the shared ones are
:mod:`derivations.symbolic.hints`).

The densities of Question 9 live in :math:`d` dimensions: their exponents are sums over the
coordinates. A continuity residual is decided by dividing it by the (positive) density it is built
on, which leaves sums of polynomials in the coordinates; the Kronecker deltas that differentiating
a coordinate sum produces are carried out; sums are put in one canonical form and compared term by
term. Never a blind ``simplify`` on a large expression.

>>> import sympy as sp
>>> from derivations.flow_matching.symbols import S, component, d, k, t, velocity_coordinate, x, x_1
>>> from derivations.symbolic import coordinate
>>> p = component(x, x_1)
>>> residual = sp.Derivative(p, t) + sp.Sum(sp.Derivative(p * velocity_coordinate(x_1), coordinate(x, k)), (k, 1, d))
>>> over_density(residual)
0
"""

from __future__ import annotations

import sympy as sp

from derivations.flow_matching.symbols import t
from derivations.symbolic import GaussianDensity
from derivations.symbolic.vectors import depends_on, sift_kronecker
from derivations.symbolic.gaussian import log_normal_pdf
from derivations.symbolic.hints import exp_normal_form, explicit, merge_under, swap_sums, tidy_sums

_SIGMA = sp.Symbol("sigma_t", positive=True)  # 1 - t on 0 < t < 1


def on_unit_interval(e):
    """Write :math:`t = 1 - \\sigma_t` with :math:`\\sigma_t > 0` (valid on :math:`0 < t < 1`)."""
    return explicit(e).subs(t, 1 - _SIGMA)


def rescaled(e):
    """A difference of Gaussian densities written out on :math:`0 < t < 1`: sums in canonical form
    (constant factors pulled out), then powers and exponentials compared factor by factor."""
    return exp_normal_form(tidy_sums(sp.expand(on_unit_interval(e), power_exp=False)))


def softmax(e):
    """Densities written out, constant factors pulled out of the sums, then cancelled."""
    return sp.cancel(tidy_sums(sp.expand(explicit(e), power_exp=False)))


def _as_exponential(e):
    """Every Gaussian density as :math:`\\exp(\\log \\mathcal{N})` (it is positive)."""
    return e.replace(lambda q: isinstance(q, GaussianDensity), lambda q: sp.exp(log_normal_pdf(*q.args)))


def _reduced(e):
    """``e / E`` for the one exponential ``E`` of ``e`` (a density written as exp(log N)), after the
    derivatives are carried out, with Kronecker deltas sifted and sums merged; None when ``e`` is
    not a sum of terms that each carry ``E`` exactly once."""
    e = _as_exponential(e)
    e = e.replace(lambda q: isinstance(q, sp.Derivative), lambda q: q.doit())
    exps = e.atoms(sp.exp)
    if len(exps) != 1:
        return None
    (E,) = exps
    P = sp.Dummy("P", positive=True)
    reduced = sp.expand(tidy_sums(e.xreplace({E: P})) / P, power_exp=False)
    if reduced.has(P):
        return None
    reduced = merge_under(tidy_sums(sift_kronecker(reduced)), classes=(sp.Sum,))
    return sp.cancel(reduced)


def over_density(e):
    """Zero if ``e``, divided by the density it is built on, reduces to zero; else ``e``.

    A continuity residual :math:`\\partial_t p + \\nabla\\cdot(p v)` is :math:`p` times a polynomial in
    the coordinates: dividing by :math:`p > 0` (exactly: the density's exponential is replaced by a
    positive symbol and divided out) leaves sums that cancel term by term."""
    reduced = _reduced(e)
    return sp.S.Zero if reduced == 0 else e


def termwise_over_density(e):
    """:func:`over_density` applied to the summand of every sum over the data points: a sum whose
    summand reduces to zero is zero."""
    def each(s):
        return sp.S.Zero if _reduced(s.function) == 0 else s
    return sp.expand(e.replace(lambda q: isinstance(q, sp.Sum) and q.function.has(GaussianDensity), each))


def _linear(expr, variable_count):
    """``Derivative(expr, ...)`` moved through sums and constant factors (linearity); a factor free of
    a sum's index is moved into the sum first (:math:`f \\sum_i g_i = \\sum_i f g_i`)."""
    wrt = [v for v, _ in variable_count]
    out = []
    for term in sp.Add.make_args(sp.expand(expr)):
        const, rest = [], []
        for f in sp.Mul.make_args(term):
            (rest if any(depends_on(f, v) for v in wrt) else const).append(f)
        c, g = sp.Mul(*const), sp.Mul(*rest)
        if g == 1:
            continue
        sums = [f for f in sp.Mul.make_args(g) if isinstance(f, sp.Sum)]
        if len(sums) == 1 and len(sp.Mul.make_args(g)) > 1:
            others = g / sums[0]
            if not (others.free_symbols & set(sums[0].variables)):
                g = sp.Sum(others * sums[0].function, *sums[0].limits)
        bounds_free = isinstance(g, sp.Sum) and not any(
            depends_on(sp.Tuple(*lim), v) for lim in g.limits for v in wrt)
        if bounds_free:
            out.append(c * sp.Sum(_linear(g.function, variable_count), *g.limits))
        else:
            out.append(c * sp.Derivative(g, *variable_count))
    return sp.Add(*out)


_D = sp.Function("D")  # D(f, v): the derivative of f by v, as an opaque function of both


def flux_linearity(e):
    """Inside every derivative, cancel the common sum (the normaliser of the posterior weights) and
    move the derivative through the sums; then put the sums in one canonical order and form.

    Each remaining derivative becomes the opaque ``D(f, v)``, whose arguments show the summation
    index of a coordinate ``v = x_k`` even when ``f`` holds only the vector ``x`` (SymPy does not
    count the variables of a derivative among its free symbols, so a sum would take it for a
    constant). Equal ``D`` terms on both sides are equal derivatives."""
    e = e.replace(lambda q: isinstance(q, sp.Derivative),
                  lambda q: _linear(sp.cancel(tidy_sums(q.expr)), q.variable_count))
    e = e.replace(lambda q: isinstance(q, sp.Derivative), lambda q: _D(q.expr, *q.variables))
    return sp.expand(_by_range(swap_sums(tidy_sums(e))))


_CANONICAL: dict = {}


def _canonical_index(depth: int, position: int) -> sp.Symbol:
    key = (depth, position)
    if key not in _CANONICAL:
        _CANONICAL[key] = sp.Dummy(f"c{depth}_{position}", integer=True)
    return _CANONICAL[key]


def _depth(e) -> int:
    if isinstance(e, sp.Sum):
        return 1 + _depth(e.function)
    return max((_depth(a) for a in e.args), default=0)


def _by_range(e):
    """Rename the indices of every (merged, rectangular) sum by the order of their ranges, so that
    :math:`\\sum_i \\sum_k` and :math:`\\sum_k \\sum_i` over the same ranges read alike."""
    if isinstance(e, sp.Sum):
        f = _by_range(e.function)
        limits = sorted(e.limits, key=lambda lim: (str(lim[1]), str(lim[2])))
        depth = _depth(f)
        names = {lim[0]: _canonical_index(depth, pos) for pos, lim in enumerate(limits)}
        return sp.Sum(f.xreplace(names), *[(names[v], lo, hi) for v, lo, hi in limits])
    if not e.args:
        return e
    return e.func(*[_by_range(a) for a in e.args])


def weights_sum_to_one(e):
    """Constant factors out of the sums, bound indices renamed canonically, then cancelled: the
    posterior weights :math:`\\mathcal{N}_i / \\sum_j \\mathcal{N}_j` sum to one."""
    return sp.cancel(sp.expand(tidy_sums(sp.expand(tidy_sums(e)))))
