"""Homework 7 (generative models): its 48 parts, its questions, its title, and its registry.

The part ids are those of the homework (``../shared/PARTS.md``); titles and question titles are
our own words, written once, in LaTeX. The sections register their answers on :data:`REGISTRY`.

>>> len(HOMEWORK.parts), HOMEWORK.by_id["8a"].question
(48, '8')
>>> HOMEWORK.select(["3b.i", "8"])
['3b.i', '8a', '8b', '8c', '8d', '8e']
>>> HOMEWORK.select(["12"])
Traceback (most recent call last):
...
KeyError: "unknown part '12' (expected an id such as 8a, 3b.iv or 5.2, or a prefix such as 3 or 3b)"
"""

from __future__ import annotations

from derivations.homework import Homework, Part, question_of
from derivations.registry import Registry

# (id, section, title, kind of answer, what the answer claims at best: proved, checked or explained)
_TABLE: tuple[tuple[str, str, str, str, str], ...] = (
    ("1a.i", "warmup", r"Kernel density estimator: evaluating $p(x)$", "formula + check", "proved"),
    ("1a.ii", "warmup", r"Autoregressive model: $p(x)$ by the chain rule", "formula + check", "proved"),
    ("1a.iii", "warmup", r"Gaussian mixture: $p(x)$ as a weighted sum", "formula + check", "proved"),
    ("1a.iv", "warmup", r"Normalizing flow: $p(x)$ by change of variables", "formula + check", "proved"),
    ("1a.v", "warmup", r"VAE: $p(x)$ is an integral, so estimate or bound it", "formula + estimator check", "checked"),
    ("1a.vi", "warmup", r"Diffusion model: $p(x)$ through the probability-flow ODE", "estimator + check", "checked"),
    ("1b.i", "warmup", r"Kernel density estimator: drawing samples", "procedure + check", "proved"),
    ("1b.ii", "warmup", r"Autoregressive model: ancestral sampling", "procedure + check", "proved"),
    ("1b.iii", "warmup", r"Gaussian mixture: sampling through the component label", "procedure + check", "proved"),
    ("1b.iv", "warmup", r"Normalizing flow: pushing base samples forward", "procedure + check", "proved"),
    ("1b.v", "warmup", r"VAE: sampling the prior, then the decoder", "procedure + check", "proved"),
    ("1b.vi", "warmup", r"Diffusion model: running the reverse process", "procedure + check", "checked"),
    ("2a", "warmup", r"Logistic regression as a sampler of $Y$ given a new $x$", "procedure + check", "proved"),
    ("2b", "warmup", r"Constant input: the fitted $\hat p(Y=1)$ tends to the label frequency", "derivation + check", "proved"),
    ("3a", "vae", r"Why introduce a latent variable at all", "explanation", "explained"),
    ("3b.i", "vae", r"$F(x)$ is uniform when $x$ has CDF $F$", "derivation + check", "proved"),
    ("3b.ii", "vae", r"Decoder that reproduces $p(x)$ from a uniform latent", "choice + check of every option", "proved"),
    ("3b.iii", "vae", r"Decoder that reproduces $p(x)$ from a standard normal latent",
     "choice + check of every option", "proved"),
    ("3b.iv", "vae", r"Maximum-likelihood loss of a latent-variable decoder", "formula", "proved"),
    ("3b.v", "vae", r"Why that loss is hard to minimise in high dimension", "explanation + numeric demonstration", "checked"),
    ("3b.vi", "vae", r"A Monte Carlo approximation of the loss", "formula + check", "proved"),
    ("3b.vii", "vae", r"Prior sampling breaks down in high dimension", "explanation + numeric demonstration", "checked"),
    ("3c.i", "vae", r"$\log p(x) = \log p(x,z) - \log p(z\mid x)$ for every $z$", "derivation + check", "proved"),
    ("3c.ii", "vae", r"$\log p(x) = \mathrm{ELBO} + \mathrm{KL}$, and why the ELBO is easier",
     "derivation + explanation", "proved"),
    ("3c.iii", "vae", r"The ELBO is a lower bound, tight at the posterior", "derivation + check", "proved"),
    ("3c.iv", "vae", r"$\mathrm{ELBO} = $ log-likelihood $-$ KL: what maximising it does", "derivation + check", "proved"),
    ("3d.i", "vae", r"ELBO gradient in the decoder parameters", "formula + check", "proved"),
    ("3d.ii", "vae", r"Reparameterised ELBO gradient in the encoder parameters", "formula + check", "proved"),
    ("4", "mixtures", r"One EM step from a common mean with $\sigma_2^2 = 2\sigma_1^2$", "derivation + simulation", "checked"),
    ("5.1", "mixtures", r"EM start: equal weights, one mean, one variance", "verdict + proof + simulation", "proved"),
    ("5.2", "mixtures", r"EM start: equal weights, one mean, distinct variances", "verdict + proof + simulation", "checked"),
    ("5.3", "mixtures", r"EM start: equal weights, means at random data points", "verdict + derivation + simulation",
     "checked"),
    ("5.4", "mixtures", r"EM start: random weights, one mean, one variance", "verdict + proof + simulation", "proved"),
    ("6", "mixtures", r"M-step for $k$ spherical Gaussians, derived from the ELBO", "derivation + check", "proved"),
    ("7", "mixtures", r"After an E-step the KL term has zero gradient", "derivation + check", "proved"),
    ("8a", "diffusion", r"Forward marginal $q(x_t\mid x_0)$ of DDPM", "derivation + check", "proved"),
    ("8b", "diffusion", r"Marginal of $x_t$ over the two data points", "derivation + check", "proved"),
    ("8c", "diffusion", r"Optimal noise predictor for a fixed input", "derivation + check", "proved"),
    ("8d", "diffusion", r"Posterior over the noise given $x_t$", "derivation + check", "proved"),
    ("8e", "diffusion", r"Optimal noise predictor when the signal has faded", "derivation + check", "proved"),
    ("9a", "flow_matching", r"Conditional path $p_t(x\mid x_1)$ for straight lines from $\mathcal{N}(0, I)$",
     "derivation + check", "proved"),
    ("9b", "flow_matching", r"The conditional path as $t\to 1$", "derivation + check", "proved"),
    ("9c", "flow_matching", r"Marginal path for an empirical data distribution", "derivation + check", "proved"),
    ("9d", "flow_matching", r"Why the marginal velocity is a posterior average", "explanation + numeric demonstration", "explained"),
    ("9e", "flow_matching", r"Posterior over the endpoint $x_1$ given $x$ and $t$", "derivation + check", "proved"),
    ("9f", "flow_matching", r"The continuity equation holds for $p_t$ and $v_t$", "derivation + check", "proved"),
    ("9g", "flow_matching", r"Training $v_\theta$ by conditional flow matching", "procedure + working training run", "checked"),
    ("9h", "flow_matching", r"Sampling by integrating the learned ODE", "procedure + working sampler", "checked"),
)

QUESTIONS = {
    "1": "Densities and samplers of six generative models",
    "2": "Logistic regression as a conditional sampler",
    "3": "Latent-variable models and the VAE",
    "4": "One EM step for a two-component mixture",
    "5": "How the initialisation decides what EM finds",
    "6": "The M-step for spherical Gaussian mixtures",
    "7": "The KL term after an E-step",
    "8": "Denoising diffusion (DDPM)",
    "9": "Flow matching",
}

#: The homework's symbols, as the solution set's notation table lists them.
NOTATION = (
    (r"x^{(i)},\ i = 1, \ldots, n", r"the data points (vectors in $\mathbb{R}^d$); $\mathcal{D} = \{x^{(i)}\}_{i=1}^n$"),
    (r"p(x),\ \hat p(x)", "the density of the data, and the density a model assigns"),
    (r"\mathcal{N}(x; \mu, \Sigma)", r"the Gaussian density with mean $\mu$ and covariance $\Sigma$ at $x$ "
                                    r"($\sigma^2 I$: isotropic)"),
    (r"\mathbb{E}_{q}[\cdot],\ \mathrm{KL}(q \,\|\, p)", r"expectation under the density $q$; "
                                                          r"$\mathrm{KL}(q\,\|\,p) = \mathbb{E}_q[\log(q/p)]$"),
    (r"\sigma(u)", r"the logistic sigmoid $1/(1+e^{-u})$ (and $\sigma$ alone a standard deviation)"),
    (r"z,\ p(z),\ p_\theta(x \mid z)", "a latent variable, its prior, and the decoder with parameters $\\theta$"),
    (r"q_\phi(z \mid x),\ \mathrm{ELBO}_{\theta,\phi}(x)", r"the inference model (encoder) and the evidence "
                                                            r"lower bound $\mathbb{E}_{q_\phi}[\log p_\theta(x,z) - \log q_\phi(z\mid x)]$"),
    (r"F,\ F^{-1}", "a cumulative distribution function and its inverse"),
    (r"k,\ p_z,\ \mu_z,\ \sigma_z^2", "the number of mixture components, and the weight, mean and variance of "
                                       "component $z$"),
    (r"Q(z \mid x^{(i)})", "the responsibility of component $z$ for $x^{(i)}$ (the E-step's posterior)"),
    (r"\beta_t,\ \alpha_t = 1 - \beta_t,\ \bar\alpha_t = \textstyle\prod_{s \le t} \alpha_s",
     "the noise schedule of a diffusion model"),
    (r"x_t,\ \varepsilon,\ \varepsilon^*(\hat x, t)", r"the noised point at step $t$, the standard Gaussian noise, "
                                                       r"and the optimal noise prediction at $x_t = \hat x$"),
    (r"x_0 \sim \mathcal{N}(0, I),\ x_1,\ t \in [0, 1]", "flow matching: the source point, a data point, and the time"),
    (r"p_t(x \mid x_1),\ p_t(x),\ v_t(x)", r"the conditional and marginal probability paths and the marginal velocity; "
                                          r"$\sigma_t = 1 - t$"),
)

SECTIONS = {name: f"derivations.{name}" for name in ("warmup", "vae", "mixtures", "diffusion", "flow_matching")}

HOMEWORK = Homework(
    key="hw7",
    title="Homework 7: generative models",
    subtitle="Answers derived with SymPy and checked by simulation",
    questions=QUESTIONS,
    parts=tuple(Part(pid, question_of(pid), section, title, kind, claim) for pid, section, title, kind, claim in _TABLE),
    sections=SECTIONS,
    examples=("8a", "3b.iv", "5.2", "|", "3", "3b"),
    notation=NOTATION,
)

#: The answers of Homework 7, registered by its section packages.
REGISTRY = Registry(HOMEWORK)
