"""The derivation chains of Question 9, one function per part (each returns that part's chains).

Titles and reasons are LaTeX prose. Every step names the targeted simplification that decides it
(:mod:`derivations.symbolic.hints` and this section's :mod:`.hints`).
"""

from __future__ import annotations

import sympy as sp
from sympy import stats as sps

from derivations.chain import Chain, Step, derive
from derivations.flow_matching.hints import (derivatives_into_sums, on_unit_interval, pull_out_of_sums, rational,
                                             split_sums, termwise, under_integral)
from derivations.flow_matching.symbols import (MARGINAL_DENSITY, POSTERIOR, REGRESSION_TARGET, S, X, X_T, Z0, Z1,
                                               Z2, a, component, d, delta, eta, i, j, k, n, r,
                                               reduced_logit, t, v_star, v_theta, x, x_0, x_1, xi, y)
from derivations.symbolic import UNIT, GaussianDensity
from derivations.symbolic.hints import positive_ratio

ON_UNIT = {t: UNIT}


# =========================================================================== 9a


def conditional_path() -> tuple[Chain, ...]:
    """Mean, variance and covariance of :math:`x_t` given :math:`x_1`, and its density in d dimensions."""
    xt = (1 - t) * Z0 + t * x_1
    mean = derive(
        "mean of one coordinate of $x_t$",
        sps.Expectation(xt),
        ((1 - t) * sps.Expectation(Z0) + t * x_1, "linearity; $x_1$ is fixed"),
        (t * x_1, "$E[x_0] = 0$"),
        domains=ON_UNIT)
    variance = derive(
        "variance of one coordinate of $x_t$",
        sps.Expectation((xt - sps.Expectation(xt)) ** 2),
        ((1 - t) ** 2 * sps.Expectation(Z0**2), "subtract the mean $t x_1$"),
        ((1 - t) ** 2, "$E[x_0^2] = 1$"),
        domains=ON_UNIT)
    covariance = derive(
        "two different coordinates are uncorrelated",
        sps.Expectation(((1 - t) * Z1) * ((1 - t) * Z2)),
        ((1 - t) ** 2 * sps.Expectation(Z1) * sps.Expectation(Z2), "independent coordinates of $x_0$"),
        (sp.S(0), "both have mean 0"),
        domains=ON_UNIT)
    jacobian = derive(
        r"density by change of variables in $d$ dimensions ($r = \|x - t x_1\|$)",
        (1 - t) ** (-d) * (2 * sp.pi) ** (-d / 2) * sp.exp(-(r / (1 - t)) ** 2 / 2),
        Step((2 * sp.pi * (1 - t) ** 2) ** (-d / 2) * sp.exp(-r**2 / (2 * (1 - t) ** 2)),
             "collect the powers of $1-t$", simplify=lambda e: sp.expand(sp.powsimp(on_unit_interval(e), force=True))),
        domains=ON_UNIT)
    return mean, variance, covariance, jacobian


# =========================================================================== 9b


def conditional_limit() -> tuple[Chain, ...]:
    """The moments, the generating function and the density away from :math:`x_1` as :math:`t \\to 1`."""
    var_limit = derive("the variance vanishes", sp.Limit((1 - t) ** 2, t, 1, dir="-"),
                       (sp.S(0), "polynomial, continuous at $t = 1$"))
    mean_limit = derive("the mean tends to $x_1$", sp.Limit(t * x_1, t, 1, dir="-"),
                        (x_1, "continuous at $t = 1$"))
    mgf = derive(
        r"moment generating function of $p_t(x \mid x_1)$",
        sp.Integral(sp.exp(a * x) * component(x, x_1), (x, -sp.oo, sp.oo)),
        Step(sp.exp(a * t * x_1 + a**2 * S**2 / 2)
             * sp.Integral(GaussianDensity(x, t * x_1 + a * S**2, S**2), (x, -sp.oo, sp.oo)),
             "complete the square in the exponent", simplify=under_integral(positive_ratio)),
        Step(sp.exp(a * t * x_1 + a**2 * S**2 / 2), "a density integrates to 1", simplify=on_unit_interval),
        domains=ON_UNIT)
    mgf_limit = derive(
        "the generating function tends to that of a point mass",
        sp.Limit(sp.exp(a * t * x_1 + a**2 * S**2 / 2), t, 1, dir="-"),
        (sp.exp(a * x_1), r"continuity; $E[e^{a x}]$ under $\delta_{x_1}$"))
    away_right = derive(
        r"the density vanishes at any $x = x_1 + \delta$, $\delta > 0$",
        sp.Limit(component(x_1 + delta, x_1), t, 1, dir="-"),
        (sp.S(0), "Gaussian decay beats the $1/(1-t)$ factor"))
    away_left = derive(
        r"the density vanishes at any $x = x_1 - \delta$, $\delta > 0$",
        sp.Limit(component(x_1 - delta, x_1), t, 1, dir="-"),
        (sp.S(0), "Gaussian decay beats the $1/(1-t)$ factor"))
    return var_limit, mean_limit, mgf, mgf_limit, away_right, away_left


# =========================================================================== 9c


def marginal_path() -> tuple[Chain, ...]:
    """The marginal of the conditional path over the empirical data distribution, and its mass."""
    data_law = sp.Sum(sp.DiracDelta(y - X[i]), (i, 1, n)) / n
    marginal = derive(
        "marginalise the end point over the empirical data distribution",
        sp.Integral(component(x, y) * data_law, (y, -sp.oo, sp.oo)),
        Step(sp.Sum(sp.Integral(component(x, y) * sp.DiracDelta(y - X[i]), (y, -sp.oo, sp.oo)), (i, 1, n)) / n,
             "linearity of the integral", simplify=under_integral(pull_out_of_sums)),
        (MARGINAL_DENSITY, r"sifting property of $\delta$"),
        domains=ON_UNIT)
    normalised = derive(
        "the marginal integrates to one",
        sp.Integral(MARGINAL_DENSITY, (x, -sp.oo, sp.oo)),
        Step(sp.Sum(sp.Integral(component(x, X[i]), (x, -sp.oo, sp.oo)), (i, 1, n)) / n,
             "linearity of the integral", simplify=under_integral(pull_out_of_sums)),
        Step(sp.Sum(1, (i, 1, n)) / n, "each component is a density", simplify=on_unit_interval),
        (sp.S(1), "$n$ terms"),
        domains=ON_UNIT)
    return marginal, normalised


# =========================================================================== 9d


def line_velocity() -> tuple[Chain, ...]:
    """The velocity of the straight line to :math:`x^{(i)}` is constant."""
    line = derive(
        "the velocity of one straight line, read off at $x = x_t$",
        (X[i] - ((1 - t) * x_0 + t * X[i])) / (1 - t),
        (X[i] - x_0, "the factor $1-t$ cancels: constant speed"),
        domains=ON_UNIT)
    return (line,)


# =========================================================================== 9e


def posterior_endpoint() -> tuple[Chain, ...]:
    """Bayes' rule over the data points, down to a softmax of the logits."""
    bayes = derive(
        "Bayes' rule over the $n$ data points",
        (component(x, X[i]) / n) / (sp.Sum(component(x, X[j]), (j, 1, n)) / n),
        (component(x, X[i]) / sp.Sum(component(x, X[j]), (j, 1, n)), "the prior $1/n$ cancels"),
        Step(POSTERIOR, "the normalising constant cancels", simplify=lambda e: pull_out_of_sums(sp.expand(e))),
        Step(sp.exp(reduced_logit(i)) / sp.Sum(sp.exp(reduced_logit(j)), (j, 1, n)),
             "the $x^2$ term is common and cancels", simplify=lambda e: pull_out_of_sums(sp.expand(e))),
        domains=ON_UNIT)
    return (bayes,)


# =========================================================================== 9f


def continuity_equation() -> tuple[Chain, ...]:
    """The continuity equation: conditional path, marginal over n points, and any dimension."""
    # (1) the conditional path in one dimension, divided by the (positive) density
    p = component(x, x_1)
    v = (x_1 - x) / S
    u = x - t * x_1
    cond = derive(
        r"(1) conditional path, 1-D: $(\partial_t p + \partial_x (p v))/p$",
        (sp.Derivative(p, t) + sp.Derivative(p * v, x)) / p,
        Step(sp.Derivative(sp.log(p), t) + v * sp.Derivative(sp.log(p), x) + sp.Derivative(v, x),
             r"product rule; $p'/p = (\log p)'$", simplify=rational),
        Step((x_1 * u / S**2 - u**2 / S**3 + 1 / S) + v * (-u / S**2) - 1 / S,
             "differentiate the Gaussian's log and $v$", simplify=rational),
        Step(sp.S(0), "terms cancel", simplify=rational),
        domains=ON_UNIT)
    # (2) the marginal over n data points, n a symbol, with v_t the posterior average of 9e
    p_i = component(x, X[i])
    v_i = (X[i] - x) / S
    P = sp.Sum(p_i, (i, 1, n)) / n
    V = sp.Sum(p_i / sp.Sum(p_i, (i, 1, n)) * v_i, (i, 1, n))
    flux = sp.Sum(p_i * v_i, (i, 1, n)) / n
    marg = derive(
        "(2) marginal path over $n$ points: linearity",
        sp.Derivative(P, t) + sp.Derivative(P * V, x),
        Step(sp.Derivative(P, t) + sp.Derivative(flux, x), "posterior weights: $p_t$ cancels in $p_t v_t$",
             simplify=pull_out_of_sums),
        Step(sp.Sum(sp.Derivative(p_i, t) + sp.Derivative(p_i * v_i, x), (i, 1, n)) / n,
             "differentiate term by term", simplify=derivatives_into_sums),
        Step(sp.Sum(0, (i, 1, n)) / n, "each term is case (1) with $x_1 = x^{(i)}$", simplify=termwise(p_i)),
        (sp.S(0), "a sum of zeros"),
        domains=ON_UNIT)
    # (3) d = 2 and d = 3 written out, then any d
    chains_d = tuple(_conditional_in_dim(dim) for dim in (2, 3))
    p_k = component(xi[k], eta[k])
    v_k = (eta[k] - xi[k]) / S
    general = derive(
        "(3) any $d$: the $d$-dimensional residual over $p$ is a sum of 1-D residuals",
        sp.Sum(sp.Derivative(sp.log(p_k), t) + v_k * sp.Derivative(sp.log(p_k), xi[k]) + sp.Derivative(v_k, xi[k]),
               (k, 1, d)),
        Step(sp.Sum(0, (k, 1, d)), "each coordinate is case (1)", simplify=termwise(sp.S(1))),
        (sp.S(0), "a sum of zeros"),
        domains=ON_UNIT)
    log_factor = derive(
        "(3) the $d$-dimensional log-density is a sum over coordinates",
        sp.log((2 * sp.pi * S**2) ** (-d / 2) * sp.exp(-sp.Sum((xi[k] - t * eta[k]) ** 2, (k, 1, d)) / (2 * S**2))),
        Step(sp.Sum(sp.log(p_k), (k, 1, d)), r"$\mathcal{N}(t x_1, (1-t)^2 I)$ is a product", simplify=split_sums),
        domains=ON_UNIT)
    return (cond, marg) + chains_d + (log_factor, general, _marginal_in_two_dims())


def _conditional_in_dim(dim: int) -> Chain:
    """The conditional continuity residual over p in ``dim`` dimensions, coordinates written out."""
    xs = sp.symbols(f"xi_1:{dim + 1}", real=True)
    es = sp.symbols(f"eta_1:{dim + 1}", real=True)
    p = S ** (-dim) * (2 * sp.pi) ** sp.Rational(-dim, 2) * sp.exp(-sum((xc - t * ec) ** 2 for xc, ec in zip(xs, es))
                                                                  / (2 * S**2))
    vs = [(ec - xc) / S for xc, ec in zip(xs, es)]
    per_coordinate = sum((ec * (xc - t * ec) / S**2 - (xc - t * ec) ** 2 / S**3 + 1 / S)
                         + vc * (-(xc - t * ec) / S**2) - 1 / S for xc, ec, vc in zip(xs, es, vs))
    return derive(
        f"(3) conditional path, $d = {dim}$, coordinates written out",
        (sp.Derivative(p, t) + sum(sp.Derivative(p * vc, xc) for xc, vc in zip(xs, vs))) / p,
        Step(per_coordinate, "the density factorises over coordinates", simplify=rational),
        Step(sp.S(0), "each coordinate cancels as in 1-D", simplify=rational),
        domains=ON_UNIT)


def _marginal_in_two_dims() -> Chain:
    """The marginal continuity equation in two dimensions over n (symbolic) data points."""
    X2 = sp.IndexedBase("X", real=True)  # X2[i, c]: coordinate c of the data point x^(i)
    x1c, x2c = sp.symbols("xi_1 xi_2", real=True)
    p_i = component(x1c, X2[i, 1]) * component(x2c, X2[i, 2])
    v1, v2 = (X2[i, 1] - x1c) / S, (X2[i, 2] - x2c) / S
    P = sp.Sum(p_i, (i, 1, n)) / n
    Z = sp.Sum(p_i, (i, 1, n))
    V1, V2 = sp.Sum(p_i / Z * v1, (i, 1, n)), sp.Sum(p_i / Z * v2, (i, 1, n))
    flux1, flux2 = sp.Sum(p_i * v1, (i, 1, n)) / n, sp.Sum(p_i * v2, (i, 1, n)) / n
    return derive(
        "(3) marginal path in $d = 2$ over $n$ points",
        sp.Derivative(P, t) + sp.Derivative(P * V1, x1c) + sp.Derivative(P * V2, x2c),
        Step(sp.Derivative(P, t) + sp.Derivative(flux1, x1c) + sp.Derivative(flux2, x2c),
             "posterior weights: $p_t$ cancels in $p_t v_t$", simplify=pull_out_of_sums),
        Step(sp.Sum(sp.Derivative(p_i, t) + sp.Derivative(p_i * v1, x1c) + sp.Derivative(p_i * v2, x2c), (i, 1, n)) / n,
             "differentiate term by term", simplify=derivatives_into_sums),
        Step(sp.Sum(0, (i, 1, n)) / n, "each term is the conditional case", simplify=termwise(p_i)),
        (sp.S(0), "a sum of zeros"),
        domains=ON_UNIT)


# =========================================================================== 9g


def training_target() -> tuple[Chain, ...]:
    """The regression target along a line, and the split of the squared error around :math:`v_t`."""
    identity = derive(
        "the regression target along a line",
        (x_1 - X_T) / (1 - t),
        (REGRESSION_TARGET, "$x_t = (1-t)x_0 + t x_1$: the factor $1-t$ cancels"),
        domains=ON_UNIT)
    split = derive(
        "squared error splits around the conditional mean $v_t$",
        (v_theta - (x_1 - x_0)) ** 2,
        ((v_theta - v_star) ** 2 + 2 * (v_theta - v_star) * (v_star - (x_1 - x_0)) + (v_star - (x_1 - x_0)) ** 2,
         "add and subtract $v_t$"))
    return identity, split


# =========================================================================== 9h


def last_euler_step() -> tuple[Chain, ...]:
    """The last Euler step of the exact field lands on the posterior mean :math:`y`."""
    last = derive(
        "the last Euler step of the exact field lands on the posterior mean",
        x + (1 - t) * (y - x) / (1 - t),
        (y, r"$v = (E[x_1 \mid x, t] - x)/(1-t)$ with $y = E[x_1 \mid x, t]$"),
        domains=ON_UNIT)
    return (last,)
