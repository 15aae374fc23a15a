"""Distributions as answers: Gaussians, uniforms, point masses, and weighted (or indexed) sums of them.

One model serves both sides of ``derive verify``: the reference answers of the sections and the
answers the reader parses are the same objects, compared component by component and by moments.

* :class:`Gaussian` ``(mean, cov)``: :math:`\\mathcal{N}(\\mu, \\Sigma)`; a scalar ``cov`` means ``cov * I``.
  ``at`` names the point where the reader saw it written as a density, :math:`\\mathcal{N}(x; \\mu, \\Sigma)`.
* :class:`Uniform` ``(low, high)``: :math:`\\mathcal{U}(a, b)` on an interval of the line.
* :class:`PointMass` ``(atom)``: :math:`\\delta_a`.
* :class:`Mixture`: a sum of :class:`Component` s, ``weight * dist``, a component possibly summed
  over an index (``over = (i, 1, n)``: :math:`\\sum_{i=1}^n w_i\\, \\mathcal{N}(\\ldots x^{(i)} \\ldots)`).

>>> import sympy as sp
>>> a = sp.Symbol("alphabar_t", positive=True)
>>> g = Gaussian(sp.sqrt(a), 1 - a)
>>> g.second_moment(), g.family, g.params
(1, 'normal', (sqrt(alphabar_t), 1 - alphabar_t))
>>> m = mixture((sp.Rational(1, 2), sp.Rational(1, 2)), (Gaussian(sp.Matrix([1, 0]), 1), Gaussian(sp.Matrix([0, 1]), 1)))
>>> m.mean_value().T, m.weights
(Matrix([[1/2, 1/2]]), (1/2, 1/2))
>>> u = Uniform(0, sp.Symbol("b", positive=True))
>>> u.mean_value(), u.variance()
(b/2, b**2/12)
>>> [c.family for c in as_mixture(u).components], as_mixture(u).second_moment()
(['uniform'], b**2/3)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import sympy as sp

from derivations.symbolic.gaussian import GaussianDensity, normal_pdf
from derivations.symbolic.values import as_expr

from derivations.symbolic.vectors import INDEX, coordinate, dimension

FAMILY_NAMES = {"normal": "Gaussian", "point": "point mass", "uniform": "uniform"}


def _outer(v):
    return v * v.T if isinstance(v, sp.MatrixBase) else v**2


class Distribution:
    """What every family has: a name, its parameters, and its first two moments."""

    family: ClassVar[str] = ""

    @property
    def params(self) -> tuple:
        raise NotImplementedError

    def with_params(self, *params) -> "Distribution":
        """The same family with new parameters (``at`` kept)."""
        raise NotImplementedError

    def mean_value(self) -> Any:
        raise NotImplementedError

    def covariance(self) -> Any:
        """Covariance; a scalar ``c`` stands for ``c * I`` when the mean is a vector."""
        raise NotImplementedError

    def second_moment(self) -> Any:
        """:math:`E[x x^T]` (:math:`E[x^2]` for a scalar)."""
        m, c = self.mean_value(), self.covariance()
        if isinstance(m, sp.MatrixBase):
            cov = c if isinstance(c, sp.MatrixBase) else c * sp.eye(m.rows)
            return sp.simplify(cov + m * m.T)
        return sp.simplify(c + m**2)


@dataclass(frozen=True)
class Gaussian(Distribution):
    """:math:`\\mathcal{N}(\\text{mean}, \\text{cov})`; a scalar ``cov`` means ``cov * I``.

    ``isotropic`` says that a mean written as one symbol stands for a vector (so the covariance
    is printed as ``cov I``); a mean that is a matrix is a vector anyway.

    >>> x, m = sp.symbols("x m", real=True)
    >>> Gaussian(m, 1).density(x)
    GaussianDensity(x, m, 1)
    >>> Gaussian(m, 1).pdf(x) == normal_pdf(x, m, 1)
    True
    """

    mean: Any
    cov: Any
    at: Any = None
    isotropic: bool = False  # a scalar cov of a vector written as one symbol: printed as cov I
    family: ClassVar[str] = "normal"

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean", as_expr(self.mean))
        object.__setattr__(self, "cov", as_expr(self.cov))

    @property
    def params(self) -> tuple:
        return (self.mean, self.cov)

    def with_params(self, mean, cov) -> "Gaussian":
        return replace(self, mean=mean, cov=cov)

    def mean_value(self) -> Any:
        return self.mean

    def covariance(self) -> Any:
        return self.cov

    def pdf(self, x) -> sp.Expr:
        """The density at ``x``, written out (:func:`derivations.symbolic.gaussian.normal_pdf`)."""
        return normal_pdf(x, self.mean, self.cov)

    def density(self, x) -> GaussianDensity:
        """The density at ``x``, unevaluated: :math:`\\mathcal{N}(x; \\mu, \\Sigma)`."""
        return GaussianDensity(x, self.mean, self.cov)


@dataclass(frozen=True)
class Uniform(Distribution):
    """:math:`\\mathcal{U}(\\text{low}, \\text{high})`, the uniform distribution on an interval of the line.

    ``low`` and ``high`` are SymPy expressions (Python numbers are converted); ``low < high`` is
    required wherever SymPy can decide it, so ``Uniform(1, 0)`` is refused. ``at`` names a point
    where the density is meant (as for :class:`Gaussian`), so that a chain ending in a density at
    that point can conclude the distribution:

    >>> u = sp.Symbol("u", real=True)
    >>> Uniform(0, 1, at=u).pdf(u)
    Piecewise((1, (u >= 0) & (u <= 1)), (0, True))

    >>> Uniform(1, 0)
    Traceback (most recent call last):
    ...
    ValueError: Uniform(low, high) needs low < high, got low = 1, high = 0
    >>> Uniform(0, 1) == Uniform(sp.S(0), sp.S(1))
    True
    """

    low: Any
    high: Any
    at: Any = None
    family: ClassVar[str] = "uniform"

    def __post_init__(self) -> None:
        low, high = (sp.sympify(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
                     for v in (self.low, self.high))
        for name, v in (("low", low), ("high", high)):
            if not isinstance(v, sp.Expr) or isinstance(v, sp.MatrixBase):
                raise TypeError(f"Uniform {name} must be a scalar SymPy expression or a number, got {v!r}")
        if (high - low).is_positive is False:
            raise ValueError(f"Uniform(low, high) needs low < high, got low = {low}, high = {high}")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    @property
    def params(self) -> tuple:
        return (self.low, self.high)

    def with_params(self, low, high) -> "Uniform":
        return Uniform(low, high, self.at)

    def mean_value(self) -> Any:
        return (self.low + self.high) / 2

    def variance(self) -> Any:
        """:math:`(\\text{high}-\\text{low})^2/12`."""
        return (self.high - self.low) ** 2 / 12

    def pdf(self, x) -> sp.Expr:
        """The density at ``x``: :math:`1/(\\text{high}-\\text{low})` on the interval, 0 elsewhere."""
        inside = sp.And(x >= self.low, x <= self.high)
        return sp.Piecewise((1 / (self.high - self.low), inside), (0, True))

    def covariance(self) -> Any:
        return self.variance()


@dataclass(frozen=True)
class PointMass(Distribution):
    """:math:`\\delta_a`: all the mass on ``atom``; ``at`` names the point of its density.

    Its density is the Dirac delta :math:`\\delta(x - a)`, in :math:`d` dimensions the product of
    one delta per coordinate:

    >>> from derivations.symbolic.vectors import Vector
    >>> d = sp.Symbol("d", integer=True, positive=True)
    >>> PointMass(Vector("x_1", d), at=Vector("x", d)).pdf(Vector("x", d))
    Product(DiracDelta(x[_k] - x_1[_k]), (_k, 1, d))
    """

    atom: Any
    at: Any = None
    family: ClassVar[str] = "point"

    def __post_init__(self) -> None:
        object.__setattr__(self, "atom", as_expr(self.atom))

    @property
    def params(self) -> tuple:
        return (self.atom,)

    def with_params(self, atom) -> "PointMass":
        return replace(self, atom=atom)

    def pdf(self, x) -> sp.Expr:
        """The density at ``x``: :math:`\\delta(x - a)`, a product over coordinates for vectors."""
        d = dimension(x, self.atom)
        if d is None:
            return sp.DiracDelta(x - self.atom)
        return sp.Product(sp.DiracDelta(coordinate(x - self.atom, INDEX)), (INDEX, 1, d))

    def mean_value(self) -> Any:
        return self.atom

    def covariance(self) -> Any:
        return sp.S(0)

    def second_moment(self) -> Any:
        return _outer(self.atom)


@dataclass(frozen=True)
class Component:
    """``weight * dist``; with ``over = (i, lo, hi)`` the component is summed over ``i``."""

    weight: Any
    dist: Distribution
    over: tuple | None = None

    @property
    def family(self) -> str:
        return self.dist.family

    @property
    def params(self) -> tuple:
        return self.dist.params

    @property
    def at(self) -> Any:
        return getattr(self.dist, "at", None)

    def summed(self, value):
        """``weight * value``, summed over the component's index if it has one."""
        if self.over is None:
            return self.weight * value
        i, lo, hi = self.over
        if isinstance(value, sp.MatrixBase):
            return value.applyfunc(lambda e: sp.Sum(self.weight * e, (i, lo, hi)))
        return sp.Sum(self.weight * value, (i, lo, hi))


@dataclass(frozen=True)
class Mixture:
    """A finite (or indexed) mixture: the sum of its weighted components."""

    components: tuple

    @property
    def weights(self) -> tuple:
        return tuple(c.weight for c in self.components)

    @property
    def dists(self) -> tuple:
        return tuple(c.dist for c in self.components)

    @property
    def atoms(self) -> tuple:
        """The atoms of a mixture of point masses."""
        return tuple(c.dist.atom for c in self.components)

    def scaled(self, w) -> "Mixture":
        return Mixture(tuple(replace(c, weight=w * c.weight) for c in self.components))

    def __add__(self, other: "Mixture") -> "Mixture":
        return Mixture(self.components + other.components)

    def total_weight(self):
        return sp.Add(*[c.summed(sp.S(1)) for c in self.components])

    def mean_value(self):
        return _total([c.summed(c.dist.mean_value()) for c in self.components])

    def second_moment(self):
        return _total([c.summed(c.dist.second_moment()) for c in self.components])

    def density(self):
        """The density at the written points (one coordinate, a scalar covariance), or None.

        >>> x, m = sp.symbols("x m", real=True)
        >>> Mixture((Component(sp.S(1), Gaussian(m, sp.S(1), at=x)),)).density()
        sqrt(2)*exp(-(-m + x)**2/2)/(2*sqrt(pi))
        """
        terms = []
        for c in self.components:
            if c.family != "normal" or c.at is None or isinstance(c.at, sp.MatrixBase):
                return None
            mean, cov = c.params
            if isinstance(mean, sp.MatrixBase) or isinstance(cov, sp.MatrixBase):
                return None
            terms.append(c.summed(normal_pdf(c.at, mean, cov)))
        return sp.Add(*terms)

    def describe(self) -> str:
        if len(self.components) == 1 and self.components[0].over is None:
            return FAMILY_NAMES[self.components[0].family]
        return f"mixture of {len(self.components)} terms"


def _total(values):
    """:math:`\\sum_k v_k` for scalars or matrices alike (a matrix sum cannot start at 0)."""
    if not values:
        return sp.S(0)
    out = values[0]
    for v in values[1:]:
        out = out + v
    return out


def mixture(weights, dists) -> Mixture:
    """:math:`\\sum_k w_k\\, \\text{dist}_k`."""
    return Mixture(tuple(Component(as_expr(w), d) for w, d in zip(weights, dists)))


def point_masses(weights, atoms) -> Mixture:
    """A discrete distribution putting weight ``weights[k]`` on ``atoms[k]``."""
    return mixture(weights, [PointMass(a) for a in atoms])


def as_mixture(value) -> Mixture:
    """Any distribution of this module as a :class:`Mixture` (one component for a single family)."""
    if isinstance(value, Mixture):
        return value
    if isinstance(value, Distribution):
        return Mixture((Component(sp.S(1), value),))
    raise TypeError(f"cannot compare against a reference distribution of type {type(value).__name__}")
