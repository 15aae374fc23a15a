"""The derivations of 3c and 3d: the log-evidence identity, log p(x) = ELBO + KL and the bound, and
the gradients of the ELBO in the decoder and (reparameterised) encoder parameters.

Each function returns one chain, or the chains of one part in the order the part shows them.
The chains in the 1-D linear-Gaussian model are reused by Question 1 (:mod:`derivations.warmup`).
"""

from __future__ import annotations

import sympy as sp
from sympy.stats import Expectation, Normal

from derivations.chain import Chain, Step, derive
from derivations.symbolic import log_normal_pdf, normal_pdf
from derivations.symbolic.hints import expand_logs
from derivations.vae.hints import combine_under, merge_expectations
from derivations.vae.symbols import (DECODER_GRADIENT, ELBO_1D, ENCODER_GRADIENT, G, KL_1D, LOG_MARGINAL, NN_phi,
                                     NN_theta, POST_MEAN, POST_VAR, b, epsilon, m, p_joint, p_post, p_theta, p_z,
                                     phi, q_z, sigma, sigma_q, theta, var_q, w, x, z)

OO = sp.oo


def bayes_chain() -> Chain:
    """3c.i: log p(x, z) / p(z | x) = log p(x), by Bayes' rule."""
    return derive(
        r"Bayes' rule $p_\theta(z\mid x)=p_\theta(x,z)/p_\theta(x)$",
        sp.log(p_joint(x, z) / p_post(z, x)),
        Step(sp.log(p_theta(x)), r"substitute $p_\theta(z\mid x)=p_\theta(x,z)/p_\theta(x)$",
             simplify=lambda d: d.replace(p_post, lambda zz, xx: p_joint(xx, zz) / p_theta(xx))),
    )


def gaussian_evidence_chain() -> Chain:
    """3c.i in the 1-D linear-Gaussian model: the z-dependence of log p(x, z) - log p(z | x) cancels."""
    return derive(
        r"the linear-Gaussian model: the $z$-dependence cancels",
        log_normal_pdf(x, w * z + b, sigma**2) + log_normal_pdf(z, 0, 1) - log_normal_pdf(z, POST_MEAN, POST_VAR),
        Step(LOG_MARGINAL, r"expand the logs; $z$ cancels", simplify=expand_logs),
    )


def elbo_kl_chain() -> Chain:
    """3c.ii: log p(x) = ELBO + KL for a Gaussian q in the 1-D linear-Gaussian model."""
    zq = Normal("z", m, sp.sqrt(var_q))
    log_joint = log_normal_pdf(x, w * zq + b, sigma**2) + log_normal_pdf(zq, 0, 1)
    log_q = log_normal_pdf(zq, m, var_q)
    log_post = log_normal_pdf(zq, POST_MEAN, POST_VAR)
    return derive(
        r"$\log p(x)=\mathrm{ELBO}+\mathrm{KL}$ for $q=\mathcal{N}(m,s_q)$ in the linear-Gaussian model",
        Expectation(log_joint - log_post),
        Step(Expectation(log_joint - log_q) + Expectation(log_q - log_post),
             r"multiply and divide by $q$", simplify=merge_expectations),
        Step(ELBO_1D + KL_1D, r"Gaussian moments under $q$", simplify=merge_expectations),
        Step(LOG_MARGINAL, "the same as 3c.i", simplify=expand_logs),
    )


def elbo_gap_chain() -> Chain:
    """3c.iii: log p(x) - ELBO = KL >= 0 in the 1-D linear-Gaussian model (the sign checked numerically)."""
    return derive(
        r"$\log p(x)-\mathrm{ELBO}=\mathrm{KL}(q\,\Vert\,p(z\mid x))\ge0$ in the linear-Gaussian model",
        LOG_MARGINAL - ELBO_1D,
        Step(KL_1D, "decomposition of 3c.ii", simplify=expand_logs),
        Step(sp.S.Zero, r"$r-1-\log r\ge0$ with $r=s_q(w^2+\sigma^2)/\sigma^2$", relation=">=",
             numeric_only=True),
        domains={var_q: sp.Interval.open(sp.Rational(1, 100), 100)},
    )


def kl_vanishes_chain() -> Chain:
    """3c.iii: the KL of the 1-D model vanishes at q = p(z | x)."""
    return derive(
        r"at $q=p(z\mid x)$ the KL vanishes",
        sp.Subs(KL_1D, (m, var_q), (POST_MEAN, POST_VAR)),
        (sp.S.Zero, r"$r=1$, $m=\mu_{\mathrm{post}}$"),
    )


def elbo_identity_chain() -> Chain:
    """3c.iv: ELBO = log p(x) - KL in the 1-D linear-Gaussian model."""
    return derive(
        r"$\mathrm{ELBO}=\log p(x)-\mathrm{KL}(q\,\Vert\,p(z\mid x))$ in the linear-Gaussian model",
        ELBO_1D,
        Step(LOG_MARGINAL - KL_1D, r"rearrange $\log p=\mathrm{ELBO}+\mathrm{KL}$", simplify=expand_logs),
    )


def decoder_gradient_chain() -> Chain:
    """3d.i: the theta-gradient of the ELBO passes under E_q and is E_q of the decoder's score."""
    log_lik = log_normal_pdf(x, NN_theta(theta, z), sigma**2)
    elbo_integrand = log_lik + sp.log(p_z(z)) - sp.log(q_z(z))
    return derive(
        r"gradient in $\theta$ of $E_q[\log p_\theta(x\mid z)+\log p(z)-\log q(z\mid x)]$ (scalar stand-in)",
        sp.Derivative(sp.Integral(q_z(z) * elbo_integrand, (z, -OO, OO)), theta),
        Step(sp.Integral(q_z(z) * sp.Derivative(log_lik, theta), (z, -OO, OO)),
             r"differentiate under $E_q$; $q$, $p(z)$ free of $\theta$", simplify=combine_under),
        Step(sp.Integral(q_z(z) * DECODER_GRADIENT, (z, -OO, OO)), r"chain rule through $\mathrm{NN}_\theta$",
             simplify=combine_under),
    )


def encoder_gradient_chains() -> tuple[Chain, Chain]:
    """3d.ii: log q_phi(g | x) is free of phi, and the reparameterised phi-gradient of the ELBO."""
    std_pdf_eps = normal_pdf(epsilon, 0, 1)
    log_q_at_g = log_normal_pdf(G, NN_phi(phi, x), sigma_q**2)
    log_joint_at_g = log_normal_pdf(x, NN_theta(theta, G), sigma**2) + log_normal_pdf(G, 0, 1)
    entropy = derive(
        r"$\log q_\phi(g(\varepsilon)\mid x)$ does not depend on $\phi$",
        sp.Subs(log_normal_pdf(z, NN_phi(phi, x), sigma_q**2), z, G),
        (-epsilon**2 / 2 - sp.log(2 * sp.pi * sigma_q**2) / 2, r"$g-\mathrm{NN}_\phi(x)=\sigma_q\varepsilon$"),
    )
    gradient = derive(
        r"reparameterised gradient, $z=g(\varepsilon,\phi,x)=\mathrm{NN}_\phi(x)+\sigma_q\varepsilon$ "
        r"(scalar stand-in)",
        sp.Derivative(sp.Integral(std_pdf_eps * (log_joint_at_g - log_q_at_g), (epsilon, -OO, OO)), phi),
        Step(sp.Integral(std_pdf_eps * sp.Derivative(log_joint_at_g - log_q_at_g, phi), (epsilon, -OO, OO)),
             r"the law of $\varepsilon$ is free of $\phi$", simplify=combine_under),
        Step(sp.Integral(std_pdf_eps * sp.Derivative(log_joint_at_g, phi), (epsilon, -OO, OO)),
             r"$\log q_\phi(g\mid x)$ is free of $\phi$", simplify=combine_under),
        Step(sp.Integral(std_pdf_eps * ENCODER_GRADIENT, (epsilon, -OO, OO)), r"chain rule through $z=g$",
             simplify=combine_under),
    )
    return entropy, gradient
