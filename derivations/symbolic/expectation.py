"""Expectations under a named measure, probabilities of events and the KL divergence, kept
unevaluated in derivations.

.. math:: \\mathbb{E}_{q(z)}[f(z)] = \\int q(z) f(z)\\, dz, \\qquad
          P(z \\le a) = \\int_{-\\infty}^{a} q(z)\\, dz, \\qquad
          \\mathrm{KL}(q \\,\\|\\, p) = \\mathbb{E}_{q(z)}\\Bigl[\\log\\frac{q(z)}{p(z)}\\Bigr]

``Expect(f, z, q)`` reads as the course writes it, :math:`\\mathbb{E}_{q(z)}[f]`, and ``doit``
writes it as the integral over the real line (the variable of a vector integral is one symbol
standing for the vector, as in the homework's :math:`\\int_z`).

>>> import sympy as sp
>>> from derivations.symbolic.gaussian import GaussianDensity
>>> z = sp.Symbol("z", real=True)
>>> m = sp.Symbol("m", real=True)
>>> e = Expect(z**2, z, GaussianDensity(z, m, 1))
>>> sp.simplify(e.doit())
m**2 + 1
>>> kl = KL(GaussianDensity(z, m, 1), GaussianDensity(z, 0, 1), z)
>>> sp.simplify(kl.doit())
m**2/2
>>> a = sp.Symbol("a", positive=True)
>>> Prob(z <= a, z, 1, 0, 1).doit()
a

The variable may be a vector written by its coordinates (an :class:`sympy.IndexedBase` ``e`` whose
coordinates ``e[j]`` appear in ``f``). :func:`linearity` is the hint that applies linearity of
expectation without evaluating an integral, so it works in any dimension:

>>> j = sp.Symbol("j", integer=True)
>>> d = sp.Symbol("d", integer=True, positive=True)
>>> e, c = sp.IndexedBase("epsilon", real=True), sp.IndexedBase("c", real=True)
>>> q = GaussianDensity(e, 0, 1, d)
>>> linearity(Expect(sp.Sum((e[j] - c[j])**2, (j, 1, d)), e, q) - (sp.Sum(Expect(e[j]**2, e, q), (j, 1, d))
...           - 2 * sp.Sum(c[j] * Expect(e[j], e, q), (j, 1, d)) + sp.Sum(c[j]**2, (j, 1, d))))
0
"""

from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef

from derivations.symbolic.hints import explicit, tidy_sums


def _unknown_in(expr, variable) -> bool:
    """Whether ``expr`` holds an undefined function (a density, a network) of ``variable``."""
    from derivations.symbolic.networks import NetworkBase, NetworkJacobianBase

    return any(variable in g.free_symbols for g in expr.atoms(AppliedUndef, NetworkBase, NetworkJacobianBase))


def _integrate(integral: sp.Integral, variable, hints) -> sp.Expr:
    """``integral.doit()``, except that an integral of an undefined function of ``variable`` is only
    written out (the integrand's own derivatives and sums are still carried out)."""
    if not hints.get("deep", True):
        return integral
    if _unknown_in(integral.function, variable):
        return sp.Integral(integral.function.doit(**hints), *integral.limits)
    return integral.doit(**hints)


class _UnderDensity(sp.Expr):
    """What is taken under a density: arguments ``(what, z, density, ...)``."""

    is_commutative = True

    @property
    def variable(self):
        return self.args[1]

    @property
    def density(self):
        return self.args[2]


class Expect(_UnderDensity):
    """:math:`\\mathbb{E}_{q}[f]`, arguments ``(f, z, q)``: the expectation of ``f`` over ``z`` with density ``q``."""

    def __new__(cls, f, z, density):
        return sp.Expr.__new__(cls, sp.sympify(f), z, sp.sympify(density))

    @property
    def function(self):
        return self.args[0]

    @property
    def free_symbols(self):
        return {s for s in self.function.free_symbols | self.density.free_symbols
                if s != self.variable and getattr(s, "base", None) != self.variable}

    def as_integral(self) -> sp.Integral:
        """:math:`\\int q(z) f(z)\\, dz` over the real line."""
        return sp.Integral(self.density * self.function, (self.variable, -sp.oo, sp.oo))

    def doit(self, **hints):
        """The integral, evaluated; an expectation of an undefined function of the variable (an
        arbitrary density or network) stays an expectation, with its argument evaluated: SymPy has no
        antiderivative for it and can spend minutes searching (:meth:`as_integral` writes it out)."""
        if not hints.get("deep", True):
            return explicit(self.as_integral())
        if _unknown_in(self.args[0], self.variable) or _unknown_in(self.density, self.variable):
            return Expect(self.function.doit(**hints), self.variable, self.density.doit(**hints))
        return explicit(self.as_integral()).doit(**hints)

    def _eval_derivative(self, s):
        """Differentiation under the expectation, when the measure does not depend on ``s``."""
        if s in self.density.free_symbols:
            return sp.diff(self.as_integral(), s)
        return Expect(sp.diff(self.function, s), self.variable, self.density)

    def _eval_is_real(self):
        return self.function.is_real

    def _eval_is_nonnegative(self):
        """The expectation of a non-negative function under a (non-negative) density is non-negative."""
        if self.function.is_nonnegative and self.density.is_nonnegative:
            return True
        return None


class KL(sp.Expr):
    """:math:`\\mathrm{KL}(q \\,\\|\\, p)`, arguments ``(q, p, z)``: densities of the variable ``z``."""

    is_commutative = True
    is_real = True

    def __new__(cls, q, p, z):
        return sp.Expr.__new__(cls, sp.sympify(q), sp.sympify(p), z)

    @property
    def variable(self):
        return self.args[2]

    @property
    def free_symbols(self):
        return (self.args[0].free_symbols | self.args[1].free_symbols) - {self.variable}

    def as_expectation(self) -> Expect:
        """:math:`\\mathbb{E}_{q}[\\log(q/p)]`."""
        q, p, z = self.args
        return Expect(sp.log(q / p), z, q)

    def doit(self, **hints):
        return self.as_expectation().doit(**hints)


class Prob(_UnderDensity):
    """:math:`P(A)`, arguments ``(condition, z, density, lower, upper)``: the probability of the event
    ``condition`` on ``z``, which has ``density`` on ``[lower, upper]`` (the whole line by default).

    It reads as :math:`P(F(x) \\le u)`. ``doit`` integrates the density: over ``z <= a`` (or
    ``a >= z``) from ``lower`` to ``a``, over ``z >= a`` from ``a`` to ``upper``, over
    ``(lo <= z) & (z <= hi)`` from ``lo`` to ``hi`` (the caller keeps these bounds inside
    ``[lower, upper]``); any other event is kept as it is. A probability is non-negative.
    """

    is_real = True
    is_nonnegative = True

    def __new__(cls, condition, z, density, lower=-sp.oo, upper=sp.oo):
        return sp.Expr.__new__(cls, condition, z, sp.sympify(density), sp.sympify(lower), sp.sympify(upper))

    @property
    def condition(self):
        return self.args[0]

    @property
    def free_symbols(self):
        bounds = self.args[3].free_symbols | self.args[4].free_symbols
        return (self.condition.free_symbols | self.density.free_symbols | bounds) - {self.variable}

    def _range(self):
        """``(lo, hi)`` when the event is an interval of ``z``, else None."""
        z, cond = self.variable, self.condition
        lower, upper = self.args[3], self.args[4]
        if isinstance(cond, (sp.LessThan, sp.StrictLessThan)):
            if cond.lhs == z and z not in cond.rhs.free_symbols:
                return lower, cond.rhs
            if cond.rhs == z and z not in cond.lhs.free_symbols:
                return cond.lhs, upper
        if isinstance(cond, (sp.GreaterThan, sp.StrictGreaterThan)):
            if cond.lhs == z and z not in cond.rhs.free_symbols:
                return cond.rhs, upper
            if cond.rhs == z and z not in cond.lhs.free_symbols:
                return lower, cond.lhs
        if isinstance(cond, sp.And) and len(cond.args) == 2:
            ranges = [Prob(c, z, self.density, lower, upper)._range() for c in cond.args]
            if all(r is not None for r in ranges):
                (lo1, hi1), (lo2, hi2) = ranges
                lo = lo2 if lo1 == lower else lo1
                hi = hi2 if hi1 == upper else hi1
                return lo, hi
        return None

    def doit(self, **hints):
        found = self._range()
        if found is None:
            return self  # an event SymPy cannot solve for z (F(z) <= u with F undefined): kept as it is
        return _integrate(explicit(sp.Integral(self.density, (self.variable, *found))), self.variable, hints)
# --------------------------------------------------------------------------- linearity


def depends_on(expr, z) -> bool:
    """Whether ``expr`` depends on the variable ``z`` (a symbol, or a vector given by its coordinates
    ``z[j]``); an expectation over ``z`` inside ``expr`` does not (it binds ``z``)."""
    if expr == z:
        return True
    if isinstance(expr, Expect) and expr.variable == z:
        return False
    if isinstance(expr, sp.Indexed):
        return expr.base == z or any(depends_on(i, z) for i in expr.indices)
    return any(depends_on(a, z) for a in expr.args)


def _split_terms(f):
    """``f`` as a sum of products: finite sums split over their terms with constants pulled out,
    products and powers multiplied out, exponentials of sums split into products."""
    return sp.expand(tidy_sums(f), power_exp=True, power_base=False, log=False)


def _linear(e: Expect):
    z, q = e.variable, e.density
    out = sp.S(0)
    for term in sp.Add.make_args(_split_terms(e.function)):
        const, varying = [], []
        for factor in sp.Mul.make_args(term):
            (varying if depends_on(factor, z) else const).append(factor)
        inner = sp.Mul(*varying)
        if inner == 1:
            value = sp.S(1)  # E_q[1] = 1: q is a density
        elif isinstance(inner, sp.Sum) and not any(depends_on(lim, z) for lim in inner.limits):
            value = sp.Sum(_linear(Expect(inner.function, z, q)), *inner.limits)  # a finite sum of expectations
        else:
            value = Expect(inner, z, q)
        out += sp.Mul(*const) * value
    return out


def linearity(expr):
    r"""Linearity of expectation everywhere in ``expr``, innermost expectations first:
    :math:`\mathbb{E}_q[\sum_k c_k f_k] = \sum_k c_k \mathbb{E}_q[f_k]` for factors :math:`c_k` free of
    the variable, :math:`\mathbb{E}_q[1] = 1` (``q`` is a density), finite sums exchanged with the
    expectation, and exponentials of sums split into products first (so a factor
    :math:`e^{a}` free of the variable leaves :math:`\mathbb{E}_q[e^{a + g(z)}]`). Nothing is
    integrated, so the variable may be a vector of any dimension; the result's sums are in the
    canonical form of :func:`derivations.symbolic.hints.tidy_sums`."""
    expr = sp.sympify(expr)
    if expr.has(Expect):
        expr = expr.replace(lambda e: isinstance(e, Expect), _linear)
    return sp.expand(tidy_sums(expr), power_exp=True, power_base=False, log=False)
