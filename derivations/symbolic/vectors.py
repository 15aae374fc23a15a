r"""Vectors of symbolic dimension: the squared norm, a vector given by its coordinates, and the hint
that compares two such vectors coordinate by coordinate.

A vector of :math:`\mathbb{R}^d` with symbolic :math:`d` is written in two ways. In the course's
notation it is one object (a data point :math:`x^{(i)}`, a mean :math:`\mu_z`: an entry of an
indexed base with one index), and its coordinates are the entries with one index more
(:math:`x^{(i)}_j`, :math:`\mu_{z,j}`). A derivation proves a vector claim in coordinates, where
SymPy's algebra is that of scalars, and returns to the course's notation by the named theorem
:func:`derivations.theorems.coordinates`.

* ``SquaredNorm(v)`` prints :math:`\|v\|^2`. Its ``doit`` (and ``expand``) gives :math:`v^2` for a
  vector written as one symbol, which is how the answer reader reads :math:`\|v\|^2`, so that a
  reference answer holding a norm compares with an answer read from LaTeX; for a column matrix, the
  sum of its squared entries. A derivation does not rely on that reading: a squared norm is proved
  as :math:`\sum_{j=1}^d v_j^2` through the theorem, which rewrites every norm before any
  simplification.
* ``VectorOf(e, (j, 1, d))`` is the vector whose :math:`j`-th coordinate is ``e``; it prints
  :math:`(e)_{j=1}^{d}`. Two of them with the same index and range are equal when their
  coordinates are, which is what :func:`coordinatewise` lets the zero-decider see.

>>> import sympy as sp
>>> j = sp.Symbol("j", integer=True, positive=True)
>>> d = sp.Symbol("d", integer=True, positive=True)
>>> a = sp.IndexedBase("a")
>>> v = VectorOf(2 * a[j], (j, 1, d))
>>> sorted(map(str, v.free_symbols))
['a', 'd']
>>> coordinatewise(v - VectorOf(a[j] + a[j], (j, 1, d)))
0
>>> SquaredNorm(sp.Matrix([3, 4])).doit()
25
"""

from __future__ import annotations

import sympy as sp


class SquaredNorm(sp.Function):
    """:math:`\\|v\\|^2`, kept unevaluated; ``doit`` reads it as the square of a vector written as one
    symbol, or the sum of the squared entries of a matrix."""

    nargs = 1
    is_nonnegative = True
    is_real = True

    @classmethod
    def eval(cls, v):
        return None  # never evaluate on construction

    def doit(self, **hints):
        v = self.args[0].doit(**hints) if hints.get("deep", True) else self.args[0]
        if isinstance(v, sp.MatrixBase):
            return sp.Add(*[e**2 for e in v])
        return v**2

    def _eval_expand_basic(self, **hints):
        return self.doit(deep=False)

    def _eval_evalf(self, prec):
        return self.doit()._eval_evalf(prec)


class VectorOf(sp.Expr):
    """The vector :math:`(e)_{j=a}^{b}` whose coordinate ``j`` is ``e``: arguments ``(e, (j, a, b))``."""

    is_commutative = True

    def __new__(cls, coordinate, limits):
        j, lo, hi = limits
        return sp.Expr.__new__(cls, sp.sympify(coordinate), sp.Tuple(j, lo, hi))

    @property
    def coordinate(self):
        return self.args[0]

    @property
    def index(self):
        return self.args[1][0]

    @property
    def limits(self):
        return tuple(self.args[1])

    @property
    def free_symbols(self):
        j, lo, hi = self.limits
        inner = {s for s in self.coordinate.free_symbols if j not in s.free_symbols}
        return inner | lo.free_symbols | hi.free_symbols


def coordinatewise(expr):
    """Compare vectors given by their coordinates: when every :class:`VectorOf` in ``expr`` has the
    same index and range, replace each by its coordinate (the difference of two such vectors is
    zero exactly when the difference of their coordinates is, for every index in the range)."""
    vectors = list(expr.atoms(VectorOf))
    if not vectors or len({v.limits for v in vectors}) != 1:
        return expr
    return expr.replace(lambda e: isinstance(e, VectorOf), lambda e: e.coordinate)


__all__ = ["SquaredNorm", "VectorOf", "coordinatewise"]
