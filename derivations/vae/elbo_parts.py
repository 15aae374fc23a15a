"""The answers of 3c and 3d (the ELBO and its gradients), registered on the homework."""

from __future__ import annotations

import sympy as sp

from derivations.answer import Answer, Check, Quantity
from derivations.hw7 import REGISTRY
from derivations.vae import elbo_chains as chains
from derivations.vae import elbo_checks as checks
from derivations.vae.symbols import (DECODER_GRADIENT, DECODER_GRADIENT_WRITTEN, DECOMPOSITION, ELBO_AS_LIKELIHOOD,
                                     ENCODER_GRADIENT, ENCODER_GRADIENT_WRITTEN, LOG_EVIDENCE, NN_phi_v, NN_theta_v, d,
                                     eps, epsilon_v, k, p_joint, p_post, p_theta, phi_l, phi_v, q_cond, sigma,
                                     theta, theta_l, theta_v, x, xs, z)

ELBO_TEX = r"\mathrm{ELBO}_{\theta,\phi}(x)"
DENSITIES = (x, z, p_theta, p_joint, p_post, q_cond)


@REGISTRY.register("3c.i", status="proved")
def log_evidence_identity() -> Answer:
    chain = chains.bayes_chain()
    return Answer(
        summary=(r"for every $z$ with $p_\theta(z\mid x)>0$, which is $\log\frac{p_\theta(x,z)}{p_\theta(z\mid x)}$: "
                 r"Bayes' rule, $p_\theta(z\mid x)=p_\theta(x,z)/p_\theta(x)$."),
        explanation=(
            r"The ratio $p_\theta(x,z)/p_\theta(z\mid x)$ does not depend on $z$: as functions of $z$ the "
            r"joint and the posterior differ only by the constant factor $p_\theta(x)$, the normaliser "
            r"of the posterior."),
        chains=(chain,),
        checks=(Check("identity at random $z$",
                      r"$\log p(x,z)-\log p(z\mid x)$ equals the exact $\log p(x)$ at drawn $z$.",
                      checks.bayes_identity_run),),
        quantities=(Quantity("log-likelihood", LOG_EVIDENCE, symbols=DENSITIES, lhs=sp.log(p_theta(x)),
                             chain=chain.title,
                             description=("log p_theta(x) as log p_theta(x, z) - log p_theta(z | x), for every z "
                                          "(Bayes' rule)")),),
    )


@REGISTRY.register("3c.ii", status="proved")
def why_elbo() -> Answer:
    chain = chains.decomposition_chain()
    return Answer(
        summary=(r"The first term is $\mathrm{ELBO}_{\theta,\phi}(x)$, the second the KL divergence. The ELBO "
                 r"is the easier objective: it needs only the joint $p_\theta(x,z)=p_\theta(x\mid z)\,p(z)$ "
                 r"and $q_\phi(z\mid x)$, both of which we can evaluate, under an expectation over "
                 r"$q_\phi$, which we choose and can sample; so unbiased Monte Carlo estimates of it and of "
                 r"its gradients are cheap (3d). $\log p_\theta(x)$ itself needs the intractable integral "
                 r"over $z$, and the KL term needs the unknown posterior."),
        explanation=(
            r"Since $\log p_\theta(x)$ does not depend on $z$, it equals its expectation under any "
            r"$q_\phi(z\mid x)$; Bayes' rule writes it as $\mathbb{E}_{q_\phi}[\log(p_\theta(x,z)/p_\theta(z\mid x))]$, "
            r"and multiplying and dividing by $q_\phi(z\mid x)$ inside the log splits it into the two "
            r"terms. Maximising the ELBO also moves in the right direction: $\log p_\theta(x)$ does not "
            r"depend on $\phi$, so raising the ELBO in $\phi$ lowers the KL to the posterior, and in "
            r"$\theta$ it raises a lower bound on the likelihood (3c.iii)."),
        chains=(chain,),
        checks=(Check("the ELBO is cheap to estimate",
                      r"The Monte Carlo ELBO is unbiased at $k=16$ while the naive estimate of $\log p(x)$ is "
                      r"biased.",
                      lambda rng: checks.elbo_cheap_checks(16, rng=rng)),),
        quantities=(Quantity("decomposition", DECOMPOSITION, symbols=DENSITIES, lhs=sp.log(p_theta(x)),
                             chain=chain.title,
                             description="log p_theta(x) = E_q[log p_theta(x, z)/q_phi(z|x)] + KL(q_phi(z|x) || p_theta(z|x))"),),
    )


@REGISTRY.register("3c.iii", status="proved")
def elbo_bound() -> Answer:
    bound, tight = chains.bound_chains()
    return Answer(
        summary=(r"with equality if and only if $q_\phi(z\mid x)=p_\theta(z\mid x)$ for almost every $z$."),
        explanation=(
            r"By Bayes' rule the ELBO is $\log p_\theta(x)-\mathrm{KL}(q_\phi(z\mid x)\,\Vert\,p_\theta(z\mid x))$ "
            r"(as in 3c.iv), and a KL divergence is non-negative, zero exactly when its two densities agree "
            r"almost everywhere (Gibbs' inequality; it is Jensen's inequality for the concave log, "
            r"$-\mathrm{KL}(q\,\Vert\,p)=\mathbb{E}_q[\log(p/q)]\le\log\mathbb{E}_q[p/q]\le0$). So the ELBO is a "
            r"lower bound on $\log p_\theta(x)$, tight exactly at the posterior."),
        chains=(bound, tight),
        checks=(Check("the bound and its gap",
                      r"$\mathrm{ELBO}<\log p(x)$ for random $q$, with equality at the posterior, and the gap is "
                      r"the KL (closed form and Monte Carlo); the same for a mixture $q$ by sampling.",
                      checks.elbo_bound_run),),
        quantities=(Quantity("bound", sp.log(p_theta(x)), symbols=DENSITIES, lhs=ELBO_TEX, relation=r"\le",
                             chain=bound.title, description="ELBO_{theta,phi}(x) <= log p_theta(x)"),),
    )


@REGISTRY.register("3c.iv", status="proved")
def elbo_as_likelihood_minus_kl() -> Answer:
    chain = chains.likelihood_minus_kl_chain()
    return Answer(
        summary=(r"With unlimited capacity and perfect optimisation, the maximum over $\phi$ makes "
                 r"$q_\phi(z\mid x)=p_\theta(z\mid x)$, so the KL vanishes and the ELBO equals "
                 r"$\log p_\theta(x)$ for every $\theta$. Maximising the ELBO over $(\theta,\phi)$ then "
                 r"maximises the likelihood $\sum_i\log p_\theta(x^{(i)})$: $p_\theta$ is the "
                 r"maximum-likelihood model, which for a rich enough family and enough data approaches the "
                 r"data distribution."),
        explanation=(
            r"For fixed $\theta$, $\log p_\theta(x)$ does not depend on $\phi$, so the best $\phi$ minimises "
            r"the KL divergence; if $q_\phi$ can represent the posterior the minimum is 0 (3c.iii), and "
            r"$\max_{\theta,\phi}\mathrm{ELBO}=\max_\theta\log p_\theta(x)$. With a restricted family for "
            r"$q_\phi$ the optimum instead trades likelihood for a posterior that $q_\phi$ can represent. "
            r"The check runs this maximisation in probabilistic PCA, alternating the two maximisations "
            r"(which is EM)."),
        chains=(chain,),
        checks=(Check("ELBO maximisation finds the MLE",
                      r"EM (alternating maximisation of the ELBO) in probabilistic PCA reaches the closed-form "
                      r"maximum-likelihood estimate with $\mathrm{KL}=0$.",
                      lambda rng: checks.em_reaches_mle_check(rng=rng)),),
        quantities=(Quantity("ELBO", ELBO_AS_LIKELIHOOD, symbols=DENSITIES, lhs=ELBO_TEX, chain=chain.title,
                             description="log p_theta(x) - KL(q_phi(z|x) || p_theta(z|x))"),),
    )


@REGISTRY.register("3d.i", status="proved")
def decoder_gradient() -> Answer:
    chain = chains.decoder_gradient_chain()
    return Answer(
        summary=(r"for every coordinate $\theta_l$ of $\theta$, with $x,\mathrm{NN}_\theta(z)\in\mathbb{R}^d$. In "
                 r"vectors, $\nabla_\theta\mathrm{ELBO}_{\theta,\phi}(x)=\frac1{\sigma^2}\mathbb{E}_{q_\phi(z\mid x)}"
                 r"\big[J_\theta(z)^\top(x-\mathrm{NN}_\theta(z))\big]$ with the Jacobian "
                 r"$J_\theta(z)=\partial\mathrm{NN}_\theta(z)/\partial\theta$; with $z^{(1)},\dots,z^{(L)}\sim "
                 r"q_\phi(z\mid x)$, $\frac1{L\sigma^2}\sum_{s=1}^L J_\theta(z^{(s)})^\top(x-\mathrm{NN}_\theta(z^{(s)}))$ "
                 r"is an unbiased estimate."),
        explanation=(
            r"$\theta$ enters the ELBO only through $\log p_\theta(x\mid z)=-\sum_{j=1}^d(x_j-\mathrm{NN}_\theta(z)_j)^2/"
            r"(2\sigma^2)-\frac d2\log(2\pi\sigma^2)$; the distribution $q_\phi(z\mid x)$ we average over and "
            r"the prior do not depend on it, so the derivative passes under the expectation and only the "
            r"squared residuals are differentiated."),
        chains=(chain,),
        checks=(Check("decoder gradient",
                      r"The decoder gradient estimate equals finite differences of the common-random-numbers "
                      r"ELBO estimate and is unbiased for the exact gradient.",
                      lambda rng: checks.gradient_checks("theta", rng=rng)),),
        quantities=(Quantity(
            "gradient", DECODER_GRADIENT, symbols=(xs, z, d, theta_l, sigma, q_cond),
            lhs=r"\frac{\partial}{\partial \theta_l}" + ELBO_TEX, chain=chain.title,
            description=("The derivative of the ELBO in one coordinate theta_l of the decoder's parameters: "
                         "E over z ~ q_phi(z|x) of (1/sigma^2) sum_{j=1}^d (x_j - NN_theta(z)_j) "
                         "dNN_theta(z)_j/dtheta_l; in vectors E_q[J_theta(z)^T (x - NN_theta(z))]/sigma^2. Its "
                         "integrand is the single-sample estimate."),
            written=Quantity(
                "gradient integrand (vector notation)", DECODER_GRADIENT_WRITTEN,
                symbols=(x, z, theta_v, sigma, NN_theta_v),
                description=("The integrand of the gradient as students write it, vectors as one symbol: "
                             "(x - NN_theta(z)) grad_theta NN_theta(z) / sigma^2, the derivative of NN_theta "
                             "playing the Jacobian J_theta(z)^T."))),),
    )


@REGISTRY.register("3d.ii", status="proved")
def encoder_gradient() -> Answer:
    entropy, gradient = chains.encoder_chains()
    return Answer(
        summary=(r"at $z=g(\varepsilon,\phi,x)=\mathrm{NN}_\phi(x)+\sigma\varepsilon$, "
                 r"$\varepsilon\sim\mathcal{N}(0,I_k)$, with the decoder's $\sigma$. In vectors, "
                 r"$J_\phi(x)^\top\big[\frac1{\sigma^2}J_z(z)^\top(x-\mathrm{NN}_\theta(z))-z\big]$ with "
                 r"$J_\phi(x)=\partial\mathrm{NN}_\phi(x)/\partial\phi$ and $J_z(z)=\partial\mathrm{NN}_\theta(z)/\partial z$. "
                 r"Its expectation over $\varepsilon$ is $\nabla_\phi\mathrm{ELBO}_{\theta,\phi}(x)$ (the law of "
                 r"$\varepsilon$ does not depend on $\phi$), so one draw of $\varepsilon$ gives an unbiased "
                 r"estimate."),
        explanation=(
            r"After reparameterisation the expectation is over $\varepsilon$, whose law does not involve "
            r"$\phi$, so the gradient moves inside, as the homework writes. At $z=g$ the entropy term "
            r"$\log q_\phi(g\mid x)=-\frac12\lVert\varepsilon\rVert^2-\frac k2\log(2\pi\sigma^2)$, because "
            r"$g-\mathrm{NN}_\phi(x)=\sigma\varepsilon$: it is free of $\phi$ (first chain). What remains, "
            r"$\log p_\theta(x\mid z)+\log p(z)$ at $z=g$, is differentiated by the chain rule through $z$, "
            r"with $\partial z_a/\partial\phi_l=\partial\mathrm{NN}_\phi(x)_a/\partial\phi_l$ (second chain). "
            r"With a learned variance $\sigma_\phi(x)^2$ the entropy term would contribute "
            r"$\nabla_\phi\sum_a\log\sigma_\phi(x)_a$."),
        chains=(entropy, gradient),
        checks=(Check("encoder gradient",
                      r"The reparameterised encoder gradient estimate equals finite differences of the "
                      r"common-random-numbers ELBO estimate and is unbiased; REINFORCE is unbiased with a "
                      r"larger variance.",
                      lambda rng: checks.gradient_checks("phi", rng=rng)),),
        quantities=(Quantity(
            "gradient at one sample", ENCODER_GRADIENT,
            symbols=(xs, eps, d, k, theta, phi_l, sigma),
            lhs=r"\frac{\partial}{\partial \phi_l}\bigl[\log p_\theta(x,z)-\log q_\phi(z\mid x)\bigr]",
            chain=gradient.title,
            description=("The derivative in one coordinate phi_l of the encoder's parameters of "
                         "log p_theta(x, z) - log q_phi(z|x) at z = NN_phi(x) + sigma epsilon (the same sigma as "
                         "the decoder): sum_{a=1}^k dNN_phi(x)_a/dphi_l ((1/sigma^2) sum_{j=1}^d "
                         "(x_j - NN_theta(z)_j) dNN_theta(z)_j/dz_a - z_a); in vectors "
                         "J_phi(x)^T (J_z(z)^T (x - NN_theta(z))/sigma^2 - z)."),
            written=Quantity(
                "gradient at one sample (vector notation)", ENCODER_GRADIENT_WRITTEN,
                symbols=(x, theta_v, phi_v, epsilon_v, sigma, NN_theta_v, NN_phi_v), defined={"sigma_q": sigma},
                description=("As students write it, vectors as one symbol: grad_phi NN_phi(x) ((x - NN_theta(z)) "
                             "NN_theta'(z)/sigma^2 - z) at z = NN_phi(x) + sigma epsilon (the homework's one sigma; "
                             "an answer may name the encoder's sigma_q, which is that sigma)."))),),
    )
