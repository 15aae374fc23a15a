"""Wall time of ``derive grade`` on a synthetic class: 200 students x 25 answers (target < 120 s).

The class is drawn from ``grade_catalogue.json`` (right and wrong answers to 23 part/quantity
slots, copied from the verify tests): each student answers every slot once and two slots again;
60% of answers are right. Like a real class, most answers repeat, some with other spacing
(30%: the same answer to the checker), and a long tail is unique (8%: a right or wrong answer
behind ``k`` thin spaces ``\\,``, a distinct text that must be checked on its own); 2% are input
errors (empty, an unknown symbol, an unknown part). ``derive grade`` runs in a fresh process, as
staff would run it, and its output is checked (a results.json per student, every row counted).

The machine is shared: the load before and after each run is recorded, with the CPU time the
run used, so that a slow run under load can be told from a slow program.

Run: ``python -m benchmarks.grade [--students 200] [--per-student 25] [--jobs 2] [--repeat 3]
[--also-one-job]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.common import ROOT, load, machine, write

CATALOGUE = Path(__file__).resolve().parent / "grade_catalogue.json"
TARGET_S = 120.0
P_RIGHT, P_SPACING, P_UNIQUE, P_ERROR = 0.60, 0.30, 0.08, 0.02
ERRORS = [("8a", None, ""), ("8a", None, "N(sqrt(abar_t) x_0, (1 - abar_t) J)"), ("8z", None, "x_0")]


def synthesise(students: int, per_student: int, seed: int = 0) -> list[dict]:
    """The rows of a class (see the module's docstring), in submission order."""
    rng = random.Random(seed)
    slots: dict[tuple, dict[bool, list[str]]] = defaultdict(lambda: {True: [], False: []})
    for a in json.loads(CATALOGUE.read_text())["answers"]:
        slots[(a["part"], a["quantity"])][a["correct"]].append(a["answer"])
    keys = sorted(slots, key=lambda k: (k[0], k[1] or ""))
    unique = 0
    rows = []
    for s in range(students):
        chosen = keys + [rng.choice(keys) for _ in range(max(0, per_student - len(keys)))]
        for part, quantity in chosen[:per_student]:
            if rng.random() < P_ERROR:
                part, quantity, answer = rng.choice(ERRORS)
            else:
                answers = slots[(part, quantity)]
                right = rng.random() < P_RIGHT or not answers[False]
                answer = rng.choice(answers[right])
                u = rng.random()
                if u < P_UNIQUE and not _is_choice(answer):
                    unique += 1
                    answer = "\\," * unique + " " + answer
                elif u < P_UNIQUE + P_SPACING:
                    answer = _respace(answer, rng)
            rows.append({"student": f"s{s:04d}", "part": part, "quantity": quantity or "", "answer": answer})
    return rows


def _is_choice(answer: str) -> bool:
    return len(answer.strip("() ")) <= 2


def _respace(answer: str, rng: random.Random) -> str:
    """The same answer with other spacing: spaces after commas, a newline, spaces at the ends."""
    out = answer.replace(", ", ",  ") if rng.random() < 0.5 else answer.replace(", ", ",\n")
    return " " * rng.randint(0, 2) + out + " " * rng.randint(1, 3)


def run_grade(csv_path: Path, out: Path, jobs: int) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (the process and its workers, user + system), exit code, stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "derivations", "grade", str(csv_path), "-o", str(out),
                           "--jobs", str(jobs)], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode, done.stderr


def check_output(out: Path, rows: list[dict]) -> dict:
    """Every student has a results.json with one test per row; summary.csv counts every row."""
    students = {r["student"] for r in rows}
    tests = sum(len(json.loads((out / s / "results.json").read_text())["tests"]) for s in students)
    with open(out / "summary.csv", newline="") as fh:
        summary = list(csv.DictReader(fh))
    counted = sum(int(r["answers"]) for r in summary)
    totals = {k: sum(int(r[k]) for r in summary) for k in ("correct", "incorrect", "undecided", "input_errors",
                                                          "internal_errors")}
    assert tests == counted == len(rows), (tests, counted, len(rows))
    return totals


def one_run(src: Path, out: Path, jobs: int, rows: list[dict]) -> dict:
    load_before = load()
    wall, cpu, code, err = run_grade(src, out, jobs)
    if code != 0:
        print(err, file=sys.stderr)
        raise SystemExit(f"derive grade exited {code}")
    return {"wall_s": wall, "cpu_s": cpu, "rows_per_s": len(rows) / wall, "totals": check_output(out, rows),
            "last_line": err.strip().splitlines()[-1], "load_before": load_before, "load_after": load()}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.grade")
    ap.add_argument("--students", type=int, default=200)
    ap.add_argument("--per-student", type=int, default=25)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--also-one-job", action="store_true", help="also time --jobs 1 (the speed-up of the pool)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each setting; the best is reported")
    args = ap.parse_args(argv)
    info = machine()
    rows = synthesise(args.students, args.per_student)
    distinct = len({(r["part"], r["quantity"], " ".join(r["answer"].split())) for r in rows})
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "class.csv"
        with open(src, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=["student", "part", "quantity", "answer"])
            writer.writeheader()
            writer.writerows(rows)
        settings = [args.jobs] + ([1] if args.also_one_job and args.jobs != 1 else [])
        tries: dict[int, list[dict]] = {jobs: [] for jobs in settings}
        for _ in range(args.repeat):  # interleaved, so that a burst of load hits every setting alike
            for jobs in settings:
                tries[jobs].append(one_run(src, Path(tmp) / f"out-{jobs}", jobs, rows))
        runs = {jobs: dict(min(ts, key=lambda t: t["wall_s"]), walls_s=[t["wall_s"] for t in ts])
                for jobs, ts in tries.items()}
    info["load_1min_at_end"] = load()
    main_run = runs[args.jobs]
    payload = {"machine": info, "rows": len(rows), "students": args.students, "jobs": args.jobs,
               "distinct_answers": distinct,
               "target_s": TARGET_S, "runs": {str(k): v for k, v in runs.items()}}
    md = [f"### derive grade: {args.students} students x {args.per_student} answers ({len(rows)} rows, "
          f"{distinct} distinct answers)\n",
          f"Machine: {info['cores']} cores, {info['cpu']}; load {info['load_1min_at_start']:.1f} -> "
          f"{info['load_1min_at_end']:.1f}. Wall time of `derive grade` in a fresh process (start-up, reading, "
          f"checking, writing every file), best of {args.repeat} interleaved runs (all runs listed); CPU time "
          "of that run over the process and its workers.\n",
          "| jobs | best wall (s) | rows/s | all runs (s) | CPU (s) | 1-min load before -> after | target |",
          "|---|---|---|---|---|---|---|"]
    md += [f"| {k} | {v['wall_s']:.1f} | {v['rows_per_s']:.0f} | {', '.join(f'{w:.0f}' for w in v['walls_s'])} | "
           f"{v['cpu_s']:.1f} | {v['load_before']:.1f} -> {v['load_after']:.1f} | "
           f"{'< ' + str(int(TARGET_S)) + ' s' if k == args.jobs else ''} |" for k, v in runs.items()]
    t = main_run["totals"]
    md += ["", f"- verdicts: {t['correct']} correct, {t['incorrect']} incorrect, {t['undecided']} undecided, "
               f"{t['input_errors']} input errors, {t['internal_errors']} internal errors",
           f"- target {'met' if main_run['wall_s'] < TARGET_S else 'MISSED'}: {main_run['wall_s']:.1f} s "
           f"against {TARGET_S:.0f} s"]
    if main_run["cpu_s"] > 0:
        md.append(f"- CPU per wall second: {main_run['cpu_s'] / main_run['wall_s']:.2f} of {args.jobs} cores "
                  "(less when other processes share the machine: see the load)")
    if len(runs) > 1:
        md.append(f"- speed-up of {args.jobs} workers over 1: {runs[1]['wall_s'] / main_run['wall_s']:.2f}x")
    write("grade", payload, "\n".join(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
