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
"""

from __future__ import annotations

import sympy as sp

from derivations.symbolic.hints import explicit


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
        return (self.function.free_symbols | self.density.free_symbols) - {self.variable}

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
