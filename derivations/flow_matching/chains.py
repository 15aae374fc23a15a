"""The derivation chains of Question 9, one function per part (each returns that part's chains).

Every chain is general: points of :math:`\\mathbb{R}^d` for a symbolic :math:`d` (coordinates and
sums over them where a norm appears), :math:`n` data points for a symbolic :math:`n`. Titles and
reasons are LaTeX prose; every step names the targeted simplification that decides it
(:mod:`derivations.symbolic.hints` and this section's :mod:`.hints`) or the theorem it applies.
"""

from __future__ import annotations

import sympy as sp

from derivations import theorems
from derivations.chain import Chain, Step, derive
from derivations.flow_matching.hints import (flux_linearity, over_density, rescaled, softmax,
                                             termwise_over_density, weights_sum_to_one)
from derivations.flow_matching.symbols import (END_POINT_LIMIT, MARGINAL_DENSITY, POSTERIOR, REGRESSION_TARGET, S,
                                               X, X_T, component, d, i, j, k, n, t,
                                               velocity_coordinate, x, x_0, x_1)
from derivations.symbolic import UNIT, GaussianDensity, coordinate
from derivations.symbolic.hints import tidy_sums

ON_UNIT = {t: UNIT}

#: A step that applies a theorem to an undefined density (or to a limit of distributions) is one SymPy
#: cannot decide alone: its direct attempt (seconds of futile simplification) is skipped and the step
#: is proved modulo the theorem. tests/test_flow_matching.py checks that SymPy alone does not prove them.
UNDEFINED = True

#: :math:`p_t(x \mid x_1)`, and the posterior :math:`p_t(x^{(i)} \mid x)` of the end point: undefined
#: densities that a theorem rewrites.
p_cond = sp.Function("p_t_cond")
#: :math:`p_t(x)`, the marginal path.
p_marginal = sp.Function("p_t")


# =========================================================================== 9a


def conditional_path() -> tuple[Chain, ...]:
    """The density of :math:`x_t = (1-t)x_0 + t x_1` given :math:`x_1`, by a change of variables in :math:`d` dimensions."""
    cite = theorems.change_of_variables_affine(p_cond, lambda z: GaussianDensity(z, 0, 1, d), scale=S,
                                               shift=t * x_1, dim=d)
    density = derive(
        r"density of $x_t = (1-t)x_0 + t x_1$ given $x_1$",
        p_cond(x, x_1),
        Step(S ** (-d) * GaussianDensity((x - t * x_1) / S, 0, 1, d),
             r"change of variables $x_0 = \frac{x - t x_1}{1-t}$, $|\det J| = (1-t)^{-d}$", cite=cite,
             simplify=rescaled, numeric_only=UNDEFINED),
        Step(component(x, x_1), r"$(1-t)^{-d} (2\pi)^{-d/2} = (2\pi (1-t)^2)^{-d/2}$", simplify=rescaled),
        domains=ON_UNIT)
    return (density,)


# =========================================================================== 9b


def conditional_limit() -> tuple[Chain, ...]:
    """The conditional path collapses onto :math:`x_1`: a rescaled density whose scale tends to 0."""
    cite = theorems.nascent_delta(lambda z: GaussianDensity(z, 0, 1, d), scale=S, centre=t * x_1, point=x, dim=d,
                                  variable=t, to=sp.S(1))
    limit = derive(
        r"the limit of the conditional path as $t \to 1$",
        sp.Limit(component(x, x_1), t, 1, dir="-"),
        Step(END_POINT_LIMIT.pdf(x),
             r"a rescaled $\mathcal{N}(0, I)$ with scale $1 - t \to 0$, centre $t x_1 \to x_1$", cite=cite,
             numeric_only=UNDEFINED),
        domains=ON_UNIT)
    return (limit,)


# =========================================================================== 9c


def marginal_path() -> tuple[Chain, ...]:
    """The law of total probability over the data points, with the conditional path of 9a."""
    cite = theorems.total_probability(p_marginal, lambda point, a: component(point, X[a]), lambda a: 1 / n, i,
                                      over=(1, n))
    marginal = derive(
        "the law of total probability over the data points",
        p_marginal(x),
        Step(MARGINAL_DENSITY, r"$p_t(x) = \sum_i q(x^{(i)})\, p_t(x \mid x^{(i)})$ with $q(x^{(i)}) = 1/n$ "
                               r"and $p_t(x \mid x^{(i)})$ of 9a", cite=cite, simplify=softmax,
             numeric_only=UNDEFINED),
        domains=ON_UNIT)
    return (marginal,)


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
    """Bayes' rule over the data points, down to a softmax of the log-likelihoods."""
    def joint(point, end):  # q(x_1) p_t(x | x_1)
        return component(point, end) / n

    def evidence(point):  # p_t(x), 9c
        return sp.Sum(component(point, X[j]) / n, (j, 1, n))

    bayes = derive(
        "Bayes' rule over the $n$ data points",
        p_cond(X[i], x),
        Step(joint(x, X[i]) / evidence(x),
             r"prior $q(x^{(i)}) = 1/n$, likelihood $p_t(x \mid x^{(i)})$ of 9a, evidence $p_t(x)$ of 9c",
             cite=theorems.bayes(p_cond, joint, evidence), simplify=softmax, numeric_only=UNDEFINED),
        Step(component(x, X[i]) / sp.Sum(component(x, X[j]), (j, 1, n)), r"the prior $1/n$ cancels",
             simplify=softmax),
        Step(POSTERIOR, r"so does the normalising constant $(2\pi(1-t)^2)^{-d/2}$", simplify=softmax),
        domains=ON_UNIT)
    return (bayes,)


# =========================================================================== 9f


def continuity_equation() -> tuple[Chain, ...]:
    """The continuity equation in :math:`d` dimensions: for one conditional path, then for the marginal."""
    # the conditional path: p = N(x; t x_1, (1-t)^2 I), v_k = (x_{1,k} - x_k)/(1-t)
    p = component(x, x_1)
    u = coordinate(x - t * x_1, k)
    a = coordinate(x_1, k)
    conditional = derive(
        r"conditional path: $\partial_t p_t(x \mid x_1) + \nabla \cdot (p_t(x \mid x_1)\, v_t(x \mid x_1)) = 0$",
        sp.Derivative(p, t) + sp.Sum(sp.Derivative(p * velocity_coordinate(x_1), coordinate(x, k)), (k, 1, d)),
        Step(p * sp.Sum(a * u / S**2 - u**2 / S**3 - (a - coordinate(x, k)) * u / S**3, (k, 1, d)),
             r"differentiate: $\partial_{x_k} \log p = -\tfrac{x_k - t x_{1,k}}{(1-t)^2}$, "
             r"$\partial_{x_k} v_k = -\tfrac{1}{1-t}$", simplify=over_density),
        Step(sp.S(0), r"$x_{1,k} - x_k = (1-t)x_{1,k} - (x_k - t x_{1,k})$: every term cancels",
             simplify=over_density),
        domains=ON_UNIT)
    # the marginal: p_t = (1/n) sum_i N_i, v_t = sum_i (N_i / sum_j N_j) (x^(i) - x)/(1-t)
    N_i = component(x, X[i])
    weight = N_i / sp.Sum(component(x, X[j]), (j, 1, n))
    v_k = sp.Sum(weight * velocity_coordinate(X[i]), (i, 1, n))
    marginal = derive(
        r"marginal path: $\partial_t p_t(x) + \nabla \cdot (p_t(x)\, v_t(x)) = 0$",
        sp.Derivative(MARGINAL_DENSITY, t) + sp.Sum(sp.Derivative(MARGINAL_DENSITY * v_k, coordinate(x, k)), (k, 1, d)),
        Step(sp.Sum(sp.Derivative(N_i, t) + sp.Sum(sp.Derivative(N_i * velocity_coordinate(X[i]), coordinate(x, k)),
                                                   (k, 1, d)), (i, 1, n)) / n,
             r"the evidence cancels in $p_t v_t$; $\partial$ and finite sums commute", simplify=flux_linearity),
        Step(sp.S(0), r"each term is the conditional residual at $x_1 = x^{(i)}$",
             simplify=termwise_over_density),
        domains=ON_UNIT)
    return conditional, marginal


# =========================================================================== 9g


def training_target() -> tuple[Chain, ...]:
    """The regression target along a line, and the split of the squared error around :math:`v_t`."""
    identity = derive(
        "the regression target along a line",
        (x_1 - X_T) / (1 - t),
        (REGRESSION_TARGET, "$x_t = (1-t)x_0 + t x_1$: the factor $1-t$ cancels"),
        domains=ON_UNIT)
    theta, star = sp.IndexedBase(r"v_\theta", real=True), sp.IndexedBase("v_t", real=True)
    target = coordinate(x_1 - x_0, k)
    split = derive(
        r"the squared error splits around the conditional mean $v_t$",
        sp.Sum((theta[k] - target) ** 2, (k, 1, d)),
        Step(sp.Sum((theta[k] - star[k]) ** 2, (k, 1, d))
             + 2 * sp.Sum((theta[k] - star[k]) * (star[k] - target), (k, 1, d))
             + sp.Sum((star[k] - target) ** 2, (k, 1, d)),
             r"add and subtract $v_{t,k}$ in every coordinate", simplify=lambda e: sp.expand(tidy_sums(sp.expand(e)))))
    return identity, split


# =========================================================================== 9h


def last_euler_step() -> tuple[Chain, ...]:
    """The last Euler step of the exact field lands on the posterior mean of the end point."""
    N_i = component(x, X[i])
    weight = N_i / sp.Sum(component(x, X[j]), (j, 1, n))
    last = derive(
        r"the last Euler step lands on the posterior mean",
        x + S * sp.Sum(weight * (X[i] - x) / S, (i, 1, n)),
        Step(sp.Sum(weight * X[i], (i, 1, n)), r"the factor $1-t$ cancels and the posterior weights sum to one: "
                                               r"$E[x_1 \mid x_t = x]$", simplify=weights_sum_to_one),
        domains=ON_UNIT)
    return (last,)
