r"""The registered answers of questions 4-7: quantities, prose, chains, checks and figures."""

from __future__ import annotations

import sympy as sp

from derivations.answer import Answer, Check, Choice, Figure, Quantity
from derivations.hw7 import REGISTRY
from derivations.mixtures.chains import (KL_TITLE, MEANS_TITLE, STUCK_TITLE, VARIANCES_TITLE, WEIGHTS_TITLE,
                                         identical_components_chains, kl_chains, m_step_chains, one_step_chains,
                                         symmetry_breaking_chains)
from derivations.mixtures.checks import (CHECK_RUNS, CLAIMED_MIN_RATE, check_collapse, check_kl_gradient,
                                         check_mstep_beats_optimizer, check_mstep_gradient, check_one_step,
                                         check_recovery)
from derivations.mixtures.symbols import (MEAN_HAT, MEAN_HAT_L, OPTIONS, VARIANCE_HAT, VERDICTS, WEIGHT_HAT, Q, d, i, n,
                                          x, z)

# =========================================================================== question 6

_M_STEP_SYMBOLS = (Q, x, n, d, z, i)


@REGISTRY.register("6", status="proved")
def m_step_from_elbo() -> Answer:
    return Answer(
        summary=r"""Here $N_z=\sum_{i=1}^nQ(z\mid x^{(i)})$ is the soft count of component $z$: $\hat p_z$ is its
share of the data, $\hat\mu_z$ (a vector of $\mathbb R^d$, coordinate $j$ equal to
$\sum_iQ(z\mid x^{(i)})\,x^{(i)}_j/N_z$) the weighted mean of the points, and $\hat\sigma_z^2$ their weighted
squared distance to it, per coordinate.""",
        explanation=r"""The chains differentiate the ELBO written coordinate by coordinate, with the spherical density
as the product of its $d$ one-dimensional densities,
$\mathcal N(x^{(i)};\mu_y,\sigma_y^2I)=\prod_{r=1}^d\mathcal N(x^{(i)}_r;\mu_{y,r},\sigma_y^2)$, and the entropy as
$-\sum_yQ(y\mid x^{(i)})\log Q(y\mid x^{(i)})$; in a chain, $\mathrm{ELBO}(\mu_{z,j})$ is the ELBO as a
function of the parameter that chain varies, the others held fixed. The weights are bound by
$\sum_yp_y=1$: on the Lagrangian $\mathrm{ELBO}+\lambda(1-\sum_yp_y)$ the derivative in $p_z$ is
$N_z/p_z-\lambda$, which vanishes when $\lambda p_z=N_z$; summing over $z$ gives $\lambda=\sum_zN_z=n$
(first chain). Each of the other chains starts from a parameter plus a positive multiple of the
derivative in it. At a stationary point that derivative is
zero, so the first line is the parameter itself, and the chain shows it equals the M-step formula for
every value of the parameter: the stationary point exists and is unique. The means are found
coordinate by coordinate and gathered into a vector; the derivative in the variance is taken at the
stationary means $\hat\mu_y$ (which do not depend on the variances), and the $d$ of its denominator
counts the coordinates. This stationary point is the maximum: the ELBO tends to $-\infty$ at the edge of
the parameter set (a weight or a variance tending to 0, a variance or a mean tending to infinity,
for $N_z>0$ and points not all at $\hat\mu_z$), so its maximum is a stationary point, and there is
only one. The checks maximise the ELBO numerically and find nothing better.""",
        chains=m_step_chains(),
        checks=(
            Check("M-step gradient", r"the ELBO's gradient at the M-step is zero (central differences, "
                  r"absolute tolerance $10^{-6}$ times one plus the ELBO's size)", check_mstep_gradient),
            Check("M-step is the maximum", "no L-BFGS run from random starts and no random perturbation "
                  "exceeds the M-step's ELBO", check_mstep_beats_optimizer),
        ),
        quantities=(
            Quantity("weights", WEIGHT_HAT, symbols=_M_STEP_SYMBOLS, lhs=r"\hat p_z", chain=WEIGHTS_TITLE,
                     description="p_z = (1/n) sum_{i=1}^n Q[z, i], where Q[z, i] = Q(z | x^i)"),
            Quantity("means", MEAN_HAT, symbols=_M_STEP_SYMBOLS, lhs=r"\hat\mu_z", chain=MEANS_TITLE,
                     description="mu_z = sum_i Q[z, i] x[i] / sum_i Q[z, i]; x[i] is the vector x^i"),
            Quantity("variances", VARIANCE_HAT, symbols=_M_STEP_SYMBOLS, lhs=r"\hat\sigma_z^2", chain=VARIANCES_TITLE,
                     defined={"mu_z": MEAN_HAT_L},
                     description="sigma_z^2 = sum_i Q[z, i] ||x[i] - mu_z||^2 / (d sum_i Q[z, i]), with mu_z "
                                 "written out as the 'means' answer or named mu_z"),
        ),
    )


# =========================================================================== question 7


@REGISTRY.register("7", status="proved")
def kl_gradient_vanishes() -> Answer:
    return Answer(
        summary=r"""With $Q(z\mid x^{(i)})=P(z\mid x^{(i)},\theta_0)$, the factor $Q$ cancels the denominator of
$\nabla_\theta\log P=\nabla_\theta P/P$ at $\theta_0$, leaving $-\nabla_\theta\sum_zP(z\mid x^{(i)},\theta)$, the
gradient of the constant 1. So after an E-step the ELBO and the log-likelihood have the same value
and the same gradient at $\theta_0$.""",
        explanation=r"""$\mathrm{KL}(Q_{z\mid x^{(i)}}\|P_{z\mid x^{(i)},\theta})
=\sum_zQ(z\mid x^{(i)})\log Q(z\mid x^{(i)})-\sum_zQ(z\mid x^{(i)})\log P(z\mid x^{(i)},\theta)$, and
only the second sum depends on $\theta$. The chain takes the derivative in any one coordinate
$\theta_a$ of $\theta$ (a weight, a coordinate of a mean, a variance), the others held at their
values in $\theta_0$, and writes the posterior by Bayes' rule,
$P(z\mid x^{(i)},\theta)=\tilde P(z,\theta)/\sum_y\tilde P(y,\theta)$ with
$\tilde P(z,\theta)=p_z\mathcal N(x^{(i)};\mu_z,\sigma_z^2I)$, keeping $\tilde P$ an arbitrary positive
differentiable function: so every coordinate of the gradient vanishes, for any number $k$ of
components. (Equivalently: the KL divergence is at least 0 and equals 0 at $\theta_0$, so $\theta_0$
minimises a differentiable function and its gradient vanishes there.) Since
$\mathrm{ELBO}(Q;\theta)=\sum_i[\log P(x^{(i)}\mid\theta)-\mathrm{KL}_i(\theta)]$, the two gradients agree at
$\theta_0$: after an E-step the bound touches the log-likelihood tangentially, so a fixed point of EM
is a stationary point of the likelihood. The check compares finite-difference gradients at
$\theta_0$ and away from it.""",
        chains=kl_chains(),
        checks=(Check("ELBO touches the log-likelihood", r"with $Q$ the posterior at $\theta_0$, the ELBO and "
                      r"the log-likelihood agree in value and finite-difference gradient at $\theta_0$, not at "
                      r"$\theta_1$", check_kl_gradient),),
        quantities=(Quantity("gradient of the KL term at theta_0", sp.S.Zero, chain=KL_TITLE,
                             lhs=r"\nabla_\theta\,\mathrm{KL}\big(Q_{z\mid x^{(i)}}\,\big\|\,P_{z\mid x^{(i)},\theta}"
                                 r"\big)\big|_{\theta=\theta_0}",
                             description="each coordinate of the gradient of KL(Q || P(. | x^i, theta)) at theta_0, "
                                         "for Q = P(. | x^i, theta_0): a number"),),
    )


# =========================================================================== question 5

_CHOICE = "1 = this initialisation can recover the clusters, 2 = it fails (EM stays stuck)"


def _verdict(kind: str, chain: str | None = None) -> Quantity:
    return Quantity("verdict", Choice(OPTIONS, correct={VERDICTS[kind]}), description=_CHOICE, chain=chain)


def _recovery_check(kind: str) -> Check:
    if VERDICTS[kind] == 2:
        claim = "no run of EM recovers the clusters, and every run ends with identical components"
    else:
        claim = (f"EM recovers the clusters with probability at least {CLAIMED_MIN_RATE} "
                 f"({CHECK_RUNS} runs, one-sided binomial test), and the recovered fits are centred "
                 "on the true means (z-tests)")
    return Check("recovery simulation", claim, lambda rng: check_recovery(kind, VERDICTS[kind], rng))


def _q5_answer(kind: str, summary: str, explanation: str, chains, figures=(), chain: str | None = None,
               checks=()) -> Answer:
    """An answer of question 5: its verdict as a choice (settled by ``chain`` when given), its chains and
    its simulations."""
    return Answer(summary=summary, explanation=explanation, chains=chains, checks=(_recovery_check(kind), *checks),
                  figures=figures, quantities=(_verdict(kind, chain),))


_STUCK = r"""Identical components get identical responsibilities: the E-step (first chain) gives every point
the responsibilities $Q(z\mid x^{(i)})=p_z$, whatever the point and for any number $k$ of components,
because the common density $\mathcal N(x^{(i)};\mu_0,\sigma_0^2I)$ cancels. With responsibilities $c_z$
that do not depend on $i$, the M-step (second chain, coordinate by coordinate in $\mathbb R^d$) gives
component $z$ the weight $c_z$, but the mean $\bar x$ and the variance
$\frac1{dn}\sum_i\|x^{(i)}-\bar x\|^2$ for every $z$: the components are identical again. The next E-step
is the first chain with $\mu_0=\bar x$ and that variance, so it returns the same responsibilities, and
the M-step the same parameters: EM has reached a fixed point after one step and fits a single
Gaussian $k$ times over."""

_RECOVERY_FIGURE = Figure(
    "fig-5.1-recovery-by-initialisation.pdf",
    r"Recovery rate of the three true means by initialisation (EM on fresh data from a well-separated "
    r"3-component mixture, with Clopper-Pearson 95\% intervals), for a broad and a narrow initial variance; "
    r"hatched: runs in which a component collapsed onto a few points.",
    "draw_recovery_rates")


@REGISTRY.register("5.1", status="proved")
def init_common_everything() -> Answer:
    return _q5_answer(
        "5.1",
        summary=r"With one mean, one variance and equal weights, every point gets the responsibilities "
                r"$1/k$, and after each M-step all components are again identical (the data mean, the average "
                r"squared spread), for ever.",
        explanation=_STUCK + r" Here $p_z=1/k$, so the weights stay at $1/k$ too. The simulation finds no "
                             r"run that recovers the clusters.",
        chains=identical_components_chains("equal"),
        figures=(_RECOVERY_FIGURE,),
        chain=STUCK_TITLE,
    )


@REGISTRY.register("5.2", status="checked")
def init_distinct_variances() -> Answer:
    return _q5_answer(
        "5.2",
        summary=r"Distinct variances make the responsibilities depend on the distance "
                r"to $\mu_0$ (narrow components claim near points, wide ones far points), so the "
                r"means separate after one step unless the data are symmetric about $\mu_0$.",
        explanation=r"""With a common mean, $\log\frac{Q(1\mid x)}{Q(2\mid x)}=\frac d2\log\frac{\sigma_2^2}{\sigma_1^2}
-\frac{\|x-\mu_0\|^2}{2}\big(\frac1{\sigma_1^2}-\frac1{\sigma_2^2}\big)$ changes with the distance
$D=\|x-\mu_0\|^2$ whenever $\sigma_1\ne\sigma_2$ (first chain). The new means are then differently
weighted averages of the data, as the illustration with two points shows, and once they differ the
symmetry is broken and EM can move towards the clusters. The start is still poor: the means separate
only through the asymmetry of the data about $\mu_0$, and a data set symmetric about $\mu_0$ keeps
them together. The simulation starts from variances spread around the data's variance; the figure
with 5.1 also shows starts with variances ten times smaller, which fail more often.""",
        chains=symmetry_breaking_chains("variances"),
    )


@REGISTRY.register("5.3", status="checked")
def init_data_points() -> Answer:
    return _q5_answer(
        "5.3",
        summary=r"The usual choice: means at distinct data points give responsibilities that "
                r"split the space softly along the bisectors of the chosen points, as in $k$-means; it can "
                r"still end in a local optimum when two chosen points lie in one cluster, and with a small "
                r"initial variance a component can collapse onto a single data point.",
        explanation=r"""With a common variance and equal weights, the log-odds of two components are
$\sum_r(\mu_{1,r}-\mu_{2,r})(2x_r-\mu_{1,r}-\mu_{2,r})/(2\sigma_0^2)$, linear in $x$ with derivative
$(\mu_{1,j}-\mu_{2,j})/\sigma_0^2$ in coordinate $j$ (first two chains): distinct starting means give
different responsibilities to different regions, so the components are no longer exchangeable after
the first step. Only a repeated point (the same point chosen twice, or duplicated data) leaves two
components identical, and those two then stay identical as in 5.1. EM converges to a local optimum,
the true clustering in most runs. The variance matters: a component centred on a data point
$x^{(l)}$ has density $(2\pi\sigma_z^2)^{-d/2}$ there (third chain), which grows without bound as
$\sigma_z^2\to0$, so the likelihood is unbounded. A component whose responsibility comes to rest on
that one point (a mean started on an isolated point, above all with a small initial variance) gets
the M-step variance 0: EM collapses onto the point, a degenerate "maximum" that recovers nothing.
The second check builds such a start; the hatched bars of the figure with 5.1 count collapses from
narrow starts.""",
        chains=symmetry_breaking_chains("means"),
        checks=(Check("collapse onto a data point", "a mean started on an isolated point with a small "
                      "variance collapses onto it, and the likelihood grows as that variance shrinks",
                      check_collapse),),
    )


@REGISTRY.register("5.4", status="proved")
def init_random_weights() -> Answer:
    return _q5_answer(
        "5.4",
        summary=r"Random weights alone do not break the symmetry. Every point gets responsibilities "
                r"equal to the weights $p_j$, so the weights keep their random values while all means "
                r"and variances become, and remain, identical.",
        explanation=_STUCK + r""" Here $c_z=p_z$: the M-step returns the weights unchanged, so EM stops at
once at a mixture of identical components, which is one Gaussian. The symmetric point is a saddle of
the likelihood, not a maximum, but nothing in this initialisation moves EM off it.""",
        chains=identical_components_chains("random"),
        chain=STUCK_TITLE,
    )


# =========================================================================== question 4


@REGISTRY.register("4", status="checked")
def one_em_step() -> Answer:
    return Answer(
        summary=r"""The correct candidate keeps two nearly concentric circles around the data's centre. The E-step
gives the points within $2\sigma_1\sqrt{\ln 2}$ of $\mu_0$ mostly to the narrow (solid) component and the
outer points to the wide (dashed) one. The new weight $p_1'=\frac1n\sum_iQ(1\mid x^{(i)})$ is at most
$2/3$; the new means move apart only slightly, on opposite sides of the data mean. The narrow
component stays the smaller one exactly when $\|\mu_2'-\mu_0\|^2-\|\mu_1'-\mu_0\|^2<A_2-A_1$, where $A_z$
is component $z$'s weighted mean squared distance to $\mu_0$ and $A_1\le A_2$ always; this holds, for
instance, when $\mu_0$ is the data mean and $p_1'\le 1/2$.""",
        explanation=r"""(The homework's figure is not available, so this describes what the correct candidate must
show, on a simulated data set of two clusters: see the figure.) With $\mu_1=\mu_2=\mu_0$, $p_1=p_2$ and
$\sigma_2^2=2\sigma_1^2$, the responsibility of the narrow component depends only on
$D=\|x-\mu_0\|^2$: $Q(1\mid x)=1/(1+2^{-d/2}e^{D/(4\sigma_1^2)})$, strictly decreasing, equal to $1/2$ at
$D=2d\sigma_1^2\ln2$. In the plane ($d=2$) it is at most $1/(1+\frac12)=2/3$ (at $D=0$), so the new
weight, the average responsibility, is at most $2/3$, and it exceeds $1/2$ only if the points lie
mostly inside the radius. With $r_i=Q(1\mid x^{(i)})$ and $N_1=\sum_ir_i$, $N_2=n-N_1$: the new means satisfy
$N_1\mu_1'+N_2\mu_2'=\sum_ix^{(i)}$, so they lie on opposite sides of the data mean $\bar x$ (both stay at
$\mu_0$ when the data are symmetric about it). The narrow component's weighted mean squared distance
to $\mu_0$ is at most the wide one's, $A_1\le A_2$ (Chebyshev's sum inequality, since the
responsibility ratio decreases with $D$). A component's new variance is its spread about $\mu_0$ less
its mean's move, $d\,\sigma_z'^2=A_z-\|\mu_z'-\mu_0\|^2$ (last chain, for coordinate $j$ of the narrow
component; summed over $j$, and with $1-r_i$ for the wide one), which gives the condition of the box.
When $\mu_0=\bar x$, $\|\mu_2'-\mu_0\|=(N_1/N_2)\|\mu_1'-\mu_0\|$, so
$p_1'\le\frac12$ suffices; with $\mu_0$ far off-centre the order of the variances can flip. Whether
each variance grows or shrinks, and how far the means move, depends on the data. EM never lowers
the likelihood.""",
        chains=one_step_chains(),
        checks=(Check("one EM step", "on simulated two-cluster data, one EM step from the question's start "
                      "behaves as derived", check_one_step),),
        figures=(Figure("fig-4-one-em-step.pdf",
                        r"One EM step from a common mean with $\sigma_2^2=2\sigma_1^2$: the data with the "
                        r"initial circles at one standard deviation (solid narrow, dashed wide), the circles "
                        r"after one step with points shaded by the narrow component's responsibility, and "
                        r"that responsibility against the distance to $\mu_0$.",
                        "draw_one_em_step"),),
    )
