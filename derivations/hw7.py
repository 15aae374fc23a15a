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
    ("4", "mixtures", r"One EM step from a common mean with $\sigma_2^2 = 2\sigma_1^2$", "simulation + explanation", "checked"),
    ("5.1", "mixtures", r"EM start: equal weights, one mean, one variance", "verdict + proof + simulation", "proved"),
    ("5.2", "mixtures", r"EM start: equal weights, one mean, distinct variances", "verdict + proof + simulation", "checked"),
    ("5.3", "mixtures", r"EM start: equal weights, means at random data points", "verdict + simulation", "checked"),
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

SECTIONS = {name: f"derivations.{name}" for name in ("warmup", "vae", "mixtures", "diffusion", "flow_matching")}

HOMEWORK = Homework(
    key="hw7",
    title="Homework 7: generative models",
    subtitle="Answers derived with SymPy and checked by simulation",
    questions=QUESTIONS,
    parts=tuple(Part(pid, question_of(pid), section, title, kind, claim) for pid, section, title, kind, claim in _TABLE),
    sections=SECTIONS,
    examples=("8a", "3b.iv", "5.2", "|", "3", "3b"),
)

#: The answers of Homework 7, registered by its section packages.
REGISTRY = Registry(HOMEWORK)
