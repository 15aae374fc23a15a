"""The derivation chains of Questions 1 and 2, one function per chain (or per group of a part).

Most chains are one-dimensional instances of the families (three data points, three components,
a two-point data set): each title says so. Titles and reasons are LaTeX prose.
"""

from __future__ import annotations

import sympy as sp
from sympy.stats import Normal, variance

from derivations.chain import Chain, Step, derive
from derivations.symbolic import UNIT, GaussianDensity, Sigmoid, hints, normal_pdf
from derivations.warmup.symbols import (ABAR, AR_Q, AR_X, COUNTS, DIFFUSION_DOMAINS, FITTED, LOG_LIKELIHOOD,
                                        SINH_DENSITY, SINH_INVERSE, THETA_HAT, B, a_noise, b_v,
                                        bernoulli, epsilon, mu_data, n, n1, p, s2_data, s2_v, sinh_map,
                                        std_normal_cdf, t, theta, w_mix, w_v, x, y1, y2, z)

# --------------------------------------------------------------------------- mixtures of 1-D Gaussians


def mixture_normalisation_chain(title: str, weights, means, sds) -> Chain:
    """:math:`\\sum_k w_k \\int \\mathcal{N}(x; m_k, s_k^2)\\,dx = \\sum_k w_k = 1` (1-D).

    The chain starts after the integral of the sum has been split into the sum of integrals
    (linearity): SymPy integrates each Gaussian in a fraction of a second, the sum only slowly.
    """
    line = (x, -sp.oo, sp.oo)
    return derive(title,
                  sum(w * sp.Integral(normal_pdf(x, m, s**2), line) for w, m, s in zip(weights, means, sds)),
                  (sp.Add(*weights, evaluate=False), "each Gaussian kernel integrates to 1"),
                  (sp.S(1), "the weights sum to 1"),
                  domains={w: UNIT for w in weights if isinstance(w, sp.Symbol)})


def mixture_sampling_chain(title: str, weights, means, sds) -> Chain:
    """Density of "pick k with probability w_k, add N(0, s_k^2) to m_k": differentiate its CDF."""
    v = sp.Symbol("v", real=True)
    cdf = sum(w * std_normal_cdf((v - m) / s) for w, m, s in zip(weights, means, sds))
    return derive(title, sp.Derivative(cdf, v),
                  (sum(w * normal_pdf((v - m) / s, 0, 1) / s for w, m, s in zip(weights, means, sds)),
                   "differentiate the CDF term by term"),
                  (sum(w * normal_pdf(v, m, s**2) for w, m, s in zip(weights, means, sds)),
                   "each term is a Gaussian density"))


def bernoulli_threshold_chain(title: str, q) -> Chain:
    """:math:`P(U < q) = q` for :math:`U \\sim \\mathrm{Unif}(0,1)`: the threshold draw is Bernoulli(q)."""
    u = sp.Symbol("u", real=True)
    return derive(title, sp.Integral(1, (u, 0, q)), (q, "length of the interval $[0, q]$"))


# --------------------------------------------------------------------------- 1a.i  KDE


def kde_whitening_chain() -> Chain:
    """:math:`\\log \\mathcal{N}(x; y, LL^\\top)` is a unit Gaussian of :math:`L^{-1}(x - y)` minus
    :math:`\\log\\det L` (two dimensions, L lower triangular)."""
    l11, l22, l21 = sp.Symbol("l_11", positive=True), sp.Symbol("l_22", positive=True), sp.Symbol("l_21", real=True)
    x1, x2, m1, m2 = sp.symbols("x_1 x_2 y_1 y_2", real=True)  # a point and a kernel centre
    L = sp.Matrix([[l11, 0], [l21, l22]])
    r = sp.Matrix([x1 - m1, x2 - m2])
    H = L * L.T
    white = L.inv() * r
    return derive(r"a kernel with bandwidth $H = LL^\top$ is a whitened unit kernel",
                  -(r.T * H.inv() * r)[0] / 2 - sp.log(2 * sp.pi) - sp.log(H.det()) / 2,
                  Step(-(white.T * white)[0] / 2 - sp.log(2 * sp.pi) - sp.log(l11 * l22),
                       r"$\operatorname{det} H = (\operatorname{det} L)^2$, $H^{-1} = L^{-T}L^{-1}$",
                       simplify=hints.expand_logs))


# --------------------------------------------------------------------------- 1a.ii / 1b.ii  autoregressive


def autoregressive_chains() -> tuple[Chain, Chain]:
    """The chain-rule product sums to one; the joint's conditionals are the model's conditionals."""
    (x1, x2, x3), (q1, q2, q3) = AR_X, AR_Q
    B1, B2, B3 = bernoulli(x1, q1), bernoulli(x2, q2), bernoulli(x3, q3)
    total = derive("the chain-rule product sums to 1 (three binary coordinates)",
                   sp.Sum(B1 * B2 * B3, (x3, 0, 1), (x2, 0, 1), (x1, 0, 1)),
                   (sp.Sum(B1 * B2, (x2, 0, 1), (x1, 0, 1)), "the last conditional sums to 1 over $x_3$"),
                   (sp.Sum(B1, (x1, 0, 1)), "then the middle one over $x_2$"),
                   (sp.S(1), "and the first over $x_1$"))
    consistent = derive("the joint's conditional of $x_2$ given $x_1$ is the model's $q_2$",
                        B1 * B2 / sp.Sum(B1 * B2, (x2, 0, 1)),
                        (B2, "Bayes: divide by the marginal of $x_1$"))
    return total, consistent


def ancestral_sampling_chain() -> Chain:
    """Thresholding independent uniforms at the conditionals outputs x with probability p(x)."""
    (x1, x2, x3), (q1, q2, q3) = AR_X, AR_Q
    u = sp.Symbol("u", real=True)
    coin = lambda value, q: sp.Integral(1, (u, 0, q)) ** value * sp.Integral(1, (u, q, 1)) ** (1 - value)  # noqa: E731
    return derive("probability that ancestral sampling outputs $(x_1, x_2, x_3)$",
                  coin(x1, q1) * coin(x2, q2) * coin(x3, q3),
                  (bernoulli(x1, q1) * bernoulli(x2, q2) * bernoulli(x3, q3),
                   "$P(U < q) = q$ for independent uniforms"))


# --------------------------------------------------------------------------- 1a.iv / 1b.iv  normalizing flow


def flow_change_of_variables_chain() -> Chain:
    """p_X(x) = d/dx Phi(g^{-1}(x)) = phi(g^{-1}(x)) / g'(g^{-1}(x)) for the sinh map."""
    g_prime = sp.diff(sinh_map(z), z)
    phi = normal_pdf(SINH_INVERSE, 0, 1)
    return derive(r"density of $x = \sinh(az + b)$, $z \sim \mathcal{N}(0, 1)$, from its CDF",
                  sp.Derivative(std_normal_cdf(SINH_INVERSE), x),
                  (phi * sp.Derivative(SINH_INVERSE, x), r"chain rule: $\Phi' = \phi$"),
                  (phi / g_prime.subs(z, SINH_INVERSE), "inverse function rule"),
                  (SINH_DENSITY, r"$\operatorname{cosh}(\operatorname{asinh} x) = \sqrt{1+x^2}$"))


def flow_log_det_chain() -> Chain:
    """log-derivatives of a composition add: the 1-D form of adding the layers' log-determinants."""
    f1, f2 = sp.Function("f_1"), sp.Function("f_2")
    composite = sp.Derivative(f2(f1(x)), x)
    return derive("log-derivative of a composition of two layers",
                  sp.log(composite),
                  Step(sp.log(sp.Subs(sp.Derivative(f2(z), z), z, f1(x)) * sp.Derivative(f1(x), x)),
                       "chain rule", simplify=lambda e: hints.expand_logs(e.doit())),
                  Step(sp.log(sp.Subs(sp.Derivative(f2(z), z), z, f1(x))) + sp.log(sp.Derivative(f1(x), x)),
                       "the log of a product is a sum", simplify=hints.expand_logs))


def flow_inverse_chain() -> Chain:
    """:math:`g(g^{-1}(x)) = x` for the sinh map."""
    return derive("pushing forward undoes pulling back: $g(g^{-1}(x)) = x$",
                  sinh_map(SINH_INVERSE), (x, r"$\operatorname{sinh}(\operatorname{asinh} x) = x$"))


# --------------------------------------------------------------------------- 1b.v  VAE


def vae_variance_chain() -> Chain:
    """Var(wZ + b + sigma N) = w^2 + sigma^2: the 1-D marginal of the linear-Gaussian decoder."""
    Z, N = Normal("Z", 0, 1), Normal("N", 0, 1)
    return derive(r"variance of $wZ + b + \sigma N$, $Z$ and $N$ independent standard normals",
                  variance(w_v * Z + b_v + sp.sqrt(s2_v) * N), (w_v**2 + s2_v, "independent variances add"))


# --------------------------------------------------------------------------- 1a.vi / 1b.vi  diffusion


def _differentiate(expr):
    """Carry out derivatives with densities kept unevaluated (their derivative is known), then cancel:
    the Gaussian densities of a mixture's score stay atoms of a rational function."""
    return sp.cancel(expr.replace(lambda e: isinstance(e, sp.Derivative), lambda d: d.expr.diff(*d.variable_count)))


def diffusion_chains() -> tuple[Chain, Chain, Chain, Chain]:
    """Continuity equation of the probability flow; instantaneous change of variables; the score of
    a diffused two-point mixture and its divergence."""
    var = ABAR * s2_data + 1 - ABAR
    p_t = GaussianDensity(x, sp.sqrt(ABAR) * mu_data, var)
    f = -sp.Derivative(B, t) / 2 * (x + sp.diff(sp.log(p_t), x))
    written = p_t.doit()
    continuity = derive("the probability-flow field transports each Gaussian component",
                        sp.Derivative(p_t, t) + sp.Derivative(f * p_t, x),
                        Step(sp.S(0), "$p_t$ and $f$ above; $fp$ is linear in $p$",
                             simplify=lambda e: sp.cancel(sp.expand(e.doit() / written))))
    P, F = sp.Function("p")(x, t), sp.Function("f")(x, t)
    icov = derive(r"$d \log p_t(x_t)/dt$ along the flow, using the continuity equation",
                  -sp.Derivative(F * P, x) / P + F * sp.Derivative(sp.log(P), x),
                  (-sp.Derivative(F, x), "product rule"))
    a, w = a_noise, w_mix
    K1, K2 = GaussianDensity(x, sp.sqrt(a) * y1, 1 - a), GaussianDensity(x, sp.sqrt(a) * y2, 1 - a)
    mix = w * K1 + (1 - w) * K2
    r1 = w * K1 / mix  # posterior probability of y_1 given x
    mean = y2 + (y1 - y2) * r1
    var_post = (y1 - y2) ** 2 * r1 * (1 - r1)
    score = derive("score of the diffused two-point mixture (1-D)", sp.Derivative(sp.log(mix), x),
                   Step(-(x - sp.sqrt(a) * mean) / (1 - a), "posterior mean of $y$ given $x$",
                        simplify=_differentiate), domains=DIFFUSION_DOMAINS)
    div = derive("its divergence: the exact trace", sp.Derivative(-(x - sp.sqrt(a) * mean) / (1 - a), x),
                 Step(-1 / (1 - a) + a * var_post / (1 - a) ** 2, "posterior variance of $y$ given $x$",
                      simplify=_differentiate), domains=DIFFUSION_DOMAINS)
    return continuity, icov, score, div


# --------------------------------------------------------------------------- 2a / 2b  logistic regression

#: The chain of 2b that concludes the fitted probability.
ROOT_TITLE = r"the stationary point $\hat\theta = \log(n_1/(n - n_1))$ gives $\sigma(\hat\theta) = n_1/n$"


def logistic_threshold_chain() -> Chain:
    """Thresholding a uniform at :math:`\\sigma(\\theta^\\top x)` (written as one product) draws Y."""
    theta_vec, x_vec = sp.Symbol("theta", real=True), sp.Symbol("x", real=True)
    return bernoulli_threshold_chain(r"$P(U < \sigma(\theta^\top x))$ for $U \sim \mathcal{U}(0, 1)$",
                                     Sigmoid(theta_vec * x_vec))


def constant_input_chains() -> tuple[Chain, ...]:
    """The MLE at a constant input: score, concavity, the root, its limit, and the degenerate p = 1."""
    score = derive(r"derivative of the log-likelihood ($x^{(i)} = 1$ for every example)",
                   sp.Derivative(LOG_LIKELIHOOD, theta),
                   (n1 * (1 - Sigmoid(theta)) - (n - n1) * Sigmoid(theta), r"$\sigma' = \sigma(1-\sigma)$"),
                   (n1 - n * Sigmoid(theta), "collect terms"))
    concave = derive("the second derivative is negative: one maximum", sp.Derivative(n1 - n * Sigmoid(theta), theta),
                     (-n * sp.exp(-theta) / (1 + sp.exp(-theta)) ** 2, "differentiate"),
                     (sp.S(0), "every factor is positive", "<="))
    root = derive(ROOT_TITLE, Sigmoid(THETA_HAT), (FITTED, r"$\sigma$ inverts the logit"), domains=COUNTS)
    limit = derive(r"Chebyshev bound on $P(\lvert n_1/n - p\rvert > \epsilon)$ vanishes",
                   sp.Limit(p * (1 - p) / (n * epsilon**2), n, sp.oo),
                   (sp.S(0), "the variance $p(1-p)/n$ tends to 0"), domains={p: UNIT})
    all_ones = derive(r"$p = 1$: the log-likelihood increases in $\theta$",
                      sp.Derivative(n * sp.log(Sigmoid(theta)), theta),
                      (n * sp.exp(-theta) / (1 + sp.exp(-theta)), "differentiate"),
                      (sp.S(0), r"positive for every finite $\theta$", ">="))
    supremum = derive(r"$p = 1$: the supremum 0 is approached only as $\theta$ grows",
                      sp.Limit(n * sp.log(Sigmoid(theta)), theta, sp.oo), (sp.S(0), r"$\sigma(\theta) \to 1$"))
    return score, concave, root, limit, all_ones, supremum
