"""The numeric checks of 3a and 3b (the latent variable and maximum likelihood), and their samplers.

Every check returns :class:`numerics.stattests.CheckResult` objects named in LaTeX; every random
function takes a keyword ``rng`` (or a generator first, for the samplers ``sample_*``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from numerics import vae as nv
from numerics.stattests import (CheckResult, binomial_test, close_test, ks_rejects, ks_test, mean_bound_test,
                                mean_test, predicate, required_sample_size)
from numerics.lazy import lazy

integrate = lazy("scipy.integrate")
special = lazy("scipy.special")
stats = lazy("scipy.stats")

# --------------------------------------------------------------------------- distributions F

#: Families for the F of Question 3b, with parameter ranges drawn by :func:`sample_distribution`.
#: The ranges keep every F far from the law of option 3 (variance between 1 and 1.25), so the
#: KS tests that must reject option 3 have power (KS distance > 0.1 at n = 20 000).
FAMILIES = ("normal", "exponential", "beta", "gamma", "logistic")
PIT_FAMILIES = FAMILIES + ("student_t", "lognormal", "cauchy")


def make_distribution(family: str, a: float, bb: float):
    """A frozen SciPy distribution of ``family`` from two parameters in [0, 1] (mapped to ranges)."""
    if family == "normal":
        return stats.norm(loc=-3 + 6 * a, scale=0.1 + 0.4 * bb)
    if family == "exponential":
        return stats.expon(scale=1 / (2 + 3 * a))
    if family == "beta":
        return stats.beta(0.5 + 4.5 * a, 0.5 + 4.5 * bb)
    if family == "gamma":
        return stats.gamma(2 + 4 * a, scale=1.5 + 1.5 * bb)
    if family == "logistic":
        return stats.logistic(loc=-2 + 4 * a, scale=1.5 + 1.5 * bb)
    if family == "student_t":
        return stats.t(df=1 + 9 * a, loc=-1 + 2 * bb)
    if family == "lognormal":
        return stats.lognorm(s=0.2 + 1.3 * a, scale=math.exp(-1 + 2 * bb))
    if family == "cauchy":
        return stats.cauchy(loc=-2 + 4 * a, scale=0.2 + 2 * bb)
    raise ValueError(f"unknown family {family!r}; expected one of {PIT_FAMILIES}")


def sample_distribution(family: str, rng) -> Any:
    """A distribution of ``family`` with parameters drawn uniformly in their ranges."""
    g = np.random.default_rng(rng)
    return make_distribution(family, float(g.uniform()), float(g.uniform()))


#: How :func:`describe` writes each SciPy family, from its shape parameters and keywords.
_FAMILY_TEX = {
    "norm": lambda loc=0.0, scale=1.0: rf"$\mathcal{{N}}({loc:.3g}, {scale:.3g}^2)$",
    "expon": lambda loc=0.0, scale=1.0: rf"the exponential law of mean ${scale:.3g}$",
    "beta": lambda a, b_, loc=0.0, scale=1.0: rf"$\mathrm{{Beta}}({a:.3g}, {b_:.3g})$",
    "gamma": lambda a, loc=0.0, scale=1.0: rf"$\mathrm{{Gamma}}({a:.3g})$ with scale ${scale:.3g}$",
    "logistic": lambda loc=0.0, scale=1.0: rf"the logistic law at ${loc:.3g}$ with scale ${scale:.3g}$",
    "t": lambda df, loc=0.0, scale=1.0: rf"Student's $t_{{{df:.3g}}}$ shifted by ${loc:.3g}$",
    "lognorm": lambda s, loc=0.0, scale=1.0: rf"the log-normal law with $\sigma={s:.3g}$, scale ${scale:.3g}$",
    "cauchy": lambda loc=0.0, scale=1.0: rf"the Cauchy law at ${loc:.3g}$ with scale ${scale:.3g}$",
}


def describe(dist) -> str:
    """A frozen SciPy distribution in words and LaTeX, e.g. :math:`\\mathrm{Beta}(0.6, 1)`."""
    name = dist.dist.name
    if name in _FAMILY_TEX:
        return _FAMILY_TEX[name](*dist.args, **dist.kwds)
    numbers = [f"{a:.3g}" for a in dist.args] + [f"{key}={val:.3g}" for key, val in dist.kwds.items()]
    return rf"{name} $({', '.join(numbers)})$"


# --------------------------------------------------------------------------- 3a


def sample_tanh_model(rng) -> tuple[float, float, float]:
    """Parameters (a, c, s) of the latent model x = a tanh(c z) + s noise of 3a."""
    return float(rng.uniform(1.5, 3.0)), float(rng.uniform(2.0, 5.0)), float(rng.uniform(0.15, 0.4))


def latent_marginal_grid(a: float, cz: float, s: float, x_grid: np.ndarray, z_points: int = 2001):
    """Density and CDF of x = a tanh(cz * z) + s * noise, z ~ N(0, 1), on ``x_grid``.

    .. math:: p(x) = E_z[\\mathcal N(x; a\\tanh(c z), s^2)], \\quad P(x \\le v) = E_z[\\Phi((v - a\\tanh(cz))/s)]

    by the trapezoid rule on z in [-6, 6] (the mass outside is 2e-9).
    """
    zz = np.linspace(-6.0, 6.0, z_points)
    wz = np.exp(-0.5 * zz**2) / math.sqrt(2 * math.pi) * (zz[1] - zz[0])
    wz[[0, -1]] /= 2
    arg = (x_grid[:, None] - a * np.tanh(cz * zz)[None, :]) / s
    density = (np.exp(-0.5 * arg**2) / (math.sqrt(2 * math.pi) * s)) @ wz
    cdf = special.ndtr(arg) @ wz
    return density, cdf


def latent_marginal_checks(a: float, cz: float, s: float, size: int, *, rng) -> list[CheckResult]:
    """A latent model with Gaussian conditionals has a bimodal, non-Gaussian marginal, and
    ancestral sampling draws from it."""
    g = np.random.default_rng(rng)
    zs = g.standard_normal(size)
    xs = a * np.tanh(cz * zs) + s * g.standard_normal(size)
    grid = np.linspace(-a - 8 * s, a + 8 * s, 1201)
    density, cdf = latent_marginal_grid(a, cz, s, grid)
    interior = (density[1:-1] > density[:-2]) & (density[1:-1] > density[2:])
    modes = grid[1:-1][interior]
    label = f"$a={a:.3g}$, $c={cz:.3g}$, $s={s:.3g}$"
    return [
        ks_test(f"ancestral samples follow the marginal $p(x)$ computed by quadrature ({label})", xs,
                lambda q: np.interp(q, grid, cdf)),
        predicate(rf"the marginal has two modes although each $p(x\mid z)$ is Gaussian ({label})",
                  len(modes) == 2, modes=modes.tolist(), grid_points=grid.size),
        ks_rejects(rf"no single Gaussian fits the samples (the moment-matched $\mathcal{{N}}$ is rejected, {label})",
                   xs, stats.norm(xs.mean(), xs.std()).cdf),
    ]


# --------------------------------------------------------------------------- 3b.i - 3b.iii


def pit_check(dist, size: int, *, rng) -> CheckResult:
    """For x ~ F (continuous), F(x) ~ Unif(0, 1): KS test of F(x) against the uniform CDF."""
    xs = dist.rvs(size=size, random_state=np.random.default_rng(rng))
    return ks_test(rf"$F(x)\sim\mathrm{{Unif}}(0,1)$ for $x$ drawn from {describe(dist)}", dist.cdf(xs), "uniform")


def decoder_samples(option: str, latent: str, dist, size: int, *, rng) -> np.ndarray:
    """Samples of x from the printed option, with z ~ Unif(0, 1) or N(0, 1).

    Options: ``"1"`` x = F^{-1}(z); ``"2"`` x = F^{-1}(p(z)) with p read as the CDF of z (z itself for
    the uniform latent, Phi for the normal one); ``"3"`` x ~ N(F(z), 1). F^{-1} outside [0, 1] is
    undefined (NaN).
    """
    g = np.random.default_rng(rng)
    zs = g.uniform(size=size) if latent == "uniform" else g.standard_normal(size)
    cdf = zs if latent == "uniform" else stats.norm.cdf(zs)
    with np.errstate(invalid="ignore"):
        if option == "1":
            return dist.ppf(zs)
        if option == "2":
            return dist.ppf(cdf)
        if option == "3":
            return dist.cdf(zs) + g.standard_normal(size)
    raise ValueError(f"unknown option {option!r}")


def uniform_latent_option_checks(dist, size: int, *, rng) -> list[CheckResult]:
    """3b.ii: options 1 and 2 (p read as the CDF of z) reproduce F, option 3 does not (KS)."""
    name = describe(dist)
    x1, x2, x3 = (decoder_samples(o, "uniform", dist, size, rng=rng) for o in ("1", "2", "3"))
    return [
        ks_test(f"option 1, $x=F^{{-1}}(z)$, reproduces $F$, {name}", x1, dist.cdf),
        ks_test(f"option 2, $x=F^{{-1}}(p(z))$ with $p$ the CDF of $z$, reproduces $F$, {name}", x2, dist.cdf),
        ks_rejects(rf"option 3, $x\sim\mathcal{{N}}(F(z),1)$, is not $F$, {name}", x3, dist.cdf),
    ]


def normal_latent_option_checks(dist, size: int, *, rng) -> list[CheckResult]:
    """3b.iii: option 1 is undefined off [0, 1] and wrong on it; option 2 (p the CDF Phi of z)
    reproduces F; option 3 does not."""
    name = describe(dist)
    x1 = decoder_samples("1", "normal", dist, size, rng=rng)
    defined = ~np.isnan(x1)
    p_defined = float(stats.norm.cdf(1.0) - 0.5)
    x2 = decoder_samples("2", "normal", dist, size, rng=rng)
    x3 = decoder_samples("3", "normal", dist, size, rng=rng)
    return [
        binomial_test(rf"option 1 defines $x$ only for $z\in[0,1]$ (probability $\Phi(1)-1/2$), $F$ is {name}",
                      int(defined.sum()), size, p_defined),
        ks_rejects(f"option 1 where defined is not $F$, {name}", x1[defined], dist.cdf),
        ks_test(rf"option 2 with $p=\Phi$ the CDF of $z$, $x=F^{{-1}}(\Phi(z))$, reproduces $F$, {name}", x2, dist.cdf),
        ks_rejects(rf"option 3, $x\sim\mathcal{{N}}(F(z),1)$, is not $F$, {name}", x3, dist.cdf),
    ]


# --------------------------------------------------------------------------- 3b.iv


def sample_small_model(rng, d: int = 3, k: int = 1) -> nv.LinearGaussian:
    """A linear-Gaussian decoder with drawn loadings and noise variance in [0.3, 1]."""
    return nv.LinearGaussian.random(d, k, rng=rng, noise_var=float(rng.uniform(0.3, 1.0)))


def loss_quadrature_check(model: nv.LinearGaussian, data: np.ndarray) -> CheckResult:
    """The loss -sum_i log int p(x_i|z) p(z) dz by adaptive quadrature (k = 1) equals the closed form."""
    centre, cov = model.posterior(data)
    half = 40.0 * math.sqrt(float(cov[0, 0]))  # the integrand is below e^-800 of its peak outside

    def one(xi, mid):
        val, _ = integrate.quad(lambda zz: math.exp(float(model.log_joint(xi, np.array([zz])))),
                                mid - half, mid + half, points=[mid], epsabs=0.0, epsrel=1e-12, limit=200)
        return -math.log(val)

    quad_loss = sum(one(xi, float(mid[0])) for xi, mid in zip(data, centre))
    exact = float(-np.sum(model.log_marginal(data)))
    return close_test(r"the loss by quadrature of the latent integral equals the closed form "
                      r"$-\sum_i\log\mathcal{N}(x^{(i)}; b, WW^\top+s^2I)$", quad_loss, exact, rtol=1e-8, atol=1e-8)


# --------------------------------------------------------------------------- 3b.v


STRUCT = {"per_latent": 2, "noise_var": 0.25, "loading": 1.0}  # lambda = 2 / 0.25 = 8
LAMBDA = STRUCT["per_latent"] * STRUCT["loading"] ** 2 / STRUCT["noise_var"]


def good_region_masses(k: int, zhat_sq: float, lam_: float = LAMBDA):
    """Prior and posterior mass of R = {z: log p(x|z) >= max_z log p(x|z) - k/2} (structured model).

    log p(x|z) = const - lam |z - zhat|^2 / 2, so R is the ball |z - zhat|^2 <= k / lam; under the
    prior |z - zhat|^2 is noncentral chi-square(k, |zhat|^2); under the posterior
    (1 + lam)|z - zhat|^2 is noncentral chi-square(k, |zhat|^2 / (1 + lam)).
    """
    prior = stats.ncx2.cdf(k / lam_, k, zhat_sq) if zhat_sq > 0 else stats.chi2.cdf(k / lam_, k)
    post = stats.ncx2.cdf(k * (1 + lam_) / lam_, k, zhat_sq / (1 + lam_))
    return float(prior), float(post)


def good_region_check(k: int, size: int, *, rng) -> list[CheckResult]:
    """Fraction of prior (posterior) samples in R matches the chi-square formulas; prior mass is tiny."""
    g = np.random.default_rng(rng)
    model = nv.LinearGaussian.structured(k, **STRUCT)
    xx = model.sample(1, rng=g)[0]
    zhat = np.linalg.lstsq(model.W, xx - model.b, rcond=None)[0]
    prior_mass, post_mass = good_region_masses(k, float(zhat @ zhat))
    zp = g.standard_normal((size, k))
    pm, pc = model.posterior(xx)
    zq = pm + g.standard_normal((size, k)) @ np.linalg.cholesky(pc).T
    inside = lambda zz: np.sum((zz - zhat) ** 2, axis=1) <= k / LAMBDA  # noqa: E731
    bound = stats.chi2.cdf(32 / LAMBDA, 32)
    return [
        binomial_test(f"prior samples land in the good region $R$ at the rate ${prior_mass:.3g}$ ($k={k}$)",
                      int(inside(zp).sum()), size, prior_mass),
        binomial_test(f"posterior samples land in it at the rate ${post_mass:.3g}$ ($k={k}$)",
                      int(inside(zq).sum()), size, post_mass),
        predicate(rf"at $k=32$ the good region has prior mass below $\chi^2_{{32}}(32/\lambda)={tex_power(bound)}$ "
                  r"for every $x$",
                  bound < 1e-9, bound=float(bound)),
    ]


def tex_power(value: float) -> str:
    """``4.8\\times10^{-10}`` for 4.8e-10 (two significant digits)."""
    mantissa, exponent = f"{value:.1e}".split("e")
    return rf"{mantissa}\times10^{{{int(exponent)}}}"


def good_region_table(ks=(1, 2, 4, 8, 16, 32, 64)) -> list[tuple]:
    """(k, d, E KL(posterior || prior), prior mass of R, posterior mass of R) at a typical x."""
    rows = []
    for k in ks:
        prior_mass, post_mass = good_region_masses(k, k * (1 + 1 / LAMBDA))
        rows.append((k, k * STRUCT["per_latent"], 0.5 * k * math.log1p(LAMBDA), prior_mass, post_mass))
    return rows


# --------------------------------------------------------------------------- 3b.vi


#: Largest relative variance rv of the prior weights at the point a 3b.vi check uses: up to it the
#: O(K^-3) rest of the bias expansion at K = 1000 stays below 0.1 % of the bias (the test resolves
#: about 2 %); the drawn x exceeds it in about 2 % of the draws and is then drawn again.
NAIVE_MAX_RV = 20.0


def sample_naive_setup(rng, lam: float | None = None) -> tuple[nv.LinearGaussian, np.ndarray]:
    """A PPCA model (d = 2, k = 1, :math:`W^\\top W/s^2 = \\lambda`, :math:`\\lambda \\sim U(2, 8)`
    unless given) and a point x drawn from it with rv at most :data:`NAIVE_MAX_RV`."""
    lam = float(rng.uniform(2, 8)) if lam is None else lam
    model = nv.LinearGaussian.isotropic(2, 1, lam, rng=rng)
    for _ in range(1000):
        xx = model.sample(1, rng=rng)[0]
        if model.relative_variance(xx, "prior") <= NAIVE_MAX_RV:
            return model, xx
    raise RuntimeError(f"no point with relative variance <= {NAIVE_MAX_RV} in 1000 draws (lambda = {lam})")


def naive_estimator_checks(model: nv.LinearGaussian, xx: np.ndarray, *, rng, reps: int = 20_000,
                           estimator=None) -> list[CheckResult]:
    """The prior-sampling estimator: unbiased for p(x), biased low for log p(x) (Jensen), with the
    exact gap -KL(prior || posterior) at K = 1 and -rv/(2K) + O(K^-2) at large K (tested with the
    second-order term, :meth:`numerics.vae.LinearGaussian.naive_log_bias_expansion`).

    ``estimator(x, K, rng=...)`` defaults to :meth:`numerics.vae.LinearGaussian.naive_log_marginal`.
    """
    g = np.random.default_rng(rng)
    naive = estimator or model.naive_log_marginal
    lp = float(model.log_marginal(xx))
    pm, pc = model.posterior(xx)
    kl_prior_post = float(nv.kl_gaussians(np.zeros(model.k), 1.0, pm, pc))
    rv = float(model.relative_variance(xx, "prior"))
    xs = np.broadcast_to(xx, (reps, model.d))
    est10 = naive(xs, 10, rng=g)
    est1 = naive(xs, 1, rng=g)
    big_k, big_reps = 1000, 4000
    log_ratio = naive(np.broadcast_to(xx, (big_reps, model.d)), big_k, rng=g) - lp
    first, second = model.naive_log_bias_expansion(xx, big_k)
    low = mean_bound_test(r"$K=10$: the log-estimate is biased low ($E\log\hat p<\log p$)", est10 - lp, 0.0,
                          below=True)
    # power: the delta-method bias -rv/20 against the spread sqrt(rv/10) of one estimate
    low.evidence["samples_for_power_0.99"] = required_sample_size(rv / 20, math.sqrt(rv / 10))
    return [
        mean_test(r"the average of $K=10$ likelihoods $p(x\mid z^{(j)})$ is unbiased for $p(x)$ (ratio mean 1)",
                  np.exp(est10 - lp), [1.0]),
        mean_test(r"$K=1$: $E\log p(x\mid z)=\log p(x)-\mathrm{KL}(p(z)\,\Vert\,p(z\mid x))$ (the Jensen gap)",
                  est1 - lp, [-kl_prior_post]),
        low,
        # log(p-hat/p) = log(1 + delta) with E delta = 0 exactly (the first claim): subtracting the
        # control variate delta keeps the mean and leaves -delta^2/2 + ..., of spread O(rv/K), not
        # O(sqrt(rv/K)): the bias is then resolved to about 2 % of itself (without: 100 % or more)
        mean_test(rf"$K={big_k}$: $E\log\hat p-\log p=-\mathrm{{rv}}/(2K)+(\mu_3/3-3\mathrm{{rv}}^2/4)/K^2"
                  rf"+O(K^{{-3}})$, $\mathrm{{rv}}={rv:.3g}$ (control variate $\hat p/p-1$)",
                  log_ratio - np.expm1(log_ratio), [first + second]),
    ]


# --------------------------------------------------------------------------- 3b.vii


def expected_log_second_moment(k: int, lam_: float = LAMBDA) -> float:
    """E_x log(1 + rv(x)) for prior sampling in the structured model: k [log((1+l)^2/(1+2l))/2 + l/(1+2l)]."""
    return k * (0.5 * math.log((1 + lam_) ** 2 / (1 + 2 * lam_)) + lam_ / (1 + 2 * lam_))


def inflated_factor(c: float) -> float:
    """:math:`E_q[(p/q)^2]` per coordinate when :math:`q` is the posterior with its variance times
    ``c`` (> 1/2): :math:`c/\\sqrt{2c-1}`."""
    return c / math.sqrt(2 * c - 1)


#: The variance inflation of the posterior-based proposal of 3b.vii.
INFLATION = 1.5


def relative_variance_checks(*, rng, k_small: int = 1, k_mid: int = 8, k_high: int = 16) -> list[CheckResult]:
    """The closed-form weight variance is right, grows like exp(1.25 k), and ruins the naive estimator."""
    g = np.random.default_rng(rng)
    small = nv.LinearGaussian.isotropic(2, k_small, float(g.uniform(1.0, 3.0)), rng=g)
    xs = small.sample(1, rng=g)[0]
    ratio = np.exp(small.log_weights(xs, 100_000, rng=g)[0] - small.log_marginal(xs))
    second = float(np.exp(small.log_weight_second_moment(xs, "prior")))
    mid = nv.LinearGaussian.structured(k_mid, **STRUCT)
    xm = mid.sample(4000, rng=g)
    high = nv.LinearGaussian.structured(k_high, **STRUCT)
    xh = high.sample(200, rng=g)
    naive_err = high.naive_log_marginal(xh, 1000, rng=g) - high.log_marginal(xh)
    inflated = (high.posterior(xh)[0], INFLATION * high.posterior_cov())
    is_err = np.exp(high.importance_log_marginal(xh, 1000, rng=g, proposal=inflated) - high.log_marginal(xh))
    exact = high.importance_log_marginal(xh[:5], 10, rng=g, proposal="posterior")
    return [
        mean_test(rf"$E_{{p(z)}}[(p(x\mid z)/p(x))^2]$ matches the closed form ${second:.4g}$ ($k={k_small}$)",
                  ratio**2, [second]),
        mean_test(rf"$E_x\log(1+\mathrm{{rv}})={expected_log_second_moment(k_mid):.3f}"
                  rf"={expected_log_second_moment(1):.3f}k$ nats ($k={k_mid}$, $d={2 * k_mid}$)",
                  mid.log_weight_second_moment(xm, "prior"), [expected_log_second_moment(k_mid)]),
        close_test(rf"a posterior proposal with variance $\times{INFLATION:g}$: $1+\mathrm{{rv}}="
                   rf"{inflated_factor(INFLATION):.3f}^k$ at every $x$ ($k={k_high}$)",
                   high.log_weight_second_moment(xh, inflated),
                   np.full(len(xh), k_high * math.log(inflated_factor(INFLATION))), rtol=1e-9, atol=1e-9),
        mean_bound_test(rf"$k={k_high}$, $K=1000$ prior samples: $\log\hat p$ is more than 1 nat too low on average",
                        naive_err, -1.0, below=True),
        mean_test(rf"$k={k_high}$, $K=1000$ from a variance-inflated posterior: $\hat p/p$ has mean 1", is_err, [1.0]),
        close_test("importance sampling from the exact posterior is exact", exact, high.log_marginal(xh[:5]),
                   rtol=1e-10, atol=1e-10),
    ]
