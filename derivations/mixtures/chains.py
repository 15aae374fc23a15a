r"""The derivation chains of questions 4-7 (one builder per part group).

Vectors are proved in coordinates (:math:`x^{(i)}_j`, :math:`\mu_{z,j}`, :math:`j = 1..d` with
symbolic :math:`d`): the spherical density is the product of its :math:`d` one-dimensional densities,
a squared norm the sum of its squared coordinates, and a chain returns to the homework's vector
notation by the theorem :func:`derivations.theorems.coordinates`. Sums over data points,
components and coordinates have symbolic bounds; their steps are proved by the toolkit's hints
(finite sums split, constants pulled out, bound indices renamed canonically, sums over a Kronecker
delta carried out).
"""

from __future__ import annotations

import sympy as sp

from derivations import theorems
from derivations.chain import Step, derive
from derivations.mixtures.symbols import (D, MEAN_HAT, MEAN_HAT_L, N_SUM, RANGES, VARIANCE_HAT, WEIGHT_HAT, Q, d, i,
                                          j, k, l, mu, mu0, muhat, n, over_components, over_coordinates, over_data, p,
                                          r, s0, var, x, y, z)
from derivations.symbolic import UNIT, GaussianDensity, SquaredNorm, VectorOf, normal_pdf
from derivations.symbolic.hints import (collapse_deltas, evaluate_derivatives, expand_logs, explicit, log_products,
                                        merge_under, swap_sums, tidy_sums)
from derivations.symbolic.vectors import coordinatewise


def sums(expr):
    """Linearity of finite sums, then cancel."""
    return sp.cancel(tidy_sums(expr))


def differentiate(expr):
    """Logs of products as sums of logs, derivatives carried out, sums over Kronecker deltas of an
    index in range collapsed (only the terms of component z and coordinate j hold its parameters)."""
    expr = coordinatewise(expr)
    expr = tidy_sums(evaluate_derivatives(log_products(expr)))
    return sp.cancel(tidy_sums(collapse_deltas(expr, RANGES)))


def _distributions_sum_to_one(expr):
    """Each :math:`Q(\\cdot\\mid x^{(i)})` sums to one over the k components, and so do the weights."""
    def is_total(e):
        if not isinstance(e, sp.Sum) or not isinstance(e.function, sp.Indexed) or e.function.base not in (Q, p):
            return False
        v, lo, hi = e.limits[0]  # the innermost sum
        return (lo, hi) == (1, k) and e.function.indices[0] == v

    def total(e):
        rest = e.limits[1:]
        return sp.Sum(sp.S.One, *rest) if rest else sp.S.One

    return expr.replace(is_total, total)


def _at_distance(variance):
    r""":math:`\mathcal N` at squared distance :math:`D` from its mean: :math:`(2\pi v)^{-d/2}e^{-D/(2v)}`."""
    return normal_pdf(sp.sqrt(D), 0, variance, dim=d)


# =========================================================================== question 6

#: The M-step chains, by the quantity each concludes.
WEIGHTS_TITLE = r"the weights: stationarity of the Lagrangian, with $\lambda = n$"
MEANS_TITLE = r"the means: where the gradient in $\mu_z$ vanishes"
VARIANCES_TITLE = r"the variances: where the derivative in $\sigma_z^2$ vanishes, at the means $\hat\mu_z$"

#: The ELBO as a function of the parameter a chain varies (the others held fixed); written out by
#: :func:`elbo`.
ELBO = sp.Function("ELBO")


def elbo(means=mu):
    r"""The homework's ELBO, :math:`\sum_i\sum_y Q(y\mid x^{(i)})\big(\log[p_y\,\mathcal N(x^{(i)};\mu_y,
    \sigma_y^2I)] - \log Q(y\mid x^{(i)})\big)` (the second term is the entropy), with the spherical
    density written as the product of its d one-dimensional densities."""
    density = sp.Product(GaussianDensity(x[i, r], means[y, r], var[y]), (r, 1, d))
    return over_data(over_components(Q[y, i] * (sp.log(p[y] * density) - sp.log(Q[y, i]))))


def _written_out(means=mu):
    """A hint: the ELBO written out (:func:`elbo`), then differentiated."""
    def hint(expr):
        expr = expr.replace(lambda e: isinstance(e, sp.UnevaluatedExpr), lambda e: e.args[0])
        return differentiate(expr.replace(lambda e: isinstance(e, ELBO), lambda e: elbo(means)))
    return hint


def _over(factor, derivative):
    """``factor * derivative``, printed with the factor first."""
    return sp.Mul(sp.UnevaluatedExpr(factor), derivative, evaluate=False)


def m_step_chains():
    """The M-step: the multiplier of the weights' constraint, then for each parameter a chain from
    the parameter plus a positive multiple of the ELBO's derivative in it (equal to the parameter
    exactly at a stationary point) to the M-step formula, in the homework's vector notation."""
    N_z = N_SUM
    multiplier = derive(
        r"the multiplier: $\sum_y p_y = 1$ gives $\lambda = \sum_y N_y = n$",
        over_components(over_data(Q[y, i])),
        Step(over_data(over_components(Q[y, i])), "finite sums commute",
             simplify=lambda e: sp.cancel(tidy_sums(swap_sums(e)))),
        Step(n, r"each $Q(\cdot\mid x^{(i)})$ sums to 1 over the $k$ components",
             simplify=lambda e: sums(_distributions_sum_to_one(e))),
    )
    weights = derive(
        WEIGHTS_TITLE,
        p[z] + _over(p[z] / n, sp.Derivative(ELBO(p[z]) + n * (1 - over_components(p[y])), p[z])),
        Step(p[z] + p[z] / n * (N_z / p[z] - n), r"only the term $y = z$ holds $p_z$", simplify=_written_out()),
        Step(WEIGHT_HAT, r"the $p_z$ terms cancel", simplify=sums),
    )
    means = derive(
        MEANS_TITLE,
        VectorOf(mu[z, j] + _over(var[z] / N_z, sp.Derivative(ELBO(mu[z, j]), mu[z, j])), (j, 1, d)),
        Step(VectorOf(mu[z, j] + over_data(Q[z, i] * (x[i, j] - mu[z, j])) / N_z, (j, 1, d)),
             r"$\partial_\mu\log\mathcal N(x;\mu,\sigma^2) = (x-\mu)/\sigma^2$; only $y = z$, $r = j$ hold "
             r"$\mu_{z,j}$", simplify=_written_out()),
        Step(VectorOf(over_data(Q[z, i] * x[i, j]) / N_z, (j, 1, d)), r"the $\mu_{z,j}$ terms cancel",
             simplify=lambda e: sums(coordinatewise(e))),
        Step(MEAN_HAT, "the vector of these coordinates", cite=theorems.coordinates(d, (x, mu, muhat))),
    )
    variance_at = over_data(Q[z, i] * over_coordinates((x[i, r] - muhat[z, r]) ** 2)) / (d * N_z)
    variances = derive(
        VARIANCES_TITLE,
        var[z] + _over(2 * var[z] ** 2 / (d * N_z), sp.Derivative(ELBO(muhat[z], var[z]), var[z])),
        Step(variance_at, r"$\partial_{\sigma^2}\log\mathcal N(x;\mu,\sigma^2) = \frac{(x-\mu)^2-\sigma^2}"
                          r"{2\sigma^4}$; only $y = z$ holds $\sigma_z^2$; $\sum_{r=1}^d 1 = d$",
             simplify=_written_out(muhat)),
        Step(over_data(Q[z, i] * SquaredNorm(x[i] - muhat[z])) / (d * N_z), r"$\|v\|^2 = \sum_r v_r^2$",
             cite=theorems.coordinates(d, (x, mu, muhat))),
        Step(VARIANCE_HAT, r"$\hat\mu_z$, the means above",
             simplify=lambda e: e.replace(lambda a: a == muhat[z], lambda a: MEAN_HAT_L)),
    )
    return multiplier, weights, means, variances


# =========================================================================== question 7

KL_TITLE = r"the gradient of the KL term vanishes at $\theta_0$"


def kl_chains():
    r"""The KL term's derivative in any coordinate :math:`\theta_a` of :math:`\theta` vanishes at
    :math:`\theta_0`, for k components and any joint :math:`\tilde P(z, \theta) = p_z\mathcal N(x^{(i)};
    \mu_z, \sigma_z^2 I)` (an arbitrary positive function of the coordinate)."""
    theta, theta0 = sp.Symbol("theta_a", real=True), sp.Symbol("theta_{0,a}", real=True)
    joint = sp.Function("Ptilde", positive=True)

    def post(zz, t):  # P(z | x^(i), theta): the joint normalised over the k components (Bayes' rule)
        return joint(zz, t) / over_components(joint(y, t))

    kl = sp.Sum(post(z, theta0) * sp.log(post(z, theta0) / post(z, theta)), (z, 1, k))
    general = derive(
        KL_TITLE,
        sp.Subs(sp.Derivative(kl, theta), theta, theta0),
        Step(-sp.Sum(post(z, theta0) * sp.Subs(sp.Derivative(sp.log(post(z, theta)), theta), theta, theta0),
                     (z, 1, k)),
             r"only $-\sum_z Q(z\mid x^{(i)})\log P(z\mid x^{(i)},\theta)$ depends on $\theta_a$",
             simplify=sums_of_derivatives),
        Step(-sp.Sum(sp.Subs(sp.Derivative(post(z, theta), theta), theta, theta0), (z, 1, k)),
             r"$\partial\log P = \partial P / P$, and $Q(z\mid x^{(i)}) = P(z\mid x^{(i)},\theta_0)$",
             simplify=sums_of_derivatives),
        Step(-sp.Subs(sp.Derivative(sp.Sum(post(z, theta), (z, 1, k)), theta), theta, theta0),
             "a finite sum and a derivative commute", simplify=sums_of_derivatives),
        Step(sp.S(0), r"the posterior sums to 1 for every $\theta$", simplify=sums_of_derivatives),
    )
    return (general,)


def sums_of_derivatives(expr):
    """Derivatives carried out, sums linearised, cancel."""
    return sp.cancel(tidy_sums(evaluate_derivatives(expr)))


# =========================================================================== question 5

STUCK_TITLE = r"M-step from responsibilities $c_z$ that do not depend on $i$: identical components again"


def identical_components_chains(weight_label: str):
    """E-step with identical components: the responsibilities are the weights, whatever the point;
    M-step from such responsibilities: one weight per component, but one mean and one variance for
    all (in coordinates). ``weight_label``: ``equal`` (p_z = 1/k) or ``random`` (any weights)."""
    g = GaussianDensity(x[i], mu0, s0, d)  # the same density for every component
    if weight_label == "equal":
        e_step = derive(
            "E-step: equal weights and identical components",
            sp.Mul(g / k, sp.Pow(over_components(g / k), -1), evaluate=False),
            Step(1 / k, "the same term $k$ times", simplify=sums),
        )
    else:
        e_step = derive(
            "E-step: identical components give the weights as responsibilities",
            p[z] * g / over_components(p[y] * g),
            Step(p[z] / over_components(p[y]), "the density is a common factor", simplify=sums),
            Step(p[z], "the weights sum to 1", simplify=lambda e: sums(_distributions_sum_to_one(e))),
        )
    c = sp.Symbol("c_z", positive=True)  # the responsibility of component z, the same for every point
    mean_l = over_data(c * x[l, r], l) / over_data(c, l)
    xbar = over_data(x[l, r], l) / n
    m_step = derive(
        STUCK_TITLE,
        sp.Matrix([over_data(c) / n, VectorOf(over_data(c * x[i, j]) / over_data(c), (j, 1, d)),
                   over_data(c * over_coordinates((x[i, r] - mean_l) ** 2)) / (d * over_data(c))]),
        Step(sp.Matrix([c, over_data(x[i]) / n, over_data(SquaredNorm(x[i] - over_data(x[l], l) / n)) / (d * n)]),
             r"$c_z$ leaves every sum over $i$; in vector notation", cite=theorems.coordinates(d, (x,))),
    )
    return e_step, m_step


def symmetry_breaking_chains(kind: str):
    """Distinct ``variances`` (5.2) or distinct ``means`` (5.3) make the responsibilities depend on
    the point; for 5.3 also the density of a component centred on a data point."""
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
            domains={a: UNIT, b: UNIT}, scope="instance: two data points, one coordinate",
        )
        return odds, gap
    m1, m2 = (mu[1, r], mu[2, r])

    def density(mean):
        return sp.Product(GaussianDensity(x[i, r], mean, s0), (r, 1, d))

    log_odds = over_coordinates((m1 - m2) * (2 * x[i, r] - m1 - m2)) / (2 * s0)
    odds = derive(
        r"distinct means: the log-odds are linear in $x^{(i)}$",
        sp.log(density(m1) / density(m2)),
        Step(log_odds, "the normalisers cancel", simplify=_log_ratio_of_products),
    )
    slope = derive(
        r"their derivative in the coordinate $x^{(i)}_j$",
        sp.Derivative(log_odds, x[i, j]),
        Step((mu[1, j] - mu[2, j]) / s0, r"nonzero when the chosen points differ in coordinate $j$",
             simplify=differentiate),
    )
    v = sp.Symbol("sigma_z^2", positive=True)
    on_a_point = derive(
        r"a component centred on the data point $x^{(l)}$: its density there",
        sp.Product(GaussianDensity(x[l, r], x[l, r], v), (r, 1, d)),
        Step((2 * sp.pi * v) ** (-d / 2), r"$d$ factors $(2\pi\sigma_z^2)^{-1/2}$: unbounded as $\sigma_z^2\to0$",
             simplify=lambda e: sp.powsimp(sp.expand_power_base(explicit(e).doit(), force=True), force=True)),
    )
    return odds, slope, on_a_point


def _log_ratio_of_products(expr):
    """The log of a ratio of products of Gaussian densities as one sum over the coordinates."""
    return merge_under(tidy_sums(expand_logs(log_products(expr))))


# =========================================================================== question 4


def one_step_chains():
    r"""One EM step from a common mean with :math:`\sigma_2^2 = 2\sigma_1^2`: the radial responsibility
    rule, the bound 2/3 on the narrow weight (d = 2), the new means on opposite sides of the data
    mean, the spreads about mu_0 (Chebyshev), and a component's variance about its new mean."""
    s1 = sp.Symbol("sigma_1^2", positive=True)
    narrow = 1 / (1 + 2 ** (-d / 2) * sp.exp(D / (4 * s1)))
    a, b = _at_distance(s1), _at_distance(2 * s1)
    responsibility = derive(
        "responsibility of the narrow component",
        sp.Mul(a, sp.Pow(sp.Add(a, b, evaluate=False), -1), evaluate=False),
        Step(narrow, r"$p_1=p_2$ cancel; $\sigma_2^2=2\sigma_1^2$", simplify=sp.simplify),
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
        (sp.Rational(1, 2), r"at $\|x-\mu_0\|^2 = 2d\sigma_1^2\ln 2$ (for $d=2$: radius $2\sigma_1\sqrt{\ln 2}$)"),
    )
    Dd = sp.IndexedBase("D", nonnegative=True)
    w = sp.IndexedBase("w", nonnegative=True)
    in_plane = 2 / (2 + sp.exp(Dd[i] / (4 * s1)))  # d = 2
    bound = derive(
        r"in the plane the narrow weight grows to at most $2/3$",
        over_data(in_plane) / n,
        Step(over_data(sp.Rational(2, 3)) / n, r"$e^{D_i/(4\sigma_1^2)}\ge 1$ for $D_i=\|x^{(i)}-\mu_0\|^2$",
             relation="<=", simplify=lambda e: _exp_at_least_one(e, Dd, w, s1)),
        Step(sp.Rational(2, 3), "count the data points", simplify=sums),
    )
    resp = sp.IndexedBase("r", positive=True)  # r_i = Q(1 | x^(i)), the narrow component's responsibilities
    centroid = derive(
        "the new means straddle the data mean",
        (over_data(resp[i] * x[i]) + over_data((1 - resp[i]) * x[i])) / n,
        Step(over_data(x[i]) / n, r"$N_1\mu_1'+N_2\mu_2'=\sum_i x^{(i)}$", simplify=sums),
    )
    n1, n2 = over_data(resp[i]), n - over_data(resp[i])
    spread = derive(
        r"weighted mean squared distance to $\mu_0$: wide minus narrow",
        over_data((1 - resp[i]) * Dd[i]) / (d * n2) - over_data(resp[i] * Dd[i]) / (d * n1),
        Step(-sp.Sum(sp.Sum((Dd[i] - Dd[l]) * (resp[i] - resp[l]), (l, 1, n)), (i, 1, n)) / (2 * d * n1 * n2),
             "Chebyshev's sum identity", simplify=sums),
    )
    m0 = sp.IndexedBase("mu_0", real=True)
    new_mean = over_data(resp[l] * x[l, j], l) / n1.xreplace({i: l})
    about_new_mean = derive(
        r"coordinate $j$ of the narrow component's new spread: its spread about $\mu_0$ less its mean's move",
        over_data(resp[i] * (x[i, j] - new_mean) ** 2) / n1,
        Step(over_data(resp[i] * (x[i, j] - m0[j]) ** 2) / n1 - (new_mean - m0[j]) ** 2,
             r"expand the squares about $\mu_{0,j}$", simplify=sums),
    )
    return responsibility, decreasing, threshold, bound, centroid, spread, about_new_mean


def _exp_at_least_one(expr, Dd, w, s1):
    """Write :math:`e^{D_i/(4\\sigma_1^2)} = 1 + w_i` with :math:`w_i \\ge 0` (as :math:`D_i \\ge 0`), and put
    each summand over one denominator."""
    expr = expr.replace(lambda e: isinstance(e, sp.exp) and e.args[0] == Dd[i] / (4 * s1), lambda e: 1 + w[i])
    return merge_under(sp.expand(expr), simplify=lambda f: sp.factor(sp.together(f)))
