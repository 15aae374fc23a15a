"""Symbolic distributions used as answers: Gaussians, uniforms, finite mixtures and point masses.

They are plain containers of SymPy expressions; ``derive verify`` compares them by moments.

>>> import sympy as sp
>>> a = sp.Symbol("alphabar_t", positive=True)
>>> g = Gaussian(sp.sqrt(a), 1 - a)
>>> g.second_moment()
1
>>> m = Mixture((sp.Rational(1, 2), sp.Rational(1, 2)),
...             (Gaussian(sp.Matrix([1, 0]), 1), Gaussian(sp.Matrix([0, 1]), 1)))
>>> m.mean_value().T
Matrix([[1/2, 1/2]])
>>> u = Uniform(0, sp.Symbol("b", positive=True))
>>> u.mean_value(), u.variance()
(b/2, b**2/12)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp


@dataclass(frozen=True)
class Gaussian:
    """:math:`\\mathcal{N}(\\text{mean}, \\text{cov})`; a scalar ``cov`` means ``cov * I``."""

    mean: Any
    cov: Any

    def mean_value(self) -> Any:
        return self.mean

    def second_moment(self) -> Any:
        """:math:`E[x x^T]` (a scalar per coordinate when both parts are scalars)."""
        if isinstance(self.mean, sp.MatrixBase):
            cov = self.cov if isinstance(self.cov, sp.MatrixBase) else self.cov * sp.eye(self.mean.rows)
            return sp.simplify(cov + self.mean * self.mean.T)
        return sp.simplify(self.cov + self.mean**2)


@dataclass(frozen=True)
class Uniform:
    """:math:`\\mathcal{U}(\\text{low}, \\text{high})`, the uniform distribution on an interval of the line.

    ``low`` and ``high`` are SymPy expressions (Python numbers are converted); ``low < high`` is
    required wherever SymPy can decide it, so ``Uniform(1, 0)`` is refused:

    >>> Uniform(1, 0)
    Traceback (most recent call last):
    ...
    ValueError: Uniform(low, high) needs low < high, got low = 1, high = 0
    >>> Uniform(0, 1) == Uniform(sp.S(0), sp.S(1))
    True
    """

    low: Any
    high: Any

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

    def mean_value(self) -> Any:
        return (self.low + self.high) / 2

    def variance(self) -> Any:
        """:math:`(\\text{high}-\\text{low})^2/12`."""
        return (self.high - self.low) ** 2 / 12

    def second_moment(self) -> Any:
        """:math:`E[x^2] = (\\text{low}^2 + \\text{low}\\,\\text{high} + \\text{high}^2)/3`."""
        return sp.simplify(self.variance() + self.mean_value() ** 2)


@dataclass(frozen=True)
class Mixture:
    """A finite mixture :math:`\\sum_k w_k\\, \\text{component}_k`."""

    weights: tuple
    components: tuple

    def mean_value(self) -> Any:
        return _weighted_sum(self.weights, [c.mean_value() for c in self.components])

    def second_moment(self) -> Any:
        return _weighted_sum(self.weights, [c.second_moment() for c in self.components])


@dataclass(frozen=True)
class PointMasses:
    """A discrete distribution putting weight ``weights[k]`` on ``atoms[k]``."""

    weights: tuple
    atoms: tuple

    def mean_value(self) -> Any:
        return _weighted_sum(self.weights, list(self.atoms))

    def second_moment(self) -> Any:
        def outer(a):
            return a * a.T if isinstance(a, sp.MatrixBase) else a**2
        return _weighted_sum(self.weights, [outer(a) for a in self.atoms])


def _weighted_sum(weights, values) -> Any:
    """:math:`\\sum_k w_k v_k` for scalars or matrices alike (a matrix sum cannot start at 0)."""
    total = None
    for w, v in zip(weights, values):
        total = w * v if total is None else total + w * v
    return sp.S(0) if total is None else total
