"""Kernel density log-density against SciPy (issue 9): 10^4 queries, 10^4 data points, 2-D.

Ours: ``numerics.kde.log_density`` (Scott's bandwidth, whitened, on the shared kernel). SciPy:
``scipy.stats.gaussian_kde(data.T).logpdf(x.T)`` with its default (Scott's) bandwidth, so the two
compute the same values. Times: minimum of ``REPEAT`` interleaved runs.

Run: ``python -m benchmarks.kde``.
"""

from __future__ import annotations

import sys

import numpy as np
from scipy.stats import gaussian_kde

from benchmarks.common import load, machine, measure_here, report, time_and_measure, write
from numerics import kde

M = N = 10_000
D = 2
REPEAT = 3


def problem(seed: int = 0):
    rng = np.random.default_rng(seed)
    cov = np.array([[1.0, 0.6], [0.6, 2.0]])
    data = rng.multivariate_normal([0.0, 1.0], cov, size=N)
    x = rng.multivariate_normal([0.0, 1.0], 2 * cov, size=M)
    return x, data


def cases():
    def ours():
        x, data = problem()
        return lambda: kde.log_density(x, data)

    def scipy_kde():
        x, data = problem()
        return lambda: gaussian_kde(data.T).logpdf(x.T)

    return {"kde.log_density": ours, "scipy gaussian_kde.logpdf": scipy_kde}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--measure"]:
        measure_here(cases()[argv[1]])
        return 0
    info = machine()
    x, data = problem()
    a, b = kde.log_density(x, data), gaussian_kde(data.T).logpdf(x.T)
    agree = {"max_abs_diff": float(np.abs(a - b).max()), "max_rel_diff": float(np.abs(a / b - 1).max())}
    timing, memory = time_and_measure("benchmarks.kde", cases(), repeat=REPEAT)
    info["load_1min_at_end"] = load()
    t = {k: v["min_s"] for k, v in timing.items()}
    ratio = t["scipy gaussian_kde.logpdf"] / t["kde.log_density"]
    md = report(f"KDE log-density, {M:,} x {N:,} points, d = {D}", info, timing, memory,
                [f"SciPy / ours: **{ratio:.2f}x**", f"agreement: {agree}"])
    write("kde", {"machine": info, "m": M, "n": N, "d": D, "timing": timing, "memory": memory,
                  "ratio_scipy_over_ours": ratio, "agreement": agree}, md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
