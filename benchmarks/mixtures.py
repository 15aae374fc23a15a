"""EM for spherical mixtures against scikit-learn (issue 9): n = 10^6 points, d = 16, k = 8.

Ours: ``numerics.mixtures.e_step`` (responsibilities) and ``m_step`` (weights, means, variances).
scikit-learn's spherical ``GaussianMixture`` does the same two steps in ``_e_step`` (log
responsibilities) and ``_m_step`` (which exponentiates them, then estimates the parameters);
both are the methods its ``fit`` loop calls, used here on the same parameters and data. Its public
``predict_proba`` (the E-step plus input validation) is timed as well. ``reg_covar`` is 0 so
that the two compute the same M-step. Times: minimum of ``REPEAT`` interleaved runs.

Run: ``python -m benchmarks.mixtures`` (``--quick`` for n = 10^5).
"""

from __future__ import annotations

import sys

import numpy as np

from benchmarks.common import load, machine, measure_here, report, time_and_measure, write
from numerics import mixtures

N, D, K = 1_000_000, 16, 8
REPEAT = 3


def problem(n: int = N, seed: int = 0):
    rng = np.random.default_rng(seed)
    means = rng.normal(scale=3.0, size=(K, D))
    variances = rng.uniform(0.5, 2.0, size=K)
    weights = rng.dirichlet(np.full(K, 5.0))
    X, _ = mixtures.sample(n, weights, means, variances, rng=rng)
    return X, weights, means, variances


def sklearn_model(weights, means, variances):
    from sklearn.mixture import GaussianMixture

    gm = GaussianMixture(n_components=K, covariance_type="spherical", reg_covar=0.0)
    gm.weights_, gm.means_, gm.covariances_ = weights.copy(), means.copy(), variances.copy()
    gm.precisions_cholesky_ = 1.0 / np.sqrt(variances)
    gm.converged_, gm.n_iter_, gm.lower_bound_ = True, 0, 0.0
    return gm


def cases(n: int = N):
    def ours_e():
        X, w, m, v = problem(n)
        return lambda: mixtures.e_step(X, w, m, v)

    def ours_m():
        X, w, m, v = problem(n)
        resp = mixtures.e_step(X, w, m, v)
        return lambda: mixtures.m_step(X, resp)

    def sk_e():
        X, w, m, v = problem(n)
        gm = sklearn_model(w, m, v)
        return lambda: gm._e_step(X)

    def sk_proba():
        X, w, m, v = problem(n)
        gm = sklearn_model(w, m, v)
        return lambda: gm.predict_proba(X)

    def sk_m():
        X, w, m, v = problem(n)
        gm = sklearn_model(w, m, v)
        _, log_resp = gm._e_step(X)
        return lambda: gm._m_step(X, log_resp)

    return {"e_step": ours_e, "sklearn_e_step": sk_e, "sklearn_predict_proba": sk_proba,
            "m_step": ours_m, "sklearn_m_step": sk_m}


def agreement(n: int) -> dict:
    X, w, m, v = problem(n)
    gm = sklearn_model(w, m, v)
    resp = mixtures.e_step(X, w, m, v)
    _, log_resp = gm._e_step(X)
    ours = mixtures.m_step(X, resp)
    gm._m_step(X, log_resp)
    return {"resp_max_abs_diff": float(np.abs(resp - np.exp(log_resp)).max()),
            "weights_max_abs_diff": float(np.abs(ours[0] - gm.weights_).max()),
            "means_max_abs_diff": float(np.abs(ours[1] - gm.means_).max()),
            "variances_max_rel_diff": float(np.abs(ours[2] / gm.covariances_ - 1).max())}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--measure"]:
        measure_here(cases(int(argv[2]))[argv[1]])
        return 0
    n = 100_000 if "--quick" in argv else N
    info = machine()
    timing, memory = time_and_measure("benchmarks.mixtures", cases(n), str(n), repeat=REPEAT)
    info["load_1min_at_end"] = load()
    agree = agreement(n)
    t = {k: v["min_s"] for k, v in timing.items()}
    ratios = {"sklearn _e_step / e_step": t["sklearn_e_step"] / t["e_step"],
              "sklearn predict_proba / e_step": t["sklearn_predict_proba"] / t["e_step"],
              "sklearn _m_step / m_step": t["sklearn_m_step"] / t["m_step"]}
    md = report(f"Mixture EM steps, n = {n:,}, d = {D}, k = {K}", info, timing, memory,
                [f"{k}: **{v:.2f}x**" for k, v in ratios.items()] + [f"agreement: {agree}"])
    write("mixtures" if n == N else "mixtures_quick",
          {"machine": info, "n": n, "d": D, "k": K, "timing": timing, "memory": memory, "ratios": ratios,
           "agreement": agree}, md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
