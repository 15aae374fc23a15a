"""The registered answers of Questions 1 and 2: quantities, prose, chains, checks and the figure."""

from __future__ import annotations

from derivations.answer import Answer, Check, Figure, Quantity
from derivations.hw7 import REGISTRY
from derivations.warmup import chains as ch
from derivations.warmup import checks as ck
from derivations.warmup.symbols import (AR_DENSITY, COUNTS, FITTED, FLOW_DENSITY, FLOW_LOG_DENSITY, KDE_DENSITY,
                                        LIMIT, LOGISTIC_PMF, MIXTURE_DENSITY, THETA_HAT, VAE_MARGINAL, N, d,
                                        data, g_inv, h, k, label, latent, means, n, n1, p_hat, p_theta_cond, prob,
                                        sds, theta_vec, weights, x)

# --------------------------------------------------------------------------- 1a.i / 1b.i  KDE


@REGISTRY.register("1a.i", status="proved")
def kde_density() -> Answer:
    return Answer(
        quantities=(Quantity("p(x)", KDE_DENSITY, symbols=(x, data, h, n, d), lhs=r"\hat p(x)", chain=ch.KDE_TITLE,
                             description="the kernel density estimate at x: the average of n Gaussian kernels "
                                         "N(x; x^(i), h^2 I)"),),
        summary=r"Nothing is learned but the bandwidth $h$ (or a matrix $H$ in place of $h^2 I$, e.g. Scott's rule "
                r"$H = n^{-2/(d+4)}\hat\Sigma$); the training points themselves are the parameters. To evaluate "
                r"$\hat p(x)$ at a new $x$, sum the $n$ kernels there (in log space, a log-sum-exp).",
        explanation=r"The estimate is the density of a two-stage draw: pick a training point uniformly, then add "
                    r"Gaussian noise of covariance $h^2 I$ to it. The law of total probability over the chosen "
                    r"index gives the box (first chain). It is a density for every $n$ and $d$: each kernel is a "
                    r"product of $d$ one-dimensional Gaussians, so by Fubini's theorem it integrates to 1, and "
                    r"the average of $n$ such integrals is 1 (second chain). With a full bandwidth $H = LL^\top$ "
                    r"the substitution $x = x^{(i)} + Lu$ reduces each kernel to this case. Evaluation costs "
                    r"$O(nd)$ per query: the estimator is cheap to fit and slow to evaluate.",
        chains=(ch.kde_marginal(ch.KDE_TITLE, p_hat), ch.kde_normalisation()),
        checks=(Check("KDE density", r"$\log \hat p$ matches SciPy's Gaussian KDE with the same bandwidth, and "
                                     r"$\hat p$ integrates to 1 over $\mathbb{R}^2$",
                      lambda rng: ck.kde_density_checks(ck.sample_kde_data(rng), rng=rng)),),
        figures=(Figure("fig-1-densities-and-samples.pdf",
                        "The six families of Question 1 in two dimensions: regions of highest density "
                        "holding about 95, 75, 50 and 25 percent of the mass (from each model's log-density) "
                        "under 600 of its own samples (red); for the binary "
                        "autoregressive model, chain-rule probabilities (bars) against ancestral-sampling "
                        "frequencies (dots).", "draw_families"),),
    )


@REGISTRY.register("1b.i", status="proved")
def kde_sampling() -> Answer:
    return Answer(
        quantities=(Quantity("density of a sample", KDE_DENSITY, symbols=(x, data, h, n, d), lhs=r"p(x)",
                             chain=ch.KDE_SAMPLER_TITLE,
                             description="the density of x^(I) + h epsilon with I uniform and epsilon ~ N(0, I): "
                                         "the kernel density estimate"),),
        summary=r"Draw an index $I$ uniformly from $\{1, \ldots, n\}$ and $\varepsilon \sim \mathcal{N}(0, I)$, "
                r"and return $x^{(I)} + h\varepsilon$ (with a bandwidth matrix $H = LL^\top$: $x^{(I)} + L\varepsilon$). "
                r"Its density, in the box, is $\hat p$ of 1a.i.",
        explanation=r"Given $I = i$ the output is $\mathcal{N}(x^{(i)}, h^2 I)$; the law of total probability over "
                    r"the uniformly chosen index gives the density of the output, which is the estimate itself "
                    r"(chain). The samples are therefore draws from $\hat p$: the data points plus noise.",
        chains=(ch.kde_marginal(ch.KDE_SAMPLER_TITLE),),
        checks=(Check("KDE sampler", r"samples pass a chi-square test against the KDE's own density, and their "
                                     r"mean and covariance are those of the KDE",
                      lambda rng: ck.kde_sampling_checks(ck.sample_kde_data(rng), rng=rng)),),
    )


# --------------------------------------------------------------------------- 1a.ii / 1b.ii  autoregressive


@REGISTRY.register("1a.ii", status="proved")
def autoregressive_density() -> Answer:
    return Answer(
        quantities=(Quantity("p_theta(x)", AR_DENSITY, symbols=(x, p_theta_cond, d), lhs=r"p_\theta(x)",
                             chain=ch.AR_TITLE,
                             description="the product of the d learned conditionals p_theta(x_i | x_<i)"),),
        summary=r"What is learned is one conditional distribution per coordinate, "
                r"$p_\theta(x_i \mid x_{<i})$: a network (masked, or a transformer) that reads $x_{<i}$ and outputs "
                r"the distribution of $x_i$ (a softmax over its values, or a density's parameters), all $d$ of "
                r"them in one pass. To evaluate $p_\theta(x)$: feed $x$ in, read off each conditional at the "
                r"observed $x_i$, and add the logs.",
        explanation=r"Every joint distribution factorises by the chain rule of probability (first chain), so "
                    r"modelling the conditionals loses no generality. The product is normalised whatever the "
                    r"conditionals are: summing the product of the first $k$ conditionals over the $K$ values of "
                    r"$x_k$ removes the last one (second chain, for any $k$), so summing out $x_d, x_{d-1}, \ldots, "
                    r"x_1$ in turn leaves the empty product 1. "
                    r"Density evaluation is exact and parallel; only sampling is sequential.",
        chains=ch.autoregressive_chains(),
        checks=(Check("autoregressive density", r"$p$ sums to 1 over all $2^d$ outcomes of a binary model with "
                                                r"logistic conditionals, and its conditionals are those logistic "
                                                r"conditionals",
                      lambda rng: ck.autoregressive_density_checks(*ck.sample_autoregressive(rng))),),
    )


@REGISTRY.register("1b.ii", status="proved")
def autoregressive_sampling() -> Answer:
    return Answer(
        quantities=(Quantity("probability of outputting x", AR_DENSITY, symbols=(x, p_theta_cond, d),
                             lhs=r"P(\hat x = x)", chain=ch.AR_SAMPLER_TITLE,
                             description="the probability that ancestral sampling returns x"),),
        summary=r"Ancestral sampling: for $i = 1, \ldots, d$ in turn, run the model on the coordinates already "
                r"drawn and draw $x_i \sim p_\theta(x_i \mid x_{<i})$ (for a discrete $x_i$ with values "
                r"$1, \ldots, K$: the $v$ with $F_i(v-1) \le U_i < F_i(v)$ for a fresh $U_i \sim \mathcal{U}(0,1)$, "
                r"$F_i$ the conditional's CDF). The output has probability $p_\theta(x)$ (box).",
        explanation=r"The output equals $x$ exactly when every $U_i$ falls in the interval "
                    r"$[F_i(x_i - 1), F_i(x_i))$, whose length is $p_\theta(x_i \mid x_{<i})$; the $U_i$ are "
                    r"independent, so the probabilities multiply (chain) into the chain-rule product of 1a.ii. "
                    r"Unlike density evaluation this takes $d$ sequential passes through the model.",
        chains=(ch.ancestral_sampling_chain(),),
        checks=(Check("ancestral sampler", r"frequencies of the $2^d$ outcomes pass a Pearson chi-square test "
                                           r"against $p$",
                      lambda rng: ck.autoregressive_sampling_checks(*ck.sample_autoregressive(rng), rng=rng)),),
    )


# --------------------------------------------------------------------------- 1a.iii / 1b.iii  Gaussian mixture


@REGISTRY.register("1a.iii", status="proved")
def mixture_density() -> Answer:
    return Answer(
        quantities=(Quantity("p(x)", MIXTURE_DENSITY, symbols=(x, weights, means, sds, k, d), lhs=r"p(x)",
                             chain=ch.MIXTURE_TITLE,
                             description="the weighted sum of the k component densities"),),
        summary=r"The learned parameters are the weights $p_z$, means $\mu_z$ and variances $\sigma_z^2$ (or "
                r"covariances), fitted by EM. At a new $x$, evaluate the $k$ Gaussian densities and add them "
                r"with their weights (in log space, a log-sum-exp).",
        explanation=r"The mixture is the density of a two-stage draw: a component $z$ with probability $p_z$, then "
                    r"$x \sim \mathcal{N}(\mu_z, \sigma_z^2 I)$; the law of total probability over $z$ gives the box "
                    r"(first chain). It integrates to 1 for every $k$ and $d$: each component does, by Fubini's "
                    r"theorem over its $d$ coordinates, and the weights sum to 1 (second chain). Evaluation is "
                    r"exact and costs $k$ Gaussian densities.",
        chains=(ch.mixture_marginal(ch.MIXTURE_TITLE), ch.mixture_normalisation()),
        checks=(Check("mixture density", r"the log-sum-exp density equals the direct weighted sum of component "
                                         r"densities and integrates to 1 over $\mathbb{R}^2$",
                      lambda rng: ck.mixture_density_checks(*ck.sample_mixture(rng), rng=rng)),),
    )


@REGISTRY.register("1b.iii", status="proved")
def mixture_sampling() -> Answer:
    return Answer(
        quantities=(Quantity("density of a sample", MIXTURE_DENSITY, symbols=(x, weights, means, sds, k, d),
                             lhs=r"p(x)", chain=ch.MIXTURE_SAMPLER_TITLE,
                             description="the density of the sampler's output: the mixture density"),),
        summary=r"Draw the component $z \in \{1, \ldots, k\}$ with probabilities $p_1, \ldots, p_k$, then "
                r"$x = \mu_z + \sigma_z \varepsilon$ with $\varepsilon \sim \mathcal{N}(0, I)$. The output's density "
                r"(box) is the mixture of 1a.iii.",
        explanation=r"The latent label makes the mixture a two-stage generative process; marginalising the label "
                    r"by the law of total probability, the output has density $\sum_z p_z\, \mathcal{N}(x; \mu_z, "
                    r"\sigma_z^2 I)$ (chain). Discarding $z$ leaves a draw from $p$.",
        chains=(ch.mixture_marginal(ch.MIXTURE_SAMPLER_TITLE),),
        checks=(Check("mixture sampler", r"label frequencies match the weights and samples pass a chi-square test "
                                         r"against $p$",
                      lambda rng: ck.mixture_sampling_checks(*ck.sample_mixture(rng), rng=rng)),),
    )


# --------------------------------------------------------------------------- 1a.iv / 1b.iv  normalizing flow


@REGISTRY.register("1a.iv", status="proved")
def flow_density() -> Answer:
    return Answer(
        quantities=(Quantity("log p(x)", FLOW_LOG_DENSITY, symbols=(x, g_inv, d), lhs=r"\log p(x)",
                             chain=ch.FLOW_TITLE,
                             description="the flow's log-density: the base log-density at g^{-1}(x) plus "
                                         "log |det J_{g^{-1}}(x)|"),),
        summary=r"Learned: the parameters of the layers of an invertible map $g = g_L \circ \cdots \circ g_1$ "
                r"from the base $z \sim \mathcal{N}(0, I)$ to $x$. To evaluate: invert the layers one by one from "
                r"$x$ down to $z = g^{-1}(x)$, adding their log-determinants, since "
                r"$\log\lvert\det J_{g^{-1}}\rvert = \sum_l \log\lvert\det J_{g_l^{-1}}\rvert$ along the way. The "
                r"density is exact.",
        explanation=r"The density of $x = g(z)$ is the change-of-variables formula "
                    r"$p(x) = \mathcal{N}(g^{-1}(x); 0, I)\, \lvert\det J_{g^{-1}}(x)\rvert$ for any invertible, "
                    r"differentiable $g$ (first chain). Layers are designed so that the inverse and the "
                    r"log-determinant are cheap: an elementwise monotone map has a diagonal Jacobian, an affine "
                    r"coupling layer a triangular one whose log-determinant is the sum of its log-scales. The "
                    r"illustration derives the one-dimensional case from the CDF $\Phi(g^{-1}(x))$ alone.",
        chains=(ch.flow_log_density_chain(), ch.sinh_flow_chain()),
        checks=(Check("flow density", r"the density integrates to 1 (importance sampling from a heavier-tailed "
                                      r"$t$ distribution, bounded weights), the exact log-determinant matches "
                                      r"finite differences, the inverse undoes the forward map, and the 1-D code "
                                      r"matches the illustration's formula",
                      lambda rng: ck.flow_density_checks(ck.sample_flow(rng), rng=rng)),),
    )


@REGISTRY.register("1b.iv", status="proved")
def flow_sampling() -> Answer:
    return Answer(
        quantities=(Quantity("density of g(z)", FLOW_DENSITY, symbols=(x, g_inv, d), lhs=r"p(x)",
                             chain=ch.FLOW_SAMPLER_TITLE,
                             description="the density of the output x = g(z), z ~ N(0, I)"),),
        summary=r"Draw $z \sim \mathcal{N}(0, I)$ and return $x = g(z)$: run the layers forwards. No inverse or "
                r"determinant is needed.",
        explanation=r"By the change-of-variables formula the output $g(z)$ has exactly the density of 1a.iv "
                    r"(chain), for any invertible, differentiable $g$; so pushing base samples forward draws from "
                    r"the model.",
        chains=(ch.flow_sampler_chain(),),
        checks=(Check("flow sampler", r"pushed-forward samples pass a chi-square test against the flow's "
                                      r"change-of-variables density",
                      lambda rng: ck.flow_sampling_checks(ck.sample_flow(rng), rng=rng)),),
    )


# --------------------------------------------------------------------------- 1a.v / 1b.v  VAE


@REGISTRY.register("1a.v", status="checked")
def vae_density() -> Answer:
    return Answer(
        summary=r"$p(x) = \int p_\theta(x \mid z)\, p(z)\, dz$ has no closed form for a neural decoder. "
                r"Learned: the decoder $p_\theta(x\mid z)$ and the encoder $q_\phi(z \mid x)$. Use the "
                r"encoder as a proposal: "
                r"$\hat p(x) = \frac{1}{S}\sum_{s=1}^{S} p_\theta(x, z_s)/q_\phi(z_s\mid x)$, "
                r"$z_s \sim q_\phi$, is unbiased for $p(x)$; or report the lower bound "
                r"$\mathrm{ELBO} = \mathbb{E}_{q_\phi}[\log p_\theta(x,z) - \log q_\phi(z\mid x)] \le \log p(x)$.",
        explanation=r"Importance sampling: $\mathbb{E}_{q_\phi}[p_\theta(x,z)/q_\phi(z \mid x)] = \int p_\theta(x,z)\,dz "
                    r"= p(x)$ whenever $q_\phi$ covers the posterior; its log is biased low (Jensen) but tightens as "
                    r"$S$ grows. The gap of the ELBO is exactly $\mathrm{KL}(q_\phi(z \mid x)\,\Vert\,p_\theta(z\mid x)) "
                    r"\ge 0$ (Question 3c). Both are estimates: this answer rests on the checks, in a "
                    r"linear-Gaussian model where $p(x)$ is known exactly.",
        checks=(Check("VAE density estimators", r"importance weights average to $p(x)$ ($z$-test), the ELBO is "
                                                r"below $\log p(x)$ and equal at the posterior, and $p$ integrates "
                                                r"to 1",
                      lambda rng: ck.vae_density_checks(ck.sample_vae(rng), rng=rng)),),
    )


@REGISTRY.register("1b.v", status="proved")
def vae_sampling() -> Answer:
    return Answer(
        quantities=(Quantity("density of a sample", VAE_MARGINAL, symbols=(x, latent, p_theta_cond, k),
                             lhs=r"p(x)", chain=ch.VAE_SAMPLER_TITLE,
                             description="the density of the ancestral sampler's output: the model's marginal"),),
        summary=r"Ancestral sampling: draw $z \sim p(z) = \mathcal{N}(0, I)$, then $x \sim p_\theta(x \mid z)$ (the "
                r"decoder's mean plus its noise). The encoder is not used. The output's density (box) is the "
                r"model's $p_\theta(x)$.",
        explanation=r"The generative model is defined by these two stages, so by the law of total probability "
                    r"over $z$ the output has density $\int p_\theta(x \mid z)\, p(z)\, dz$ (chain), the marginal "
                    r"$p_\theta(x)$ of the model, even though that integral cannot be evaluated. In the "
                    r"linear-Gaussian model of the checks the output is $\mathcal{N}(b, WW^\top + \sigma^2 I)$.",
        chains=(ch.vae_sampler_chain(),),
        checks=(Check("VAE sampler", r"samples pass a chi-square test against the exact $p(x)$ of a "
                                     r"linear-Gaussian model and have its mean and covariance",
                      lambda rng: ck.vae_sampling_checks(ck.sample_vae(rng), rng=rng)),),
    )


# --------------------------------------------------------------------------- 1a.vi / 1b.vi  diffusion


@REGISTRY.register("1a.vi", status="checked")
def diffusion_density() -> Answer:
    continuity, icov, score = ch.diffusion_chains()
    return Answer(
        summary=r"Learned: a noise predictor $\varepsilon_\theta(x_t, t)$, equivalently a score "
                r"$s_\theta(x_t, t) = -\varepsilon_\theta(x_t, t)/\sqrt{1-\bar\alpha_t}$. The denoising loss gives no "
                r"density, but in continuous time ($t \in [0, T]$, $\bar\alpha_t = e^{-B(t)}$, $\beta(t) = B'(t)$) "
                r"the probability-flow ODE $dx_t/dt = f(x_t, t) = -\beta(t)\,[x_t + s_\theta(x_t, t)]/2$ carries "
                r"$x_0$ to $x_T$ deterministically, and along its path "
                r"$\log p_0(x_0) = \log p_T(x_T) + \int_0^T \nabla\cdot f(x_t, t)\, dt$ (instantaneous change of "
                r"variables), with $p_T \approx \mathcal{N}(0, I)$ and $p_t$ the density of $x_t$.",
        explanation=r"The ODE's field $f$ moves the marginals $p_t$ of the noising process: the continuity "
                    r"equation $\partial_t p_t + \nabla\cdot(f p_t) = 0$ holds for each Gaussian component, hence "
                    r"for mixtures since $f p_t$ is linear in $p_t$ (first chain). Dividing by $p_t$ gives "
                    r"$d \log p_t(x_t) / dt = -\nabla\cdot f$ along a path (second chain). In high dimension the "
                    r"trace is estimated (Hutchinson); here the data are a Gaussian mixture, so the score is exact "
                    r"(the posterior mean of the shared kernel; third chain, one dimension) and so is its "
                    r"divergence (the posterior variance). An ODE solver then reproduces the exact "
                    r"$\log p_0$ within its own error estimate (check). This stays a numeric answer: the density "
                    r"is as good as the learned score and the solver.",
        chains=(continuity, icov, score),
        checks=(Check("probability-flow density", r"the ODE estimate of $\log p_0$ equals the exact log-density "
                                                  r"within its step-doubling error estimate, the exact trace "
                                                  r"equals finite differences, $p_0$ integrates to 1",
                      lambda rng: ck.diffusion_density_checks(ck.sample_diffusion(rng), rng=rng)),),
    )


@REGISTRY.register("1b.vi", status="checked")
def diffusion_sampling() -> Answer:
    return Answer(
        summary=r"Draw $x_T \sim \mathcal{N}(0, I)$ and run the reverse process for $t = T, \ldots, 1$: "
                r"$x_{t-1} = \frac{1}{\sqrt{\alpha_t}}\big(x_t - \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}"
                r"\varepsilon_\theta(x_t,t)\big) + \sigma_t z_t$ with $z_t \sim \mathcal{N}(0, I)$ and "
                r"$\sigma_t^2 = \beta_t$ (DDPM), and return $x_0$; or integrate the probability-flow ODE of 1a.vi "
                r"from $t = T$ back to $0$.",
        explanation=r"Both run the noising process backwards with the learned noise predictor. The ODE transports "
                    r"$p_T$ to $p_0$ because its field satisfies the continuity equation (1a.vi's "
                    r"first chain): run backwards "
                    r"from draws of $x_T$ it delivers draws of the data distribution. The check uses the exact "
                    r"score of a Gaussian-mixture data set and the ODE sampler (continuous time, $T = 1$); the "
                    r"ancestral steps carry a small discretisation bias that vanishes as the steps shrink.",
        checks=(Check("reverse-process sampler", r"samples from the reverse probability-flow ODE pass a chi-square "
                                                 r"test against the data density",
                      lambda rng: ck.diffusion_sampling_checks(ck.sample_diffusion(rng), rng=rng)),),
    )


# --------------------------------------------------------------------------- 2a / 2b  logistic regression


@REGISTRY.register("2a", status="proved")
def logistic_sampling() -> Answer:
    return Answer(
        quantities=(Quantity("P(Y = y | X = x)", LOGISTIC_PMF, symbols=(x, theta_vec, label, d),
                             lhs=r"P(\hat Y = y)", chain=ch.LOGISTIC_TITLE,
                             description="the probability that the threshold draw returns y in {0, 1}: the "
                                         "model's Bernoulli(sigma(theta^T x)) probability"),),
        summary=r"Compute $q = \sigma(\theta^\top x) = 1/(1 + e^{-\theta^\top x})$ with the fitted $\theta$, draw "
                r"$U \sim \mathcal{U}(0,1)$, and output $\hat Y = 1$ if $U < q$, else $\hat Y = 0$. The draw has the "
                r"model's distribution $\hat p(Y = y \mid X = x)$ (box).",
        explanation=r"Logistic regression models $\hat p(Y = 1 \mid X = x) = \sigma(\theta^\top x)$: for each $x$ a "
                    r"Bernoulli distribution. A uniform falls below $q$ with probability $q$ and above with "
                    r"$1 - q$ (chain, with $\theta^\top x = \sum_{j=1}^d \theta_j x_j$), so the threshold draw is "
                    r"that Bernoulli draw; repeated draws at the same $x$ are independent.",
        chains=(ch.logistic_threshold_chain(),),
        checks=(Check(r"sampling $Y$ given $x$", r"the frequency of $Y = 1$ at each novel $x$ matches "
                                                 r"$\sigma(\theta^\top x)$ (exact binomial tests)",
                      lambda rng: ck.logistic_sampling_checks(*ck.sample_logistic(rng), rng=rng)),),
    )


@REGISTRY.register("2b", status="proved")
def constant_input_limit() -> Answer:
    return Answer(
        summary=r"With $x^{(i)} = (1)$ the model has one parameter and the log-likelihood "
                r"$\ell(\theta) = n_1\log\sigma(\theta) + (n-n_1)\log(1-\sigma(\theta))$, $n_1$ the number of labels "
                r"equal to 1, has derivative $n_1 - n\sigma(\theta)$; its root makes the fitted probability the "
                r"fraction of positive labels, which is $p$, and tends to $p$ when the labels are drawn with "
                r"probability $p$.",
        explanation=r"$\ell$ is strictly concave (second chain), so its unique stationary point "
                    r"$\hat\theta = \sigma^{-1}(n_1/n)$ is the maximum (third chain) and $\sigma(\hat\theta) = n_1/n$ "
                    r"(fourth chain). With exactly a fraction $p$ of positive labels this is $p$ at every $n$. "
                    r"Why then ``in the limit''? First, with labels drawn independently with probability $p$, "
                    r"$n_1/n \to p$ almost surely by the strong law of large numbers (last chain). Second, "
                    r"logistic regression is usually fitted with an $L_2$ penalty $\lambda\theta^2/2$: the score "
                    r"becomes $n_1 - n\sigma(\theta) - \lambda\theta$ (first chain), so "
                    r"$\sigma(\hat\theta) = n_1/n - \lambda\hat\theta/n$ differs from $n_1/n$ at finite $n$; the "
                    r"penalty is $O(1)$ while the log-likelihood is $O(n)$, and $\hat\theta$ lies between 0 and "
                    r"$\sigma^{-1}(n_1/n)$, so the gap vanishes as $n$ grows. With an offset, $\sigma(\theta + "
                    r"\theta_0)$, only $\theta + \theta_0$ is identified (the input is constant), and the same holds "
                    r"for it. If $p$ is 0 or 1 no finite $\hat\theta$ exists: the likelihood increases towards its "
                    r"supremum as $\theta \to \pm\infty$, and the fitted probability tends to $p$ only as a limit.",
        chains=ch.constant_input_chains(),
        checks=(Check("the maximum-likelihood fit equals the label frequency",
                      r"for four sample sizes from $10^2$ to $10^5$ the numerical fit gives "
                      r"$\sigma(\hat\theta) = n_1/n$, and $n_1/n$ is within binomial sampling error of $p$",
                      lambda rng: ck.constant_input_checks(float(rng.uniform(0.05, 0.95)), rng=rng)),
                Check(r"no finite maximiser when $p$ is 0 or 1", r"with all labels equal, the fitted $\hat\theta$ "
                                                                 r"keeps growing as the gradient tolerance tightens",
                      lambda rng: ck.degenerate_label_checks()),),
        quantities=(
            Quantity("fitted P(Y=1 | X=(1))", FITTED, symbols=(n1, N), domains=COUNTS,
                     lhs=r"\hat p(Y=1\mid X=(1))", chain=ch.ROOT_TITLE,
                     description="the maximum-likelihood value sigma(theta_hat) at finite n, in terms of n_1 "
                                 "(number of labels equal to 1) and n; write e.g. sigma(theta_hat) = n_1/n "
                                 "(a label before the last '=' is ignored)"),
            Quantity("limit of the fitted P(Y=1 | X=(1)) as n grows", LIMIT, symbols=(prob,),
                     lhs=r"\lim_{n\to\infty} \hat p(Y=1\mid X=(1))", chain=ch.LIMIT_TITLE,
                     description="the value n_1/n tends to: the proportion p of positive labels"),
            Quantity("theta_hat", THETA_HAT, symbols=(n1, N), domains=COUNTS, lhs=r"\hat\theta", chain=ch.THETA_TITLE,
                     description="the maximiser itself, logit(n_1/n) = log(n_1/(n - n_1)), for 0 < n_1 < n"),
        ),
    )
