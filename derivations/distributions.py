"""Symbolic distributions used as answers: Gaussians, finite mixtures and point masses.

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
