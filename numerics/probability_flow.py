"""A diffusion model whose score is known exactly: density by the probability-flow ODE, sampling
by the reverse process.

The data distribution is a mixture of isotropic Gaussians with one common variance
:math:`s^2 < 1`, :math:`p_0 = \\sum_j w_j \\mathcal{N}(\\mu_j, s^2 I)`. The variance-preserving
forward process :math:`x_t = \\sqrt{\\bar\\alpha(t)}\\, x_0 + \\sqrt{1-\\bar\\alpha(t)}\\, \\varepsilon` with
:math:`\\bar\\alpha(t) = \\exp(-\\int_0^t \\beta)`, :math:`\\beta(t) = \\beta_{\\min} + t(\\beta_{\\max}-\\beta_{\\min})`,
keeps it a Gaussian mixture. Writing :math:`\\mu_j = \\sqrt{1-s^2}\\, y_j`, the marginal at t is exactly
the diffused marginal of the point masses :math:`y_j` at the effective level
:math:`a(t) = (1-s^2)\\bar\\alpha(t)`:

.. math:: p_t(x) = \\sum_j w_j\\, \\mathcal{N}\\big(x;\\, \\sqrt{a}\\, y_j,\\, (1-a) I\\big), \\qquad
          \\nabla \\log p_t(x) = -\\frac{x - \\sqrt{a}\\, E[y \\mid x]}{1 - a}
          = -\\frac{\\varepsilon^*_a(x)}{\\sqrt{1-a}},

so the score is the optimal noise predictor of :mod:`numerics.diffusion` (the shared kernel), and
its divergence is closed form through the posterior covariance of y:

.. math:: \\nabla\\cdot\\nabla \\log p_t(x) = -\\frac{d}{1-a} + \\frac{a}{(1-a)^2}
          \\operatorname{tr}\\operatorname{Cov}(y \\mid x).

The probability-flow ODE :math:`\\dot x = f(x, t) = -\\tfrac12\\beta(t)\\,[x + \\nabla\\log p_t(x)]`
moves samples of :math:`p_0` to samples of :math:`p_1`, and along a path
:math:`\\tfrac{d}{dt}\\log p_t(x_t) = -\\nabla\\cdot f(x_t, t)` (instantaneous change of variables), so

.. math:: \\log p_0(x) = \\log p_1(x_1) + \\int_0^1 \\nabla\\cdot f(x_t, t)\\, dt.

A trained model would replace the exact score by a network and :math:`p_1` by
:math:`\\mathcal{N}(0, I)`; here both are exact, so the ODE estimate can be compared with the
closed-form :math:`\\log p_0`.

>>> import numpy as np
>>> m = MixtureDiffusion([0.5, 0.5], [[-1.0, 0.0], [1.0, 0.0]], 0.25)
>>> x = np.array([[0.3, -0.2]])
>>> bool(np.allclose(m.ode_log_density(x), m.log_marginal(x, 0.0), atol=1e-6))
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from numerics import diffusion, kernels, mixtures

BETA_MIN, BETA_MAX = 0.1, 20.0


def beta(t: float, beta_min: float = BETA_MIN, beta_max: float = BETA_MAX) -> float:
    """Noise rate :math:`\\beta(t) = \\beta_{\\min} + t(\\beta_{\\max} - \\beta_{\\min})` on [0, 1]."""
    return beta_min + t * (beta_max - beta_min)


def alpha_bar(t: float, beta_min: float = BETA_MIN, beta_max: float = BETA_MAX) -> float:
    """:math:`\\bar\\alpha(t) = \\exp(-\\beta_{\\min} t - \\tfrac12(\\beta_{\\max}-\\beta_{\\min}) t^2)`."""
    return math.exp(-beta_min * t - 0.5 * (beta_max - beta_min) * t * t)


@dataclass(frozen=True)
class MixtureDiffusion:
    """The VP diffusion of :math:`\\sum_j w_j \\mathcal{N}(\\mu_j, s^2 I)` with ``variance`` :math:`s^2 \\in (0, 1)`."""

    weights: np.ndarray
    means: np.ndarray
    variance: float
    beta_min: float = BETA_MIN
    beta_max: float = BETA_MAX

    def __post_init__(self) -> None:
        w, m, _ = mixtures.check_parameters(self.weights, self.means,
                                            np.full(np.asarray(self.weights).size, float(self.variance)))
        if not 0.0 < float(self.variance) < 1.0:
            raise ValueError(f"variance must lie in (0, 1) (below the stationary variance 1), got {self.variance}")
        object.__setattr__(self, "weights", w / w.sum())
        object.__setattr__(self, "means", m)
        object.__setattr__(self, "variance", float(self.variance))

    @property
    def d(self) -> int:
        return self.means.shape[1]

    @property
    def points(self) -> np.ndarray:
        """The point masses :math:`y_j = \\mu_j / \\sqrt{1-s^2}` whose diffusion this is."""
        return self.means / math.sqrt(1.0 - self.variance)

    def level(self, t: float) -> float:
        """Effective :math:`a(t) = (1 - s^2)\\,\\bar\\alpha(t)` of the point masses."""
        return (1.0 - self.variance) * alpha_bar(t, self.beta_min, self.beta_max)

    def marginal(self, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(weights, means, variances)`` of :math:`p_t`: means :math:`\\sqrt{\\bar\\alpha}\\mu_j`, variance :math:`1-a`."""
        a, ab = self.level(t), alpha_bar(t, self.beta_min, self.beta_max)
        return self.weights, math.sqrt(ab) * self.means, np.full(self.weights.size, 1.0 - a)

    def log_marginal(self, x, t: float) -> np.ndarray:
        """Exact :math:`\\log p_t(x)`, shape (m,)."""
        a = self.level(t)
        return kernels.log_mixture_density(x, math.sqrt(a), 1.0 - a, self.points, self.weights)

    def score(self, x, t: float) -> np.ndarray:
        """:math:`\\nabla \\log p_t(x) = -\\varepsilon^*_a(x)/\\sqrt{1-a}`, shape (m, d)."""
        a = self.level(t)
        return -diffusion.optimal_epsilon(x, a, self.points, self.weights) / math.sqrt(1.0 - a)

    def score_divergence(self, x, t: float) -> np.ndarray:
        """:math:`-d/(1-a) + a\\,\\operatorname{tr}\\operatorname{Cov}(y \\mid x)/(1-a)^2`, shape (m,)."""
        a = self.level(t)
        post = diffusion.posterior_x0(x, a, self.points, self.weights)  # p(j | x), (m, k)
        y = self.points
        mean = post @ y
        trace_cov = post @ np.einsum("ij,ij->i", y, y) - np.einsum("ij,ij->i", mean, mean)
        return -self.d / (1.0 - a) + a * np.maximum(trace_cov, 0.0) / (1.0 - a) ** 2

    def drift(self, x, t: float) -> np.ndarray:
        """Probability-flow velocity :math:`f(x, t) = -\\tfrac12\\beta(t)\\,[x + \\nabla\\log p_t(x)]`."""
        x = kernels.as_points(x)
        return -0.5 * beta(t, self.beta_min, self.beta_max) * (x + self.score(x, t))

    def drift_divergence(self, x, t: float) -> np.ndarray:
        """:math:`\\nabla\\cdot f = -\\tfrac12\\beta(t)\\,[d + \\nabla\\cdot\\nabla\\log p_t]` (exact trace)."""
        return -0.5 * beta(t, self.beta_min, self.beta_max) * (self.d + self.score_divergence(x, t))

    def ode_log_density(self, x, *, n_steps: int = 200) -> np.ndarray:
        """:math:`\\log p_0(x)` by integrating the ODE and its divergence from t = 0 to 1 (RK4).

        Steps are uniform in :math:`\\sqrt{t}` (:func:`time_grid`): the field changes fastest near
        t = 0, where the data's narrow components have not yet been smoothed out.
        """
        def field(state, t):  # (x, integral of div f) move together
            return self.drift(state[0], t), self.drift_divergence(state[0], t)

        x = kernels.as_points(x)
        x1, integral = rk4(field, (x, np.zeros(len(x))), time_grid(n_steps))
        return self.log_marginal(x1, 1.0) + integral

    def sample_ode(self, n: int, *, rng, n_steps: int = 200) -> np.ndarray:
        """Draw :math:`x_1 \\sim p_1` (exactly) and integrate the probability-flow ODE back to t = 0 (RK4)."""
        x1, _ = mixtures.sample(int(n), *self.marginal(1.0), rng=rng)
        (x0,) = rk4(lambda state, t: (self.drift(state[0], t),), (x1,), time_grid(n_steps)[::-1])
        return x0


def time_grid(n_steps: int) -> np.ndarray:
    """Times :math:`t_k = (k/N)^2`, k = 0..N: uniform in :math:`\\sqrt t`, finer near t = 0."""
    if int(n_steps) != n_steps or n_steps < 1:
        raise ValueError(f"n_steps must be a positive integer, got {n_steps}")
    return np.linspace(0.0, 1.0, int(n_steps) + 1) ** 2


def rk4(field, state: tuple, times) -> tuple:
    """Classical Runge-Kutta along the grid ``times`` (increasing or decreasing) for a tuple of arrays.

    ``field(state, t)`` returns the time derivative of every array of ``state``.
    """
    def shift(base, slope, c):
        return tuple(b + c * s for b, s in zip(base, slope))

    for t, t_next in zip(times[:-1], times[1:]):
        h = t_next - t
        k1 = field(state, t)
        k2 = field(shift(state, k1, 0.5 * h), t + 0.5 * h)
        k3 = field(shift(state, k2, 0.5 * h), t + 0.5 * h)
        k4 = field(shift(state, k3, h), t_next)
        state = tuple(s + h / 6 * (a + 2 * b + 2 * c + d) for s, a, b, c, d in zip(state, k1, k2, k3, k4))
    return state
