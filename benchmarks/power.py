"""Power of every numeric check: the smallest planted error it rejects (issue 9).

A check compares what a simulation produced with a claimed value. To plant an error, the claimed
value is perturbed by a relative error e just before the statistical test sees it, while the
simulation stays the same. The script runs each part's checks under ``--seeds`` seeds (as
``derive check --seed N`` does), records the arguments of every call to a test of
:mod:`numerics.stattests`, and then re-runs only those tests with the claim perturbed:

* ``mean_test``: expected -> expected (1 + e); a component claimed to be 0 is moved by e times
  its sample standard deviation instead (the row says "sd" then);
* ``moments_test``: claimed covariance -> covariance (1 + e);
* ``ks_test``: claimed CDF F(x) -> F(x / (1 + e)) (a scale error of e);
* ``chi_square_test``: the most probable cell's probability -> p (1 + e), the other cells
  scaled down together to keep the sum 1;
* ``binomial_test``: p -> p (1 + e) (two-sided and "less"), p (1 - e) ("greater"), clipped to
  [0, 1]. A one-sided bound ("rate at least p") whose every trial succeeded in every seed stays
  consistent with the data however far it is raised, up to 1: the planting cannot produce a
  refutable claim there, and the row says "bound at its limit" instead of "not rejected";
* ``two_sample_ks_test``: the second sample is spread by 1 + e about its median;
* ``close_test``: expected -> expected (1 + e) (plus e where expected is 0): deterministic.

The power at e is the fraction of seeds whose perturbed test fails (at the check's own alpha);
the reported threshold is the smallest e (bisection on a log scale) with power >= 0.9.
``mean_bound_test``, ``ks_rejects`` and ``predicate`` assert an inequality or a rejection rather
than a value: there is no claimed value to perturb, and they are listed as such.

Run: ``python -m benchmarks.power [--seeds 20] [PART ...]``.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import sys
import time

import numpy as np
from scipy import stats

from benchmarks.common import RESULTS, load, machine, write
from derivations.hw7 import HOMEWORK, REGISTRY
from numerics import stattests as S

ORDER, select, registration = HOMEWORK.order, HOMEWORK.select, REGISTRY.registration

TARGET_POWER = 0.9
E_MIN, E_MAX = 1e-9, 10.0
NOT_A_VALUE = {"mean_bound_test": "one-sided bound (asserts an inequality)",
               "ks_rejects": "must-reject test (asserts a rejection)",
               "predicate": "stated condition"}


def _zero_shift(values, expected, e):
    v = np.asarray(values, dtype=float)
    v = v.reshape(len(v), -1)
    mu = np.broadcast_to(np.asarray(expected, dtype=float).ravel(), (v.shape[1],))
    return np.where(mu != 0, mu * (1 + e), e * v.std(axis=0, ddof=1)), bool(np.all(mu == 0))


def perturbed(kind: str, args: tuple, kw: dict, e: float):
    """Re-run one captured test with its claim off by e; returns the CheckResult."""
    f = ORIGINAL[kind]
    if kind == "mean_test":
        name, values, expected = args[:3]
        return f(name, values, _zero_shift(values, expected, e)[0], **kw)
    if kind == "moments_test":
        name, samples, mean, cov = args[:4]
        return f(name, samples, mean, np.asarray(cov, dtype=float) * (1 + e), **kw)
    if kind == "ks_test":
        name, samples, cdf = args[:3]
        a = kw.get("args", ())
        base = getattr(stats, cdf).cdf if isinstance(cdf, str) else cdf
        kw2 = {k: v for k, v in kw.items() if k != "args"}
        return f(name, samples, lambda x: base(np.asarray(x) / (1 + e), *a), **kw2)
    if kind == "chi_square_test":
        name, counts, probs = args[:3]
        p = np.asarray(probs, dtype=float).ravel()
        p = p / p.sum()
        i = int(np.argmax(p))
        new = min(p[i] * (1 + e), 1 - 1e-12)  # that cell off by e; the others share the difference
        q = p * (1 - new) / (1 - p[i]) if p[i] < 1 else p.copy()
        q[i] = new
        return f(name, counts, q, **kw)
    if kind == "binomial_test":
        name, succ, trials, p = args[:4]
        alt = kw.get("alternative", "two-sided")
        p2 = p * (1 - e) if alt == "greater" else p * (1 + e)
        return f(name, succ, trials, float(min(max(p2, 0.0), 1.0)), **kw)
    if kind == "two_sample_ks_test":
        name, a, b = args[:3]
        b = np.ravel(b)
        med = np.median(b)
        return f(name, a, med + (b - med) * (1 + e), **kw)
    if kind == "close_test":
        name, actual, expected = args[:3]
        ex = np.asarray(expected, dtype=float)
        return f(name, actual, np.where(ex != 0, ex * (1 + e), e), **kw)
    raise KeyError(kind)


ORIGINAL = {k: getattr(S, k) for k in ("mean_test", "moments_test", "ks_test", "chi_square_test",
                                       "binomial_test", "two_sample_ks_test", "close_test",
                                       "mean_bound_test", "ks_rejects", "predicate")}


class Recorder:
    """Replaces the stattests functions wherever they were imported, recording top-level calls."""

    def __init__(self):
        self.calls: list[tuple[str, tuple, dict]] = []
        self.depth = 0
        self.patched: list[tuple[object, str, object]] = []

    def wrap(self, kind, f):
        @functools.wraps(f)
        def inner(*args, **kw):
            if self.depth == 0:
                self.calls.append((kind, args, kw))
            self.depth += 1
            try:
                return f(*args, **kw)
            finally:
                self.depth -= 1
        return inner

    def __enter__(self):
        wrappers = {f: self.wrap(k, f) for k, f in ORIGINAL.items()}
        for mod in list(sys.modules.values()):
            if not getattr(mod, "__name__", "").startswith(("derivations", "numerics")):
                continue
            for attr, val in list(vars(mod).items()):
                if callable(val) and val in wrappers:
                    self.patched.append((mod, attr, val))
                    setattr(mod, attr, wrappers[val])
        return self

    def __exit__(self, *exc):
        for mod, attr, val in self.patched:
            setattr(mod, attr, val)


def _bound_at_limit(calls) -> bool:
    """One-sided binomial bounds whose trials all came out at the claimed end in every seed (all
    successes under "less", none under "greater"): p (1 + e) clipped at 1 (p (1 - e) at 0) still
    agrees with the data, so no planted bound can be refuted."""
    def at_limit(args, kw):
        successes, trials, alt = args[1], args[2], kw.get("alternative", "two-sided")
        return (alt == "less" and successes == trials) or (alt == "greater" and successes == 0)

    return all(kind == "binomial_test" and at_limit(args, kw) for kind, args, kw in calls)


def rejection_rate(calls, e):
    return float(np.mean([not perturbed(kind, args, kw, e).passed for kind, args, kw in calls]))


def threshold(calls) -> tuple[float | None, float]:
    """Smallest e in [E_MIN, E_MAX] with rejection rate >= TARGET_POWER (None if none), and the
    rejection rate at e = 0 (the false-alarm rate of these seeds)."""
    at0 = rejection_rate(calls, 0.0)
    if rejection_rate(calls, E_MAX) < TARGET_POWER:
        return None, at0
    lo, hi = math.log(E_MIN), math.log(E_MAX)
    if rejection_rate(calls, E_MIN) >= TARGET_POWER:
        return E_MIN, at0
    for _ in range(24):  # relative precision ~ 1e-6 on the log scale of e
        mid = 0.5 * (lo + hi)
        if rejection_rate(calls, math.exp(mid)) >= TARGET_POWER:
            hi = mid
        else:
            lo = mid
    return math.exp(hi), at0


def part_rows(pid: str, answer, seeds: int) -> list[dict]:
    from benchmarks.false_alarms import check_key, run_checks

    per_name: dict[str, list] = {}
    kinds: dict[str, str] = {}
    with Recorder() as rec:
        for seed in range(seeds):
            marks: list[tuple[str, int]] = []  # (check name, index of its first call)
            rec.calls.clear()
            run_checks(answer, pid, seed, on_check=lambda name: marks.append((name, len(rec.calls))))
            ends = [m[1] for m in marks[1:]] + [len(rec.calls)]
            for (check, first), end in zip(marks, ends):
                for i, call in enumerate(rec.calls[first:end]):
                    # the same position may hold another test under another seed: kind in the key
                    key = f"{check_key(check, i, end - first)} ({call[0]})"
                    per_name.setdefault(key, []).append(call)
                    kinds[key] = call[0]
    rows = []
    for name, calls in per_name.items():
        kind = kinds[name]
        row = {"part": pid, "check": name.rsplit(" (", 1)[0], "test": kind, "seeds": len(calls)}
        if kind in NOT_A_VALUE:
            row.update(smallest_error=None, note=NOT_A_VALUE[kind])
        else:
            e, at0 = threshold(calls)
            row.update(smallest_error=e, rejected_unperturbed=at0,
                       note="relative" if e is not None else f"not rejected up to e = {E_MAX:g}")
            if e is None and _bound_at_limit(calls):
                row["note"] = "bound at its limit: every trial succeeded, no raised bound is refutable"
            if kind == "mean_test" and _zero_shift(calls[0][1][1], calls[0][1][2], 0.0)[1]:
                row["note"] = "sd units (claimed value 0)"
            res = ORIGINAL[kind](*calls[0][1], **calls[0][2])
            row["sample_size"] = res.evidence.get("n", res.evidence.get("size"))
        rows.append(row)
    return rows


def markdown(rows: list[dict], info: dict, seeds: int) -> str:
    lines = [f"### Power: smallest planted error each check rejects (power >= {TARGET_POWER}, {seeds} seeds)\n",
             f"Load {info['load_1min_at_start']:.1f} -> {info.get('load_1min_at_end', float('nan')):.1f}; "
             f"{info.get('seconds', 0):.0f} s. '[i/k]' numbers a check's calls to the tests of "
             "numerics.stattests (a check may also make deterministic comparisons that call none), so "
             "it can differ from the numbering of results in false_alarms.md.\n",
             "| part | check | test | sample size | smallest detected error | note |", "|---|---|---|---|---|---|"]
    for r in rows:
        e = r.get("smallest_error")
        lines.append(f"| {r['part']} | {r['check']} | {r['test']} | {r.get('sample_size', '-')} | "
                     f"{'-' if e is None else f'{e:.2g}'} | {r.get('note', '')} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.power")
    ap.add_argument("parts", nargs="*")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--update", action="store_true", help="keep other parts' rows of an earlier run")
    args = ap.parse_args(argv)
    ids = select(args.parts) if args.parts else list(ORDER)
    info = machine()
    start = time.perf_counter()
    rows: list[dict] = []
    old = RESULTS / "power.json"
    if args.update and old.exists():
        rows = [r for r in json.loads(old.read_text())["rows"] if r["part"] not in ids]
    for pid in ids:
        reg = registration(pid)
        if reg is None:
            continue
        answer = reg.build()
        if not answer.checks:
            continue
        rows.extend(part_rows(pid, answer, args.seeds))
        rows.sort(key=lambda r: ORDER.index(r["part"]))
        info["seconds"] = time.perf_counter() - start
        info["load_1min_at_end"] = load()
        print(f"{pid} done", file=sys.stderr, flush=True)
        write("power", {"machine": info, "seeds": args.seeds, "target_power": TARGET_POWER, "rows": rows},
              markdown(rows, info, args.seeds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
