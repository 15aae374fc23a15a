"""Where SymPy cannot decide ``lhs = rhs``, evaluate both sides at random points.

Both sides are evaluated with 50-digit arithmetic at points that Hypothesis draws from the symbols'
domains (:func:`symbol_strategy`: across signs and six decades, because a sign error hides on
[0.1, 2]) and compared with an absolute and a relative tolerance together. A disagreement is shrunk
by Hypothesis towards simple values. Agreement is evidence, never proof: the result is ``checked``.

>>> import sympy as sp
>>> x = sp.Symbol("x", positive=True)
>>> agreed = at_points(sp.gamma(x + 1), x * sp.gamma(x), "=")
>>> agreed.status.value, agreed.agreed >= MIN_VALID_POINTS
('checked', True)
>>> wrong = at_points(sp.gamma(x + 1), sp.gamma(x), "=")
>>> wrong.status.value, list(wrong.counterexample), wrong.values[0] != wrong.values[1]
('failed', ['x'], True)
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import mpmath
import sympy as sp

from derivations.status import Status
from derivations.zero import entries

DPS = 50
RTOL = 1e-9
ATOL = 1e-12
MIN_VALID_POINTS = 20


@dataclass(frozen=True)
class PointsResult:
    """The outcome of a random-point comparison.

    ``agreed`` counts the points where both sides were finite and agreed; ``counterexample`` is the
    shrunk point where they disagree and ``values`` the two sides' values there.
    """

    status: Status
    agreed: int
    counterexample: dict | None = None
    values: tuple[str, str] | None = None

    @property
    def method(self) -> str:
        """One line saying what the points showed."""
        if self.counterexample is not None:
            return "numeric: counterexample found"
        if self.status is Status.FAILED:
            return f"numeric: only {self.agreed} of the drawn points could be evaluated"
        return f"numeric: agreed at {self.agreed} random points (rtol {RTOL:g})"


def symbol_strategy(sym: sp.Symbol, domain: sp.Interval | None = None):
    """A Hypothesis strategy for values of ``sym`` that respects its domain or assumptions.

    Values spread across signs and six decades, because a sign error hides on [0.1, 2].
    (Hypothesis is imported here, not at module level: a symbolic proof never pays for it.)
    """
    from hypothesis import strategies as st

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
    from hypothesis import strategies as st

    lo, hi = domain.start, domain.end
    if integer:
        low = int(sp.ceiling(lo)) if lo.is_finite else -6
        high = int(sp.floor(hi)) if hi.is_finite else low + 8
        low += int(bool(domain.left_open) and bool(lo.is_integer))
        high -= int(bool(domain.right_open) and bool(hi.is_integer))
        return st.integers(low, high)
    low = float(lo) if lo.is_finite else -1e3
    high = float(hi) if hi.is_finite else 1e3
    return st.floats(low, high, exclude_min=bool(domain.left_open), exclude_max=bool(domain.right_open),
                     allow_nan=False, allow_infinity=False)


def evaluator(syms: Sequence[sp.Symbol], expr: Any) -> Callable[[dict], list]:
    """Evaluate the entries of ``expr`` at a point with 50-digit arithmetic."""
    parts = [e.doit() for e in entries(expr)]
    try:
        fns = [sp.lambdify(syms, e, modules="mpmath") for e in parts]
    except Exception:  # noqa: BLE001 - lambdify cannot print some objects; evalf can
        fns = None

    def evaluate(point: dict) -> list:
        values = [point[s] for s in syms]
        with mpmath.workdps(DPS):
            if fns is not None:
                try:
                    return [mpmath.mpmathify(f(*[_mp(v) for v in values])) for f in fns]
                except (TypeError, AttributeError, NameError):
                    pass
            subs = {s: sp.Float(v, DPS) if not isinstance(v, int) else v for s, v in point.items()}
            return [_mp_number(e.subs(subs).evalf(DPS)) for e in parts]

    return evaluate


def _mp(v):
    return v if isinstance(v, int) else mpmath.mpf(v)


def _mp_number(z) -> mpmath.mpc:
    """A SymPy number as an mpmath complex at its full precision (``complex()`` would round it to
    a double); a non-finite part becomes NaN, anything that is not a number a TypeError.

    >>> import sympy as sp
    >>> with mpmath.workdps(30):
    ...     print(mpmath.nstr(_mp_number(sp.Rational(1, 3).evalf(30) + 2 * sp.I), 20))
    (0.33333333333333333333 + 2.0j)
    """
    def part(t):
        if t.is_Number and t.is_finite:
            return mpmath.mpf(sp.Float(t, DPS)._mpf_)
        if t.is_Number:
            return mpmath.nan
        raise TypeError(f"not a number at this point: {t}")

    re, im = z.as_real_imag()
    return mpmath.mpc(part(re), part(im))


def close(a, b) -> bool:
    """``|a - b| <= ATOL + RTOL max(|a|, |b|)``."""
    return abs(a - b) <= ATOL + RTOL * max(abs(a), abs(b))


def holds(relation: str, a, b) -> bool:
    """Does ``a relation b`` hold for two numbers, within the tolerances?"""
    if relation == "=":
        return close(a, b)
    if mpmath.im(a) != 0 or mpmath.im(b) != 0:
        return False
    a, b = mpmath.re(a), mpmath.re(b)
    tol = ATOL + RTOL * max(abs(a), abs(b))
    return a <= b + tol if relation == "<=" else a + tol >= b


def _finite(values) -> bool:
    return all(mpmath.isfinite(v) for v in values)


def free_symbols(expr: Any) -> set:
    """The free symbols of an expression or of every entry of a matrix."""
    return set().union(*(e.free_symbols for e in entries(expr))) if not (
        isinstance(expr, sp.MatrixBase) and not expr) else set()


def at_points(lhs: Any, rhs: Any, relation: str, *, domains=None, seed: int = 0,
              max_examples: int = 60) -> PointsResult:
    """Search for a point where ``lhs relation rhs`` fails; a :class:`PointsResult`."""
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import NoSuchExample, Unsatisfiable

    domains = dict(domains or {})
    free = sorted(free_symbols(lhs) | free_symbols(rhs), key=lambda s: s.name)
    strategy = st.fixed_dictionaries({s: symbol_strategy(s, domains.get(s)) for s in free})
    try:
        f_lhs, f_rhs = evaluator(free, lhs), evaluator(free, rhs)
    except (ValueError, TypeError, NotImplementedError):
        # an object that cannot be written out at a point (an expectation over a vector of symbolic
        # dimension): nothing can be shown numerically, which is a failure, not a crash
        return PointsResult(Status.FAILED, 0)
    valid = 0

    def is_counterexample(point) -> bool:
        nonlocal valid
        try:
            a, b = f_lhs(point), f_rhs(point)
        except (ZeroDivisionError, ValueError, OverflowError, TypeError):
            return False
        if not (_finite(a) and _finite(b)):
            return False
        valid += 1
        return not all(holds(relation, x, y) for x, y in zip(a, b))

    cfg = settings(max_examples=max_examples, database=None, deadline=None,
                   phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
    try:
        bad = find(strategy, is_counterexample, settings=cfg, random=random.Random(seed))
    except (NoSuchExample, Unsatisfiable):
        status = Status.CHECKED if valid >= MIN_VALID_POINTS else Status.FAILED
        return PointsResult(status, valid)
    counterexample = {str(k): _plain(v) for k, v in bad.items()}
    return PointsResult(Status.FAILED, valid, counterexample, (show(f_lhs(bad)), show(f_rhs(bad))))


def _plain(v):
    return v if isinstance(v, (int, float)) else float(v)


def show(values) -> str:
    """Values at a point, to 10 significant digits (a list for a matrix)."""
    parts = [mpmath.nstr(v, 10) for v in values]  # rounds the stored value: the working precision plays no part
    return parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
