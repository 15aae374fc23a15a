"""DDPM forward process and the optimal noise predictor for a finite weighted data set.

The forward process adds Gaussian noise step by step,

.. math:: x_t = \\sqrt{1-\\beta_t}\\, x_{t-1} + \\sqrt{\\beta_t}\\, \\varepsilon_t,
          \\qquad \\bar\\alpha_t = \\prod_{s \\le t} (1 - \\beta_s),

so that :math:`x_t = \\sqrt{\\bar\\alpha_t}\\, x_0 + \\sqrt{1-\\bar\\alpha_t}\\, \\varepsilon`. For a data
set :math:`y_1..y_n` with prior weights :math:`w_j`, the posterior over the data point given
:math:`x_t = x` and the optimal noise predictor are

.. math:: p(j \\mid x) \\propto w_j\\, \\mathcal{N}(x; \\sqrt{\\bar\\alpha}\\, y_j, (1-\\bar\\alpha) I),
          \\qquad \\varepsilon^*(x) = \\frac{x - \\sqrt{\\bar\\alpha}\\, E[x_0 \\mid x]}{\\sqrt{1-\\bar\\alpha}}.

Both are computed by the shared chunked log-space kernel :mod:`numerics.kernels` with scale
:math:`\\sqrt{\\bar\\alpha}` and variance :math:`1-\\bar\\alpha`, so memory stays bounded for large
query batches and data sets.

>>> import numpy as np
>>> data = np.array([[1.0, 0.0], [0.0, 1.0]])
>>> posterior_x0(np.array([[0.5, 0.5]]), 0.5, data)          # equidistant: the prior
array([[0.5, 0.5]])
>>> optimal_epsilon(np.array([[3.0, -3.0]]), 1e-12, data).round(6)  # pure noise: eps* = x
array([[ 3., -3.]])
"""

from __future__ import annotations

import math

import numpy as np

from numerics import kernels


def _betas(betas) -> np.ndarray:
    b = np.asarray(betas, dtype=float)
    if b.ndim != 1 or b.size == 0:
        raise ValueError(f"betas must be a non-empty 1-D array, got shape {np.shape(betas)}")
    bad = ~((b > 0) & (b < 1))  # also catches NaN
    if np.any(bad):
        i = int(np.argmax(bad))
        raise ValueError(f"every beta_t must lie in (0, 1); got betas[{i}] = {b[i]}")
    return b


def _alpha_bar(alpha_bar) -> float:
    a = np.asarray(alpha_bar, dtype=float)
    if a.ndim != 0:
        raise ValueError(f"alpha_bar must be a scalar, got shape {a.shape}")
    a = float(a)
    if not 0.0 < a < 1.0:  # also catches NaN
        raise ValueError(f"alpha_bar must lie in the open interval (0, 1), got {a}")
    return a


def alpha_bars(betas) -> np.ndarray:
    """Cumulative products :math:`\\bar\\alpha_t = \\prod_{s=1}^t (1-\\beta_s)`, shape (T,).

    .. math:: \\bar\\alpha_t = \\exp\\Big(\\sum_{s \\le t} \\log(1 - \\beta_s)\\Big)

    Summed in log space (``log1p``), so long schedules of tiny betas keep full relative precision.

    >>> alpha_bars([0.5, 0.5, 0.2])
    array([0.5 , 0.25, 0.2 ])
    """
    return np.exp(np.cumsum(np.log1p(-_betas(betas))))


def linear_schedule(T: int = 1000, beta_1: float = 1e-4, beta_T: float = 0.02) -> np.ndarray:
    """The DDPM paper's linear noise schedule: ``T`` betas evenly spaced from ``beta_1`` to ``beta_T``.

    >>> linear_schedule(3, 0.1, 0.3)
    array([0.1, 0.2, 0.3])
    """
    if int(T) != T or T < 1:
        raise ValueError(f"T must be a positive integer, got {T}")
    return _betas(np.linspace(beta_1, beta_T, int(T)))


def forward_process(x0, betas, *, rng, return_path: bool = False) -> np.ndarray:
    """Run the forward chain step by step from ``x0`` (shape (m, d) or (d,)).

    .. math:: x_t = \\sqrt{1-\\beta_t}\\, x_{t-1} + \\sqrt{\\beta_t}\\, \\varepsilon_t,
              \\quad \\varepsilon_t \\sim \\mathcal{N}(0, I)

    Returns :math:`x_T` with the shape of ``x0`` or, with ``return_path=True``, every state
    :math:`x_0, \\dots, x_T` stacked along a new first axis (shape (T+1,) + ``x0.shape``).
    Fresh noise is drawn from ``rng`` at every step; the closed form is not used.

    >>> forward_process([[2.0, 0.0]], [0.5, 0.5], rng=0).shape
    (1, 2)
    """
    b = _betas(betas)
    x = np.array(x0, dtype=float)  # a copy: the caller's array is not modified
    if x.ndim not in (1, 2) or x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"x0 must be a finite array of shape (m, d) or (d,), got shape {np.shape(x0)}")
    gen = np.random.default_rng(rng)
    path = [x.copy()] if return_path else None
    for beta in b:
        x *= math.sqrt(1.0 - beta)  # shrink the previous state ...
        x += math.sqrt(beta) * gen.standard_normal(x.shape)  # ... and add fresh noise of variance beta
        if path is not None:
            path.append(x.copy())
    return np.stack(path) if path is not None else x


def sample_joint(n: int, alpha_bar, data, *, rng, weights=None):
    """Draw ``n`` triples (label, noise, noisy point) from the joint law of the denoising loss.

    .. math:: j \\sim w, \\quad \\varepsilon \\sim \\mathcal{N}(0, I), \\quad
              x_t = \\sqrt{\\bar\\alpha}\\, y_j + \\sqrt{1-\\bar\\alpha}\\, \\varepsilon

    Returns ``(labels (n,), eps (n, d), x_t (n, d))``, using the closed-form marginal of the
    forward process (:func:`forward_process` iterates the steps instead).

    >>> labels, eps, xt = sample_joint(4, 0.5, [[1.0, 0.0], [0.0, 1.0]], rng=0)
    >>> labels.shape, eps.shape, xt.shape
    ((4,), (4, 2), (4, 2))
    """
    a = _alpha_bar(alpha_bar)
    y = kernels.as_points(data, "data")
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n}")
    w = np.exp(kernels.log_prior(weights, len(y)))
    gen = np.random.default_rng(rng)
    labels = gen.choice(len(y), size=int(n), p=w / w.sum())
    eps = gen.standard_normal((int(n), y.shape[1]))
    return labels, eps, math.sqrt(a) * y[labels] + math.sqrt(1.0 - a) * eps


def log_posterior_x0(x, alpha_bar, data, weights=None) -> np.ndarray:
    """Log posterior probabilities (m, n) of the data points given :math:`x_t = x`.

    .. math:: \\log p(j \\mid x) = \\log w_j - \\frac{\\|x - \\sqrt{\\bar\\alpha} y_j\\|^2}{2(1-\\bar\\alpha)}
              - \\log \\sum_k w_k e^{-\\|x - \\sqrt{\\bar\\alpha} y_k\\|^2 / (2(1-\\bar\\alpha))}
    """
    a = _alpha_bar(alpha_bar)
    return kernels.log_posterior(x, math.sqrt(a), 1.0 - a, data, weights)


def posterior_x0(x, alpha_bar, data, weights=None) -> np.ndarray:
    """Posterior probabilities (m, n) of the data points given :math:`x_t = x` (rows sum to 1).

    .. math:: p(j \\mid x) = \\operatorname{softmax}_j\\Big(\\log w_j
              + \\frac{\\sqrt{\\bar\\alpha}\\, x \\cdot y_j - \\bar\\alpha \\|y_j\\|^2 / 2}{1-\\bar\\alpha}\\Big)

    The output itself has m*n entries; use :func:`optimal_epsilon` when only the predictor is needed.
    """
    return np.exp(log_posterior_x0(x, alpha_bar, data, weights))


def posterior_mean_x0(x, alpha_bar, data, weights=None) -> np.ndarray:
    """:math:`E[x_0 \\mid x_t = x] = \\sum_j p(j \\mid x)\\, y_j`, shape (m, d)."""
    a = _alpha_bar(alpha_bar)
    return kernels.posterior_mean(x, math.sqrt(a), 1.0 - a, data, weights)


def optimal_epsilon(x, alpha_bar, data, weights=None) -> np.ndarray:
    """The minimiser of the denoising loss at :math:`x_t = x`: :math:`E[\\varepsilon \\mid x_t = x]`.

    .. math:: \\varepsilon^*(x) = \\frac{x - \\sqrt{\\bar\\alpha}\\, E[x_0 \\mid x_t = x]}{\\sqrt{1-\\bar\\alpha}}

    Shape (m, d). Memory is bounded by the kernel's chunking: the (m, n) posterior is never formed
    whole.
    """
    a = _alpha_bar(alpha_bar)
    x_arr = kernels.as_points(x)
    mean_x0 = kernels.posterior_mean(x_arr, math.sqrt(a), 1.0 - a, data, weights)
    return (x_arr - math.sqrt(a) * mean_x0) / math.sqrt(1.0 - a)  # solve x = sqrt(a) x0 + sqrt(1-a) eps
