"""The logistic sigmoid and the unit interval, defined once for every section.

.. math:: \\sigma(z) = \\frac{1}{1 + e^{-z}}, \\qquad \\sigma'(z) = \\sigma(z)\\,(1 - \\sigma(z))

The sigmoid stays unevaluated in a derivation (it reads as :math:`\\sigma(z)`), differentiates
to :math:`\\sigma(1-\\sigma)`, and is written out by ``rewrite(sp.exp)`` or ``doit()``.

>>> import sympy as sp
>>> z = sp.Symbol("z", real=True)
>>> sp.diff(Sigmoid(z), z) - Sigmoid(z) * (1 - Sigmoid(z))
0
>>> Sigmoid(z).rewrite(sp.exp), Sigmoid(0)
(1/(1 + exp(-z)), 1/2)
>>> sigmoid(z) == 1 / (1 + sp.exp(-z))
True
"""

from __future__ import annotations

import sympy as sp

#: The open unit interval (0, 1): probabilities, weights, alphabar_t, times t of a path.
UNIT = sp.Interval.open(0, 1)


class Sigmoid(sp.Function):
    """The logistic function :math:`\\sigma(z) = 1/(1 + e^{-z})`, kept unevaluated."""

    nargs = 1
    is_real = True

    @classmethod
    def eval(cls, z):
        if z.is_zero:
            return sp.Rational(1, 2)
        return None

    def fdiff(self, argindex=1):
        s = Sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, z, **kwargs):
        return 1 / (1 + sp.exp(-z))  # the one place the formula is written

    def _eval_is_positive(self):
        return self.args[0].is_extended_real

    def doit(self, **hints):
        z = self.args[0].doit(**hints) if hints.get("deep", True) else self.args[0]
        return self._eval_rewrite_as_exp(z)

    def _eval_evalf(self, prec):
        return self.doit()._eval_evalf(prec)


def sigmoid(z) -> sp.Expr:
    """:math:`1/(1 + e^{-z})` written out (for formulas that are meant to be explicit)."""
    s = Sigmoid(z)
    return s.doit(deep=False) if isinstance(s, Sigmoid) else s
