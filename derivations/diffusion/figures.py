"""Figures of question 8: how the optimal noise prediction approaches its input as t grows (8e)."""

from __future__ import annotations

import numpy as np

from derivations.diffusion.checks import TWO_POINTS, optimal_eps_along_schedule
from derivations.plotting import new_figure, save
from numerics import diffusion as nd


def draw_optimal_eps(path, rng: np.random.Generator) -> None:
    """fig-8e-optimal-eps.pdf: ||eps* - xhat|| and the posterior weight of [1,0] against t."""
    betas = nd.linear_schedule()
    x = np.vstack([[1.0, 0.0], [0.5, 0.5], [-1.0, 2.0], rng.normal(scale=1.5, size=(2, 2))])
    abars, eps = optimal_eps_along_schedule(x, betas)
    t = np.arange(1, len(betas) + 1)
    gap = np.linalg.norm(eps - x[None], axis=-1)
    weight = np.stack([nd.posterior_x0(x, a, TWO_POINTS)[:, 0] for a in abars])

    fig, axes = new_figure(2, width=7.0, height=2.8)
    left, right = axes[0]
    for k, point in enumerate(x):
        label = rf"$\hat x=({point[0]:.2g},\,{point[1]:.2g})$"
        left.semilogy(t, gap[:, k], lw=1.2, label=label)
        right.plot(t, weight[:, k], lw=1.2, label=label)
    left.semilogy(t, np.sqrt(abars / 2), "k--", lw=1, label=r"$\sqrt{\bar\alpha_t/2}$")
    left.set_xlabel(f"step $t$ (linear schedule, $T={len(betas)}$)")
    left.set_ylabel(r"$\|\varepsilon^*(\hat x,t)-\hat x\|$")
    left.legend(loc="upper right", fontsize=6)
    right.axhline(0.5, color="k", ls="--", lw=1)
    right.set_xlabel("step $t$")
    right.set_ylabel(r"$p(x_0=[1,0]\mid x_t=\hat x)$")
    right.set_ylim(-0.02, 1.02)
    save(fig, path)
