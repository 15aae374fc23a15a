"""The registered answers of question 8 (parts 8a-8e): quantities, prose, chains, checks, figures."""

from __future__ import annotations

import functools

import sympy as sp

from derivations.answer import Answer, Check, Figure, Quantity
from derivations.diffusion.chains import (forward_chains, large_t_chains, marginal_chains, noise_posterior_chains,
                                          optimal_predictor_chains)
from derivations.diffusion.checks import (check_beats_perturbations, check_closed_form_matches_kernel,
                                          check_forward_marginal, check_large_t, check_likelihood_ratio,
                                          check_posterior_ball, check_posterior_calibration,
                                          check_residual_orthogonality, check_two_point_marginal,
                                          on_homework_and_random)
from derivations.diffusion.symbols import (EPS_STAR, FORWARD_MARGINAL, MISTAKABLE, NOISE_POSTERIOR,
                                           TWO_POINT_MARGINAL, XHAT, abar, x_0, x_t, xhat_1, xhat_2)
from derivations.hw7 import REGISTRY
from derivations.symbolic import UNIT

_quantity = functools.partial(Quantity, mistakable=MISTAKABLE)


@REGISTRY.register("8a", status="proved")
def forward_marginal() -> Answer:
    return Answer(
        summary=r"That is, $x_t=\sqrt{\bar\alpha_t}\,x_0+\sqrt{1-\bar\alpha_t}\,\varepsilon$ with "
                r"$\varepsilon\sim\mathcal{N}(0,I)$ and $\bar\alpha_t=\prod_{s\le t}\alpha_s$.",
        explanation=r"Two steps already show the pattern: substituting $x_1$ into the update for $x_2$ "
                    r"gives $x_0$ scaled by $\sqrt{\alpha_1\alpha_2}$ plus two independent Gaussian "
                    r"noises, whose variances $\alpha_2(1-\alpha_1)$ and $1-\alpha_2$ add up to "
                    r"$1-\alpha_1\alpha_2$. A sum of independent Gaussians is Gaussian, so the two "
                    r"noises are one noise $\sqrt{1-\bar\alpha_2}\,\varepsilon$. The same computation "
                    r"is the induction step: if $x_{t-1}$ given $x_0$ is "
                    r"$\mathcal{N}(\sqrt{\bar\alpha_{t-1}}x_0,(1-\bar\alpha_{t-1})I)$, then $x_t$ has "
                    r"mean $\sqrt{\alpha_t\bar\alpha_{t-1}}x_0=\sqrt{\bar\alpha_t}x_0$ and variance "
                    r"$\alpha_t(1-\bar\alpha_{t-1})+1-\alpha_t=1-\bar\alpha_t$ in each coordinate, and "
                    r"its moment generating function is that of a normal law. Coordinates do not "
                    r"interact (the noise covariance is a multiple of $I$), so each chain below works "
                    r"on one coordinate, with $x_0$ standing for that coordinate.",
        chains=forward_chains(),
        checks=(Check("iterated forward process",
                      r"Running the update step by step from a fixed $x_0$, $x_t$ has the derived mean, "
                      r"covariance and Gaussian shape.", check_forward_marginal),),
        quantities=(_quantity("forward marginal q(x_t | x_0)", FORWARD_MARGINAL,
                              symbols=(x_0, abar), domains={abar: UNIT}, lhs=sp.Function("q_cond")(x_t, x_0),
                              description="x_0 is one symbol standing for the data vector; the "
                                          "covariance (1 - alphabar_t) I is stored as the scalar 1 - alphabar_t."),),
    )


@REGISTRY.register("8b", status="proved")
def two_point_marginal() -> Answer:
    chains = marginal_chains()
    return Answer(
        summary=r"In closed form "
                r"$q(x_t)=\frac{1}{2\pi(1-\bar\alpha_t)}\exp\!\Big(-\frac{\|x_t\|^2+\bar\alpha_t-\sqrt{\bar\alpha_t}"
                r"(x_{t,1}+x_{t,2})}{2(1-\bar\alpha_t)}\Big)\cosh\frac{\sqrt{\bar\alpha_t}(x_{t,1}-x_{t,2})}{2(1-\bar\alpha_t)}$.",
        explanation=r"Marginalising over the data point is the law of total probability: "
                    r"$q(x_t)=\sum_{x_0}q(x_0)\,q(x_t\mid x_0)$, and 8a gives each $q(x_t\mid x_0)$. Both "
                    r"components have the same isotropic covariance and their means are the two data "
                    r"points shrunk by $\sqrt{\bar\alpha_t}$, so the mixture has two bumps that merge "
                    r"into one standard normal as $\bar\alpha_t\to0$. Its mean is "
                    r"$\frac{\sqrt{\bar\alpha_t}}{2}[1,1]^T$ and its covariance is the noise covariance "
                    r"plus $\bar\alpha_t$ times the covariance of the data, which is spread only along "
                    r"$[1,-1]^T$. The representation for checking answers lists the two components with "
                    r"their means as $2\times1$ matrices and the covariance $(1-\bar\alpha_t)I$ as a scalar.",
        chains=chains,
        checks=(Check("forward process over both data points",
                      r"$x_T$ simulated from a random data point has the mixture's mean, covariance and "
                      r"distribution, and the closed-form density matches the log-space kernel.",
                      check_two_point_marginal),),
        quantities=(_quantity("marginal q(x_t) over the two data points", TWO_POINT_MARGINAL,
                              symbols=(abar,), domains={abar: UNIT}, lhs=sp.Function("q")(x_t),
                              description="Mixture with weights (1/2, 1/2) of Gaussian components whose means "
                                          "are 2x1 matrices sqrt(alphabar_t)*[1,0] and sqrt(alphabar_t)*[0,1] and "
                                          "whose covariance (1 - alphabar_t) I is stored as the scalar 1 - alphabar_t."),),
    )


@REGISTRY.register("8c", status="proved")
def optimal_predictor() -> Answer:
    chains = optimal_predictor_chains()
    return Answer(
        summary=r"For any weighted data set, $\varepsilon^*(\hat x,t)=E[\varepsilon\mid x_t=\hat x]"
                r"=\sum_i p(x^{(i)}\mid \hat x)\,\frac{\hat x-\sqrt{\bar\alpha_t}\,x^{(i)}}{\sqrt{1-\bar\alpha_t}}"
                r"=\frac{\hat x-\sqrt{\bar\alpha_t}\,E[x_0\mid x_t=\hat x]}{\sqrt{1-\bar\alpha_t}}$, with "
                r"$p(x^{(i)}\mid \hat x)=\mathrm{softmax}_i\big(\log w_i+\frac{\sqrt{\bar\alpha_t}\,\hat x\cdot x^{(i)}"
                r"-\bar\alpha_t\|x^{(i)}\|^2/2}{1-\bar\alpha_t}\big)$. For the homework's points "
                r"$[1,0]^T,[0,1]^T$ with weights $\frac{1}{2}$ the softmax is the logistic sigmoid "
                r"$\sigma(z)=1/(1+e^{-z})$ of the log-odds $z$ of $[1,0]^T$ against $[0,1]^T$.",
        explanation=r"With an arbitrarily flexible $\varepsilon_\theta$ the expected loss splits over $t$ and "
                    r"over the value $\hat x$ of $x_t$: for each of them the model picks one vector $c$ to "
                    r"minimise $E[\|\varepsilon-c\|^2\mid x_t=\hat x]$. Completing the square shows the loss "
                    r"exceeds its value at the conditional mean by $\|c-E[\varepsilon\mid \hat x]\|^2$, so the "
                    r"optimum is $E[\varepsilon\mid x_t=\hat x]$. Given $\hat x$ and the data point $x_0$, "
                    r"the noise is fixed: $\varepsilon=(\hat x-\sqrt{\bar\alpha_t}x_0)/\sqrt{1-\bar\alpha_t}$. "
                    r"So the conditional mean averages these values with the posterior weights of the "
                    r"data points, which Bayes' rule gives as a softmax (the $\|\hat x\|^2$ term is the same "
                    r"for every point and drops out). With two points a softmax is a logistic sigmoid of "
                    r"the difference of the two logits. For checking answers, the two-point form is a "
                    r"$2\times1$ matrix in the coordinates $\hat x_1,\hat x_2$.",
        chains=chains,
        checks=(
            Check("residual orthogonality",
                  r"The residual $\varepsilon-\varepsilon^*(x_t)$ has zero correlation with bounded functions "
                  r"of $x_t$, on the homework's data (closed form) and on a random weighted data set "
                  r"(log-space kernel).", on_homework_and_random(check_residual_orthogonality)),
            Check("paired loss comparison",
                  r"On the same samples, moving $\varepsilon^*$ by $0.25$ along any of 12 unit direction fields "
                  r"raises the loss.", on_homework_and_random(check_beats_perturbations)),
            Check("closed form against kernel",
                  "The sigmoid form equals the general softmax computed in log space.",
                  check_closed_form_matches_kernel),
        ),
        quantities=(_quantity("optimal noise prediction eps*(xhat, t)", EPS_STAR, symbols=(xhat_1, xhat_2, abar),
                              domains={abar: UNIT}, lhs=r"\varepsilon^*(\hat x,t)", chain=chains[-1].title,
                              description="2x1 matrix in the coordinates xhat_1, xhat_2 of xhat (the answer is "
                                          "not a function of xhat as one symbol): (xhat - sqrt(alphabar_t)"
                                          "[s, 1 - s]) / sqrt(1 - alphabar_t) with s = sigmoid(sqrt(alphabar_t)"
                                          "(xhat_1 - xhat_2) / (1 - alphabar_t))."),),
    )


@REGISTRY.register("8d", status="proved")
def noise_posterior() -> Answer:
    return Answer(
        summary=r"For any weighted data set, given $x_t=\hat x$ the noise is discrete: "
                r"$\varepsilon=\varepsilon_i(\hat x)="
                r"\frac{\hat x-\sqrt{\bar\alpha_t}\,x^{(i)}}{\sqrt{1-\bar\alpha_t}}$ with probability "
                r"$p(x^{(i)}\mid \hat x)=\frac{w_i\,\mathcal{N}(\hat x;\sqrt{\bar\alpha_t}x^{(i)},(1-\bar\alpha_t)I)}"
                r"{\sum_j w_j\,\mathcal{N}(\hat x;\sqrt{\bar\alpha_t}x^{(j)},(1-\bar\alpha_t)I)}$. Above, the "
                r"homework's two points with equal weights: the mass on each atom is the posterior "
                r"probability of the data point it comes from.",
        explanation=r"In the graphical model $x_0\to x_t\leftarrow\varepsilon$ the observation "
                    r"$x_t=\hat x$ ties the two parents together: once $x_0$ is known, only one noise "
                    r"value reaches $\hat x$. So the posterior over $(x_0,\varepsilon)$ lives on the $n$ "
                    r"pairs $(x^{(i)},\varepsilon_i(\hat x))$, and the posterior over $\varepsilon$ puts on "
                    r"$\varepsilon_i(\hat x)$ the posterior probability of $x^{(i)}$. That probability is "
                    r"prior times likelihood, and the likelihood of $x^{(i)}$ is what remains after "
                    r"integrating the noise density against the constraint: the noise density at "
                    r"$\varepsilon_i$ divided by $(1-\bar\alpha_t)^{d/2}$, which is the forward density "
                    r"of 8a. The mean of this discrete law is the answer of 8c. For checking answers the "
                    r"law is a set of point masses whose atoms are $2\times1$ matrices in $\hat x_1,\hat x_2$.",
        chains=noise_posterior_chains(),
        checks=(
            Check("conditioning on a small ball",
                  r"Simulated samples with $x_t$ near $\hat x$ carry the labels the exact ball probabilities "
                  r"predict, their noise sits at the atoms, and the ball probabilities tend to the weights.",
                  check_posterior_ball),
            Check("posterior calibration",
                  "The claimed discrete posterior gives the right conditional expectation of functions "
                  "of the noise, for a random weighted data set.", check_posterior_calibration),
            Check("likelihood ratios", "The log-space kernel's posterior odds are Bayes' rule.",
                  check_likelihood_ratio),
        ),
        quantities=(_quantity("posterior over the noise given x_t = xhat", NOISE_POSTERIOR,
                              symbols=(xhat_1, xhat_2, abar), domains={abar: UNIT},
                              lhs=r"p(\varepsilon\mid x_t=\hat x)",
                              description="Point masses (sigma(z), 1 - sigma(z)) on the 2x1 matrices "
                                          "(xhat - sqrt(alphabar_t) e_i) / sqrt(1 - alphabar_t), e_1 = [1,0], "
                                          "e_2 = [0,1], xhat = [xhat_1, xhat_2], z = sqrt(alphabar_t)(xhat_1 - "
                                          "xhat_2) / (1 - alphabar_t)."),),
    )


@REGISTRY.register("8e", status="proved")
def large_t() -> Answer:
    chains = large_t_chains()
    return Answer(
        summary=r"As $t$ grows, $\bar\alpha_t\to0$: the best guess of the noise is the input itself, because "
                r"$x_t$ is almost pure noise, and the data points are weighed by their prior alone. The gap "
                r"closes like "
                r"$\varepsilon^*-\hat x\approx-\sqrt{\bar\alpha_t}\,E[x_0]=-\sqrt{\bar\alpha_t}\,[\tfrac{1}{2},\tfrac{1}{2}]^T$, "
                r"so $\|\varepsilon^*-\hat x\|\approx\sqrt{\bar\alpha_t/2}$; on the linear schedule "
                r"$\beta_t$ from $10^{-4}$ to $0.02$, $T=1000$, that is about $4.5\times10^{-3}$ at $t=T$.",
        explanation=r"In the softmax of 8c the data enter the logits only through "
                    r"$\sqrt{\bar\alpha_t}\,\hat x\cdot x^{(i)}$ and $\bar\alpha_t\|x^{(i)}\|^2$, both divided "
                    r"by $1-\bar\alpha_t$, so both vanish and only the log prior weights remain: $\hat x$ no "
                    r"longer tells the data points apart. Then $E[x_0\mid \hat x]$ tends to the prior mean, "
                    r"which is bounded, and in $(\hat x-\sqrt{\bar\alpha_t}E[x_0\mid \hat x])/\sqrt{1-\bar\alpha_t}$ "
                    r"the data term dies with $\sqrt{\bar\alpha_t}$ while the denominator tends to 1. "
                    r"Since $\bar\alpha_t\approx\exp(-\sum_{s\le t}\beta_s)$ falls faster than exponentially "
                    r"in $t$ on a linear schedule, $\|\varepsilon^*-\hat x\|$ does too. The numerical check "
                    r"bounds the remainder explicitly (from $1-\sqrt{1-a}\le a$ and "
                    r"$|\sigma(z)-\frac{1}{2}|\le|z|/4$) and verifies the bound at every step of the schedule.",
        chains=chains,
        checks=(Check("linear schedule, $T=1000$",
                      r"Along the schedule the log-space kernel agrees with the closed form, and the distance "
                      r"from the prediction to its input is $\sqrt{\bar\alpha_t}$ times the length of the "
                      r"prior mean, up to the derived remainder.", check_large_t),),
        figures=(Figure("fig-8e-optimal-eps.pdf",
                        r"Left: distance $\|\varepsilon^*(\hat x,t)-\hat x\|$ between the optimal noise prediction "
                        r"and its input along the linear schedule ($\beta_t$ from $10^{-4}$ to $0.02$, "
                        r"$T=1000$), for a few inputs, with the asymptote $\sqrt{\bar\alpha_t/2}$. Right: the "
                        r"posterior weight of $[1,0]^T$ tends to the prior $\frac{1}{2}$.", "draw_optimal_eps"),),
        quantities=(
            _quantity("limit of eps*(xhat, t) as alphabar_t -> 0", XHAT, symbols=(xhat_1, xhat_2),
                      lhs=r"\lim_{\bar\alpha_t\to0}\,\varepsilon^*(\hat x,t)",
                      chain="two points: the optimal prediction tends to its input",
                      description="2x1 matrix [xhat_1, xhat_2]: the input itself."),
            _quantity("limit of the posterior weights as alphabar_t -> 0", sp.Matrix([sp.Rational(1, 2)] * 2),
                      lhs=r"\lim_{\bar\alpha_t\to0}\big(p(x_0=[1,0]^T\mid x_t=\hat x),\,"
                          r"p(x_0=[0,1]^T\mid x_t=\hat x)\big)^T",
                      description="the prior weights (1/2, 1/2) of [1,0] and [0,1]."),
        ),
    )
