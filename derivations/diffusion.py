"""Question 8: a DDPM on two data points, [1,0] and [0,1], derived and checked (parts 8a-8e).

Conventions. ``alphabar_t`` is the cumulative product of the ``alpha_s = 1 - beta_s``, always in
(0, 1). Where an answer is isotropic in the data vector (8a) the vector ``x_0`` is one commutative
symbol and the covariance ``c I`` is stored as the scalar ``c``; the chains there work on one
coordinate, which is enough because the noise coordinates are independent and identically
distributed. Where the answer depends on the two coordinates separately (8b-8e, the data points are
not symmetric about the origin) the query point is written in coordinates, ``xhat_1`` and
``xhat_2`` (``x_{t,1}``, ``x_{t,2}`` for the marginal of 8b), and vectors are 2x1 matrices.

Every check function takes a generator first and draws whatever parameter it is not given, so
``derive check`` runs it with parameters from its seed while the tests pass Hypothesis-drawn ones;
the ``claim``-like keyword arguments let the tests plant wrong answers that the checks must reject.
"""

from __future__ import annotations

import functools
import math
from functools import lru_cache
from typing import Callable

import numpy as np
import sympy as sp
from scipy import stats
from sympy.stats import Bernoulli, E, Expectation, Normal, moment_generating_function
from sympy.stats.rv import random_symbols

from derivations.chain import Step, derive
from derivations.symbolic import Gaussian, mixture, point_masses
from derivations.answer import Answer, Check, Figure, Quantity
from derivations.hw7 import REGISTRY
from numerics import diffusion as nd
from numerics import kernels
from numerics.stattests import (DEFAULT_ALPHA, CheckResult, chi_square_test, close_test, ks_test,
                                mean_test, moments_test, predicate, required_sample_size)

# --------------------------------------------------------------------------- symbols

abar = sp.Symbol("alphabar_t", positive=True)
UNIT = sp.Interval.open(0, 1)
x_0 = sp.Symbol("x_0", real=True)
xhat = sp.Symbol("xhat", real=True)
xhat_1, xhat_2 = sp.symbols("xhat_1 xhat_2", real=True)
XHAT = sp.Matrix([xhat_1, xhat_2])
E_1, E_2 = sp.Matrix([1, 0]), sp.Matrix([0, 1])
ROOT_A, ROOT_1MA = sp.sqrt(abar), sp.sqrt(1 - abar)

#: Symbols a student may write by mistake in this question's answers (alpha_t for alphabar_t):
#: accepted, so that such an answer is compared (and refuted with a counterexample), not refused.
MISTAKABLE = {sp.Symbol("alpha_t", positive=True): UNIT, sp.Symbol("beta_t", positive=True): UNIT}
_quantity = functools.partial(Quantity, mistakable=MISTAKABLE)

#: The homework's data set, one point per row; the prior puts 1/2 on each.
TWO_POINTS = np.eye(2)


def gaussian_pdf(x, mean, var):
    """The one-dimensional normal density, written out so every chain shows it."""
    return sp.exp(-(x - mean) ** 2 / (2 * var)) / sp.sqrt(2 * sp.pi * var)


def isotropic_pdf(point, mean, var):
    """:math:`\\mathcal{N}(x; \\mu, v I)` in coordinates: a product of one-dimensional densities."""
    return sp.Mul(*[gaussian_pdf(p, m, var) for p, m in zip(point, mean)])


def sigmoid(z):
    """The logistic function :math:`1/(1+e^{-z})`."""
    return 1 / (1 + sp.exp(-z))


# --------------------------------------------------------------------------- targeted simplifiers


def exp_normal_form(expr):
    """Split every exponential into one factor per term of its (expanded) exponent, in canonical
    form, then cancel: decides identities between products and ratios of Gaussian densities."""
    expr = expr.rewrite(sp.exp)
    expr = expr.replace(lambda e: isinstance(e, sp.exp),
                        lambda e: sp.Mul(*[sp.exp(sp.cancel(term))
                                           for term in sp.Add.make_args(sp.expand(e.args[0]))]))
    return sp.cancel(sp.together(sp.expand(expr)))


def expand_logs(expr):
    """Expand logarithms of products and exponentials (all arguments are positive here)."""
    return sp.cancel(sp.expand(sp.expand_log(expr, force=True)))


_k = sp.Symbol("k", integer=True, positive=True)


def sum_normal_form(expr):
    """Pull factors free of the index out of every sum and give all sums one dummy index."""
    expr = sp.factor_terms(sp.expand(expr))
    expr = expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) == 1,
                        lambda e: sp.Sum(e.function.xreplace({e.limits[0][0]: _k}), (_k, *e.limits[0][1:])))
    return sp.cancel(expr)


def _expect_one(factor, rv):
    """E[factor] for a factor that depends on the single random variable ``rv``."""
    if isinstance(factor, sp.exp):
        k, rest = factor.args[0].as_independent(rv, as_Add=False)
        if rest == rv:  # E[exp(k X)] is the moment generating function of X at k
            return moment_generating_function(rv)(k)
    return E(factor)


def _expect(arg):
    """Linearity over the expanded terms, and independence: a product of factors that each depend
    on one random variable has the product of their expectations."""
    total = sp.S(0)
    for term in sp.Add.make_args(sp.expand(arg, power_exp=True)):
        coeff, parts = sp.S(1), {}
        for factor in sp.Mul.make_args(term):
            rvs = random_symbols(factor)
            if not rvs:
                coeff *= factor
            elif len(rvs) == 1:
                parts.setdefault(rvs[0], []).append(factor)
            else:
                return Expectation(arg).doit()
        total += coeff * sp.Mul(*[_expect_one(sp.Mul(*fs), rv) for rv, fs in parts.items()])
    return total


def by_independence(expr):
    """Evaluate every expectation in ``expr`` of independent random variables factor by factor."""
    expr = expr.replace(lambda e: isinstance(e, Expectation) and len(e.args) == 1, lambda e: _expect(e.args[0]))
    return exp_normal_form(expr)


def below_one(expr):
    """Evaluate, then use :math:`\\bar\\alpha_t < 1` (so :math:`\\sqrt{1-\\bar\\alpha_t} > 0`)."""
    return sp.cancel(sp.refine(expr.doit(), sp.Q.positive(1 - abar)))


# --------------------------------------------------------------------------- reference answers

#: 8a: q(x_t | x_0) = N(FORWARD_MEAN_COEF x_0, FORWARD_VARIANCE I).
FORWARD_MEAN_COEF = ROOT_A
FORWARD_VARIANCE = 1 - abar
FORWARD_MARGINAL = Gaussian(FORWARD_MEAN_COEF * x_0, FORWARD_VARIANCE)

#: 8b: the marginal of x_t, an equal-weight mixture of the two forward marginals.
TWO_POINT_MARGINAL = mixture((sp.Rational(1, 2), sp.Rational(1, 2)),
                             (Gaussian(ROOT_A * E_1, 1 - abar), Gaussian(ROOT_A * E_2, 1 - abar)))

#: 8c-8e: the posterior log-odds of [1,0] against [0,1] given x_t = xhat, and the weight of [1,0].
LOG_ODDS = ROOT_A * (xhat_1 - xhat_2) / (1 - abar)
WEIGHT_1 = sigmoid(LOG_ODDS)
#: 8c: the optimal noise prediction at xhat, as a 2x1 matrix in the coordinates of xhat.
EPS_STAR = (XHAT - ROOT_A * sp.Matrix([WEIGHT_1, 1 - WEIGHT_1])) / ROOT_1MA
#: 8d: the two values the noise can take given x_t = xhat.
ATOM_1 = (XHAT - ROOT_A * E_1) / ROOT_1MA
ATOM_2 = (XHAT - ROOT_A * E_2) / ROOT_1MA
NOISE_POSTERIOR = point_masses((WEIGHT_1, 1 - WEIGHT_1), (ATOM_1, ATOM_2))
#: 8e: the prior mean of the data, and the limit of the optimal prediction as alphabar_t -> 0.
PRIOR_MEAN = (E_1 + E_2) / 2

_XT1, _XT2 = (sp.Symbol(f"x_{{t,{k}}}", real=True) for k in (1, 2))
#: 8b: the mixture density in closed form (the end of the 8b chain).
TWO_POINT_DENSITY = (sp.exp(-(_XT1**2 + _XT2**2 + abar) / (2 * (1 - abar)) + ROOT_A * (_XT1 + _XT2) / (2 * (1 - abar)))
                     * sp.cosh(ROOT_A * (_XT1 - _XT2) / (2 * (1 - abar))) / (2 * sp.pi * (1 - abar)))


def _numeric(expr, args: tuple) -> Callable:
    """A NumPy function of ``args`` evaluating ``expr`` (lambdified once per expression)."""
    return _lambdified(sp.ImmutableMatrix(expr) if isinstance(expr, sp.MatrixBase) else expr, args)


@lru_cache(maxsize=None)
def _lambdified(expr, args: tuple) -> Callable:
    return sp.lambdify(args, expr, modules="numpy")


def two_point_optimal_epsilon(x, alpha_bar, data=None, weights=None) -> np.ndarray:
    """The derived closed form of 8c evaluated with NumPy (``data``/``weights`` are ignored: it is
    the two-point answer). Shape (m, 2)."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    with np.errstate(over="ignore"):
        cols = [_numeric(e, (xhat_1, xhat_2, abar))(x[:, 0], x[:, 1], alpha_bar) for e in EPS_STAR]
    return np.column_stack(np.broadcast_arrays(*cols))


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


def draw_alpha_bar(rng: np.random.Generator) -> float:
    """An alphabar_t spread over (0.05, 0.95) on the logit scale."""
    return float(1 / (1 + math.exp(-rng.uniform(-3.0, 3.0))))


def draw_schedule(rng: np.random.Generator, max_steps: int) -> np.ndarray:
    """A random noise schedule of 1..max_steps uneven betas whose alphabar_T is :func:`draw_alpha_bar`."""
    steps = int(rng.integers(1, max_steps + 1))
    share = rng.uniform(0.2, 1.0, size=steps)
    log_alpha = math.log(draw_alpha_bar(rng)) * share / share.sum()  # sum of log(1 - beta_t) = log alphabar_T
    return -np.expm1(log_alpha)


def draw_data(rng: np.random.Generator):
    """A random weighted data set in 2-D: 2 to 5 points, weights bounded away from 0."""
    k = int(rng.integers(2, 6))
    weights = rng.dirichlet(np.ones(k)) + 0.05
    return rng.normal(scale=1.5, size=(k, 2)), weights / weights.sum()


def _unit(rng: np.random.Generator, d: int = 2) -> np.ndarray:
    u = rng.normal(size=d)
    return u / np.linalg.norm(u)


def _atoms(x, alpha_bar, data) -> np.ndarray:
    """The noise values that carry each data point to each x: shape (m, n, d)."""
    return (x[:, None, :] - math.sqrt(alpha_bar) * np.asarray(data)[None, :, :]) / math.sqrt(1 - alpha_bar)


# --------------------------------------------------------------------------- 8a

_a1, _a2, _at = sp.symbols("alpha_1 alpha_2 alpha_t", positive=True)
_abar_prev = sp.Symbol("alphabar_t-1", positive=True)
_eps1, _eps2, _eps_t = Normal("epsilon_1", 0, 1), Normal("epsilon_2", 0, 1), Normal("epsilon_t", 0, 1)
_eps_prev = Normal("epsilonbar_t-1", 0, 1)
_s = sp.Symbol("s", real=True)
_SCHEDULE = {_a1: UNIT, _a2: UNIT, _at: UNIT, _abar_prev: UNIT}


def forward_chains():
    x_2 = sp.sqrt(_a2) * (sp.sqrt(_a1) * x_0 + sp.sqrt(1 - _a1) * _eps1) + sp.sqrt(1 - _a2) * _eps2
    x_2_flat = sp.sqrt(_a1 * _a2) * x_0 + sp.sqrt(_a2 * (1 - _a1)) * _eps1 + sp.sqrt(1 - _a2) * _eps2
    mean_2 = sp.sqrt(_a1 * _a2) * x_0
    # induction hypothesis, reparametrised: x_{t-1} = sqrt(abar_{t-1}) x_0 + sqrt(1 - abar_{t-1}) epsbar
    x_t = sp.sqrt(_at) * (sp.sqrt(_abar_prev) * x_0 + sp.sqrt(1 - _abar_prev) * _eps_prev) + sp.sqrt(1 - _at) * _eps_t
    mean_t = sp.sqrt(_at * _abar_prev) * x_0
    return (
        derive("x_2 from x_0: two steps are one Gaussian step", x_2,
               (x_2_flat, "substitute $x_1$ and distribute"), domains=_SCHEDULE),
        derive("mean of x_2", Expectation(x_2),
               Step(mean_2, r"the noises have mean 0; $\bar\alpha_2=\alpha_1\alpha_2$", simplify=by_independence),
               domains=_SCHEDULE),
        derive("variance of x_2 (each coordinate)", Expectation((x_2 - mean_2) ** 2),
               Step(_a2 * (1 - _a1) + (1 - _a2), "independent noises: variances add", simplify=by_independence),
               (1 - _a1 * _a2, r"collect: $1-\bar\alpha_2$"), domains=_SCHEDULE),
        derive("induction step: mean of x_t", Expectation(x_t),
               Step(mean_t, r"$\bar\alpha_t=\alpha_t\bar\alpha_{t-1}$", simplify=by_independence),
               domains=_SCHEDULE),
        derive("induction step: variance of x_t (each coordinate)", Expectation((x_t - mean_t) ** 2),
               Step(_at * (1 - _abar_prev) + 1 - _at, "independent noises: variances add", simplify=by_independence),
               (1 - _at * _abar_prev, r"collect: $1-\bar\alpha_t$"), domains=_SCHEDULE),
        derive("induction step: x_t is Gaussian (moment generating function)", Expectation(sp.exp(_s * x_t)),
               Step(sp.exp(_s * sp.sqrt(_at) * sp.sqrt(_abar_prev) * x_0 + _s**2 * _at * (1 - _abar_prev) / 2)
                    * sp.exp(_s**2 * (1 - _at) / 2), "independence: the MGF factorises", simplify=by_independence),
               Step(sp.exp(_s * mean_t + _s**2 * (1 - _at * _abar_prev) / 2), "the MGF of a normal law",
                    simplify=exp_normal_form),
               domains=_SCHEDULE),
    )


def check_forward_marginal(rng, *, betas=None, x0=None, n: int = 20_000, mean_coef=None, variance=None):
    """Iterate the step-by-step forward process from one x_0 and test the derived marginal at t = 2
    and t = T: sample mean and covariance (z-tests) and the Gaussian shape (KS on a projection)."""
    betas = draw_schedule(rng, 50) if betas is None else np.asarray(betas, dtype=float)
    x0 = rng.normal(scale=2.0, size=2) if x0 is None else np.asarray(x0, dtype=float)
    mean_coef = mean_coef or _numeric(FORWARD_MEAN_COEF, (abar,))
    variance = variance or _numeric(FORWARD_VARIANCE, (abar,))
    T, d = len(betas), x0.size
    path = nd.forward_process(np.tile(x0, (n, 1)), betas, rng=rng, return_path=True)
    abars = nd.alpha_bars(betas)
    out = []
    for t in sorted({min(2, T), T}):
        a = abars[t - 1]
        out.append(moments_test(f"x_{t} given x_0 has the derived mean and covariance "
                                f"(T={T}, abar={a:.4g})", path[t], mean_coef(a) * x0, variance(a) * np.eye(d)))
    a, u = abars[-1], _unit(rng, d)
    z = (path[T] - mean_coef(a) * x0) @ u / math.sqrt(variance(a))
    out.append(ks_test(f"x_{T} projected and standardised is N(0, 1)", z, "norm"))
    return out


@REGISTRY.register("8a", status="proved")
def forward_marginal() -> Answer:
    return Answer(
        summary=r"$q(x_t\mid x_0)=\mathcal{N}\big(\sqrt{\bar\alpha_t}\,x_0,\;(1-\bar\alpha_t)\,I\big)$, "
                r"that is $x_t=\sqrt{\bar\alpha_t}\,x_0+\sqrt{1-\bar\alpha_t}\,\varepsilon$ with "
                r"$\varepsilon\sim\mathcal{N}(0,I)$ and $\bar\alpha_t=\prod_{s\le t}\alpha_s$.",
        explanation=r"Two steps already show the pattern: substituting $x_1$ into the update for $x_2$ "
                    r"gives $x_0$ scaled by $\sqrt{\alpha_1\alpha_2}$ plus two independent Gaussian "
                    r"noises, whose variances $\alpha_2(1-\alpha_1)$ and $1-\alpha_2$ add up to "
                    r"$1-\alpha_1\alpha_2$. A sum of independent Gaussians is Gaussian, so the two "
                    r"noises are one noise $\sqrt{1-\bar\alpha_2}\,\varepsilon$. The same computation "
                    r"is the induction step: if $x_{t-1}$ given $x_0$ is "
                    r"$\mathcal{N}(\sqrt{\bar\alpha_{t-1}}x_0,(1-\bar\alpha_{t-1})I)$, then $x_t$ has "
                    r"mean $\sqrt{\alpha_t\bar\alpha_{t-1}}x_0=\sqrt{\bar\alpha_t}x_0$ and variance "
                    r"$\alpha_t(1-\bar\alpha_{t-1})+1-\alpha_t=1-\bar\alpha_t$ in each coordinate, and "
                    r"its moment generating function is that of a normal law. Coordinates do not "
                    r"interact (the noise covariance is a multiple of $I$), so each chain below works "
                    r"on one coordinate, with $x_0$ standing for that coordinate.",
        chains=forward_chains(),
        checks=(Check("iterated forward process",
                      "Running the update step by step from a fixed x_0, x_t has the derived mean, "
                      "covariance and Gaussian shape.", check_forward_marginal),),
        quantities=(_quantity("forward marginal q(x_t | x_0)", FORWARD_MARGINAL,
                             symbols=(x_0, abar), domains={abar: UNIT},
                             description="x_0 is one symbol standing for the data vector; the "
                                         "covariance (1 - alphabar_t) I is stored as the scalar 1 - alphabar_t."),),
    )


# --------------------------------------------------------------------------- 8b


def marginal_chains():
    point = (_XT1, _XT2)
    start = (sp.Rational(1, 2) * isotropic_pdf(point, (ROOT_A, 0), 1 - abar)
             + sp.Rational(1, 2) * isotropic_pdf(point, (0, ROOT_A), 1 - abar))
    common = sp.exp(-(_XT1**2 + _XT2**2 + abar) / (2 * (1 - abar))) / (4 * sp.pi * (1 - abar))
    expanded = common * (sp.exp(ROOT_A * _XT1 / (1 - abar)) + sp.exp(ROOT_A * _XT2 / (1 - abar)))
    # x_0 = [b, 1 - b] with b ~ Bernoulli(1/2), independent of the noise
    b = Bernoulli("b", sp.Rational(1, 2))
    noise = (Normal("epsilon_t,1", 0, 1), Normal("epsilon_t,2", 0, 1))
    x_t = [ROOT_A * b + ROOT_1MA * noise[0], ROOT_A * (1 - b) + ROOT_1MA * noise[1]]
    mean = ROOT_A / 2 * sp.Matrix([1, 1])
    return (
        derive("density of x_t: average the two forward marginals", start,
               Step(expanded, r"expand $\|x-\sqrt{\bar\alpha_t}e_i\|^2$, $\|e_i\|=1$", simplify=exp_normal_form),
               Step(TWO_POINT_DENSITY, r"$e^{u}+e^{v}=2e^{(u+v)/2}\cosh\frac{u-v}{2}$", simplify=exp_normal_form),
               domains={abar: UNIT}),
        derive("mean of x_t, with x_0 = [b, 1 - b] and b a fair coin", sp.Matrix([Expectation(v) for v in x_t]),
               Step(mean, r"$E[b]=\frac{1}{2}$, the noise has mean 0", simplify=by_independence)),
        derive("covariance of x_t", sp.Matrix(2, 2, lambda i, j: Expectation((x_t[i] - mean[i]) * (x_t[j] - mean[j]))),
               Step((1 - abar) * sp.eye(2) + abar / 4 * sp.Matrix([[1, -1], [-1, 1]]),
                    r"$(1-\bar\alpha_t)I+\bar\alpha_t\,\mathrm{Cov}(x_0)$", simplify=by_independence)),
    )


def check_two_point_marginal(rng, *, betas=None, n: int = 20_000, claim=None):
    """Draw x_0 from the two points, run the forward process, and compare x_T with the claimed
    mixture: mean and covariance, KS on two projections; plus the closed-form density against the
    log-space kernel (deterministic)."""
    betas = draw_schedule(rng, 40) if betas is None else np.asarray(betas, dtype=float)
    a = float(nd.alpha_bars(betas)[-1])
    weights, means, variances = (claim or _claimed_mixture)(a)
    x0 = TWO_POINTS[rng.integers(0, 2, size=n)]
    xt = nd.forward_process(x0, betas, rng=rng)
    mean = weights @ means
    cov = sum(w * (v * np.eye(2) + np.outer(m, m)) for w, m, v in zip(weights, means, variances)) - np.outer(mean, mean)
    out = [moments_test(f"mean and covariance of x_T over both data points (T={len(betas)}, abar={a:.4g})",
                        xt, mean, cov)]
    for label, u in (("random direction", _unit(rng)), ("direction e1 - e2", np.array([1.0, -1.0]) / math.sqrt(2))):
        centres, scales = means @ u, np.sqrt(variances)

        def cdf(z, centres=centres):
            return sum(w * stats.norm.cdf((z - c) / s) for w, c, s in zip(weights, centres, scales))

        out.append(ks_test(f"projection of x_T on a {label} follows the mixture", xt @ u, cdf))
    pts = rng.normal(scale=1.5, size=(200, 2))
    closed = np.log(_numeric(TWO_POINT_DENSITY, (_XT1, _XT2, abar))(pts[:, 0], pts[:, 1], a))
    out.append(close_test("closed-form mixture density equals the log-space kernel", closed,
                          kernels.log_mixture_density(pts, math.sqrt(a), 1 - a, TWO_POINTS), rtol=1e-9, atol=1e-9))
    return out


@REGISTRY.register("8b", status="proved")
def two_point_marginal() -> Answer:
    return Answer(
        summary=r"$q(x_t)=\tfrac{1}{2}\,\mathcal{N}\big(x_t;\sqrt{\bar\alpha_t}\,[1,0]^T,(1-\bar\alpha_t)I\big)"
                r"+\tfrac{1}{2}\,\mathcal{N}\big(x_t;\sqrt{\bar\alpha_t}\,[0,1]^T,(1-\bar\alpha_t)I\big)$; in closed "
                r"form $q(x_t)=\frac{1}{2\pi(1-\bar\alpha_t)}\exp\!\Big(-\frac{\|x_t\|^2+\bar\alpha_t-\sqrt{\bar\alpha_t}"
                r"(x_{t,1}+x_{t,2})}{2(1-\bar\alpha_t)}\Big)\cosh\frac{\sqrt{\bar\alpha_t}(x_{t,1}-x_{t,2})}{2(1-\bar\alpha_t)}$.",
        explanation=r"Marginalising over the data point is the law of total probability: "
                    r"$q(x_t)=\sum_{x_0}q(x_0)\,q(x_t\mid x_0)$, and 8a gives each $q(x_t\mid x_0)$. Both "
                    r"components have the same isotropic covariance and their means are the two data "
                    r"points shrunk by $\sqrt{\bar\alpha_t}$, so the mixture has two bumps that merge "
                    r"into one standard normal as $\bar\alpha_t\to0$. Its mean is "
                    r"$\frac{\sqrt{\bar\alpha_t}}{2}[1,1]^T$ and its covariance is the noise covariance "
                    r"plus $\bar\alpha_t$ times the covariance of the data, which is spread only along "
                    r"$[1,-1]^T$. The representation for checking answers lists the two components with "
                    r"their means as $2\times1$ matrices and the covariance $(1-\bar\alpha_t)I$ as a scalar.",
        chains=marginal_chains(),
        checks=(Check("forward process over both data points",
                      "x_T simulated from a random data point has the mixture's mean, covariance and "
                      "distribution, and the closed-form density matches the numerical kernel.",
                      check_two_point_marginal),),
        quantities=(_quantity("marginal q(x_t) over the two data points", TWO_POINT_MARGINAL,
                             symbols=(abar,), domains={abar: UNIT},
                             description="Mixture with weights (1/2, 1/2) of Gaussian components whose means "
                                         "are 2x1 matrices sqrt(alphabar_t)*[1,0] and sqrt(alphabar_t)*[0,1] and "
                                         "whose covariance (1 - alphabar_t) I is stored as the scalar 1 - alphabar_t."),),
    )


# --------------------------------------------------------------------------- 8c

_i, _j, _n = sp.symbols("i j n", integer=True, positive=True)
_w, _lik, _x = sp.IndexedBase("w"), sp.IndexedBase("N"), sp.IndexedBase("x")


def optimal_predictor_chains():
    c, mu, m2 = sp.symbols("c mu m_2", real=True)
    loss = m2 - 2 * c * mu + c**2  # E[(eps_k - c)^2 | xhat] with mu = E[eps_k | xhat], m2 = E[eps_k^2 | xhat]
    # Bayes' rule for two generic data points x^(i), x^(j) of a weighted data set, in 2-D
    xi, xj = ([sp.Symbol(f"x_{{{p},{k}}}", real=True) for k in (1, 2)] for p in "ij")
    wi, wj = sp.symbols("w_i w_j", positive=True)

    def logit(w, y):
        return sp.log(w) + (ROOT_A * (xhat_1 * y[0] + xhat_2 * y[1]) - abar * (y[0] ** 2 + y[1] ** 2) / 2) / (1 - abar)

    log_odds = (sp.log(wi * isotropic_pdf((xhat_1, xhat_2), [ROOT_A * v for v in xi], 1 - abar))
                - sp.log(wj * isotropic_pdf((xhat_1, xhat_2), [ROOT_A * v for v in xj], 1 - abar)))
    # the conditional mean over n weighted points: p_i = w_i N_i / sum_j w_j N_j
    p = _w[_i] * _lik[_i] / sp.Sum(_w[_j] * _lik[_j], (_j, 1, _n))
    e_sum = sp.Sum(p * (xhat - ROOT_A * _x[_i]) / ROOT_1MA, (_i, 1, _n))
    split = (xhat * sp.Sum(p, (_i, 1, _n)) - ROOT_A * sp.Sum(p * _x[_i], (_i, 1, _n))) / ROOT_1MA
    # the two data points with equal weights: softmax of the logits
    l1, l2 = logit(1, (1, 0)), logit(1, (0, 1))  # equal weights cancel from the softmax
    softmax = (XHAT - ROOT_A * sp.Matrix([sp.exp(l1), sp.exp(l2)]) / (sp.exp(l1) + sp.exp(l2))) / ROOT_1MA
    return (
        derive("at a fixed input the best prediction is the conditional mean (one coordinate)",
               sp.UnevaluatedExpr(loss) - sp.UnevaluatedExpr(loss.subs(c, mu)),
               ((c - mu) ** 2, "complete the square"),
               (sp.S(0), "a square is non-negative", ">=")),
        derive("Bayes' rule: posterior log-odds of two data points", log_odds,
               Step(logit(wi, xi) - logit(wj, xj), r"$\|\hat x\|^2$ is common to both and cancels",
                    simplify=expand_logs), domains={abar: UNIT}),
        derive("conditional mean of the noise for n weighted data points", e_sum,
               Step(split, "linearity of the sum", simplify=sum_normal_form),
               Step((xhat - ROOT_A * sp.Sum(p * _x[_i], (_i, 1, _n))) / ROOT_1MA,
                    "the posterior weights sum to 1", simplify=sum_normal_form)),
        derive("two points [1,0], [0,1] with equal weights: softmax is a sigmoid", softmax,
               Step(EPS_STAR, r"$e^{a}/(e^{a}+e^{b})=\sigma(a-b)$", simplify=exp_normal_form),
               domains={abar: UNIT}),
    )


def _test_functions(x: np.ndarray) -> np.ndarray:
    """Bounded functions of x_t (2-D) that the residual must be orthogonal to, shape (m, 5)."""
    return np.column_stack([np.ones(len(x)), np.tanh(x[:, 0]), np.tanh(x[:, 1]),
                            np.tanh(x[:, 0] - x[:, 1]), np.cos(x[:, 0] + x[:, 1])])


def check_residual_orthogonality(rng, *, alpha_bar=None, data=None, weights=None, predictor=None,
                                 n: int = 40_000):
    """E[(eps - eps*(x_t)) f(x_t)] = 0 for bounded test functions f (z-tests, Bonferroni)."""
    a = draw_alpha_bar(rng) if alpha_bar is None else alpha_bar
    if data is None:
        data, weights = draw_data(rng)
    predictor = predictor or nd.optimal_epsilon
    _, eps, xt = nd.sample_joint(n, a, data, rng=rng, weights=weights)
    residual = eps - predictor(xt, a, data, weights)
    f = _test_functions(xt)
    products = (residual[:, :, None] * f[:, None, :]).reshape(n, -1)
    return mean_test(f"residual orthogonal to 5 test functions (abar={a:.4g}, {len(data)} data points)",
                     products, np.zeros(products.shape[1]),
                     scale=np.outer(np.full(eps.shape[1], _noise_operands(a, eps, xt, data)), np.abs(f).max(axis=0)))


def _noise_operands(a: float, eps: np.ndarray, xt: np.ndarray, data: np.ndarray) -> float:
    """Size of the operands of eps - (x_t - sqrt(abar) y) / sqrt(1 - abar): where the posterior sits
    on one data point such a residual is rounding only, at this size rather than its own
    (the rounding floor of :func:`numerics.stattests.mean_test`)."""
    return float(np.abs(eps).max() + (np.abs(xt).max() + math.sqrt(a) * np.abs(data).max()) / math.sqrt(1 - a))


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
    a = draw_alpha_bar(rng) if alpha_bar is None else alpha_bar
    if data is None:
        data, weights = draw_data(rng)
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
    return CheckResult(f"eps* beats eps* + {delta} h for {k} unit fields h (abar={a:.4g})",
                       min(zs) > critical, evidence)


def check_closed_form_matches_kernel(rng, *, m: int = 500):
    """The derived sigmoid form equals the general log-space softmax (numerics) on the two points."""
    a = draw_alpha_bar(rng)
    x = rng.normal(scale=2.0, size=(m, 2))
    return close_test(f"sigmoid closed form equals numerics.optimal_epsilon (abar={a:.4g})",
                      two_point_optimal_epsilon(x, a), nd.optimal_epsilon(x, a, TWO_POINTS), rtol=1e-9, atol=1e-12)


def _homework_and_random(check):
    """Run ``check`` on the homework's two points (closed form) and on a random weighted data set."""
    def run(rng):
        return [check(rng, data=TWO_POINTS, predictor=two_point_optimal_epsilon), check(rng)]
    return run


@REGISTRY.register("8c", status="proved")
def optimal_predictor() -> Answer:
    return Answer(
        summary=r"$\varepsilon^*_\theta(\hat x,t)=E[\varepsilon\mid x_t=\hat x]"
                r"=\sum_i p(x^{(i)}\mid \hat x)\,\frac{\hat x-\sqrt{\bar\alpha_t}\,x^{(i)}}{\sqrt{1-\bar\alpha_t}}"
                r"=\frac{\hat x-\sqrt{\bar\alpha_t}\,E[x_0\mid x_t=\hat x]}{\sqrt{1-\bar\alpha_t}}$, with "
                r"$p(x^{(i)}\mid \hat x)=\mathrm{softmax}_i\big(\log w_i+\frac{\sqrt{\bar\alpha_t}\,\hat x\cdot x^{(i)}"
                r"-\bar\alpha_t\|x^{(i)}\|^2/2}{1-\bar\alpha_t}\big)$. For $[1,0]^T,[0,1]^T$ with weights "
                r"$\frac{1}{2}$: $\varepsilon^*=\frac{1}{\sqrt{1-\bar\alpha_t}}\Big(\hat x-\sqrt{\bar\alpha_t}"
                r"\big[\sigma(z),\,1-\sigma(z)\big]^T\Big)$, $z=\frac{\sqrt{\bar\alpha_t}(\hat x_1-\hat x_2)}{1-\bar\alpha_t}$.",
        explanation=r"With an arbitrarily flexible $\varepsilon_\theta$ the expected loss splits over $t$ and "
                    r"over the value $\hat x$ of $x_t$: for each of them the model picks one vector $c$ to "
                    r"minimise $E[\|\varepsilon-c\|^2\mid x_t=\hat x]$. Completing the square shows the loss "
                    r"exceeds its value at the conditional mean by $\|c-E[\varepsilon\mid \hat x]\|^2$, so the "
                    r"optimum is $E[\varepsilon\mid x_t=\hat x]$. Given $\hat x$ and the data point $x_0$, "
                    r"the noise is fixed: $\varepsilon=(\hat x-\sqrt{\bar\alpha_t}x_0)/\sqrt{1-\bar\alpha_t}$. "
                    r"So the conditional mean averages these values with the posterior weights of the "
                    r"data points, which Bayes' rule gives as a softmax (the $\|\hat x\|^2$ term is the same "
                    r"for every point and drops out). With two points a softmax is a logistic sigmoid of "
                    r"the difference of the two logits. For checking answers, the two-point form is a "
                    r"$2\times1$ matrix in the coordinates $\hat x_1,\hat x_2$.",
        chains=optimal_predictor_chains(),
        checks=(
            Check("residual orthogonality",
                  "The residual eps - eps*(x_t) has zero correlation with bounded functions of x_t, on the "
                  "homework's data (closed form) and on a random weighted data set (numerics).",
                  _homework_and_random(check_residual_orthogonality)),
            Check("paired loss comparison",
                  "On the same samples, moving eps* by 0.25 along any of 12 unit direction fields raises the loss.",
                  _homework_and_random(check_beats_perturbations)),
            Check("closed form against kernel",
                  "The sigmoid form equals the general softmax computed in log space.",
                  check_closed_form_matches_kernel),
        ),
        quantities=(_quantity("optimal noise prediction eps*(xhat, t)", EPS_STAR, symbols=(xhat_1, xhat_2, abar),
                             domains={abar: UNIT},
                             description="2x1 matrix in the coordinates xhat_1, xhat_2 of xhat (the answer is "
                                         "not a function of xhat as one symbol): (xhat - sqrt(alphabar_t)"
                                         "[s, 1 - s]) / sqrt(1 - alphabar_t) with s = sigmoid(sqrt(alphabar_t)"
                                         "(xhat_1 - xhat_2) / (1 - alphabar_t))."),),
    )


# --------------------------------------------------------------------------- 8d


def noise_posterior_chains():
    eps = sp.Symbol("epsilon", real=True)
    atom = (xhat - ROOT_A * x_0) / ROOT_1MA
    joint = sp.Integral(gaussian_pdf(eps, 0, 1) * sp.DiracDelta(xhat - ROOT_A * x_0 - ROOT_1MA * eps),
                        (eps, -sp.oo, sp.oo))
    dens = [isotropic_pdf((xhat_1, xhat_2), (ROOT_A * e[0], ROOT_A * e[1]), 1 - abar) for e in (E_1, E_2)]
    return (
        derive("given x_0, exactly one noise value reaches the observed point", ROOT_A * x_0 + ROOT_1MA * atom,
               (xhat, r"solve $\hat x=\sqrt{\bar\alpha_t}x_0+\sqrt{1-\bar\alpha_t}\,\varepsilon$")),
        derive("integrating the noise out gives the likelihood of x_0 (one coordinate)", joint,
               Step(gaussian_pdf(atom, 0, 1) / ROOT_1MA, r"sifting property of $\delta$", simplify=below_one),
               Step(gaussian_pdf(xhat, ROOT_A * x_0, 1 - abar), "change of variables in the density",
                    simplify=exp_normal_form),
               domains={abar: UNIT}),
        derive("mass on the atom of [1,0] for the homework's data", dens[0] / (dens[0] + dens[1]),
               Step(WEIGHT_1, "Bayes' rule, equal priors cancel", simplify=exp_normal_form),
               domains={abar: UNIT}),
    )


def check_posterior_ball(rng, *, alpha_bar=None, xhat_point=None, rho: float = 0.3, target: int = 4000,
                         weight=None, max_draws: int = 2_000_000):
    """Condition the joint simulation on x_t in a small ball around xhat.

    The ball of radius rho sqrt(1 - abar) around xhat is, given the data point x^(i), the ball of radius
    rho around the atom eps_i in noise space, whose probability is a noncentral chi-square CDF. So
    the labels of the accepted samples follow exact multinomial probabilities (chi-square test), the
    accepted noises lie within rho of their atom, and as rho -> 0 the ball probabilities tend to the
    claimed posterior weights (deterministic, tolerance = the derived O(rho^2) term).
    """
    a = draw_alpha_bar(rng) if alpha_bar is None else alpha_bar
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
        chi_square_test(f"labels of samples with x_t near the observed point (rho={rho}, abar={a:.4g})",
                        counts, ball_probs(rho)),
        predicate("noise of every accepted sample lies within rho of its atom", dist <= rho * (1 + 1e-12),
                  accepted=int(counts.sum()), draws=draws, max_distance=dist, rho=rho),
        close_test("ball probabilities tend to the claimed posterior weights as rho -> 0",
                   ball_probs(tiny), [claimed, 1 - claimed], rtol=tiny**2 * (2 + float(nc.max())) / 4,
                   atol=1e-12),  # relative: the O(rho^2) term; absolute: rounding of 1 - p near p = 1
    ]


def check_posterior_calibration(rng, *, alpha_bar=None, data=None, weights=None, posterior=None,
                                atoms=None, n: int = 40_000):
    """The claimed posterior reproduces the joint law of (eps, x_t): for functions g of the noise
    (and of which atom it is) and bounded h of x_t, E[(g(eps) - sum_i p_i(x_t) g(eps_i(x_t))) h(x_t)] = 0."""
    a = draw_alpha_bar(rng) if alpha_bar is None else alpha_bar
    if data is None:
        data, weights = draw_data(rng)
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
    return mean_test(f"claimed posterior reproduces E[g(eps) h(x_t)] (abar={a:.4g}, {len(data)} data points)",
                     products, np.zeros(products.shape[1]), scale=np.outer(operands, np.abs(h).max(axis=0)))


def check_likelihood_ratio(rng, *, m: int = 200):
    """Posterior odds from the log-space kernel equal prior odds times Gaussian likelihood ratios."""
    a = draw_alpha_bar(rng)
    data, weights = draw_data(rng)
    x = rng.normal(scale=2.0, size=(m, 2))
    logp = nd.log_posterior_x0(x, a, data, weights)
    loglik = np.column_stack([np.log(w) + stats.multivariate_normal.logpdf(x, math.sqrt(a) * y, (1 - a) * np.eye(2))
                              for w, y in zip(weights, data)])
    return close_test(f"log posterior odds equal log prior odds plus log likelihood ratios (abar={a:.4g})",
                      logp - logp[:, :1], loglik - loglik[:, :1], rtol=1e-9, atol=1e-9)


@REGISTRY.register("8d", status="proved")
def noise_posterior() -> Answer:
    return Answer(
        summary=r"Given $x_t=\hat x$ the noise is discrete: $\varepsilon=\varepsilon_i(\hat x)="
                r"\frac{\hat x-\sqrt{\bar\alpha_t}\,x^{(i)}}{\sqrt{1-\bar\alpha_t}}$ with probability "
                r"$p(x^{(i)}\mid \hat x)=\frac{w_i\,\mathcal{N}(\hat x;\sqrt{\bar\alpha_t}x^{(i)},(1-\bar\alpha_t)I)}"
                r"{\sum_j w_j\,\mathcal{N}(\hat x;\sqrt{\bar\alpha_t}x^{(j)},(1-\bar\alpha_t)I)}$. For the homework: "
                r"mass $\sigma(z)$ on $\frac{\hat x-\sqrt{\bar\alpha_t}[1,0]^T}{\sqrt{1-\bar\alpha_t}}$ and "
                r"$1-\sigma(z)$ on $\frac{\hat x-\sqrt{\bar\alpha_t}[0,1]^T}{\sqrt{1-\bar\alpha_t}}$, "
                r"$z=\frac{\sqrt{\bar\alpha_t}(\hat x_1-\hat x_2)}{1-\bar\alpha_t}$.",
        explanation=r"In the graphical model $x_0\to x_t\leftarrow\varepsilon$ the observation "
                    r"$x_t=\hat x$ ties the two parents together: once $x_0$ is known, only one noise "
                    r"value reaches $\hat x$. So the posterior over $(x_0,\varepsilon)$ lives on the $n$ "
                    r"pairs $(x^{(i)},\varepsilon_i(\hat x))$, and the posterior over $\varepsilon$ puts on "
                    r"$\varepsilon_i(\hat x)$ the posterior probability of $x^{(i)}$. That probability is "
                    r"prior times likelihood, and the likelihood of $x^{(i)}$ is what remains after "
                    r"integrating the noise density against the constraint: the noise density at "
                    r"$\varepsilon_i$ divided by $(1-\bar\alpha_t)^{d/2}$, which is the forward density "
                    r"of 8a. The mean of this discrete law is the answer of 8c. For checking answers the "
                    r"law is a set of point masses whose atoms are $2\times1$ matrices in $\hat x_1,\hat x_2$.",
        chains=noise_posterior_chains(),
        checks=(
            Check("conditioning on a small ball",
                  "Simulated samples with x_t near xhat carry the labels the exact ball probabilities "
                  "predict, their noise sits at the atoms, and the ball probabilities tend to the weights.",
                  check_posterior_ball),
            Check("posterior calibration",
                  "The claimed discrete posterior gives the right conditional expectation of functions "
                  "of the noise, for a random weighted data set.", check_posterior_calibration),
            Check("likelihood ratios", "The kernel's posterior odds are Bayes' rule.", check_likelihood_ratio),
        ),
        quantities=(_quantity("posterior over the noise given x_t = xhat", NOISE_POSTERIOR,
                             symbols=(xhat_1, xhat_2, abar), domains={abar: UNIT},
                             description="Point masses (sigma(z), 1 - sigma(z)) on the 2x1 matrices "
                                         "(xhat - sqrt(alphabar_t) e_i) / sqrt(1 - alphabar_t), e_1 = [1,0], "
                                         "e_2 = [0,1], xhat = [xhat_1, xhat_2], z = sqrt(alphabar_t)(xhat_1 - "
                                         "xhat_2) / (1 - alphabar_t)."),),
    )


# --------------------------------------------------------------------------- 8e


def large_t_chains():
    P, Q, m = sp.symbols("P Q m", real=True)
    w = sp.Symbol("w_i", positive=True)
    return (
        derive("the logits tend to the log prior weights",
               sp.Limit(sp.log(w) + (ROOT_A * P - abar * Q / 2) / (1 - abar), abar, 0, "+"),
               (sp.log(w), r"$\sqrt{\bar\alpha_t}\to0$; here $P=\hat x\cdot x^{(i)}$, $Q=\|x^{(i)}\|^2$")),
        derive("any data set: the optimal prediction tends to its input",
               sp.Limit((xhat - ROOT_A * m) / ROOT_1MA, abar, 0, "+"),
               (xhat, r"$m=E[x_0\mid \hat x]$ stays in the data's convex hull")),
        derive("two points: the posterior weight tends to the prior 1/2", sp.Limit(WEIGHT_1, abar, 0, "+"),
               (sp.Rational(1, 2), "the log-odds tend to 0")),
        derive("two points: the optimal prediction tends to its input",
               sp.Matrix([sp.Limit(e, abar, 0, "+") for e in EPS_STAR]),
               (XHAT, "limit of each coordinate")),
        derive("two points: the rate at which the gap closes",
               sp.Matrix([sp.Limit((e - v) / ROOT_A, abar, 0, "+") for e, v in zip(EPS_STAR, XHAT)]),
               (-PRIOR_MEAN, r"$\varepsilon^*-\hat x\approx-\sqrt{\bar\alpha_t}\,E[x_0]$")),
    )


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
        close_test(f"numerics.optimal_epsilon equals the closed form at all {T} steps", eps, closed,
                   rtol=1e-9, atol=1e-12),
        predicate("remainder of the square-root law within the derived bound at every step",
                  bool(np.all(excess <= bound)), worst_ratio_to_bound=float((excess / bound).max()),
                  abar_T=float(abars[-1]), max_gap_at_T=float(gap[-1].max()),
                  sqrt_abar_T_over_2=math.sqrt(abars[-1] / 2),
                  first_t_with_gap_below_0_01=int(below[0] + 1) if below.size else None,
                  gap_at_t_500=float(gap[min(499, T - 1)].max()), points=m),
    ]


@REGISTRY.register("8e", status="proved")
def large_t() -> Answer:
    return Answer(
        summary=r"As $t$ grows, $\bar\alpha_t\to0$: the posterior weights of the data points tend to the "
                r"prior ($\frac{1}{2},\frac{1}{2}$) and $\varepsilon^*_\theta(\hat x,t)\to\hat x$: the best guess of "
                r"the noise is the input itself, because $x_t$ is almost pure noise. The gap closes like "
                r"$\varepsilon^*-\hat x\approx-\sqrt{\bar\alpha_t}\,E[x_0]=-\sqrt{\bar\alpha_t}\,[\tfrac{1}{2},\tfrac{1}{2}]^T$, "
                r"so $\|\varepsilon^*-\hat x\|\approx\sqrt{\bar\alpha_t/2}$; on the linear schedule "
                r"$\beta_t$ from $10^{-4}$ to $0.02$, $T=1000$, that is about $4.5\times10^{-3}$ at $t=T$.",
        explanation=r"In the softmax of 8c the data enter the logits only through "
                    r"$\sqrt{\bar\alpha_t}\,\hat x\cdot x^{(i)}$ and $\bar\alpha_t\|x^{(i)}\|^2$, both divided "
                    r"by $1-\bar\alpha_t$, so both vanish and only the log prior weights remain: $\hat x$ no "
                    r"longer tells the data points apart. Then $E[x_0\mid \hat x]$ tends to the prior mean, "
                    r"which is bounded, and in $(\hat x-\sqrt{\bar\alpha_t}E[x_0\mid \hat x])/\sqrt{1-\bar\alpha_t}$ "
                    r"the data term dies with $\sqrt{\bar\alpha_t}$ while the denominator tends to 1. "
                    r"Since $\bar\alpha_t\approx\exp(-\sum_{s\le t}\beta_s)$ falls faster than exponentially "
                    r"in $t$ on a linear schedule, $\|\varepsilon^*-\hat x\|$ does too. The numerical check "
                    r"bounds the remainder explicitly (from $1-\sqrt{1-a}\le a$ and "
                    r"$|\sigma(z)-\frac{1}{2}|\le|z|/4$) and verifies the bound at every step of the schedule.",
        chains=large_t_chains(),
        checks=(Check("linear schedule, T = 1000",
                      "Along the schedule the kernel agrees with the closed form, and the distance from the "
                      "prediction to its input is the square root of alphabar times the length of the "
                      "prior mean, up to the derived remainder.", check_large_t),),
        figures=(Figure("fig-8e-optimal-eps.pdf",
                        r"Left: distance $\|\varepsilon^*(\hat x,t)-\hat x\|$ between the optimal noise prediction "
                        r"and its input along the linear schedule ($\beta_t$ from $10^{-4}$ to $0.02$, "
                        r"$T=1000$), for a few inputs, with the asymptote $\sqrt{\bar\alpha_t/2}$. Right: the "
                        r"posterior weight of $[1,0]^T$ tends to the prior $\frac{1}{2}$.", _draw_optimal_eps),),
        quantities=(
            _quantity("limit of eps*(xhat, t) as alphabar_t -> 0", XHAT, symbols=(xhat_1, xhat_2),
                     description="2x1 matrix [xhat_1, xhat_2]: the input itself."),
            _quantity("limit of the posterior weights as alphabar_t -> 0", sp.Matrix([sp.Rational(1, 2)] * 2),
                     description="the prior weights (1/2, 1/2) of [1,0] and [0,1]."),
        ),
    )


def _draw_optimal_eps(path, rng):
    from derivations.figures_diffusion import draw_optimal_eps

    draw_optimal_eps(path, rng)


if __name__ == "__main__":
    from derivations.cli import show_section

    raise SystemExit(show_section("diffusion"))
