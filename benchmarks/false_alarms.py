"""Observed false-alarm rates of every numeric check under many seeds (issue 9).

Each part's answer is built once (its SymPy work is not repeated); then, for every seed, its
checks run exactly as ``derive check --seed N`` runs them (one generator from
:func:`derivations.runner.part_rng`, shared by the part's checks in order). A check is designed to
fail with probability ``alpha`` (1e-6) when its claim is true; the answers are believed true, so
every observed failure is a false alarm or a real error. With S seeds and no failure, the 95%
upper confidence bound on a check's failure rate is ``1 - 0.05^(1/S)`` (0.015 at S = 200).
Failures at 1e-6 are too rare to see, so the script also tests the calibration that produces
them: under a true null the p-values are uniform (or, for discrete tests, stochastically
larger), so the count of p-values below 0.01 is Binomial(S, <= 0.01); a one-sided exact binomial
test of that count at level 0.001 flags a check whose p-values pile up near 0 (a biased
estimator or an under-estimated standard error) long before it fails at 1e-6.

Run: ``python -m benchmarks.false_alarms [--seeds 200] [--jobs 2] [PART ...]``. Results are
written after every part (``results/false_alarms.json`` and ``.md``), so a long run can be read
while it goes. ``--jobs J`` splits the parts between J processes, balanced by the times of the
previous run, and merges their results (``--merge TARGET SOURCE ...`` does that step alone).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import traceback

import numpy as np
from scipy import stats

from benchmarks.common import RESULTS, load, machine, write
from derivations.hw7 import HOMEWORK, REGISTRY
from derivations.runner import part_rng
from numerics.stattests import CheckResult

ORDER, select, registration = HOMEWORK.order, HOMEWORK.select, REGISTRY.registration

CALIBRATION_LEVEL = 1e-3


def check_key(check_name: str, index: int, count: int) -> str:
    """A name stable across seeds (result names may quote the drawn parameters)."""
    return check_name if count == 1 else f"{check_name} [{index + 1}/{count}]"


def run_checks(answer, part_id: str, seed: int, on_check=None) -> list[tuple[str, CheckResult]]:
    """The part's checks as ``derive check --seed`` runs them: (stable key, result) pairs.
    ``on_check(name)`` is called before each check runs."""
    rng = part_rng(part_id, seed)
    out: list[tuple[str, CheckResult]] = []
    for check in answer.checks:
        if on_check:
            on_check(check.name)
        r = check.run(rng)
        rs = [r] if isinstance(r, CheckResult) else list(r)
        out.extend((check_key(check.name, i, len(rs)), x) for i, x in enumerate(rs))
    return out


def summarise(part_id: str, results: list[list[tuple[str, CheckResult]]], errors: list[str]) -> list[dict]:
    """One row per check result: failures, designed alpha, calibration of its p-values."""
    by_name: dict[tuple[str, str], list[CheckResult]] = {}
    for seed_results in results:
        for key, r in seed_results:  # a position may hold another test under another seed
            by_name.setdefault((key, str(r.evidence.get("test", "?"))), []).append(r)
    rows = []
    for (name, _), rs in by_name.items():
        ev = rs[0].evidence
        p = np.array([r.evidence["p_value"] for r in rs if isinstance(r.evidence.get("p_value"), (int, float))])
        seeds = len(rs)
        fails = sum(not r.passed for r in rs)
        failed_seeds = [i for i, r in enumerate(rs) if not r.passed][:10]
        alpha = ev.get("alpha")
        row = {"part": part_id, "check": name, "example": rs[0].name, "test": ev.get("test", "?"),
               "seeds": seeds, "failures": fails,
               "designed_alpha": alpha, "expected_failures": alpha * seeds if alpha else None,
               "failure_rate_upper_95": float(stats.beta.ppf(0.95, fails + 1, seeds - fails)) if seeds else None,
               "failed_result_indices": failed_seeds,
               "first_failure": next((r.to_json() for r in rs if not r.passed), None)}
        if p.size == seeds and seeds:
            small = int((p < 0.01).sum())
            row.update(min_p=float(p.min()), p_below_0_01=small,
                       calibration_p=float(stats.binomtest(small, seeds, 0.01, alternative="greater").pvalue))
            # a one-sided check ("passes when p < alpha", e.g. must-reject tests) has the opposite sense
            row["miscalibrated"] = bool(row["calibration_p"] < CALIBRATION_LEVEL and fails > 0
                                        or (row["calibration_p"] < CALIBRATION_LEVEL
                                            and "reject" not in str(ev.get("expectation", ""))
                                            and "H0 mean" not in row["test"]))
        rows.append(row)
    if errors:
        rows.append({"part": part_id, "check": "(exceptions)", "test": "exception", "seeds": len(errors),
                     "failures": len(errors), "designed_alpha": 0, "first_error": errors[0]})
    return rows


def part_seconds(timing: dict, seeds: int) -> float:
    """Seconds spent on the parts in ``timing`` (building them and running their checks), also
    those kept from an earlier run by ``--update``."""
    return sum(t["build_s"] + t["checks_s_per_seed"] * seeds for t in timing.values())


def markdown(rows: list[dict], info: dict, seeds: int) -> str:
    lines = [f"### False alarms: every numeric check under {seeds} seeds\n",
             f"Load {info['load_1min_at_start']:.1f} -> {info.get('load_1min_at_end', float('nan')):.1f}; "
             f"{info.get('part_seconds', info.get('seconds', 0)):.0f} s of checks over all parts. 'p<0.01' counts seeds whose p-value fell below 0.01 "
             f"(about {seeds // 100} expected under a true null); 'calib. p' is the one-sided binomial "
             "p-value of that count (small = p-values pile up near 0). Checks marked 'must reject' pass "
             "when their test rejects (a wrong option must be caught): small p-values are their purpose.\n",
             "| part | check | test | seeds | failures | designed alpha | p<0.01 | calib. p |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        a = r.get("designed_alpha")
        if a and not r["failures"] and r.get("min_p", 1.0) < a:  # it passed with p < alpha: a check
            r = dict(r, test=f"must reject: {r['test']}")  # that passes by rejecting (p near 0 by design)
            r.pop("calibration_p", None)
        lines.append(f"| {r['part']} | {r['check']} | {str(r['test'])[:40]} | {r['seeds']} | {r['failures']} | "
                     f"{a if a is not None else 'deterministic'} | {r.get('p_below_0_01', '-')} | "
                     f"{r['calibration_p']:.2g} |" if "calibration_p" in r else
                     f"| {r['part']} | {r['check']} | {str(r['test'])[:40]} | {r['seeds']} | {r['failures']} | "
                     f"{a if a is not None else 'deterministic'} | - | - |")
    total = sum(r["failures"] for r in rows)
    flagged = [f"{r['part']}/{r['check']}" for r in rows if r["failures"] or r.get("miscalibrated")]
    lines.append(f"\nTotal failures: {total} over {len(rows)} checks. Flagged: {', '.join(flagged) or 'none'}.")
    return "\n".join(lines)


def merge(target: str, sources: list[str]) -> None:
    """Combine runs over disjoint parts (e.g. two processes, one per core) into ``target``;
    a part present in several runs is taken from the last one named."""
    docs = [json.loads((RESULTS / f"{name}.json").read_text()) for name in [target, *sources]
            if (RESULTS / f"{name}.json").exists()]
    docs = [d for d in docs if d["seeds"] == docs[-1]["seeds"]]  # never mix runs of different lengths
    rows: dict[str, list[dict]] = {}
    timing: dict = {}
    for doc in docs:
        for pid in {r["part"] for r in doc["rows"]}:
            rows[pid] = [r for r in doc["rows"] if r["part"] == pid]
        timing.update(doc["timing"])
    merged = sorted((r for rs in rows.values() for r in rs), key=lambda r: ORDER.index(r["part"]))
    info = dict(docs[-1]["machine"], merged_from=[target, *sources],
                seconds=sum(d["machine"].get("seconds", 0) for d in docs),
                part_seconds=part_seconds(timing, docs[-1]["seeds"]),
                load_1min_at_start=max(d["machine"]["load_1min_at_start"] for d in docs),
                load_1min_at_end=max(d["machine"].get("load_1min_at_end", 0) for d in docs))
    write(target, {"machine": info, "seeds": docs[-1]["seeds"], "timing": timing, "rows": merged},
          markdown(merged, info, docs[-1]["seeds"]))


def balanced_split(ids: list[str], jobs: int, seconds: dict[str, float]) -> list[list[str]]:
    """``ids`` in ``jobs`` groups of about equal total time (longest first, each to the
    least-loaded group); parts without an earlier time count as the median one.

    >>> balanced_split(["1a.i", "1a.ii", "2a", "9g"], 2, {"9g": 5.0, "1a.i": 3.0, "2a": 2.0})
    [['2a', '9g'], ['1a.i', '1a.ii']]
    """
    typical = float(np.median(list(seconds.values()))) if seconds else 1.0
    groups: list[list[str]] = [[] for _ in range(jobs)]
    load_s = [0.0] * jobs
    for pid in sorted(ids, key=lambda p: -seconds.get(p, typical)):
        g = load_s.index(min(load_s))
        groups[g].append(pid)
        load_s[g] += seconds.get(pid, typical)
    return [sorted(g, key=ORDER.index) for g in groups if g]


def run_jobs(ids: list[str], args) -> int:
    """Run the parts in ``args.jobs`` processes (one per core), then merge into ``args.name``."""
    old = RESULTS / f"{args.name}.json"
    timing = json.loads(old.read_text())["timing"] if old.exists() else {}
    seconds = {k: part_seconds({k: v}, args.seeds) for k, v in timing.items()}
    names = []
    procs = []
    for i, group in enumerate(balanced_split(ids, args.jobs, seconds)):
        names.append(f"{args.name}_job{i + 1}")
        procs.append(subprocess.Popen([sys.executable, "-m", "benchmarks.false_alarms", "--seeds", str(args.seeds),
                                       "--name", names[-1], *group], stdout=subprocess.DEVNULL))
    codes = [p.wait() for p in procs]
    if any(codes):
        print(f"error: a job failed (exit codes {codes}); partial results in {names}", file=sys.stderr)
        return 1
    if not args.update and old.exists():
        old.unlink()  # a full rerun: nothing of the earlier run is kept
    merge(args.name, names)
    for name in names:
        for ext in (".json", ".md"):
            (RESULTS / f"{name}{ext}").unlink(missing_ok=True)
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--merge"]:  # --merge TARGET SOURCE ...
        merge(argv[1], argv[2:])
        return 0
    ap = argparse.ArgumentParser(prog="python -m benchmarks.false_alarms")
    ap.add_argument("parts", nargs="*")
    ap.add_argument("--seeds", type=int, default=200)
    ap.add_argument("--name", default="false_alarms")
    ap.add_argument("--update", action="store_true",
                    help="keep the other parts' rows of an earlier run with the same --seeds, replace these")
    ap.add_argument("--jobs", type=int, default=1, help="processes to split the parts between (one per core)")
    args = ap.parse_args(argv)
    ids = select(args.parts) if args.parts else list(ORDER)
    if args.jobs > 1:
        return run_jobs(ids, args)
    info = machine()
    start = time.perf_counter()
    rows: list[dict] = []
    timing = {}
    old = RESULTS / f"{args.name}.json"
    if args.update and old.exists():
        earlier = json.loads(old.read_text())
        if earlier["seeds"] == args.seeds:
            rows = [r for r in earlier["rows"] if r["part"] not in ids]
            timing = {k: v for k, v in earlier["timing"].items() if k not in ids}
    for pid in ids:
        reg = registration(pid)
        if reg is None:
            continue
        t0 = time.perf_counter()
        try:
            answer = reg.build()
        except Exception:
            rows.append({"part": pid, "check": "(build)", "test": "exception", "seeds": 0, "failures": 1,
                         "designed_alpha": 0, "first_error": traceback.format_exc(limit=3)})
            continue
        if not answer.checks:
            continue
        built = time.perf_counter() - t0
        results, errors = [], []
        for seed in range(args.seeds):
            try:
                results.append(run_checks(answer, pid, seed))
            except Exception as exc:
                errors.append(f"seed {seed}: {type(exc).__name__}: {exc}")
        timing[pid] = {"build_s": built, "checks_s_per_seed": (time.perf_counter() - t0 - built) / args.seeds}
        rows.extend(summarise(pid, results, errors))
        rows.sort(key=lambda r: ORDER.index(r["part"]))
        info["seconds"] = time.perf_counter() - start
        info["part_seconds"] = part_seconds(timing, args.seeds)
        info["load_1min_at_end"] = load()
        print(f"{pid}: {timing[pid]['checks_s_per_seed']:.3f} s/seed, "
              f"{sum(r['failures'] for r in rows if r['part'] == pid)} failures", file=sys.stderr, flush=True)
        write(args.name, {"machine": info, "seeds": args.seeds, "timing": timing, "rows": rows},
              markdown(rows, info, args.seeds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
