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
* ``Vector(name, d)`` is a point of :math:`\mathbb{R}^d` written as ONE symbol (:math:`x`,
  :math:`x_1`) where the algebra is linear in it; its coordinate :math:`k` is ``IndexedBase(x)[k]``
  (printed :math:`x_k`). :func:`coordinate` reads an expression linear in vectors coordinate by
  coordinate (a base ``x`` gives ``x[j]``, an entry ``m[z]`` gives ``m[z, j]``, a :class:`Vector`
  its coordinate), :func:`squared_norm` is the sum over the coordinates that ``SquaredNorm`` stands for, :func:`dimension` is the :math:`d` of an
  expression's vectors, :func:`depends_on` says whether an expression may depend on a vector or a
  coordinate, and :func:`sift_kronecker` is the hint :math:`\sum_{k} f_k\, \delta_{kl} = f_l`
  (what differentiating a coordinate sum produces).

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
>>> t = sp.Symbol("t", positive=True)
>>> x, x1, X = Vector("x", d), Vector("x_1", d), sp.IndexedBase("X", real=True)
>>> coordinate(x - t * x1, j) == sp.IndexedBase(x, real=True)[j] - t * sp.IndexedBase(x1, real=True)[j]
True
>>> coordinate(x - t * X[2], j).has(X[2, j]), dimension(x - t * X[2]) == d, dimension(t) is None
(True, True, True)
>>> l = sp.Symbol("l", integer=True, positive=True)
>>> c = sp.IndexedBase(x, real=True)
>>> sift_kronecker(sp.Sum(sp.Sum(c[j] * sp.KroneckerDelta(j, l), (j, 1, d)), (l, 1, d)))
Sum(x[l], (l, 1, d))
"""

from __future__ import annotations

from typing import Any

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

#: The index of the coordinate sums the toolkit writes (a squared norm inside a Gaussian density):
#: a dummy, so it never captures an index of the derivation around it; it prints as k.
INDEX = sp.Dummy("k", integer=True, positive=True)


class Vector(sp.Symbol):
    """A point of :math:`\\mathbb{R}^{\\text{dim}}` written as one symbol; ``dim`` may be a symbol.

    Two vectors are equal when their names, assumptions and dimensions are; a vector is never
    equal to the plain symbol of the same name.

    >>> d = sp.Symbol("d", integer=True, positive=True)
    >>> Vector("x", d) == Vector("x", d), Vector("x", d) == sp.Symbol("x", real=True)
    (True, False)
    >>> import pickle
    >>> pickle.loads(pickle.dumps(Vector("x", d))).dim
    d
    """

    __slots__ = ("dim",)

    def __new__(cls, name: str, dim: Any, **assumptions):
        assumptions.setdefault("real", True)
        cls._sanitize(assumptions, cls)
        obj = sp.Symbol.__xnew__(cls, name, **assumptions)
        obj.dim = sp.sympify(dim)
        return obj

    def __getnewargs_ex__(self):
        return ((self.name, self.dim), self._assumptions_orig)

    def __getstate__(self):
        return None

    def __setstate__(self, state):
        pass

    def _hashable_content(self):
        return super()._hashable_content() + (self.dim,)

    def _eval_derivative(self, s):
        """A vector's derivative by one of its coordinates is not a scalar: refuse it rather than
        return SymPy's 0 (write the expression in coordinates first)."""
        if isinstance(s, sp.Indexed) and s.base.label == self:
            raise TypeError(f"the derivative of the vector {self} by its coordinate {s} is not a scalar: "
                            f"write the expression in coordinates first")
        return super()._eval_derivative(s)


def is_coordinate(e) -> bool:
    """A coordinate :math:`x_k` of a :class:`Vector` (an entry of the base named by the vector)."""
    return isinstance(e, sp.Indexed) and isinstance(e.base.label, Vector)


def depends_on(expr, x) -> bool:
    """Whether ``expr`` may depend on ``x``: a vector by its coordinates (the base itself or any
    coordinate ``x[j]``), a symbol, or a coordinate of a :class:`Vector`, which counts as present
    wherever its vector is (SymPy alone would see :math:`\\partial \\mathcal{N}(x; \\ldots)/\\partial x_k = 0`)
    and wherever another coordinate of it is (the two indices may be equal)."""
    expr = sp.sympify(expr)
    if expr.has(x):
        return True
    return is_coordinate(x) and expr.has(x.base.label)


def vectors(expr) -> set:
    """The :class:`Vector` symbols of ``expr`` (not counting those only inside coordinates)."""
    out = set()

    def walk(e):
        if isinstance(e, Vector):
            out.add(e)
        elif not is_coordinate(e):
            for a in getattr(e, "args", ()):
                walk(a)
    walk(sp.sympify(expr))
    return out


def dimension(*exprs) -> Any:
    """The dimension :math:`d` of the vectors in ``exprs``, or None when there are none.

    Raises ValueError when two vectors have different dimensions."""
    dims = {v.dim for e in exprs for v in vectors(e)}
    if len(dims) > 1:
        raise ValueError(f"vectors of different dimensions {sorted(map(str, dims))} in one expression")
    return dims.pop() if dims else None


def coordinate(v, j) -> sp.Expr:
    """Coordinate ``j`` of the vector ``v``: ``x[j]`` for a base ``x``, ``m[z, j]`` for an entry ``m[z]``,
    ``IndexedBase(x)[j]`` for a :class:`Vector` ``x``, 0 for the zero vector; an expression linear in
    vectors (:math:`x - t x^{(i)}`) has each vector replaced by its coordinate.

    Raises TypeError when ``v`` holds no vector."""
    v = sp.sympify(v)
    if v == 0:
        return sp.S.Zero
    found = []

    def walk(e):
        if isinstance(e, Vector) or isinstance(e, sp.IndexedBase):
            found.append(e)
            return sp.IndexedBase(e, real=True)[j] if isinstance(e, Vector) else e[j]
        if isinstance(e, sp.Indexed):
            if is_coordinate(e) or len(e.indices) != 1:
                return e
            found.append(e)
            return e.base[(*e.indices, j)]
        if not e.args:
            return e
        return e.func(*[walk(a) for a in e.args])
    out = walk(v)
    if not found:
        raise TypeError(f"{v!r} is not a vector written by its coordinates (an IndexedBase, or an entry of one)")
    return out


def squared_norm(v, dim, index=INDEX) -> sp.Sum:
    """:math:`\\|v\\|^2 = \\sum_{k=1}^d v_k^2`."""
    return sp.Sum(coordinate(v, index) ** 2, (index, 1, dim))


def sift_kronecker(expr):
    """Hint: inside a sum over :math:`l = a..b`, :math:`\\sum_{k=a}^{b} f_k\\, \\delta_{kl}` becomes
    :math:`f_l` (exact, since :math:`l` lies in the range of :math:`k`); the sums are split over
    their terms first so that every Kronecker delta is a factor of the summand it sifts."""
    def inside(e, ranges):
        if isinstance(e, sp.Sum):
            return _sift_sum(e, ranges, inside)
        if not e.args:
            return e
        return e.func(*[inside(a, ranges) for a in e.args])
    return inside(sp.expand(sp.sympify(expr)), {})


def _sift_sum(e: sp.Sum, ranges: dict, inside):
    limits = [tuple(lim) for lim in e.limits]
    body = sp.expand(inside(sp.expand(e.function), {**ranges, **{v: (a, b) for v, a, b in limits}}))
    out = []
    for term in sp.Add.make_args(body):
        lims = list(limits)
        while True:
            step = _one_sift(term, lims, ranges)
            if step is None:
                break
            term, lims = step
        out.append(sp.Sum(term, *lims) if lims else term)
    return sp.Add(*out)


def _one_sift(term, lims, ranges):
    """Carry out one Kronecker delta of ``term`` against a summation index, or None."""
    for pos, (var, lo, hi) in enumerate(lims):
        deltas = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.KroneckerDelta) and var in f.free_symbols]
        if len(deltas) != 1:
            continue
        a, b = deltas[0].args
        other = b if a == var else a if b == var else None
        around = {**ranges, **{w: (p, q) for w, p, q in lims if w != var}}
        if other is not None and around.get(other) == (lo, hi):
            return (term / deltas[0]).subs(var, other), lims[:pos] + lims[pos + 1:]
    return None


__all__ = ["INDEX", "SquaredNorm", "Vector", "VectorOf", "coordinate", "coordinatewise", "depends_on", "dimension",
           "is_coordinate", "sift_kronecker", "squared_norm", "vectors"]
