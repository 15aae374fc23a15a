"""Numeric checks of Question 9 and the samplers of their random set-ups.

Every check takes a generator ``rng`` and returns one or more :class:`numerics.stattests.CheckResult`
(a statistical test with its false-alarm probability, or a stated tolerance); the keyword arguments
fix what the check would otherwise sample, or plant an error for the tests. Result names are LaTeX.
"""

from __future__ import annotations

import math

import numpy as np

from numerics import cfm
from numerics import flow_matching as fm
from numerics.stattests import (
    DEFAULT_ALPHA,
    CheckResult,
    chi_square_test,
    close_test,
    ks_test,
    mean_bound_test,
    mean_test,
    moments_test,
    predicate,
)
from numerics.lazy import lazy

stats = lazy("scipy.stats")
special = lazy("scipy.special")

# --------------------------------------------------------------------------- random set-ups


def _given_or(value, sample):
    """``value``, or a fresh sample when the caller fixed none."""
    return sample() if value is None else value


def sample_dataset(rng, n_points=None, dim=None):
    """A handful (2 to 6) of well-separated data points in 1 to 3 dimensions."""
    n_points = int(_given_or(n_points, lambda: rng.integers(2, 7)))
    dim = int(_given_or(dim, lambda: rng.integers(1, 4)))
    return cfm.handful(n_points, dim, rng=rng, spread=1.5, min_separation=0.5)


def _mixture_moments(data, tt):
    """Mean and covariance of p_t = (1/n) sum N(t y_i, (1-t)^2 I)."""
    mean = tt * data.mean(axis=0)
    centred = data - data.mean(axis=0)
    cov = (1 - tt) ** 2 * np.eye(data.shape[1]) + tt**2 * centred.T @ centred / len(data)
    return mean, cov


def _projection_cdf(data, tt, direction):
    """CDF of direction . x under p_t: a mixture of 1-D normals."""
    centres = tt * data @ direction
    return lambda z: stats.norm.cdf((np.asarray(z)[..., None] - centres) / (1 - tt)).mean(axis=-1)


def sample_unit_vector(rng, dim):
    """A direction drawn uniformly on the unit sphere of :math:`R^d`."""
    u = rng.standard_normal(dim)
    return u / np.linalg.norm(u)


# =========================================================================== 9a


def check_conditional_path(rng, *, dim=None, tt=None, end=None, mean=None, var=None, m=40_000):
    """Simulated straight lines with a fixed end point have the claimed mean and covariance."""
    dim = int(_given_or(dim, lambda: rng.integers(1, 4))) if end is None else len(end)
    tt = float(_given_or(tt, lambda: rng.uniform(0.05, 0.95)))
    end = np.asarray(_given_or(end, lambda: rng.normal(0, 2, dim)), dtype=float)
    mu = tt * end if mean is None else np.asarray(mean(tt, end), dtype=float)
    s2 = (1 - tt) ** 2 if var is None else float(var(tt))
    xs = fm.sample_conditional_path(end, tt, m, rng=rng)
    radius = ((xs - mu) ** 2).sum(axis=1) / s2
    q = xs[:50]
    return [
        moments_test(f"$x_t \\mid x_1$ has mean $t x_1$ and covariance $(1-t)^2 I$ ($t = {tt:.3f}$, $d = {dim}$)", xs, mu,
                     s2 * np.eye(dim)),
        ks_test("$\\|x_t - t x_1\\|^2 / (1-t)^2$ is chi-square with $d$ degrees of freedom", radius, "chi2", args=(dim,)),
        close_test("numeric conditional log-density equals the $\\mathcal{N}(t x_1, (1-t)^2 I)$ log-pdf",
                   fm.conditional_log_density(q, tt, end),
                   stats.multivariate_normal.logpdf(q, mu, s2 * np.eye(dim)).reshape(-1), rtol=1e-10, atol=1e-10),
    ]


# =========================================================================== 9b


def check_concentration(rng, *, dim=None, end=None, times=(0.9, 0.99, 0.999), m=20_000):
    """As t -> 1 the spread around x_1 and the gap E g(x_t) - g(x_1) vanish at the claimed rates."""
    dim = int(_given_or(dim, lambda: rng.integers(1, 4))) if end is None else len(end)
    end = np.asarray(_given_or(end, lambda: rng.normal(0, 2, dim)), dtype=float)
    freq = rng.normal(0, 1, dim)
    sq, cosines, sq_expected, cos_expected = [], [], [], []
    for tt in times:
        xs = fm.sample_conditional_path(end, tt, m, rng=rng)
        sq.append(((xs - end) ** 2).sum(axis=1))
        sq_expected.append((1 - tt) ** 2 * (dim + end @ end))
        cosines.append(np.cos(xs @ freq))
        cos_expected.append(math.cos(tt * freq @ end) * math.exp(-((1 - tt) ** 2) * (freq @ freq) / 2))
    gaps = [abs(c - math.cos(freq @ end)) for c in cos_expected]
    # |E g(x_t) - g(x_1)| <= Lip(g) E|x_t - x_1| <= |a| sqrt(E|x_t - x_1|^2), and that bound -> 0
    bounds = [math.sqrt(freq @ freq * s2) for s2 in sq_expected]
    return [
        mean_test("$E\\|x_t - x_1\\|^2 = (1-t)^2 (d + \\|x_1\\|^2)$ at $t = 0.9, 0.99, 0.999$",
                  np.column_stack(sq), sq_expected),
        mean_test("$E \\cos(a \\cdot x_t) = \\cos(t\\, a \\cdot x_1)\\, e^{-(1-t)^2 \\|a\\|^2 / 2}$ at the same times",
                  np.column_stack(cosines), cos_expected),
        predicate("$|E g(x_t) - g(x_1)| \\le \\|a\\| (E\\|x_t - x_1\\|^2)^{1/2}$, a bound falling tenfold per step",
                  all(g <= b + 1e-12 for g, b in zip(gaps, bounds)) and all(np.diff(bounds) < 0),
                  mean_square_distance=sq_expected, gap_to_g_of_x1=gaps, lipschitz_bound=bounds),
    ]


# =========================================================================== 9c


def check_marginal_path(rng, *, data=None, tt=None, mean=None, m=40_000):
    """Simulated paths with x_1 drawn from the data have the moments and law of the mixture."""
    data = _given_or(data, lambda: sample_dataset(rng))
    tt = float(_given_or(tt, lambda: rng.uniform(0.05, 0.95)))
    mu, cov = _mixture_moments(data, tt)
    if mean is not None:
        mu = np.asarray(mean(tt, data), dtype=float)
    xs, _, _ = fm.sample_marginal_path(data, tt, m, rng=rng)
    direction = sample_unit_vector(rng, data.shape[1])
    return [
        moments_test(f"$x_t$ has the mean and covariance of the mixture ($t = {tt:.3f}$, $n = {len(data)}$)", xs, mu, cov),
        ks_test("a random projection of $x_t$ follows the projected mixture (its CDF)", xs @ direction,
                _projection_cdf(data, tt, direction)),
    ]


def wide_mixture_log_density(xq, tt, data):
    """:math:`\\log \\frac1n \\sum_i \\mathcal{N}(x; t x^{(i)}, 2(1-t)^2 I)`, with scipy's Gaussian log-pdf."""
    cov = 2.0 * (1 - tt) ** 2 * np.eye(data.shape[1])
    return special.logsumexp([stats.multivariate_normal.logpdf(xq, tt * yj, cov).reshape(-1) for yj in data],
                     axis=0) - math.log(len(data))


def check_marginal_density(rng, *, data=None, tt=None, log_density=fm.marginal_log_density, m=40_000):
    """The numeric log-density is the mixture's, stays exact as t -> 1, and integrates to one."""
    data = _given_or(data, lambda: sample_dataset(rng))
    tt = float(_given_or(tt, lambda: rng.uniform(0.05, 0.95)))
    dim = data.shape[1]
    q = np.vstack([rng.normal(0, 3, (40, dim)), [np.full(dim, 60.0)]])  # includes a far-away point
    brute = special.logsumexp([stats.multivariate_normal.logpdf(q, tt * yj, (1 - tt) ** 2 * np.eye(dim)).reshape(-1)
                       for yj in data], axis=0) - math.log(len(data))
    near = 1 - 1e-7  # x = y_j + (1-t) z: every other component is negligible
    z = rng.standard_normal((20, dim))
    jdx = rng.integers(len(data), size=20)
    xq = near * data[jdx] + (1 - near) * z
    exact = -math.log(len(data)) + stats.norm.logpdf(z).sum(axis=1) - dim * math.log(1 - near)
    # importance sampling: E_g[p_t(x) / g(x)] = 1 for the defensive mixture g = (1/n) sum_i
    # N(t x_i, 2 (1-t)^2 I): each component of p_t over its twin of twice the variance is
    # 2^{d/2} exp(-|x - t x_i|^2 / (4 (1-t)^2)) <= 2^{d/2}, so p_t / g <= 2^{d/2}. Bounded weights have
    # finite variance and the z-test's CLT holds (a single wide Gaussian gives heavy-tailed weights).
    pick = rng.integers(len(data), size=m)
    g = tt * data[pick] + math.sqrt(2.0) * (1 - tt) * rng.standard_normal((m, dim))
    ratio = np.exp(log_density(g, tt, data) - wide_mixture_log_density(g, tt, data))
    return [
        close_test("$\\log p_t$ equals $\\log \\frac1n \\sum_i \\mathcal{N}(x; t x^{(i)}, (1-t)^2 I)$ (brute force, with a far point)",
                   log_density(q, tt, data), brute, rtol=1e-9, atol=1e-9),
        close_test("$\\log p_t$ stays exact at $t = 1 - 10^{-7}$ near the data points", log_density(xq, near, data), exact,
                   rtol=1e-9, atol=1e-6),
        mean_test("$p_t$ integrates to one (importance sampling from the mixture of components with twice "
                  "the variance, weights bounded by $2^{d/2}$)", ratio, [1.0]),
    ]


# =========================================================================== 9d


def check_velocity_is_conditional_mean(rng, *, data=None, times=None, velocity=fm.marginal_velocity, m=20_000):
    """Residual orthogonality: E[(x_1 - x_0 - v_t(x_t)) f(x_t)] = 0 for test functions f."""
    data = _given_or(data, lambda: sample_dataset(rng))
    times = _given_or(times, lambda: rng.uniform(0.0, 0.8, size=3))
    out = []
    for tt in times:
        xs, x0, idx = fm.sample_marginal_path(data, float(tt), m, rng=rng)
        line, v = data[idx] - x0, velocity(xs, float(tt), data)
        feats = np.hstack([np.ones((m, 1)), xs, np.tanh(xs)])
        prods = ((line - v)[:, :, None] * feats[:, None, :]).reshape(m, -1)
        # where v_t is exact up to rounding (one data point dominates) the products are rounding of
        # operands of this size: it sets mean_test's rounding floor
        operands = (np.abs(line).max() + np.abs(v).max()) * np.tile(np.abs(feats).max(axis=0), data.shape[1])
        out.append(mean_test(f"$x_1 - x_0 - v_t(x_t)$ is orthogonal to $1, x_t, \\tanh(x_t)$ at $t = {tt:.3f}$",
                             prods, np.zeros(prods.shape[1]), alpha=DEFAULT_ALPHA / len(times), scale=operands))
    return out


def check_line_velocity(rng, *, m=1000):
    """On every straight line the velocity (x_1 - x_t)/(1 - t) equals x_1 - x_0, at every time."""
    data = sample_dataset(rng)
    tt = rng.uniform(0.0, 0.999, size=m)
    xs, x0, idx = fm.sample_marginal_path(data, tt, m, rng=rng)
    return close_test("$(x_1 - x_t)/(1-t) = x_1 - x_0$ along simulated lines (numeric conditional velocity)",
                      fm.conditional_velocity(xs, tt, data[idx]), data[idx] - x0, rtol=1e-6, atol=1e-6)


# =========================================================================== 9e


def _brute_posterior(xq, tt, data):
    dim = data.shape[1]
    lj = np.array([stats.multivariate_normal.logpdf(xq, tt * yj, (1 - tt) ** 2 * np.eye(dim)).reshape(-1)
                   for yj in data]).T
    return np.exp(lj - special.logsumexp(lj, axis=1, keepdims=True))


def check_posterior(rng, *, data=None, tt=None, posterior=fm.posterior_x1, m=20_000):
    """The softmax posterior equals brute-force Bayes and is calibrated on simulated paths."""
    data = _given_or(data, lambda: sample_dataset(rng))
    tt = float(_given_or(tt, lambda: rng.uniform(0.05, 0.8)))
    q = rng.normal(0, 3, (40, data.shape[1]))
    xs, _, idx = fm.sample_marginal_path(data, tt, m, rng=rng)
    onehot = np.eye(len(data))[idx]
    resid = onehot - posterior(xs, tt, data)
    feats = np.hstack([np.ones((m, 1)), xs])
    prods = (resid[:, :, None] * feats[:, None, :]).reshape(m, -1)
    name = (f"calibration: $E[(1\\{{x_1 = x^{{(i)}}\\}} - p(x^{{(i)}} \\mid x_t))\\, f(x_t)] = 0$ "
            f"for $f = 1, x$ ($t = {tt:.3f}$)")
    return [
        close_test("numeric posterior equals Bayes' rule with SciPy's Gaussian log-density", posterior(q, tt, data),
                   _brute_posterior(q, tt, data), rtol=1e-8, atol=1e-10),
        # indicator and posterior lie in [0, 1]: the features' size sets the rounding floor
        mean_test(name, prods, np.zeros(prods.shape[1]), scale=np.tile(np.abs(feats).max(axis=0), len(data))),
    ]


# =========================================================================== 9f


def _fd(f, z, h):
    """Fourth-order central difference of f at z with step h (error O(h^4))."""
    return (-f(z + 2 * h) + 8 * f(z + h) - 8 * f(z - h) + f(z - 2 * h)) / (12 * h)


def continuity_residual(data, tt, xq, *, velocity=fm.marginal_velocity, log_density=fm.marginal_log_density):
    """Terms of :math:`(\\partial_t p + \\nabla\\cdot(p v))/p = \\partial_t \\log p + v\\cdot\\nabla \\log p
    + \\nabla \\cdot v` by finite differences, per row of ``xq``: (dt_log_p, v_dot_grad, div_v)."""
    dim = xq.shape[1]
    sig = 1 - tt
    ht, hx = 1e-3 * sig, 1e-3 * sig**2  # steps scaled to the path's time and length scales
    dt = _fd(lambda s: log_density(xq, s, data), tt, ht)
    v = velocity(xq, tt, data)
    grad = np.zeros_like(xq)
    div = np.zeros(len(xq))
    for c in range(dim):
        e = np.zeros(dim)
        e[c] = 1.0
        grad[:, c] = _fd(lambda s, e=e: log_density(xq + s * e, tt, data), 0.0, hx)
        div += _fd(lambda s, e=e, c=c: velocity(xq + s * e, tt, data)[:, c], 0.0, hx)
    return dt, (v * grad).sum(axis=1), div


#: Relative tolerance of the finite-difference continuity check (measured residuals are < 1e-8).
CONTINUITY_RTOL = 1e-6


def check_continuity_fd(rng, *, data=None, times=None, velocity=fm.marginal_velocity,
                        log_density=fm.marginal_log_density, m=30):
    """d/dt log p_t + v.grad log p_t + div v = 0 at drawn points, by finite differences."""
    data = _given_or(data, lambda: sample_dataset(rng))
    times = _given_or(times, lambda: rng.uniform(0.01, 0.9, size=2))  # t - 2 h_t stays in [0, 1)
    out = []
    for tt in times:
        tt = float(tt)
        mu, cov = _mixture_moments(data, tt)
        xq = mu + rng.standard_normal((m, data.shape[1])) @ np.linalg.cholesky(cov).T
        dt, transport, div = continuity_residual(data, tt, xq, velocity=velocity, log_density=log_density)
        scale = np.abs(dt) + np.abs(transport) + np.abs(div) + 1.0
        out.append(close_test(f"continuity equation (divided by $p_t$) holds at {m} points drawn from $p_t$, $t = {tt:.3f}$",
                              (dt + transport + div) / scale, np.zeros(m), rtol=0.0, atol=CONTINUITY_RTOL))
    return out


def check_transport(rng, *, data=None, tau=None, velocity=fm.marginal_velocity, m=20_000, n_steps=40):
    """Pushing N(0, I) along v_t for time tau (RK4) gives the path p_tau of 9c."""
    data = _given_or(data, lambda: sample_dataset(rng))
    tau = float(_given_or(tau, lambda: rng.uniform(0.3, 0.85)))
    x0 = rng.standard_normal((m, data.shape[1]))
    xs = fm.integrate(lambda z, s: velocity(z, s, data), x0, n_steps=n_steps, method="rk4", t_end=tau)
    mu, cov = _mixture_moments(data, tau)
    direction = sample_unit_vector(rng, data.shape[1])
    return [
        moments_test(f"ODE samples at $t = {tau:.3f}$ have the mean and covariance of $p_t$", xs, mu, cov),
        ks_test("a random projection of the ODE samples follows the projected $p_t$", xs @ direction,
                _projection_cdf(data, tau, direction)),
    ]


# =========================================================================== 9g


#: How the result names call the ODE solvers.
SOLVER_NAMES = {"euler": "Euler", "rk4": "RK4"}

#: Stated thresholds of the training checks.
MAX_REL_ERROR = {"handful": 0.15, "ring": 0.05}
MAX_ED_RATIO = 0.2


#: Times at which the learned field is compared with the closed form (t <= 0.9: away from t = 1,
#: where the exact field of a finite data set becomes singular).
COMPARISON_TIMES = tuple(np.linspace(0.0, 0.9, 10))


def relative_field_error(velocity, data, rng, *, times=COMPARISON_TIMES, m=2000):
    """:math:`E|v_\\theta - v^*|^2 / E|v^*|^2` over x ~ p_t on a grid of t, with the exact v* of ``data``."""
    num = den = 0.0
    for tt in times:
        xs, _, _ = fm.sample_marginal_path(data, float(tt), m, rng=rng)
        exact = fm.marginal_velocity(xs, float(tt), data)
        num += ((velocity(xs, float(tt)) - exact) ** 2).sum(axis=1).mean()
        den += (exact**2).sum(axis=1).mean()
    return num / den


def check_gradients(rng, *, grad_fn=cfm.cfm_loss_and_grad, n_entries=40):
    """The hand-written backprop agrees with central finite differences of the CFM loss."""
    data = cfm.handful(4, 2, rng=rng)
    params = cfm.init_mlp(2, hidden=16, rng=rng)
    params = {k_: v_ + 0.1 * rng.standard_normal(v_.shape) for k_, v_ in params.items()}  # away from b = 0
    xb, tb, ub = cfm.cfm_batch(data, 64, rng=rng)
    _, grads = grad_fn(params, xb, tb, ub)
    numeric, analytic = [], []
    for _ in range(n_entries):
        name = cfm.LAYERS[rng.integers(len(cfm.LAYERS))]
        idx = tuple(rng.integers(s_) for s_ in params[name].shape)
        h = 1e-6
        old = params[name][idx]
        params[name][idx] = old + h
        up = cfm.cfm_loss_and_grad(params, xb, tb, ub)[0]
        params[name][idx] = old - h
        down = cfm.cfm_loss_and_grad(params, xb, tb, ub)[0]
        params[name][idx] = old
        numeric.append((up - down) / (2 * h))
        analytic.append(grads[name][idx])
    return close_test(f"backpropagated gradient equals the central finite difference at {n_entries} random parameters",
                      analytic, numeric, rtol=1e-5, atol=1e-7)


def check_training(rng, *, kinds=("handful", "ring"), m=20_000, train=cfm.train_example):
    """A short Adam run lowers the CFM loss to near its minimum and learns the closed-form field."""
    out = []
    for kind in kinds:
        data, res = train(kind, rng=rng)
        v = res.velocity
        with cfm.threadpool_limits(1):
            err = relative_field_error(v, data, rng)
            cross, floor = [], []
            for tt, xs, ub, exact in cfm.exact_regression_samples(data, m, rng=rng):
                cross.append(2 * ((v(xs, tt) - exact) * (exact - ub)).sum(axis=1))
                floor.append(((exact - ub) ** 2).sum(axis=1))
        cross, floor = np.concatenate(cross), float(np.concatenate(floor).mean())
        early, late = res.losses[:100], res.losses[-100:]
        out += [
            predicate(f"{kind}: the training loss falls (last 100 batch losses below the first 100 on average)",
                      late.mean() < early.mean(), first_100=early.mean(), last_100=late.mean(),
                      standard_errors=[early.std() / 10, late.std() / 10], irreducible_minimum=floor,
                      steps=len(res.losses)),
            predicate(f"{kind}: the learned field is close to the closed-form $v_t$ "
                      f"($E\\|v_\\theta - v_t\\|^2 / E\\|v_t\\|^2 \\le {MAX_REL_ERROR[kind]}$)",
                      err <= MAX_REL_ERROR[kind], relative_error=err, threshold=MAX_REL_ERROR[kind],
                      data_points=len(data)),
            mean_test(f"{kind}: CFM loss $=$ distance to $v_t$ $+$ constant: the cross term has mean 0", cross, [0.0]),
        ]
    return out


# =========================================================================== 9h


def check_exact_sampler(rng, *, data=None, m=4000, n_steps=40, method="rk4", velocity=fm.marginal_velocity):
    """With the exact field, samples land on the data points, each with probability 1/n."""
    data = _given_or(data, lambda: cfm.handful(int(rng.integers(3, 7)), 2, rng=rng))
    x0 = rng.standard_normal((m, data.shape[1]))
    path = fm.integrate(lambda z, s: velocity(z, s, data), x0, n_steps=n_steps, method=method, return_path=True)
    end, before = path[-1], path[-2]
    dist = fm.nearest_distance(end, data)
    scale = 1.0 + np.abs(data).max()
    solver = SOLVER_NAMES[method]
    counts = np.bincount(np.argmin(((end[:, None, :] - data[None]) ** 2).sum(axis=2), axis=1), minlength=len(data))
    return [
        predicate(f"{solver}: every sample lands on a data point (largest distance $\\le 10^{{-6}}(1 + \\max_i \\|x^{{(i)}}\\|_\\infty)$)",
                  dist.max() <= 1e-6 * scale, max_distance=float(dist.max()), threshold=1e-6 * scale,
                  median_distance_one_step_earlier=float(np.median(fm.nearest_distance(before, data))),
                  samples=m, steps=n_steps),
        chi_square_test(f"{solver}: each of the {len(data)} data points receives $1/n$ of the samples", counts,
                        np.full(len(data), 1.0 / len(data))),
    ]


#: The trained model's samples must lie, on average, closer to the data than this fraction of the
#: base distribution's distance (a one-sided test: the base itself never passes).
NEAR_FRACTION = 0.5


def check_trained_handful_sampler(rng, *, m=2000, n_steps=10, train=cfm.train_example, alpha=DEFAULT_ALPHA):
    """Samples of the model trained on a handful of points land near the data points: their mean distance
    to the nearest data point is below half that of draws of the base distribution (one-sided z-test)."""
    data, res = train("handful", rng=rng)
    with cfm.threadpool_limits(1):
        samples = fm.integrate(res.velocity, rng.standard_normal((m, data.shape[1])), n_steps=n_steps, method="rk4")
    model = fm.nearest_distance(samples, data)
    base = fm.nearest_distance(rng.standard_normal((m, data.shape[1])), data)
    # independent draws paired by position: the differences are i.i.d. with mean E[model] - f E[base]
    result = mean_bound_test(
        f"handful: trained samples lie nearer the data than {NEAR_FRACTION:g} times draws of "
        r"$\mathcal{N}(0, I)$ do ($H_0$: mean distance to the nearest $x^{(i)}$ at least that)",
        model - NEAR_FRACTION * base, 0.0, below=True, alpha=alpha)
    evidence = dict(result.evidence, mean_distance_model=float(model.mean()), mean_distance_base=float(base.mean()),
                    fraction=NEAR_FRACTION, samples=m, steps=n_steps, data_points=len(data))
    return CheckResult(result.name, result.passed, evidence)


def check_trained_sampler(rng, *, m=4000, n_steps=10, train=cfm.train_example):
    """Samples of the trained ring model match held-out ring data (energy distance threshold)."""
    data, res = train("ring", rng=rng)
    held = cfm.ring(m, rng=rng)
    with cfm.threadpool_limits(1):
        samples = fm.integrate(res.velocity, rng.standard_normal((m, 2)), n_steps=n_steps, method="rk4")
    gaussian = rng.multivariate_normal(held.mean(axis=0), np.cov(held.T), size=m)
    ed_model = cfm.energy_distance(samples, held)
    ed_gauss = cfm.energy_distance(gaussian, held)
    return predicate(f"ring: energy distance of model samples to held-out data $\\le {MAX_ED_RATIO}\\times$ "
                     "that of the moment-matched Gaussian (both estimated by the unbiased U-statistic, which can "
                     "be slightly negative when two laws agree)", ed_model <= MAX_ED_RATIO * ed_gauss,
                     energy_distance_model=ed_model, energy_distance_gaussian=ed_gauss,
                     ratio=ed_model / ed_gauss, threshold_ratio=MAX_ED_RATIO, samples=m, held_out=m,
                     training_points=len(data), steps=n_steps)
