"""Reference distributions: the uniform distribution holds SymPy expressions, refuses an empty
interval, has the moments of scipy's uniform, and reaches ``derive verify`` and ``derive show``."""

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, stats

from derivations import render
from derivations.answercheck import verify_quantity
from derivations.symbolic import as_mixture
from derivations.symbolic import Gaussian, Uniform
from derivations.answer import Quantity

a = sp.Symbol("a", real=True)
w = sp.Symbol("w", positive=True)


@given(st.floats(-50, 50, allow_subnormal=False), st.floats(0.01, 20))
def test_uniform_moments_match_scipy_and_quadrature(low, width):
    u, ref = Uniform(sp.Float(low), sp.Float(low + width)), stats.uniform(loc=low, scale=width)
    assert float(u.mean_value()) == pytest.approx(ref.mean(), rel=1e-12, abs=1e-12)
    assert float(u.variance()) == pytest.approx(ref.var(), rel=1e-9)
    second = integrate.quad(lambda v: v * v, low, low + width)[0] / width  # E[x^2] = int x^2 dx / width
    assert float(u.second_moment()) == pytest.approx(second, rel=1e-9, abs=1e-12)


def test_uniform_holds_expressions_and_compares_by_value():
    u = Uniform(a, a + w)
    assert u == Uniform(a, a + w) and u != Uniform(a, a + 2 * w) and u != Gaussian(a + w / 2, w**2 / 12)
    assert Uniform(0, 1) == Uniform(sp.S(0), sp.S(1)) and isinstance(Uniform(0, 1).low, sp.Integer)
    assert sp.simplify(u.variance() - w**2 / 12) == 0 and sp.simplify(u.mean_value() - (a + w / 2)) == 0


@pytest.mark.parametrize("low, high, error, fragment", [
    (1, 0, ValueError, "needs low < high, got low = 1, high = 0"),
    (a, a, ValueError, "needs low < high"),
    (a + w, a, ValueError, "needs low < high"),
    (sp.Matrix([0, 1]), 2, TypeError, "must be a scalar"),
    ("0", 1, TypeError, "must be a scalar"),
])
def test_uniform_refuses_an_empty_or_malformed_interval(low, high, error, fragment):
    with pytest.raises(error, match=fragment):
        Uniform(low, high)


def test_a_uniform_whose_order_sympy_cannot_decide_is_kept():
    b = sp.Symbol("b", real=True)
    assert Uniform(a, b).high == b  # a < b is the caller's claim; nothing contradicts it


def test_a_uniform_reference_reaches_verify_and_show():
    q = Quantity("distribution", Uniform(a, a + w), symbols=(a, w))
    assert as_mixture(q.value).components[0].params == (a, a + w)
    assert verify_quantity(q, r"\mathcal{U}[a, w + a]").correct
    wrong = verify_quantity(q, "U(a, a + 2 w)")
    assert wrong.status == "incorrect" and wrong.what == "the upper end of the interval" and wrong.counterexample
    assert render.quantity_block(q) == "distribution:\n    𝒰(a, a + w)"
