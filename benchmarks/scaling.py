"""How the posterior kernel's cost grows with m * n, over three decades (issue 9).

``diffusion.optimal_epsilon`` (posterior mean) and ``kernels.log_mixture_density`` (KDE-style
log-density) at m = n from 1,000 to 31,623 (m * n from 10^6 to 10^9), d = 8: best-of-3 wall time
in this process, and peak memory in a fresh process per point (RSS high-water mark above the
inputs, tracemalloc's peak of NumPy allocations). The (m, n) matrix itself would need 8 m n bytes;
the chunked kernel's memory should stay flat while its time grows linearly in m * n.

Writes ``results/scaling.{json,md,pdf,png}``. Run: ``python -m benchmarks.scaling``.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from benchmarks.common import RESULTS, best_of, load, machine, measure_here, rss_peak_in_subprocess, write
from benchmarks.kernels import ALPHA_BAR, problem
from numerics import diffusion, kernels

SIZES = [int(round(v)) for v in np.geomspace(1000, 31623, 7)]


def calls(m: int):
    x, y = problem(m, m)
    a = ALPHA_BAR
    return {"optimal_epsilon": lambda: diffusion.optimal_epsilon(x, a, y),
            "log_mixture_density": lambda: kernels.log_mixture_density(x, math.sqrt(a), 1 - a, y)}


def figure(rows: list[dict], path_pdf, path_png) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mn = np.array([r["m"] ** 2 for r in rows], dtype=float)
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(9, 3.4))
    for name, marker in (("optimal_epsilon", "o"), ("log_mixture_density", "s")):
        ax_t.loglog(mn, [r["time_s"][name] for r in rows], marker=marker, label=name)
        ax_m.loglog(mn, [r["traced_peak_mb"][name] for r in rows], marker=marker, label=f"{name} (NumPy peak)")
    t0 = rows[0]["time_s"]["optimal_epsilon"]
    ax_t.loglog(mn, t0 * mn / mn[0], "k:", label="slope 1 (linear in m n)")
    ax_m.loglog(mn, 8 * mn / 2**20, "k:", label="the whole (m, n) matrix")
    ax_t.set(xlabel="m n (queries x data points)", ylabel="seconds (best of 3)", title="time")
    ax_m.set(xlabel="m n (queries x data points)", ylabel="MB", title="peak memory")
    for ax in (ax_t, ax_m):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path_pdf)
    fig.savefig(path_png, dpi=110)
    plt.close(fig)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--measure"]:
        measure_here(lambda: calls(int(argv[2]))[argv[1]])
        return 0
    info = machine()
    rows = []
    for m in SIZES:
        fns = calls(m)
        for fn in fns.values():
            fn()
        t = best_of(fns, 3)
        mem = {k: rss_peak_in_subprocess("benchmarks.scaling", k, str(m)) for k in fns}
        rows.append({"m": m, "n": m, "time_s": {k: v["min_s"] for k, v in t.items()},
                     "rss_increase_mb": {k: v["rss_increase"] / 2**20 for k, v in mem.items()},
                     "traced_peak_mb": {k: v["traced_peak"] / 2**20 for k, v in mem.items()}})
        print(rows[-1], file=sys.stderr, flush=True)
    info["load_1min_at_end"] = load()
    figure(rows, RESULTS / "scaling.pdf", RESULTS / "scaling.png")
    lines = [f"### Scaling over three decades of m n (d = 8)\n",
             f"Load {info['load_1min_at_start']:.1f} -> {info['load_1min_at_end']:.1f}. Figure: scaling.pdf / scaling.png.\n",
             "| m = n | m n | optimal_epsilon (s) | log_mixture_density (s) | ns per m n entry | NumPy peak (MB) | RSS above inputs (MB) | (m, n) matrix (MB) |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        mn = r["m"] * r["n"]
        lines.append(f"| {r['m']:,} | {mn:.2g} | {r['time_s']['optimal_epsilon']:.3f} | "
                     f"{r['time_s']['log_mixture_density']:.3f} | {1e9 * r['time_s']['optimal_epsilon'] / mn:.2f} | "
                     f"{r['traced_peak_mb']['optimal_epsilon']:.0f} | {r['rss_increase_mb']['optimal_epsilon']:.0f} | "
                     f"{8 * mn / 2**20:.0f} |")
    write("scaling", {"machine": info, "rows": rows}, "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
