"""Figures of questions 4 and 5: one EM step and the recovery rates by initialisation.

Each ``draw_*(path, rng)`` is named by a :class:`~derivations.answer.Figure` of :mod:`.parts`.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.patches import Circle
from scipy import stats

from derivations.mixtures.checks import sample_one_step_setup
from derivations.plotting import new_figure, save
from numerics import mixtures as mx

#: Runs per bar of the recovery figure (a 95% interval of half-width <= 0.1).
FIGURE_RUNS = 100
#: Initial variance relative to the data's variance: broad (the data spread) and narrow.
VARIANCE_SCALES = (1.0, 0.1)


def _circles(ax, means, variances, *, colour="k", alpha=1.0):
    for mean, variance, style in zip(means, variances, ("-", "--")):
        ax.add_patch(Circle(mean, math.sqrt(variance), fill=False, linestyle=style, edgecolor=colour,
                            linewidth=1.4, alpha=alpha))
        ax.plot(*mean, marker="+", color=colour, alpha=alpha)


def draw_one_em_step(path, rng) -> None:
    """Data with the initial circles, the circles after one EM step, and the narrow component's
    responsibility against the distance to the common initial mean."""
    X, (w, m, v) = sample_one_step_setup(rng, n_=160, sep=4.5, scale=0.5)
    resp = mx.e_step(X, w, m, v)
    w1, m1, v1 = mx.m_step(X, resp)
    fig, axes = new_figure(3, 1, width=10.5, height=3.4)
    left, middle, right = axes[0]
    reach = np.abs(X - m[0]).max() * 1.05
    for ax in (left, middle):
        ax.set_xlim(m[0, 0] - reach, m[0, 0] + reach)
        ax.set_ylim(m[0, 1] - reach, m[0, 1] + reach)
        ax.set_aspect("equal")
    left.scatter(X[:, 0], X[:, 1], s=6, color="0.35")
    _circles(left, m, v)
    left.set_title("start (solid: narrow, dashed: wide)")
    shade = middle.scatter(X[:, 0], X[:, 1], s=6, c=resp[:, 0], cmap="coolwarm_r", vmin=0, vmax=1)
    _circles(middle, m, v, colour="0.6", alpha=0.6)
    _circles(middle, m1, v1)
    middle.set_title(f"after one step: $p_1'={w1[0]:.2f}$, $\\sigma_1'^2/\\sigma_2'^2={v1[0] / v1[1]:.2f}$")
    fig.colorbar(shade, ax=middle, fraction=0.046, label=r"$Q(1\mid x)$")
    dist = np.sqrt(((X - m[0]) ** 2).sum(1))
    grid = np.linspace(0, dist.max() * 1.05, 200)
    right.plot(grid, 1 / (1 + 0.5 * np.exp(grid ** 2 / (4 * v[0]))), color="k")
    right.scatter(dist, resp[:, 0], s=5, color="tab:blue")
    radius = 2 * math.sqrt(v[0] * math.log(2))
    right.axvline(radius, color="0.5", linestyle=":")
    right.axhline(0.5, color="0.5", linestyle=":")
    right.set_xlabel(r"$\|x-\mu_0\|$")
    right.set_ylabel(r"$Q(1\mid x)$")
    right.set_title(rf"narrow wins inside $2\sigma_1\sqrt{{\ln 2}}={radius:.2f}$")
    fig.tight_layout()
    save(fig, path)


def sample_recovery_table(rng, *, n_runs: int = FIGURE_RUNS) -> dict[tuple[str, float], mx.RecoveryTrials]:
    """Recovery trials for every initialisation of question 5 and every initial variance scale."""
    return {(kind, scale): mx.recovery_trials(kind, n_runs, rng=rng, variance_scale=scale)
            for scale in VARIANCE_SCALES for kind in mx.INITIALISATIONS}


def draw_recovery_rates(path, rng, *, n_runs: int = FIGURE_RUNS) -> None:
    """Grouped bars: recovery rate per initialisation, broad and narrow initial variance, with
    Clopper-Pearson 95% intervals; the share of runs ending in a collapse is hatched."""
    table = sample_recovery_table(rng, n_runs=n_runs)
    kinds = list(mx.INITIALISATIONS)
    fig, axes = new_figure(1, 1, width=6.4, height=3.0)
    ax = axes[0][0]
    width = 0.38
    for s_index, scale in enumerate(VARIANCE_SCALES):
        pos = np.arange(len(kinds)) + (s_index - 0.5) * width
        rates, low, high, collapsed = [], [], [], []
        for kind in kinds:
            trials = table[(kind, scale)]
            hits = int(trials.recovered.sum())
            ci = stats.binomtest(hits, n_runs).proportion_ci(0.95, method="exact")
            rates.append(hits / n_runs)
            low.append(hits / n_runs - ci.low)
            high.append(ci.high - hits / n_runs)
            collapsed.append(float(trials.collapsed.mean()))
        label = "broad start variance" if scale == 1.0 else rf"start variance $\times$ {scale:g}"
        ax.bar(pos, rates, width, yerr=[low, high], capsize=3, label=label,
               color=("tab:blue", "tab:orange")[s_index])
        ax.bar(pos, collapsed, width, bottom=rates, fill=False, hatch="///", edgecolor="0.4",
               label="collapsed (variance 0)" if s_index == 1 else None)
    ax.set_xticks(np.arange(len(kinds)), [f"5.{a + 1}" for a in range(len(kinds))])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(f"recovery rate ({n_runs} runs)")
    ax.legend(loc="upper right", fontsize=7)
    save(fig, path)
