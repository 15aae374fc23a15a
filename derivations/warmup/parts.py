"""The registered answers of Questions 1 and 2: quantities, prose, chains, checks and the figure."""

from __future__ import annotations

from derivations.answer import Answer, Check, Figure, Quantity
from derivations.chain import Chain
from derivations.hw7 import REGISTRY
from derivations.warmup import chains as ch
from derivations.warmup import checks as ck
from derivations.warmup.symbols import (COUNTS, FITTED, KDE_DATA, LIMIT, MIX_MEANS, MIX_SDS, MIX_WEIGHTS,
                                        THETA_HAT, THIRDS, h, n, n1, p)

# --------------------------------------------------------------------------- 1a.i / 1b.i  KDE


@REGISTRY.register("1a.i", status="proved")
def kde_density() -> Answer:
    return Answer(
        summary=r"$\hat p(x) = \frac{1}{n}\sum_{i=1}^n \mathcal{N}(x;\, x^{(i)},\, H)$: an average of Gaussian "
                r"kernels centred on the training points. Nothing is trained except the bandwidth $H$ "
                r"(here Scott's rule $H = n^{-2/(d+4)}\hat\Sigma$ with $\hat\Sigma$ the sample covariance); "
                r"evaluating $\hat p(x)$ at a new $x$ touches all $n$ stored points.",
        explanation=r"The estimator keeps the whole data set as its parameters. Each point contributes a "
                    r"normalised bump, so the average is a density: the chain below integrates the average "
                    r"of three kernels term by term. In $d$ dimensions we compute $\log \hat p$ in log space: "
                    r"with $H = LL^\top$ (Cholesky), every kernel becomes a unit isotropic Gaussian of the "
                    r"whitened points $L^{-1}x$, minus $\log \operatorname{det} L$ (second chain), and the "
                    r"sum over $i$ is a log-sum-exp done in chunks by the shared kernel. The implementation "
                    r"agrees with SciPy's Gaussian KDE (same bandwidth) to $10^{-10}$ and is faster on "
                    r"$10^4\times 10^4$ points.",
        chains=(ch.mixture_normalisation_chain("the KDE integrates to 1: the average of the kernels' integrals",
                                               THIRDS, KDE_DATA, (h, h, h)),
                ch.kde_whitening_chain()),
        checks=(Check("KDE density", r"$\log \hat p$ matches SciPy's Gaussian KDE to $10^{-10}$ and integrates to 1 "
                                     r"over $\mathbb{R}^2$",
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
        summary=r"Pick an index $I$ uniformly from $\{1,\ldots,n\}$, draw $\varepsilon \sim \mathcal{N}(0, I_d)$ "
                r"and return $x^{(I)} + L\varepsilon$ with $LL^\top = H$.",
        explanation=r"The KDE is a mixture with $n$ equally weighted components, so sampling goes through the "
                    r"component label: the CDF of the output is $\frac{1}{n}\sum_i \Phi((v - x^{(i)})/h)$ in 1-D, "
                    r"and its derivative is exactly $\hat p$ (chain). The draws therefore have mean $\bar x$ and "
                    r"covariance $H$ plus the (biased) data covariance, which the moment check confirms.",
        chains=(ch.mixture_sampling_chain("density of a uniformly chosen point plus kernel noise (1-D)",
                                          THIRDS, KDE_DATA, (h, h, h)),),
        checks=(Check("KDE sampler", r"samples pass a chi-square test against the KDE's own density, and their "
                                     r"mean and covariance are those of the KDE ($\alpha = 10^{-6}$ each)",
                      lambda rng: ck.kde_sampling_checks(ck.sample_kde_data(rng), rng=rng)),),
    )


# --------------------------------------------------------------------------- 1a.ii / 1b.ii  autoregressive


@REGISTRY.register("1a.ii", status="proved")
def autoregressive_density() -> Answer:
    return Answer(
        summary=r"$p(x) = \prod_{i=1}^d p(x_i \mid x_{<i})$. What is learned is one conditional "
                r"per coordinate (here a logistic regression of $x_i$ on $x_{<i}$; in practice a masked "
                r"network or transformer that outputs all $d$ conditionals in one pass). To evaluate $p(x)$, "
                r"feed $x$ in, read off each conditional probability of the observed $x_i$, and add the logs.",
        explanation=r"The chain rule of probability factorises any joint distribution this way, so the "
                    r"model is exactly normalised whatever the conditionals are: summing over the last "
                    r"coordinate first removes one factor at a time (first chain, with arbitrary "
                    r"conditionals $q_2(x_1)$, $q_3(x_1,x_2)$). Conversely the conditionals of the joint are "
                    r"the model's conditionals (second chain), so nothing is lost by parameterising them. "
                    r"Density evaluation is cheap and exact; only sampling is sequential.",
        chains=ch.autoregressive_chains(),
        checks=(Check("autoregressive density", r"$p$ sums to 1 over all $2^d$ outcomes and its conditionals are "
                                                r"the logistic conditionals (tolerance $10^{-12}$)",
                      lambda rng: ck.autoregressive_density_checks(*ck.sample_autoregressive(rng))),),
    )


@REGISTRY.register("1b.ii", status="proved")
def autoregressive_sampling() -> Answer:
    return Answer(
        summary=r"Ancestral sampling: draw $x_1 \sim p(x_1)$, then $x_2 \sim p(x_2 \mid x_1)$, and so on up to "
                r"$x_d \sim p(x_d \mid x_{<d})$, each from the conditional the model outputs given the "
                r"coordinates already drawn (here $x_i = \mathbb{1}[U_i < q_i(x_{<i})]$).",
        explanation=r"Each step uses a fresh uniform, so the probability of producing a given $x$ is the product "
                    r"of the conditional probabilities of its coordinates, which is $p(x)$ by the chain rule "
                    r"(chain). Unlike density evaluation, this needs $d$ sequential passes through the model.",
        chains=(ch.ancestral_sampling_chain(),),
        checks=(Check("ancestral sampler", r"frequencies of the $2^d$ outcomes pass a Pearson chi-square test "
                                           r"against $p$ ($\alpha = 10^{-6}$)",
                      lambda rng: ck.autoregressive_sampling_checks(*ck.sample_autoregressive(rng), rng=rng)),),
    )


# --------------------------------------------------------------------------- 1a.iii / 1b.iii  Gaussian mixture


@REGISTRY.register("1a.iii", status="proved")
def mixture_density() -> Answer:
    return Answer(
        summary=r"$p(x) = \sum_{k=1}^K \pi_k\, \mathcal{N}(x;\, \mu_k,\, \Sigma_k)$. The learned parameters are the "
                r"weights $\pi_k$, means and covariances (fitted by EM); $p(x)$ at a new $x$ is the weighted sum "
                r"of $K$ Gaussian densities, computed as a log-sum-exp.",
        explanation=r"Because the weights are non-negative and sum to one and each component is a "
                    r"normalised density, the sum is normalised (chain, three components in 1-D). Evaluation "
                    r"costs $K$ Gaussian densities and is exact.",
        chains=(ch.mixture_normalisation_chain("a three-component mixture integrates to 1 (integral of the sum split)",
                                               MIX_WEIGHTS, MIX_MEANS, MIX_SDS),),
        checks=(Check("mixture density", r"the log-sum-exp density equals the direct weighted sum of component "
                                         r"densities and integrates to 1 over $\mathbb{R}^2$",
                      lambda rng: ck.mixture_density_checks(*ck.sample_mixture(rng), rng=rng)),),
    )


@REGISTRY.register("1b.iii", status="proved")
def mixture_sampling() -> Answer:
    return Answer(
        summary=r"Draw the component $z \sim \mathrm{Categorical}(\pi_1,\ldots,\pi_K)$, then "
                r"$x \sim \mathcal{N}(\mu_z, \Sigma_z)$ (for example $\mu_z + L_z\varepsilon$ with "
                r"$L_zL_z^\top = \Sigma_z$).",
        explanation=r"The latent label makes the mixture a two-stage generative process; marginalising it, "
                    r"the output's CDF is $\sum_k \pi_k \Phi((v-\mu_k)/\sigma_k)$, whose derivative is the "
                    r"mixture density (chain). The labels' frequencies match the weights and the points match $p$.",
        chains=(ch.mixture_sampling_chain(r"density of $x \sim \mathcal{N}(\mu_z, \sigma_z^2)$ after drawing "
                                          r"$z \sim \mathrm{Categorical}(\pi)$ (1-D)", MIX_WEIGHTS, MIX_MEANS, MIX_SDS),),
        checks=(Check("mixture sampler", r"label frequencies match the weights and samples pass a chi-square test "
                                         r"against $p$ ($\alpha = 10^{-6}$ each)",
                      lambda rng: ck.mixture_sampling_checks(*ck.sample_mixture(rng), rng=rng)),),
    )


# --------------------------------------------------------------------------- 1a.iv / 1b.iv  normalizing flow


@REGISTRY.register("1a.iv", status="proved")
def flow_density() -> Answer:
    return Answer(
        summary=r"With an invertible map $x = g(z)$, $z \sim \mathcal{N}(0, I)$: "
                r"$\log p(x) = \log \mathcal{N}(g^{-1}(x); 0, I) + \log\lvert\operatorname{det} J_{g^{-1}}(x)\rvert$ with "
                r"$J_{g^{-1}}$ the Jacobian of the inverse map. "
                r"The learned parameters are those of the layers of $g$; the density is exact: invert the layers "
                r"one by one and add their log-determinants.",
        explanation=r"In 1-D with $g$ increasing, $P(X \le x) = P(Z \le g^{-1}(x)) = \Phi(g^{-1}(x))$, and "
                    r"differentiating gives $\phi(g^{-1}(x))/g'(g^{-1}(x))$ (first chain, for "
                    r"$g(z) = \operatorname{sinh}(az+b)$). For a composition the log-derivatives add (second "
                    r"chain), which in $d$ dimensions is the log-determinant of a product of Jacobians. Layers "
                    r"are designed so that the inverse and the log-determinant are cheap: an elementwise monotone "
                    r"map has a diagonal Jacobian, an affine coupling layer a triangular one whose "
                    r"log-determinant is the sum of its log-scales.",
        chains=(ch.flow_change_of_variables_chain(), ch.flow_log_det_chain()),
        checks=(Check("flow density", r"the density integrates to 1 (importance sampling from a heavier-tailed "
                                      r"$t$ distribution, bounded weights), the exact log-determinant matches "
                                      r"finite differences, the inverse undoes the forward map, and the 1-D code "
                                      r"matches the formula",
                      lambda rng: ck.flow_density_checks(ck.sample_flow(rng), rng=rng)),),
    )


@REGISTRY.register("1b.iv", status="proved")
def flow_sampling() -> Answer:
    return Answer(
        summary=r"Draw $z \sim \mathcal{N}(0, I)$ and return $x = g(z)$: run the layers forwards. No inverse "
                r"or determinant is needed.",
        explanation=r"The density of Question 1a.iv was derived as the density of $g(Z)$, so pushing base "
                    r"samples forward draws from it exactly; the chain checks that the forward map inverts the "
                    r"map used for density evaluation.",
        chains=(ch.flow_inverse_chain(),),
        checks=(Check("flow sampler", r"pushed-forward samples pass a chi-square test against the flow's "
                                      r"change-of-variables density ($\alpha = 10^{-6}$)",
                      lambda rng: ck.flow_sampling_checks(ck.sample_flow(rng), rng=rng)),),
    )


# --------------------------------------------------------------------------- 1a.v / 1b.v  VAE


def vae_chains() -> tuple[Chain, Chain, Chain]:
    """Question 3's derivations in the 1-D linear-Gaussian model, reused: p(x) in closed form by
    Bayes' rule (3c.i), log p(x) = ELBO + KL (3c.ii), and the gap is a non-negative KL (3c.iii).

    Taken from those parts' answers through the registry, so this section names no module of the
    VAE section."""
    def answer(part_id: str) -> Answer:
        return REGISTRY.registration(part_id).build()

    return answer("3c.i").chains[1], answer("3c.ii").chains[0], answer("3c.iii").chains[0]


@REGISTRY.register("1a.v", status="checked")
def vae_density() -> Answer:
    return Answer(
        summary=r"$p(x) = \int p_\theta(x \mid z)\, p(z)\, dz$ has no closed form for a neural decoder. "
                r"Learned: the decoder $p_\theta(x\mid z)$ and the encoder $q_\phi(z \mid x)$. Use the "
                r"encoder as a proposal: $\hat p(x) = \frac{1}{K}\sum_k p_\theta(x, z_k)/q_\phi(z_k\mid x)$, "
                r"$z_k \sim q_\phi$, is unbiased for $p(x)$; or report the lower bound "
                r"$\mathrm{ELBO} = E_{q_\phi}[\log p_\theta(x,z) - \log q_\phi(z\mid x)] \le \log p(x)$.",
        explanation=r"Importance sampling: $E_q[p(x,z)/q(z)] = \int p(x,z)\,dz = p(x)$ whenever $q$ covers the "
                    r"posterior; its log is biased low (Jensen) but tightens as $K$ grows. The gap of the "
                    r"ELBO is exactly $\mathrm{KL}(q\,\Vert\,p(z\mid x)) \ge 0$ (second and third chains, in the "
                    r"1-D linear-Gaussian model, reused from Question 3; the sign of the KL is only checked "
                    r"numerically because SymPy does not decide it). In the linear-Gaussian model $p(x)$ is "
                    r"exact (first chain), so both estimators are checked against it.",
        chains=vae_chains(),
        checks=(Check("VAE density estimators", r"importance weights average to $p(x)$ ($z$-test), the ELBO is "
                                                r"below $\log p(x)$ and equal at the posterior, and $p$ integrates "
                                                r"to 1",
                      lambda rng: ck.vae_density_checks(ck.sample_vae(rng), rng=rng)),),
    )


@REGISTRY.register("1b.v", status="proved")
def vae_sampling() -> Answer:
    return Answer(
        summary=r"Ancestral sampling: $z \sim p(z) = \mathcal{N}(0, I)$, then $x \sim p_\theta(x \mid z)$ "
                r"(decoder mean plus its noise). The encoder is not used.",
        explanation=r"The generative model is defined by these two stages, so the draws follow "
                    r"$p(x) = \int p_\theta(x\mid z)p(z)\,dz$ even though that integral cannot be evaluated. In "
                    r"the linear-Gaussian model the output is Gaussian with covariance $WW^\top + \sigma^2 I$ "
                    r"(chain in 1-D), and samples pass a chi-square test against the exact density.",
        chains=(ch.vae_variance_chain(),),
        checks=(Check("VAE sampler", r"samples pass a chi-square test against the exact $p(x)$ and have its mean "
                                     r"and covariance ($\alpha = 10^{-6}$ each)",
                      lambda rng: ck.vae_sampling_checks(ck.sample_vae(rng), rng=rng)),),
    )


# --------------------------------------------------------------------------- 1a.vi / 1b.vi  diffusion


@REGISTRY.register("1a.vi", status="checked")
def diffusion_density() -> Answer:
    continuity, icov, score, div = ch.diffusion_chains()
    return Answer(
        summary=r"Learned: a noise predictor $\varepsilon_\theta(x, t)$, i.e. a score "
                r"$s_\theta(x,t) = -\varepsilon_\theta/\sqrt{1-\bar\alpha_t}$. The exact density is not available "
                r"from the denoising loss, but the probability-flow ODE "
                r"$\dot x = -\beta(t)\,[x + s_\theta(x,t)]/2$ maps data to noise deterministically, and "
                r"$\log p_0(x) = \log p_1(x_1) + \int_0^1 \nabla\cdot f(x_t,t)\,dt$ along its path (instantaneous "
                r"change of variables), with $p_1 \approx \mathcal{N}(0, I)$.",
        explanation=r"The ODE's field $f$ moves the marginals $p_t$ of the noising process: the continuity "
                    r"equation $\partial_t p + \nabla\cdot(fp) = 0$ holds for each Gaussian component, hence for "
                    r"mixtures since $fp$ is linear in $p$ (first chain). Dividing by $p$ gives "
                    r"$d \log p_t(x_t) / dt = -\nabla\cdot f$ (second chain). In high dimension the trace is "
                    r"estimated (Hutchinson); here the data are a Gaussian mixture, so the score is exact "
                    r"(posterior mean of the shared kernel) and so is its divergence (posterior variance; third "
                    r"and fourth chains). RK4 with 200 steps, uniform in $\sqrt{t}$, reproduces the exact "
                    r"$\log p_0$ within its own step-doubling error estimate (about $10^{-6}$ at draws from "
                    r"the data).",
        chains=(continuity, icov, score, div),
        checks=(Check("probability-flow density", r"the ODE estimate of $\log p$ equals the exact log-density "
                                                  r"within its step-doubling error estimate, the exact trace "
                                                  r"equals finite differences, $p$ integrates to 1",
                      lambda rng: ck.diffusion_density_checks(ck.sample_diffusion(rng), rng=rng)),),
    )


@REGISTRY.register("1b.vi", status="checked")
def diffusion_sampling() -> Answer:
    continuity, _, score, _ = ch.diffusion_chains()
    return Answer(
        summary=r"Draw $x_T \sim \mathcal{N}(0, I)$ (the noise end; in the check below the exact $p_1$, "
                r"which is within $10^{-4}$ of it) and run the reverse process: ancestral DDPM steps "
                r"$x_{t-1} = \frac{1}{\sqrt{\alpha_t}}\big(x_t - \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}"
                r"\varepsilon_\theta(x_t,t)\big) + \sigma_t z$, "
                r"or integrate the probability-flow ODE from $t = 1$ back to 0 (used here, RK4).",
        explanation=r"Both follow the noising process backwards using the learned score. The ODE transports "
                    r"$p_1$ to $p_0$ because its field satisfies the continuity equation (chain); run "
                    r"backwards from samples of $p_1$ it delivers samples of the data distribution. With the "
                    r"exact score of a Gaussian-mixture data set, 10000 samples after 40 RK4 steps pass a "
                    r"chi-square test against the data density. Ancestral DDPM steps with 1000 levels carry a "
                    r"small discretisation bias (visible at $2\times10^5$ samples), so the ODE sampler is the "
                    r"one checked here.",
        chains=(continuity, score),
        checks=(Check("reverse-process sampler", r"samples from the reverse probability-flow ODE pass a chi-square "
                                                 r"test against the data density ($\alpha = 10^{-6}$)",
                      lambda rng: ck.diffusion_sampling_checks(ck.sample_diffusion(rng), rng=rng)),),
    )


# --------------------------------------------------------------------------- 2a / 2b  logistic regression


@REGISTRY.register("2a", status="proved")
def logistic_sampling() -> Answer:
    return Answer(
        summary=r"Compute $q = \sigma(\theta^\top x) = 1/(1 + e^{-\theta^\top x})$ with the fitted $\theta$, draw "
                r"$U \sim \mathcal{U}(0,1)$ and output $Y = 1$ if $U < q$, else $Y = 0$.",
        explanation=r"Logistic regression models $\hat p(Y = 1 \mid X = x) = \sigma(\theta^\top x)$, a Bernoulli "
                    r"distribution for each $x$; the threshold draw returns 1 with probability $q$ (chain, with "
                    r"$\theta^\top x$ written as one product). The check draws labels for novel inputs and "
                    r"tests each frequency with an exact binomial test.",
        chains=(ch.logistic_threshold_chain(),),
        checks=(Check(r"sampling $Y$ given $x$", r"the frequency of $Y = 1$ at each novel $x$ matches "
                                                 r"$\sigma(\theta^\top x)$ (exact binomial tests, "
                                                 r"$\alpha = 10^{-6}$ overall)",
                      lambda rng: ck.logistic_sampling_checks(*ck.sample_logistic(rng), rng=rng)),),
    )


@REGISTRY.register("2b", status="proved")
def constant_input_limit() -> Answer:
    return Answer(
        summary=r"With $x^{(i)} = 1$ the model has one parameter and the log-likelihood "
                r"$n_1\log\sigma(\theta) + (n-n_1)\log(1-\sigma(\theta))$ has derivative $n_1 - n\sigma(\theta)$, so "
                r"the maximiser $\hat\theta$ makes the fitted probability the fraction of positive labels, "
                r"which tends to $p$ as $n$ grows. If $p$ is 0 or 1 no finite $\hat\theta$ exists.",
        explanation=r"The log-likelihood is strictly concave (second chain), so its unique stationary point "
                    r"$\hat\theta = \log(n_1/(n-n_1))$ is the maximum and $\sigma(\hat\theta) = n_1/n$ (third "
                    r"chain). With a fraction $p$ of labels equal to 1 this is $p$ itself; when the labels are "
                    r"drawn with probability $p$, $n_1/n$ has mean $p$ and variance $p(1-p)/n$, so by Chebyshev "
                    r"(law of large numbers) it converges to $p$ (fourth chain). When every label is 1 ($p = 1$) "
                    r"the derivative $n\sigma(-\theta)$ is positive everywhere: the likelihood keeps increasing "
                    r"towards its supremum 1 without reaching it, $\hat\theta = +\infty$ (last chains); $p = 0$ is "
                    r"the mirror image with $\hat\theta = -\infty$. The fitted probability still tends to $p$, "
                    r"but only as a limit, and an optimiser stops wherever its tolerance tells it to.",
        chains=ch.constant_input_chains(),
        checks=(Check("the maximum-likelihood fit equals the label frequency",
                      r"for $n = 10^2, \ldots, 10^5$ the SciPy fit gives $\sigma(\hat\theta) = n_1/n$, and $n_1/n$ "
                      r"is within binomial sampling error of $p$",
                      lambda rng: ck.constant_input_checks(float(rng.uniform(0.05, 0.95)), rng=rng)),
                Check(r"no finite maximiser when $p$ is 0 or 1", r"with all labels equal, the fitted $\hat\theta$ "
                                                                 r"keeps growing as the gradient tolerance tightens",
                      lambda rng: ck.degenerate_label_checks()),),
        quantities=(
            Quantity("fitted P(Y=1 | X=(1))", FITTED, symbols=(n1, n), domains=COUNTS,
                     lhs=r"\hat p(Y=1\mid X=(1))", chain=ch.ROOT_TITLE,
                     description="the maximum-likelihood value sigma(theta_hat) at finite n, in terms of n_1 "
                                 "(number of labels equal to 1) and n; write e.g. sigma(theta_hat) = n_1/n "
                                 "(a label before the last '=' is ignored)"),
            Quantity("limit of the fitted P(Y=1 | X=(1)) as n grows", LIMIT, symbols=(p,),
                     lhs=r"\lim_{n\to\infty} \hat p(Y=1\mid X=(1))",
                     description="the value n_1/n tends to: the proportion p of positive labels"),
            Quantity("theta_hat", THETA_HAT, symbols=(n1, n), domains=COUNTS, lhs=r"\hat\theta",
                     description="the maximiser itself, logit(n_1/n) = log(n_1/(n - n_1)), for 0 < n_1 < n"),
        ),
    )
