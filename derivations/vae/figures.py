"""Figures of Question 3: importance-weight degeneracy (3b.vii) and the decoder options (3b.iii).

Each ``draw_*(path, rng)`` builds one PDF with :func:`derivations.plotting.new_figure` and
:func:`derivations.plotting.save`; the parts name them in their :class:`derivations.answer.Figure`.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from derivations.plotting import new_figure, save
from derivations.vae.latent_checks import INFLATION, STRUCT, decoder_samples
from numerics import vae as nv

#: Latent dimensions plotted in the ESS figure (data dimension d = 2k).
ESS_DIMS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)


def ess_curves(dims=ESS_DIMS, *, rng, points: int = 20, K: int = 1000, inflate: float = INFLATION) -> dict:
    """Mean Kish ESS (measured) and Kong's K/(1+rv) (exact) for three proposals, per dimension.

    Model: the structured linear-Gaussian decoder with lambda = 8 (:data:`derivations.vae.latent_checks.STRUCT`).
    Proposals: the prior (naive estimator), the posterior with variance times ``inflate``, and
    the exact posterior.
    """
    g = np.random.default_rng(rng)
    out = {key: [] for key in ("prior_measured", "prior_exact", "inflated_measured", "inflated_exact",
                               "posterior_measured")}
    for k in dims:
        model = nv.LinearGaussian.structured(k, **STRUCT)
        xs = model.sample(points, rng=g)
        inflated = (model.posterior(xs)[0], inflate * model.posterior_cov())
        for name, prop in (("prior", "prior"), ("inflated", inflated)):
            lw = model.log_weights(xs, K, rng=g, proposal=prop)
            out[f"{name}_measured"].append(float(np.mean(nv.effective_sample_size(lw))))
            log1p_rv = model.log_weight_second_moment(xs, prop)
            out[f"{name}_exact"].append(float(np.mean(K * np.exp(-log1p_rv))))
        lw = model.log_weights(xs, K, rng=g, proposal="posterior")
        out["posterior_measured"].append(float(np.mean(nv.effective_sample_size(lw))))
    out["dims"] = list(dims)
    out["K"] = K
    return out


def draw_ess(path, rng) -> None:
    """Figure 3b.vii: effective sample size of K = 1000 weights against the latent dimension."""
    cur = ess_curves(rng=rng)
    fig, axes = new_figure(width=4.2, height=3.2)
    ax = axes[0, 0]
    dims = cur["dims"]
    ax.semilogy(dims, cur["posterior_measured"], "o-", color="C2", label=r"exact posterior (ESS $=K$)")
    ax.semilogy(dims, cur["inflated_measured"], "s-", color="C1",
                label=rf"posterior, variance $\times{INFLATION:g}$: measured")
    ax.semilogy(dims, cur["inflated_exact"], "--", color="C1",
                label=rf"posterior, variance $\times{INFLATION:g}$: $K/(1+\mathrm{{rv}})$")
    ax.semilogy(dims, cur["prior_measured"], "^-", color="C0", label="prior (naive): measured")
    ax.semilogy(dims, cur["prior_exact"], "--", color="C0", label=r"prior (naive): $K/(1+\mathrm{rv})$")
    ax.axhline(1.0, color="0.5", lw=0.8)
    ax.set_ylim(1e-8, 3 * cur["K"])
    ax.set_xlabel(r"latent dimension $k$ (data dimension $d=2k$)")
    ax.set_ylabel(f"effective sample size of $K={cur['K']}$")
    ax.set_title("Prior sampling: the importance weights degenerate")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    save(fig, path)


def draw_normal_latent_options(path, rng) -> None:
    """Figure 3b.iii: empirical CDFs of every option with z ~ N(0, 1), for one F."""
    dist = stats.gamma(2.5, scale=1.0)
    g = np.random.default_rng(rng)
    grid = np.linspace(-1.0, 9.0, 800)
    fig, axes = new_figure(width=6.0, height=3.4)
    ax = axes[0, 0]
    ax.plot(grid, dist.cdf(grid), color="k", lw=2.5, alpha=0.35, label=r"target $F$, $\mathrm{Gamma}(2.5)$")
    labels = {"1": r"1: $F^{-1}(z)$, where defined", "2": r"2: $F^{-1}(\Phi(z))$", "3": r"3: $\mathcal{N}(F(z), 1)$"}
    for colour, (opt, label) in zip(("C3", "C2", "C0"), labels.items()):
        xs = decoder_samples(opt, "normal", dist, 5000, rng=g)
        xs = np.sort(xs[~np.isnan(xs)])
        ax.step(xs, np.arange(1, xs.size + 1) / xs.size, where="post", color=colour, label=label)
    ax.set_xlim(grid[0], grid[-1])
    ax.set_xlabel(r"$v$")
    ax.set_ylabel(r"$P(x\leq v)$")
    ax.set_title(r"Only option 2 ($p$ the CDF of $z$) reproduces $F$")
    ax.legend(loc="lower right")
    save(fig, path)
