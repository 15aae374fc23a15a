"""Figure of Question 1: each family's density (contours of its log-density) under its own samples."""

from __future__ import annotations

import numpy as np

from derivations.plotting import new_figure, save
from derivations.warmup import checks as ck
from numerics import autoregressive, kde, mixtures

#: Points drawn per panel, and grid resolution of the contour plots.
SHOWN, GRID = 600, 120


def _contours(ax, log_density, samples, title: str) -> None:
    lo, hi = np.quantile(samples, [0.005, 0.995], axis=0)
    pad = 0.15 * (hi - lo)
    gx, gy = np.meshgrid(np.linspace(lo[0] - pad[0], hi[0] + pad[0], GRID),
                         np.linspace(lo[1] - pad[1], hi[1] + pad[1], GRID))
    dens = np.exp(log_density(np.column_stack([gx.ravel(), gy.ravel()]))).reshape(gx.shape)
    # highest-density regions: the level sets that hold about 95%, 75%, 50% and 25% of the samples
    levels = np.quantile(np.exp(log_density(samples)), [0.05, 0.25, 0.5, 0.75])
    ax.contourf(gx, gy, dens, levels=[*levels, dens.max() + levels[-1]], cmap="Blues")
    ax.scatter(samples[:, 0], samples[:, 1], s=1.5, color="tab:red", alpha=0.5)
    ax.set_xlim(gx.min(), gx.max())
    ax.set_ylim(gy.min(), gy.max())
    ax.set_title(title)


def draw_families(path, rng) -> None:
    """Six panels: KDE, autoregressive (probabilities vs frequencies), mixture, flow, VAE, diffusion."""
    gen = np.random.default_rng(rng)
    fig, axes = new_figure(3, 2, width=10.5, height=6.6)
    (a_kde, a_ar, a_gmm), (a_flow, a_vae, a_diff) = axes

    data = ck.sample_kde_data(gen)
    _contours(a_kde, lambda q: kde.log_density(q, data), kde.sample(SHOWN, data, rng=gen),
              f"KDE, $n = {len(data)}$ points")

    bias, W = ck.sample_autoregressive(gen)
    d = len(bias)
    probs = np.exp(autoregressive.log_density(autoregressive.all_configurations(d), bias, W))
    draws = autoregressive.sample(ck.SAMPLES, bias, W, rng=gen)
    freqs = np.bincount(autoregressive.configuration_index(draws), minlength=2**d) / ck.SAMPLES
    a_ar.bar(np.arange(2**d), probs, color="0.75", label="chain-rule $p(x)$")
    a_ar.plot(np.arange(2**d), freqs, "o", color="tab:red", markersize=2.5, label="ancestral frequencies")
    a_ar.set_xlabel(f"outcome index ($d = {d}$ bits)")
    a_ar.legend(loc="upper right")
    a_ar.set_title("autoregressive (binary)")

    weights, means, variances = ck.sample_mixture(gen)
    _contours(a_gmm, lambda q: mixtures.log_density(q, weights, means, variances),
              mixtures.sample(SHOWN, weights, means, variances, rng=gen)[0], f"mixture of {len(weights)} Gaussians")

    flow = ck.sample_flow(gen)
    _contours(a_flow, flow.log_density, flow.sample(SHOWN, rng=gen), "flow: 2 couplings + sinh")

    model = ck.sample_vae(gen)
    _contours(a_vae, model.log_marginal, model.sample(SHOWN, rng=gen), "linear-Gaussian VAE (exact p)")

    diff = ck.sample_diffusion(gen)
    _contours(a_diff, lambda q: diff.log_marginal(q, 0.0), diff.sample_ode(SHOWN, rng=gen, n_steps=40),
              "diffusion: reverse-ODE samples")
    fig.tight_layout()
    save(fig, path)
