"""Integrals over :math:`\\mathbb{R}^d` for a symbolic dimension d, and vectors written by their coordinates.

.. math:: \\int_{\\mathbb{R}^d} f(x)\\, dx = \\int \\cdots \\int f(x_1, \\ldots, x_d)\\, dx_1 \\cdots dx_d

A vector :math:`x \\in \\mathbb{R}^d` is an :class:`sympy.IndexedBase` ``x`` whose coordinates ``x[j]``
appear in the integrand (a sum or product over ``j`` from 1 to d); a vector that is an entry of a
family (a data point :math:`x^{(i)}`, a mean :math:`\\mu_z`) is an :class:`sympy.Indexed` with one
index, and its coordinates carry a second index (:func:`coordinate`). :class:`VectorIntegral` keeps
the d-fold integral unevaluated for a symbolic d; for a number d, ``doit`` writes it out as nested
integrals over the coordinates.

>>> import sympy as sp
>>> j = sp.Symbol("j", integer=True, positive=True)
>>> x, m = sp.IndexedBase("x", real=True), sp.IndexedBase("m", real=True)
>>> coordinate(x, j), coordinate(m[2], j)
(x[j], m[2, j])
>>> box = VectorIntegral(sp.Product(sp.exp(-x[j]**2 / 2) / sp.sqrt(2 * sp.pi), (j, 1, 2)), x, 2)
>>> box.doit()
1
>>> d = sp.Symbol("d", integer=True, positive=True)
>>> VectorIntegral(x[j], x, d).doit()
VectorIntegral(x[j], x, d)
"""

from __future__ import annotations

import sympy as sp

from derivations.symbolic.vectors import coordinate, depends_on  # noqa: F401  (vectors by coordinates)


def is_vector(v) -> bool:
    """A vector written by its coordinates: an indexed base, or an entry of one with one index."""
    return isinstance(v, sp.IndexedBase) or (isinstance(v, sp.Indexed) and len(v.indices) == 1)


class VectorIntegral(sp.Expr):
    """:math:`\\int_{\\mathbb{R}^d} f\\, dx`, arguments ``(f, x, d)``: ``x`` an indexed base (the vector of
    integration, its coordinates ``x[j]`` in ``f``) and ``d`` its dimension.

    Its ``limits`` are ``((x, d),)`` so that the shared hints that merge integrals with equal limits
    treat it like :class:`sympy.Integral`.
    """

    is_commutative = True

    def __new__(cls, f, x, d):
        if not isinstance(x, (sp.IndexedBase, sp.Symbol)):
            raise TypeError(f"the variable of a vector integral is an IndexedBase (or a symbol), got {x!r}")
        return sp.Expr.__new__(cls, sp.sympify(f), x, sp.sympify(d))

    @property
    def function(self):
        return self.args[0]

    @property
    def variable(self):
        return self.args[1]

    @property
    def dim(self):
        return self.args[2]

    @property
    def variables(self):
        return [self.variable]

    @property
    def limits(self):
        return ((self.variable, self.dim),)

    @property
    def free_symbols(self):
        x = self.variable
        inner = {s for s in self.function.free_symbols
                 if not (s == x or s == getattr(x, "label", None) or (isinstance(s, sp.Indexed) and s.base == x))}
        return inner | self.dim.free_symbols

    def _eval_is_real(self):
        return self.function.is_real

    def doit(self, **hints):
        f = self.function.doit(**hints) if hints.get("deep", True) else self.function
        x, d = self.variable, self.dim
        if not (d.is_Integer and d > 0 and isinstance(x, sp.IndexedBase)):
            return VectorIntegral(f, x, d)
        f = f.doit() if hints.get("deep", True) else f
        out = sp.Integral(f, *[(x[c], -sp.oo, sp.oo) for c in range(1, int(d) + 1)])
        return out.doit(**hints) if hints.get("deep", True) else out


class JacobianDeterminant(sp.Expr):
    """:math:`\\det J_f(x)`, arguments ``(f(x), x)``: the determinant of the Jacobian of the map
    :math:`x \\mapsto f(x)` at ``x``.

    ``f(x)`` is an undefined function applied to the point (:math:`g^{-1}(x)` for an arbitrary
    invertible map, which stays as written) or a column of expressions of a column of symbols
    (``doit`` computes the determinant).

    >>> a, b = sp.symbols("a b", real=True)
    >>> u, v = sp.symbols("u v", real=True)
    >>> JacobianDeterminant(sp.Matrix([a * u + v, b * v]), sp.Matrix([u, v])).doit()
    a*b
    """

    is_commutative = True

    def __new__(cls, image, x):
        return sp.Expr.__new__(cls, sp.sympify(image), sp.sympify(x))

    @property
    def image(self):
        return self.args[0]

    @property
    def point(self):
        return self.args[1]

    def doit(self, **hints):
        image, x = self.args
        if isinstance(x, sp.MatrixBase) and isinstance(image, sp.MatrixBase):
            return sp.Matrix(image).jacobian(x).det()
        return self
