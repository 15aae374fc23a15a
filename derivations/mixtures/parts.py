r"""The registered answers of questions 4-7: quantities, prose, chains, checks and figures."""

from __future__ import annotations

from derivations.answer import Answer, Check, Choice, Figure, Quantity
from derivations.hw7 import REGISTRY
from derivations.mixtures.chains import (identical_components_chains, kl_chains, m_step_chains, one_step_chains,
                                         symmetry_breaking_chains)
from derivations.mixtures.checks import (CHECK_RUNS, CLAIMED_MIN_RATE, check_kl_gradient, check_mstep_beats_optimizer,
                                         check_mstep_gradient, check_one_step, check_recovery)
from derivations.mixtures.symbols import MEAN_HAT, OPTIONS, VARIANCE_HAT, VERDICTS, WEIGHT_HAT, Q, d, i, n, x, z

# =========================================================================== question 6

_M_STEP_SYMBOLS = (Q, x, n, d, z, i)


@REGISTRY.register("6", status="proved")
def m_step_from_elbo() -> Answer:
    return Answer(
        summary=r"""Here $Q_{z,i}=Q(z\mid x^{(i)})$; the denominators $N_z=\sum_i Q_{z,i}$ are the soft counts
of the components, and $(x^{(i)}-\hat\mu_z)^2$ stands for the squared norm $\|x^{(i)}-\hat\mu_z\|^2$.""",
        explanation=r"""The entropy terms do not depend on $\theta$, and
$\log[p_z\mathcal N(x;\mu_z,\sigma_z^2I)]=\log p_z-\frac d2\log(2\pi\sigma_z^2)-\frac{\|x-\mu_z\|^2}{2\sigma_z^2}$,
so the ELBO splits into $\sum_z N_z\log p_z$ (the weights) plus one term per component in
$(\mu_z,\sigma_z^2)$. Weights: maximise $\sum_z N_z\log p_z$ subject to $\sum_z p_z=1$ with a Lagrange
multiplier; stationarity gives $p_z=N_z/\lambda$, the constraint gives $\lambda=\sum_z N_z=n$ because every
$Q(\cdot\mid x^{(i)})$ sums to one. The objective is concave on the (convex) simplex, so this stationary
point is the maximum. Component $z$: writing $x^{(i)}-\mu_z=(x^{(i)}-\hat\mu_z)+(\hat\mu_z-\mu_z)$ turns its terms
into $N_z\log p_z-\frac{dN_z}2\log(2\pi\sigma_z^2)-\frac{N_z(d\hat\sigma_z^2+\|\mu_z-\hat\mu_z\|^2)}{2\sigma_z^2}$.
For every $\sigma_z^2$ the mean $\hat\mu_z$ is best (the square is dropped), and as a function of the
precision $\tau=1/\sigma_z^2$ what remains is strictly concave with its stationary point at
$\tau=1/\hat\sigma_z^2$: a concave function is maximised at a stationary point, so the M-step is the
global maximiser (for $N_z>0$ and $\hat\sigma_z^2>0$), and the Hessian there is negative definite.
The chains also differentiate the sums directly: the gradient in $\mu_z$ vanishes at $\hat\mu_z$ and,
for any $\mu_z$, the derivative in $\sigma_z^2$ vanishes at $\sum_iQ\|x^{(i)}-\mu_z\|^2/(dN_z)$ (here $d$
is a symbol). Numerically, on random data and random $Q$, no L-BFGS run and no perturbation beats
the M-step and the finite-difference gradient is 0.""",
        chains=m_step_chains(),
        checks=(
            Check("M-step gradient", r"the ELBO's gradient at the M-step is zero (central differences, "
                  r"absolute tolerance $10^{-6}$ times one plus the ELBO's size)", check_mstep_gradient),
            Check("M-step is the maximum", "no L-BFGS run from random starts and no random perturbation "
                  "exceeds the M-step's ELBO", check_mstep_beats_optimizer),
        ),
        quantities=(
            Quantity("weights", WEIGHT_HAT, symbols=_M_STEP_SYMBOLS, lhs=r"\hat p_z",
                     description="p_z = (1/n) sum_{i=1}^n Q[z, i], where Q[z, i] = Q(z | x^i)"),
            Quantity("means", MEAN_HAT, symbols=_M_STEP_SYMBOLS, lhs=r"\hat\mu_z",
                     description="mu_z = sum_i Q[z, i] x[i] / sum_i Q[z, i]; x[i] is the vector x^i"),
            Quantity("variances", VARIANCE_HAT, symbols=_M_STEP_SYMBOLS, lhs=r"\hat\sigma_z^2",
                     defined={"mu_z": MEAN_HAT},
                     description="sigma_z^2 = sum_i Q[z, i] (x[i] - mu_z)^2 / (d sum_i Q[z, i]), with "
                                 "mu_z written out as the 'means' answer and (x - mu)^2 meaning ||x - mu||^2"),
        ),
    )


# =========================================================================== question 7


@REGISTRY.register("7", status="proved")
def kl_gradient_vanishes() -> Answer:
    return Answer(
        summary=r"""For every $i$, $\nabla_\theta\,\mathrm{KL}\big(Q_{z\mid x^{(i)}}\,\|\,P_{z\mid x^{(i)},\theta}\big)\big|_{\theta=\theta_0}
=-\sum_z \nabla_\theta P(z\mid x^{(i)},\theta)\big|_{\theta_0}=-\nabla_\theta\sum_z P(z\mid x^{(i)},\theta)\big|_{\theta_0}=-\nabla_\theta 1=0.$""",
        explanation=r"""$\mathrm{KL}(Q\|P_\theta)=\sum_zQ(z)\log Q(z)-\sum_zQ(z)\log P(z\mid x,\theta)$; only the second
sum depends on $\theta$, and its gradient is $-\sum_zQ(z)\nabla_\theta P(z\mid x,\theta)/P(z\mid x,\theta)$.
At $\theta_0$ the factor $Q(z)=P(z\mid x,\theta_0)$ cancels the denominator, leaving the gradient of
$\sum_zP(z\mid x,\theta)=1$, a constant. (Equivalently: $\mathrm{KL}\ge 0$ with equality at
$\theta_0$, so $\theta_0$ minimises a differentiable function and its gradient vanishes there.)
Since $\mathrm{ELBO}(Q;\theta)=\sum_i[\log P(x^{(i)}\mid\theta)-\mathrm{KL}_i(\theta)]$, the ELBO and the
log-likelihood agree in value and in gradient at $\theta_0$: after an E-step the bound touches the
log-likelihood tangentially, so a stationary point of EM is a stationary point of the likelihood.
The chains prove the general statement for $k$ components and any parameter coordinate $\theta$
(with $\tilde P(z,\theta)=p_z\mathcal N(x;\mu_z,\sigma_z^2I)$), and compute the five-component
gradient explicitly for a 1-D mixture of two Gaussians. Numerically the gradients agree at
$\theta_0$ and differ once $\theta$ moves away.""",
        chains=kl_chains(),
        checks=(Check("ELBO touches the log-likelihood", r"with $Q$ the posterior at $\theta_0$, the ELBO and "
                      r"the log-likelihood agree in value and finite-difference gradient at $\theta_0$, not at "
                      r"$\theta_1$", check_kl_gradient),),
    )


# =========================================================================== question 5

_CHOICE = "1 = this initialisation can recover the clusters, 2 = it fails (EM stays stuck)"


def _verdict(kind: str) -> Quantity:
    return Quantity("verdict", Choice(OPTIONS, correct={VERDICTS[kind]}), description=_CHOICE)


def _recovery_check(kind: str) -> Check:
    if VERDICTS[kind] == 2:
        claim = "no run of EM recovers the clusters, and every run ends with identical components"
    else:
        claim = (f"EM recovers the clusters with probability at least {CLAIMED_MIN_RATE} "
                 f"({CHECK_RUNS} runs, one-sided binomial test), and the recovered fits are centred "
                 "on the true means (z-tests)")
    return Check("recovery simulation", claim, lambda rng: check_recovery(kind, VERDICTS[kind], rng))


def _q5_answer(kind: str, summary: str, explanation: str, chains, figures=()) -> Answer:
    """An answer of question 5: its verdict as a choice, its proof chains and its simulation."""
    return Answer(summary=summary, explanation=explanation, chains=chains, checks=(_recovery_check(kind),),
                  figures=figures, quantities=(_verdict(kind),))


_STUCK = r"""Identical components get identical responsibilities: $Q(z\mid x)=p_z\mathcal N(x;\mu_0,\sigma_0^2I)/
\sum_yp_y\mathcal N(x;\mu_0,\sigma_0^2I)=p_z$ does not depend on $x$. With a constant responsibility
$c$ the M-step gives weight $c$, mean $\bar x$ and variance $\sum_i\|x^{(i)}-\bar x\|^2/(dn)$ for every
component, so the components are again identical and, by induction, stay so for ever: EM fits one
Gaussian and cannot separate the clusters (the symmetric point is a fixed point of EM)."""

_RECOVERY_FIGURE = Figure(
    "fig-5.1-recovery-by-initialisation.pdf",
    r"Recovery rate of the three true means by initialisation (EM on fresh data from a well-separated "
    r"3-component mixture, with Clopper-Pearson 95\% intervals), for a broad and a narrow initial variance.",
    "draw_recovery_rates")


@REGISTRY.register("5.1", status="proved")
def init_common_everything() -> Answer:
    return _q5_answer(
        "5.1",
        summary=r"Fails: with one mean, one variance and equal weights, every responsibility is $1/k$ for "
                r"every point, and after each M-step all components are again identical (mean $\bar x$, "
                r"variance the average squared spread), for ever.",
        explanation=_STUCK + r" Here $p_z=1/k$, so the weights also stay at $1/k$; the simulation confirms "
                             r"that no run recovers the clusters.",
        chains=identical_components_chains("equal"),
        figures=(_RECOVERY_FIGURE,),
    )


@REGISTRY.register("5.2", status="checked")
def init_distinct_variances() -> Answer:
    return _q5_answer(
        "5.2",
        summary=r"Can recover: distinct variances make the responsibilities depend on the distance "
                r"to $\mu_0$ (narrow components claim near points, wide ones far points), so the "
                r"means separate after one step unless the data are symmetric about $\mu_0$.",
        explanation=r"""With a common mean, $\log\frac{Q(1\mid x)}{Q(2\mid x)}=\frac d2\log\frac{\sigma_2^2}{\sigma_1^2}
-\frac{\|x-\mu_0\|^2}{2}\big(\frac1{\sigma_1^2}-\frac1{\sigma_2^2}\big)$ changes with the distance
$D=\|x-\mu_0\|^2$ whenever $\sigma_1\ne\sigma_2$. The new means are differently weighted averages of the
data: for two points with responsibilities $r_1\ne r_2$ the gap is $(r_1-r_2)(x_1-x_2)/((r_1+r_2)(2-r_1-r_2))\ne0$.
Once the means differ, the symmetry is broken and EM can move towards the clusters. The start is
still poor: the means separate only through the asymmetry of the data about $\mu_0$, and a data set
symmetric about $\mu_0$ keeps them together. The simulation (initial variances spread around the
data's variance) recovers the clusters in nearly every run (the check: at least 90\%, with the
recovered means centred on the true ones); with initial variances ten times
smaller it mostly fails, by collapsing a component onto a few points or by stopping at a poor local
optimum (the figure with 5.1).""",
        chains=symmetry_breaking_chains("variances"),
    )


@REGISTRY.register("5.3", status="checked")
def init_data_points() -> Answer:
    return _q5_answer(
        "5.3",
        summary=r"Can recover (the usual choice): means at distinct data points give responsibilities that "
                r"split the space softly along the bisectors of the chosen points, as in $k$-means; it can "
                r"still end in a local optimum when two chosen points lie in one cluster.",
        explanation=r"""With a common variance and equal weights, $\log\frac{Q(1\mid x)}{Q(2\mid x)}=
\frac{(\mu_1-\mu_2)\cdot(2x-\mu_1-\mu_2)}{2\sigma_0^2}$ is linear in $x$ with gradient $(\mu_1-\mu_2)/\sigma_0^2$:
distinct starting means give different responsibilities to different regions, so the components
are no longer exchangeable after the first step. Only a repeated point (the same point chosen twice
or duplicated data) leaves two components identical, and those two then stay identical as in 5.1.
EM converges to a local optimum, which is the true clustering in nearly every run (the simulation:
at least 90\%, with the recovered means centred on the true ones).""",
        chains=symmetry_breaking_chains("means"),
    )


@REGISTRY.register("5.4", status="proved")
def init_random_weights() -> Answer:
    return _q5_answer(
        "5.4",
        summary=r"Fails: random weights alone do not break the symmetry. Every point gets responsibilities "
                r"equal to the weights $p_j$, so the weights stay at their random values while all means "
                r"and variances become, and remain, identical.",
        explanation=_STUCK + r""" Here $c=p_z$: the M-step returns the weights unchanged, so EM stops at once
at a mixture of identical components, which is one Gaussian. (The symmetric point is a saddle of the
likelihood, not a maximum. In floating point the random weights make the rounding differ from one
component to the next, and EM iterated without a stopping rule amplifies those $10^{-16}$ differences,
roughly doubling them per iteration, until the components separate after some 50 iterations; a
stopping rule on the likelihood halts at once, since the likelihood does not change there. Rounding
is no way to initialise: with equal weights, as in 5.1, the components stay identical bit for bit.)""",
        chains=identical_components_chains("random"),
    )


# =========================================================================== question 4


@REGISTRY.register("4", status="checked")
def one_em_step() -> Answer:
    return Answer(
        summary=r"""The correct candidate keeps two nearly concentric circles around the data's centre: the solid
(narrow) circle fits the points near $\mu_0$ and stays the smaller one, the dashed (wide) circle
takes the outlying points; the means move only slightly, on opposite sides of the data mean, and
the weights move away from $1/2$ according to how much data lies inside radius
$2\sigma_1\sqrt{\ln 2}\approx1.67\,\sigma_1$.""",
        explanation=r"""(The homework's figure is not available, so this is what any correct candidate must show, on a
simulated data set of two clusters: see the figure.) With $\mu_1=\mu_2=\mu_0$, $p_1=p_2$ and
$\sigma_2^2=2\sigma_1^2$, the responsibility of the narrow component depends only on
$D=\|x-\mu_0\|^2$: $Q(1\mid x)=1/(1+2^{-d/2}e^{D/(4\sigma_1^2)})$, strictly decreasing, equal to $1/2$ at
$D=2d\sigma_1^2\ln2$ (for $d=2$, radius $1.67\sigma_1$). So the E-step hands the central points to
the narrow component and the outer points to the wide one. Proved in general: (i) this radial rule;
(ii) $N_1\mu_1'+N_2\mu_2'=\sum_ix^{(i)}$, so the new means lie on opposite sides of the data mean
$\bar x$ (both stay at $\mu_0$ when the data are symmetric about it); (iii) the narrow
component's weighted mean squared distance to $\mu_0$ is at most the wide one's (Chebyshev's sum
inequality, because the responsibility ratio decreases with $D$). Depends on the data: whether
each variance grows or shrinks (both grow when the data spread exceeds $\sigma_2$), which weight
grows (the narrow one iff the average responsibility of the points exceeds $1/2$), and how far the
means move (the asymmetry of the data about $\mu_0$). With $\mu_0$ at the data mean the narrow
variance stayed below the wide one on every random data set we tried, but not in general: with
$\mu_0$ off to one side the order can flip. EM never lowers the likelihood.""",
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
