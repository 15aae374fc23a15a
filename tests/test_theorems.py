"""Each named theorem accepts its true instances, refuses what is not one, may not be cited for what
SymPy proves alone, and passes its own numeric test."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from derivations import theorems as T
from derivations.chain import Step, derive
from derivations.status import Status
from derivations.symbolic import KL, Expect, Gaussian, GaussianDensity

x, z, m, s = sp.symbols("x z m s", real=True)
v = sp.Symbol("v", positive=True)
n = sp.Symbol("n", integer=True, positive=True)
i = sp.Symbol("i", integer=True, positive=True)
c = sp.IndexedBase("c")
p_post, p_joint, p_x = sp.Function("p_post"), sp.Function("p_joint"), sp.Function("p")
p_cond, prior = sp.Function("p_cond"), sp.Function("prior")
q = sp.Function("q")


def _step(lhs, rhs, cite, relation="="):
    return derive("t", lhs, Step(rhs, "r", relation=relation, cite=cite)).verify().steps[0]


def test_bayes_rule_proves_the_identity_of_question_3c_i():
    r = _step(sp.log(p_x(x)), sp.log(p_joint(x, z) / p_post(z, x)), T.bayes(p_post, p_joint, p_x))
    assert r.verdict is Status.PROVED and r.theorem == "bayes", r.method


def test_bayes_rule_refuses_a_wrong_identity():
    r = _step(sp.log(p_x(x)), sp.log(p_joint(x, z) * p_post(z, x)), T.bayes(p_post, p_joint, p_x))
    assert r.verdict is not Status.PROVED and r.theorem is None


def test_a_theorem_cannot_be_cited_for_what_sympy_proves_alone():
    r = _step((x + 1) ** 2, x**2 + 2 * x + 1, T.sum_derivative())
    assert r.verdict is Status.FAILED and "for what SymPy verifies directly" in r.method


def test_total_probability_rewrites_the_marginal():
    r = _step(p_x(x), sp.Integral(prior(z) * p_cond(x, z), (z, -sp.oo, sp.oo)),
              T.total_probability(p_x, p_cond, prior, z))
    assert r.verdict is Status.PROVED and r.theorem == "total_probability", r.method


def test_change_of_variables_gives_the_sinh_flow_density():
    a = sp.Symbol("a", positive=True)
    p_X = sp.Function("p_X")
    cite = T.change_of_variables(p_X, lambda u: GaussianDensity(u, 0, 1), lambda y: sp.asinh(y) / a, x)
    r = _step(p_X(x), GaussianDensity(sp.asinh(x) / a, 0, 1) / (a * sp.sqrt(1 + x**2)), cite)
    assert r.verdict is Status.PROVED and r.theorem == "change_of_variables", r.method
    wrong = _step(p_X(x), GaussianDensity(sp.asinh(x) / a, 0, 1) / a, cite)
    assert wrong.verdict is not Status.PROVED


def test_sum_derivative_and_leibniz_move_the_derivative_inside():
    lhs, rhs = sp.Derivative(sp.Sum(c[i] * x**i, (i, 1, n)), x), sp.Sum(i * c[i] * x ** (i - 1), (i, 1, n))
    assert T.sum_derivative().verify(lhs, rhs, "=")[0]
    assert not T.sum_derivative().verify(lhs, sp.Sum(c[i] * x ** (i - 1), (i, 1, n)), "=")[0]
    f = sp.Function("f")
    lhs, rhs = sp.Derivative(sp.Integral(f(z) * sp.exp(m * z), (z, -sp.oo, sp.oo)), m), \
        sp.Integral(z * f(z) * sp.exp(m * z), (z, -sp.oo, sp.oo))
    assert T.leibniz().verify(lhs, rhs, "=")[0]
    assert not T.leibniz().verify(lhs, 2 * rhs, "=")[0]


def test_sympy_differentiates_finite_sums_itself_so_a_chain_may_not_cite_that():
    r = _step(sp.Derivative(sp.Sum(c[i] * x**i, (i, 1, n)), x), sp.Sum(i * c[i] * x ** (i - 1), (i, 1, n)),
              T.sum_derivative())
    assert r.verdict is Status.FAILED and "for what SymPy verifies directly" in r.method


def test_jensen_accepts_log_of_an_expectation_and_refuses_a_convex_function():
    w = sp.Function("w", positive=True)(z)
    density = q(z)
    r = _step(sp.log(Expect(w, z, density)), Expect(sp.log(w), z, density), T.jensen(), relation=">=")
    assert r.verdict is Status.PROVED and r.theorem == "jensen", r.method
    ok, why = T.jensen().verify(sp.exp(Expect(w, z, density)), Expect(sp.exp(w), z, density), ">=")
    assert not ok and "concave" in why
    ok, why = T.jensen().verify(sp.log(Expect(w, z, density)), Expect(sp.log(w), z, q(x)), ">=")
    assert not ok and "different measures" in why


def test_gibbs_accepts_a_kl_and_refuses_a_negative_remainder():
    kl = KL(q(z), p_x(z), z)
    assert T.gibbs().verify(kl, sp.S(0), ">=")[0]
    assert T.gibbs().verify(kl + v, sp.S(0), ">=")[0]  # v > 0 remains
    ok, why = T.gibbs().verify(kl - v, sp.S(0), ">=")
    assert not ok and "non-negative" in why
    assert not T.gibbs().verify(v, sp.S(0), ">=")[0]


def test_mgf_uniqueness_concludes_the_gaussian_whose_mgf_it_is():
    mgf = sp.exp(s * m + s**2 * v / 2)
    ok, _ = T.mgf_uniqueness(s).verify(mgf, Gaussian(m, v), "=")
    assert ok
    assert not T.mgf_uniqueness(s).verify(mgf, Gaussian(m, 2 * v), "=")[0]


def test_large_numbers_replaces_the_limit_of_the_frequency():
    f, p = sp.Symbol("f_n", positive=True), sp.Symbol("p", positive=True)
    r = _step(sp.Limit(sp.log(f / (1 - f)), n, sp.oo), sp.log(p / (1 - p)), T.large_numbers(f, p, n))
    assert r.verdict is Status.PROVED and r.theorem == "lln", r.method


def test_catalogue_keys_are_unique_and_statements_are_latex():
    assert len(T.BY_KEY) == len(T.CATALOGUE)
    assert all("$" not in t.statement and t.name and t.statement for t in T.CATALOGUE)


@pytest.mark.parametrize("theorem", T.CATALOGUE, ids=lambda t: t.key)
@given(seed=st.integers(0, 2**32 - 1))
def test_every_theorem_passes_its_own_numeric_test(theorem, seed):
    result = T.numeric_test(theorem, np.random.default_rng(seed))
    assert result.passed, result.to_json()


F, F_inv, f = sp.Function("F"), sp.Function("F^{-1}"), sp.Function("f")
u = sp.Symbol("u", positive=True)


def test_monotone_turns_an_event_on_f_of_x_into_one_on_x_and_cancels_the_inverse():
    from derivations.symbolic.expectation import Prob
    cite = T.monotone(F, F_inv)
    r = _step(Prob(F(x) <= u, x, f(x)), Prob(x <= F_inv(u), x, f(x)), cite)
    assert r.verdict is Status.PROVED and r.theorem == "monotone", r.method
    r = _step(F(F_inv(u)), u, cite)
    assert r.verdict is Status.PROVED and r.theorem == "monotone", r.method
    r = _step(Prob(F_inv(z) <= u, z, 1, 0, 1), Prob(z <= F(u), z, 1, 0, 1), cite)  # the inverse is increasing too
    assert r.verdict is Status.PROVED, r.method


def test_monotone_refuses_a_reversed_event_and_a_wrong_inverse():
    from derivations.symbolic.expectation import Prob
    cite = T.monotone(F, F_inv)
    assert not cite.verify(Prob(F(x) <= u, x, f(x)), Prob(x >= F_inv(u), x, f(x)), "=")[0]
    assert not cite.verify(Prob(F(x) <= u, x, f(x)), Prob(x <= F(u), x, f(x)), "=")[0]
    assert not cite.verify(F_inv(F_inv(u)), u, "=")[0]


def test_monotone_with_the_cdf_of_the_variable_gives_the_uniform_cdf():
    from derivations.symbolic.expectation import Prob
    r = _step(sp.Derivative(Prob(F(x) <= u, x, f(x)), u), sp.Derivative(u, u, evaluate=False),
              T.monotone(F, F_inv, cdf_of=x))
    assert r.verdict is Status.PROVED and r.theorem == "monotone", r.method
