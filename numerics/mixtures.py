"""Mixtures of spherical Gaussians in d dimensions: sampling, log-densities and EM.

The model is :math:`P(x \\mid \\theta) = \\sum_{z=1}^k p_z\\, \\mathcal{N}(x; \\mu_z, \\sigma_z^2 I)`, with
``weights`` (k,), ``means`` (k, d) and ``variances`` (k,). Every kernel works in log space on row
chunks of the data (memory bounded for n = 10^6), with squared distances from one matrix product,

.. math:: \\|x - \\mu\\|^2 = \\|x - c\\|^2 - 2 (x - c)\\cdot(\\mu - c) + \\|\\mu - c\\|^2 \\ \\ (\\ge 0),

taken about a centre ``c`` near the data so that the cancellation stays small.

>>> import numpy as np
>>> X = np.array([[-1.0], [1.0], [9.0], [11.0]])
>>> resp = e_step(X, [0.5, 0.5], [[0.0], [10.0]], [1.0, 1.0])
>>> resp.round(6)
array([[1., 0.],
       [1., 0.],
       [0., 1.],
       [0., 1.]])
>>> w, m, v = m_step(X, resp.round(6))
>>> w, m.ravel(), v
(array([0.5, 0.5]), array([ 0., 10.]), array([1., 1.]))
>>> m_step(X[:3], resp[:3].round(6))  # component 1 sits on one point: its variance would be 0
Traceback (most recent call last):
...
ValueError: component 1 collapsed: its M-step variance is 0 to working precision (its responsibility sits on coincident points), so the likelihood is unbounded there; restart EM or regularise the variances
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from numerics.lazy import lazy

optimize = lazy("scipy.optimize")


#: Rows of the data processed together in the E-step: (rows, k) and (rows, d) blocks stay in cache,
#: and each matrix product stays below OpenBLAS's threading threshold (threads come from our pool).
CHUNK_ROWS = 1024
#: Rows per block where the work is elementwise (no matrix product): bigger blocks, less overhead.
WIDE_CHUNK_ROWS = 65536
_WORKERS = max(1, min(2, os.cpu_count() or 1))
_LOG_2PI = math.log(2 * math.pi)
_EPS = np.finfo(float).eps


# --------------------------------------------------------------------------- validation


def _as_data(X) -> np.ndarray:
    a = np.asarray(X, dtype=float)
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"X must be a non-empty array of shape (n, d), got shape {np.shape(X)}")
    return a


def check_parameters(weights, means, variances, d: int | None = None):
    """The parameters as float arrays of shapes (k,), (k, d), (k,), or a ValueError naming the fault.

    >>> check_parameters([0.5, 0.5], [[0.0], [1.0]], [1.0, 0.0])
    Traceback (most recent call last):
    ...
    ValueError: component 1 has variance 0.0; a spherical Gaussian needs a variance > 0
    """
    w = np.asarray(weights, dtype=float)
    m = np.asarray(means, dtype=float)
    v = np.asarray(variances, dtype=float)
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"weights must have shape (k,), got shape {w.shape}")
    k = w.size
    if m.ndim != 2 or m.shape[0] != k or (d is not None and m.shape[1] != d):
        want = f"({k}, {d})" if d is not None else f"({k}, d)"
        raise ValueError(f"means must have shape {want}, got shape {m.shape}")
    if v.shape != (k,):
        raise ValueError(f"variances must have shape ({k},), got shape {v.shape}")
    if not (np.all(np.isfinite(w)) and np.all(w >= 0) and abs(w.sum() - 1.0) <= 1e-9 * k):
        raise ValueError(f"weights must be non-negative and sum to 1, got {w} (sum {w.sum()!r})")
    if not np.all(np.isfinite(m)):
        raise ValueError("means contain NaN or infinite values")
    for j, vj in enumerate(v):
        if not math.isfinite(vj) or vj < 0:
            raise ValueError(f"component {j} has variance {vj}; a variance must be finite and > 0")
        if vj == 0:
            raise ValueError(f"component {j} has variance 0.0; a spherical Gaussian needs a variance > 0")
    return w, m, v


# --------------------------------------------------------------------------- chunked kernels


def _for_chunks(fn: Callable[[slice], object], n: int, rows: int | None = None) -> list:
    """``fn`` on every row slice of ``range(n)``, spread over a small thread pool (BLAS and ufuncs
    release the GIL); results in order."""
    rows = CHUNK_ROWS if rows is None else rows
    parts = [slice(i, min(i + rows, n)) for i in range(0, n, rows)]
    if _WORKERS <= 1 or len(parts) < 4:
        return [fn(s) for s in parts]
    with ThreadPoolExecutor(_WORKERS) as pool:
        return list(pool.map(fn, parts))


class _Components:
    """Precomputed per-component constants of the log joint ``log p_z + log N(x; mu_z, s_z I)``."""

    def __init__(self, weights, means, variances, d: int):
        w, m, v = check_parameters(weights, means, variances, d)
        self.centre = w @ m  # a point among the means: distances about it cancel little
        self.shifted = m - self.centre
        self.shifted_sq = np.einsum("ij,ij->i", self.shifted, self.shifted)
        self.minus_half_precision = -0.5 / v
        with np.errstate(divide="ignore"):  # a weight of 0 gives log p_z = -inf: that component is off
            self.offset = np.log(w) - 0.5 * d * (_LOG_2PI + np.log(v))

    def log_joint(self, rows: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """(m, k) log joint of a block of rows: one matrix product, distances clipped at 0."""
        xc = rows - self.centre
        sq = np.einsum("ij,ij->i", xc, xc)
        a = np.matmul(xc, self.shifted.T, out=out)
        a *= -2.0
        a += sq[:, None]
        a += self.shifted_sq
        np.maximum(a, 0.0, out=a)  # squared distance, never negative after rounding
        a *= self.minus_half_precision
        a += self.offset
        return a


def _normalise_rows(a: np.ndarray, start: int, rows: np.ndarray) -> np.ndarray:
    """Turn a block of log joints into responsibilities in place; return log p(x) per row."""
    top = a.max(axis=1)
    if not np.all(np.isfinite(top)):
        r = int(np.flatnonzero(~np.isfinite(top))[0])
        if not np.all(np.isfinite(rows[r])):
            raise ValueError(f"X contains NaN or infinite values (row {start + r})")
        raise ValueError(f"point {start + r} has density 0 (underflow) under every component; "
                         "a variance is too small for its distance to the means")
    a -= top[:, None]
    np.exp(a, out=a)
    total = a.sum(axis=1)
    a /= total[:, None]
    return top + np.log(total)


def _e_step(X: np.ndarray, comps: _Components, k: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(X)
    resp = np.empty((n, k))
    log_norm = np.empty(n)

    def block(s: slice) -> None:
        rows = X[s]
        a = comps.log_joint(rows, out=resp[s])
        log_norm[s] = _normalise_rows(a, s.start, rows)

    _for_chunks(block, n)
    return resp, log_norm


def e_step(X, weights, means, variances) -> np.ndarray:
    """Responsibilities :math:`Q(z \\mid x^i) = P(z \\mid x^i, \\theta)`, shape (n, k), computed in log space.

    .. math:: Q(z \\mid x) = \\frac{p_z \\mathcal{N}(x; \\mu_z, \\sigma_z^2 I)}{\\sum_y p_y \\mathcal{N}(x; \\mu_y, \\sigma_y^2 I)}

    Far-away points get finite responsibilities (the largest log term is subtracted first).

    >>> e_step([[1e6]], [0.5, 0.5], [[0.0], [1.0]], [1.0, 1.0]).tolist()
    [[0.0, 1.0]]
    """
    X = _as_data(X)
    k = np.asarray(weights).size
    return _e_step(X, _Components(weights, means, variances, X.shape[1]), k)[0]


def log_density(X, weights, means, variances) -> np.ndarray:
    """Log density of every row, shape (n,), by log-sum-exp over the components.

    .. math:: \\log P(x \\mid \\theta) = \\operatorname{logsumexp}_z \\big[\\log p_z + \\log \\mathcal{N}(x; \\mu_z, \\sigma_z^2 I)\\big]

    >>> round(float(log_density([[0.0]], [1.0], [[0.0]], [1.0])[0]), 6)  # log N(0; 0, 1)
    -0.918939
    """
    X = _as_data(X)
    comps = _Components(weights, means, variances, X.shape[1])
    out = np.empty(len(X))

    def block(s: slice) -> None:
        rows = X[s]
        out[s] = _normalise_rows(comps.log_joint(rows), s.start, rows)

    _for_chunks(block, len(X))
    return out


def log_likelihood(X, weights, means, variances) -> float:
    """:math:`\\sum_i \\log P(x^i \\mid \\theta)` of the data set."""
    return float(log_density(X, weights, means, variances).sum())


def elbo(X, resp, weights, means, variances) -> float:
    """The evidence lower bound of responsibilities ``resp`` (n, k) at parameters theta.

    .. math:: \\mathrm{ELBO}(Q;\\theta) = \\sum_i \\sum_z Q(z\\mid x^i)\\big[\\log p_z \\mathcal{N}(x^i;\\mu_z,\\sigma_z^2 I) - \\log Q(z \\mid x^i)\\big]

    Terms with :math:`Q = 0` contribute 0 (the limit of :math:`q \\log q`). At ``resp = e_step(...)``
    it equals the log-likelihood.
    """
    X = _as_data(X)
    r = np.asarray(resp, dtype=float)
    k = np.asarray(weights).size
    if r.shape != (len(X), k):
        raise ValueError(f"resp must have shape ({len(X)}, {k}), got shape {r.shape}")
    comps = _Components(weights, means, variances, X.shape[1])

    def block(s: slice) -> float:
        q = r[s]
        a = comps.log_joint(X[s])
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(q > 0, q * (a - np.log(q)), 0.0)
        return float(terms.sum())

    return float(sum(_for_chunks(block, len(X))))


def m_step(X, resp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The parameters maximising :math:`\\mathrm{ELBO}(Q; \\theta)` for responsibilities ``resp``.

    .. math:: p_z = \\tfrac{N_z}{n},\\ \\mu_z = \\tfrac{1}{N_z}\\sum_i Q(z\\mid x^i) x^i,\\ \\sigma_z^2 = \\tfrac{1}{d N_z}\\sum_i Q(z\\mid x^i)\\|x^i - \\mu_z\\|^2,\\ N_z = \\sum_i Q(z\\mid x^i)

    Sums are taken about the mean ``c`` of the first rows (shift invariance): one matrix product
    for the first moments, and squared norms about ``c`` computed over row chunks. A component with no responsibility, or whose variance is 0 to working precision
    (it sits on coincident points), raises a ValueError naming it.
    """
    X = _as_data(X)
    r = np.asarray(resp, dtype=float)
    n, d = X.shape
    if r.ndim != 2 or r.shape[0] != n:
        raise ValueError(f"resp must have shape ({n}, k), got shape {r.shape}")
    centre = X[:CHUNK_ROWS].mean(axis=0)

    def rows_checked(s: slice) -> np.ndarray:
        q = r[s]
        if q.size and (q.min() < 0 or np.abs(np.einsum("ij->i", q) - 1.0).max() > 1e-6):
            raise ValueError(f"resp rows {s.start}..{s.stop - 1} are not probability vectors "
                             "(entries >= 0 summing to 1)")
        xc = X[s] - centre
        return np.einsum("ij,ij->i", xc, xc)  # ||x - c||^2 per row

    sq = np.concatenate(_for_chunks(rows_checked, n, WIDE_CHUNK_ROWS))
    counts = np.einsum("ij->j", r)  # (einsum: several times faster than r.sum(axis=0) here)
    first = r.T @ X - np.outer(counts, centre)  # sum_i Q x^i about c: one matrix product
    second = r.T @ sq
    for j in np.flatnonzero(~(counts > 0)):
        raise ValueError(f"component {j} has total responsibility 0, so its mean is undefined")
    shifted_means = first / counts[:, None]
    raw = second / counts  # average ||x - c||^2 under Q(z | .)
    variances = (raw - np.einsum("ij,ij->i", shifted_means, shifted_means)) / d
    for j in np.flatnonzero(~(variances > 16 * _EPS * raw / d)):
        raise ValueError(f"component {j} collapsed: its M-step variance is 0 to working precision "
                         "(its responsibility sits on coincident points), so the likelihood is "
                         "unbounded there; restart EM or regularise the variances")
    return counts / counts.sum(), shifted_means + centre, variances


# --------------------------------------------------------------------------- EM and sampling


@dataclass(frozen=True)
class EMResult:
    """The outcome of :func:`em`: final parameters and the mean log-likelihood after each E-step."""

    weights: np.ndarray
    means: np.ndarray
    variances: np.ndarray
    log_likelihood: float
    history: list[float] = field(default_factory=list)
    n_iter: int = 0
    converged: bool = False


def em(X, weights, means, variances, *, max_iter: int = 500, tol: float = 1e-8) -> EMResult:
    """Run EM from the given parameters until the mean log-likelihood per point rises by less than
    ``tol`` in one iteration (EM never lowers it), or ``max_iter`` M-steps have been made.

    .. math:: \\theta_{t+1} = \\arg\\max_\\theta \\mathrm{ELBO}(P(\\cdot \\mid x, \\theta_t); \\theta)

    >>> X = np.array([[-1.0], [1.0], [9.0], [11.0]])
    >>> fit = em(X, [0.5, 0.5], [[0.0], [5.0]], [4.0, 4.0])
    >>> fit.converged, fit.means.ravel().round(3).tolist(), fit.variances.round(3).tolist()
    (True, [0.0, 10.0], [1.0, 1.0])
    """
    X = _as_data(X)
    if max_iter < 0 or not tol >= 0:
        raise ValueError(f"need max_iter >= 0 and tol >= 0, got {max_iter} and {tol}")
    w, m, v = check_parameters(weights, means, variances, X.shape[1])
    k = w.size
    history: list[float] = []
    converged = False
    n_iter = 0
    while True:
        resp, log_norm = _e_step(X, _Components(w, m, v, X.shape[1]), k)
        history.append(float(log_norm.mean()))
        if len(history) > 1 and history[-1] - history[-2] < tol:
            converged = True
            break
        if n_iter == max_iter:
            break
        w, m, v = m_step(X, resp)
        n_iter += 1
    return EMResult(w, m, v, history[-1] * len(X), history, n_iter, converged)


def sample(n: int, weights, means, variances, *, rng) -> tuple[np.ndarray, np.ndarray]:
    """``n`` draws (n, d) from the mixture and their component labels (n,): first ``z ~ p``, then
    :math:`x \\mid z \\sim \\mathcal{N}(\\mu_z, \\sigma_z^2 I)`.

    >>> X, z = sample(5, [0.0, 1.0], [[0.0, 0.0], [3.0, 4.0]], [1.0, 1e-12], rng=0)
    >>> X.shape, z.tolist(), bool(np.allclose(X, [3.0, 4.0]))
    ((5, 2), [1, 1, 1, 1, 1], True)
    """
    w, m, v = check_parameters(weights, means, variances)
    if int(n) != n or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n}")
    gen = np.random.default_rng(rng)
    labels = gen.choice(w.size, size=int(n), p=w / w.sum())
    X = m[labels] + np.sqrt(v)[labels, None] * gen.standard_normal((int(n), m.shape[1]))
    return X, labels


# --------------------------------------------------------------------------- initialisations (Q5)

#: The four initialisations of question 5, by part id.
INITIALISATIONS = {
    "5.1": "equal weights, one common mean, one common variance",
    "5.2": "equal weights, one common mean, distinct variances",
    "5.3": "equal weights, means at distinct random data points, one common variance",
    "5.4": "random weights, one common mean, one common variance",
}


def initialise(kind: str, X, k: int, *, rng, variance_scale: float = 1.0):
    """Starting (weights, means, variances) of kind ``"5.1"`` .. ``"5.4"`` (see :data:`INITIALISATIONS`).

    The common mean is the data mean; the common variance is ``variance_scale`` times the data's
    average per-coordinate variance; distinct variances spread that value over [1/4, 4] (evenly on a
    log scale, in random order); random weights are Dirichlet(1, ..., 1).

    >>> X = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]])
    >>> w, m, v = initialise("5.1", X, 2, rng=0)
    >>> w.tolist(), m.tolist(), v.tolist()
    ([0.5, 0.5], [[1.0, 1.0], [1.0, 1.0]], [1.0, 1.0])
    """
    X = _as_data(X)
    if kind not in INITIALISATIONS:
        raise ValueError(f"unknown initialisation {kind!r}; expected one of {sorted(INITIALISATIONS)}")
    gen = np.random.default_rng(rng)
    n, d = X.shape
    centre = X.mean(axis=0)
    spread = variance_scale * float(((X - centre) ** 2).sum() / (n * d))
    weights = np.full(k, 1.0 / k)
    means = np.tile(centre, (k, 1))
    variances = np.full(k, spread)
    if kind == "5.2":
        variances = spread * np.exp(gen.permutation(np.linspace(math.log(0.25), math.log(4.0), k)))
    elif kind == "5.3":
        means = X[gen.choice(n, size=k, replace=False)].copy()
    elif kind == "5.4":
        weights = gen.dirichlet(np.ones(k))
    return weights, means, variances


def match_means(estimated, true) -> tuple[np.ndarray, float]:
    """The estimated means reordered to match the true ones (the matching that minimises the total
    distance; it undoes the label switching), and the largest distance between matched pairs.

    .. math:: \\pi^* = \\arg\\min_\\pi \\sum_z \\|\\hat\\mu_{\\pi(z)} - \\mu_z\\|

    >>> m, err = match_means([[5.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [4.0, 0.0]])
    >>> m.tolist(), err
    ([[0.0, 0.0], [5.0, 0.0]], 1.0)
    """
    e, t = np.asarray(estimated, dtype=float), np.asarray(true, dtype=float)
    dist = np.sqrt(((e[:, None, :] - t[None, :, :]) ** 2).sum(axis=-1))
    rows, cols = optimize.linear_sum_assignment(dist)
    order = np.empty(len(t), dtype=int)
    order[cols] = rows
    return e[order], float(dist[rows, cols].max())


def mean_recovery_error(estimated, true) -> float:
    """Largest distance between a true mean and the estimated mean matched to it (see :func:`match_means`).

    >>> mean_recovery_error([[5.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [4.0, 0.0]])
    1.0
    """
    return match_means(estimated, true)[1]


#: The data of the recovery experiment: three well-separated unit-variance clusters in the plane.
RECOVERY_TRUTH = {
    "weights": np.array([0.3, 0.3, 0.4]),
    "means": np.array([[0.0, 0.0], [6.0, 0.0], [3.0, 5.0]]),
    "variances": np.array([1.0, 1.0, 1.0]),
}


@dataclass(frozen=True)
class RecoveryTrials:
    """Outcomes of repeated EM fits: per run, whether the true means were recovered, whether a
    component collapsed (variance 0), the largest distance between two fitted means, and the fitted
    means matched to the true ones (runs, k, d; NaN for a collapsed run)."""

    recovered: np.ndarray
    collapsed: np.ndarray
    mean_spread: np.ndarray
    matched_means: np.ndarray

    @property
    def rate(self) -> float:
        return float(self.recovered.mean()) if self.recovered.size else float("nan")


def recovery_trials(kind: str, n_runs: int, *, rng, n: int = 240, variance_scale: float = 1.0,
                    max_iter: int = 300, tol: float = 1e-9, threshold: float = 1.0) -> RecoveryTrials:
    """EM from initialisation ``kind`` on ``n_runs`` fresh data sets of size ``n`` from
    :data:`RECOVERY_TRUTH`. A run recovers the clusters when every true mean has a fitted mean within
    ``threshold`` (one true standard deviation) under the best matching; a collapse is a failure.
    """
    gen = np.random.default_rng(rng)
    truth = RECOVERY_TRUTH
    k = truth["weights"].size
    recovered = np.zeros(n_runs, dtype=bool)
    collapsed = np.zeros(n_runs, dtype=bool)
    spread = np.full(n_runs, np.nan)
    matched = np.full((n_runs, k, truth["means"].shape[1]), np.nan)
    for r in range(n_runs):
        X, _ = sample(n, truth["weights"], truth["means"], truth["variances"], rng=gen)
        start = initialise(kind, X, k, rng=gen, variance_scale=variance_scale)
        try:
            fit = em(X, *start, max_iter=max_iter, tol=tol)
        except ValueError:
            collapsed[r] = True
            continue
        matched[r], error = match_means(fit.means, truth["means"])
        recovered[r] = error < threshold
        spread[r] = float(np.sqrt(((fit.means[:, None] - fit.means[None]) ** 2).sum(-1)).max())
    return RecoveryTrials(recovered, collapsed, spread, matched)
