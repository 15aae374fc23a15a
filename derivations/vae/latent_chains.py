"""The derivations of 3b: the probability integral transform, the decoders of 3b.ii and 3b.iii, the
maximum-likelihood loss and its Monte Carlo approximation.

Every chain is general: :math:`F` is an arbitrary continuous increasing CDF (an undefined function
with its inverse), the decoder and the prior are arbitrary densities, ``n`` and ``K`` are symbols.
The one illustration (the linear-Gaussian latent integral) says so in its scope.
"""

from __future__ import annotations

import sympy as sp

from derivations import theorems
from derivations.chain import Chain, Step, derive
from derivations.symbolic import UNIT, Expect, GaussianDensity
from derivations.symbolic.expectation import Prob
from derivations.symbolic.hints import positive_ratio, tidy_sums
from derivations.vae.hints import cdf_is, expectations, gaussian_moments, iid_average, sift
from derivations.vae.symbols import (LOSS, LOSS_MC, F, F_inv, K, Phi, Phi_inv, X, Zs, f, i, j, n, p_cond,
                                     p_theta, p_z, u, v, x, xbar, z)

OO = sp.oo
STANDARD_NORMAL = GaussianDensity(z, 0, 1)


def pit_chains() -> tuple[Chain, Chain]:
    """3b.i: the CDF of F(x) is u on (0, 1), and its density is 1 there."""
    cdf = derive(
        r"the CDF of $F(x)$, for any continuous increasing CDF $F$",
        Prob(F(x) <= u, x, f(x)),
        Step(Prob(x <= F_inv(u), x, f(x)), r"$F$ is increasing: $F(x)\le u \iff x\le F^{-1}(u)$",
             cite=theorems.monotone(F, F_inv)),
        Step(F(F_inv(u)), r"$F$ is the CDF of $x$", simplify=cdf_is(F, f, x)),
        Step(u, r"$F(F^{-1}(u)) = u$", cite=theorems.monotone(F, F_inv)),
        domains={u: UNIT},
    )
    density = derive(
        r"the density of $F(x)$ on $(0, 1)$",
        sp.Derivative(Prob(F(x) <= u, x, f(x)), u),
        Step(sp.Derivative(u, u, evaluate=False), r"$P(F(x)\le u) = u$, as above",
             cite=theorems.monotone(F, F_inv, cdf_of=x)),
        Step(sp.S.One, "differentiate"),
        domains={u: UNIT},
    )
    return cdf, density


def inverse_cdf_chain() -> Chain:
    """3b.ii, options 1 and 2: x = F^{-1}(z) with z ~ U(0, 1) has the CDF F."""
    return derive(
        r"options 1 and 2: $x = F^{-1}(z)$ with $z\sim\mathcal{U}(0,1)$ has the CDF $F$",
        Prob(F_inv(z) <= v, z, 1, 0, 1),
        Step(Prob(z <= F(v), z, 1, 0, 1), r"$F^{-1}$ is increasing", cite=theorems.monotone(F, F_inv)),
        Step(F(v), r"$P(z\le c) = c$ for $z\sim\mathcal{U}(0,1)$ and $0\le c\le 1$"),
    )


def normal_cdf_chain() -> Chain:
    """3b.iii, option 2 with p the CDF Phi of z ~ N(0, 1): x = F^{-1}(Phi(z)) has the CDF F."""
    return derive(
        r"option 2: $x = F^{-1}(\Phi(z))$ with $z\sim\mathcal{N}(0,1)$ and $\Phi$ its CDF has the CDF $F$",
        Prob(F_inv(Phi(z)) <= v, z, STANDARD_NORMAL),
        Step(Prob(Phi(z) <= F(v), z, STANDARD_NORMAL), r"$F^{-1}$ is increasing", cite=theorems.monotone(F, F_inv)),
        Step(Prob(z <= Phi_inv(F(v)), z, STANDARD_NORMAL), r"$\Phi$ is increasing",
             cite=theorems.monotone(Phi, Phi_inv)),
        Step(F(v), r"$\Phi$ is the CDF of $z$: $\Phi(\Phi^{-1}(c)) = c$", cite=theorems.monotone(Phi, Phi_inv, cdf_of=z)),
    )


def gaussian_decoder_chain() -> Chain:
    """3b.ii and 3b.iii, option 3: with x | z ~ N(F(z), 1), Var x >= 1 whatever F and p(z) are."""
    return derive(
        r"option 3: $x\mid z\sim\mathcal{N}(F(z),1)$ has $\mathrm{Var}(x)\ge 1$ for every $F$ and every "
        r"law $p(z)$ ($\bar x$ is the mean of $x$)",
        Expect(Expect((x - xbar) ** 2, x, GaussianDensity(x, F(z), 1)), z, p_z(z)),
        Step(Expect(1 + (xbar - F(z)) ** 2, z, p_z(z)), r"the variance of $\mathcal{N}(F(z),1)$ is 1",
             simplify=lambda d: expectations()(gaussian_moments(d))),
        Step(1 + Expect((xbar - F(z)) ** 2, z, p_z(z)), r"$p(z)$ integrates to 1", simplify=expectations(p_z)),
        Step(sp.S.One, r"the expectation of a square is non-negative", relation=">="),
    )


def undefined_option_chain() -> Chain:
    """3b.iii, option 1: F^{-1}(z) exists only for 0 <= z <= 1, which a normal z misses half the time."""
    return derive(
        r"option 1: $F^{-1}(z)$ is defined only when $0\le z\le 1$",
        Prob(sp.And(0 <= z, z <= 1), z, STANDARD_NORMAL),
        (sp.erf(sp.sqrt(2) / 2) / 2, r"the integral of $\mathcal{N}(z;0,1)$ over $[0, 1]$"),
        (sp.S.Half, r"$\mathrm{erf} < 1$", "<="),
    )


def log_of_product(diff):
    """The log of a product of positive factors is the sum of their logs; then linearise the sums."""
    diff = diff.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.Product),
                        lambda e: sp.Sum(sp.log(e.args[0].function), *e.args[0].limits))
    return tidy_sums(diff)


def loss_chains() -> tuple[Chain, Chain]:
    """3b.iv: the negative log-likelihood with the latent integrated out, and, as an illustration,
    the latent integral of the linear-Gaussian decoder."""
    nll = derive(
        r"the negative log-likelihood of $n$ independent data points",
        -sp.log(sp.Product(p_theta(X[i]), (i, 1, n))),
        Step(-sp.Sum(sp.log(p_theta(X[i])), (i, 1, n)), "the log of a product is the sum of the logs",
             simplify=log_of_product),
        Step(LOSS, r"$p_\theta(x)=\int p_\theta(x\mid z)\,p(z)\,dz$",
             cite=theorems.total_probability(p_theta, p_cond, p_z, z)),
    )
    w, b = sp.Symbol("w", real=True), sp.Symbol("b", real=True)
    s = sp.Symbol("sigma", positive=True)
    gaussian = derive(
        r"the latent integral of the decoder $x\mid z\sim\mathcal{N}(wz+b,\sigma^2)$, $z\sim\mathcal{N}(0,1)$",
        sp.Integral(GaussianDensity(x, w * z + b, s**2) * STANDARD_NORMAL, (z, -OO, OO)),
        Step(sp.Integral(GaussianDensity(x, b, w**2 + s**2)
                         * GaussianDensity(z, w * (x - b) / (w**2 + s**2), s**2 / (w**2 + s**2)), (z, -OO, OO)),
             r"complete the square in $z$", simplify=positive_ratio),
        (GaussianDensity(x, b, w**2 + s**2), "a density integrates to 1"),
        scope="instance: one linear-Gaussian decoder in one dimension",
    )
    return nll, gaussian


def estimate_average() -> sp.Expr:
    """:math:`\\hat p_\\theta(x) = \\frac1K \\sum_{j=1}^K p_\\theta(x\\mid z^{(j)})`."""
    return sp.Sum(p_cond(x, Zs[j]), (j, 1, K)) / K


def monte_carlo_loss_chains() -> tuple[Chain, Chain]:
    """3b.vi: the Monte Carlo loss is the loss with the prior replaced by the empirical law of K prior
    samples; the average is unbiased for p_theta(x), and its log is biased low."""
    empirical = sp.Sum(sp.DiracDelta(z - Zs[j]), (j, 1, K)) / K
    plug_in = derive(
        r"the loss with $p(z)$ replaced by the empirical law of $z^{(1)},\dots,z^{(K)}\sim p(z)$",
        -sp.Sum(sp.log(sp.Integral(p_cond(X[i], z) * empirical, (z, -OO, OO))), (i, 1, n)),
        Step(LOSS_MC, r"$\int g(z)\,\delta(z-z^{(j)})\,dz = g(z^{(j)})$", simplify=sift),
    )
    samples = sp.Product(p_z(Zs[j]), (j, 1, K))
    bias = derive(
        r"the estimate of $\log p_\theta(x)$ is biased low",
        Expect(sp.log(estimate_average()), Zs, samples),
        Step(sp.log(Expect(estimate_average(), Zs, samples)), r"$\log$ is concave", relation="<=",
             cite=theorems.jensen()),
        Step(sp.log(Expect(p_cond(x, z), z, p_z(z))), r"linearity; every $z^{(j)}\sim p(z)$",
             simplify=iid_average(Zs, p_z, z)),
        Step(sp.log(p_theta(x)), r"$\mathbb{E}_{p(z)}[p_\theta(x\mid z)] = p_\theta(x)$",
             cite=theorems.total_probability(p_theta, p_cond, p_z, z), simplify=expectations()),
    )
    return plug_in, bias


__all__ = ["gaussian_decoder_chain", "inverse_cdf_chain", "loss_chains", "monte_carlo_loss_chains",
           "normal_cdf_chain", "pit_chains", "undefined_option_chain"]
