"""Logistic regression as a conditional model :math:`\\hat p(Y \\mid X)`: sampling and fitting.

The model says :math:`Y \\mid X = x \\sim \\mathrm{Bernoulli}(\\sigma(\\theta^\\top x))` with
:math:`\\sigma(z) = 1 / (1 + e^{-z})`. Sampling a label for a new x needs one uniform draw:
:math:`Y = \\mathbb{1}[U < \\sigma(\\theta^\\top x)]`. Fitting minimises the negative log-likelihood,
written in log space (``logaddexp``) so that large logits neither overflow nor lose the label.

>>> import numpy as np
>>> float(sigmoid(0.0)), float(log_sigmoid(-800.0))
(0.5, -800.0)
>>> y = np.array([1, 1, 1, 0])
>>> res = fit(np.ones((4, 1)), y)
>>> round(float(sigmoid(res.x[0])), 8)        # the MLE reproduces the label frequency 3/4
0.75
"""

from __future__ import annotations

import numpy as np

from numerics.lazy import lazy

optimize = lazy("scipy.optimize")
special = lazy("scipy.special")


def sigmoid(z):
    """:math:`\\sigma(z) = 1 / (1 + e^{-z})`, elementwise and overflow-free."""
    return special.expit(z)


def log_sigmoid(z):
    """:math:`\\log \\sigma(z) = -\\log(1 + e^{-z})`, exact for large negative z."""
    return -np.logaddexp(0.0, -np.asarray(z, dtype=float))


def sample_bernoulli_logits(logits, *, rng) -> np.ndarray:
    """Draw :math:`Y_i \\sim \\mathrm{Bernoulli}(\\sigma(\\ell_i))` (0/1 integers, shape of ``logits``).

    .. math:: Y = \\mathbb{1}[\\log U < \\log \\sigma(\\ell)], \\quad U \\sim \\mathrm{Unif}(0, 1)

    Comparing logarithms keeps probabilities like 1e-300 exact.
    """
    ell = np.asarray(logits, dtype=float)
    if not np.all(np.isfinite(ell)):
        raise ValueError("logits must be finite")
    u = np.random.default_rng(rng).random(ell.shape)
    return (np.log(u) < log_sigmoid(ell)).astype(np.int64)


def _design(X, theta=None):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d), got shape {np.shape(X)}")
    if theta is None:
        return X
    theta = np.asarray(theta, dtype=float).ravel()
    if theta.shape != (X.shape[1],):
        raise ValueError(f"theta must have shape ({X.shape[1]},), got {np.shape(theta)}")
    return X, theta


def sample(X, theta, *, rng) -> np.ndarray:
    """One label per row of ``X`` (n, d) from :math:`\\hat p(Y \\mid X = x) = \\mathrm{Bernoulli}(\\sigma(\\theta^\\top x))`."""
    X, theta = _design(X, theta)
    return sample_bernoulli_logits(X @ theta, rng=rng)


def _labels(y, n: int) -> np.ndarray:
    y = np.asarray(y).ravel()
    if y.shape != (n,) or not np.all((y == 0) | (y == 1)):
        raise ValueError(f"y must be {n} labels in {{0, 1}}")
    return y.astype(float)


def mean_negative_log_likelihood(theta, X, y) -> float:
    """:math:`-\\frac1n\\sum_i [y_i \\log\\sigma(\\theta^\\top x_i) + (1-y_i)\\log\\sigma(-\\theta^\\top x_i)]`."""
    X, theta = _design(X, theta)
    y = _labels(y, len(X))
    z = X @ theta
    # log sigma(z) if y = 1, log sigma(-z) if y = 0: one softplus of the signed logit
    return float(np.mean(np.logaddexp(0.0, -(2.0 * y - 1.0) * z)))


def mean_nll_gradient(theta, X, y) -> np.ndarray:
    """Gradient :math:`\\frac1n X^\\top(\\sigma(X\\theta) - y)` of :func:`mean_negative_log_likelihood`."""
    X, theta = _design(X, theta)
    y = _labels(y, len(X))
    return X.T @ (special.expit(X @ theta) - y) / len(X)


def mean_nll_hessian(theta, X, y=None) -> np.ndarray:
    """Hessian :math:`\\frac1n X^\\top \\operatorname{diag}(\\sigma(1-\\sigma)) X` (positive semi-definite)."""
    X, theta = _design(X, theta)
    s = special.expit(X @ theta)
    return (X * (s * (1.0 - s))[:, None]).T @ X / len(X)


def fit(X, y, *, gtol: float = 1e-10, theta0=None, max_iter: int = 1000) -> optimize.OptimizeResult:
    """Maximum-likelihood :math:`\\hat\\theta` by a trust-region Newton method on the mean negative
    log-likelihood (convex, so a stationary point is the global minimiser).

    The optimiser stops once the gradient's largest entry is below ``gtol``. When the classes are
    separable (for a constant input: every label equal) there is no finite maximiser; the
    returned ``x`` then grows without bound as ``gtol`` shrinks.
    """
    X = _design(X)
    y = _labels(y, len(X))
    start = np.zeros(X.shape[1]) if theta0 is None else np.asarray(theta0, dtype=float)
    return optimize.minimize(mean_negative_log_likelihood, start, args=(X, y), jac=mean_nll_gradient,
                             hess=mean_nll_hessian, method="trust-exact",
                             options={"gtol": gtol, "maxiter": max_iter})
