"""The dependency rules of the README's layout: numerics is free of SymPy and of derivations, and no
two modules of the project import each other, directly or through others (imports inside functions
count: a deferred import is still a circle)."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import numerics

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("derivations", "numerics")


def test_numerics_imports_neither_sympy_nor_derivations():
    names = [f"numerics.{m.name}" for m in pkgutil.iter_modules(numerics.__path__)]
    code = ("import sys\n" + "".join(f"import {n}\n" for n in names)
            + "bad = [m for m in sys.modules if m.split('.')[0] in ('sympy', 'derivations')]\n"
            + "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "", f"numerics pulled in: {out.strip()}"


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def _imported(node: ast.AST, module: str, known: dict) -> set[str]:
    """Project modules an import statement names (``from a import b`` is a.b when b is a module)."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name in known}
    if not isinstance(node, ast.ImportFrom):
        return set()
    if node.level:
        base = module.split(".")[: len(module.split(".")) - node.level + (1 if known[module].name == "__init__.py" else 0)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    submodules = {f"{source}.{a.name}" for a in node.names if f"{source}.{a.name}" in known}
    names_only_submodules = len(submodules) == len(node.names)  # from pkg import mod: pkg is a parent
    return submodules | ({source} if source in known and not names_only_submodules else set())


def import_graph() -> dict[str, set[str]]:
    known = _modules()
    graph = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(), str(path))
        graph[name] = set().union(*(_imported(n, name, known) for n in ast.walk(tree))) - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    assert "derivations.answercheck.command" in graph and "derivations.homeworks" in graph["derivations.answercheck.command"]


def test_no_module_imports_itself_through_others():
    assert cycles(import_graph()) == []


def test_cycle_finder_finds_a_planted_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
