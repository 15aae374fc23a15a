"""Wall time of ``derive grade`` on a synthetic class: 200 students x 25 answers (target < 120 s).

The class is drawn from ``grade_catalogue.json`` (right and wrong answers to 23 part/quantity
slots, copied from the verify tests): each student answers every slot once and two slots again;
60% of answers are right. Like a real class, most answers repeat, some with other spacing
(30%: the same answer to the checker), and a long tail is unique (8%: a right or wrong answer
behind ``k`` thin spaces ``\\,``, a distinct text that must be checked on its own); 2% are input
errors (empty, an unknown symbol, an unknown part). ``derive grade`` runs in a fresh process, as
staff would run it, and its output is checked (a results.json per student, every row counted).

Run: ``python -m benchmarks.grade [--students 200] [--per-student 25] [--jobs 2] [--also-one-job]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
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


def run_grade(csv_path: Path, out: Path, jobs: int) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "derivations", "grade", str(csv_path), "-o", str(out),
                           "--jobs", str(jobs)], cwd=ROOT, capture_output=True, text=True)
    return time.perf_counter() - t0, done.returncode, done.stderr


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


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.grade")
    ap.add_argument("--students", type=int, default=200)
    ap.add_argument("--per-student", type=int, default=25)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--also-one-job", action="store_true", help="also time --jobs 1 (the speed-up of the pool)")
    args = ap.parse_args(argv)
    info = machine()
    rows = synthesise(args.students, args.per_student)
    distinct = len({(r["part"], r["quantity"], " ".join(r["answer"].split())) for r in rows})
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "class.csv"
        with open(src, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=["student", "part", "quantity", "answer"])
            writer.writeheader()
            writer.writerows(rows)
        for jobs in [args.jobs] + ([1] if args.also_one_job and args.jobs != 1 else []):
            out = Path(tmp) / f"out-{jobs}"
            wall, code, err = run_grade(src, out, jobs)
            if code != 0:
                print(err, file=sys.stderr)
                raise SystemExit(f"derive grade exited {code}")
            runs[jobs] = {"wall_s": wall, "rows_per_s": len(rows) / wall, "totals": check_output(out, rows),
                          "last_line": err.strip().splitlines()[-1], "load_after": load()}
    info["load_1min_at_end"] = load()
    main_run = runs[args.jobs]
    payload = {"machine": info, "rows": len(rows), "students": args.students, "jobs": args.jobs,
               "distinct_answers": distinct,
               "target_s": TARGET_S, "runs": {str(k): v for k, v in runs.items()}}
    md = [f"### derive grade: {args.students} students x {args.per_student} answers ({len(rows)} rows, "
          f"{distinct} distinct answers)\n",
          f"Machine: {info['cores']} cores, {info['cpu']}; load {info['load_1min_at_start']:.1f} -> "
          f"{info['load_1min_at_end']:.1f}. Wall time of `derive grade` in a fresh process (start-up, reading, "
          "checking, writing every file).\n",
          "| jobs | wall (s) | rows/s | target |", "|---|---|---|---|"]
    md += [f"| {k} | {v['wall_s']:.1f} | {v['rows_per_s']:.0f} | {'< ' + str(int(TARGET_S)) + ' s' if k == args.jobs else ''} |"
           for k, v in runs.items()]
    t = main_run["totals"]
    md += ["", f"- verdicts: {t['correct']} correct, {t['incorrect']} incorrect, {t['undecided']} undecided, "
               f"{t['input_errors']} input errors, {t['internal_errors']} internal errors",
           f"- target {'met' if main_run['wall_s'] < TARGET_S else 'MISSED'}: {main_run['wall_s']:.1f} s "
           f"against {TARGET_S:.0f} s"]
    if len(runs) > 1:
        md.append(f"- speed-up of {args.jobs} workers over 1: {runs[1]['wall_s'] / main_run['wall_s']:.2f}x")
    write("grade", payload, "\n".join(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
