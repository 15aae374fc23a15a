"""The answers of 3c and 3d (the ELBO and its gradients), registered on the homework."""

from __future__ import annotations

from derivations.answer import Answer, Check, Quantity
from derivations.hw7 import REGISTRY
from derivations.vae import elbo_chains as chains
from derivations.vae import elbo_checks as checks
from derivations.vae.symbols import (DECODER_GRADIENT, ELBO_DENSITIES, ELBO_SYMBOLS, ENCODER_GRADIENT, KL, NN_phi,
                                     NN_theta, epsilon, log_p, phi, sigma, sigma_q, theta, x, z)


@REGISTRY.register("3c.i", status="proved")
def log_evidence_identity() -> Answer:
    return Answer(
        summary=(r"By Bayes' rule $p_\theta(z\mid x)=p_\theta(x,z)/p_\theta(x)$, so for every $z$ with "
                 r"$p_\theta(z\mid x)>0$: $\log\frac{p_\theta(x,z)}{p_\theta(z\mid x)}=\log p_\theta(x)$."),
        explanation=(
            r"The ratio does not depend on $z$ at all: the joint and the posterior have the same shape "
            r"in $z$ and differ by the constant factor $p_\theta(x)$. The second chain sees the $z$ terms "
            r"cancel explicitly in the one-dimensional linear-Gaussian model; the check evaluates the "
            r"identity in a probabilistic-PCA model with drawn dimensions at many drawn latents."),
        chains=(chains.bayes_chain(), chains.gaussian_evidence_chain()),
        checks=(Check("identity at random $z$",
                      r"$\log p(x,z)-\log p(z\mid x)$ equals the exact $\log p(x)$ at drawn $z$.",
                      checks.bayes_identity_run),),
    )


@REGISTRY.register("3c.ii", status="explained")
def why_elbo() -> Answer:
    return Answer(
        summary=(r"The ELBO $E_{q_\phi}[\log p_\theta(x,z)-\log q_\phi(z\mid x)]$ involves only quantities "
                 r"we can evaluate (the joint and $q$), and it is an expectation under a distribution we "
                 r"choose and can sample, so unbiased Monte Carlo estimates of it and of its gradients "
                 r"are cheap even in high dimension. $\log p_\theta(x)$ itself needs the intractable "
                 r"integral, and the KL term needs the unknown posterior."),
        explanation=(
            r"Maximising the ELBO also pushes in the right direction: since $\log p_\theta(x)$ does not "
            r"depend on $\phi$, raising the ELBO in $\phi$ lowers the KL to the posterior, and in "
            r"$\theta$ it raises a lower bound on the likelihood (3c.iii). The chain derives the "
            r"decomposition $\log p(x)=\mathrm{ELBO}+\mathrm{KL}$ symbolically in the one-dimensional "
            r"linear-Gaussian model with an arbitrary Gaussian $q$. The checks measure the claim that the "
            r"ELBO is easy to estimate: with 16 latent dimensions single-sample estimates are unbiased "
            r"(a $z$-test against the closed form), while the prior-sampling estimate of $\log p(x)$ "
            r"with 100 samples is off by more than a nat."),
        chains=(chains.elbo_kl_chain(),),
        checks=(Check("the ELBO is cheap to estimate",
                      r"The Monte Carlo ELBO is unbiased at $k=16$ while the naive estimate of $\log p(x)$ is "
                      r"biased.",
                      lambda rng: checks.elbo_cheap_checks(16, rng=rng)),),
    )


@REGISTRY.register("3c.iii", status="checked")
def elbo_bound() -> Answer:
    return Answer(
        summary=(r"$\log p_\theta(x)-\mathrm{ELBO}_{\theta,\phi}(x)=\mathrm{KL}(q_\phi(z\mid x)\Vert p_\theta(z\mid x))"
                 r"\ge0$ (Gibbs' inequality), with equality if and only if $q_\phi(z\mid x)=p_\theta(z\mid x)$ "
                 r"for almost every $z$."),
        explanation=(
            r"By Jensen's inequality for the concave log, $-\mathrm{KL}(q\Vert p)=E_q[\log(p/q)]\le"
            r"\log E_q[p/q]=\log\int_{q>0}p\le0$, with equality only when $p/q$ is constant $q$-almost "
            r"surely, i.e. $q=p$. Equivalently, applying Jensen directly: $\log p(x)=\log E_q[p(x,z)/q(z)]"
            r"\ge E_q[\log p(x,z)/q(z)]=\mathrm{ELBO}$. For Gaussians the KL is "
            r"$\frac12(r-1-\log r)+\frac{(m-\mu)^2}{2\sigma_{\mathrm{post}}^2}$ with $r$ the variance ratio, "
            r"zero exactly when the means and variances agree. SymPy cannot decide the sign of "
            r"$r-1-\log r$, so that step is checked at random points, and this part is checked rather "
            r"than proved. The checks evaluate the bound and its gap for random Gaussian $q$ in a "
            r"probabilistic-PCA model and the KL by Monte Carlo, and repeat the decomposition and the bound "
            r"with a non-Gaussian $q$ (a two-component mixture) by sampling."),
        chains=(chains.elbo_gap_chain(), chains.kl_vanishes_chain()),
        checks=(Check("the bound and its gap",
                      r"$\mathrm{ELBO}<\log p(x)$ for random $q$, with equality at the posterior, and the gap is "
                      r"the KL (closed form and Monte Carlo); the same for a mixture $q$ by sampling.",
                      checks.elbo_bound_run),),
    )


@REGISTRY.register("3c.iv", status="proved")
def elbo_as_likelihood_minus_kl() -> Answer:
    return Answer(
        summary=(r"With unlimited capacity and perfect optimisation the maximiser has $q_\phi(z\mid x)="
                 r"p_\theta(z\mid x)$ (KL $=0$) and $\theta$ maximises $\sum_i\log p_\theta(x^{(i)})$: "
                 r"$p_\theta$ is the maximum-likelihood model, which for a rich enough family and "
                 r"enough data approaches the data distribution."),
        explanation=(
            r"For fixed $\theta$ the ELBO is maximal over $\phi$ exactly when the KL vanishes, and then it "
            r"equals $\log p_\theta(x)$; so $\max_{\theta,\phi}\mathrm{ELBO}=\max_\theta\log p_\theta(x)$. "
            r"The chain proves the identity in the one-dimensional linear-Gaussian model. The check "
            r"runs coordinate ascent on the ELBO in probabilistic PCA (the E-step sets $q$ to the "
            r"posterior, the M-step maximises over $W,b,s^2$; this is EM) and finds the closed-form "
            r"maximum-likelihood solution of Tipping and Bishop, with the ELBO equal to the "
            r"log-likelihood at the end."),
        chains=(chains.elbo_identity_chain(),),
        checks=(Check("ELBO maximisation finds the MLE",
                      r"EM (alternating maximisation of the ELBO) in probabilistic PCA reaches the closed-form "
                      r"maximum-likelihood estimate with $\mathrm{KL}=0$.",
                      lambda rng: checks.em_reaches_mle_check(rng=rng)),),
        quantities=(
            Quantity("ELBO", ELBO_SYMBOLS, symbols=(log_p, KL), lhs=r"\mathrm{ELBO}_{\theta,\phi}(x)",
                     description=("The ELBO in terms of log_p, standing for log p_theta(x), and KL, standing for "
                                  "KL(q_phi(z|x) || p_theta(z|x)).")),
            Quantity("ELBO (written with the densities)", ELBO_DENSITIES, symbols=(x, z),
                     lhs=r"\mathrm{ELBO}_{\theta,\phi}(x)",
                     description="log p_theta(x) - KL(q_phi(z|x) || p_theta(z|x)), KL an undefined function of the "
                                 "two conditional densities (derive verify compares it with test functions)")),
    )


@REGISTRY.register("3d.i", status="proved")
def decoder_gradient() -> Answer:
    chain = chains.decoder_gradient_chain()
    return Answer(
        summary=(r"(written for a scalar output and parameter), so that "
                 r"$\nabla_\theta\mathrm{ELBO}_{\theta,\phi}(x)=E_{q_\phi(z\mid x)}\big[\nabla_\theta\log "
                 r"p_\theta(x\mid z)\big]=E_{q_\phi(z\mid x)}\Big[\frac1{\sigma^2}J_\theta(z)^\top"
                 r"\big(x-\mathrm{NN}_\theta(z)\big)\Big]$ with the Jacobian "
                 r"$J_\theta(z)=\partial\mathrm{NN}_\theta(z)/\partial\theta$, "
                 r"estimated by $\frac1{L\sigma^2}\sum_l J_\theta(z_l)^\top(x-\mathrm{NN}_\theta(z_l))$ with "
                 r"$z_l\sim q_\phi(z\mid x)$."),
        explanation=(
            r"Here $\theta$ enters only through $\log p_\theta(x\mid z)=-\lVert x-\mathrm{NN}_\theta(z)\rVert^2/"
            r"(2\sigma^2)-\frac d2\log(2\pi\sigma^2)$; the sampling distribution $q_\phi$ and the prior do "
            r"not depend on it, so the gradient passes inside the expectation. The chain does this "
            r"with a scalar output and parameter (the vector case is the same computation per "
            r"coordinate, giving $J_\theta^\top$). The checks use one-hidden-layer tanh networks and "
            r"affine networks with hand-written backpropagation: the averaged estimate is exactly the "
            r"gradient of the common-random-numbers ELBO estimate (central differences), and the "
            r"single-sample estimates average to the exact gradient (Gauss--Hermite quadrature over "
            r"$\varepsilon$ for tanh networks, the closed-form ELBO for affine ones)."),
        chains=(chain,),
        checks=(Check("decoder gradient",
                      r"The decoder gradient estimate equals finite differences of the common-random-numbers "
                      r"ELBO estimate and is unbiased for the exact gradient.",
                      lambda rng: checks.gradient_checks("theta", rng=rng)),),
        quantities=(
            Quantity("gradient integrand (scalar form)", DECODER_GRADIENT, symbols=(x, z, theta, sigma, NN_theta),
                     lhs=r"\nabla_\theta \log p_\theta(x \mid z)", chain=chain.title,
                     description=("The integrand g of grad_theta ELBO = E_{z ~ q_phi(z|x)}[g]. Function-based "
                                  "scalar convention: x, z and theta are scalars, NN_theta(theta, z) an "
                                  "undefined function; its theta-derivative plays the Jacobian J_theta(z). "
                                  "Vector form: J_theta(z)^T (x - NN_theta(z)) / sigma^2.")),
        ),
    )


@REGISTRY.register("3d.ii", status="proved")
def encoder_gradient() -> Answer:
    entropy, gradient = chains.encoder_gradient_chains()
    return Answer(
        summary=(r"(written for scalars) with $z=g(\varepsilon,\phi,x)=\mathrm{NN}_\phi(x)+\sigma_q\varepsilon$, "
                 r"$\varepsilon\sim\mathcal N(0,I)$: $\log q_\phi(g\mid x)=-\frac12\lVert\varepsilon\rVert^2-"
                 r"\frac k2\log(2\pi\sigma_q^2)$ is free of $\phi$, so "
                 r"$\nabla_\phi\mathrm{ELBO}=E_\varepsilon\big[J_\phi(x)^\top\nabla_z\log p_\theta(x,z)"
                 r"\big\vert_{z=g}\big]$ with $\nabla_z\log p_\theta(x,z)=\frac1{\sigma^2}J_z(z)^\top"
                 r"(x-\mathrm{NN}_\theta(z))-z$, where $J_\phi(x)=\partial\mathrm{NN}_\phi(x)/\partial\phi$ and "
                 r"$J_z=\partial\mathrm{NN}_\theta(z)/\partial z$; one sample of $\varepsilon$ gives an "
                 r"unbiased estimate."),
        explanation=(
            r"After reparameterisation the expectation is over $\varepsilon$, whose law does not involve "
            r"$\phi$, so the gradient moves inside. The entropy term evaluated at $z=g$ is "
            r"$-\log q_\phi(g\mid x)=\frac12\lVert\varepsilon\rVert^2+\mathrm{const}$ because $g-\mathrm{NN}_\phi(x)="
            r"\sigma_q\varepsilon$: it contributes nothing (the first chain). What remains is the chain rule "
            r"through $z=g$, $\partial z/\partial\phi=J_\phi(x)$ (second chain, scalar stand-ins for the "
            r"networks). With a learned $\sigma_\phi(x)$ the entropy term would contribute "
            r"$\nabla_\phi\sum\log\sigma_\phi$. The checks, with tanh and affine networks: the estimate "
            r"equals the gradient of the common-random-numbers ELBO estimate, it is unbiased for the "
            r"exact gradient, the score-function (REINFORCE) estimator "
            r"$(\log p_\theta(x,z)-\log q_\phi(z\mid x))\nabla_\phi\log q_\phi(z\mid x)$ is unbiased too, "
            r"and its variance is larger (a one-sided test; the ratio is reported)."),
        chains=(entropy, gradient),
        checks=(Check("encoder gradient",
                      r"The reparameterised encoder gradient estimate equals finite differences of the "
                      r"common-random-numbers ELBO estimate and is unbiased; REINFORCE is unbiased with a "
                      r"larger variance.",
                      lambda rng: checks.gradient_checks("phi", rng=rng)),),
        quantities=(
            Quantity("gradient integrand (scalar form)", ENCODER_GRADIENT,
                     symbols=(x, theta, phi, epsilon, sigma, sigma_q, NN_theta, NN_phi),
                     lhs=r"\nabla_\phi \log p_\theta\big(x, g(\varepsilon, \phi, x)\big)", chain=gradient.title,
                     description=("The integrand h of grad_phi ELBO = E_{epsilon ~ N(0,1)}[h]. Function-based "
                                  "scalar convention: NN_phi(phi, x) and NN_theta(theta, z) are undefined "
                                  "functions, z = NN_phi(phi, x) + sigma_q epsilon is substituted, the "
                                  "phi-derivative of NN_phi plays J_phi(x) and the z-derivative of NN_theta "
                                  "plays J_z. sigma is the decoder's standard deviation, sigma_q the "
                                  "encoder's.")),
        ),
    )
