"""The derivation chains of Questions 1 and 2, one function per chain (or per group of a part).

Every chain that concludes a boxed answer is general: n, d, k are symbols, a point of
:math:`\\mathbb{R}^d` is written by its coordinates, and what the question leaves arbitrary (an
autoregressive model's conditionals, a flow's map, a VAE's decoder) is an undefined function. A
chain on an instance is titled as an illustration. Titles and reasons are LaTeX prose.
"""

from __future__ import annotations

import sympy as sp

from derivations import theorems
from derivations.chain import Chain, Step, derive
from derivations.symbolic import GaussianDensity, Sigmoid, hints
from derivations.symbolic.integrals import VectorIntegral
from derivations.warmup.symbols import (ABAR, AR_DENSITY, COUNTS, DIFFUSION_DOMAINS, FITTED, FLOW_DENSITY,
                                        FLOW_LOG_DENSITY, KDE_DENSITY, LOG_LIKELIHOOD, LOGISTIC_PMF, LOGIT,
                                        MIXTURE_DENSITY, SINH_DENSITY_FORM, SINH_INVERSE, THETA_HAT, VAE_MARGINAL,
                                        B, K, N, a_noise, base_density, before, component, d, data,
                                        g_inv, h, i, j, k, kde_kernel, label, lam, latent, means, mu_data, n, n1,
                                        n1_of_n, on_real_line, p, p_theta, p_theta_cond, prob, s, s2_data, sds,
                                        t, theta, u, w_mix, weights, x, y1, y2, z)

# --------------------------------------------------------------------------- densities through a latent label


def marginal_chain(title: str, density, conditional, prior, variable, over, end, reason: str, *,
                   dim=None) -> Chain:
    """:math:`p(x) = \\sum_z p(z)\\, p(x \\mid z)` (or the integral over :math:`\\mathbb{R}^k`): the density of
    a point drawn in two stages, by the law of total probability, in one step."""
    cite = theorems.total_probability(density, conditional, prior, variable, over=over, dim=dim,
                                      hint=hints.tidy_sums)
    return derive(title, density(x), Step(end, reason, cite=cite, simplify=hints.tidy_sums))


def normalisation_chain(title: str, density, factorised, label_sum, total, weights_cite=None) -> Chain:
    """:math:`\\int_{\\mathbb{R}^d} p(x)\\,dx`: linearity, the Gaussian kernel as a product over the d
    coordinates, Fubini, one-dimensional Gaussian integrals; ``weights_cite`` (if any) sums the weights."""
    steps = [Step(factorised(lambda c: VectorIntegral(sp.Product(c(x[j]), (j, 1, d)), x, d)),
                  r"linearity; $\mathcal{N}(x; m, v I) = \prod_{j=1}^d \mathcal{N}(x_j; m_j, v)$",
                  simplify=hints.vector_integrals),
             Step(factorised(lambda c: sp.Product(sp.Integral(c(u), (u, -sp.oo, sp.oo)), (j, 1, d))),
                  r"each factor depends on one coordinate (Fubini's theorem)", cite=theorems.fubini(u)),
             Step(label_sum, "each one-dimensional Gaussian density integrates to 1", simplify=on_real_line)]
    if weights_cite is not None:
        steps.append(Step(total, "the weights are the distribution of the label", cite=weights_cite))
    return derive(title, VectorIntegral(density, x, d), *steps)


#: Titles of the chains that conclude the boxed densities.
KDE_TITLE = r"the estimate as a two-stage draw: a data point chosen uniformly, then its kernel"
KDE_SAMPLER_TITLE = (r"density of $x^{(I)} + h\varepsilon$, $I$ uniform on $\{1, \ldots, n\}$, "
                     r"$\varepsilon \sim \mathcal{N}(0, I)$")
MIXTURE_TITLE = r"the mixture density: total probability over the component $z$"
MIXTURE_SAMPLER_TITLE = r"density of $x$ drawn from $\mathcal{N}(\mu_z, \sigma_z^2 I)$ after $z$ with probability $p_z$"


def kde_marginal(title: str, density=p) -> Chain:
    """:math:`\\hat p(x) = \\sum_i \\frac1n \\mathcal{N}(x; x^{(i)}, h^2 I)`."""
    return marginal_chain(title, density, lambda v, c: kde_kernel(v, c), lambda c: 1 / n, i, (1, n), KDE_DENSITY,
                          r"the law of total probability over the index, $P(I = i) = 1/n$")


def kde_normalisation() -> Chain:
    """:math:`\\int \\hat p = 1` for symbolic n and d."""
    def factorised(inner):
        return sp.Sum(inner(lambda c: GaussianDensity(c, data[i, j], h**2)), (i, 1, n)) / n
    return normalisation_chain(r"$\hat p$ integrates to 1 over $\mathbb{R}^d$", KDE_DENSITY, factorised,
                               sp.S(1), sp.S(1))


def mixture_marginal(title: str) -> Chain:
    """:math:`p(x) = \\sum_z p_z\\, \\mathcal{N}(x; \\mu_z, \\sigma_z^2 I)`."""
    return marginal_chain(title, p, lambda v, c: component(v, c), lambda c: weights[c], z, (1, k), MIXTURE_DENSITY,
                          r"the law of total probability over the label, $P(z) = p_z$")


def mixture_normalisation() -> Chain:
    """:math:`\\int p = \\sum_z p_z = 1` for symbolic k and d."""
    def factorised(inner):
        return sp.Sum(weights[z] * inner(lambda c: GaussianDensity(c, means[z, j], sds[z] ** 2)), (z, 1, k))
    return normalisation_chain(r"the mixture integrates to 1 over $\mathbb{R}^d$", MIXTURE_DENSITY, factorised,
                               sp.Sum(weights[z], (z, 1, k)), sp.S(1),
                               weights_cite=theorems.normalisation(weights, (1, k)))


# --------------------------------------------------------------------------- 1a.ii / 1b.ii  autoregressive

AR_TITLE = r"the chain rule of probability, for $d$ coordinates"
AR_SAMPLER_TITLE = r"probability that ancestral sampling outputs $x$"


def autoregressive_chains() -> tuple[Chain, Chain]:
    """The joint as the product of the conditionals; summing out the last coordinate removes its
    conditional (the induction step of the normalisation), for symbolic d, K and any conditionals."""
    factorise = derive(AR_TITLE, p_theta(x),
                       Step(AR_DENSITY, "the chain rule of probability, for any joint distribution",
                            cite=theorems.chain_rule(p_theta, p_theta_cond, x, d)))
    first = sp.Product(p_theta_cond(x[i], before[i]), (i, 1, k - 1))
    last = p_theta_cond(x[k], before[k])
    sum_out = derive(r"summing out the last coordinate $x_k$ removes its conditional",
                     sp.Sum(first * last, (x[k], 1, K)),
                     (first * sp.Sum(last, (x[k], 1, K)), r"only the last factor depends on $x_k$"),
                     Step(first, r"a conditional sums to 1 over its $K$ values",
                          cite=theorems.normalisation(p_theta_cond, (1, K))))
    return factorise, sum_out


def ancestral_sampling_chain() -> Chain:
    """Inverse-CDF draws with independent uniforms output x with probability prod_i p(x_i | x_<i)."""
    v = sp.Symbol("v", integer=True, positive=True)

    def cdf(top):  # F_i(top) = sum_{v <= top} p(v | x_<i)
        return sp.Sum(p_theta_cond(v, before[i]), (v, 1, top))
    return derive(AR_SAMPLER_TITLE,
                  sp.Product(sp.Integral(1, (u, cdf(x[i] - 1), cdf(x[i]))), (i, 1, d)),
                  Step(sp.Product(cdf(x[i]) - cdf(x[i] - 1), (i, 1, d)), "length of each interval",
                       simplify=lambda e: e.replace(lambda q: isinstance(q, sp.Integral), lambda q: q.doit())),
                  Step(AR_DENSITY, "the two sums differ by their last term", simplify=hints.peel_last))


# --------------------------------------------------------------------------- 1a.iv / 1b.iv  normalizing flow

FLOW_TITLE = r"log-density of $x = g(z)$, $z \sim \mathcal{N}(0, I)$, $g$ invertible"
FLOW_SAMPLER_TITLE = r"density of the output $g(z)$, $z \sim \mathcal{N}(0, I)$"


def _flow_cite():
    return theorems.change_of_variables(p, base_density, g_inv, x)


def flow_log_density_chain() -> Chain:
    """:math:`\\log p(x) = \\log \\mathcal{N}(g^{-1}(x); 0, I) + \\log|\\det J_{g^{-1}}(x)|` for an arbitrary g."""
    return derive(FLOW_TITLE, sp.log(p(x)),
                  Step(sp.log(FLOW_DENSITY), r"the change-of-variables formula, $z = g^{-1}(x)$", cite=_flow_cite()),
                  Step(FLOW_LOG_DENSITY, "the log of a product", simplify=hints.expand_logs))


def flow_sampler_chain() -> Chain:
    """The density of g(z) is the flow's density of 1a.iv."""
    return derive(FLOW_SAMPLER_TITLE, p(x),
                  Step(FLOW_DENSITY, r"the change-of-variables formula, $z = g^{-1}(x)$", cite=_flow_cite()))


def sinh_flow_chain() -> Chain:
    """Illustration: the density of sinh(az + b) from its CDF, without the theorem."""
    v = sp.Symbol("t", real=True)
    cdf = sp.Integral(GaussianDensity(v, 0, 1), (v, -sp.oo, SINH_INVERSE))  # P(z <= g^{-1}(x))
    return derive(r"the density of $x = \sinh(az + b)$ as the derivative of its CDF $P(z \le g^{-1}(x))$",
                  sp.Derivative(cdf, s),
                  Step(GaussianDensity(SINH_INVERSE, 0, 1) * sp.Derivative(SINH_INVERSE, s),
                       "fundamental theorem of calculus, chain rule", simplify=hints.evaluate_derivatives),
                  (SINH_DENSITY_FORM, r"$\frac{d}{dx}\operatorname{asinh} x = 1/\sqrt{1+x^2}$"),
                  scope="instance: d = 1, g(z) = sinh(az + b)")


# --------------------------------------------------------------------------- 1b.v  VAE

VAE_SAMPLER_TITLE = r"density of $x \sim p_\theta(x \mid z)$ after $z \sim \mathcal{N}(0, I)$"


def vae_sampler_chain() -> Chain:
    """:math:`p(x) = \\int p_\\theta(x \\mid z)\\, \\mathcal{N}(z; 0, I)\\, dz` over :math:`\\mathbb{R}^k`."""
    return marginal_chain(VAE_SAMPLER_TITLE, p, p_theta_cond, lambda c: GaussianDensity(c, 0, 1, k), latent, None,
                          VAE_MARGINAL, r"the law of total probability over the latent $z \in \mathbb{R}^k$", dim=k)


# --------------------------------------------------------------------------- 1a.vi / 1b.vi  diffusion


def _differentiate(expr):
    """Carry out derivatives with densities kept unevaluated (their derivative is known), then cancel:
    the Gaussian densities of a mixture's score stay atoms of a rational function."""
    return sp.cancel(expr.replace(lambda e: isinstance(e, sp.Derivative), lambda d_: d_.expr.diff(*d_.variable_count)))


def diffusion_chains() -> tuple[Chain, Chain, Chain]:
    """Continuity equation of the probability flow; instantaneous change of variables; the score of
    a diffused two-point mixture."""
    xs = s
    var = ABAR * s2_data + 1 - ABAR
    p_t = GaussianDensity(xs, sp.sqrt(ABAR) * mu_data, var)
    f = -sp.Derivative(B, t) / 2 * (xs + sp.diff(sp.log(p_t), xs))
    written = p_t.doit()
    continuity = derive("the probability-flow field transports each Gaussian component",
                        sp.Derivative(p_t, t) + sp.Derivative(f * p_t, xs),
                        Step(sp.S(0), "$p_t$ and $f$ above; $fp$ is linear in $p$",
                             simplify=lambda e: sp.cancel(sp.expand(e.doit() / written))))
    P, F = sp.Function("p")(xs, t), sp.Function("f")(xs, t)
    icov = derive(r"$d \log p_t(x_t)/dt$ along the flow, using the continuity equation",
                  -sp.Derivative(F * P, xs) / P + F * sp.Derivative(sp.log(P), xs),
                  (-sp.Derivative(F, xs), "product rule"))
    a, w = a_noise, w_mix
    K1, K2 = GaussianDensity(xs, sp.sqrt(a) * y1, 1 - a), GaussianDensity(xs, sp.sqrt(a) * y2, 1 - a)
    mix = w * K1 + (1 - w) * K2
    r1 = w * K1 / mix  # posterior probability of y_1 given x
    mean = y2 + (y1 - y2) * r1
    score = derive("score of the diffused two-point mixture (1-D)", sp.Derivative(sp.log(mix), xs),
                   Step(-(xs - sp.sqrt(a) * mean) / (1 - a), "posterior mean of $y$ given $x$",
                        simplify=_differentiate), domains=DIFFUSION_DOMAINS)
    return continuity, icov, score


# --------------------------------------------------------------------------- 2a / 2b  logistic regression

LOGISTIC_TITLE = r"probability that the threshold draw outputs $y \in \{0, 1\}$"
#: The chains of 2b that conclude the boxed quantities.
THETA_TITLE = r"the root of the score: $\sigma(\hat\theta) = n_1/n$ gives $e^{-\hat\theta} = n/n_1 - 1$"
ROOT_TITLE = r"the fitted probability at the root"
LIMIT_TITLE = r"the limit of the fitted probability"


def logistic_threshold_chain() -> Chain:
    """:math:`P(U < q)^y P(U \\ge q)^{1-y} = q^y (1-q)^{1-y}` at :math:`q = \\sigma(\\theta^\\top x)`."""
    q = Sigmoid(LOGIT)
    return derive(LOGISTIC_TITLE,
                  sp.Integral(1, (u, 0, q)) ** label * sp.Integral(1, (u, q, 1)) ** (1 - label),
                  Step(LOGISTIC_PMF, r"$U \sim \mathcal{U}(0, 1)$ falls below $q$ with probability $q$",
                       simplify=lambda e: e.replace(lambda a: isinstance(a, sp.Integral), lambda a: a.doit())))


def constant_input_chains() -> tuple[Chain, ...]:
    """The fit at a constant input: the (penalised) score, concavity, the root, the fitted
    probability, its limit."""
    score = derive(r"derivative of the log-likelihood with an $L_2$ penalty ($\lambda \ge 0$; $x^{(i)} = 1$)",
                   sp.Derivative(LOG_LIKELIHOOD - lam * theta**2 / 2, theta),
                   (n1 * (1 - Sigmoid(theta)) - (N - n1) * Sigmoid(theta) - lam * theta,
                    r"$\sigma' = \sigma(1-\sigma)$"),
                   (n1 - N * Sigmoid(theta) - lam * theta, "collect terms"))
    concave = derive("the second derivative is negative: one maximum",
                     sp.Derivative(n1 - N * Sigmoid(theta) - lam * theta, theta),
                     (-N * sp.exp(-theta) / (1 + sp.exp(-theta)) ** 2 - lam, "differentiate"),
                     (sp.S(0), "every term is negative", "<="))
    def odds(e):  # log(n/n_1 - 1) = log(n - n_1) - log(n_1): 0 < n_1 < n
        return hints.expand_logs(e.replace(lambda q: isinstance(q, sp.log), lambda q: sp.log(sp.together(q.args[0]))))
    root = derive(THETA_TITLE, -sp.log(N / n1 - 1),
                  Step(THETA_HAT, r"$\log$ of a ratio ($0 < n_1 < n$)", simplify=odds), domains=COUNTS)
    fitted = derive(ROOT_TITLE, Sigmoid(THETA_HAT), (FITTED, r"$\sigma$ inverts the logit"), domains=COUNTS)

    def limit_arguments(e):
        return e.replace(lambda q: isinstance(q, sp.Limit),
                         lambda q: sp.Limit(sp.cancel(hints.explicit(q.args[0])), *q.args[1:]))
    limit = derive(LIMIT_TITLE, sp.Limit(Sigmoid(sp.log(n1_of_n / (N - n1_of_n))), N, sp.oo),
                   Step(sp.Limit(n1_of_n / N, N, sp.oo), r"$\sigma$ inverts the logit", simplify=limit_arguments),
                   Step(prob, r"the strong law of large numbers: $n_1/n$ is the mean of $n$ labels",
                        cite=theorems.large_numbers(n1_of_n / N, prob, N)))
    return score, concave, root, fitted, limit
