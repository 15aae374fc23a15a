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
from derivations.diffusion.symbols import (EPS_STAR, FORWARD_MARGINAL, LOG_ODDS, MISTAKABLE, NOISE_POSTERIOR,
                                           TWO_POINT_MARGINAL, XHAT, abar, x_0, x_t, xhat_1, xhat_2)
from numerics import diffusion as nd
from derivations.hw7 import REGISTRY
from derivations.symbolic import UNIT

_quantity = functools.partial(Quantity, mistakable=MISTAKABLE)


@REGISTRY.register("8a", status="proved")
def forward_marginal() -> Answer:
    (mgf,) = forward_chains()
    return Answer(
        summary=r"That is, $x_t=\sqrt{\bar\alpha_t}\,x_0+\sqrt{1-\bar\alpha_t}\,\varepsilon$ with "
                r"$\varepsilon\sim\mathcal{N}(0,I)$, where $\bar\alpha_t=\prod_{s=1}^t\alpha_s$.",
        explanation=r"Two steps show the pattern: $x_2=\sqrt{\alpha_2}(\sqrt{\alpha_1}x_0+\sqrt{1-\alpha_1}\,"
                    r"\varepsilon_1)+\sqrt{1-\alpha_2}\,\varepsilon_2$ is $\sqrt{\alpha_1\alpha_2}\,x_0$ plus two "
                    r"independent Gaussian noises whose variances $\alpha_2(1-\alpha_1)$ and $1-\alpha_2$ add up "
                    r"to $1-\alpha_1\alpha_2$ in each coordinate, so they are one noise "
                    r"$\sqrt{1-\bar\alpha_2}\,\varepsilon$. In general, by induction on $t$: suppose "
                    r"$x_{t-1}=\sqrt{\bar\alpha_{t-1}}\,x_0+\sqrt{1-\bar\alpha_{t-1}}\,\bar\varepsilon$ with "
                    r"$\bar\varepsilon\sim\mathcal{N}(0,I)$ independent of $\varepsilon_t$ (at $t=1$ this holds "
                    r"with $\bar\alpha_0=1$). Then $x_t=\sqrt{\alpha_t}\,x_{t-1}+\sqrt{1-\alpha_t}\,\varepsilon_t$, "
                    r"and the chain computes its moment generating function, coordinate by coordinate in "
                    r"$\mathbb{R}^d$, for every $u\in\mathbb{R}^d$: it is that of "
                    r"$\mathcal{N}(\sqrt{\bar\alpha_t}\,x_0,(1-\bar\alpha_t)I)$, and a moment generating "
                    r"function determines the law. That is the hypothesis at $t$.",
        chains=(mgf,),
        checks=(Check("iterated forward process",
                      r"Running the update step by step from a fixed $x_0$, $x_t$ has the derived mean, "
                      r"covariance and Gaussian shape.", check_forward_marginal),),
        quantities=(_quantity("forward marginal q(x_t | x_0)", FORWARD_MARGINAL,
                              symbols=(x_0, abar), domains={abar: UNIT}, lhs=sp.Function("q_cond")(x_t, x_0),
                              chain=mgf.title,
                              description="x_0 is one symbol standing for the data vector; the "
                                          "covariance (1 - alphabar_t) I is stored as the scalar 1 - alphabar_t."),),
    )


@REGISTRY.register("8b", status="proved")
def two_point_marginal() -> Answer:
    (law,) = marginal_chains()
    return Answer(
        summary=r"That is, $x_t$ is drawn by picking one of the two data points with probability $\frac{1}{2}$ "
                r"and adding the forward noise of 8a to it.",
        explanation=r"Marginalising over the data point is the law of total probability: "
                    r"$q(x_t)=\sum_{x_0}q(x_0)\,q(x_t\mid x_0)$, with $q(x_0)=\frac{1}{2}$ on each point and "
                    r"$q(x_t\mid x_0)$ from 8a. Both components have the covariance $(1-\bar\alpha_t)I$ and "
                    r"their means are the two data points shrunk by $\sqrt{\bar\alpha_t}$, so the mixture has "
                    r"two bumps, which merge into one standard normal as $\bar\alpha_t\to0$.",
        chains=(law,),
        checks=(Check("forward process over both data points",
                      r"$x_T$ simulated from a random data point has the mixture's mean, covariance and "
                      r"distribution, and the mixture's density matches the log-space kernel.",
                      check_two_point_marginal),),
        quantities=(_quantity("marginal q(x_t) over the two data points", TWO_POINT_MARGINAL,
                              symbols=(abar,), domains={abar: UNIT}, lhs=sp.Function("q")(x_t), chain=law.title,
                              description="Mixture with weights (1/2, 1/2) of Gaussian components whose means "
                                          "are 2x1 matrices sqrt(alphabar_t)*[1,0] and sqrt(alphabar_t)*[0,1] and "
                                          "whose covariance (1 - alphabar_t) I is stored as the scalar 1 - alphabar_t."),),
    )


@REGISTRY.register("8c", status="proved")
def optimal_predictor() -> Answer:
    minimiser, bayes, weight, prediction = optimal_predictor_chains()
    return Answer(
        summary=r"Here $\hat x=[\hat x_1,\hat x_2]^T$, $\sigma(z)=1/(1+e^{-z})$ and "
                r"$z=\sqrt{\bar\alpha_t}(\hat x_1-\hat x_2)/(1-\bar\alpha_t)$ is the posterior log-odds of "
                r"$[1,0]^T$ against $[0,1]^T$. In words: $\varepsilon^*(\hat x,t)=\mathbb{E}[\varepsilon\mid "
                r"x_t=\hat x]=\sum_i p(x^{(i)}\mid\hat x)\,\varepsilon_i(\hat x)$, where "
                r"$\varepsilon_i(\hat x)=(\hat x-\sqrt{\bar\alpha_t}\,x^{(i)})/\sqrt{1-\bar\alpha_t}$ is the "
                r"noise that carries the data point $x^{(i)}$ to $\hat x$ and $p(x^{(i)}\mid\hat x)$ its "
                r"posterior probability.",
        explanation=r"The loss averages, over $t$ and over the value $\hat x$ of $x_t$, the conditional "
                    r"loss $\mathbb{E}[\|\varepsilon-\varepsilon_\theta(\hat x,t)\|^2\mid x_t=\hat x]$. A model "
                    r"that is arbitrarily flexible picks the vector $c=\varepsilon_\theta(\hat x,t)$ for each "
                    r"$t$ and $\hat x$ separately, so it minimises each conditional loss. Given $\hat x$ the "
                    r"noise is $\varepsilon_i(\hat x)$ with probability $p(x^{(i)}\mid\hat x)$ (8d), so the "
                    r"conditional loss is $\sum_i p(x^{(i)}\mid\hat x)\sum_j(c_j-\varepsilon_{i,j})^2$, where "
                    r"$\varepsilon_{i,j}$ is coordinate $j$ of $\varepsilon_i(\hat x)$; completing the square "
                    r"about the posterior mean $\mu_j$ (first chain) shows that the optimum is "
                    r"$c=\mu=\mathbb{E}[\varepsilon\mid x_t=\hat x]$. The posterior weights come from Bayes' "
                    r"rule (second chain). For the homework's two points with equal weights the normalising "
                    r"constants cancel, and the weight of $[1,0]^T$ is the sigmoid of the difference of the two "
                    r"squared distances over $2(1-\bar\alpha_t)$, which is linear in $\hat x$ (third chain).",
        chains=(minimiser, bayes, weight, prediction),
        checks=(
            Check("residual orthogonality",
                  r"The residual $\varepsilon-\varepsilon^*(x_t)$ has zero correlation with bounded functions "
                  r"of $x_t$, on the homework's data (closed form) and on a random weighted data set "
                  r"(log-space kernel).", on_homework_and_random(check_residual_orthogonality)),
            Check("paired loss comparison",
                  r"On the same samples, moving $\varepsilon^*$ along unit direction fields raises the loss.",
                  on_homework_and_random(check_beats_perturbations)),
            Check("closed form against kernel",
                  "The sigmoid form equals the general softmax computed in log space.",
                  check_closed_form_matches_kernel),
        ),
        quantities=(_quantity("optimal noise prediction eps*(xhat, t)", EPS_STAR, symbols=(xhat_1, xhat_2, abar),
                              domains={abar: UNIT}, lhs=r"\varepsilon^*(\hat x,t)", chain=prediction.title,
                              defined={"z": LOG_ODDS},
                              description="2x1 matrix in the coordinates xhat_1, xhat_2 of xhat (the answer is "
                                          "not a function of xhat as one symbol): (xhat - sqrt(alphabar_t)"
                                          "[s, 1 - s]) / sqrt(1 - alphabar_t) with s = sigmoid(sqrt(alphabar_t)"
                                          "(xhat_1 - xhat_2) / (1 - alphabar_t))."),),
    )


@REGISTRY.register("8d", status="proved")
def noise_posterior() -> Answer:
    solve, by_point = noise_posterior_chains()
    return Answer(
        summary=r"The noise is discrete: it equals $\varepsilon_i(\hat x)=(\hat x-\sqrt{\bar\alpha_t}\,x^{(i)})"
                r"/\sqrt{1-\bar\alpha_t}$ with the posterior probability $p(x^{(i)}\mid\hat x)$ of the data "
                r"point $x^{(i)}$; for $x^{(1)}=[1,0]^T$ and $x^{(2)}=[0,1]^T$ that is $\sigma(z)$ and "
                r"$\sigma(-z)$, with $z$ and $\sigma$ as in 8c. For any data set with weights $w_i$, "
                r"$p(x^{(i)}\mid\hat x)\propto w_i\,\mathcal{N}(\hat x;\sqrt{\bar\alpha_t}x^{(i)},(1-\bar\alpha_t)I)$.",
        explanation=r"In the graphical model $x_0\to x_t\leftarrow\varepsilon$ the observation "
                    r"$x_t=\hat x$ ties the two parents together: once $x_0$ is known only one noise value "
                    r"reaches $\hat x$ (first chain). So, by total probability over $x_0$ given $\hat x$, the "
                    r"posterior over $\varepsilon$ puts on $\varepsilon_i(\hat x)$ the posterior probability of "
                    r"$x^{(i)}$, which Bayes' rule gives as prior times the Gaussian likelihood of 8a, "
                    r"normalised (second chain). Its mean is the answer of 8c.",
        chains=(solve, by_point),
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
                              lhs=r"p(\varepsilon\mid x_t=\hat x)", chain=by_point.title, defined={"z": LOG_ODDS},
                              description="Point masses (sigma(z), sigma(-z)) on the 2x1 matrices "
                                          "(xhat - sqrt(alphabar_t) e_i) / sqrt(1 - alphabar_t), e_1 = [1,0], "
                                          "e_2 = [0,1], xhat = [xhat_1, xhat_2], z = sqrt(alphabar_t)(xhat_1 - "
                                          "xhat_2) / (1 - alphabar_t)."),),
    )


def _schedule_words() -> str:
    """The DDPM linear schedule of the checks and the figure, in words (from the schedule itself)."""
    betas = nd.linear_schedule()
    return rf"$\beta_t$ from ${betas[0]:.4g}$ to ${betas[-1]:.4g}$, $T={len(betas)}$"


@REGISTRY.register("8e", status="proved")
def large_t() -> Answer:
    weights, prediction, rate, any_data = large_t_chains()
    return Answer(
        summary=r"As $t$ grows, $\bar\alpha_t\to0$ and the best guess of the noise is the input itself: "
                r"$x_t$ is almost pure noise, and the data points are weighed by their prior alone. The gap "
                r"closes like $\varepsilon^*-\hat x\approx-\sqrt{\bar\alpha_t}\,\mathbb{E}[x_0]"
                r"=-\sqrt{\bar\alpha_t}\,[\tfrac{1}{2},\tfrac{1}{2}]^T$.",
        explanation=r"``$t$ large'' makes the signal fade only if $\bar\alpha_t\to0$, that is if "
                    r"$\sum_{s\le t}\beta_s\to\infty$: $\bar\alpha_t=\prod_{s\le t}(1-\beta_s)\le "
                    r"e^{-\sum_{s\le t}\beta_s}$ since $1-\beta\le e^{-\beta}$, while for summable $\beta_s<1$ "
                    r"the product stays positive. This holds for a constant schedule or any schedule with "
                    r"$\beta_s$ bounded away from 0; a DDPM schedule such as the linear one has a finite $T$ "
                    r"and is chosen so that $\bar\alpha_T$ is close to 0, so ``large $t$'' means $t$ near $T$. "
                    r"As $\bar\alpha_t\to0$ the likelihood "
                    r"$\mathcal{N}(\hat x;\sqrt{\bar\alpha_t}x^{(i)},(1-\bar\alpha_t)I)$ tends to "
                    r"$\mathcal{N}(\hat x;0,I)$ for every data point, so $\hat x$ no longer tells them apart "
                    r"and the posterior weights tend to the prior (first chain). Then "
                    r"$\mathbb{E}[x_0\mid\hat x]$ stays in the convex hull of the data, the term "
                    r"$\sqrt{\bar\alpha_t}\,\mathbb{E}[x_0\mid\hat x]$ vanishes and $\sqrt{1-\bar\alpha_t}\to1$, "
                    r"for any data set (last chain).",
        chains=(weights, prediction, rate, any_data),
        checks=(Check("linear schedule",
                      r"Along the DDPM linear schedule the log-space kernel agrees with the closed form, and the "
                      r"distance from the prediction to its input is $\sqrt{\bar\alpha_t}$ times the length of "
                      r"the prior mean, up to a bounded remainder.", check_large_t),),
        figures=(Figure("fig-8e-optimal-eps.pdf",
                        r"Left: distance $\|\varepsilon^*(\hat x,t)-\hat x\|$ between the optimal noise prediction "
                        rf"and its input along the linear schedule ({_schedule_words()}), for a few inputs, with "
                        r"the asymptote $\sqrt{\bar\alpha_t/2}$. Right: the posterior weight of $[1,0]^T$ tends to "
                        r"the prior $\frac{1}{2}$.", "draw_optimal_eps"),),
        quantities=(
            _quantity("limit of eps*(xhat, t) as alphabar_t -> 0", XHAT, symbols=(xhat_1, xhat_2),
                      lhs=r"\lim_{\bar\alpha_t\to0}\,\varepsilon^*(\hat x,t)", chain=prediction.title,
                      description="2x1 matrix [xhat_1, xhat_2]: the input itself."),
            _quantity("limit of the posterior weights as alphabar_t -> 0", sp.Matrix([sp.Rational(1, 2)] * 2),
                      lhs=r"\lim_{\bar\alpha_t\to0}\big(p(x_0=[1,0]^T\mid x_t=\hat x),\,"
                          r"p(x_0=[0,1]^T\mid x_t=\hat x)\big)^T", chain=weights.title,
                      description="the prior weights (1/2, 1/2) of [1,0] and [0,1]."),
        ),
    )
