"""Derivation chains: ``e0 = e1 = e2 <= e3 ...``, every step with its reason, every step verified.

A step is *proved* when SymPy shows that the difference of its two sides is zero (or, for an
inequality, non-negative) after a targeted simplification. When SymPy cannot decide, both sides are
evaluated with 50-digit arithmetic at points that Hypothesis draws from the symbols' domains, and
the step is only *checked*. A step that disagrees somewhere is *failed*, and Hypothesis shrinks the
counterexample towards simple values.

>>> import sympy as sp
>>> a, b = sp.symbols("a b", positive=True)
>>> c = derive("square of a sum", (a + b)**2,
...            (a**2 + 2*a*b + b**2, "expand the square"))
>>> c.verify().verdict.value
'proved'
>>> bad = derive("a wrong expansion", (a + b)**2, (a**2 + b**2, "forgot the cross term"))
>>> r = bad.verify()
>>> r.verdict.value, r.first_failure.reason
('failed', 'forgot the cross term')
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import mpmath
import sympy as sp
from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample, Unsatisfiable

RELATIONS = ("=", "<=", ">=")
_DPS = 50
_RTOL = 1e-9
_ATOL = 1e-12
_MIN_VALID_POINTS = 20


class Verdict(str, enum.Enum):
    """How a step or chain was verified."""

    PROVED = "proved"  # SymPy decided it
    CHECKED = "checked"  # agreed at random points, SymPy could not decide
    FAILED = "failed"  # disagreed, or could not be evaluated


Simplifier = Callable[[sp.Expr], sp.Expr]


@dataclass(frozen=True)
class Step:
    """One link ``previous <relation> expr`` of a chain, with the reason it holds.

    ``simplify`` is an optional targeted simplification tried first on the difference of the two
    sides (for example :func:`sympy.expand_log` with ``force=True`` for a log identity).
    ``numeric_only`` marks a step SymPy is known not to decide, so it goes straight to points.
    """

    expr: Any
    reason: str
    relation: str = "="
    simplify: Simplifier | None = None
    numeric_only: bool = False

    def __post_init__(self) -> None:
        if self.relation not in RELATIONS:
            raise ValueError(f"relation {self.relation!r} is not one of {RELATIONS}")


@dataclass(frozen=True)
class Chain:
    """A derivation ``start = steps[0].expr = steps[1].expr ...``.

    ``domains`` maps a symbol to the :class:`sympy.Interval` its random points are drawn from;
    symbols without an entry are drawn according to their assumptions. ``points`` may supply a
    Hypothesis strategy of extra substitutions (for example values of indexed data points).
    """

    title: str
    start: Any
    steps: tuple[Step, ...]
    domains: Mapping[sp.Symbol, sp.Interval] = field(default_factory=dict)
    points: Any = None

    @property
    def end(self) -> Any:
        """The last expression: the conclusion of the chain."""
        return self.steps[-1].expr if self.steps else self.start

    def pairs(self):
        """Yield ``(lhs, step)`` for every link."""
        lhs = self.start
        for step in self.steps:
            yield lhs, step
            lhs = step.expr

    def verify(self, *, seed: int = 0, max_examples: int = 60) -> "ChainResult":
        """Verify every step, in order, and collect the results."""
        results = [
            verify_step(lhs, step, index=i, domains=self.domains, points=self.points,
                        seed=seed + i, max_examples=max_examples)
            for i, (lhs, step) in enumerate(self.pairs(), start=1)
        ]
        return ChainResult(self, tuple(results))


def derive(title: str, start: Any, *steps: Step | tuple, domains=None, points=None) -> Chain:
    """Build a :class:`Chain` from ``(expr, reason)`` or ``(expr, reason, relation)`` tuples."""
    built = tuple(s if isinstance(s, Step) else Step(*s) for s in steps)
    return Chain(title, start, built, dict(domains or {}), points)


@dataclass(frozen=True)
class StepResult:
    """The verdict on one step, with how it was reached and a counterexample if it failed."""

    index: int
    reason: str
    relation: str
    lhs: Any
    rhs: Any
    verdict: Verdict
    method: str
    counterexample: dict[str, float] | None = None
    values: tuple[str, str] | None = None

    def to_json(self) -> dict:
        return {
            "index": self.index,
            "reason": self.reason,
            "relation": self.relation,
            "lhs": sp.sstr(self.lhs),
            "rhs": sp.sstr(self.rhs),
            "verdict": self.verdict.value,
            "method": self.method,
            "counterexample": self.counterexample,
            "values": list(self.values) if self.values else None,
        }


@dataclass(frozen=True)
class ChainResult:
    """The verdicts on every step of one chain."""

    chain: Chain
    steps: tuple[StepResult, ...]

    @property
    def verdict(self) -> Verdict:
        if any(s.verdict is Verdict.FAILED for s in self.steps):
            return Verdict.FAILED
        if any(s.verdict is Verdict.CHECKED for s in self.steps):
            return Verdict.CHECKED
        return Verdict.PROVED

    @property
    def first_failure(self) -> StepResult | None:
        return next((s for s in self.steps if s.verdict is Verdict.FAILED), None)

    def to_json(self) -> dict:
        return {
            "title": self.chain.title,
            "verdict": self.verdict.value,
            "steps": [s.to_json() for s in self.steps],
        }


# --------------------------------------------------------------------------- symbolic decision


def _entries(expr: Any) -> list[sp.Expr]:
    """A matrix as the list of its entries; a scalar as a one-element list."""
    if isinstance(expr, sp.MatrixBase):
        return list(expr)
    return [sp.sympify(expr)]


def _simplified_forms(diff: sp.Expr, hint: Simplifier | None):
    """Successively stronger targeted simplifications of ``diff``, lazily, each with its name.

    The cheap forms come first; ``doit`` (which may integrate) only when they did not decide.
    A simplification that raises inside SymPy (nested sums can) is skipped, not fatal.
    """
    evaluated: list = []

    def doit():
        if not evaluated:
            try:
                evaluated.append(diff.doit())
            except Exception:  # noqa: BLE001 - an unevaluable object stays as written
                evaluated.append(diff)
        return evaluated[0]

    stages = [("as written", lambda: diff)]
    if hint is not None:
        stages.append(("given hint", lambda: hint(diff)))
    stages += [
        ("doit", doit),
        ("expand", lambda: sp.expand(doit())),
        ("cancel", lambda: sp.cancel(sp.together(doit()))),
        ("powsimp", lambda: sp.expand(sp.powsimp(sp.expand_power_base(doit(), force=False)))),
        ("simplify", lambda: sp.simplify(doit())),
    ]
    for name, make in stages:
        try:
            yield name, make()
        except Exception:  # noqa: BLE001 - SymPy internals (StopIteration, RecursionError, ...)
            continue


def _decide_zero(diff: sp.Expr, hint: Simplifier | None) -> str | None:
    """Name of the simplification that reduced ``diff`` to 0, or None."""
    for name, form in _simplified_forms(diff, hint):
        if form == 0 or (form.is_zero is True):
            return name
    return None


def _decide_nonnegative(diff: sp.Expr, hint: Simplifier | None) -> str | None:
    """Name of the simplification after which ``diff`` is known to be >= 0, or None."""
    for name, form in _simplified_forms(diff, hint):
        if form.is_nonnegative is True:
            return name
    return None


def _symbolic(lhs: Any, rhs: Any, step: Step) -> str | None:
    """Try to prove ``lhs relation rhs`` symbolically; return the method or None."""
    if step.numeric_only:
        return None
    if isinstance(lhs, sp.MatrixBase) != isinstance(rhs, sp.MatrixBase):
        return None
    if isinstance(lhs, sp.MatrixBase) and lhs.shape != rhs.shape:
        return None
    methods = []
    for a, b in zip(_entries(lhs), _entries(rhs)):
        if step.relation == "=":
            m = _decide_zero(a - b, step.simplify)
        elif step.relation == "<=":
            m = _decide_nonnegative(b - a, step.simplify)
        else:
            m = _decide_nonnegative(a - b, step.simplify)
        if m is None:
            return None
        methods.append(m)
    return "symbolic (" + ", ".join(sorted(set(methods))) + ")"


# --------------------------------------------------------------------------- numeric fallback


def symbol_strategy(sym: sp.Symbol, domain: sp.Interval | None = None):
    """A Hypothesis strategy for values of ``sym`` that respects its domain or assumptions.

    Values spread across signs and six decades, because a sign error hides on [0.1, 2].
    """
    if domain is not None:
        return _interval_strategy(domain, integer=bool(sym.is_integer))
    if sym.is_integer:
        lo = 1 if sym.is_positive else (0 if sym.is_nonnegative else -6)
        return st.integers(lo, 8)
    magnitude = st.floats(-3.0, 3.0).map(lambda e: 10.0**e)
    simple = st.sampled_from([1.0, 2.0, 0.5, 3.0])
    positive = st.one_of(simple, magnitude)
    if sym.is_positive:
        return positive
    if sym.is_nonnegative:
        return st.one_of(st.just(0.0), positive)
    return st.one_of(st.just(0.0), positive, positive.map(lambda v: -v))


def _interval_strategy(domain: sp.Interval, *, integer: bool):
    lo, hi = domain.start, domain.end
    if integer:
        low = int(sp.ceiling(lo)) if lo.is_finite else -6
        high = int(sp.floor(hi)) if hi.is_finite else low + 8
        low += int(domain.left_open and lo.is_integer)
        high -= int(domain.right_open and hi.is_integer)
        return st.integers(low, high)
    low = float(lo) if lo.is_finite else -1e3
    high = float(hi) if hi.is_finite else 1e3
    return st.floats(low, high, exclude_min=bool(domain.left_open), exclude_max=bool(domain.right_open),
                     allow_nan=False, allow_infinity=False)


def _evaluator(syms: Sequence[sp.Symbol], expr: Any) -> Callable[[dict], list]:
    """Evaluate the entries of ``expr`` at a point with 50-digit arithmetic."""
    entries = [e.doit() for e in _entries(expr)]
    try:
        fns = [sp.lambdify(syms, e, modules="mpmath") for e in entries]
    except Exception:  # lambdify cannot print some objects; fall back to evalf
        fns = None

    def evaluate(point: dict) -> list:
        values = [point[s] for s in syms]
        with mpmath.workdps(_DPS):
            if fns is not None:
                try:
                    return [mpmath.mpmathify(f(*[_mp(v) for v in values])) for f in fns]
                except (TypeError, AttributeError, NameError):
                    pass
            subs = {s: sp.Float(v, _DPS) if not isinstance(v, int) else v for s, v in point.items()}
            return [mpmath.mpmathify(complex(e.subs(subs).evalf(_DPS))) for e in entries]

    return evaluate


def _mp(v):
    return v if isinstance(v, int) else mpmath.mpf(v)


def _close(a, b) -> bool:
    return abs(a - b) <= _ATOL + _RTOL * max(abs(a), abs(b))


def _holds(relation: str, a, b) -> bool:
    if relation == "=":
        return _close(a, b)
    if mpmath.im(a) != 0 or mpmath.im(b) != 0:
        return False
    a, b = mpmath.re(a), mpmath.re(b)
    tol = _ATOL + _RTOL * max(abs(a), abs(b))
    return a <= b + tol if relation == "<=" else a + tol >= b


def _finite(values) -> bool:
    return all(mpmath.isfinite(v) for v in values)


def numeric_check(lhs: Any, rhs: Any, relation: str, *, domains=None, points=None, seed: int = 0,
                  max_examples: int = 60):
    """Search for a point where ``lhs relation rhs`` fails.

    Returns ``(verdict, method, counterexample, values)``; the counterexample is shrunk.
    """
    domains = dict(domains or {})
    free = sorted(_free_symbols(lhs) | _free_symbols(rhs), key=lambda s: s.name)
    strategy = st.fixed_dictionaries({s: symbol_strategy(s, domains.get(s)) for s in free})
    if points is not None:
        strategy = st.tuples(strategy, points).map(lambda t: {**t[0], **t[1]})
        free = None  # the extra strategy decides which symbols get values
    valid = 0

    def evaluate_pair(point):
        syms = sorted(point, key=lambda s: str(s))
        return _evaluator(syms, lhs)(point), _evaluator(syms, rhs)(point)

    if free is not None:
        f_lhs, f_rhs = _evaluator(free, lhs), _evaluator(free, rhs)

        def evaluate_pair(point):  # noqa: F811 - faster path with a fixed symbol list
            return f_lhs(point), f_rhs(point)

    def is_counterexample(point) -> bool:
        nonlocal valid
        try:
            a, b = evaluate_pair(point)
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            return False
        if not (_finite(a) and _finite(b)):
            return False
        valid += 1
        return not all(_holds(relation, x, y) for x, y in zip(a, b))

    cfg = settings(max_examples=max_examples, database=None, deadline=None,
                   phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
    try:
        bad = find(strategy, is_counterexample, settings=cfg, random=random.Random(seed))
    except (NoSuchExample, Unsatisfiable):
        if valid < _MIN_VALID_POINTS:
            return Verdict.FAILED, f"numeric: only {valid} of the drawn points could be evaluated", None, None
        return Verdict.CHECKED, f"numeric: agreed at {valid} random points (rtol {_RTOL:g})", None, None
    a, b = evaluate_pair(bad)
    counterexample = {str(k): _plain(v) for k, v in bad.items()}
    shown = (_show(a), _show(b))
    return Verdict.FAILED, "numeric: counterexample found", counterexample, shown


def _plain(v):
    return v if isinstance(v, (int, float)) else float(v)


def _show(values) -> str:
    with mpmath.workdps(12):
        parts = [mpmath.nstr(v, 10) for v in values]
    return parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"


def _free_symbols(expr: Any) -> set:
    if isinstance(expr, sp.MatrixBase):
        return set().union(*(sp.sympify(e).free_symbols for e in expr)) if expr else set()
    return set(sp.sympify(expr).free_symbols)


def verify_step(lhs: Any, step: Step, *, index: int, domains=None, points=None, seed: int = 0,
                max_examples: int = 60) -> StepResult:
    """Verify one link: symbolically if SymPy can decide, else numerically."""
    method = _symbolic(lhs, step.expr, step)
    if method is not None:
        return StepResult(index, step.reason, step.relation, lhs, step.expr, Verdict.PROVED, method)
    verdict, method, cex, values = numeric_check(
        lhs, step.expr, step.relation, domains=domains, points=points, seed=seed,
        max_examples=max_examples)
    return StepResult(index, step.reason, step.relation, lhs, step.expr, verdict, method, cex, values)

