"""Figures of Question 9 (flow matching): the CFM training run (9g) and the ODE sampler (9h).

Each ``draw_*(path, rng)`` is named by a :class:`derivations.answer.Figure` of :mod:`.parts` and
resolved only when figures are drawn, so matplotlib is imported only then.
"""

from __future__ import annotations

import numpy as np

from derivations.plotting import new_figure, save
from numerics import cfm
from numerics import flow_matching as fm


def _running_mean(values: np.ndarray, width: int = 50) -> np.ndarray:
    return np.convolve(values, np.ones(width) / width, mode="valid")


def draw_training(path, rng) -> None:
    """Batch loss of the handful-of-points run with its irreducible minimum; learned vs exact field."""
    data, res = cfm.train_example("handful", rng=rng)
    floor = float(np.mean([((exact - u) ** 2).sum(axis=1).mean()
                           for _, _, u, exact in cfm.exact_regression_samples(data, 20_000, rng=rng)]))
    fig, axes = new_figure(2, width=8.0, height=3.4)
    ax_loss, ax_field = axes[0]
    ax_loss.plot(res.losses, color="0.75", lw=0.5, label="batch loss")
    ax_loss.plot(np.arange(49, len(res.losses)), _running_mean(res.losses), color="C0", label="running mean (50)")
    ax_loss.axhline(floor, color="C3", ls="--", label="irreducible minimum")
    ax_loss.set(xlabel="Adam step", ylabel="CFM loss", title="training on a handful of points")
    ax_loss.legend()
    g = np.linspace(-4, 4, 15)
    grid = np.array(np.meshgrid(g, g)).reshape(2, -1).T
    exact = fm.marginal_velocity(grid, 0.5, data)
    with cfm.threadpool_limits(1):
        learned = res.velocity(grid, 0.5)
    same = {"angles": "xy", "scale_units": "xy", "width": 0.004,
            "scale": np.percentile(np.hypot(*exact.T), 90) / (g[1] - g[0])}
    ax_field.quiver(*grid.T, *exact.T, color="C3", alpha=0.6, label="exact $v_t$", **same)
    ax_field.quiver(*grid.T, *learned.T, color="C0", alpha=0.6, label=r"learned $v_\theta$", **same)
    ax_field.scatter(*(0.5 * data).T, marker="x", color="k", label=r"$t\,x^{(i)}$", zorder=3)
    ax_field.set(title="fields at $t = 0.5$", aspect="equal")
    ax_field.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3)
    save(fig, path)


def _trajectories(ax, path: np.ndarray, data: np.ndarray, title: str, shown: int = 60) -> None:
    for c in range(min(shown, path.shape[1])):
        ax.plot(path[:, c, 0], path[:, c, 1], color="C0", lw=0.4, alpha=0.5)
    ax.scatter(*path[0, :shown].T, s=4, color="0.5", label="$x_0$")
    ax.scatter(*path[-1].T, s=3, color="C0", alpha=0.5, label="samples")
    if len(data):
        ax.scatter(*data.T, marker="x", color="C3", s=30, label="data", zorder=3)
    ax.set(title=title, aspect="equal")


def draw_samples(path, rng) -> None:
    """Samples and trajectories under the exact and the learned fields (handful), and the ring model."""
    data, res = cfm.train_example("handful", rng=rng)
    x0 = rng.standard_normal((400, 2))
    exact = fm.integrate(lambda z, s: fm.marginal_velocity(z, s, data), x0, n_steps=40, method="rk4",
                         return_path=True)
    _, ring_res = cfm.train_example("ring", rng=rng)
    held = cfm.ring(1000, rng=rng)
    with cfm.threadpool_limits(1):
        learned = fm.integrate(res.velocity, x0, n_steps=40, method="rk4", return_path=True)
        ring_path = fm.integrate(ring_res.velocity, rng.standard_normal((1000, 2)), n_steps=20, method="rk4",
                                 return_path=True)
    fig, axes = new_figure(3, width=10.0, height=3.6)
    _trajectories(axes[0, 0], exact, data, "exact $v_t$: lands on the data")
    _trajectories(axes[0, 1], learned, data, r"learned $v_\theta$ (handful)")
    ax = axes[0, 2]
    ax.scatter(*held.T, s=2, color="C3", alpha=0.4, label="held-out data")
    _trajectories(ax, ring_path, np.empty((0, 2)), r"learned $v_\theta$ (ring)", shown=40)
    legend = {}
    for a in axes[0]:
        legend.update(zip(*reversed(a.get_legend_handles_labels())))
    fig.legend(list(legend.values()), list(legend), loc="lower center", ncol=4, markerscale=2,
               bbox_to_anchor=(0.5, -0.06))
    save(fig, path)
