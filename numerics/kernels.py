"""The posterior kernel shared by diffusion, flow matching and kernel density estimation.

All three ask the same question of a finite weighted data set ``y_1..y_n`` observed through
``x = s * y + sqrt(v) * noise``: how likely each data point is given ``x``, and the posterior mean
of ``y``. With ``log w_j`` the prior log-weights,

.. math:: \\log p(j \\mid x) = \\log w_j - \\frac{\\|x - s y_j\\|^2}{2v} - \\log Z(x).

The ``||x||^2`` term is common to every ``j`` and cancels in the softmax, so logits are
``(s x . y_j - s^2 ||y_j||^2 / 2) / v + log w_j``, computed about the data mean ``c``
(``x - s c`` and ``y - c``), so far-away data sets cancel no more than centred ones. The bias is
folded into the matrix product (a column of ones beside ``x``), and the posterior mean and its
normaliser come out of a second product with ``[y, 1]``: per block of rows, two matrix products,
one max and one ``exp`` (plus a subtraction of the row maxima when the logits are large).

Rows of ``x`` are processed in blocks (about ``max_bytes`` of logits each, small enough to stay
in cache) spread over a thread pool of both cores; NumPy releases the GIL in its matrix products
and ufuncs. While the pool runs, BLAS is held to one thread per call (through ``threadpoolctl``
when it is installed): nested BLAS threads on an already busy core cost more than they bring.

>>> import numpy as np
>>> y = np.array([[1.0, 0.0], [0.0, 1.0]])
>>> posterior_mean(np.array([[10.0, -10.0]]), 1.0, 1.0, y).round(6)
array([[1., 0.]])
>>> float(log_mixture_density(np.zeros((1, 1)), 1.0, 1.0, np.zeros((1, 1)))[0])  # log N(0; 0, 1)
-0.918938533...
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

#: Upper bound on the bytes of one (rows, n) block of logits: a few MB keeps the max, the
#: subtraction and the exp in cache between the two matrix products.
DEFAULT_MAX_BYTES = 4 * 2**20
#: Below this many logits (m * n) a call runs on the calling thread: the pool is not worth it.
POOL_MIN_ELEMENTS = 2**18
_WORKERS = max(1, min(4, os.cpu_count() or 1))
#: Logits up to this size are exponentiated unshifted: e^500 times 10^12 terms is far from overflow,
#: and the largest term stays a normal number (e^-500 > 1e-218), so no precision is lost.
SAFE_LOGIT = 500.0

_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()
_local = threading.local()  # .in_worker is set inside pool threads: nested calls run serially
_blas = None  # threadpoolctl controller, made on first use (False when not installed)


def _reset_after_fork() -> None:  # a forked child inherits the pool object but not its threads
    global _pool, _pool_size
    _pool, _pool_size = None, 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def _get_pool(workers: int) -> ThreadPoolExecutor:
    """The shared pool, made on first use (and remade larger if more workers are asked for)."""
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size < workers:
            _pool = ThreadPoolExecutor(workers, thread_name_prefix="kernels",
                                       initializer=lambda: setattr(_local, "in_worker", True))
            _pool_size = workers
        return _pool


def _one_blas_thread():
    """Context holding BLAS to one thread (no-op without threadpoolctl)."""
    global _blas
    if _blas is None:
        try:
            from threadpoolctl import ThreadpoolController
            _blas = ThreadpoolController()
        except Exception:  # not installed, or no BLAS found: run as is
            _blas = False
    return _blas.limit(limits=1, user_api="blas") if _blas else contextlib.nullcontext()


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
    if len(data) == 0:
        raise ValueError("data must contain at least one point")
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
    """Apply ``fn`` to row chunks of ``x`` (sized so a (rows, n) block fits ``max_bytes``).

    Chunks run on a shared thread pool when there are several and the work is large enough;
    a call made from inside a pool thread runs serially (no nested pools, no deadlock).
    """
    parts = _chunks(len(x), n, max_bytes)
    workers = _WORKERS if workers is None else workers
    if not parts:
        return fn(x[:0])
    if len(x) * n < POOL_MIN_ELEMENTS or getattr(_local, "in_worker", False):
        return np.concatenate([fn(x[s]) for s in parts])  # small, or nested: no pool, BLAS as is
    with _one_blas_thread():  # skinny products on many blocks: threads come from blocks, not BLAS
        if workers <= 1 or len(parts) == 1:
            return np.concatenate([fn(x[s]) for s in parts])
        return np.concatenate(list(_get_pool(workers).map(lambda s: fn(x[s]), parts)))


class _Problem:
    """The data side of one call, centred at the data mean ``c`` and ready for matrix products.

    ``B`` (d+1, n) holds ``(s/v) (y_j - c)`` and the bias ``log w_j - s^2 |y_j - c|^2 / (2v)``;
    queries become ``[x - s c, 1]`` so that one product gives every logit. Data points of weight
    0 are dropped (``keep``): they have probability 0 and would put ``-inf`` into the product.
    """

    def __init__(self, x, scale: float, variance: float, data, weights):
        x, data = _check(x, scale, variance, data)
        logw = log_prior(weights, len(data))
        self.n_all, self.keep = len(data), None
        if np.isneginf(logw).any():
            self.keep = np.flatnonzero(np.isfinite(logw))
            data, logw = data[self.keep], logw[self.keep]
        self.raw = data
        self.centre = data.mean(axis=0)
        self.data = data - self.centre
        self.m, self.d = x.shape
        self.n = len(data)
        sq = np.einsum("ij,ij->i", self.data, self.data)
        self.variance = variance
        self.B = np.empty((self.d + 1, self.n))
        with np.errstate(over="ignore", invalid="ignore"):
            np.multiply(self.data.T, scale / variance, out=self.B[:-1])
            self.B[-1] = logw - (0.5 * scale * scale / variance) * sq
        if not np.all(np.isfinite(self.B[:-1])) or np.isnan(self.B[-1]).any() or np.isposinf(self.B[-1]).any():
            self._overflow()
        self.xa = np.empty((self.m, self.d + 1))
        np.subtract(x, scale * self.centre, out=self.xa[:, :-1])
        self.xa[:, -1] = 1.0

    def _overflow(self):
        raise ValueError(f"posterior logits overflow: variance {self.variance!r} is too small "
                         "for the distances between the points and the data")

    def row_max(self, z: np.ndarray) -> np.ndarray:
        """Row maxima of a block of logits; a clear error if the logits overflowed."""
        top = z.max(axis=1)
        if not np.all(np.isfinite(top)):
            self._overflow()
        return top

    def weights(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unnormalised posterior weights ``exp(logit - shift)`` (r, n) of a block, and ``shift`` (r,).

        The shift is the row maximum, as usual, unless every maximum of the block lies in
        ``[-SAFE_LOGIT, SAFE_LOGIT]``: then ``exp`` can neither overflow nor lose the leading terms
        to underflow, and the shift is 0 (one pass over the block saved). A clear error if the
        logits themselves overflow.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            z = rows @ self.B
        top = self.row_max(z)
        if -SAFE_LOGIT <= top.min() and top.max() <= SAFE_LOGIT:
            top[:] = 0.0
        else:
            z -= top[:, None]
        return np.exp(z, out=z), top

    def map(self, fn: Callable[[np.ndarray], np.ndarray], **kw) -> np.ndarray:
        return map_row_chunks(fn, self.xa, self.n, **kw)


def log_posterior(x, scale: float, variance: float, data, weights=None) -> np.ndarray:
    """Log posterior probabilities (m, n) of the data points given each row of ``x``.

    .. math:: \\log p(j \\mid x) = \\log w_j + \\log \\mathcal{N}(x; s y_j, v I) - \\log p(x)
    """
    p = _Problem(x, scale, variance, data, weights)

    def block(rows):
        z = rows @ p.B
        z -= p.row_max(z)[:, None]  # first the max, then the log-sum: logits may be ~1e18
        z -= np.log(np.exp(z).sum(axis=1, keepdims=True))
        return z

    out = p.map(block)
    if p.keep is None:
        return out
    full = np.full((p.m, p.n_all), -np.inf)
    full[:, p.keep] = out
    return full


def posterior_mean(x, scale: float, variance: float, data, weights=None, *,
                   max_bytes: int = DEFAULT_MAX_BYTES, workers: int | None = None) -> np.ndarray:
    """Posterior mean :math:`E[y \\mid x] = \\sum_j p(j \\mid x)\\, y_j`, shape (m, d).

    Unnormalised weights ``e_j = exp(logit_j - max)`` times ``[y, 1]``: numerator and
    normaliser :math:`\\sum_j e_j` from one product. The data enter uncentred here, so that a
    posterior concentrated on one point returns that point exactly.
    """
    p = _Problem(x, scale, variance, data, weights)
    y1t = np.empty((p.d + 1, p.n))
    y1t[:-1], y1t[-1] = p.raw.T, 1.0

    def block(rows):
        e, _ = p.weights(rows)
        s = (y1t @ e.T).T  # (r, d+1): this orientation of the product is the faster one in BLAS
        return s[:, :-1] / s[:, -1:]

    return p.map(block, max_bytes=max_bytes, workers=workers)


def log_mixture_density(x, scale: float, variance: float, data, weights=None, *,
                        max_bytes: int = DEFAULT_MAX_BYTES, workers: int | None = None) -> np.ndarray:
    """Log density of the mixture :math:`\\sum_j w_j \\mathcal{N}(x; s y_j, v I)`, shape (m,)."""
    p = _Problem(x, scale, variance, data, weights)

    def block(rows):
        e, shift = p.weights(rows)
        xc = rows[:, :-1]
        return shift + np.log(e.sum(axis=1)) - np.einsum("ij,ij->i", xc, xc) / (2 * variance)

    return p.map(block, max_bytes=max_bytes, workers=workers) \
        - 0.5 * p.d * math.log(2 * math.pi * variance)
