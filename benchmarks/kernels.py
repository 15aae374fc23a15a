"""The posterior kernel against scikit-learn and against its own floor (issue 9).

Question: how fast is ``diffusion.optimal_epsilon`` (and ``flow_matching.marginal_velocity``) at
m = n = 20,000 queries and data points in d = 8, compared with

* scikit-learn: a spherical ``GaussianMixture`` with one component per data point (means
  ``s y_j``, variances ``v``, equal weights), whose ``predict_proba`` gives the posterior; the
  predictor is then ``P @ y``. ``predict_proba`` materialises the (m, n) matrix (3.2 GB here, and
  several temporaries of that size), so it is called on row blocks of ``SK_ROWS`` queries: the
  same arithmetic, memory kept to a few hundred MB.
* the floor: over the same thread pool, the logits' matrix product plus one ``exp`` of the
  (m, n) matrix (``floor_exp``), and that plus the second product with the data
  (``floor_exp_2mm``), which any posterior mean needs. Each is timed in two layouts, row blocks
  of all n columns and cache-sized tiles as the kernel uses; the ratio is taken to the faster.

Times are the minimum of ``REPEAT`` interleaved runs; peak memory is measured in a fresh process
per call (RSS high-water mark above the inputs, and tracemalloc's peak of NumPy allocations).

Run: ``python -m benchmarks.kernels`` (add ``--quick`` for m = n = 4,000).
"""

from __future__ import annotations

import math
import sys

import numpy as np

from benchmarks.common import load, machine, measure_here, report, time_and_measure, write
from numerics import diffusion, kernels

D, M, N = 8, 20_000, 20_000
ALPHA_BAR, T = 0.5, 0.5
SK_ROWS = 1000
REPEAT = 5


def problem(m: int = M, n: int = N, d: int = D, seed: int = 0):
    """Data ``y`` (n, d) and queries ``x`` (m, d) drawn from the forward marginal at ``ALPHA_BAR``."""
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(n, d))
    j = rng.integers(0, n, size=m)
    x = math.sqrt(ALPHA_BAR) * y[j] + math.sqrt(1 - ALPHA_BAR) * rng.normal(size=(m, d))
    return x, y


def sklearn_mixture(scale: float, variance: float, y):
    """A fitted-looking spherical GaussianMixture with one component per data point."""
    from sklearn.mixture import GaussianMixture

    n = len(y)
    gm = GaussianMixture(n_components=n, covariance_type="spherical")
    gm.weights_ = np.full(n, 1.0 / n)
    gm.means_ = scale * y
    gm.covariances_ = np.full(n, variance)
    gm.precisions_cholesky_ = 1.0 / np.sqrt(gm.covariances_)
    gm.converged_, gm.n_iter_, gm.lower_bound_ = True, 0, 0.0
    return gm


def sklearn_posterior_mean(gm, x, y, rows: int = SK_ROWS):
    return np.concatenate([gm.predict_proba(x[i:i + rows]) @ y for i in range(0, len(x), rows)])


def sklearn_optimal_epsilon(gm, x, y):
    a = ALPHA_BAR
    return (x - math.sqrt(a) * sklearn_posterior_mean(gm, x, y)) / math.sqrt(1 - a)


def floor(x, y, *, second_product: bool, tiled: bool = False):
    """Matrix product x y^T, exp of it (and the product with y): same pool, blocks as
    ``log_posterior`` makes them (all n columns), or tiles as ``posterior_mean`` makes them."""
    yt = np.ascontiguousarray(y.T)
    rows, cols = kernels.tile_shape(len(y), kernels.TILE_BYTES) if tiled else (None, len(y))

    def block(r):
        acc = np.zeros((len(r), y.shape[1]))
        for j in range(0, len(y), cols):
            z = r @ yt[:, j:j + cols]
            np.exp(z, out=z)
            if second_product:
                acc += z @ y[j:j + cols]
        return acc

    with np.errstate(over="ignore"):
        return kernels.map_row_chunks(block, x, len(y), rows=rows)


def cases(m: int = M, n: int = N):
    """name -> setup returning a zero-argument call (used both for timing and memory)."""
    s_fm, v_fm = T, (1 - T) ** 2

    def ours_eps():
        x, y = problem(m, n)
        return lambda: diffusion.optimal_epsilon(x, ALPHA_BAR, y)

    def ours_eps_1thread():
        x, y = problem(m, n)
        return lambda: kernels.posterior_mean(x, math.sqrt(ALPHA_BAR), 1 - ALPHA_BAR, y, workers=1)

    def sk_eps():
        x, y = problem(m, n)
        gm = sklearn_mixture(math.sqrt(ALPHA_BAR), 1 - ALPHA_BAR, y)
        return lambda: sklearn_optimal_epsilon(gm, x, y)

    def floor_case(second_product, tiled):
        def setup():
            x, y = problem(m, n)
            return lambda: floor(x, y, second_product=second_product, tiled=tiled)
        return setup

    out = {"optimal_epsilon": ours_eps, "posterior_mean_1_thread": ours_eps_1thread,
           "sklearn_predict_proba": sk_eps,
           "floor_exp": floor_case(False, False), "floor_exp_tiled": floor_case(False, True),
           "floor_exp_2mm": floor_case(True, False), "floor_exp_2mm_tiled": floor_case(True, True)}
    try:
        from numerics import flow_matching

        def ours_vel():
            x, y = problem(m, n)
            return lambda: flow_matching.marginal_velocity(x, T, y)

        def sk_vel():
            x, y = problem(m, n)
            gm = sklearn_mixture(s_fm, v_fm, y)
            return lambda: (sklearn_posterior_mean(gm, x, y) - x) / (1 - T)

        out.update(marginal_velocity=ours_vel, sklearn_velocity=sk_vel)
    except (ImportError, AttributeError):
        pass
    return out


def agreement(m: int, n: int) -> dict:
    """Largest differences between our results and scikit-learn's on the same inputs."""
    x, y = problem(m, n)
    gm = sklearn_mixture(math.sqrt(ALPHA_BAR), 1 - ALPHA_BAR, y)
    ours = diffusion.optimal_epsilon(x, ALPHA_BAR, y)
    out = {"optimal_epsilon_max_abs_diff": float(np.abs(ours - sklearn_optimal_epsilon(gm, x, y)).max())}
    c = cases(m, n)
    if "marginal_velocity" in c:
        a, b = c["marginal_velocity"](), c["sklearn_velocity"]()
        out["marginal_velocity_max_abs_diff"] = float(np.abs(a() - b()).max())
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["--measure"]:
        m, n = int(argv[2]), int(argv[3])
        measure_here(cases(m, n)[argv[1]])
        return 0
    m = n = 4000 if "--quick" in argv else M
    info = machine()
    timing, memory = time_and_measure("benchmarks.kernels", cases(m, n), str(m), str(n), repeat=REPEAT)
    info["load_1min_at_end"] = load()
    agree = agreement(min(m, 4000), min(n, 4000))
    t = {k: v["min_s"] for k, v in timing.items()}
    for k in ("floor_exp", "floor_exp_2mm"):  # the floor is the faster of its two layouts
        t[k] = min(t[k], t[k + "_tiled"])
    ratios = {
        "sklearn / optimal_epsilon": t["sklearn_predict_proba"] / t["optimal_epsilon"],
        "optimal_epsilon / floor_exp": t["optimal_epsilon"] / t["floor_exp"],
        "optimal_epsilon / floor_exp_2mm": t["optimal_epsilon"] / t["floor_exp_2mm"],
        "1 thread / pool (posterior_mean)": t["posterior_mean_1_thread"] / t["optimal_epsilon"],
    }
    if "marginal_velocity" in t:
        ratios["sklearn / marginal_velocity"] = t["sklearn_velocity"] / t["marginal_velocity"]
        ratios["marginal_velocity / floor_exp"] = t["marginal_velocity"] / t["floor_exp"]
        ratios["marginal_velocity / floor_exp_2mm"] = t["marginal_velocity"] / t["floor_exp_2mm"]
    md = report(f"Posterior kernel, m = n = {m:,}, d = {D}", info, timing, memory,
                [f"{k}: **{v:.2f}x**" for k, v in ratios.items()]
                + [f"agreement with scikit-learn (m = n = {min(m, 4000)}): {agree}"])
    write("kernels" if m == M else "kernels_quick",
          {"machine": info, "m": m, "n": n, "d": D, "timing": timing, "memory": memory, "ratios": ratios,
           "agreement": agree, "sklearn_rows_per_call": SK_ROWS}, md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
