"""Conditional flow matching in NumPy: a small MLP velocity field, hand-written backprop, Adam.

The model :math:`v_\\theta(x, t)` is regressed on the straight-line velocity of random paths,

.. math:: \\mathcal{L}(\\theta) = E_{t \\sim U[0,1),\\, x_0 \\sim \\mathcal{N}(0,I),\\, x_1 \\sim q}
          \\big\\| v_\\theta\\big((1-t)x_0 + t x_1,\\, t\\big) - (x_1 - x_0) \\big\\|^2 ,

whose minimiser is :math:`E[x_1 - x_0 \\mid x_t = x] = v_t(x)`, the marginal velocity
(:mod:`numerics.flow_matching`). Every step of the network sits next to the line that
differentiates it (in the style of micrograd). Seeds make runs reproducible: every random
function takes a keyword-only ``rng``.

>>> import numpy as np
>>> data = np.array([[2.0, 0.0], [-2.0, 0.0]])
>>> a = train_cfm(data, steps=30, rng=0)
>>> b = train_cfm(data, steps=30, rng=0)
>>> bool(np.array_equal(a.losses, b.losses))                # same seed, same run
True
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from numerics import flow_matching as fm
from numerics import kernels
from numerics.lazy import lazy

distance = lazy("scipy.spatial.distance")


try:  # small matrix products run fastest on one BLAS thread (threads only contend here)
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - optional: without it training is just slower
    def threadpool_limits(limits=None):
        return contextlib.nullcontext()

LAYERS = ("W1", "b1", "W2", "b2", "W3", "b3")


# --------------------------------------------------------------------------- the model


def time_features(t: np.ndarray, n_freq: int) -> np.ndarray:
    """Embedding of times (m,) as (m, 1 + 2 n_freq).

    .. math:: e(t) = \\big(t, \\cos(\\pi k t), \\sin(\\pi k t)\\big)_{k = 1..K}
    """
    k = np.pi * np.arange(1, n_freq + 1)
    return np.hstack([t[:, None], np.cos(t[:, None] * k), np.sin(t[:, None] * k)])


def init_mlp(d: int, *, hidden: int = 64, n_freq: int = 3, rng) -> dict:
    """Parameters of a two-hidden-layer SiLU network from (x, e(t)) to a velocity in R^d.

    Weights are drawn :math:`\\mathcal{N}(0, 1/\\text{fan-in})`, biases start at 0.
    """
    rng = np.random.default_rng(rng)
    d_in = d + 1 + 2 * n_freq
    shapes = {"W1": (d_in, hidden), "W2": (hidden, hidden), "W3": (hidden, d)}
    p = {name: rng.standard_normal(s) / math.sqrt(s[0]) for name, s in shapes.items()}
    p.update(b1=np.zeros(hidden), b2=np.zeros(hidden), b3=np.zeros(d))
    p["W3"] *= 0.1  # a small initial field
    return p


def _silu(a: np.ndarray):
    """SiLU and its derivative: :math:`a\\sigma(a)`, :math:`\\sigma(a)(1 + a(1-\\sigma(a)))`."""
    with np.errstate(over="ignore"):  # exp(-a) = inf gives s = 0, the right limit
        s = 1.0 / (1.0 + np.exp(-a))
    return a * s, s * (1.0 + a * (1.0 - s))


def _inputs(params: dict, x, t) -> np.ndarray:
    x = kernels.as_points(x)
    tt = np.asarray(t, dtype=float).reshape(-1)
    if np.ndim(t) == 0:
        tt = np.full(len(x), tt[0])
    if tt.shape != (len(x),):
        raise ValueError(f"t must be a scalar or have one entry per row ({len(x)}), got shape {np.shape(t)}")
    n_freq = (params["W1"].shape[0] - x.shape[1] - 1) // 2
    return np.hstack([x, time_features(tt, n_freq)])


def forward(params: dict, x, t):
    """Network output (m, d) and the cache the backward pass needs."""
    z0 = _inputs(params, x, t)
    a1 = z0 @ params["W1"] + params["b1"]
    z1, g1 = _silu(a1)
    a2 = z1 @ params["W2"] + params["b2"]
    z2, g2 = _silu(a2)
    out = z2 @ params["W3"] + params["b3"]
    return out, (z0, z1, g1, z2, g2)


def backward(params: dict, cache, grad_out: np.ndarray) -> dict:
    """Gradients of a scalar loss with respect to every parameter, given dLoss/dOutput."""
    z0, z1, g1, z2, g2 = cache
    grads = {"W3": z2.T @ grad_out, "b3": grad_out.sum(axis=0)}  # out = z2 W3 + b3
    da2 = (grad_out @ params["W3"].T) * g2                        # z2 = silu(a2)
    grads.update(W2=z1.T @ da2, b2=da2.sum(axis=0))               # a2 = z1 W2 + b2
    da1 = (da2 @ params["W2"].T) * g1                             # z1 = silu(a1)
    grads.update(W1=z0.T @ da1, b1=da1.sum(axis=0))               # a1 = z0 W1 + b1
    return grads


def velocity_field(params: dict) -> Callable[[np.ndarray, float], np.ndarray]:
    """The trained :math:`v_\\theta(x, t)` as a function for :func:`numerics.flow_matching.integrate`."""
    return lambda x, t: forward(params, x, t)[0]


# --------------------------------------------------------------------------- the objective


def cfm_batch(data, m: int, *, rng):
    """A batch of the regression problem: :math:`(x_t, t, x_1 - x_0)`.

    .. math:: t \\sim U[0, 1), \\; x_0 \\sim \\mathcal{N}(0, I), \\; x_1 \\sim \\text{Unif(data)},
              \\; x_t = (1-t)x_0 + t x_1

    The target :math:`x_1 - x_0` equals :math:`(x_1 - x_t)/(1-t)`, the straight-line velocity.
    """
    rng = np.random.default_rng(rng)
    data = kernels.as_points(data, "data")
    t = rng.uniform(0.0, 1.0, size=m)
    x0 = rng.standard_normal((m, data.shape[1]))
    x1 = data[rng.integers(len(data), size=m)]
    return (1 - t[:, None]) * x0 + t[:, None] * x1, t, x1 - x0


def cfm_loss_and_grad(params: dict, x, t, target) -> tuple[float, dict]:
    """Batch CFM loss and its gradient.

    .. math:: L = \\frac{1}{m}\\sum_i \\|v_\\theta(x_i, t_i) - u_i\\|^2, \\qquad
              \\frac{\\partial L}{\\partial v_i} = \\frac{2}{m}(v_\\theta(x_i, t_i) - u_i)
    """
    out, cache = forward(params, x, t)
    r = out - np.asarray(target, dtype=float)
    loss = float(np.einsum("ij,ij->", r, r) / len(r))
    return loss, backward(params, cache, 2.0 * r / len(r))


def exact_regression_samples(data, m: int, *, rng, n_times: int = 20):
    """Simulated regression problems with the exact answer, one per time of a stratified grid.

    Returns a list of ``(t, x_t, x_1 - x_0, v_t(x_t))`` with :math:`t_k = (k + 1/2)/K` and
    ``m // K`` rows each; :math:`v_t` is the closed-form marginal velocity of ``data``, the
    minimiser of the CFM loss, so :math:`E\\|v_t(x_t) - (x_1 - x_0)\\|^2` is the loss's floor.
    """
    rng = np.random.default_rng(rng)
    data = kernels.as_points(data, "data")
    out = []
    for tt in (np.arange(n_times) + 0.5) / n_times:
        xs, x0, idx = fm.sample_marginal_path(data, float(tt), m // n_times, rng=rng)
        out.append((float(tt), xs, data[idx] - x0, fm.marginal_velocity(xs, float(tt), data)))
    return out


# --------------------------------------------------------------------------- training


@dataclass
class Adam:
    """Adam with bias correction: :math:`\\theta \\leftarrow \\theta - \\eta\\, \\hat m/(\\sqrt{\\hat v} + \\epsilon)`."""

    lr: float = 3e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    step_count: int = 0

    def __post_init__(self):
        self.m: dict = {}
        self.v: dict = {}

    def step(self, params: dict, grads: dict, lr: float | None = None) -> None:
        self.step_count += 1
        lr = self.lr if lr is None else lr
        c1, c2 = 1 - self.beta1**self.step_count, 1 - self.beta2**self.step_count
        for k, g in grads.items():
            m = self.m[k] = self.beta1 * self.m.get(k, 0.0) + (1 - self.beta1) * g       # first moment
            v = self.v[k] = self.beta2 * self.v.get(k, 0.0) + (1 - self.beta2) * g * g   # second moment
            params[k] -= lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


@dataclass(frozen=True)
class TrainResult:
    """A trained field: its parameters and the batch loss of every step."""

    params: dict
    losses: np.ndarray

    @property
    def velocity(self) -> Callable[[np.ndarray, float], np.ndarray]:
        return velocity_field(self.params)


def train_cfm(data, *, steps: int = 1500, batch_size: int = 256, lr: float = 3e-3, hidden: int = 64,
              n_freq: int = 3, ema: float = 0.0, rng) -> TrainResult:
    """Fit :math:`v_\\theta` to ``data`` by stochastic gradient descent (Adam) on the CFM loss.

    Each step draws a fresh batch (:func:`cfm_batch`), so the loss is an unbiased estimate of
    :math:`\\mathcal{L}(\\theta)`; the learning rate decays by a cosine schedule to 5% of ``lr``.
    """
    data = kernels.as_points(data, "data")
    if not (isinstance(steps, (int, np.integer)) and steps >= 1):
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if not (isinstance(batch_size, (int, np.integer)) and batch_size >= 1):
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be positive and finite, got {lr}")
    rng = np.random.default_rng(rng)
    params = init_mlp(data.shape[1], hidden=hidden, n_freq=n_freq, rng=rng)
    opt = Adam(lr=lr)
    losses = np.empty(steps)
    avg = {k: v.copy() for k, v in params.items()}
    with threadpool_limits(1):
        for k in range(steps):
            x, t, u = cfm_batch(data, batch_size, rng=rng)
            losses[k], grads = cfm_loss_and_grad(params, x, t, u)
            opt.step(params, grads, lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * k / steps))))
            for name, value in avg.items():  # exponential moving average of the weights
                value += (1 - ema) * (params[name] - value)
    return TrainResult(avg, losses)


# --------------------------------------------------------------------------- data and distances


#: The answers' two training set-ups: a handful of 2-D points and a noisy ring (about a second each).
EXAMPLES = {
    "handful": {"points": 5, "steps": 1000, "batch_size": 256, "lr": 1e-2, "hidden": 64, "ema": 0.99},
    "ring": {"points": 4000, "steps": 1000, "batch_size": 256, "lr": 1e-2, "hidden": 64, "ema": 0.99},
}


def example_data(kind: str, *, rng) -> np.ndarray:
    """The training set of one of :data:`EXAMPLES`."""
    if kind not in EXAMPLES:
        raise ValueError(f"kind must be one of {sorted(EXAMPLES)}, got {kind!r}")
    n_points = EXAMPLES[kind]["points"]
    return handful(n_points, 2, rng=rng) if kind == "handful" else ring(n_points, rng=rng)


def train_example(kind: str, *, rng):
    """Draw the training set of ``kind`` and train on it: returns ``(data, TrainResult)``."""
    rng = np.random.default_rng(rng)
    data = example_data(kind, rng=rng)
    config = {k: v for k, v in EXAMPLES[kind].items() if k != "points"}
    return data, train_cfm(data, rng=rng, **config)


def handful(n: int, d: int = 2, *, rng, spread: float = 1.5, min_separation: float = 1.0) -> np.ndarray:
    """``n`` points drawn :math:`\\mathcal{N}(0, s^2 I)` in :math:`R^d`, redrawn until no two are closer
    than ``min_separation`` (so the data set is a handful of distinct, separated atoms)."""
    rng = np.random.default_rng(rng)
    for _ in range(1000):
        pts = spread * rng.standard_normal((n, d))
        if n < 2 or distance.cdist(pts, pts)[np.triu_indices(n, 1)].min() >= min_separation:
            return pts
    raise ValueError(f"could not place {n} points {min_separation} apart with spread {spread} in {d} dimensions")


def ring(m: int, *, rng, radius: float = 2.0, width: float = 0.1) -> np.ndarray:
    """``m`` points of a noisy circle: angle uniform, radius :math:`R + w\\,\\xi`, shape (m, 2)."""
    rng = np.random.default_rng(rng)
    angle = rng.uniform(0, 2 * np.pi, size=m)
    r = radius + width * rng.standard_normal(m)
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)])


def two_moons(m: int, *, rng, noise: float = 0.08) -> np.ndarray:
    """``m`` points of two interleaved half circles (centred, scaled to unit spread), shape (m, 2)."""
    rng = np.random.default_rng(rng)
    upper = rng.random(m) < 0.5
    a = rng.uniform(0, np.pi, size=m)
    x = np.where(upper, np.cos(a), 1 - np.cos(a))
    y = np.where(upper, np.sin(a), 0.5 - np.sin(a))
    pts = np.column_stack([x - 0.5, y - 0.25]) * 1.5
    return pts + noise * rng.standard_normal((m, 2))


def energy_distance(a, b) -> float:
    """Unbiased estimate (U-statistic) of the squared energy distance; zero iff equal in law.

    .. math:: D^2 = 2E\\|A - B\\| - E\\|A - A'\\| - E\\|B - B'\\|

    The within-sample means leave out the zero diagonal, so the estimate has mean exactly
    :math:`D^2` (it can be slightly negative when the laws agree).

    >>> energy_distance([[0.0], [1.0]], [[10.0], [11.0]])   # 2*10 - 1 - 1
    18.0
    """
    a, b = kernels.as_points(a, "a"), kernels.as_points(b, "b")
    if len(a) < 2 or len(b) < 2:
        raise ValueError("energy_distance needs at least two points in each sample")

    def within(s: np.ndarray) -> float:
        return float(distance.cdist(s, s).sum() / (len(s) * (len(s) - 1)))

    return float(2 * distance.cdist(a, b).mean() - within(a) - within(b))
