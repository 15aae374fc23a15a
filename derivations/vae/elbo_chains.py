"""The derivations of 3c and 3d: the log-evidence identity, log p(x) = ELBO + KL and the bound, and
the gradients of the ELBO in the decoder and (reparameterised) encoder parameters.

All general: :math:`q_\\phi(z\\mid x)`, :math:`p_\\theta(x, z)` and the posterior are arbitrary
densities related only by Bayes' rule; the networks of 3d are arbitrary maps in coordinates,
with :math:`x\\in\\mathbb{R}^d`, :math:`z\\in\\mathbb{R}^k` and one parameter coordinate at a time.
"""

from __future__ import annotations

import sympy as sp

from derivations import theorems
from derivations.chain import Chain, Step, derive
from derivations.symbolic import Expect
from derivations.symbolic.hints import merge_under, tidy_sums
from derivations.vae.hints import canonical_sums, expectations, normalised
from derivations.vae.symbols import (DECODER_GRADIENT, DECOMPOSITION, ELBO, ELBO_AS_LIKELIHOOD, ENCODER_GRADIENT, G,
                                     LOG_EVIDENCE, LOG_LIKELIHOOD, NN_phi, POSTERIOR, Q, a, eps, k, p_joint, p_post,
                                     p_theta, p_z, phi_l, q_cond, residual_sum, sigma, theta_l, x, xs, z)

BAYES = theorems.bayes(p_post, p_joint, p_theta)


def bayes_chain() -> Chain:
    """3c.i: log p(x) = log p(x, z) - log p(z | x) for every z, by Bayes' rule."""
    return derive(
        r"$\log p_\theta(x)$ at any $z$, by Bayes' rule",
        sp.log(p_theta(x)),
        Step(sp.log(p_joint(x, z) / POSTERIOR), r"$p_\theta(z\mid x)=p_\theta(x,z)/p_\theta(x)$", cite=BAYES),
        Step(LOG_EVIDENCE, "the log of a ratio"),
    )


def decomposition_chain() -> Chain:
    """3c.ii: log p(x) = ELBO + KL(q || p(z | x)) for any q."""
    return derive(
        r"$\log p_\theta(x) = \mathrm{ELBO} + \mathrm{KL}$ for any $q_\phi(z\mid x)$",
        sp.log(p_theta(x)),
        Step(Expect(sp.log(p_theta(x)), z, Q), r"$q_\phi(z\mid x)$ integrates to 1 over $z$",
             simplify=normalised(q_cond)),
        Step(Expect(sp.log(p_joint(x, z) / POSTERIOR), z, Q), "Bayes' rule", cite=BAYES),
        Step(DECOMPOSITION, r"multiply and divide by $q_\phi(z\mid x)$ inside the log; the second "
             r"expectation is the KL divergence", simplify=expectations(q_cond)),
    )


def bound_chains() -> tuple[Chain, Chain]:
    """3c.iii: ELBO = log p(x) - KL <= log p(x) (Gibbs), and the ELBO at q = posterior is log p(x)."""
    bound = derive(
        r"the ELBO is at most $\log p_\theta(x)$",
        ELBO,
        Step(ELBO_AS_LIKELIHOOD, r"Bayes' rule; $q_\phi(z\mid x)$ integrates to 1", cite=BAYES,
             simplify=expectations(q_cond)),
        Step(sp.log(p_theta(x)), r"Gibbs: $\mathrm{KL}\ge 0$, $=0$ if and only if $q_\phi(z\mid x)=p_\theta(z\mid x)$",
             relation="<=", cite=theorems.gibbs()),
    )
    tight = derive(
        r"at $q_\phi(z\mid x) = p_\theta(z\mid x)$ the ELBO equals $\log p_\theta(x)$",
        Expect(sp.log(p_joint(x, z) / POSTERIOR), z, POSTERIOR),
        Step(Expect(sp.log(p_theta(x)), z, POSTERIOR), "Bayes' rule", cite=BAYES),
        Step(sp.log(p_theta(x)), r"the posterior integrates to 1", simplify=normalised(p_post)),
    )
    return bound, tight


def likelihood_minus_kl_chain() -> Chain:
    """3c.iv: ELBO = log p(x) - KL(q || p(z | x))."""
    return derive(
        r"the ELBO in terms of the likelihood and the KL divergence",
        ELBO,
        Step(Expect(sp.log(p_theta(x)) + sp.log(POSTERIOR / Q), z, Q),
             r"Bayes' rule: $p_\theta(x,z)=p_\theta(x)\,p_\theta(z\mid x)$", cite=BAYES, simplify=expectations(q_cond)),
        Step(ELBO_AS_LIKELIHOOD, r"$q_\phi(z\mid x)$ integrates to 1; definition of the KL divergence",
             simplify=expectations(q_cond)),
    )


def _under_expectation(diff):
    """Evaluate the derivatives (under the integral, as SymPy does), then merge integrals and sums."""
    return merge_under(tidy_sums(diff.doit()))


def decoder_gradient_chain() -> Chain:
    """3d.i: the theta_l-derivative of the ELBO, in coordinates."""
    qd = q_cond(z, xs)
    objective = LOG_LIKELIHOOD + sp.log(p_z(z)) - sp.log(qd)
    return derive(
        r"the ELBO's derivative in a decoder parameter $\theta_l$",
        sp.Derivative(Expect(objective, z, qd), theta_l),
        Step(Expect(sp.Derivative(LOG_LIKELIHOOD, theta_l), z, qd),
             r"$q_\phi(z\mid x)$ and $p(z)$ do not depend on $\theta$: differentiate under the expectation",
             simplify=_under_expectation),
        Step(DECODER_GRADIENT, r"differentiate the squares", simplify=_under_expectation),
    )


def encoder_chains() -> tuple[Chain, Chain]:
    """3d.ii: log q_phi(g | x) is free of phi, and the reparameterised phi_l-derivative in coordinates."""
    log_q = -sp.Sum((G[a] - NN_phi(a, phi_l, xs)) ** 2, (a, 1, k)) / (2 * sigma**2) - k * sp.log(2 * sp.pi * sigma**2) / 2
    entropy = derive(
        r"$\log q_\phi(z\mid x)$ at $z = g(\varepsilon,\phi,x) = \mathrm{NN}_\phi(x) + \sigma\varepsilon$",
        log_q,
        (-sp.Sum(eps[a] ** 2, (a, 1, k)) / 2 - k * sp.log(2 * sp.pi * sigma**2) / 2,
         r"$z_a - \mathrm{NN}_\phi(x)_a = \sigma\varepsilon_a$: free of $\phi$"),
    )
    decoder_and_prior = -residual_sum(G) / (2 * sigma**2) - sp.Sum(G[a] ** 2, (a, 1, k)) / 2
    q_term = sp.Sum((G[a] - NN_phi(a, phi_l, xs)) ** 2, (a, 1, k)) / (2 * sigma**2)
    gradient = derive(
        r"the derivative in an encoder parameter $\phi_l$ at $z = g(\varepsilon,\phi,x)$ (terms free of $\phi$ "
        r"left out)",
        sp.Derivative(decoder_and_prior + q_term, phi_l),
        Step(sp.Derivative(decoder_and_prior, phi_l), r"the $\log q_\phi$ term is free of $\phi$ (above)"),
        Step(ENCODER_GRADIENT, r"chain rule through $z$: $\partial z_a/\partial\phi_l = "
             r"\partial\mathrm{NN}_\phi(x)_a/\partial\phi_l$", simplify=lambda e: canonical_sums(e.doit())),
    )
    return entropy, gradient


__all__ = ["bayes_chain", "bound_chains", "decoder_gradient_chain", "decomposition_chain", "encoder_chains",
           "likelihood_minus_kl_chain"]
