"""A small normalizing flow: invertible layers pushing a standard normal forward.

Sampling runs the layers forwards, :math:`x = f_K \\circ \\dots \\circ f_1(z)` with
:math:`z \\sim \\mathcal{N}(0, I)`. The density runs them backwards and adds the log-determinants
of the inverse Jacobians (change of variables),

.. math:: \\log p(x) = \\log \\mathcal{N}(z; 0, I) + \\sum_{k=1}^K \\log\\Big|\\det \\frac{\\partial u_{k-1}}{\\partial u_k}\\Big|,
          \\qquad u_K = x,\\ u_{k-1} = f_k^{-1}(u_k),\\ z = u_0.

Two kinds of layer, each with a closed-form inverse and an exact log-determinant:

* :class:`ElementwiseSinh`, :math:`y = \\sinh(a \\odot u + b)` with a > 0 (monotone per coordinate),
  inverse :math:`u = (\\operatorname{asinh} y - b)/a`, log-determinant
  :math:`-\\sum_j [\\log a_j + \\tfrac12\\log(1 + y_j^2)]`;
* :class:`AffineCoupling` (RealNVP), :math:`y_T = u_T \\odot e^{s(u_C)} + t(u_C)`, :math:`y_C = u_C`,
  whose Jacobian is triangular: log-determinant of the inverse :math:`-\\sum_j s_j(y_C)`. The scale
  and shift are a one-hidden-layer tanh network of the untouched coordinates.

What is learned are the layers' parameters (by maximising :math:`\\sum_i \\log p(x^{(i)})`).

>>> import numpy as np
>>> flow = Flow.random(2, rng=0)
>>> z = np.random.default_rng(1).standard_normal((3, 2))
>>> back, _ = flow.inverse(flow.forward(z))
>>> bool(np.allclose(back, z))
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

_LOG_2PI = math.log(2.0 * math.pi)


def _points(u, d: int) -> np.ndarray:
    u = np.asarray(u, dtype=float)
    u = u[None, :] if u.ndim == 1 else u
    if u.ndim != 2 or u.shape[1] != d:
        raise ValueError(f"points must have shape (m, {d}), got shape {np.shape(u)}")
    return u


@dataclass(frozen=True)
class ElementwiseSinh:
    """:math:`y = \\sinh(a \\odot u + b)`, a monotone map of each coordinate (``a`` > 0)."""

    a: np.ndarray
    b: np.ndarray

    def __post_init__(self) -> None:
        a, b = np.asarray(self.a, dtype=float).ravel(), np.asarray(self.b, dtype=float).ravel()
        if a.shape != b.shape or not np.all(a > 0) or not np.all(np.isfinite(b)):
            raise ValueError("ElementwiseSinh needs a > 0 and finite b of one shape")
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)

    @property
    def d(self) -> int:
        return self.a.size

    def forward(self, u) -> np.ndarray:
        return np.sinh(self.a * _points(u, self.d) + self.b)

    def inverse(self, y) -> tuple[np.ndarray, np.ndarray]:
        """``(u, log|det du/dy|)``: :math:`u = (\\operatorname{asinh} y - b)/a`."""
        y = _points(y, self.d)
        u = (np.arcsinh(y) - self.b) / self.a
        # du/dy = 1 / (a sqrt(1 + y^2)) for each coordinate
        logdet = -(np.log(self.a).sum() + 0.5 * np.log1p(y * y).sum(axis=1))
        return u, logdet


@dataclass(frozen=True)
class AffineCoupling:
    """RealNVP coupling: coordinates ``mask`` pass through and set scale and shift of the others.

    :math:`h = \\tanh(u_C W_1 + c_1)`, :math:`s = h W_s`, :math:`t = h W_t + c_t`.
    """

    mask: np.ndarray
    W1: np.ndarray
    c1: np.ndarray
    Ws: np.ndarray
    Wt: np.ndarray
    ct: np.ndarray

    def __post_init__(self) -> None:
        mask = np.asarray(self.mask, dtype=bool).ravel()
        kc, kt = int(mask.sum()), int((~mask).sum())
        if kc == 0 or kt == 0:
            raise ValueError("mask must keep at least one coordinate and transform at least one")
        hidden = np.asarray(self.c1).size
        shapes = {"W1": (kc, hidden), "c1": (hidden,), "Ws": (hidden, kt), "Wt": (hidden, kt), "ct": (kt,)}
        object.__setattr__(self, "mask", mask)
        for name, shape in shapes.items():
            value = np.asarray(getattr(self, name), dtype=float)
            if value.shape != shape:
                raise ValueError(f"{name} must have shape {shape}, got {value.shape}")
            object.__setattr__(self, name, value)

    @property
    def d(self) -> int:
        return self.mask.size

    def scale_shift(self, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h = np.tanh(kept @ self.W1 + self.c1)
        return h @ self.Ws, h @ self.Wt + self.ct

    def forward(self, u) -> np.ndarray:
        u = _points(u, self.d)
        s, t = self.scale_shift(u[:, self.mask])
        y = u.copy()
        y[:, ~self.mask] = u[:, ~self.mask] * np.exp(s) + t  # scale and shift the others
        return y

    def inverse(self, y) -> tuple[np.ndarray, np.ndarray]:
        """``(u, log|det du/dy|)``: undo the shift, then the scale; the log-determinant is :math:`-\\sum s`."""
        y = _points(y, self.d)
        s, t = self.scale_shift(y[:, self.mask])  # y_C = u_C, so s and t are known from y
        u = y.copy()
        u[:, ~self.mask] = (y[:, ~self.mask] - t) * np.exp(-s)
        return u, -s.sum(axis=1)


@dataclass(frozen=True)
class Flow:
    """A standard normal base pushed through ``layers`` in order."""

    layers: tuple

    def __post_init__(self) -> None:
        if not self.layers:
            raise ValueError("a flow needs at least one layer")
        dims = {layer.d for layer in self.layers}
        if len(dims) != 1:
            raise ValueError(f"all layers must act on one dimension, got {sorted(dims)}")
        object.__setattr__(self, "layers", tuple(self.layers))

    @property
    def d(self) -> int:
        return self.layers[0].d

    @classmethod
    def random(cls, d: int, *, rng, n_couplings: int = 2, hidden: int = 8, scale: float = 0.6) -> "Flow":
        """Alternating couplings followed by an elementwise sinh, with random parameters.

        Weights have sd 1 (first layer), ``scale`` (log-scale) and ``2 scale`` (shift) over sqrt(fan-in),
        biases sd 0.5; the sinh layer has :math:`a \\in [0.4, 0.8]`, :math:`b \\in [-0.5, 0.5]`.
        """
        if d < 1:
            raise ValueError(f"d must be a positive integer, got {d}")
        g = np.random.default_rng(rng)
        layers = []
        for k in range(n_couplings if d > 1 else 0):
            mask = (np.arange(d) % 2 == k % 2)
            kc, kt = int(mask.sum()), d - int(mask.sum())
            layers.append(AffineCoupling(
                mask, g.normal(0, 1 / math.sqrt(kc), (kc, hidden)), g.normal(0, 0.5, hidden),
                g.normal(0, scale / math.sqrt(hidden), (hidden, kt)),
                g.normal(0, 2 * scale / math.sqrt(hidden), (hidden, kt)), g.normal(0, 0.5, kt)))
        layers.append(ElementwiseSinh(g.uniform(0.4, 0.8, d), g.uniform(-0.5, 0.5, d)))
        return cls(tuple(layers))

    def forward(self, z) -> np.ndarray:
        """Push base points z (m, d) through every layer: the sampling direction."""
        x = _points(z, self.d)
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def inverse(self, x) -> tuple[np.ndarray, np.ndarray]:
        """``(z, sum of log|det|)``: pull x back through the layers in reverse order."""
        u = _points(x, self.d)
        total = np.zeros(len(u))
        for layer in reversed(self.layers):
            u, logdet = layer.inverse(u)
            total += logdet
        return u, total

    def log_density(self, x) -> np.ndarray:
        """:math:`\\log p(x) = \\log \\mathcal{N}(f^{-1}(x); 0, I) + \\log|\\det J_{f^{-1}}(x)|`, shape (m,)."""
        z, logdet = self.inverse(x)
        return -0.5 * (np.einsum("ij,ij->i", z, z) + self.d * _LOG_2PI) + logdet

    def sample(self, n: int, *, rng) -> np.ndarray:
        """``n`` draws: standard normal base points pushed forward, shape (n, d)."""
        return self.forward(np.random.default_rng(rng).standard_normal((int(n), self.d)))
