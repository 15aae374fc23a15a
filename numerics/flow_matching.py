"""Flow matching with straight-line paths from :math:`\\mathcal{N}(0, I)` to a finite data set.

A path starts at :math:`x_0 \\sim \\mathcal{N}(0, I)`, ends at a data point :math:`x_1` and moves
in a straight line, :math:`x_t = (1-t)\\, x_0 + t\\, x_1`. Given its end point the path is Gaussian,
and over a data set :math:`y_1..y_n` with prior weights :math:`w_j` (uniform by default) it is a
mixture:

.. math:: p_t(x \\mid x_1) = \\mathcal{N}\\big(x; t x_1, (1-t)^2 I\\big), \\qquad
          p_t(x) = \\sum_j w_j\\, \\mathcal{N}\\big(x; t y_j, (1-t)^2 I\\big).

The velocity that transports :math:`p_0` to :math:`p_1` is the posterior average of the
straight-line velocities through :math:`x`,

.. math:: v_t(x) = \\sum_j p(y_j \\mid x, t)\\, \\frac{y_j - x}{1 - t}
          = \\frac{E[x_1 \\mid x_t = x] - x}{1 - t}.

The posterior and its mean come from the shared log-space kernel :mod:`numerics.kernels` with
scale :math:`s = t` and variance :math:`(1-t)^2`; no second softmax is written here.
Times are scalars in :math:`[0, 1 - 10^{-9}]` (:data:`T_MAX`): the field is singular at
:math:`t = 1`, and :func:`integrate` never evaluates it there.

>>> import numpy as np
>>> data = np.array([[1.0, 0.0], [-1.0, 0.0]])
>>> marginal_velocity(np.zeros((1, 2)), 0.0, data)           # at t = 0: the data mean minus x
array([[0., 0.]])
>>> x1 = integrate(lambda x, t: marginal_velocity(x, t, data), np.array([[0.3, -2.0]]), n_steps=20)
>>> np.round(x1, 6)                                          # lands on the nearer data point
array([[1., 0.]])
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from numerics import kernels

#: Largest time accepted: the velocity has a 1/(1 - t) singularity at t = 1.
T_MAX = 1.0 - 1e-9

METHODS = ("euler", "rk4")


# --------------------------------------------------------------------------- validation


def _time(t, name: str = "t") -> float:
    """A scalar time in [0, T_MAX], with a clear error otherwise."""
    a = np.asarray(t, dtype=float)
    if a.ndim != 0:
        raise ValueError(f"{name} must be a scalar time, got shape {a.shape}")
    v = float(a)
    if not 0.0 <= v <= T_MAX:  # also catches NaN
        raise ValueError(f"{name} must lie in [0, 1 - 1e-9] (the field is singular at t = 1), got {v}")
    return v


def _times(t, m: int) -> np.ndarray:
    """Per-row times of shape (m, 1) from a scalar or an (m,) array, each in [0, T_MAX]."""
    a = np.asarray(t, dtype=float)
    if a.ndim == 0:
        return np.full((m, 1), _time(a))
    a = a.reshape(-1)
    if a.shape != (m,):
        raise ValueError(f"t must be a scalar or have one entry per row ({m}), got shape {np.shape(t)}")
    if not np.all((a >= 0.0) & (a <= T_MAX)):
        raise ValueError("every t must lie in [0, 1 - 1e-9] (the field is singular at t = 1)")
    return a[:, None]


def _points_and_data(x, data):
    x, data = kernels.as_points(x), kernels.as_points(data, "data")
    if x.shape[1] != data.shape[1]:
        raise ValueError(f"x has dimension {x.shape[1]} but data has dimension {data.shape[1]}")
    if len(data) == 0:
        raise ValueError("data must contain at least one point")
    return x, data


def _end_points(x1, x: np.ndarray) -> np.ndarray:
    """End points broadcast to the rows of ``x``: shape (d,), (1, d) or (m, d)."""
    e = kernels.as_points(x1, "x1")
    if e.shape[1] != x.shape[1] or len(e) not in (1, len(x)):
        raise ValueError(f"x1 must have shape ({x.shape[1]},) or ({len(x)}, {x.shape[1]}), got {np.shape(x1)}")
    return e


# --------------------------------------------------------------------------- conditional path


def conditional_velocity(x, t, x1) -> np.ndarray:
    """Velocity of the straight line through ``x`` at time ``t`` that ends at ``x1``.

    .. math:: v_t(x \\mid x_1) = \\frac{x_1 - x}{1 - t}

    ``t`` is a scalar or one time per row. On the line :math:`x = (1-t)x_0 + t x_1` this is
    :math:`x_1 - x_0`, the same at every time.

    >>> conditional_velocity([[0.5, 0.5]], 0.5, [1.0, 1.0])
    array([[1., 1.]])
    """
    x = kernels.as_points(x)
    return (_end_points(x1, x) - x) / (1.0 - _times(t, len(x)))


def conditional_log_density(x, t, x1) -> np.ndarray:
    """Log density of the conditional path, shape (m,).

    .. math:: \\log \\mathcal{N}\\big(x; t x_1, (1-t)^2 I\\big)
              = -\\frac{\\|x - t x_1\\|^2}{2(1-t)^2} - d \\log(1-t) - \\frac{d}{2}\\log 2\\pi

    >>> float(conditional_log_density([[0.0]], 0.0, [[5.0]])[0])   # N(0; 0, 1)
    -0.918938533...
    """
    x = kernels.as_points(x)
    tt = _times(t, len(x))[:, 0]
    r = x - tt[:, None] * _end_points(x1, x)          # x - t x_1, exact even as t -> 1
    d = x.shape[1]
    return -0.5 * np.einsum("ij,ij->i", r, r) / (1 - tt) ** 2 - d * np.log1p(-tt) - 0.5 * d * math.log(2 * math.pi)


def sample_conditional_path(x1, t, m: int, *, rng) -> np.ndarray:
    """``m`` draws of :math:`x_t = (1-t)x_0 + t x_1`, :math:`x_0 \\sim \\mathcal{N}(0, I)`, shape (m, d)."""
    rng = np.random.default_rng(rng)
    end = kernels.as_points(x1, "x1")
    if len(end) != 1:
        raise ValueError(f"x1 must be one point of shape (d,), got shape {np.shape(x1)}")
    tt = _time(t)
    x0 = rng.standard_normal((int(m), end.shape[1]))
    return (1 - tt) * x0 + tt * end


def sample_marginal_path(data, t, m: int, *, rng, weights=None):
    """``m`` draws of the marginal path at times ``t`` (scalar or (m,)).

    Returns ``(x_t, x0, index)``: :math:`x_t = (1-t) x_0 + t\\, y_{\\text{index}}` with
    :math:`x_0 \\sim \\mathcal{N}(0, I)` and ``index`` drawn from the data's prior weights.
    """
    rng = np.random.default_rng(rng)
    data = kernels.as_points(data, "data")
    m = int(m)
    tt = _times(t, m)
    p = np.exp(kernels.log_prior(weights, len(data)))
    index = rng.choice(len(data), size=m, p=p)
    x0 = rng.standard_normal((m, data.shape[1]))
    return (1 - tt) * x0 + tt * data[index], x0, index


# --------------------------------------------------------------------------- marginal path


def marginal_log_density(x, t, data, weights=None) -> np.ndarray:
    """Log density of the marginal path :math:`p_t(x)`, shape (m,).

    .. math:: \\log p_t(x) = \\log w_{j} + \\log \\mathcal{N}\\big(x; t y_{j}, (1-t)^2 I\\big)
              - \\log p(y_{j} \\mid x, t) \\quad \\text{for any } j

    Bayes' rule read backwards, with :math:`j` the most probable data point of each row: its
    log posterior is near 0 and its Gaussian term is computed from the difference
    :math:`x - t y_j` directly, so the result stays accurate as :math:`t \\to 1`, where expanding
    :math:`\\|x - t y\\|^2` would cancel catastrophically.

    >>> float(marginal_log_density([[0.0]], 0.0, [[3.0], [-3.0]])[0])   # p_0 = N(0, 1)
    -0.918938533...
    """
    tt = _time(t)
    x, data = _points_and_data(x, data)
    logw = kernels.log_prior(weights, len(data))
    scale, var = tt, (1.0 - tt) ** 2
    d = x.shape[1]

    def block(rows: np.ndarray) -> np.ndarray:
        lp = kernels.log_posterior(rows, scale, var, data, weights)  # (r, n), rows sum to 1
        j = lp.argmax(axis=1)
        r = rows - scale * data[j]
        log_gauss = -0.5 * np.einsum("ij,ij->i", r, r) / var - d * math.log1p(-tt) - 0.5 * d * math.log(2 * math.pi)
        return logw[j] + log_gauss - lp[np.arange(len(rows)), j]

    return kernels.map_row_chunks(block, x, len(data))


def posterior_x1(x, t, data, weights=None) -> np.ndarray:
    """Posterior probabilities :math:`p(x_1 = y_j \\mid x, t)`, shape (m, n): a softmax.

    .. math:: p(y_j \\mid x, t) = \\frac{w_j\\, \\mathcal{N}(x; t y_j, (1-t)^2 I)}
              {\\sum_k w_k\\, \\mathcal{N}(x; t y_k, (1-t)^2 I)}

    >>> posterior_x1([[0.0, 0.0]], 0.0, [[1.0, 0.0], [0.0, 1.0]])   # t = 0: the prior
    array([[0.5, 0.5]])
    """
    tt = _time(t)
    x, data = _points_and_data(x, data)
    return np.exp(kernels.log_posterior(x, tt, (1.0 - tt) ** 2, data, weights))


def marginal_velocity(x, t, data, weights=None) -> np.ndarray:
    """The marginal velocity field, shape (m, d).

    .. math:: v_t(x) = \\sum_j p(y_j \\mid x, t)\\, \\frac{y_j - x}{1-t} = \\frac{E[x_1 \\mid x, t] - x}{1-t}

    >>> marginal_velocity([[0.0, 0.0]], 0.5, [[2.0, 0.0]])   # one point: the straight line
    array([[4., 0.]])
    """
    tt = _time(t)
    x, data = _points_and_data(x, data)
    mean = kernels.posterior_mean(x, tt, (1.0 - tt) ** 2, data, weights)
    return (mean - x) / (1.0 - tt)


# --------------------------------------------------------------------------- ODE integration


def integrate(velocity: Callable[[np.ndarray, float], np.ndarray], x0, *, n_steps: int,
              method: str = "euler", t_end: float = 1.0, return_path: bool = False) -> np.ndarray:
    """Integrate :math:`dx/dt = v(x, t)` from :math:`t = 0` to ``t_end`` on a uniform grid.

    .. math:: t_k = k h, \\quad h = t_{\\text{end}} / N, \\qquad
              x_{k+1} = x_k + h\\, v(x_k, t_k) \\ \\text{(Euler)}

    ``velocity(x, t)`` takes an (m, d) array and a scalar time. ``method="rk4"`` takes classical
    Runge-Kutta steps (stages at :math:`t_k, t_k + h/2, t_k + h`).

    The field is never evaluated at :math:`t = 1`. Euler only evaluates at the left end
    :math:`t_k \\le 1 - h` of each step. When ``t_end == 1`` the last RK4 step would need a
    stage at :math:`t = 1`, so that one step is an Euler step from :math:`1 - h`; for a field
    of the form :math:`v = (m(x, t) - x)/(1 - t)` (the exact marginal velocity) it lands on
    :math:`m(x, 1-h) = E[x_1 \\mid x_{1-h} = x]`, the exact end point of the straight line with
    that velocity. With ``t_end < 1`` every step is a full RK4 step.

    Returns the end points (m, d), or with ``return_path`` the whole path (N + 1, m, d).

    >>> import numpy as np
    >>> integrate(lambda x, t: -x, np.ones((1, 1)), n_steps=50, method="rk4", t_end=0.5).round(6)
    array([[0.606531]])
    """
    x = kernels.as_points(x0, "x0").copy()
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 1:
        raise ValueError(f"n_steps must be a positive integer, got {n_steps!r}")
    t_end = float(t_end)
    if not 0.0 < t_end <= 1.0:
        raise ValueError(f"t_end must lie in (0, 1], got {t_end}")
    h = t_end / n_steps

    def v(y: np.ndarray, t: float) -> np.ndarray:
        out = np.asarray(velocity(y, t), dtype=float)
        if out.shape != y.shape:
            raise ValueError(f"velocity returned shape {out.shape} for points of shape {y.shape}")
        return out

    path = [x.copy()] if return_path else None
    for k in range(n_steps):
        t = k * h
        last_to_one = t_end == 1.0 and k == n_steps - 1
        if method == "euler" or last_to_one:
            x = x + h * v(x, t)  # Euler: evaluates at t_k <= 1 - h only
        else:
            k1 = v(x, t)
            k2 = v(x + 0.5 * h * k1, t + 0.5 * h)
            k3 = v(x + 0.5 * h * k2, t + 0.5 * h)
            k4 = v(x + h * k3, t + h)  # t + h <= 1 - h when t_end == 1 (not the last step)
            x = x + (h / 6.0) * (k1 + 2 * k2 + 2 * k3 + k4)
        if return_path:
            path.append(x.copy())
    return np.stack(path) if return_path else x


# --------------------------------------------------------------------------- measurements


def nearest_distance(x, data) -> np.ndarray:
    """Distance from each row of ``x`` to its nearest data point, shape (m,).

    .. math:: \\delta(x) = \\min_j \\|x - y_j\\|

    >>> nearest_distance([[0.0, 3.0]], [[0.0, 0.0], [0.0, 4.0]])
    array([1.])
    """
    x, data = _points_and_data(x, data)

    def block(rows: np.ndarray) -> np.ndarray:
        diff = rows[:, None, :] - data[None, :, :]
        return np.sqrt(np.einsum("ijk,ijk->ij", diff, diff).min(axis=1))

    return kernels.map_row_chunks(block, x, len(data) * x.shape[1], workers=1)
