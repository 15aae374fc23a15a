"""The posterior kernel shared by diffusion, flow matching and kernel density estimation.

All three ask the same question of a finite weighted data set ``y_1..y_n`` observed through
``x = s * y + sqrt(v) * noise``: how likely each data point is given ``x``, and the posterior mean
of ``y``. With ``log w_j`` the prior log-weights,

.. math:: \\log p(j \\mid x) = \\log w_j - \\frac{\\|x - s y_j\\|^2}{2v} - \\log Z(x).

The ``||x||^2`` term is common to every ``j`` and cancels in the softmax, so logits are
``(s x . y_j - s^2 ||y_j||^2 / 2) / v + log w_j``: one matrix product, stable for far-away ``x``.
Rows of ``x`` are processed in chunks (memory bounded by ``max_bytes`` per chunk) spread over a
thread pool (NumPy releases the GIL in its matrix products and ``exp``).

>>> import numpy as np
>>> y = np.array([[1.0, 0.0], [0.0, 1.0]])
>>> posterior_mean(np.array([[10.0, -10.0]]), 1.0, 1.0, y).round(6)
array([[1., 0.]])
>>> float(log_mixture_density(np.zeros((1, 1)), 1.0, 1.0, np.zeros((1, 1)))[0])  # log N(0; 0, 1)
-0.918938533...
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

#: Upper bound on the bytes of one (chunk, n) block of logits.
DEFAULT_MAX_BYTES = 32 * 2**20
_WORKERS = max(1, min(4, os.cpu_count() or 1))


def as_points(x, name: str = "x") -> np.ndarray:
    """``x`` as a float array of shape (m, d), with a clear error otherwise."""
    a = np.asarray(x, dtype=float)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2:
        raise ValueError(f"{name} must have shape (m, d) or (d,), got shape {np.shape(x)}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def log_prior(weights, n: int) -> np.ndarray:
    """Normalised log-weights of the data points (uniform when ``weights`` is None)."""
    if weights is None:
        return np.full(n, -math.log(n))
    w = np.asarray(weights, dtype=float).ravel()
    if w.shape != (n,) or np.any(w < 0) or not np.all(np.isfinite(w)) or w.sum() <= 0:
        raise ValueError(f"weights must be {n} non-negative finite numbers with a positive sum")
    with np.errstate(divide="ignore"):
        return np.log(w) - math.log(w.sum())


def _check(x, scale, variance, data):
    x, data = as_points(x), as_points(data, "data")
    if x.shape[1] != data.shape[1]:
        raise ValueError(f"x has dimension {x.shape[1]} but data has dimension {data.shape[1]}")
    if not (math.isfinite(variance) and variance > 0):
        raise ValueError(f"variance must be positive and finite, got {variance}")
    if not math.isfinite(scale):
        raise ValueError(f"scale must be finite, got {scale}")
    return x, data


def _chunks(m: int, n: int, max_bytes: int) -> list[slice]:
    rows = max(1, int(max_bytes // (8 * max(n, 1))))
    return [slice(i, min(i + rows, m)) for i in range(0, m, rows)]


def map_row_chunks(fn: Callable[[np.ndarray], np.ndarray], x: np.ndarray, n: int, *,
                   max_bytes: int = DEFAULT_MAX_BYTES, workers: int | None = None) -> np.ndarray:
    """Apply ``fn`` to row chunks of ``x`` (sized so a (rows, n) block fits ``max_bytes``)."""
    parts = _chunks(len(x), n, max_bytes)
    workers = _WORKERS if workers is None else workers
    if workers <= 1 or len(parts) == 1:
        return np.concatenate([fn(x[s]) for s in parts]) if parts else fn(x[:0])
    with ThreadPoolExecutor(workers) as pool:
        return np.concatenate(list(pool.map(lambda s: fn(x[s]), parts)))


def _logits(x: np.ndarray, scale: float, variance: float, data: np.ndarray, logw: np.ndarray,
            data_sq: np.ndarray) -> np.ndarray:
    """Posterior logits up to a per-row constant: ``(s x.y - s^2|y|^2/2)/v + log w``."""
    z = x @ (data.T * (scale / variance))
    z += logw - (0.5 * scale * scale / variance) * data_sq
    return z


def log_posterior(x, scale: float, variance: float, data, weights=None) -> np.ndarray:
    """Log posterior probabilities (m, n) of the data points given each row of ``x``.

    .. math:: \\log p(j \\mid x) = \\log w_j + \\log \\mathcal{N}(x; s y_j, v I) - \\log p(x)
    """
    x, data = _check(x, scale, variance, data)
    logw, data_sq = log_prior(weights, len(data)), np.einsum("ij,ij->i", data, data)

    def block(rows):
        z = _logits(rows, scale, variance, data, logw, data_sq)
        z -= z.max(axis=1, keepdims=True)
        z -= np.log(np.exp(z).sum(axis=1, keepdims=True))
        return z

    return map_row_chunks(block, x, len(data))


def posterior_mean(x, scale: float, variance: float, data, weights=None, *,
                   max_bytes: int = DEFAULT_MAX_BYTES, workers: int | None = None) -> np.ndarray:
    """Posterior mean :math:`E[y \\mid x] = \\sum_j p(j \\mid x)\\, y_j`, shape (m, d)."""
    x, data = _check(x, scale, variance, data)
    logw, data_sq = log_prior(weights, len(data)), np.einsum("ij,ij->i", data, data)

    def block(rows):
        z = _logits(rows, scale, variance, data, logw, data_sq)
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        return (z @ data) / z.sum(axis=1, keepdims=True)

    return map_row_chunks(block, x, len(data), max_bytes=max_bytes, workers=workers)


def log_mixture_density(x, scale: float, variance: float, data, weights=None, *,
                        max_bytes: int = DEFAULT_MAX_BYTES, workers: int | None = None) -> np.ndarray:
    """Log density of the mixture :math:`\\sum_j w_j \\mathcal{N}(x; s y_j, v I)`, shape (m,)."""
    x, data = _check(x, scale, variance, data)
    d = x.shape[1]
    logw, data_sq = log_prior(weights, len(data)), np.einsum("ij,ij->i", data, data)

    def block(rows):
        z = _logits(rows, scale, variance, data, logw, data_sq)
        top = z.max(axis=1)
        z -= top[:, None]
        np.exp(z, out=z)
        sq = np.einsum("ij,ij->i", rows, rows)
        return top + np.log(z.sum(axis=1)) - sq / (2 * variance)

    return map_row_chunks(block, x, len(data), max_bytes=max_bytes, workers=workers) \
        - 0.5 * d * math.log(2 * math.pi * variance)
