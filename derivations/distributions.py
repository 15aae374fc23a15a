"""Symbolic distributions used as answers: Gaussians, finite mixtures and point masses.

They are plain containers of SymPy expressions; ``derive verify`` compares them by moments.

>>> import sympy as sp
>>> a = sp.Symbol("alphabar_t", positive=True)
>>> g = Gaussian(sp.sqrt(a), 1 - a)
>>> g.second_moment()
1
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
        return sum((w * c.mean_value() for w, c in zip(self.weights, self.components)), sp.S(0))

    def second_moment(self) -> Any:
        return sum((w * c.second_moment() for w, c in zip(self.weights, self.components)), sp.S(0))


@dataclass(frozen=True)
class PointMasses:
    """A discrete distribution putting weight ``weights[k]`` on ``atoms[k]``."""

    weights: tuple
    atoms: tuple

    def mean_value(self) -> Any:
        return sum((w * a for w, a in zip(self.weights, self.atoms)), sp.S(0))

    def second_moment(self) -> Any:
        def outer(a):
            return a * a.T if isinstance(a, sp.MatrixBase) else a**2
        return sum((w * outer(a) for w, a in zip(self.weights, self.atoms)), sp.S(0))
