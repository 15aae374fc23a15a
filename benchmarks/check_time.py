"""Wall time of ``derive check`` (all parts) and of the test suite, with the slowest parts (issue 9).

``derive check --json`` runs in a subprocess; its per-part ``seconds`` give the slowest parts.
With ``--profile ID ...`` each named part also runs under cProfile, and the functions with the
largest cumulative time are listed (SymPy simplification is the usual culprit). ``--tests`` also
times ``pytest`` (the whole suite, ``--durations=15``).

Run: ``python -m benchmarks.check_time [--tests] [--profile 3d.i 9f ...]``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import re
import subprocess
import sys
import time

from benchmarks.common import ROOT, load, machine, write

DERIVE = [sys.executable, "-m", "derivations", "check", "--json"]


def time_check(seed: int = 0) -> tuple[float, list[dict], int]:
    t0 = time.perf_counter()
    out = subprocess.run(DERIVE + ["--seed", str(seed)], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    return wall, json.loads(out.stdout), out.returncode


def time_tests() -> dict:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--durations=15"],
                         cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    tail = out.stdout.strip().splitlines()
    durations = [line for line in tail if re.match(r"^\d+\.\d+s (call|setup|teardown)", line)]
    summary = next((line.strip("= ") for line in reversed(tail) if re.search(r"\d+ (passed|failed)", line)), "")
    return {"wall_s": wall, "exit_code": out.returncode, "summary": summary,
            "slowest": durations}


def profile_part(part_id: str, top: int = 12) -> list[str]:
    from derivations.runner import run_part

    prof = cProfile.Profile()
    prof.enable()
    run_part(part_id, seed=0)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    return [line for line in buf.getvalue().splitlines() if re.match(r"^\s+\d", line)]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.check_time")
    ap.add_argument("--tests", action="store_true", help="also time the test suite")
    ap.add_argument("--profile", nargs="*", default=[], metavar="ID")
    args = ap.parse_args(argv)
    info = machine()
    wall, parts, code = time_check()
    summed = sum(p["seconds"] for p in parts)
    slow = sorted(parts, key=lambda p: -p["seconds"])[:10]
    payload = {"machine": info, "derive_check_wall_s": wall, "derive_check_exit": code,
               "sum_of_part_seconds": summed, "parts": {p["id"]: p["seconds"] for p in parts},
               "statuses": {p["id"]: p["status"] for p in parts}}
    md = [f"### derive check (all {len(parts)} parts): {wall:.1f} s wall, exit code {code}\n",
          "| part | seconds | status |", "|---|---|---|"]
    md += [f"| {p['id']} | {p['seconds']:.1f} | {p['status']} |" for p in slow]
    if args.tests:
        payload["tests"] = time_tests()
        t = payload["tests"]
        md += [f"\n### test suite: {t['wall_s']:.1f} s wall ({t['summary']})\n", "```", *t["slowest"], "```"]
    if args.profile:
        payload["profiles"] = {pid: profile_part(pid) for pid in args.profile}
        for pid, lines in payload["profiles"].items():
            md += [f"\n#### cProfile of {pid} (cumulative)\n", "```", *lines, "```"]
    info["load_1min_at_end"] = load()
    md.insert(1, f"Load {info['load_1min_at_start']:.1f} -> {info['load_1min_at_end']:.1f}.\n")
    write("check_time", payload, "\n".join(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
