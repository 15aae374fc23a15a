"""Mutation testing: does the test suite notice when the code is changed, one small change at a time?

``python -m benchmarks.mutation [--modules M ...] [--sites N] [--seed S] [--workers W]`` (or
``make mutation``) makes mutants of each module, runs the tests that import the module (and the
module's own doctests) against each, and writes ``results/mutation.md`` and ``mutation.json``.
A mutant is *killed* when a test fails (or the run exceeds its time limit, reported as such),
*survived* when every test passes, *equivalent* when it survived and
``benchmarks/mutation_equivalent.json`` argues that no test could tell it apart.

Test files that fail on the unmutated code for reasons outside the module (a section being
reworked) are left out with ``--exclude-tests test_x.py ...`` or ``--deselect NODEID ...``; the
results file lists them per module, since the kill rate is then that of the remaining tests. The
edge-case files ``tests/test_*_edges.py`` run last, so the report can say which mutants only they
kill (``--edges-first`` runs them first: faster, without that). ``--survivors-only`` re-runs only
the last run's survivors of the same sampled sites.

A small runner of its own rather than mutmut or cosmic-ray: both rewrite the files of the
working tree in place (mutmut 3 runs from a ``mutants/`` copy whose import layout breaks this
project's ``--doctest-modules`` collection of four roots), neither maps a module to the test
files that import it, and neither has a stable per-site key to record equivalent mutants
against. This one never touches the working files: each worker copies the project once into a
temporary folder and writes the mutated module only there.

Mutations (on the syntax tree, written back with :func:`ast.unparse`):

- operators: ``+ <-> -``, ``* <-> /``, ``// -> /``, ``** -> *`` (also in ``+=`` etc.);
  comparisons ``< <-> <=``, ``> <-> >=``, ``== <-> !=``, ``is <-> is not``, ``in <-> not in``;
  ``and <-> or``; a unary minus or ``not`` dropped;
- constants: an integer ``n -> n + 1``, a float ``0.0 -> 1.0`` and ``x -> x + 1``, ``True <-> False``;
- a condition negated (``if``, ``while``, conditional expressions, comprehension filters);
- an early ``return None`` at the top of a function;
- a statement inside a function replaced by ``pass`` (except an assignment that binds only new
  names: its removal is an UnboundLocalError that any test running the line reports).

Strings, docstrings and annotations are never mutated. The sites are sampled with a fixed seed
per module (``--sites`` of them), so runs on the same code compare site by site.

>>> source = "def f(x):\\n    if x > 0:\\n        return x + 1\\n    return 0\\n"
>>> for s in sites_of(source)[:5]:
...     print(s.line, s.kind, "|", s.original, "->", s.mutated)
1 early return | def f -> return None
2 remove statement | if x > 0: -> pass
2 comparison | x > 0 -> x >= 0
2 negate condition | x > 0 -> not x > 0
2 constant | 0 -> 1
>>> print(apply(source, sites_of(source)[2]))
def f(x):
    if x >= 0:
        return x + 1
    return 0
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import queue
import math
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.common import RESULTS, ROOT, load, machine
from derivations.fileio import atomic_write

#: Modules of the issue's mutation run (``make mutation``); packages stand for all their modules.
#: ``derivations.points`` holds the random points that chain.py used to draw; ``derivations.links`` ties a
#: boxed quantity to the chain that concludes it. ``derivations.notation`` (the printers the answer
#: reader mirrors) is skipped where it does not exist yet.
DEFAULT_MODULES = ("numerics", "derivations.chain", "derivations.points", "derivations.links", "derivations.runner",
                   "derivations.answercheck", "derivations.notation")
EQUIVALENTS = Path(__file__).resolve().parent / "mutation_equivalent.json"
SITES_PER_MODULE = 20
DEFAULT_FACTOR = 3.0
SEED = 20240618

_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div,
         ast.Pow: ast.Mult}
_COMPARE = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
            ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
_REMOVABLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Raise, ast.Assert, ast.Return,
              ast.If, ast.For, ast.While, ast.With, ast.Try, ast.Delete)


# --------------------------------------------------------------------------- sites


@dataclass(frozen=True)
class Site:
    """One mutation: where (line, and the node's exact span), what kind, and the code before and
    after. ``(line, original, mutated)`` is the stable key, with ``#2``, ``#3``... appended to
    ``original`` when the same change occurs more than once on a line."""

    line: int
    kind: str
    original: str
    mutated: str
    span: tuple[int, int, int, int] = field(compare=False)
    node_type: str = field(compare=False)
    index: int = field(default=0, compare=False)  # which operator of a chained comparison

    def key(self, module: str) -> tuple[str, int, str, str]:
        return (module, self.line, self.original, self.mutated)


def _span(node: ast.AST) -> tuple[int, int, int, int]:
    return (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)


def _is_docstring(stmt: ast.stmt, body: list) -> bool:
    return (body and stmt is body[0] and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str))


def _skipped_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes never mutated: annotations, docstrings, f-strings, ``__main__`` blocks."""
    skip: set[int] = set()

    def all_of(node):
        skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for arg in node.args.args + node.args.kwonlyargs + node.args.posonlyargs:
                if arg.annotation is not None:
                    all_of(arg.annotation)
            if node.returns is not None:
                all_of(node.returns)
        elif isinstance(node, ast.AnnAssign):
            all_of(node.annotation)
        elif isinstance(node, ast.JoinedStr):
            all_of(node)
        elif isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            all_of(node)
        for name in ("body", "orelse", "finalbody"):
            body = getattr(node, name, None)
            if isinstance(body, list) and body and _is_docstring(body[0], body):
                all_of(body[0])
    return skip


def _short(node: ast.AST) -> str:
    return ast.unparse(node).splitlines()[0]


def _first_bindings(fn: ast.AST) -> set[int]:
    """ids of the assignments in ``fn`` that only bind names not bound before (not parameters, not
    assigned earlier in source order): removing one is an UnboundLocalError on the next line,
    which any test that runs the line reports, so such mutants measure nothing."""
    bound = {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)}
    binders = sorted((n for n in ast.walk(fn) if isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For,
                                                                  ast.With, ast.comprehension, ast.NamedExpr))
                      and hasattr(n, "lineno")), key=_span)
    first = set()
    for node in binders:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names = [n.id for t in targets if t is not None for n in ast.walk(t) if isinstance(n, ast.Name)]
        plain = all(isinstance(t, (ast.Name, ast.Tuple)) for t in targets if t is not None)
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and names and plain and not bound & set(names):
            first.add(id(node))
        bound.update(names)
        if isinstance(node, ast.With):
            bound.update(n.id for item in node.items if item.optional_vars is not None
                         for n in ast.walk(item.optional_vars) if isinstance(n, ast.Name))
    return first


def _candidates(tree: ast.AST):
    """(node, kind, original, mutated, index) for every possible mutation of ``tree``."""
    skip = _skipped_nodes(tree)
    in_function: set[int] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            in_function.update(id(n) for n in ast.walk(fn) if n is not fn)
            skip |= _first_bindings(fn)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node, "early return", f"def {node.name}", "return None", 0
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _SWAP:
            strings = isinstance(node, ast.BinOp) and any(
                isinstance(o, ast.JoinedStr) or (isinstance(o, ast.Constant) and isinstance(o.value, str))
                for o in (node.left, node.right))
            if not strings:
                yield node, "operator", _short(node), _short(_mutate(node, "operator", 0)), 0
        elif isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in _COMPARE:
                    yield node, "comparison", _short(node), _short(_mutate(node, "comparison", i)), i
        elif isinstance(node, ast.BoolOp):
            yield node, "and/or", _short(node), _short(_mutate(node, "and/or", 0)), 0
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
            yield node, "drop unary", _short(node), _short(node.operand), 0
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float, bool):
            yield node, "constant", _short(node), _short(_mutate(node, "constant", 0)), 0
        conditions = ([node.test] if isinstance(node, (ast.If, ast.While, ast.IfExp))
                      else node.ifs if isinstance(node, ast.comprehension) else [])
        for cond in conditions:
            if id(cond) not in skip:
                yield cond, "negate condition", _short(cond), _short(ast.UnaryOp(ast.Not(), cond)), 0
        if isinstance(node, _REMOVABLE) and id(node) in in_function:
            yield node, "remove statement", _short(node), "pass", 0


def _mutate(node: ast.AST, kind: str, index: int) -> ast.AST:
    """A mutated copy of an expression node (operator, comparison, and/or, constant)."""
    new = copy.deepcopy(node)
    if kind == "operator":
        new.op = _SWAP[type(node.op)]()
    elif kind == "comparison":
        new.ops[index] = _COMPARE[type(node.ops[index])]()
    elif kind == "and/or":
        new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind == "constant":
        v = node.value
        new.value = (not v) if isinstance(v, bool) else (v + 1 if isinstance(v, int) else (1.0 if v == 0 else v + 1.0))
    return new


def sites_of(source: str) -> list[Site]:
    """Every mutation site of ``source``, in source order, each with a key unique in the module."""
    tree = ast.parse(source)
    found = [Site(_span(node)[0], kind, orig, mut, _span(node), type(node).__name__, index)
             for node, kind, orig, mut, index in _candidates(tree)]
    found.sort(key=lambda s: (s.span, s.kind, s.index, s.mutated))
    seen: dict[tuple, int] = {}
    out = []
    for s in found:
        k = (s.line, s.original, s.mutated)
        seen[k] = seen.get(k, 0) + 1
        out.append(s if seen[k] == 1 else Site(s.line, s.kind, f"{s.original} #{seen[k]}", s.mutated,
                                               s.span, s.node_type, s.index))
    return out


def sample(sites: list[Site], n: int, seed: int, module: str) -> list[Site]:
    """``n`` sites drawn without replacement by a generator seeded with ``seed`` and the module's
    name (so adding a module does not change another's sample), in source order.

    >>> s = [Site(i, "constant", str(i), str(i + 1), (i, 0, i, 1), "Constant") for i in range(1, 50)]
    >>> [x.line for x in sample(s, 4, 1, "m")] == [x.line for x in sample(s, 4, 1, "m")]
    True
    """
    chosen = random.Random(f"{seed}/{module}").sample(range(len(sites)), min(n, len(sites)))
    return [sites[i] for i in sorted(chosen)]


def apply(source: str, site: Site) -> str:
    """``source`` with the one mutation ``site`` applied, as Python source."""
    tree = ast.parse(source)
    for parent in ast.walk(tree):
        for name, value in ast.iter_fields(parent):
            items = value if isinstance(value, list) else [value]
            for pos, node in enumerate(items):
                if not isinstance(node, ast.AST) or type(node).__name__ != site.node_type:
                    continue
                if not hasattr(node, "lineno") or _span(node) != site.span:
                    continue
                new = _replace(node, site)
                if new is None:
                    continue
                if isinstance(value, list):
                    value[pos] = new
                else:
                    setattr(parent, name, new)
                return ast.unparse(ast.fix_missing_locations(tree)) + "\n"
    raise LookupError(f"site {site} not found")


def _replace(node: ast.AST, site: Site) -> ast.AST | None:
    kind = site.kind
    if kind in ("operator", "comparison", "and/or", "constant"):
        return _mutate(node, kind, site.index)
    if kind == "drop unary":
        return node.operand
    if kind == "negate condition":
        return ast.UnaryOp(ast.Not(), node)
    if kind == "early return":
        at = 1 if _is_docstring(node.body[0], node.body) else 0
        node.body.insert(at, ast.Return(ast.Constant(None)))
        return node
    if kind == "remove statement":
        return ast.Pass()
    raise ValueError(f"unknown mutation kind {kind!r}")


# --------------------------------------------------------------------------- modules and tests


def module_files(names: list[str], missing_ok: bool = False) -> dict[str, Path]:
    """Module name -> file, a package standing for every module in it (``numerics`` -> all of them).

    >>> sorted(module_files(["numerics.kde", "derivations.no_such_module"], missing_ok=True))
    ['numerics.kde']
    """
    out: dict[str, Path] = {}
    for name in names:
        path = ROOT / Path(*name.split("."))
        if path.is_dir():
            for f in sorted(path.rglob("*.py")):
                mod = ".".join(f.relative_to(ROOT).with_suffix("").parts)
                if f.name != "__init__.py":
                    out[mod] = f
        elif path.with_suffix(".py").exists():
            out[name] = path.with_suffix(".py")
        elif missing_ok:
            print(f"note: no module or package {name!r} here; skipped", file=sys.stderr)
        else:
            raise SystemExit(f"error: no module or package {name!r} under {ROOT}")
    return out


def imported_modules(source: str) -> set[str]:
    """Dotted names a test file imports, counting ``from a.b import c`` as ``a.b`` and ``a.b.c``.

    >>> sorted(imported_modules("from numerics import kernels as K\\nimport numerics.mixtures\\n"))
    ['numerics', 'numerics.kernels', 'numerics.mixtures']
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def selected_test_files(module: str, tests_dir: Path | None = None, exclude: tuple[str, ...] = ()) -> list[str]:
    """Test files that import ``module``, or a package between it and its top-level package (a test
    of ``derivations.answercheck`` exercises ``derivations.answercheck.compare``), less the files
    named in ``exclude`` (file names such as ``test_warmup.py``: ``--exclude-tests``, for test files
    that fail on the unmutated code for reasons outside the module, so that the baseline passes).

    >>> "tests/test_chain.py" in selected_test_files("derivations.chain")
    True
    >>> "tests/test_chain.py" in selected_test_files("derivations.chain", exclude=("test_chain.py",))
    False
    """
    tests_dir = tests_dir or ROOT / "tests"
    parts = module.split(".")
    wanted = {".".join(parts[:i]) for i in range(2, len(parts) + 1)}
    files = [f for f in sorted(tests_dir.glob("test_*.py"))
             if f.name not in exclude and imported_modules(f.read_text()) & wanted]
    # files named for the module first: they are the likeliest to fail first under -x; the edge-case
    # files (test_*_edges.py, written against this runner's survivors) last, so that a mutant one of
    # them kills is one that every other selected test let survive
    return [str(f.relative_to(ROOT)) for f in sorted(files, key=lambda f: (f.stem.endswith("_edges"),
                                                                           parts[-1] not in f.stem))]


# --------------------------------------------------------------------------- running


@dataclass
class Outcome:
    outcome: str  # killed, timeout, survived, error
    seconds: float  # wall clock
    killed_by: str | None = None
    cpu_seconds: float = 0.0


_FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+)", re.M)


def run_tests(workdir: Path, files: list[str], cpu_limit: float | None = None,
              wall_limit: float | None = None) -> Outcome:
    """pytest on ``files`` in ``workdir`` (stop at the first failure); killed on any failure.

    The time limit is on CPU seconds (RLIMIT_CPU: the run is stopped by SIGXCPU), not on the wall
    clock, so that other work on the machine cannot turn a slow survivor into a "kill"; a looser
    wall-clock limit catches a mutant that hangs without computing (a deadlock).
    """
    env = dict(os.environ, HYPOTHESIS_PROFILE="ci", PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0",
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MPLBACKEND="Agg")
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header", "-rfE", *files]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        if cpu_limit is not None:
            resource.prlimit(proc.pid, resource.RLIMIT_CPU, (math.ceil(cpu_limit), math.ceil(cpu_limit) + 5))
        hung = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if wall_limit is not None and time.perf_counter() - t0 > wall_limit:
                os.killpg(proc.pid, signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
                hung = True
                break
            time.sleep(0.1)
        proc.returncode = code = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        log.seek(0)
        out = log.read()
    seconds, cpu = time.perf_counter() - t0, usage.ru_utime + usage.ru_stime
    if hung:
        return Outcome("timeout", seconds, f"wall-clock limit {wall_limit:.0f} s (hung)", cpu)
    if code == -signal.SIGXCPU:
        return Outcome("timeout", seconds, f"CPU time limit {cpu_limit:.0f} s", cpu)
    if code == 0:
        return Outcome("survived", seconds, None, cpu)
    if code in (1, 2):  # tests failed, or collection/import failed
        hit = _FAILED.search(out)
        return Outcome("killed", seconds, hit.group(1) if hit else out.strip().splitlines()[-1][:200], cpu)
    return Outcome("error", seconds, f"pytest exit {code}: {(out.strip().splitlines() or [''])[-1][:200]}", cpu)


def _copy_project(dest: Path) -> Path:
    ignore = shutil.ignore_patterns(".venv", ".git", ".hypothesis", "__pycache__", "build", ".pytest_cache",
                                    "*.egg-info", "results", "*.pdf", "*.png")
    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


def load_equivalents(path: Path = EQUIVALENTS) -> dict[tuple, tuple[str, bool]]:
    """(module, line, original, mutated) -> (argument, equivalent). An entry with
    ``"equivalent": false`` is a survivor left standing on purpose: it stays counted as survived
    and the report shows why it is not killed."""
    if not path.exists():
        return {}
    return {(e["module"], e["line"], e["original"], e["mutated"]): (e["argument"], e.get("equivalent", True))
            for e in json.loads(path.read_text())}


def _order(files: list[str], edges_first: bool) -> list[str]:
    """``--edges-first``: the edge-case files first (a faster run: most mutants fail in the first
    file), at the price of not telling which mutants only they kill."""
    return sorted(files, key=lambda f: not f.endswith("_edges.py")) if edges_first else files


def run(modules: dict[str, Path], n_sites: int, seed: int, workers: int, factor: float,
        exclude: tuple[str, ...] = (), only: dict[str, set] | None = None, deselect: tuple[str, ...] = (),
        edges_first: bool = False) -> dict:
    """Baseline, then every sampled mutant of every module, on ``workers`` private copies
    (with ``only``, module -> keys ``(line, original, mutated)``: only those of the sampled sites)."""
    tmp = Path(tempfile.mkdtemp(prefix="mutation-"))
    try:
        pool = queue.Queue()
        for i in range(workers):
            pool.put(_copy_project(tmp / f"w{i}"))
        # the copies, not the working tree, must be what the tests import
        probe = subprocess.run([sys.executable, "-c", "import numerics, derivations; print(numerics.__file__)"],
                               cwd=pool.queue[0], capture_output=True, text=True, check=True).stdout.strip()
        assert probe.startswith(str(tmp)), f"the copy imports {probe}, not itself"
        plan = {}
        for mod, path in modules.items():
            rel = str(path.relative_to(ROOT))
            source = path.read_text()
            all_sites = sites_of(source)
            plan[mod] = {"path": rel, "source": source, "sites_total": len(all_sites),
                         "sites": [x for x in sample(all_sites, n_sites, seed, mod)
                                   if only is None or x.key(mod)[1:] in only.get(mod, set())],
                         "tests": [rel] + _order(selected_test_files(mod, exclude=exclude), edges_first),
                         "excluded": sorted(set(exclude) & {Path(f).name for f in selected_test_files(mod)})}
            plan[mod]["deselected"] = [d for d in deselect if d.split("::")[0] in plan[mod]["tests"]]
            plan[mod]["edges_first"] = edges_first and len(plan[mod]["tests"]) > 2

        def with_copy(mod: str, site: Site | None) -> Outcome:
            work = pool.get()
            target = work / plan[mod]["path"]
            try:
                text = apply(plan[mod]["source"], site) if site else ast.unparse(ast.parse(plan[mod]["source"])) + "\n"
                try:
                    compile(text, str(target), "exec")
                except SyntaxError as exc:
                    return Outcome("error", 0.0, f"the mutant does not compile: {exc}")
                target.write_text(text)
                args = plan[mod]["tests"] + [a for d in plan[mod]["deselected"] for a in ("--deselect", d)]
                if site is None:
                    return run_tests(work, args)
                return run_tests(work, args, cpu_limit=factor * plan[mod]["baseline_cpu"] + 10,
                                 wall_limit=10 * plan[mod]["baseline_seconds"] + 60)
            finally:
                target.write_text(plan[mod]["source"])
                pool.put(work)

        with ThreadPoolExecutor(workers) as ex:
            base = dict(zip(plan, ex.map(lambda m: with_copy(m, None), plan)))
            for mod, b in base.items():
                plan[mod]["baseline_seconds"], plan[mod]["baseline_cpu"] = b.seconds, b.cpu_seconds
                plan[mod]["baseline"] = b.outcome
                print(f"{mod}: baseline {b.outcome} in {b.seconds:.1f} s, {b.cpu_seconds:.1f} s CPU "
                      + (f"(failed: {b.killed_by}) " if b.outcome != "survived" else "")
                      + f"({len(plan[mod]['tests'])} test files), "
                      f"{len(plan[mod]['sites'])} of {plan[mod]['sites_total']} sites", file=sys.stderr, flush=True)
            jobs = [(mod, s) for mod in plan if plan[mod]["baseline"] == "survived" for s in plan[mod]["sites"]]
            done = 0

            def one(job):
                nonlocal done
                result = with_copy(*job)
                done += 1
                print(f"[{done}/{len(jobs)}] {job[0]}:{job[1].line} {job[1].kind}: {result.outcome} "
                      f"({result.seconds:.1f} s) {result.killed_by or ''}", file=sys.stderr, flush=True)
                return result

            results = list(ex.map(one, jobs))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    by_module: dict[str, list] = {m: [] for m in plan}
    for (mod, site), res in zip(jobs, results):
        by_module[mod].append((site, res))
    return {"plan": plan, "results": by_module}


# --------------------------------------------------------------------------- report


def summarise(mod: str, entry: dict, results: list, previous: dict, merge: bool = False) -> dict:
    """The JSON record of one module's run: one row per mutant (counts: :func:`judge`). With
    ``merge`` (``--survivors-only``) the previous rows of the mutants not re-run are kept."""
    old = {(m["line"], m["original"], m["mutated"]): m for m in previous.get("mutants", [])}
    rerun = {site.key(mod)[1:] for site, _ in results}
    rows = [m for k, m in old.items() if k not in rerun] if merge else []
    for site, res in results:
        before = old.get(site.key(mod)[1:], {})
        rows.append({"line": site.line, "kind": site.kind, "original": site.original, "mutated": site.mutated,
                     "outcome": res.outcome, "killed_by": res.killed_by, "seconds": round(res.seconds, 1),
                     "cpu_seconds": round(res.cpu_seconds, 1),
                     "survived_before": before.get("outcome") in ("survived", "equivalent")
                     or before.get("survived_before", False)})
    rows.sort(key=lambda r: (r["line"], r["original"], r["mutated"]))
    return {"path": entry["path"], "sites_total": entry["sites_total"], "run": len(rows), "tests": entry["tests"],
            "baseline": "passed" if entry["baseline"] == "survived" else entry["baseline"],
            "baseline_seconds": round(entry["baseline_seconds"], 1),
            "baseline_cpu_seconds": round(entry["baseline_cpu"], 1), "excluded": entry.get("excluded", []),
            "edges_first": entry.get("edges_first", False),
            "deselected": entry.get("deselected", []),
            "mutants": rows}


def judge(mod: str, record: dict, equivalents: dict) -> dict:
    """``record`` with every survivor that ``equivalents`` argues marked ``equivalent`` (and one
    that it no longer argues marked ``survived`` again), its counts and its kill rate.

    >>> rec = {"mutants": [{"line": 3, "original": "1", "mutated": "2", "outcome": "survived"},
    ...                    {"line": 4, "original": "a", "mutated": "b", "outcome": "killed"}]}
    >>> r = judge("m", rec, {("m", 3, "1", "2"): ("same value", True)})
    >>> r["equivalent"], r["killed"], r["kill_rate"], r["mutants"][0]["argument"]
    (1, 1, 1.0, 'same value')
    >>> judge("m", rec, {("m", 3, "1", "2"): ("a free constant", False)})["kill_rate"]
    0.5
    """
    rows = []
    for row in record["mutants"]:
        argument, equivalent = equivalents.get((mod, row["line"], row["original"], row["mutated"]), (None, False))
        outcome = row["outcome"]
        if outcome in ("survived", "equivalent"):
            outcome = "equivalent" if argument and equivalent else "survived"
        rows.append(dict(row, outcome=outcome, argument=argument))
    count = {k: sum(r["outcome"] == k for r in rows) for k in ("killed", "timeout", "survived", "equivalent", "error")}
    judged = count["killed"] + count["timeout"] + count["survived"]
    return dict(record, **count, mutants=rows,
                kill_rate=(count["killed"] + count["timeout"]) / judged if judged else None)


def markdown(doc: dict) -> str:
    m = doc["meta"]
    lines = ["# Mutation testing", "",
             f"`python -m benchmarks.mutation` (`make mutation`): seed {m['seed']}, {m['sites']} sites sampled "
             f"per module, {m['workers']} workers, time limit {DEFAULT_FACTOR} x the CPU seconds of the "
             "module's unmutated run + 10 s unless the module's section says otherwise (CPU time, so that load "
             "from other work cannot fake a kill; a "
             "mutant that exceeds it, or hangs for 10 x the unmutated wall time + 60 s, counts as killed). "
             "Each mutant runs the test files that import its "
             "module and the module's own doctests, stopping at the first failure. Equivalent mutants are "
             "argued one by one in `benchmarks/mutation_equivalent.json` (which also says why a survivor left "
             "standing is not killed); the kill rate is over the non-equivalent ones.", "",
             "| module | sites | run | killed | timeout | survived | equivalent | kill rate | run on |",
             "|---|---|---|---|---|---|---|---|---|"]
    stale = []
    for mod, r in doc["modules"].items():
        rate = "-" if r["kill_rate"] is None else f"{100 * r['kill_rate']:.0f}%"
        current = is_current(mod, r)
        stale += [] if current else [mod]
        lines.append(f"| {mod} | {r['sites_total']} | {r['run']} | {r['killed']} | {r['timeout']} | {r['survived']} "
                     f"| {r['equivalent']} | {rate} | {r['date']}{'' if current else ' (earlier code)'} |")
    if stale:
        lines += ["", f"Run on an earlier version of the module (its sampled sites have changed since, so the rows "
                      f"below are of that version and a new run draws new sites): {', '.join(stale)}."]
    lines += ["", *by_area(doc["modules"])]
    if doc.get("history"):
        lines += ["", "Runs so far (survivors before equivalents are subtracted; a later run re-runs the same "
                  "sites after tests were added):", ""]
        for h in doc["history"]:
            mods = ", ".join(h["modules"]) if len(h["modules"]) <= 4 else f"{len(h['modules'])} modules"
            lines.append(f"- {h['date']}: {mods}: {h['mutants']} mutants, {h['killed'] + h['timeout']} killed, "
                         f"{h['survived']} survived, {h['error']} errors ({h['wall_seconds'] / 60:.0f} min)"
                         + (f"; {h['note']}" if h.get("note") else ""))
    for mod, r in doc["modules"].items():
        lines += ["", f"## {mod}", "",
                  f"Tests: {', '.join(r['tests'])} (unmutated: {'passed' if r['baseline'] == 'survived' else r['baseline']}, {r['baseline_seconds']} s, "
                  f"{r.get('baseline_cpu_seconds', '?')} s CPU)."
                  + (f" Time limit {r['timeout_factor']} x the unmutated CPU seconds + 10 s."
                     if r.get("timeout_factor", DEFAULT_FACTOR) != DEFAULT_FACTOR else "")
                  + (f" Left out of this run (`--exclude-tests`; they fail on the unmutated code for reasons "
                     f"outside this module): {', '.join(r['excluded'])}." if r.get("excluded") else "")
                  + (f" Deselected (`--deselect`; failing on the unmutated code for reasons outside this module): "
                     f"{', '.join(r['deselected'])}." if r.get("deselected") else ""), "",
                  "| line | mutation | outcome | killed by / why equivalent |", "|---|---|---|---|"]
        edges = 0 if r.get("edges_first") else sum(_by_edges(x) for x in r["mutants"])
        if r.get("edges_first"):
            lines[-2:-2] = ["The edge-case files (test_*_edges.py) ran first in this run (`--edges-first`, for "
                            "speed), so a kill by one of them does not say whether the other tests let the mutant "
                            "survive.", ""]
        if edges:
            lines[-2:-2] = [f"Without the edge-case files (test_*_edges.py, run last): {r['killed'] + r['timeout'] - edges} "
                            f"killed, {r['survived'] + r['equivalent'] + edges} survived; the edge-case files kill "
                            f"{edges} more.", ""]
        for x in r["mutants"]:
            change = f"`{_cell(x['original'])}` -> `{_cell(x['mutated'])}`"
            if x["outcome"] == "equivalent":
                why = x["argument"]
            elif x["outcome"] == "survived":
                why = f"not killed: {x['argument']}" if x.get("argument") else ""
            else:
                why = x["killed_by"] or ""
            if x["survived_before"] and x["outcome"] in ("killed", "timeout"):
                why = f"(survived an earlier run) {why}"
            elif _by_edges(x) and not r.get("edges_first"):
                why = f"(survived every other test) {why}"
            lines.append(f"| {x['line']} | {x['kind']}: {change} | {x['outcome'].upper() if x['outcome'] == 'survived' else x['outcome']} | {_cell(why, 2000)} |")
    return "\n".join(lines) + "\n"


def is_current(mod: str, record: dict) -> bool:
    """Are the module's recorded mutants the ones its current code would sample?"""
    try:
        path = module_files([mod])[mod]
    except (KeyError, SystemExit, ValueError):
        return False
    now = {s.key(mod)[1:] for s in sample(sites_of(path.read_text()), record.get("sites", SITES_PER_MODULE),
                                        record.get("seed", SEED), mod)}
    return now == {(m["line"], m["original"], m["mutated"]) for m in record["mutants"]}


AREAS = (("numerics", "numerics/ (the numeric kernels)"),
         ("derivations.answercheck", "derivations/answercheck/ (the answer reader and verify)"),
         ("derivations.notation", "derivations/notation/ (the printers)"),
         ("derivations", "derivations/ chain, points, links, runner (the proof machinery)"))


def by_area(modules: dict) -> list[str]:
    """Kill rates summed over each area of the code and over all of it.

    >>> rows = by_area({"numerics.kde": {"killed": 19, "timeout": 0, "survived": 1, "equivalent": 2},
    ...                 "derivations.chain": {"killed": 18, "timeout": 1, "survived": 0, "equivalent": 1}})
    >>> rows[2], rows[-1]
    ('| numerics/ (the numeric kernels) | 1 | 19 of 20 (95.0%) | 2 |', '| all | 2 | 38 of 39 (97.4%) | 3 |')
    """
    def row(name, recs):
        killed = sum(r["killed"] + r["timeout"] for r in recs)
        judged = killed + sum(r["survived"] for r in recs)
        rate = f"{100 * killed / judged:.1f}%" if judged else "-"
        return f"| {name} | {len(recs)} | {killed} of {judged} ({rate}) | {sum(r['equivalent'] for r in recs)} |"

    out = ["| area | modules | non-equivalent mutants killed | equivalent |", "|---|---|---|---|"]
    taken = set()
    for prefix, name in AREAS:
        recs = [(m, r) for m, r in modules.items() if m.startswith(prefix + ".") and m not in taken]
        taken |= {m for m, _ in recs}
        if recs:
            out.append(row(name, [r for _, r in recs]))
    return out + [row("all", list(modules.values()))]


def _by_edges(row: dict) -> bool:
    """Killed by an edge-case file (test_*_edges.py), which runs last: every other test passed."""
    return row["outcome"] == "killed" and "_edges.py" in (row.get("killed_by") or "")


def _cell(text: str, width: int = 70) -> str:
    text = text.replace("|", "\\|").replace("`", "'")
    return text if len(text) <= width else text[: width - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.mutation", description=__doc__.split("\n\n")[0])
    ap.add_argument("--modules", nargs="+", default=None,
                    help=f"modules or packages (dotted), default: {' '.join(DEFAULT_MODULES)}")
    ap.add_argument("--sites", type=int, default=SITES_PER_MODULE, help="sites sampled per module")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout-factor", type=float, default=DEFAULT_FACTOR)
    ap.add_argument("--exclude-tests", nargs="+", default=[], metavar="FILE",
                    help="test files (names such as test_warmup.py) left out of every module's selection: for "
                         "files that fail on the unmutated code for reasons outside the module (the results "
                         "file lists them per module)")
    ap.add_argument("--deselect", nargs="+", default=[], metavar="NODEID",
                    help="single tests (pytest node ids) left out, like --exclude-tests but finer")
    ap.add_argument("--edges-first", action="store_true",
                    help="run the edge-case test files (test_*_edges.py) first instead of last: faster, but the "
                         "report cannot tell which mutants only they kill")
    ap.add_argument("--survivors-only", action="store_true",
                    help="re-run only the sampled mutants that survived the module's last recorded run (not those argued equivalent) "
                         "(after tests were added), keeping the other rows of that run")
    ap.add_argument("--list", action="store_true", help="print the sampled sites and their tests, run nothing")
    ap.add_argument("--report", action="store_true",
                    help="run nothing: rewrite mutation.md from mutation.json with the current equivalents file")
    args = ap.parse_args(argv)
    json_path = RESULTS / "mutation.json"
    if args.report:
        doc = json.loads(json_path.read_text())
        _write(json_path, doc)
        return 0
    modules = module_files(args.modules or list(DEFAULT_MODULES), missing_ok=args.modules is None)
    if args.list:
        for mod, path in modules.items():
            sites = sample(sites_of(path.read_text()), args.sites, args.seed, mod)
            print(f"{mod}: {len(sites)} sites; tests {selected_test_files(mod, exclude=tuple(args.exclude_tests))}")
            for s in sites:
                print(f"  {s.line}: {s.kind}: {s.original} -> {s.mutated}")
        return 0
    start = time.time()
    info = machine()
    doc = json.loads(json_path.read_text()) if json_path.exists() else {"modules": {}}
    only = None
    if args.survivors_only:
        only = {mod: {(m["line"], m["original"], m["mutated"]) for m in doc["modules"].get(mod, {}).get("mutants", [])
                      if m["outcome"] in ("survived", "error")} for mod in modules}
        modules = {mod: path for mod, path in modules.items() if only[mod]}  # no baseline where nothing is re-run
    out = run(modules, args.sites, args.seed, args.workers, args.timeout_factor, tuple(args.exclude_tests), only,
              tuple(args.deselect), args.edges_first)
    date = time.strftime("%Y-%m-%d", time.localtime(start))
    for mod in out["plan"]:
        record = summarise(mod, out["plan"][mod], out["results"][mod], doc["modules"].get(mod, {}),
                           merge=args.survivors_only)
        before = doc["modules"].get(mod, {}).get("timeout_factor", DEFAULT_FACTOR) if args.survivors_only else None
        doc["modules"][mod] = dict(record, date=date, seed=args.seed, sites=args.sites,
                                   timeout_factor=args.timeout_factor if before is None else before)
    doc["meta"] = {"seed": args.seed, "sites": args.sites, "workers": args.workers,
                   "timeout_factor": args.timeout_factor, "machine": dict(info, load_1min_at_end=load()),
                   "wall_seconds": round(time.time() - start)}
    tally = {k: sum(r.outcome == k for rs in out["results"].values() for _, r in rs)
             for k in ("killed", "timeout", "survived", "error")}
    doc.setdefault("history", []).append({"date": date, "modules": list(out["plan"]), "mutants": sum(tally.values()),
                                          **tally, "wall_seconds": doc["meta"]["wall_seconds"]})
    notes = (["only the survivors of the last run (--survivors-only)"] if args.survivors_only else []) + (
        [f"without {', '.join(args.exclude_tests)} (--exclude-tests)"] if args.exclude_tests else []) + (
        [f"without {', '.join(args.deselect)} (--deselect)"] if args.deselect else []) + (
        ["edge-case files first (--edges-first)"] if args.edges_first else [])
    if notes:
        doc["history"][-1]["note"] = "; ".join(notes)
    _write(json_path, doc)
    return 0


def _write(json_path: Path, doc: dict) -> None:
    """Judge every module against the equivalents file, then write the JSON and the Markdown
    (each atomically: a temporary file renamed into place)."""
    equivalents = load_equivalents()
    doc["modules"] = {mod: judge(mod, rec, equivalents) for mod, rec in sorted(doc["modules"].items())}
    atomic_write(json_path, json.dumps(doc, indent=1) + "\n")
    text = markdown(doc)
    atomic_write(RESULTS / "mutation.md", text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
