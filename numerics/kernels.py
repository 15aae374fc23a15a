"""The posterior kernel shared by diffusion, flow matching and kernel density estimation.

All three ask the same question of a finite weighted data set ``y_1..y_n`` observed through
``x = s * y + sqrt(v) * noise``: how likely each data point is given ``x``, and the posterior mean
of ``y``. With ``log w_j`` the prior log-weights,

.. math:: \\log p(j \\mid x) = \\log w_j - \\frac{\\|x - s y_j\\|^2}{2v} - \\log Z(x).

The ``||x||^2`` term is common to every ``j`` and cancels in the softmax, so logits are
``(s x . y_j - s^2 ||y_j||^2 / 2) / v + log w_j``, computed about the data mean ``c``
(``x - s c`` and ``y - c``), so far-away data sets cancel no more than centred ones. The bias,
and a per-query shift ``h(x)`` that bounds the logits from above, are folded into the matrix
product (extra columns beside ``x``), so no pass over the logits is spent finding their maxima.

The posterior mean and the density walk the data in tiles of about ``TILE_BYTES`` of logits
(``TILE_ROWS`` queries by a block of data points): each tile is made by one matrix product,
exponentiated in place and multiplied by ``[y, 1]`` while it is still in the core's cache, and
the (rows, d+1) sums are accumulated. Per tile: two matrix products and one ``exp``, nothing
else of size m*n. Query blocks are spread over a thread pool of both cores; NumPy releases
the GIL in its matrix products and ufuncs. While the pool runs, BLAS is held to one thread per
call (through ``threadpoolctl`` when it is installed): nested BLAS threads on an already busy
core cost more than they bring.

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

#: Upper bound on the bytes of one (rows, n) block of logits (log_posterior, which returns them all).
DEFAULT_MAX_BYTES = 4 * 2**20
#: Bytes of one tile of logits in the posterior mean and the mixture density: small enough that
#: the tile stays in a core's L2 cache between its product, its exp and the product with the data.
TILE_BYTES = 2**19
#: Preferred number of query rows in a tile (the rest of its bytes go to data columns).
TILE_ROWS = 128
#: Below this many logits (m * n) a call runs on the calling thread: the pool is not worth it.
POOL_MIN_ELEMENTS = 2**18
_WORKERS = max(1, min(4, os.cpu_count() or 1))
#: A row whose shifted weights sum to less than this is recomputed with its exact maximum: above
#: it, the largest of at most 10^12 terms is > 1e-262, a normal number, and the terms lost to
#: underflow (< 1e-308) are below 1e-46 of it.
MIN_NORMALISER = 1e-250

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


def _chunks(m: int, rows: int) -> list[slice]:
    return [slice(i, min(i + rows, m)) for i in range(0, m, rows)]


def tile_shape(n: int, max_bytes: int) -> tuple[int, int]:
    """(rows, columns) of a tile of logits of at most ``max_bytes``: ``TILE_ROWS`` rows when the
    data set is large, all ``n`` columns (and more rows) when it is small.

    >>> tile_shape(20_000, 2**19), tile_shape(100, 2**19), tile_shape(5, 8)
    ((128, 512), (655, 100), (1, 1))
    """
    cols = max(1, min(n, max_bytes // (8 * TILE_ROWS)))
    return max(1, max_bytes // (8 * cols)), cols


def map_row_chunks(fn: Callable[[np.ndarray], np.ndarray], x: np.ndarray, n: int, *,
                   max_bytes: int = DEFAULT_MAX_BYTES, workers: int | None = None,
                   rows: int | None = None) -> np.ndarray:
    """Apply ``fn`` to row chunks of ``x``: ``rows`` rows each, by default as many as keep a
    (rows, n) block within ``max_bytes``.

    Chunks run on a shared thread pool when there are several and the work is large enough;
    a call made from inside a pool thread runs serially (no nested pools, no deadlock).
    """
    if rows is None:
        rows = max(1, int(max_bytes // (8 * max(n, 1))))
    parts = _chunks(len(x), rows)
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

    ``B`` (d+2, n) holds ``(s/v) (y_j - c)``, the bias ``log w_j - s^2 |y_j - c|^2 / (2v)`` and a
    row of ones; a query becomes ``[x - s c, 1, -h(x)]`` so that one product gives every logit
    minus the row's shift ``h``. Data points of weight 0 are dropped (``keep``): they have
    probability 0 and would put ``-inf`` into the product.

    The shift is an upper bound on the row's logits known before the product,

    .. math:: h(x) = \\max_j \\log w_j + \\frac{\\|x - s c\\|^2}{2v}
              \\;\\ge\\; \\log w_j + \\frac{\\|x - sc\\|^2 - \\|x - s c - s (y_j - c)\\|^2}{2v},

    so ``exp`` of the shifted logits never overflows, and no pass over the logits is spent on
    their row maximum. Rows whose shifted terms all underflow (a point far from every data
    point, relative to ``sqrt(v)``) are recomputed with the exact row maximum (:meth:`weights`).
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
        self.log_w_max = float(logw.max())
        self.B = np.empty((self.d + 2, self.n))
        with np.errstate(over="ignore", invalid="ignore"):
            np.multiply(self.data.T, scale / variance, out=self.B[:-2])
            self.B[-2] = logw - (0.5 * scale * scale / variance) * sq
        self.B[-1] = 1.0
        if not np.all(np.isfinite(self.B[:-2])) or np.isnan(self.B[-2]).any() or np.isposinf(self.B[-2]).any():
            self._overflow()
        self.xa = np.empty((self.m, self.d + 2))
        np.subtract(x, scale * self.centre, out=self.xa[:, :-2])
        self.xa[:, -2] = 1.0
        with np.errstate(over="ignore"):
            xc = self.xa[:, :-2]
            self.xa[:, -1] = -(self.log_w_max + np.einsum("ij,ij->i", xc, xc) / (2 * variance))
        if not np.all(np.isfinite(self.xa[:, -1])):
            self._overflow()

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
        """Posterior weights ``exp(logit - top)`` (r, n) of a block, shifted by the exact row maxima
        ``top`` (r,); a clear error if the logits themselves overflow."""
        with np.errstate(over="ignore", invalid="ignore"):
            z = rows[:, :-1] @ self.B[:-1]
        top = self.row_max(z)
        z -= top[:, None]
        return np.exp(z, out=z), top

    def sums(self, rows: np.ndarray, values: np.ndarray, tile_cols: int) -> tuple[np.ndarray, np.ndarray]:
        """Weighted sums of ``values`` (n, k) for a block of query rows: ``S`` (r, k) and ``log_scale`` (r,) with

        .. math:: \\sum_j w_j\\, e^{-\\|x - s y_j\\|^2 / (2v)}\\, \\mathrm{values}_j = e^{\\mathrm{log\\_scale}}\\, S.

        Columns are taken ``tile_cols`` at a time, so each tile of logits is made, exponentiated
        and multiplied by ``values`` while it is still in cache: two matrix products and one
        ``exp`` per tile. The last column of ``values`` must be ones (its sum is the normaliser);
        a row whose normaliser underflowed below ``MIN_NORMALISER``, or whose sums overflowed, is
        redone with its exact maximum as the shift.
        """
        acc = np.zeros((len(rows), values.shape[1]))
        tile = np.empty((len(rows), min(tile_cols, self.n)))
        with np.errstate(under="ignore", over="ignore", invalid="ignore"):  # caught below, row by row
            for j in range(0, self.n, tile_cols):
                cols = slice(j, min(j + tile_cols, self.n))
                z = np.matmul(rows, self.B[:, cols], out=tile[:, :cols.stop - cols.start])
                acc += np.exp(z, out=z) @ values[cols]
        log_scale = np.full(len(rows), self.log_w_max)  # e^(logit - h) = (w_j / w_max) e^(-|x - s y_j|^2 / 2v)
        # far from every data point (the sum underflowed), or the bound h itself rounded below a
        # logit by more than ~709 (variance ~1e-18: a query on the path at t = T_MAX, whose logits
        # are differences of terms ~1e19), so that exp overflowed: exact maxima (the slow path)
        low = np.flatnonzero(~(acc[:, -1] >= MIN_NORMALISER) | ~np.isfinite(acc).all(axis=1))
        if len(low):
            e, top = self.weights(rows[low])
            xc = rows[low, :-2]
            acc[low], log_scale[low] = e @ values, top - np.einsum("ij,ij->i", xc, xc) / (2 * self.variance)
        return acc, log_scale

    def map(self, fn: Callable[[np.ndarray], np.ndarray], **kw) -> np.ndarray:
        return map_row_chunks(fn, self.xa, self.n, **kw)

    def map_tiles(self, values: np.ndarray, finish: Callable, *, max_bytes: int, workers: int | None):
        """``finish(rows, S, log_scale)`` over row blocks of the queries, with :meth:`sums` tiled to ``max_bytes``."""
        rows, cols = tile_shape(self.n, max_bytes)
        rows = min(rows, max(1, -(-self.m // _WORKERS)))  # few queries: still one block per worker
        return map_row_chunks(lambda r: finish(r, *self.sums(r, values, cols)), self.xa, self.n,
                              rows=rows, workers=workers)


def log_posterior(x, scale: float, variance: float, data, weights=None) -> np.ndarray:
    """Log posterior probabilities (m, n) of the data points given each row of ``x``.

    .. math:: \\log p(j \\mid x) = \\log w_j + \\log \\mathcal{N}(x; s y_j, v I) - \\log p(x)
    """
    p = _Problem(x, scale, variance, data, weights)

    def block(rows):
        z = rows[:, :-1] @ p.B[:-1]  # the logits, unshifted
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
                   max_bytes: int = TILE_BYTES, workers: int | None = None) -> np.ndarray:
    """Posterior mean :math:`E[y \\mid x] = \\sum_j p(j \\mid x)\\, y_j`, shape (m, d).

    Shifted weights ``e_j = exp(logit_j - h)`` times ``[y, 1]``: numerator and normaliser
    :math:`\\sum_j e_j` from one product per tile. The data enter uncentred here, so that a
    posterior concentrated on one point returns that point exactly.
    """
    p = _Problem(x, scale, variance, data, weights)
    values = np.empty((p.n, p.d + 1))
    values[:, :-1], values[:, -1] = p.raw, 1.0
    return p.map_tiles(values, lambda rows, s, log_scale: s[:, :-1] / s[:, -1:], max_bytes=max_bytes, workers=workers)


def log_mixture_density(x, scale: float, variance: float, data, weights=None, *,
                        max_bytes: int = TILE_BYTES, workers: int | None = None) -> np.ndarray:
    """Log density of the mixture :math:`\\sum_j w_j \\mathcal{N}(x; s y_j, v I)`, shape (m,).

    .. math:: \\log p(x) = \\log \\sum_j w_j\\, e^{-\\|x - s y_j\\|^2 / (2v)} - \\frac d2 \\log(2\\pi v)

    Accuracy: each logit sums d + 2 products of size up to :math:`A (A + M) / v`, with
    :math:`A = \\|x - s c\\| + |s| R` (c the data mean, R the largest :math:`\\|y_j - c\\|`) and
    :math:`M = \\|x\\| + |s| (\\|c\\| + R)` (the uncentred sizes, whose rounding the centring
    inherits), so the absolute error is at most about

    .. math:: (d + 4)\\, \\tfrac{\\varepsilon}{2} \\big(A (A + M) / v + |\\log p(x)| + d\\big):

    a few ulps for v of order 1, but about :math:`10^4` nats at :math:`v = (1 - t)^2 = 10^{-18}`
    (flow matching at ``T_MAX``), which is why :func:`numerics.flow_matching.marginal_log_density`
    computes its Gaussian term from :math:`x - t y_j` directly.
    """
    p = _Problem(x, scale, variance, data, weights)
    log_sum = p.map_tiles(np.ones((p.n, 1)), lambda rows, s, log_scale: log_scale + np.log(s[:, 0]),
                          max_bytes=max_bytes, workers=workers)
    return log_sum - 0.5 * p.d * math.log(2 * math.pi * variance)
