"""Numeric checks of question 8 and the samplers of their random parameters.

Every check takes a generator first and samples whatever parameter it is not given; the keyword
arguments that replace a derived answer (``predictor``, ``claim``, ``weight``, ...) let the tests
plant wrong answers that the checks must reject.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Callable

import numpy as np
import sympy as sp

from derivations.diffusion.symbols import (EPS_STAR, FORWARD_MEAN_COEF, FORWARD_VARIANCE, PRIOR_MEAN,
                                           TWO_POINT_DENSITY, TWO_POINT_MARGINAL, WEIGHT_1, XT_1, XT_2, abar,
                                           xhat_1, xhat_2)
from derivations.symbolic.hints import explicit
from numerics import diffusion as nd
from numerics import kernels
from numerics.stattests import (DEFAULT_ALPHA, CheckResult, binomial_test, close_test, ks_test,
                                mean_test, moments_test, predicate, required_sample_size)
from numerics.lazy import lazy

stats = lazy("scipy.stats")

#: The homework's data set, one point per row; the prior puts 1/2 on each.
TWO_POINTS = np.eye(2)

# --------------------------------------------------------------------------- the derived answers in NumPy


def _numeric(expr, args: tuple) -> Callable:
    """A NumPy function of ``args`` evaluating ``expr`` (lambdified once per expression), with the
    toolkit's sigmoid and Gaussian density written out."""
    expr = sp.ImmutableMatrix(expr).applyfunc(explicit) if isinstance(expr, sp.MatrixBase) else explicit(expr)
    return _lambdified(expr, args)


@lru_cache(maxsize=None)
def _lambdified(expr, args: tuple) -> Callable:
    return sp.lambdify(args, expr, modules="numpy")


def two_point_optimal_epsilon(x, alpha_bar) -> np.ndarray:
    """The derived closed form of 8c (the two points, equal weights) evaluated with NumPy. Shape (m, 2)."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    with np.errstate(over="ignore"):
        cols = [_numeric(e, (xhat_1, xhat_2, abar))(x[:, 0], x[:, 1], alpha_bar) for e in EPS_STAR]
    return np.column_stack(np.broadcast_arrays(*cols))


def closed_form_predictor(x, alpha_bar, data, weights=None) -> np.ndarray:
    """:func:`two_point_optimal_epsilon` as a predictor of the checks, which pass the data set: it
    holds for the homework's data (the two points, equal weights) only, and refuses any other."""
    equal = weights is None or np.allclose(weights, 0.5)
    if not (np.array_equal(np.asarray(data, dtype=float), TWO_POINTS) and equal):
        raise ValueError("the closed form of 8c holds for the two points [1,0], [0,1] with equal weights only")
    return two_point_optimal_epsilon(x, alpha_bar)


def two_point_weight(x, alpha_bar) -> np.ndarray:
    """The derived posterior weight of [1,0] given x_t = x, shape (m,)."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    with np.errstate(over="ignore"):
        return np.broadcast_to(_numeric(WEIGHT_1, (xhat_1, xhat_2, abar))(x[:, 0], x[:, 1], alpha_bar), len(x))


def _claimed_mixture(alpha_bar: float):
    """Weights (k,), means (k, d) and variances (k,) of the 8b answer at ``alpha_bar``."""
    weights = np.array([float(w) for w in TWO_POINT_MARGINAL.weights])
    means = np.array([np.asarray(_numeric(c.mean, (abar,))(alpha_bar), dtype=float).ravel()
                      for c in TWO_POINT_MARGINAL.dists])
    variances = np.array([float(_numeric(c.cov, (abar,))(alpha_bar)) for c in TWO_POINT_MARGINAL.dists])
    return weights, means, variances


# --------------------------------------------------------------------------- random parameters


def sample_alpha_bar(rng: np.random.Generator) -> float:
    """An alphabar_t spread over (0.05, 0.95) on the logit scale."""
    return float(1 / (1 + math.exp(-rng.uniform(-3.0, 3.0))))


def sample_schedule(rng: np.random.Generator, max_steps: int) -> np.ndarray:
    """A random noise schedule of 1..max_steps uneven betas whose alphabar_T is :func:`sample_alpha_bar`."""
    steps = int(rng.integers(1, max_steps + 1))
    share = rng.uniform(0.2, 1.0, size=steps)
    log_alpha = math.log(sample_alpha_bar(rng)) * share / share.sum()  # sum of log(1 - beta_t) = log alphabar_T
    return -np.expm1(log_alpha)


def sample_data(rng: np.random.Generator):
    """A random weighted data set in 2-D: 2 to 5 points, weights bounded away from 0."""
    k = int(rng.integers(2, 6))
    weights = rng.dirichlet(np.ones(k)) + 0.05
    return rng.normal(scale=1.5, size=(k, 2)), weights / weights.sum()


def sample_unit(rng: np.random.Generator, d: int = 2) -> np.ndarray:
    """A direction uniform on the unit sphere of R^d."""
    u = rng.normal(size=d)
    return u / np.linalg.norm(u)


def _atoms(x, alpha_bar, data) -> np.ndarray:
    """The noise values that carry each data point to each x: shape (m, n, d)."""
    return (x[:, None, :] - math.sqrt(alpha_bar) * np.asarray(data)[None, :, :]) / math.sqrt(1 - alpha_bar)


def _noise_operands(a: float, eps: np.ndarray, xt: np.ndarray, data: np.ndarray) -> float:
    """Size of the operands of eps - (x_t - sqrt(abar) y) / sqrt(1 - abar): where the posterior sits
    on one data point such a residual is rounding only, at this size rather than its own
    (the rounding floor of :func:`numerics.stattests.mean_test`)."""
    return float(np.abs(eps).max() + (np.abs(xt).max() + math.sqrt(a) * np.abs(data).max()) / math.sqrt(1 - a))


# --------------------------------------------------------------------------- 8a


def check_forward_marginal(rng, *, betas=None, x0=None, n: int = 20_000, mean_coef=None, variance=None):
    """Iterate the step-by-step forward process from one x_0 and test the derived marginal at t = 2
    and t = T: sample mean and covariance (z-tests) and the Gaussian shape (KS on a projection)."""
    betas = sample_schedule(rng, 50) if betas is None else np.asarray(betas, dtype=float)
    x0 = rng.normal(scale=2.0, size=2) if x0 is None else np.asarray(x0, dtype=float)
    mean_coef = mean_coef or _numeric(FORWARD_MEAN_COEF, (abar,))
    variance = variance or _numeric(FORWARD_VARIANCE, (abar,))
    T, d = len(betas), x0.size
    path = nd.forward_process(np.tile(x0, (n, 1)), betas, rng=rng, return_path=True)
    abars = nd.alpha_bars(betas)
    out = []
    for t in sorted({min(2, T), T}):
        a = abars[t - 1]
        out.append(moments_test(rf"$x_{{{t}}}$ given $x_0$ has the derived mean and covariance "
                                rf"($T={T}$, $\bar\alpha_{{{t}}}={a:.4g}$)",
                                path[t], mean_coef(a) * x0, variance(a) * np.eye(d)))
    a, u = abars[-1], sample_unit(rng, d)
    z = (path[T] - mean_coef(a) * x0) @ u / math.sqrt(variance(a))
    out.append(ks_test(rf"$x_{{{T}}}$ projected on a random direction and standardised is $\mathcal{{N}}(0,1)$",
                       z, "norm"))
    return out


# --------------------------------------------------------------------------- 8b


def check_two_point_marginal(rng, *, betas=None, n: int = 20_000, claim=None):
    """Sample x_0 from the two points, run the forward process, and compare x_T with the claimed
    mixture: mean and covariance, KS on two projections; plus the mixture's density against the
    log-space kernel (deterministic)."""
    betas = sample_schedule(rng, 40) if betas is None else np.asarray(betas, dtype=float)
    a = float(nd.alpha_bars(betas)[-1])
    weights, means, variances = (claim or _claimed_mixture)(a)
    x0 = TWO_POINTS[rng.integers(0, 2, size=n)]
    xt = nd.forward_process(x0, betas, rng=rng)
    mean = weights @ means
    cov = sum(w * (v * np.eye(2) + np.outer(m, m)) for w, m, v in zip(weights, means, variances)) - np.outer(mean, mean)
    out = [moments_test(rf"mean and covariance of $x_T$ over both data points ($T={len(betas)}$, "
                        rf"$\bar\alpha_T={a:.4g}$)", xt, mean, cov)]
    for label, u in (("a random direction", sample_unit(rng)),
                     ("the direction $e_1-e_2$", np.array([1.0, -1.0]) / math.sqrt(2))):
        centres, scales = means @ u, np.sqrt(variances)

        def cdf(z, centres=centres):
            return sum(w * stats.norm.cdf((z - c) / s) for w, c, s in zip(weights, centres, scales))

        out.append(ks_test(f"projection of $x_T$ on {label} follows the mixture", xt @ u, cdf))
    pts = rng.normal(scale=1.5, size=(200, 2))
    closed = np.log(_numeric(TWO_POINT_DENSITY, (XT_1, XT_2, abar))(pts[:, 0], pts[:, 1], a))
    out.append(close_test("the density of the mixture $q(x_t)$ equals the log-space kernel", closed,
                          kernels.log_mixture_density(pts, math.sqrt(a), 1 - a, TWO_POINTS), rtol=1e-9, atol=1e-9))
    return out


# --------------------------------------------------------------------------- 8c


def _test_functions(x: np.ndarray) -> np.ndarray:
    """Bounded functions of x_t (2-D) that the residual must be orthogonal to, shape (m, 5)."""
    return np.column_stack([np.ones(len(x)), np.tanh(x[:, 0]), np.tanh(x[:, 1]),
                            np.tanh(x[:, 0] - x[:, 1]), np.cos(x[:, 0] + x[:, 1])])


def check_residual_orthogonality(rng, *, alpha_bar=None, data=None, weights=None, predictor=None,
                                 n: int = 40_000):
    """E[(eps - eps*(x_t)) f(x_t)] = 0 for bounded test functions f (z-tests, Bonferroni)."""
    a = sample_alpha_bar(rng) if alpha_bar is None else alpha_bar
    if data is None:
        data, weights = sample_data(rng)
    predictor = predictor or nd.optimal_epsilon
    _, eps, xt = nd.sample_joint(n, a, data, rng=rng, weights=weights)
    claimed = predictor(xt, a, data, weights)
    residual = eps - claimed
    f = _test_functions(xt)
    products = (residual[:, :, None] * f[:, None, :]).reshape(n, -1)
    name = (rf"residual $\varepsilon-\varepsilon^*(x_t)$ orthogonal to 5 test functions "
            rf"($\bar\alpha_t={a:.4g}$, {len(data)} data points)")
    result = mean_test(name, products, np.zeros(products.shape[1]),
                       scale=np.outer(np.full(eps.shape[1], _noise_operands(a, eps, xt, data)), np.abs(f).max(axis=0)))
    # Near alphabar_t = 1 the residual is 0 except in the rare x_t between the data points, so a
    # sample can miss most of its spread and the sample standard error is far too small. Given x_t
    # the noise is eps_i(x_t) with the model's probability p_i(x_t) (the log-space kernel), so
    # E[product^2 | x_t] = sum_i p_i (eps_i - eps*)^2 f^2 is known: its sample mean estimates
    # E[product^2] >= Var(product) from every draw. The standard error is the larger of the two.
    p = nd.posterior_x0(xt, a, data, weights)
    second = np.einsum("mi,mid->md", p, (_atoms(xt, a, data) - claimed[:, None, :]) ** 2)
    model_se = np.sqrt(((second[:, :, None] * f[:, None, :] ** 2).reshape(n, -1)).mean(axis=0) / n)
    ev = result.evidence
    se = np.maximum(ev["standard_error"], model_se)
    z = np.abs(ev["estimate"]) / se
    k = products.shape[1]
    p_value = float(min(1.0, k * 2 * stats.norm.sf(z.max())))
    evidence = {**ev, "test": "two-sided z-test on the sample mean (CLT), standard error at least the model's "
                              "(conditional second moment given x_t), Bonferroni over components",
                "standard_error": se, "model_standard_error": model_se, "max_abs_z": float(z.max()),
                "p_value": p_value}
    return CheckResult(name, bool(p_value >= ev["alpha"]), evidence)


def _unit_fields(x: np.ndarray) -> list[np.ndarray]:
    """Perturbation directions of unit length at every x: 8 constant ones, 2 that turn with x, and
    the two that push towards or away from the nearer of [1,0], [0,1] (where a wrong weighting of
    the data points errs)."""
    angles = [np.full(len(x), k * np.pi / 4) for k in range(8)] + [x[:, 0] - x[:, 1], x[:, 0] + 2 * x[:, 1]]
    side = np.where(x[:, 0] >= x[:, 1], 1.0, -1.0)[:, None] * np.array([1.0, -1.0]) / math.sqrt(2)
    return [np.column_stack([np.cos(phi), np.sin(phi)]) for phi in angles] + [side, -side]


def check_beats_perturbations(rng, *, alpha_bar=None, data=None, weights=None, predictor=None,
                              delta: float = 0.25, alpha: float = DEFAULT_ALPHA):
    """Paired test on the same samples: eps* + delta h has a larger loss than eps* for every unit
    perturbation field h.

    Under the claim, ``D = |eps - eps* - delta h|^2 - |eps - eps*|^2`` has mean ``delta^2`` (the
    residual is orthogonal to h) and standard deviation at most ``2 sqrt(d) delta`` (the residual's
    second moment is at most E|eps|^2 = d). The sample size is chosen by
    :func:`required_sample_size` so that each one-sided z-test rejects "no worse" with probability
    at least 1 - alpha/K: the check fails by chance with probability below alpha. A predictor whose
    error has a component larger than delta/2 along some h loses to eps* + delta h.
    """
    a = sample_alpha_bar(rng) if alpha_bar is None else alpha_bar
    if data is None:
        data, weights = sample_data(rng)
    predictor = predictor or nd.optimal_epsilon
    k = 12
    design = required_sample_size(delta**2, 2 * math.sqrt(2) * delta, alpha=alpha, power=1 - alpha / k, k=k)
    n = max(20_000, design)
    _, eps, xt = nd.sample_joint(n, a, data, rng=rng, weights=weights)
    residual = eps - predictor(xt, a, data, weights)
    base = np.einsum("ij,ij->i", residual, residual)
    critical = float(stats.norm.isf(alpha / k))
    zs, gains = [], []
    for h in _unit_fields(xt):
        moved = residual - delta * h
        diff = np.einsum("ij,ij->i", moved, moved) - base  # paired: same eps and x_t on both sides
        zs.append(float(diff.mean() / (diff.std(ddof=1) / math.sqrt(n))))
        gains.append(float(diff.mean()))
    evidence = {"test": "one-sided paired z-tests: perturbed loss minus optimal loss > 0, Bonferroni",
                "n": n, "design_n": design, "perturbations": k, "delta": delta, "expected_gain": delta**2,
                "mean_gains": gains, "min_z": min(zs), "critical_z": critical, "alpha": alpha,
                "abar": a, "data_points": len(data)}
    return CheckResult(rf"$\varepsilon^*$ beats $\varepsilon^*+{delta}\,h$ for {k} unit fields $h$ "
                       rf"($\bar\alpha_t={a:.4g}$)", min(zs) > critical, evidence)


def check_closed_form_matches_kernel(rng, *, m: int = 500):
    """The derived sigmoid form equals the general log-space softmax (numerics) on the two points."""
    a = sample_alpha_bar(rng)
    x = rng.normal(scale=2.0, size=(m, 2))
    return close_test(rf"the sigmoid closed form of $\varepsilon^*$ equals the log-space kernel "
                      rf"($\bar\alpha_t={a:.4g}$)",
                      two_point_optimal_epsilon(x, a), nd.optimal_epsilon(x, a, TWO_POINTS), rtol=1e-9, atol=1e-12)


def on_homework_and_random(check):
    """Run ``check`` on the homework's two points (closed form) and on a random weighted data set."""
    def run(rng):
        return [check(rng, data=TWO_POINTS, predictor=closed_form_predictor), check(rng)]
    return run


# --------------------------------------------------------------------------- 8d


def check_posterior_ball(rng, *, alpha_bar=None, xhat_point=None, rho: float = 0.3, target: int = 4000,
                         weight=None, max_draws: int = 2_000_000):
    """Condition the joint simulation on x_t in a small ball around xhat.

    The ball of radius rho sqrt(1 - abar) around xhat is, given the data point x^(i), the ball of radius
    rho around the atom eps_i in noise space, whose probability is a noncentral chi-square CDF. So
    the labels of the accepted samples follow exact binomial probabilities (exact binomial test,
    valid however small the expected count of the unlikely label), the
    accepted noises lie within rho of their atom, and as rho -> 0 the ball probabilities tend to the
    claimed posterior weights (deterministic, tolerance = the derived O(rho^2) term).
    """
    a = sample_alpha_bar(rng) if alpha_bar is None else alpha_bar
    if xhat_point is None:
        xhat_point = nd.sample_joint(1, a, TWO_POINTS, rng=rng)[2][0]
    xhat_point = np.asarray(xhat_point, dtype=float)
    weight = weight or two_point_weight
    atoms = _atoms(xhat_point[None, :], a, TWO_POINTS)[0]
    nc = np.einsum("ij,ij->i", atoms, atoms)

    def ball_probs(r):
        p = 0.5 * stats.ncx2.cdf(r * r, 2, np.maximum(nc, 1e-300))
        return p / p.sum()

    counts, dist, draws = np.zeros(2), 0.0, 0
    while counts.sum() < target and draws < max_draws:
        labels, eps, xt = nd.sample_joint(200_000, a, TWO_POINTS, rng=rng)
        draws += len(labels)
        inside = np.linalg.norm(xt - xhat_point, axis=1) < rho * math.sqrt(1 - a)
        counts += np.bincount(labels[inside], minlength=2)
        if inside.any():
            dist = max(dist, float(np.linalg.norm(eps[inside] - atoms[labels[inside]], axis=1).max()))
    tiny = 1e-3
    claimed = float(weight(xhat_point[None, :], a)[0])
    return [
        binomial_test(rf"labels of samples with $x_t$ near the observed point $\hat x$ ($\rho={rho}$, "
                      rf"$\bar\alpha_t={a:.4g}$)", int(counts[0]), int(counts.sum()), float(ball_probs(rho)[0])),
        predicate(r"noise of every accepted sample lies within $\rho$ of its atom", dist <= rho * (1 + 1e-12),
                  accepted=int(counts.sum()), draws=draws, max_distance=dist, rho=rho),
        close_test(r"ball probabilities tend to the claimed posterior weights as $\rho\to0$",
                   ball_probs(tiny), [claimed, 1 - claimed], rtol=tiny**2 * (2 + float(nc.max())) / 4,
                   atol=1e-12),  # relative: the O(rho^2) term; absolute: rounding of 1 - p near p = 1
    ]


def check_posterior_calibration(rng, *, alpha_bar=None, data=None, weights=None, posterior=None,
                                atoms=None, n: int = 40_000):
    """The claimed posterior reproduces the joint law of (eps, x_t): for functions g of the noise
    (and of which atom it is) and bounded h of x_t, E[(g(eps) - sum_i p_i(x_t) g(eps_i(x_t))) h(x_t)] = 0."""
    a = sample_alpha_bar(rng) if alpha_bar is None else alpha_bar
    if data is None:
        data, weights = sample_data(rng)
    posterior, atoms = posterior or nd.posterior_x0, atoms or _atoms
    labels, eps, xt = nd.sample_joint(n, a, data, rng=rng, weights=weights)
    p, at = posterior(xt, a, data, weights), atoms(xt, a, data)

    def g(e):  # functions of the noise: shape (..., 5)
        return np.stack([e[..., 0], e[..., 1], e[..., 0] ** 2, e[..., 1] ** 2, e[..., 0] * e[..., 1]], axis=-1)

    resid = np.hstack([g(eps) - np.einsum("mk,mkg->mg", p, g(at)), np.eye(len(data))[labels] - p])
    h = np.column_stack([np.ones(n), np.tanh(xt[:, 0]), np.tanh(xt[:, 1])])
    products = (resid[:, :, None] * h[:, None, :]).reshape(n, -1)
    big = _noise_operands(a, eps, xt, data)  # g holds eps (2 columns) and its products (3 columns)
    operands = np.concatenate([[big, big], np.full(3, big * big), np.ones(len(data))])
    return mean_test(rf"claimed posterior reproduces $E[g(\varepsilon)\,h(x_t)]$ ($\bar\alpha_t={a:.4g}$, "
                     rf"{len(data)} data points)",
                     products, np.zeros(products.shape[1]), scale=np.outer(operands, np.abs(h).max(axis=0)))


def check_likelihood_ratio(rng, *, m: int = 200):
    """Posterior odds from the log-space kernel equal prior odds times Gaussian likelihood ratios."""
    a = sample_alpha_bar(rng)
    data, weights = sample_data(rng)
    x = rng.normal(scale=2.0, size=(m, 2))
    logp = nd.log_posterior_x0(x, a, data, weights)
    loglik = np.column_stack([np.log(w) + stats.multivariate_normal.logpdf(x, math.sqrt(a) * y, (1 - a) * np.eye(2))
                              for w, y in zip(weights, data)])
    return close_test(rf"log posterior odds equal log prior odds plus log likelihood ratios ($\bar\alpha_t={a:.4g}$)",
                      logp - logp[:, :1], loglik - loglik[:, :1], rtol=1e-9, atol=1e-9)


# --------------------------------------------------------------------------- 8e


def gap_bound(x: np.ndarray, alpha_bar) -> np.ndarray:
    """Bound on :math:`\\|(\\varepsilon^*-\\hat x)/\\sqrt{\\bar\\alpha}+E[x_0]\\|` for the two points.

    From :math:`1-\\sqrt{1-a}\\le a` and :math:`|\\sigma(z)-\\tfrac{1}{2}|\\le|z|/4`:

    .. math:: B = \\frac{\\sqrt a\\,\\|\\hat x\\|}{\\sqrt{1-a}}
              + \\frac{\\sqrt2\\,\\sqrt a\\,|\\hat x_1-\\hat x_2|}{4(1-a)^{3/2}} + \\frac{a}{\\sqrt2\\sqrt{1-a}}
    """
    a = np.asarray(alpha_bar, dtype=float)
    s, r = np.sqrt(a), np.sqrt(1 - a)
    return (s * np.linalg.norm(x, axis=-1) / r + math.sqrt(2) * s * np.abs(x[..., 0] - x[..., 1]) / (4 * r**3)
            + a / (math.sqrt(2) * r))


def optimal_eps_along_schedule(x: np.ndarray, betas) -> tuple[np.ndarray, np.ndarray]:
    """``(alpha_bars (T,), eps* (T, m, 2))`` for the two points along a schedule (numerics kernel)."""
    abars = nd.alpha_bars(betas)
    return abars, np.stack([nd.optimal_epsilon(x, a, TWO_POINTS) for a in abars])


def check_large_t(rng, *, betas=None, m: int = 64, predictor=None):
    """Along the DDPM linear schedule: the kernel equals the closed form at every step, and
    ||eps* - xhat|| = sqrt(alphabar_t) (||E[x_0]|| + O(sqrt(alphabar_t))) with the explicit bound."""
    betas = nd.linear_schedule() if betas is None else np.asarray(betas, dtype=float)
    x = rng.normal(scale=1.5, size=(m, 2))
    abars, eps = optimal_eps_along_schedule(x, betas)
    if predictor is not None:  # a planted answer replaces the derived one
        eps = np.stack([predictor(x, a, TWO_POINTS) for a in abars])
    closed = np.stack([two_point_optimal_epsilon(x, a) for a in abars])
    gap = np.linalg.norm(eps - x[None], axis=-1)
    excess = np.linalg.norm((eps - x[None]) / np.sqrt(abars)[:, None, None] + np.asarray(PRIOR_MEAN, float).ravel(),
                            axis=-1)
    bound = gap_bound(x, abars[:, None])
    below = np.nonzero(gap.max(axis=1) < 1e-2)[0]
    T = len(betas)
    return [
        close_test(rf"the log-space kernel for $\varepsilon^*$ equals the closed form at all {T} steps", eps, closed,
                   rtol=1e-9, atol=1e-12),
        predicate("remainder of the square-root law within the derived bound at every step",
                  bool(np.all(excess <= bound)), worst_ratio_to_bound=float((excess / bound).max()),
                  T=T, beta_1=float(betas[0]), beta_T=float(betas[-1]),
                  abar_T=float(abars[-1]), max_gap_at_T=float(gap[-1].max()),
                  sqrt_abar_T_over_2=math.sqrt(abars[-1] / 2),
                  first_t_with_gap_below_0_01=int(below[0] + 1) if below.size else None,
                  gap_at_t_500=float(gap[min(499, T - 1)].max()), points=m),
    ]
