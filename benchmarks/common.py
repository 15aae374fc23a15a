"""Shared helpers of the benchmark scripts: timing, peak memory, machine facts, result files."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Callable

import numpy as np

from derivations.fileio import atomic_write

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent


def load() -> float:
    """One-minute load average (the machine has 2 cores; other work may be running)."""
    return float(open("/proc/loadavg").read().split()[0])


def machine() -> dict:
    """Facts that decide the numbers: cores, CPU, load, library versions, BLAS kernel."""
    info = {"cores": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__,
            "load_1min_at_start": load(),
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
            "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE")}
    try:
        info["cpu"] = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                           if line.startswith("model name"))
    except (OSError, StopIteration):
        info["cpu"] = platform.processor()
    for mod in ("scipy", "sklearn"):
        try:
            info[mod] = __import__(mod).__version__
        except ImportError:
            info[mod] = None
    try:
        from threadpoolctl import threadpool_info
        info["blas"] = [{k: lib.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
                        for lib in threadpool_info() if lib.get("user_api") == "blas"]
    except ImportError:
        info["blas"] = "threadpoolctl not installed"
    return info


def best_of(fns: dict[str, Callable[[], object]], repeat: int = 3) -> dict[str, dict]:
    """Time every function ``repeat`` times, interleaved (round robin), so that a burst of load
    from other processes hits all of them alike; report min and median wall seconds."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {k: {"min_s": min(v), "median_s": float(np.median(v)), "runs": v, "load_after": load()}
            for k, v in times.items()}


def traced_peak(fn: Callable[[], object]) -> int:
    """Peak bytes allocated through Python's allocators (NumPy arrays included) during ``fn()``."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def rss_peak_in_subprocess(module: str, case: str, *args: str) -> dict:
    """Run ``python -m module --measure case args`` in a fresh process, which reports its peak RSS
    before and after the call (VmHWM) and its tracemalloc peak; the difference of the RSS
    peaks is the call's own high-water mark above its inputs."""
    out = subprocess.run([sys.executable, "-m", module, "--measure", case, *args], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def high_water_mark() -> int:
    """Peak resident bytes of this process image (VmHWM: unlike ``ru_maxrss`` it does not inherit
    the peak of a large parent across fork + exec)."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure_here(setup: Callable[[], Callable[[], object]]) -> None:
    """The child side of :func:`rss_peak_in_subprocess`: build inputs, then run the call once."""
    fn = setup()
    before = high_water_mark()
    traced = traced_peak(fn)
    after = high_water_mark()
    print(json.dumps({"rss_before": before, "rss_peak": after, "rss_increase": after - before,
                      "traced_peak": traced}))


def write(name: str, payload: dict, markdown: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    atomic_write(RESULTS / f"{name}.json", json.dumps(payload, indent=1, default=float) + "\n")
    atomic_write(RESULTS / f"{name}.md", markdown.rstrip() + "\n")
    print(markdown)


def mb(nbytes: float) -> str:
    return f"{nbytes / 2**20:.0f} MB"


def time_and_measure(module: str, cases: dict, *args: str, repeat: int = 3) -> tuple[dict, dict]:
    """Build every case, warm it up once (thread pool, BLAS buffers, page faults), time them
    interleaved, then measure each one's peak memory in a fresh process (``module --measure``)."""
    calls = {name: setup() for name, setup in cases.items()}
    for fn in calls.values():
        fn()
    timing = best_of(calls, repeat)
    memory = {name: rss_peak_in_subprocess(module, name, *args) for name in calls}
    return timing, memory


def report(title: str, info: dict, timing: dict, memory: dict, bullets: list[str]) -> str:
    """Markdown: a heading, the machine load, one row per call, then the ratios as bullets."""
    rows = "\n".join(f"| {k} | {v['min_s']:.3f} | {mb(memory[k]['rss_increase'])} | {mb(memory[k]['traced_peak'])} |"
                     for k, v in timing.items())
    return (f"### {title}\n\nMachine: {info['cores']} cores, {info['cpu']}; BLAS {info['blas']}; "
            f"load {info['load_1min_at_start']:.1f} -> {info.get('load_1min_at_end', float('nan')):.1f}.\n\n"
            "| call | best time (s) | peak RSS above inputs | peak NumPy allocations |\n|---|---|---|---|\n"
            f"{rows}\n\n" + "\n".join(f"- {b}" for b in bullets) + "\n")
