"""Run the benchmark or reliability scripts in turn, then write ``results/summary.md``.

``python -m benchmarks.run_all bench``: kernels, mixtures, KDE, scaling, derive check and tests,
derive grade.
``python -m benchmarks.run_all reliability``: false alarms (200 seeds) and power (20 seeds).
``python -m benchmarks.run_all summary``: only rebuild the summary table from the result files.
"""

from __future__ import annotations

import json
import os
import sys

from benchmarks import check_time, false_alarms, grade, kde, kernels, mixtures, power, scaling
from benchmarks.common import RESULTS
from derivations.fileio import atomic_write

STEPS = {
    "bench": [(kernels.main, []), (mixtures.main, []), (kde.main, []), (scaling.main, []),
              (check_time.main, ["--tests"]), (grade.main, [])],
    "reliability": [(false_alarms.main, ["--seeds", "200", "--jobs", str(max(1, os.cpu_count() or 1))]),
                    (power.main, ["--seeds", "20"])],
}


def _load(name: str):
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def summary() -> str:
    """The README's table: ratios, peak memory, times, false alarms, power."""
    lines = ["| measure | result | target |", "|---|---|---|"]
    k = _load("kernels")
    if k:
        r, mem = k["ratios"], k["memory"]
        lines += [
            f"| optimal_epsilon vs scikit-learn predict_proba (m = n = 20k, d = 8) | "
            f"{r['sklearn / optimal_epsilon']:.1f}x faster | >= 4x |",
            f"| marginal_velocity vs scikit-learn | {r.get('sklearn / marginal_velocity', float('nan')):.1f}x faster | >= 4x |",
            f"| peak memory of optimal_epsilon (NumPy allocations / RSS above inputs) | "
            f"{mem['optimal_epsilon']['traced_peak'] / 2**20:.0f} MB / {mem['optimal_epsilon']['rss_increase'] / 2**20:.0f} MB "
            f"(scikit-learn in 1000-row blocks: {mem['sklearn_predict_proba']['traced_peak'] / 2**20:.0f} MB) | < 500 MB |",
            f"| optimal_epsilon / floor (logits product + one exp) | {r['optimal_epsilon / floor_exp']:.2f}x | <= 1.5x |",
            f"| optimal_epsilon / floor (+ the product with the data) | {r['optimal_epsilon / floor_exp_2mm']:.2f}x | <= 1.5x |",
            f"| load during the run (1-min average, 2 cores) | {k['machine']['load_1min_at_start']:.1f} -> "
            f"{k['machine']['load_1min_at_end']:.1f} | |"]
    m = _load("mixtures")
    if m:
        r = m["ratios"]
        lines += [f"| mixtures.e_step vs scikit-learn _e_step (n = 10^6, d = 16, k = 8) | "
                  f"{r['sklearn _e_step / e_step']:.2f}x faster | >= 1x |",
                  f"| mixtures.m_step vs scikit-learn _m_step | {r['sklearn _m_step / m_step']:.2f}x faster | >= 1x |"]
    d = _load("kde")
    if d:
        lines.append(f"| kde.log_density vs scipy gaussian_kde.logpdf (10^4 x 10^4, 2-D) | "
                     f"{d['ratio_scipy_over_ours']:.1f}x faster, max rel. diff {d['agreement']['max_rel_diff']:.1g} | >= 1x, same values |")
    c = _load("check_time")
    if c:
        lines.append(f"| derive check, all parts (wall) | {c['derive_check_wall_s']:.0f} s | < 60 s |")
        if "tests" in c:
            lines.append(f"| test suite (wall) | {c['tests']['wall_s']:.0f} s ({c['tests']['summary']}) | |")
    g = _load("grade")
    if g:
        run = g["runs"][str(g["jobs"])]
        lines.append(f"| derive grade, {g['students']} students x {g['rows'] // g['students']} answers "
                     f"({g['rows']} rows, {g['distinct_answers']} distinct), {g['jobs']} workers (wall) | "
                     f"{run['wall_s']:.0f} s, {run['rows_per_s']:.0f} rows/s (load {run['load_before']:.1f} -> "
                     f"{run['load_after']:.1f}; {run['cpu_s']:.0f} s of CPU in all) | < {g['target_s']:.0f} s |")
    f = _load("false_alarms")
    if f:
        rows = f["rows"]
        stat = [r for r in rows if r.get("designed_alpha")]
        fails = sum(r["failures"] for r in rows)
        flagged = [f"{r['part']} {r['check']}" for r in rows if r["failures"]]
        lines.append(f"| false alarms, {f['seeds']} seeds x {len(rows)} checks ({len(stat)} statistical at alpha = 1e-6) | "
                     f"{fails} failures (expected {sum(r['expected_failures'] or 0 for r in rows):.1g}); "
                     f"{'; '.join(flagged) or 'none'} | 0 |")
    p = _load("power")
    if p:
        es = sorted(r["smallest_error"] for r in p["rows"] if r.get("smallest_error") is not None
                    and r["test"] != "close_test")
        if es:
            lines.append(f"| smallest relative error detected (power 0.9), statistical checks | median {es[len(es) // 2]:.2g}, "
                         f"range {es[0]:.2g} to {es[-1]:.2g} (per check: power.md) | |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    what = argv[0] if argv else "bench"
    for fn, args in STEPS.get(what, []):
        fn(args)
    text = summary()
    atomic_write(RESULTS / "summary.md", text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
