"""The random points of derivations.points: each symbol's values respect its assumptions or domain
and reach the edges a sign or boundary error hides behind (issue 18's surviving mutants)."""

import pytest
import sympy as sp
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from derivations.points import symbol_strategy


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
