"""Gaussian kernel density estimation: the density is an average of kernels on the data.

With data :math:`x^{(1)}, \\dots, x^{(n)} \\in \\mathbb{R}^d` and bandwidth matrix H,

.. math:: \\hat p(x) = \\frac1n \\sum_{i=1}^n \\mathcal{N}(x;\\, x^{(i)},\\, H),
          \\qquad H = n^{-2/(d+4)}\\, \\widehat{\\operatorname{Cov}}(x) \\ \\text{(Scott's rule)}.

Nothing is fitted beyond H: the "model" is the data set itself. The log-density whitens by the
Cholesky factor L of H (:math:`H = LL^\\top`), so that every kernel is isotropic with unit variance,

.. math:: \\log \\mathcal{N}(x; y, H) = \\log \\mathcal{N}(L^{-1}x;\\, L^{-1}y,\\, I) - \\log\\det L,

and hands the sum to the chunked, threaded log-space kernel :mod:`numerics.kernels`. Sampling
picks a data point uniformly and adds kernel noise :math:`L\\varepsilon`. The bandwidth rule and
the values agree with :class:`scipy.stats.gaussian_kde`.

>>> import numpy as np
>>> data = np.array([[0.0], [1.0], [3.0]])
>>> float(scott_covariance(data)[0, 0].round(6))  # 3^(-2/5) * sample variance 7/3
1.503586
>>> from scipy.stats import gaussian_kde
>>> x = np.array([[0.5], [2.0]])
>>> bool(np.allclose(log_density(x, data), gaussian_kde(data.T).logpdf(x.T), rtol=1e-12))
True
"""

from __future__ import annotations

import numpy as np

from numerics.kernels import as_points, log_mixture_density


def scott_covariance(data) -> np.ndarray:
    """Bandwidth matrix by Scott's rule, :math:`H = n^{-2/(d+4)} \\widehat{\\operatorname{Cov}}` (d, d).

    The covariance is the unbiased sample covariance, as in :class:`scipy.stats.gaussian_kde`.
    """
    data = as_points(data, "data")
    n, d = data.shape
    if n < 2:
        raise ValueError(f"need at least 2 data points to estimate a bandwidth, got {n}")
    cov = np.atleast_2d(np.cov(data, rowvar=False, ddof=1))
    return cov * n ** (-2.0 / (d + 4))


def _cholesky(cov, d: int) -> np.ndarray:
    H = np.atleast_2d(np.asarray(cov, dtype=float))
    if H.shape != (d, d):
        raise ValueError(f"bandwidth must be a ({d}, {d}) matrix, got shape {H.shape}")
    try:
        return np.linalg.cholesky(H)
    except np.linalg.LinAlgError:
        raise ValueError("bandwidth matrix must be symmetric positive definite "
                         "(degenerate data? points on a line give a singular covariance)") from None


def log_density(x, data, bandwidth=None) -> np.ndarray:
    """:math:`\\log \\hat p(x)` for each row of ``x`` (m, d); ``bandwidth`` is H (default Scott's rule).

    .. math:: \\log \\hat p(x) = \\log \\frac1n\\sum_i \\mathcal{N}(L^{-1}(x - c);\\, L^{-1}(x^{(i)} - c),\\, I) - \\log\\det L

    The data mean c is subtracted first so that the squared norms inside the kernel stay small.
    """
    data = as_points(data, "data")
    x = as_points(x)
    H = scott_covariance(data) if bandwidth is None else bandwidth
    L = _cholesky(H, data.shape[1])
    c = data.mean(axis=0)
    L_inv = np.linalg.inv(L)  # d x d and triangular: one small inverse, then matrix products
    z = (x - c) @ L_inv.T  # whiten the queries ...
    zd = (data - c) @ L_inv.T  # ... and the data the same way
    return log_mixture_density(z, 1.0, 1.0, zd) - float(np.log(np.diag(L)).sum())


def sample(n: int, data, bandwidth=None, *, rng) -> np.ndarray:
    """``n`` draws from :math:`\\hat p`: a uniformly chosen data point plus :math:`L\\varepsilon`, shape (n, d)."""
    data = as_points(data, "data")
    if int(n) != n or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n}")
    H = scott_covariance(data) if bandwidth is None else bandwidth
    L = _cholesky(H, data.shape[1])
    gen = np.random.default_rng(rng)
    picks = gen.integers(0, len(data), size=int(n))  # which kernel: uniform over the data
    return data[picks] + gen.standard_normal((int(n), data.shape[1])) @ L.T  # kernel noise N(0, H)


def sample_covariance(data, bandwidth=None) -> np.ndarray:
    """Covariance of a draw from :math:`\\hat p`: :math:`H + \\frac1n\\sum_i (x^{(i)}-\\bar x)(x^{(i)}-\\bar x)^\\top`."""
    data = as_points(data, "data")
    H = scott_covariance(data) if bandwidth is None else np.atleast_2d(np.asarray(bandwidth, dtype=float))
    centred = data - data.mean(axis=0)
    return H + centred.T @ centred / len(data)
