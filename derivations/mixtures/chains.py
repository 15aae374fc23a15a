r"""The derivation chains of questions 4-7 (one builder per part group).

Every step is verified symbolically: sums with symbolic bounds by the toolkit's ``sum_hint`` (finite
sums split, constants pulled out, bound indices renamed canonically), logarithms by ``expand_logs``.
"""

from __future__ import annotations

import sympy as sp

from derivations.chain import Step, derive
from derivations.mixtures.symbols import (MEAN_HAT, N_SUM, D, Q, d, i, j, k, lam, mu, mu0, n, over_data, p_z,
                                          s0, var, x, xs, y, z)
from derivations.symbolic import UNIT, Sigmoid, normal_pdf
from derivations.symbolic.hints import evaluate_derivatives, expand_logs, sum_hint, swap_sums, tidy_sums


def swap_hint(expr):
    """:func:`~derivations.symbolic.hints.sum_hint` after putting nested sums in one canonical order."""
    return sp.cancel(tidy_sums(swap_sums(evaluate_derivatives(expr))))


def _at_distance(variance):
    r""":math:`\mathcal N` at squared distance :math:`D` from its mean: :math:`(2\pi v)^{-d/2}e^{-D/(2v)}`."""
    return normal_pdf(sp.sqrt(D), 0, variance, dim=d)


# =========================================================================== question 6


def m_step_chains():
    """The M-step: the ELBO's terms of one component, the weights by a Lagrange multiplier, the
    stationary points in the mean and the variance, and why they are the global maximum."""
    s = var
    F = over_data(Q[z, i] * (sp.log(p_z) - d / 2 * sp.log(2 * sp.pi * s) - (x[i] - mu) ** 2 / (2 * s)))
    one = derive(
        "log of one weighted spherical Gaussian",
        sp.log(p_z * normal_pdf(x[i], mu, s, dim=d)),
        Step(sp.log(p_z) - d / 2 * sp.log(2 * sp.pi * s) - (x[i] - mu) ** 2 / (2 * s),
             "log of a product; $d$ coordinates", simplify=expand_logs),
    )
    decomposition = derive(
        "the ELBO terms of component $z$",
        F,
        Step(N_SUM * sp.log(p_z) - d * N_SUM / 2 * sp.log(2 * sp.pi * s)
             - (over_data(Q[z, i] * (x[i] - MEAN_HAT) ** 2) + N_SUM * (mu - MEAN_HAT) ** 2) / (2 * s),
             r"split $x^{(i)}-\mu_z$ at the weighted mean", simplify=sum_hint),
    )
    # weights: Lagrangian of sum_z N_z log p_z under sum_z p_z = 1
    p, N, u = sp.IndexedBase("p", positive=True), sp.IndexedBase("N", positive=True), sp.IndexedBase("u", positive=True)
    lagrangian = sp.Sum(N[y] * sp.log(p[y]), (y, 1, k)) + lam * (1 - sp.Sum(p[y], (y, 1, k)))
    stationary_p = derive(
        "Lagrange stationarity in the weights",
        sp.Derivative(lagrangian, p[z]),
        Step(N[z] / p[z] - lam, r"only the $y=z$ terms hold $p_z$ ($z\le k$)",
             simplify=lambda e: sp.refine(sp.simplify(e.doit()), sp.Q.le(z, k))),
    )
    q_row = u[z, i] / sp.Sum(u[y, i], (y, 1, k))  # any Q whose rows sum to 1
    multiplier = derive(
        "the multiplier equals the number of points",
        sp.Sum(sp.Sum(q_row, (i, 1, n)), (z, 1, k)),
        Step(sp.Sum(sp.Sum(q_row, (z, 1, k)), (i, 1, n)), "finite sums commute", simplify=swap_hint),
        Step(sp.Sum(1, (i, 1, n)), r"each row of $Q$ sums to 1", simplify=sum_hint),
        (n, "count the data points"),
    )
    weight_concave = derive(
        "the weight objective is concave",
        sp.Derivative(N[z] * sp.log(p[z]), p[z], 2),
        (-N[z] / p[z] ** 2, "differentiate twice"),
        (sp.S(0), r"$N_z > 0$", "<="),
    )
    stationary_mu = derive(
        r"gradient in $\mu_z$",
        sp.Derivative(F, mu),
        Step(over_data(Q[z, i] * (x[i] - mu)) / s, r"$\partial_\mu (x-\mu)^2 = -2(x-\mu)$", simplify=sum_hint),
        Step((over_data(Q[z, i] * x[i]) - mu * N_SUM) / s, "linearity of the sum", simplify=sum_hint),
    )
    zero_mu = derive(
        "its numerator vanishes at the weighted mean",
        sp.Subs(over_data(Q[z, i] * x[i]) - mu * N_SUM, mu, MEAN_HAT),
        (sp.S(0), r"definition of $\hat\mu_z$"),
    )
    s_of_mu = over_data(Q[z, i] * (x[i] - mu) ** 2) / (d * N_SUM)
    stationary_var = derive(
        r"derivative in $\sigma_z^2$",
        sp.Derivative(F, s),
        Step((over_data(Q[z, i] * (x[i] - mu) ** 2) - d * s * N_SUM) / (2 * s ** 2),
             r"$\partial_s[-\frac d2\log s - \frac{D}{2s}]$, summed", simplify=sum_hint),
    )
    zero_var = derive(
        "its numerator vanishes at the weighted mean square",
        sp.Subs(over_data(Q[z, i] * (x[i] - mu) ** 2) - d * s * N_SUM, s, s_of_mu),
        (sp.S(0), r"definition of $\hat\sigma_z^2$ (any $\mu_z$; the M-step uses $\hat\mu_z$)"),
    )
    # global maximum: with N = N_z, m = muhat_z, v = sigmahat_z^2 the objective of component z is G
    Nz, v, tau = sp.symbols("N_z sigmahat_z^2 tau", positive=True)
    m = sp.Symbol("muhat_z", real=True)

    def G(mean, variance):
        return Nz * sp.log(p_z) - d * Nz / 2 * sp.log(2 * sp.pi * variance) \
            - Nz * (d * v + (mean - m) ** 2) / (2 * variance)

    best_mean = derive(
        "for every variance the weighted mean is best",
        G(mu, s),
        Step(G(m, s), r"drop $-N_z(\mu_z-\hat\mu_z)^2/(2\sigma_z^2)\le 0$", "<=",
             simplify=lambda e: sp.factor(sp.together(e))),
    )
    precision = derive(
        r"concave in the precision $\tau = 1/\sigma_z^2$",
        sp.Derivative(G(m, 1 / tau), tau, 2),
        (-d * Nz / (2 * tau ** 2), "differentiate twice"),
        (sp.S(0), r"$d, N_z > 0$", "<="),
    )
    precision_stationary = derive(
        "stationary at the M-step variance",
        sp.Subs(sp.Derivative(G(m, 1 / tau), tau), tau, 1 / v),
        (sp.S(0), r"$\frac{dN_z}{2\tau} - \frac{dN_z\hat\sigma_z^2}{2} = 0$"),
    )
    pair = (mu, s)
    hessian = derive(
        r"Hessian in $(\mu_z, \sigma_z^2)$ at the M-step",
        sp.Matrix(2, 2, lambda a, b: sp.Subs(sp.Derivative(G(mu, s), pair[a], pair[b]), pair, (m, v))),
        (sp.Matrix([[-Nz / v, 0], [0, -d * Nz / (2 * v ** 2)]]), r"differentiate; $\mu_z=\hat\mu_z$"),
    )
    return (one, decomposition, stationary_p, multiplier, weight_concave, stationary_mu, zero_mu,
            stationary_var, zero_var, best_mean, precision, precision_stationary, hessian)


# =========================================================================== question 7


def kl_chains():
    """The KL term's gradient vanishes at theta_0: in general (k components, any coordinate), and
    explicitly for two 1-D components in all five parameters."""
    theta, theta0 = sp.symbols("theta theta_0", real=True)
    joint = sp.Function("Ptilde", positive=True)  # Ptilde(z, theta) = p_z N(x; mu_z, sigma_z^2 I)

    def post(zz, t):  # P(z | x, theta): the joint normalised over the k components
        return joint(zz, t) / sp.Sum(joint(y, t), (y, 1, k))

    kl = sp.Sum(post(z, theta0) * sp.log(post(z, theta0) / post(z, theta)), (z, 1, k))
    general = derive(
        r"general: the KL gradient vanishes at $\theta_0$",
        sp.Subs(sp.Derivative(kl, theta), theta, theta0),
        Step(-sp.Sum(post(z, theta0) * sp.Subs(sp.Derivative(sp.log(post(z, theta)), theta), theta, theta0),
                     (z, 1, k)),
             r"only $-\sum_z Q(z)\log P(z\mid x,\theta)$ depends on $\theta$", simplify=sum_hint),
        Step(-sp.Sum(sp.Subs(sp.Derivative(post(z, theta), theta), theta, theta0), (z, 1, k)),
             r"$\partial\log P=\partial P/P$ and $Q=P(\cdot\mid x,\theta_0)$", simplify=sum_hint),
        Step(-sp.Subs(sp.Derivative(sp.Sum(post(z, theta), (z, 1, k)), theta), theta, theta0),
             "finite sum and derivative commute", simplify=sum_hint),
        Step(sp.S(0), r"the posterior sums to 1 for every $\theta$", simplify=sum_hint),
    )
    # explicit: x in R, two components, all five parameters
    p1, m1, m2 = sp.symbols("p_1 mu_1 mu_2", real=True)
    v1, v2 = sp.symbols("sigma_1^2 sigma_2^2", positive=True)
    q1, a1, a2 = sp.symbols("p_1^(0) mu_1^(0) mu_2^(0)", real=True)
    b1, b2 = sp.symbols("sigma_1^2(0) sigma_2^2(0)", positive=True)
    params, params0 = (p1, m1, m2, v1, v2), (q1, a1, a2, b1, b2)

    def log_odds(pp, ma, mb, va, vb):  # log P(1|x) - log P(2|x)
        return (sp.log(pp / (1 - pp)) - sp.log(va / vb) / 2 - (xs - ma) ** 2 / (2 * va)
                + (xs - mb) ** 2 / (2 * vb))

    ja, jb = p1 * normal_pdf(xs, m1, v1), (1 - p1) * normal_pdf(xs, m2, v2)
    A, B = sp.symbols("Ptilde_1 Ptilde_2", positive=True)  # the two joint terms at x
    logistic_chain = derive(
        "two components: the posterior is the sigmoid of the log-odds",
        A / (A + B),
        Step(Sigmoid(sp.log(A / B)), r"divide by $\tilde P_1$", simplify=lambda e: sp.cancel(e.rewrite(sp.exp))),
    )
    log_odds_chain = derive(
        "1-D, two components: the log-odds",
        sp.log(ja) - sp.log(jb),
        Step(log_odds(*params), "log of the Gaussian densities", simplify=expand_logs),
    )
    q = sp.Symbol("Q_1", positive=True)  # Q(1 | x); Q(2 | x) = 1 - Q_1
    a, a0 = log_odds(*params), log_odds(*params0)
    kl2 = q * sp.log(q / Sigmoid(a)) + (1 - q) * sp.log((1 - q) / (1 - Sigmoid(a)))
    gradient = sp.Matrix([sp.factor(sp.diff(a, t)) for t in params]).subs(dict(zip(params, params0)))
    explicit = derive(
        "1-D, two components: the KL gradient in all five parameters",
        sp.Matrix([sp.Subs(sp.Derivative(kl2, t), params, params0) for t in params]),
        Step((Sigmoid(a0) - q) * gradient, r"$\sigma'=\sigma(1-\sigma)$; chain rule",
             simplify=lambda e: sp.cancel(evaluate_derivatives(e))),
    )
    at_posterior = derive(
        r"1-D, two components: with $Q$ the posterior at $\theta_0$ it vanishes",
        sp.Matrix([sp.Subs((Sigmoid(a0) - q) * g, q, Sigmoid(a0)) for g in gradient]),
        (sp.zeros(5, 1), r"$Q_1=P(1\mid x,\theta_0)$"),
    )
    q, q1_ = sp.symbols("Q_1 Q_2", positive=True)
    elbo_identity = derive(
        r"two components: $\mathrm{ELBO} = $ log-likelihood $-$ KL, for any $Q$",
        q * sp.log(A / q) + q1_ * sp.log(B / q1_),
        Step(sp.log(A + B) - (q * sp.log(q / (A / (A + B))) + q1_ * sp.log(q1_ / (B / (A + B)))),
             "$Q_1+Q_2=1$", simplify=lambda e: sp.expand(sp.expand_log(e, force=True).subs(q1_, 1 - q))),
    )
    return general, logistic_chain, log_odds_chain, explicit, at_posterior, elbo_identity


# =========================================================================== question 5


def identical_components_chains(weight_label: str):
    """E-step with identical components returns the weights, whatever x; the M-step then returns a
    common mean and a common variance again. ``weight_label``: ``equal`` or ``random`` weights."""
    g = normal_pdf(xs, mu0, s0, dim=d)
    c = sp.Symbol("c", positive=True)  # the responsibility, constant in i
    xbar = over_data(x[i]) / n
    if weight_label == "equal":
        e_step = derive(
            "E-step with equal weights and identical components",
            (g / k) / sp.Sum(g / k, (y, 1, k)),
            (1 / k, "the same term $k$ times"),
        )
    else:
        a = sp.IndexedBase("a", positive=True)  # p_z = a_z / sum_y a_y: any weights summing to 1
        pz = a[z] / sp.Sum(a[y], (y, 1, k))
        e_step = derive(
            "E-step with any weights and identical components",
            pz * g / sp.Sum(a[y] / sp.Sum(a[j], (j, 1, k)) * g, (y, 1, k)),
            Step(pz, "the density factor cancels", simplify=sum_hint),
        )
    m_step = derive(
        r"M-step when $Q(z\mid x^{(i)}) = c$ for every $i$",
        sp.Matrix([over_data(c) / n, over_data(c * x[i]) / over_data(c),
                   over_data(c * (x[i] - xbar) ** 2) / (d * over_data(c))]),
        Step(sp.Matrix([c, xbar, over_data((x[i] - xbar) ** 2) / (d * n)]), "$c$ leaves every sum",
             simplify=sum_hint),
    )
    return e_step, m_step


def symmetry_breaking_chains(kind: str):
    """Distinct ``variances`` (5.2) or distinct ``means`` (5.3) make the responsibilities depend on x."""
    if kind == "variances":
        s1, s2 = sp.symbols("sigma_1^2 sigma_2^2", positive=True)
        odds = derive(
            "distinct variances: the log-odds depend on the distance",
            sp.Derivative(sp.log(_at_distance(s1) / _at_distance(s2)), D),
            Step((s1 - s2) / (2 * s1 * s2), r"nonzero unless $\sigma_1=\sigma_2$",
                 simplify=lambda e: sp.cancel(sp.expand_log(e.doit(), force=True))),
        )
        a, b, x1, x2 = sp.symbols("r_1 r_2 x_1 x_2", real=True)
        gap = derive(
            "two points at distinct distances pull the means apart",
            (a * x1 + b * x2) / (a + b) - ((1 - a) * x1 + (1 - b) * x2) / (2 - a - b),
            ((a - b) * (x1 - x2) / ((a + b) * (2 - a - b)), "common denominator"),
            domains={a: UNIT, b: UNIT},
        )
        return odds, gap
    m1, m2 = sp.symbols("mu_1 mu_2", real=True)
    odds = derive(
        r"distinct means: the log-odds are linear in $x$",
        sp.log(normal_pdf(xs, m1, s0, dim=d) / normal_pdf(xs, m2, s0, dim=d)),
        Step((m1 - m2) * (2 * xs - m1 - m2) / (2 * s0), "the normalisers cancel", simplify=expand_logs),
    )
    slope = derive(
        r"its gradient in $x$",
        sp.Derivative((m1 - m2) * (2 * xs - m1 - m2) / (2 * s0), xs),
        ((m1 - m2) / s0, "nonzero when the chosen points differ"),
    )
    return odds, slope


# =========================================================================== question 4


def one_step_chains():
    r"""One EM step from a common mean with :math:`\sigma_2^2 = 2\sigma_1^2`: the radial responsibility
    rule, the new means on opposite sides of the data mean, and the narrow component's smaller spread."""
    s1 = sp.Symbol("sigma_1^2", positive=True)
    narrow = 1 / (1 + 2 ** (-d / 2) * sp.exp(D / (4 * s1)))
    responsibility = derive(
        "responsibility of the narrow component",
        (_at_distance(s1) / 2) / (_at_distance(s1) / 2 + _at_distance(2 * s1) / 2),
        Step(narrow, r"$p_1=p_2$, $\sigma_2^2=2\sigma_1^2$", simplify=sp.simplify),
    )
    decreasing = derive(
        "it decreases with the distance",
        sp.Derivative(narrow, D),
        (-2 ** (-d / 2) * sp.exp(D / (4 * s1)) / (4 * s1 * (1 + 2 ** (-d / 2) * sp.exp(D / (4 * s1))) ** 2),
         "differentiate"),
        (sp.S(0), "a negative times positive factors", "<="),
    )
    threshold = derive(
        "the narrow component claims the points within a radius",
        narrow.subs(D, 2 * d * s1 * sp.log(2)),
        (sp.Rational(1, 2), r"at $\|x-\mu_0\|^2 = 2d\sigma_1^2\ln 2$ ($d=2$: radius $1.67\sigma_1$)"),
    )
    r = sp.IndexedBase("r", positive=True)
    Dd = sp.IndexedBase("D", nonnegative=True)
    centroid = derive(
        "the new means straddle the data mean",
        (over_data(r[i] * x[i]) + over_data((1 - r[i]) * x[i])) / n,
        Step(over_data(x[i]) / n, r"$N_1\mu_1'+N_2\mu_2'=\sum_i x^{(i)}$", simplify=sum_hint),
    )
    n1, n2 = over_data(r[i]), n - over_data(r[i])
    spread = derive(
        r"weighted mean squared distance to $\mu_0$: wide minus narrow",
        over_data((1 - r[i]) * Dd[i]) / (d * n2) - over_data(r[i] * Dd[i]) / (d * n1),
        Step(-sp.Sum(sp.Sum((Dd[i] - Dd[j]) * (r[i] - r[j]), (j, 1, n)), (i, 1, n)) / (2 * d * n1 * n2),
             "Chebyshev's sum identity", simplify=sum_hint),
    )
    return responsibility, decreasing, threshold, centroid, spread
