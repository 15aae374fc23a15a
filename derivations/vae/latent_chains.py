"""The derivations of 3b: the probability integral transform, the decoders of 3b.ii and 3b.iii, the
maximum-likelihood loss and its Monte Carlo approximation.

Each function returns the chains of one part, in the order the part shows them.
"""

from __future__ import annotations

import sympy as sp
from sympy.stats import Expectation, Normal

from derivations.chain import Chain, Step, derive
from derivations.symbolic import UNIT, log_normal_pdf, normal_pdf
from derivations.symbolic.hints import positive_ratio, tidy_sums
from derivations.vae.hints import define_cdf, inverse_cancels, log_of_product, marginalise, merge_expectations
from derivations.vae.symbols import (LOG_MARGINAL, LOSS, MARGINAL_VAR, POST_MEAN, POST_VAR, STD_NORMAL_PDF, F, F_inv,
                                     K, X, b, c, f, i, j, lam, n, p_cond, p_theta, p_z, sigma, t, u, v, w, x, z)

OO = sp.oo


def pit_chains() -> tuple[Chain, Chain, Chain]:
    """3b.i: P(F(x) <= u) = u, in general and for the exponential and standard normal F."""
    general = derive(
        r"$P(F(x)\le u)=P(x\le F^{-1}(u))$ for a continuous increasing $F$",
        sp.Integral(f(t), (t, -OO, F_inv(u))),
        Step(F(F_inv(u)), r"definition of the CDF $F$", simplify=define_cdf),
        Step(u, r"$F(F^{-1}(u)) = u$ for $0<u<1$", simplify=inverse_cancels),
        domains={u: UNIT},
    )
    exponential = derive(
        r"exponential $F(x)=1-\exp(-\lambda x)$: $P(F(x)\le u)$",
        sp.Integral(lam * sp.exp(-lam * t), (t, 0, -sp.log(1 - u) / lam)),
        (1 - sp.exp(sp.log(1 - u), evaluate=False), r"integrate the density up to $F^{-1}(u)$"),
        (u, r"$\exp(\log y)=y$"),
        domains={u: UNIT},
    )
    normal = derive(
        r"standard normal $F$: $P(F(x)\le u)$ with $F^{-1}(u)=\sqrt2\,\mathrm{erf}^{-1}(2u-1)$",
        sp.Integral(normal_pdf(t, 0, 1), (t, -OO, sp.sqrt(2) * sp.erfinv(2 * u - 1))),
        ((1 + sp.erf(sp.erfinv(2 * u - 1), evaluate=False)) / 2, r"the normal CDF is $(1+\mathrm{erf}(t/\sqrt2))/2$"),
        (u, r"$\mathrm{erf}(\mathrm{erf}^{-1}(y)) = y$"),
        domains={u: UNIT},
    )
    return general, exponential, normal


def uniform_latent_chains() -> tuple[Chain, Chain]:
    """3b.ii: option 1 has the law F; option 3 has variance 13/12 when F is Unif(0, 1)."""
    option1 = derive(
        r"option 1: $P(F^{-1}(z)\le v)=P(z\le F(v))$ for $z\sim\mathrm{Unif}(0,1)$",
        sp.Integral(1, (z, 0, F(v))),
        (F(v), r"the uniform density is 1 on $[0,1]$"),
    )
    option3 = derive(
        r"option 3 with $F=\mathrm{Unif}(0,1)$: $\mathrm{Var}\,x=E\,\mathrm{Var}(x\mid z)+\mathrm{Var}\,E(x\mid z)$",
        1 + sp.Integral(z**2, (z, 0, 1)) - sp.Integral(z, (z, 0, 1)) ** 2,
        (sp.Rational(13, 12), r"$1 + \mathrm{Var}(z)$, while $F$ has variance $1/12$"),
    )
    return option1, option3


def normal_latent_chains() -> tuple[Chain, Chain, Chain, Chain]:
    """3b.iii: option 2 with the normal CDF has the law F; read literally it has another law; option 1
    is defined only for z in [0, 1]."""
    phi_inv_fv = sp.sqrt(2) * sp.erfinv(2 * F(v) - 1)
    cdf_reading = derive(
        r"option 2 with $p=\Phi$: $P(F^{-1}(\Phi(z))\le v)=P(z\le\Phi^{-1}(F(v)))$",
        sp.Integral(STD_NORMAL_PDF, (z, -OO, phi_inv_fv)),
        ((1 + sp.erf(sp.erfinv(2 * F(v) - 1), evaluate=False)) / 2,
         r"the normal CDF is $(1+\mathrm{erf}(y/\sqrt2))/2$"),
        (F(v), r"$\mathrm{erf}(\mathrm{erf}^{-1}(y)) = y$"),
    )
    radius = sp.sqrt(-2 * sp.log(c * sp.sqrt(2 * sp.pi)))
    literal = derive(
        r"option 2 read literally, $p=\phi$: $P(\phi(z)\le c)=P(|z|\ge r(c))$ for $0<c<1/\sqrt{2\pi}$",
        2 * sp.Integral(STD_NORMAL_PDF, (z, radius, OO)),
        Step(sp.erfc(sp.sqrt(-sp.log(c * sp.sqrt(2 * sp.pi)))), r"Gaussian tail, $r = \sqrt{-2\log(c\sqrt{2\pi})}$",
             simplify=lambda d: sp.expand(d.doit().rewrite(sp.erf))),
        domains={c: sp.Interval.open(0, 1 / sp.sqrt(2 * sp.pi))},
    )
    phi_1 = STD_NORMAL_PDF.subs(z, 1)
    with sp.evaluate(False):  # the literal law at F(v) = phi(1), before simplification
        at_phi_1 = sp.erfc(sp.sqrt(-sp.log(phi_1 * sp.sqrt(2 * sp.pi))))
    mismatch = derive(
        r"the literal reading at $F(v)=\phi(1)$: $P(x\le v)$ differs from $F(v)$",
        at_phi_1,
        (sp.erfc(sp.sqrt(2) / 2), r"$\log(\phi(1)\sqrt{2\pi}) = -1/2$"),
        (phi_1 + sp.Rational(1, 50), r"$0.317 > 0.242 + 0.02$", ">="),
    )
    option1 = derive(
        r"option 1: $F^{-1}(z)$ is defined only when $0\le z\le1$",
        sp.Integral(STD_NORMAL_PDF, (z, 0, 1)),
        (sp.erf(sp.sqrt(2) / 2) / 2, r"$\Phi(1) - \Phi(0)$, about $0.34$"),
    )
    return cdf_reading, literal, mismatch, option1


def loss_chains() -> tuple[Chain, Chain]:
    """3b.iv: the negative log-likelihood with the latent integrated out, and the latent integral in
    the 1-D linear-Gaussian model."""
    nll = derive(
        "negative log-likelihood of i.i.d. data, with the latent integrated out",
        -sp.log(sp.Product(p_theta(X[i]), (i, 1, n))),
        Step(sp.Sum(-sp.log(p_theta(X[i])), (i, 1, n)), "log of a product of densities", simplify=log_of_product),
        Step(LOSS, r"marginalise $z$: $p_\theta(x)=\int p_\theta(x\mid z)p(z)\,dz$", simplify=marginalise),
    )
    gaussian = derive(
        r"the integral in the linear-Gaussian case $x\mid z\sim\mathcal{N}(wz+b,\sigma^2)$, $z\sim\mathcal{N}(0,1)$",
        sp.Integral(normal_pdf(x, w * z + b, sigma**2) * STD_NORMAL_PDF, (z, -OO, OO)),
        Step(sp.Integral(normal_pdf(x, b, MARGINAL_VAR) * normal_pdf(z, POST_MEAN, POST_VAR), (z, -OO, OO)),
             r"complete the square in $z$", simplify=positive_ratio),
        (normal_pdf(x, b, MARGINAL_VAR), "a density integrates to 1"),
    )
    return nll, gaussian


def monte_carlo_loss_chains() -> tuple[Chain, Chain]:
    """3b.vi: the average of K prior-sampled likelihoods is unbiased; at K = 1 its log is low by a KL."""
    unbiased = derive(
        r"the average of $K$ likelihoods $p_\theta(x\mid z^{(j)})$, $z^{(j)}\sim p(z)$, has mean $p_\theta(x)$",
        sp.Sum(sp.Integral(p_cond(x, z) * p_z(z), (z, -OO, OO)), (j, 1, K)) / K,
        Step(sp.Integral(p_cond(x, z) * p_z(z), (z, -OO, OO)), r"$K$ identical terms", simplify=tidy_sums),
        Step(p_theta(x), "marginalisation", simplify=marginalise),
    )
    zq = Normal("z", 0, 1)
    jensen = derive(
        r"$K=1$ in the linear-Gaussian model: $E\log p(x\mid z)=\log p(x)-\mathrm{KL}(p(z)\,\Vert\,p(z\mid x))$",
        Expectation(log_normal_pdf(x, w * zq + b, sigma**2)),
        Step(LOG_MARGINAL - (1 / POST_VAR + POST_MEAN**2 / POST_VAR - 1 + sp.log(POST_VAR)) / 2,
             r"Gaussian moments of $z$; KL of Gaussians", simplify=merge_expectations),
    )
    return unbiased, jensen
