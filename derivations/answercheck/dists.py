"""Distributions as the parser builds them: weighted sums of Gaussians, point masses, uniforms.

A reference answer from :mod:`derivations.distributions` converts to the same form, so both sides
are compared component by component (and by their moments).

>>> import sympy as sp
>>> from derivations.distributions import Gaussian, Mixture, Uniform
>>> m = from_reference(Mixture((sp.Rational(1, 2), sp.Rational(1, 2)), (Gaussian(0, 1), Gaussian(1, 1))))
>>> [c.family for c in m.components], m.mean()
(['normal', 'normal'], 1/2)
>>> u = from_reference(Uniform(0, 2))
>>> u.components[0].params, u.mean(), u.second_moment()
((0, 2), 1, 4/3)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sympy as sp

from derivations import distributions as refdist

FAMILY_NAMES = {"normal": "Gaussian", "point": "point mass", "uniform": "uniform"}


def as_expr(value):
    """A SymPy object for a value that already is one (or a Python number); never parses text.

    >>> as_expr(2), as_expr(0.5)
    (2, 0.500000000000000)
    """
    if isinstance(value, (sp.Basic, sp.MatrixBase)):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a SymPy expression or a number, got {type(value).__name__}")
    return sp.Integer(value) if isinstance(value, int) else sp.Float(value)


@dataclass(frozen=True)
class Component:
    """``weight * family(params)``; ``over = (i, lo, hi)`` sums the component over ``i``.

    normal: ``(mean, cov)`` with a scalar ``cov`` meaning ``cov * I``; point: ``(atom,)``;
    uniform: ``(low, high)``.
    """

    weight: Any
    family: str
    params: tuple
    over: tuple | None = None
    at: Any = None  # N(x; m, c) names the point x where it may be read as a density

    def mean(self):
        if self.family == "normal":
            return self.params[0]
        if self.family == "point":
            return self.params[0]
        lo, hi = self.params
        return (lo + hi) / 2

    def covariance(self):
        """Covariance (a scalar ``c`` stands for ``c * I``)."""
        if self.family == "normal":
            return self.params[1]
        if self.family == "point":
            return sp.S(0)
        lo, hi = self.params
        return (hi - lo) ** 2 / 12

    def second_moment(self):
        m, c = self.mean(), self.covariance()
        if isinstance(m, sp.MatrixBase):
            cov = c if isinstance(c, sp.MatrixBase) else c * sp.eye(m.rows)
            return cov + m * m.T
        return c + m**2

    def summed(self, value):
        if self.over is None:
            return self.weight * value
        i, lo, hi = self.over
        if isinstance(value, sp.MatrixBase):
            return value.applyfunc(lambda e: sp.Sum(self.weight * e, (i, lo, hi)))
        return sp.Sum(self.weight * value, (i, lo, hi))


@dataclass(frozen=True)
class DistSum:
    """A finite (or indexed) mixture: the sum of its weighted components."""

    components: tuple

    def scaled(self, w) -> "DistSum":
        return DistSum(tuple(replace(c, weight=w * c.weight) for c in self.components))

    def __add__(self, other: "DistSum") -> "DistSum":
        return DistSum(self.components + other.components)

    def total_weight(self):
        return sp.Add(*[c.summed(sp.S(1)) for c in self.components])

    def mean(self):
        return _total([c.summed(c.mean()) for c in self.components])

    def second_moment(self):
        return _total([c.summed(c.second_moment()) for c in self.components])

    def density(self):
        """The density at the written points (one coordinate, a scalar covariance), or None.

        >>> x, m = sp.symbols("x m", real=True)
        >>> DistSum((Component(sp.S(1), "normal", (m, sp.S(1)), at=x),)).density()
        sqrt(2)*exp(-(-m + x)**2/2)/(2*sqrt(pi))
        """
        terms = []
        for c in self.components:
            if c.family != "normal" or c.at is None or isinstance(c.at, sp.MatrixBase):
                return None
            mean, cov = c.params
            if isinstance(mean, sp.MatrixBase) or isinstance(cov, sp.MatrixBase):
                return None
            terms.append(c.summed(sp.exp(-(c.at - mean) ** 2 / (2 * cov)) / sp.sqrt(2 * sp.pi * cov)))
        return sp.Add(*terms)

    def describe(self) -> str:
        if len(self.components) == 1 and self.components[0].over is None:
            return FAMILY_NAMES[self.components[0].family]
        return f"mixture of {len(self.components)} terms"


def _total(values):
    out = values[0]
    for v in values[1:]:
        out = out + v
    return out


def single(family: str, *params) -> DistSum:
    return DistSum((Component(sp.S(1), family, tuple(params)),))


def from_reference(value) -> DistSum:
    """Convert a :mod:`derivations.distributions` object (or a DistSum) to a DistSum."""
    if isinstance(value, DistSum):
        return value
    if isinstance(value, refdist.Gaussian):
        return single("normal", as_expr(value.mean), as_expr(value.cov))
    if isinstance(value, refdist.PointMasses):
        return DistSum(tuple(Component(as_expr(w), "point", (as_expr(a),))
                             for w, a in zip(value.weights, value.atoms)))
    if isinstance(value, refdist.Mixture):
        out = DistSum(())
        for w, comp in zip(value.weights, value.components):
            out = out + from_reference(comp).scaled(as_expr(w))
        return out
    if isinstance(value, refdist.Uniform):
        return single("uniform", as_expr(value.low), as_expr(value.high))
    raise TypeError(f"cannot compare against a reference distribution of type {type(value).__name__}")
