"""The 48 parts of the homework: ids, the question they belong to, and a title in our words.

This table is the single list of part ids. Section modules attach answers to these ids with
:func:`derivations.registry.register`; an id without an answer is reported as ``todo``.

>>> len(PARTS)
48
>>> PARTS["8a"].question
'8'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PartInfo:
    """Static facts about one part: its id, question number, title and kind of answer."""

    id: str
    question: str
    section: str
    title: str
    kind: str


# (id, section module, title, kind of answer)
_TABLE: tuple[tuple[str, str, str, str], ...] = (
    ("1a.i", "warmup", "Kernel density estimator: evaluating p(x)", "formula + check"),
    ("1a.ii", "warmup", "Autoregressive model: p(x) by the chain rule", "formula + check"),
    ("1a.iii", "warmup", "Gaussian mixture: p(x) as a weighted sum", "formula + check"),
    ("1a.iv", "warmup", "Normalizing flow: p(x) by change of variables", "formula + check"),
    ("1a.v", "warmup", "VAE: p(x) is an integral, so estimate or bound it", "formula + estimator check"),
    ("1a.vi", "warmup", "Diffusion model: p(x) through the probability-flow ODE", "estimator + check"),
    ("1b.i", "warmup", "Kernel density estimator: drawing samples", "procedure + check"),
    ("1b.ii", "warmup", "Autoregressive model: ancestral sampling", "procedure + check"),
    ("1b.iii", "warmup", "Gaussian mixture: sampling through the component label", "procedure + check"),
    ("1b.iv", "warmup", "Normalizing flow: pushing base samples forward", "procedure + check"),
    ("1b.v", "warmup", "VAE: sampling the prior, then the decoder", "procedure + check"),
    ("1b.vi", "warmup", "Diffusion model: running the reverse process", "procedure + check"),
    ("2a", "warmup", "Logistic regression as a sampler of Y given a new x", "procedure + check"),
    ("2b", "warmup", "Constant input: the fitted P(Y=1) tends to the label frequency", "derivation + check"),
    ("3a", "vae", "Why introduce a latent variable at all", "explanation"),
    ("3b.i", "vae", "F(x) is uniform when x has CDF F", "derivation + check"),
    ("3b.ii", "vae", "Decoder that reproduces p(x) from a uniform latent", "choice + check of every option"),
    ("3b.iii", "vae", "Decoder that reproduces p(x) from a standard normal latent", "choice + check of every option"),
    ("3b.iv", "vae", "Maximum-likelihood loss of a latent-variable decoder", "formula"),
    ("3b.v", "vae", "Why that loss is hard to minimise in high dimension", "explanation + numeric demonstration"),
    ("3b.vi", "vae", "A Monte Carlo approximation of the loss", "formula + check"),
    ("3b.vii", "vae", "Prior sampling breaks down in high dimension", "explanation + numeric demonstration"),
    ("3c.i", "vae", "log p(x) = log p(x,z) - log p(z|x) for every z", "derivation + check"),
    ("3c.ii", "vae", "log p(x) = ELBO + KL, and why the ELBO is easier", "explanation + derivation"),
    ("3c.iii", "vae", "The ELBO is a lower bound, tight at the posterior", "derivation + check"),
    ("3c.iv", "vae", "ELBO = log-likelihood - KL: what maximising it does", "derivation + check"),
    ("3d.i", "vae", "ELBO gradient in the decoder parameters", "formula + check"),
    ("3d.ii", "vae", "Reparameterised ELBO gradient in the encoder parameters", "formula + check"),
    ("4", "mixtures", "One EM step from a common mean with sigma_2^2 = 2 sigma_1^2", "simulation + explanation"),
    ("5.1", "mixtures", "EM start: equal weights, one mean, one variance", "verdict + proof + simulation"),
    ("5.2", "mixtures", "EM start: equal weights, one mean, distinct variances", "verdict + proof + simulation"),
    ("5.3", "mixtures", "EM start: equal weights, means at random data points", "verdict + simulation"),
    ("5.4", "mixtures", "EM start: random weights, one mean, one variance", "verdict + proof + simulation"),
    ("6", "mixtures", "M-step for k spherical Gaussians, derived from the ELBO", "derivation + check"),
    ("7", "mixtures", "After an E-step the KL term has zero gradient", "derivation + check"),
    ("8a", "diffusion", "Forward marginal q(x_t | x_0) of DDPM", "derivation + check"),
    ("8b", "diffusion", "Marginal of x_t over the two data points", "derivation + check"),
    ("8c", "diffusion", "Optimal noise predictor for a fixed input", "derivation + check"),
    ("8d", "diffusion", "Posterior over the noise given x_t", "derivation + check"),
    ("8e", "diffusion", "Optimal noise predictor when the signal has faded", "derivation + check"),
    ("9a", "flow_matching", "Conditional path p_t(x | x_1) for straight lines from N(0, I)", "derivation + check"),
    ("9b", "flow_matching", "The conditional path as t -> 1", "derivation + check"),
    ("9c", "flow_matching", "Marginal path for an empirical data distribution", "derivation + check"),
    ("9d", "flow_matching", "Why the marginal velocity is a posterior average", "explanation + numeric demonstration"),
    ("9e", "flow_matching", "Posterior over the endpoint x_1 given x and t", "derivation + check"),
    ("9f", "flow_matching", "The continuity equation holds for p_t and v_t", "derivation + check"),
    ("9g", "flow_matching", "Training v_theta by conditional flow matching", "procedure + working training run"),
    ("9h", "flow_matching", "Sampling by integrating the learned ODE", "procedure + working sampler"),
)

SECTIONS: tuple[str, ...] = ("warmup", "vae", "mixtures", "diffusion", "flow_matching")


def _question(part_id: str) -> str:
    """The question number an id belongs to: ``'3b.iv' -> '3'``, ``'5.2' -> '5'``."""
    digits = ""
    for ch in part_id:
        if not ch.isdigit():
            break
        digits += ch
    return digits


PARTS: dict[str, PartInfo] = {
    pid: PartInfo(pid, _question(pid), section, title, kind) for pid, section, title, kind in _TABLE
}
ORDER: tuple[str, ...] = tuple(PARTS)


def select(selectors: list[str] | tuple[str, ...]) -> list[str]:
    """Part ids chosen by exact ids or by question prefixes, in homework order.

    An exact id wins; otherwise a selector picks every id that starts with it, where a selector
    ending in a digit may not be followed by another digit (``1`` never picks ``10``).

    >>> select(["3b"])
    ['3b.i', '3b.ii', '3b.iii', '3b.iv', '3b.v', '3b.vi', '3b.vii']
    >>> select(["3b.i", "8"])
    ['3b.i', '8a', '8b', '8c', '8d', '8e']
    >>> select(["12"])
    Traceback (most recent call last):
    ...
    KeyError: "unknown part '12' (expected an id such as 8a, 3b.iv or 5.2, or a prefix such as 3 or 3b)"
    """
    chosen: set[str] = set()
    for sel in selectors:
        if sel in PARTS:
            chosen.add(sel)
            continue
        hits = [pid for pid in ORDER if _prefix_matches(sel, pid)]
        if not hits:
            raise KeyError(
                f"unknown part {sel!r} (expected an id such as 8a, 3b.iv or 5.2, "
                "or a prefix such as 3 or 3b)"
            )
        chosen.update(hits)
    return [pid for pid in ORDER if pid in chosen]


def _prefix_matches(selector: str, part_id: str) -> bool:
    if not selector or not part_id.startswith(selector) or part_id == selector:
        return False
    nxt = part_id[len(selector)]
    return not (selector[-1].isdigit() and nxt.isdigit())
