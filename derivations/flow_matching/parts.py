"""The registered answers of Question 9: quantities, prose, chains, checks and figures of 9a-9h."""

from __future__ import annotations

import math

from derivations.answer import Answer, Check, Figure, Quantity
from derivations.flow_matching import chains, checks
from derivations.flow_matching.symbols import (CFM_LOSS, CONDITIONAL_PATH, CONTINUITY_RESIDUAL, END_POINT_LIMIT,
                                               MARGINAL_DENSITY, POSTERIOR, REGRESSION_TARGET, X, X_T, d, i, n, t,
                                               x, x_0, x_1)
from derivations.hw7 import REGISTRY
from derivations.symbolic import UNIT


@REGISTRY.register("9a", status="proved")
def conditional_path() -> Answer:
    (density,) = chains.conditional_path()
    return Answer(
        summary=r"For $0 \le t < 1$: $x_t$ is Gaussian around $t x_1$, with standard deviation "
                r"$\sigma_t = 1 - t$ in every coordinate.",
        explanation=(
            r"With $x_1$ held fixed, $x_t = (1-t)x_0 + t x_1$ is an affine image of $x_0 \sim \mathcal{N}(0, I)$: "
            r"each coordinate is scaled by $1-t$ and shifted by $t x_{1,k}$. Inverting, "
            r"$x_0 = (x - t x_1)/(1-t)$, whose Jacobian is $(1-t)^{-1} I$ with determinant $(1-t)^{-d}$, so the "
            r"change-of-variables formula gives the density below; the factor $(1-t)^{-d}$ is the normalising "
            r"constant of a Gaussian with covariance $(1-t)^2 I$. Hence mean $t x_1$ and covariance "
            r"$(1-t)^2 I$."),
        chains=(density,),
        checks=(Check("simulated conditional path",
                      r"$x_t = (1-t)x_0 + t x_1$ with a fixed $x_1$ has the law $\mathcal{N}(t x_1, (1-t)^2 I)$",
                      checks.check_conditional_path),),
        quantities=(Quantity("conditional path", CONDITIONAL_PATH, symbols=(t, x_1), domains={t: UNIT},
                             lhs=r"p_t(x \mid x_1)", chain=density.title,
                             description="N(x; t x_1, (1-t)^2 I) in d dimensions: the covariance is the scalar "
                                         "(1-t)^2 times the identity"),),
    )


@REGISTRY.register("9b", status="proved")
def conditional_limit() -> Answer:
    (limit,) = chains.conditional_limit()
    return Answer(
        summary=(r"The Gaussian $\mathcal{N}(t x_1, (1-t)^2 I)$ collapses to the point mass at $x_1$ "
                 r"(a Gaussian with mean $x_1$ and covariance $0$)."),
        explanation=(
            r"The mean $t x_1$ tends to $x_1$ and the covariance $(1-t)^2 I$ to $0$. In the limit there is "
            r"no density any more: at any $x \ne x_1$ the density tends to $0$, while it integrates to one "
            r"for every $t$, so all the mass piles up at $x_1$. Precisely, $\mathcal{N}(x; t x_1, (1-t)^2 I)$ is "
            r"the standard Gaussian density rescaled by $\varepsilon = 1 - t$ around the centre $t x_1$; as "
            r"$\varepsilon \to 0$ and the centre tends to $x_1$, such a family tends to $\delta(x - x_1)$ as a "
            r"distribution: $E[g(x_t)] \to g(x_1)$ for every bounded continuous $g$."),
        chains=(limit,),
        checks=(Check("concentration on $x_1$", r"$E\|x_t - x_1\|^2$ and $E\, g(x_t)$ follow their closed forms, "
                      r"which converge to those of the point mass at $x_1$", checks.check_concentration),),
        quantities=(Quantity("limit of the conditional path", END_POINT_LIMIT, symbols=(x_1,),
                             lhs=r"\lim_{t \to 1} p_t(\cdot \mid x_1)", chain=limit.title,
                             description="a point mass at x_1 (equivalently a Gaussian with mean x_1, covariance 0)"),),
    )


@REGISTRY.register("9c", status="proved")
def marginal_path() -> Answer:
    (marginal,) = chains.marginal_path()
    return Answer(
        summary=r"An equal-weight mixture of the conditional paths, one per data point.",
        explanation=(
            r"The end point $x_1$ is drawn from $q = \mathrm{Unif}\{x^{(1)}, \dots, x^{(n)}\}$, so by the law of "
            r"total probability over its $n$ values, $p_t(x) = \sum_i q(x^{(i)})\, p_t(x \mid x^{(i)})$, with "
            r"$q(x^{(i)}) = 1/n$ and the Gaussian of 9a for each term. At $t=0$ every component is "
            r"$\mathcal{N}(0, I)$; as $t \to 1$ the components shrink onto the data points (9b), so $p_1 = q$."),
        chains=(marginal,),
        checks=(Check("simulated marginal path", r"$x_t$ with $x_1$ drawn uniformly from the data has the law of the "
                      r"mixture", checks.check_marginal_path),
                Check("numeric marginal density", r"the numeric $\log p_t$ is the mixture's log-density, exact "
                      r"near $t = 1$, and $p_t$ integrates to one (importance sampling from the mixture of "
                      r"components with twice the variance, weights bounded by $2^{d/2}$)",
                      checks.check_marginal_density)),
        quantities=(
            Quantity("marginal path density", MARGINAL_DENSITY, symbols=(x, t, n, X), domains={t: UNIT},
                     lhs=r"p_t(x)", chain=marginal.title,
                     description="(1/n) Sum_i N(x; t x^(i), (1-t)^2 I) in d dimensions; X is the base of the data "
                                 "points and n a positive integer symbol"),
        ),
    )


@REGISTRY.register("9d", status="explained")
def why_posterior_velocity() -> Answer:
    return Answer(
        summary=(r"$v_t(x)$ is the average velocity of the particles that are at $x$ at time $t$: every straight "
                 r"line through $x$ at time $t$ heading to $x_1$ moves with the constant velocity "
                 r"$(x_1 - x)/(1-t) = x_1 - x_0$, and $v_t$ averages these velocities with the probability "
                 r"$p(x_1 \mid x, t)$ that the line through $x$ is heading to $x_1$: "
                 r"$v_t(x) = E[x_1 - x_0 \mid x_t = x]$."),
        explanation=(
            r"Picture all the random lines $x_t = (1-t)x_0 + t x_1$ as particles. Particles that end at a "
            r"given $x_1$ and pass through $x$ at time $t$ still have to cover $x_1 - x$ in the remaining "
            r"time $1-t$, so their velocity is $(x_1 - x)/(1-t)$. Many lines, aimed at different end "
            r"points, cross the same $x$ at time $t$; a single deterministic field can only carry one "
            r"velocity per point, and the natural choice is their average, weighted by how much of the "
            r"probability mass at $x$ belongs to each end point, i.e. the posterior $p(x_1 \mid x, t)$ of 9e. "
            r"That is the velocity a fluid has at $x$: total momentum over total mass. Because the mass "
            r"flux $p_t v_t$ is then the sum of the fluxes of the conditional flows, and each conditional "
            r"flow satisfies the continuity equation, so does the mixture (proved in 9f); the field moves "
            r"$p_0 = \mathcal{N}(0, I)$ through exactly the path $p_t$ and ends at the data. It is also the "
            r"least-squares regression of $x_1 - x_0$ on $(x_t, t)$, which is why 9g can learn it."),
        chains=chains.line_velocity(),
        checks=(Check("velocity is the conditional mean of $x_1 - x_0$",
                      r"$E[(x_1 - x_0 - v_t(x_t))\, f(x_t)] = 0$ for $f = 1, x, \tanh x$, "
                      r"so $v_t(x) = E[x_1 - x_0 \mid x_t = x]$",
                      checks.check_velocity_is_conditional_mean),
                Check("straight lines have constant velocity",
                      r"$(x_1 - x_t)/(1 - t) = x_1 - x_0$ along every simulated line", checks.check_line_velocity)),
    )


@REGISTRY.register("9e", status="proved")
def posterior_endpoint() -> Answer:
    (bayes,) = chains.posterior_endpoint()
    return Answer(
        summary=(r"A softmax over the data points of $-\|x - t x^{(i)}\|^2 / 2(1-t)^2$; the posterior is $0$ at "
                 r"any $x_1$ that is not a data point."),
        explanation=(
            r"The prior on the end point is uniform on the data, $q(x^{(i)}) = 1/n$, and the likelihood of "
            r"$x_t = x$ is the conditional path $\mathcal{N}(x; t x^{(i)}, (1-t)^2 I)$ of 9a; Bayes' rule "
            r"divides their product by the evidence $p_t(x)$ of 9c. The prior and the Gaussian's "
            r"normalising constant are the same for every $i$ and cancel, leaving a softmax of the "
            r"log-likelihoods, whose squared norms are sums over the $d$ coordinates. At $t = 0$ the "
            r"posterior is the uniform prior; as $t \to 1$ it puts all its weight on the data point nearest "
            r"to $x/t$."),
        chains=(bayes,),
        checks=(Check("posterior over the end point", r"the numeric posterior is Bayes' rule and is calibrated: "
                      r"$E[1\{x_1 = x^{(i)}\} - p(x^{(i)} \mid x_t) \mid x_t] = 0$", checks.check_posterior),),
        quantities=(Quantity("posterior over the end point", POSTERIOR, symbols=(x, t, n, i, X, d),
                             domains={t: UNIT}, lhs=r"p(x_1 = x^{(i)} \mid x, t)", chain=bayes.title,
                             description="softmax over j = 1..n of -||x - t x^(j)||^2 / (2 (1-t)^2), the squared norm "
                                         "a sum over the d coordinates, evaluated at the index i"),),
    )


@REGISTRY.register("9f", status="proved")
def continuity_equation() -> Answer:
    conditional, marginal = chains.continuity_equation()
    return Answer(
        summary=(r"for $p_t(x) = \frac1n \sum_i \mathcal{N}(x; t x^{(i)}, (1-t)^2 I)$ and "
                 r"$v_t(x) = \sum_i p(x^{(i)} \mid x, t)\, \frac{x^{(i)} - x}{1-t}$, in any dimension $d$ "
                 r"(the 1-D case of the question is $d = 1$)."),
        explanation=(
            r"\emph{One conditional path.} For $p = \mathcal{N}(x; t x_1, (1-t)^2 I)$ and "
            r"$v = (x_1 - x)/(1-t)$, divide the residual by $p > 0$: it becomes "
            r"$\partial_t \log p + v \cdot \nabla \log p + \nabla \cdot v$, and the log-derivatives of the "
            r"Gaussian are polynomials in the coordinates $x_k - t x_{1,k}$ that cancel exactly (this is the "
            r"identity the question allows us to assume, proved here in $d$ dimensions). "
            r"\emph{The marginal.} With the posterior weights of 9e, "
            r"$p_t v_t = \frac1n \sum_i p_t(x \mid x^{(i)})\, \frac{x^{(i)} - x}{1-t}$: the evidence cancels, "
            r"so the marginal flux is the average of the conditional fluxes. Both $\partial_t$ and "
            r"$\nabla \cdot$ are linear, so the marginal residual is the average of the $n$ conditional "
            r"residuals, each zero."),
        chains=(conditional, marginal),
        checks=(Check("continuity equation by finite differences",
                      r"$|\partial_t \log p_t + v_t \cdot \nabla \log p_t + \nabla \cdot v_t|$ is at most "
                      rf"$10^{{{round(math.log10(checks.CONTINUITY_RTOL))}}}$ times (the sum of the three terms' "
                      r"sizes $+ 1$) for the numeric $p_t$ and $v_t$ (fourth-order central differences)",
                      checks.check_continuity_fd),
                Check("the flow of $v_t$ transports $p_0$ to $p_t$",
                      r"RK4 solutions of $dx/dt = v_t(x)$ from $x_0 \sim \mathcal{N}(0, I)$ have the law $p_\tau$",
                      checks.check_transport)),
        quantities=(Quantity("continuity residual", CONTINUITY_RESIDUAL, symbols=(x, t),
                             lhs=r"\partial_t p_t(x) + \nabla_x \cdot \bigl(p_t(x)\, v_t(x)\bigr)",
                             chain=marginal.title,
                             description="the residual of the continuity equation, identically 0"),),
    )


@REGISTRY.register("9g", status="checked")
def training_procedure() -> Answer:
    identity, split = chains.training_target()
    return Answer(
        summary=(
            r"Conditional flow matching. Repeat: draw a minibatch of data points $x_1$ from $\mathcal{D}$, "
            r"noise $x_0 \sim \mathcal{N}(0, I)$ and times $t \sim U[0,1)$; form $x_t = (1-t)x_0 + t x_1$; "
            r"take a gradient step on the minibatch mean of the per-sample loss. "
            r"The target is the velocity of the sampled line, $v_t(x_t \mid x_1) = (x_1 - x_t)/(1-t)$."),
        explanation=(
            r"9d--9f showed that $v_t(x) = E[x_1 - x_0 \mid x_t = x]$ generates the right probability path. "
            r"A conditional expectation is the minimiser of the mean squared error, so we can regress on the "
            r"per-line velocity without ever computing the posterior: expanding the square around $v_t$, "
            r"$E\|v_\theta - (x_1 - x_0)\|^2 = E\|v_\theta - v_t\|^2 + E\|v_t - (x_1 - x_0)\|^2$, because "
            r"the cross term has conditional mean zero given $x_t$. The second term does not depend on "
            r"$\theta$, so the CFM loss has the gradients of the intractable flow-matching loss and its "
            r"minimiser is $v_t$; an unbiased minibatch estimate of it gives stochastic gradients. "
            r"The implementation is a two-hidden-layer SiLU network of $(x, t)$ with "
            r"Fourier time features, hand-written backpropagation (checked against finite differences), "
            r"Adam with a cosine learning-rate decay and an exponential moving average of the weights. "
            r"Trained briefly on a handful of 2-D points and on a noisy ring, the loss falls to near its "
            r"irreducible minimum and the learned field approaches the closed-form $v_t$ of the data."),
        chains=(identity, split),
        checks=(Check("backpropagated gradients", "hand-written gradients match central finite differences",
                      checks.check_gradients),
                Check("training run", r"the loss falls, the learned field approaches the closed-form $v_t$, and "
                      r"the CFM loss differs from the distance to $v_t$ by a constant", checks.check_training)),
        figures=(Figure("fig-9g-training.pdf", r"CFM training: batch loss and the irreducible minimum; learned "
                        r"and exact fields at $t = 0.5$", "draw_training"),),
        quantities=(Quantity("regression target", REGRESSION_TARGET, symbols=(x_0, x_1, t), defined={"x_t": X_T},
                             lhs=r"v_t(x_t \mid x_1)", chain=identity.title,
                             description="the CFM target x_1 - x_0 (equal to (x_1 - x_t)/(1-t) on the line)"),
                    Quantity("CFM loss (per sample)", CFM_LOSS,
                             symbols=(x_0, x_1, t), domains={t: UNIT}, defined={"x_t": X_T},
                             lhs=r"\ell(\theta; x_0, x_1, t)",
                             description="squared error of v_theta(x_t, t) against x_1 - x_0, with x_t = "
                                         "(1-t) x_0 + t x_1; averaged over t ~ U[0,1), x_0 ~ N(0, I), x_1 ~ data")),
    )


@REGISTRY.register("9h", status="checked")
def sampling() -> Answer:
    return Answer(
        summary=(r"Draw $x_0 \sim \mathcal{N}(0, I)$ and solve $dx/dt = v_\theta(x, t)$ from $t = 0$ to $1$ "
                 r"(Euler or RK4 on a uniform grid); $x(1)$ is a sample of the model. The field is never "
                 r"evaluated at the singular $t = 1$: the last step is an Euler step from $1 - h$."),
        explanation=(
            r"By 9f the flow of $v_t$ carries $p_0$ to $p_t$ for every $t$, so its time-1 map pushes "
            r"$\mathcal{N}(0, I)$ onto $p_1$; replacing $v_t$ by the learned $v_\theta$ gives the model. "
            r"The integrator uses RK4 for all steps but the last, whose right-hand stage would sit at "
            r"$t = 1$; that step is an Euler step from $1 - h$, which for the exact field lands exactly on "
            r"the posterior mean $E[x_1 \mid x_t = x]$ (chain below). With the exact field of a handful of "
            r"points every sample therefore lands on a data point, each point equally often; the field "
            r"trained on those points sends its samples near them, and the field trained on a noisy ring "
            r"reproduces held-out ring data."),
        chains=chains.last_euler_step(),
        checks=(Check("exact field: samples land on the data", r"integrating the exact $v_t$ sends every sample "
                      r"to a data point, each point with probability $1/n$", checks.check_exact_sampler),
                Check("trained field: samples land near the data", r"samples of the model trained on a handful "
                      r"of points are nearer the data than draws of the base distribution, by a factor "
                      rf"{1 / checks.NEAR_FRACTION:g}", checks.check_trained_handful_sampler),
                Check("trained field: samples match the data", r"the energy distance of model samples to held-out "
                      rf"data is at most ${checks.MAX_ED_RATIO}$ times that of the best Gaussian fit",
                      checks.check_trained_sampler)),
        figures=(Figure("fig-9h-samples.pdf", r"Samples and trajectories of $dx/dt = v(x, t)$ from $\mathcal{N}(0, I)$: "
                        r"exact and learned fields for a handful of points, and the learned field for a ring",
                        "draw_samples"),),
    )
