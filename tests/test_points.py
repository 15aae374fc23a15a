"""The random points of derivations.points: each symbol's values respect its assumptions or domain
and reach the edges a sign or boundary error hides behind (issue 18's surviving mutants)."""

import pytest
import sympy as sp
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

import mpmath

from derivations import points
from derivations.points import RTOL, PointsResult, at_points, holds, symbol_strategy
from derivations.status import Status


def _can_draw(strategy, predicate) -> bool:
    try:
        find(strategy, predicate, settings=settings(max_examples=2000, database=None))
        return True
    except NoSuchExample:
        return False


def test_a_nonnegative_integer_symbol_can_draw_zero_and_never_a_negative():
    k = sp.Symbol("k", integer=True, nonnegative=True)
    assert _can_draw(symbol_strategy(k), lambda v: v == 0)
    assert not _can_draw(symbol_strategy(k), lambda v: v < 0)


def test_a_positive_integer_symbol_never_draws_zero():
    n = sp.Symbol("n", integer=True, positive=True)
    assert _can_draw(symbol_strategy(n), lambda v: v == 1)
    assert not _can_draw(symbol_strategy(n), lambda v: v <= 0)


def test_an_unbounded_integer_symbol_draws_zero_positive_and_negative_values():
    m = sp.Symbol("m", integer=True)
    for predicate in (lambda v: v == 0, lambda v: v > 0, lambda v: v < 0):
        assert _can_draw(symbol_strategy(m), predicate)


def test_a_real_symbol_reaches_both_signs_zero_and_six_decades():
    x = sp.Symbol("x", real=True)
    for predicate in (lambda v: v == 0, lambda v: v < -100, lambda v: 0 < v < 0.01, lambda v: v > 100):
        assert _can_draw(symbol_strategy(x), predicate)


def test_an_interval_from_one_to_infinity_draws_above_one_and_never_below():
    s = sp.Symbol("s", real=True)
    domain = sp.Interval(1, sp.oo)
    assert _can_draw(symbol_strategy(s, domain), lambda v: v > 10)
    assert not _can_draw(symbol_strategy(s, domain), lambda v: v < 1)
    assert not _can_draw(symbol_strategy(s, sp.Interval.open(0, 1)), lambda v: v <= 0 or v >= 1)


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_integer_intervals_keep_their_open_ends(data):
    i = sp.Symbol("i", integer=True)
    v = data.draw(symbol_strategy(i, sp.Interval.Lopen(0, 5)))
    assert 1 <= v <= 5


@pytest.mark.parametrize("flag", ["positive", "nonnegative"])
def test_a_positive_or_nonnegative_real_is_never_negative(flag):
    y = sp.Symbol("y", **{flag: True})
    assert not _can_draw(symbol_strategy(y), lambda v: v < 0)


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_integer_intervals_closed_at_both_ends_keep_both_ends(data):
    i = sp.Symbol("i", integer=True)
    assert 0 <= data.draw(symbol_strategy(i, sp.Interval(0, 5))) <= 5
    assert 0 < data.draw(symbol_strategy(i, sp.Interval.open(0, 5))) < 5


def test_a_real_symbol_stays_within_its_six_decades():
    x = sp.Symbol("x", real=True)
    assert not _can_draw(symbol_strategy(x), lambda v: abs(v) > 1e3)
    assert not _can_draw(symbol_strategy(x), lambda v: 0 < abs(v) < 1e-3)


def test_the_method_line_says_what_the_points_showed():
    x = sp.Symbol("x", real=True)
    assert at_points(x + x, 2 * x, "=").method == f"numeric: agreed at 60 random points (rtol {RTOL:g})"
    assert at_points(x + 1, x, "=").method == "numeric: counterexample found"
    assert PointsResult(Status.FAILED, 4).method == "numeric: only 4 of the drawn points could be evaluated"


def test_a_counterexample_keeps_an_integer_as_an_integer_and_shows_both_sides():
    m = sp.Symbol("m", integer=True)
    wrong = at_points(m, sp.Integer(3), "=")
    assert wrong.status is Status.FAILED
    (value,) = wrong.counterexample.values()
    assert type(value) is int and value != 3
    assert wrong.values == (f"{value}.0", "3.0")


def test_an_expression_that_cannot_be_evaluated_fails_with_no_points(monkeypatch):
    def refuse(*_):
        raise NotImplementedError("a vector of symbolic dimension")

    monkeypatch.setattr(points, "evaluator", refuse)
    x = sp.Symbol("x")
    result = at_points(x, x, "=")
    assert (result.status, result.agreed, result.counterexample) == (Status.FAILED, 0, None)
    assert result.method == "numeric: only 0 of the drawn points could be evaluated"


def test_without_a_compiled_function_evaluation_keeps_fifty_digits(monkeypatch):
    """The fallback (SymPy's own evaluation, for what lambdify cannot print) gives the compiled
    path's values to 40 digits: a double point is taken exactly, an integer stays an integer."""
    x, n = sp.Symbol("x"), sp.Symbol("n", integer=True)
    expr = 3 * x + (-1) ** n + sp.I * x**2
    point = {x: 0.1, n: 3}
    compiled = points.evaluator([x, n], expr)(point)
    monkeypatch.setattr(points.sp, "lambdify", lambda *_a, **_k: (_ for _ in ()).throw(TypeError("no printer")))
    fallback = points.evaluator([x, n], expr)(point)
    with mpmath.workdps(50):
        assert abs(fallback[0] - compiled[0]) < mpmath.mpf(10) ** -40
        assert abs(compiled[0] - (3 * mpmath.mpf(0.1) - 1 + 1j * mpmath.mpf(0.1) ** 2)) < mpmath.mpf(10) ** -40


@pytest.mark.parametrize("relation, a, b, expected", [
    ("<=", 0, 1j, False),            # an inequality with a complex side never holds
    (">=", 1j, 0, False),
    ("<=", 1 + 1e-14, 1, True),      # within the tolerance
    (">=", 1, 1 + 1e-14, True),
    (">=", 1, 1 + 1e-6, False),
    ("=", 1j, 1j, True),
])
def test_relations_hold_within_the_tolerances_and_only_for_real_inequalities(relation, a, b, expected):
    assert holds(relation, mpmath.mpmathify(a), mpmath.mpmathify(b)) is expected
