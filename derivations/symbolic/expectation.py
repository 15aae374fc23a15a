"""Expectations under a named measure and the KL divergence, kept unevaluated in derivations.

.. math:: \\mathbb{E}_{q(z)}[f(z)] = \\int q(z) f(z)\\, dz, \\qquad
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

from derivations.symbolic.hints import explicit, tidy_sums


class Expect(sp.Expr):
    """:math:`\\mathbb{E}_{q}[f]`, arguments ``(f, z, q)``: the expectation of ``f`` over ``z`` with density ``q``."""

    is_commutative = True

    def __new__(cls, f, z, density):
        return sp.Expr.__new__(cls, sp.sympify(f), z, sp.sympify(density))

    @property
    def function(self):
        return self.args[0]

    @property
    def variable(self):
        return self.args[1]

    @property
    def density(self):
        return self.args[2]

    @property
    def free_symbols(self):
        return {s for s in self.function.free_symbols | self.density.free_symbols
                if s != self.variable and getattr(s, "base", None) != self.variable}

    def as_integral(self) -> sp.Integral:
        """:math:`\\int q(z) f(z)\\, dz` over the real line."""
        return sp.Integral(self.density * self.function, (self.variable, -sp.oo, sp.oo))

    def doit(self, **hints):
        out = explicit(self.as_integral())
        return out.doit(**hints) if hints.get("deep", True) else out

    def _eval_is_real(self):
        return self.function.is_real


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
