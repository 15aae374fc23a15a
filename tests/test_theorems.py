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


def test_coordinates_read_a_weighted_mean_and_a_squared_norm_of_vectors():
    from derivations.notation import DataPoints
    from derivations.symbolic import SquaredNorm, VectorOf

    X, mu = DataPoints("x", real=True), sp.IndexedBase("mu", real=True)
    j, d, k = sp.symbols("j d k", integer=True, positive=True)
    cite = T.coordinates(d, (X, mu))
    mean = sp.Sum(c[i] * X[i], (i, 1, n))
    r = _step(VectorOf(sp.Sum(c[i] * X[i, j], (i, 1, n)), (j, 1, d)), mean, cite)
    assert r.verdict is Status.PROVED and r.theorem == "coordinates", r.method
    r = _step(sp.Sum(c[i] * sp.Sum((X[i, j] - mu[k, j]) ** 2, (j, 1, d)), (i, 1, n)),
              sp.Sum(c[i] * SquaredNorm(X[i] - mu[k]), (i, 1, n)), cite)
    assert r.verdict is Status.PROVED and r.theorem == "coordinates", r.method
    column = sp.Matrix([sp.Sum(c[i], (i, 1, n)), VectorOf(sp.Sum(c[i] * X[i, j], (i, 1, n)), (j, 1, d))])
    r = _step(column, sp.Matrix([sp.Sum(c[i], (i, 1, n)), mean]), cite)  # a scalar and a vector, each read alone
    assert r.verdict is Status.PROVED and r.theorem == "coordinates", r.method


@pytest.mark.parametrize("coordinate_side, vector_side, mistake", [
    ("sum c_i x_ij", "sum c_i x^(i) / n", "a different vector"),
    ("sum (x_ij - mu_kj)", "||x^(i) - mu_k||^2", "a coordinate sum without the square"),
    ("sum c_i x_ij^2", "sum c_i (x^(i))^2", "the square of a vector outside a norm"),
    ("x_ij + 1", "x^(i) + 1", "a vector plus a scalar"),
    ("over 1..2", "x^(i)", "a vector listed over another range"),
])
def test_coordinates_refuse_what_is_not_a_coordinate_identity(coordinate_side, vector_side, mistake):
    from derivations.notation import DataPoints
    from derivations.symbolic import SquaredNorm, VectorOf

    X, mu = DataPoints("x", real=True), sp.IndexedBase("mu", real=True)
    j, d, k = sp.symbols("j d k", integer=True, positive=True)
    sides = {
        "sum c_i x_ij": VectorOf(sp.Sum(c[i] * X[i, j], (i, 1, n)), (j, 1, d)),
        "sum c_i x^(i) / n": sp.Sum(c[i] * X[i], (i, 1, n)) / n,
        "sum (x_ij - mu_kj)": sp.Sum(X[i, j] - mu[k, j], (j, 1, d)),
        "||x^(i) - mu_k||^2": SquaredNorm(X[i] - mu[k]),
        "sum c_i x_ij^2": VectorOf(sp.Sum(c[i] * X[i, j] ** 2, (i, 1, n)), (j, 1, d)),
        "sum c_i (x^(i))^2": sp.Sum(c[i] * X[i] ** 2, (i, 1, n)),
        "x_ij + 1": VectorOf(X[i, j] + 1, (j, 1, d)),
        "x^(i) + 1": X[i] + 1,
        "over 1..2": VectorOf(X[i, j], (j, 1, 2)),
        "x^(i)": X[i],
    }
    r = _step(sides[coordinate_side], sides[vector_side], T.coordinates(d, (X, mu)))
    assert r.verdict is not Status.PROVED and r.theorem is None, mistake


def test_catalogue_keys_are_unique_and_statements_are_latex():
    assert len(T.BY_KEY) == len(T.CATALOGUE)
    assert all("$" not in t.statement and t.name and t.statement for t in T.CATALOGUE)


@pytest.mark.parametrize("theorem", T.CATALOGUE, ids=lambda t: t.key)
@given(seed=st.integers(0, 2**32 - 1))
def test_every_theorem_passes_its_own_numeric_test(theorem, seed):
    result = T.numeric_test(theorem, np.random.default_rng(seed))
    assert result.passed, result.to_json()


F, F_inv, f = sp.Function("F"), sp.Function("F^{-1}"), sp.Function("f")
u_pos = sp.Symbol("u", positive=True)


def test_monotone_turns_an_event_on_f_of_x_into_one_on_x_and_cancels_the_inverse():
    from derivations.symbolic.expectation import Prob
    cite = T.monotone(F, F_inv)
    r = _step(Prob(F(x) <= u_pos, x, f(x)), Prob(x <= F_inv(u_pos), x, f(x)), cite)
    assert r.verdict is Status.PROVED and r.theorem == "monotone", r.method
    r = _step(F(F_inv(u_pos)), u_pos, cite)
    assert r.verdict is Status.PROVED and r.theorem == "monotone", r.method
    r = _step(Prob(F_inv(z) <= u_pos, z, 1, 0, 1), Prob(z <= F(u_pos), z, 1, 0, 1), cite)  # the inverse is increasing too
    assert r.verdict is Status.PROVED, r.method


def test_monotone_refuses_a_reversed_event_and_a_wrong_inverse():
    from derivations.symbolic.expectation import Prob
    cite = T.monotone(F, F_inv)
    assert not cite.verify(Prob(F(x) <= u_pos, x, f(x)), Prob(x >= F_inv(u_pos), x, f(x)), "=")[0]
    assert not cite.verify(Prob(F(x) <= u_pos, x, f(x)), Prob(x <= F(u_pos), x, f(x)), "=")[0]
    assert not cite.verify(F_inv(F_inv(u_pos)), u_pos, "=")[0]


def test_monotone_with_the_cdf_of_the_variable_gives_the_uniform_cdf():
    from derivations.symbolic.expectation import Prob
    r = _step(sp.Derivative(Prob(F(x) <= u_pos, x, f(x)), u_pos), sp.Derivative(u_pos, u_pos, evaluate=False),
              T.monotone(F, F_inv, cdf_of=x))
    assert r.verdict is Status.PROVED and r.theorem == "monotone", r.method


j = sp.Symbol("j", integer=True, positive=True)
d = sp.Symbol("d", integer=True, positive=True)
U, E, M = (sp.IndexedBase(name, real=True) for name in ("u", "epsilon", "m"))


def test_mgf_uniqueness_in_a_known_and_in_a_symbolic_dimension():
    s1, s2, m1, m2 = sp.symbols("s_1 s_2 m_1 m_2", real=True)
    mean, S = sp.Matrix([m1, m2]), sp.Matrix([s1, s2])
    mgf = sp.exp(s1 * m1 + s2 * m2 + v * (s1**2 + s2**2) / 2)
    assert T.mgf_uniqueness(S).verify(mgf, Gaussian(mean, v), "=")[0]
    assert not T.mgf_uniqueness(S).verify(mgf, Gaussian(mean, 2 * v), "=")[0]
    x0, X0 = sp.Symbol("x_0", real=True), sp.IndexedBase("x_0", real=True)
    mgf_d = sp.exp(2 * sp.Sum(U[j] * X0[j], (j, 1, d)) + v * sp.Sum(U[j] ** 2, (j, 1, d)) / 2)
    cite = T.mgf_uniqueness(U, index=(j, 1, d), vectors={x0: X0})
    assert cite.verify(mgf_d, Gaussian(2 * x0, v, isotropic=True), "=")[0]
    ok, why = cite.verify(mgf_d, Gaussian(x0, v, isotropic=True), "=")
    assert not ok and "moment generating function" in why
    ok, why = cite.verify(mgf_d, Gaussian(2 * x0, v), "=")
    assert not ok and "isotropic" in why


def test_gaussian_mgf_evaluates_an_expectation_in_symbolic_dimension():
    q = GaussianDensity(E, M, v, d)
    lhs = 3 * Expect(sp.exp(sp.Sum(U[j] * E[j], (j, 1, d))), E, q)
    rhs = 3 * sp.exp(sp.Sum(U[j] * M[j], (j, 1, d)) + v * sp.Sum(U[j] ** 2, (j, 1, d)) / 2)
    r = _step(lhs, rhs, T.gaussian_mgf())
    assert r.verdict is Status.PROVED and r.theorem == "gaussian_mgf", r.method
    assert not T.gaussian_mgf().verify(lhs, 3 * sp.exp(v * sp.Sum(U[j] ** 2, (j, 1, d)) / 2), "=")[0]
    not_linear = Expect(sp.exp(sp.Sum(U[j] * E[j] ** 2, (j, 1, d))), E, q)
    assert T.gaussian_mgf().rewrite(not_linear) == not_linear


def test_gaussian_mgf_in_one_dimension_is_what_sympy_proves_alone():
    lhs = Expect(sp.exp(s * z), z, GaussianDensity(z, m, v))
    r = _step(lhs, sp.exp(s * m + s**2 * v / 2), T.gaussian_mgf())
    assert r.verdict is Status.FAILED and "for what SymPy verifies directly" in r.method


def test_total_probability_over_a_discrete_variable():
    a, b = sp.symbols("a b", real=True)
    cite = T.total_probability(p_x, lambda u, w: GaussianDensity(u, w, 1), lambda w: sp.Rational(1, 2), z, values=(a, b))
    rhs = (GaussianDensity(x, a, 1) + GaussianDensity(x, b, 1)) / 2
    r = _step(p_x(x), rhs, cite)
    assert r.verdict is Status.PROVED and r.theorem == "total_probability", r.method
    assert _step(p_x(x), GaussianDensity(x, a, 1), cite).verdict is not Status.PROVED


def test_total_probability_concludes_the_mixture_law():
    from derivations.symbolic import mixture
    a, b = sp.symbols("a b", real=True)
    cite = T.total_probability_law(p_x(x), lambda w: Gaussian(w, v), lambda w: sp.Rational(1, 2), (a, b))
    good = mixture((sp.Rational(1, 2), sp.Rational(1, 2)), (Gaussian(a, v), Gaussian(b, v)))
    r = _step(p_x(x), good, cite)
    assert r.verdict is Status.PROVED and r.theorem == "total_probability", r.method
    for wrong in (mixture((sp.Rational(1, 3), sp.Rational(2, 3)), (Gaussian(a, v), Gaussian(b, v))),
                  mixture((sp.Rational(1, 2), sp.Rational(1, 2)), (Gaussian(a, v), Gaussian(a, v))),
                  mixture((sp.S(1),), (Gaussian(a, v),))):
        assert _step(p_x(x), wrong, cite).verdict is Status.FAILED
    assert _step(p_x(z), good, cite).verdict is Status.FAILED  # not the marginal the citation names


# --------------------------------------------------------------------------- theorems for vectors of R^d

from derivations.notation import DataPoints, Prefix  # noqa: E402
from derivations.symbolic.integrals import JacobianDeterminant, VectorIntegral  # noqa: E402

d, k, K = (sp.Symbol(name, integer=True, positive=True) for name in "dkK")
j, zl = sp.Symbol("j", integer=True, positive=True), sp.Symbol("z", integer=True, positive=True)
xv, mu = sp.IndexedBase("x", real=True), sp.IndexedBase("mu", real=True)
w, u = sp.IndexedBase("w", positive=True), sp.Symbol("u", real=True)


def test_fubini_splits_an_integral_over_rd_of_a_product_over_coordinates():
    lhs = VectorIntegral(sp.Product(GaussianDensity(xv[j], mu[j], v), (j, 1, d)), xv, d)
    rhs = sp.Product(sp.Integral(GaussianDensity(u, mu[j], v), (u, -sp.oo, sp.oo)), (j, 1, d))
    r = _step(lhs, rhs, T.fubini(u))
    assert r.verdict is Status.PROVED and r.theorem == "fubini", r.method
    assert not T.fubini(u).verify(lhs, 2 * rhs, "=")[0]


@pytest.mark.parametrize("integrand, why", [
    (sp.Product(GaussianDensity(xv[j], xv[j + 1], v), (j, 1, d)), "a factor depends on two coordinates"),
    (sp.Product(GaussianDensity(xv[j], 0, v), (j, 1, d - 1)), "the product misses a coordinate"),
    (sp.Product(sp.sin(xv[j]), (j, 1, d)), "a factor may be negative (Tonelli does not apply)"),
])
def test_fubini_refuses_what_is_not_a_product_of_one_coordinate_each(integrand, why):
    lhs = VectorIntegral(integrand, xv, d)
    one = integrand.function.xreplace({xv[j]: u})
    rhs = sp.Product(sp.Integral(one, (u, -sp.oo, sp.oo)), (j, *integrand.limits[0][1:]))
    assert not T.fubini(u).verify(lhs, rhs, "=")[0], why


def test_fubini_agrees_with_sympy_in_two_dimensions():
    lhs = VectorIntegral(sp.Product(GaussianDensity(xv[j], mu[j], v), (j, 1, 2)), xv, 2)
    assert sp.simplify(lhs.doit()) == 1


def test_normalisation_sums_a_distribution_over_all_its_values():
    before = Prefix("x")
    cond = sp.Function("p_cond")
    whole = sp.Sum(cond(xv[k], before[k]), (xv[k], 1, K))
    r = _step(sp.Symbol("c") * whole, sp.Symbol("c"), T.normalisation(cond, (1, K)))
    assert r.verdict is Status.PROVED and r.theorem == "normalisation", r.method
    assert T.normalisation(w, (1, k)).verify(sp.Sum(w[zl], (zl, 1, k)), sp.S(1), "=")[0]
    assert not T.normalisation(cond, (1, K)).verify(sp.Sum(cond(xv[k], before[k]), (xv[k], 1, K - 1)), 1, "=")[0]
    assert not T.normalisation(w, (1, k)).verify(sp.Sum(w[zl] ** 2, (zl, 1, k)), 1, "=")[0]
    assert not T.normalisation(cond, None).verify(sp.Integral(cond(u, u), (u, -sp.oo, sp.oo)), 1, "=")[0]


def test_chain_rule_factorises_a_joint_into_its_conditionals():
    joint, cond, before = sp.Function("p_joint1"), sp.Function("p_cond"), Prefix("x")
    product = sp.Product(cond(xv[i], before[i]), (i, 1, d))
    r = _step(joint(xv), product, T.chain_rule(joint, cond, xv, d))
    assert r.verdict is Status.PROVED and r.theorem == "chain_rule", r.method
    assert not T.chain_rule(joint, cond, xv, d).verify(joint(xv), sp.Product(cond(xv[i], before[i]), (i, 1, d - 1)),
                                                       "=")[0]
    assert not T.chain_rule(joint, cond, xv, d).verify(joint(xv), sp.Product(cond(xv[i], xv[i]), (i, 1, d)), "=")[0]


def test_total_probability_over_a_discrete_label_and_over_rk():
    weights = sp.IndexedBase("p", positive=True)
    mixture = sp.Sum(weights[zl] * GaussianDensity(xv, mu[zl], v, d), (zl, 1, k))
    cite = T.total_probability(p_x, lambda y, c: GaussianDensity(y, mu[c], v, d), lambda c: weights[c], zl,
                               over=(1, k))
    assert _step(p_x(xv), mixture, cite).verdict is Status.PROVED
    assert not cite.verify(p_x(xv), sp.Sum(GaussianDensity(xv, mu[zl], v, d), (zl, 1, k)), "=")[0]
    zv = sp.IndexedBase("z", real=True)
    cite = T.total_probability(p_x, p_cond, lambda c: GaussianDensity(c, 0, 1, k), zv, dim=k)
    r = _step(p_x(xv), VectorIntegral(p_cond(xv, zv) * GaussianDensity(zv, 0, 1, k), zv, k), cite)
    assert r.verdict is Status.PROVED and r.theorem == "total_probability", r.method


def test_change_of_variables_in_two_dimensions_gives_the_gaussian_of_a_linear_map():
    a11, a22 = sp.symbols("a_11 a_22", positive=True)
    a12, b1, b2, x1, x2 = sp.symbols("a_12 b_1 b_2 x_1 x_2", real=True)
    A, b, X = sp.Matrix([[a11, a12], [0, a22]]), sp.Matrix([b1, b2]), sp.Matrix([x1, x2])
    p_X = sp.Function("p_X")
    cite = T.change_of_variables(p_X, lambda q: GaussianDensity(q, sp.zeros(2, 1), 1), lambda y: A.inv() * (y - b), X)
    r = A.inv() * (X - b)
    gaussian = sp.exp(-(r.T * r)[0] / 2) / (2 * sp.pi * a11 * a22)  # N(x; b, A A^T)
    assert cite.verify(p_X(X), gaussian, "=")[0]
    assert not cite.verify(p_X(X), gaussian * a11, "=")[0]


def test_change_of_variables_for_an_arbitrary_map_keeps_its_jacobian_determinant():
    g_inv = sp.Function("g^{-1}")
    cite = T.change_of_variables(p_x, lambda q: GaussianDensity(q, 0, 1, d), g_inv, xv)
    rhs = GaussianDensity(g_inv(xv), 0, 1, d) * sp.Abs(JacobianDeterminant(g_inv(xv), xv))
    assert _step(p_x(xv), rhs, cite).verdict is Status.PROVED
    assert not cite.verify(p_x(xv), GaussianDensity(g_inv(xv), 0, 1, d), "=")[0]
    data = DataPoints("X", real=True)
    assert data[i, j] != xv[j]  # data coordinates are not coordinates of the point


# --------------------------------------------------------------------------- rescaled densities in R^d

from derivations.symbolic import PointMass, Vector, squared_norm  # noqa: E402


def test_the_approximate_identity_takes_a_rescaled_gaussian_to_the_point_mass_in_d_dimensions():
    t = sp.Symbol("t", positive=True)
    d = sp.Symbol("d", integer=True, positive=True)
    y, y1 = Vector("y", d), Vector("y_1", d)
    cite = T.nascent_delta(lambda u: GaussianDensity(u, 0, 1, d), scale=1 - t, centre=t * y1, point=y, dim=d,
                           variable=t, to=sp.S(1))
    lhs = sp.Limit(GaussianDensity(y, t * y1, (1 - t) ** 2, d), t, 1, dir="-")
    r = _step(lhs, PointMass(y1, at=y).pdf(y), cite)
    assert r.verdict is Status.PROVED and r.theorem == "nascent_delta", r.method
    assert not cite.verify(lhs, PointMass(0 * y1, at=y).pdf(y), "=")[0]  # the wrong point
    assert not cite.verify(lhs, PointMass(y1, at=y).pdf(y), ">=")[0]
    wide = sp.Limit(GaussianDensity(y, t * y1, 1 - t, d), t, 1, dir="-")  # variance 1 - t: the wrong rescaling
    assert not cite.verify(wide, PointMass(y1, at=y).pdf(y), "=")[0]
    stays = T.nascent_delta(lambda u: GaussianDensity(u, 0, 1, d), scale=2 - t, centre=t * y1, point=y, dim=d,
                            variable=t, to=sp.S(1))  # a scale that does not vanish
    assert not stays.verify(sp.Limit(GaussianDensity(y, t * y1, (2 - t) ** 2, d), t, 1, dir="-"),
                            PointMass(y1, at=y).pdf(y), "=")[0]


def test_the_approximate_identity_in_one_dimension_with_a_logistic_density():
    eps = sp.Symbol("epsilon", positive=True)
    logistic = lambda u: sp.exp(-u) / (1 + sp.exp(-u)) ** 2  # noqa: E731
    cite = T.nascent_delta(logistic, scale=eps, centre=m + eps, point=x, dim=1, variable=eps, to=sp.S(0),
                           direction="+")
    lhs = sp.Limit(logistic((x - m - eps) / eps) / eps, eps, 0, dir="+")
    assert cite.verify(lhs, sp.DiracDelta(x - m), "=")[0]
    assert not cite.verify(lhs, sp.DiracDelta(x), "=")[0]


def test_an_affine_change_of_variables_in_d_dimensions():
    a, b = sp.symbols("a b", positive=True)
    d = sp.Symbol("d", integer=True, positive=True)
    y, y1 = Vector("y", d), Vector("y_1", d)
    p_y = sp.Function("p_y")
    j = sp.Symbol("j", integer=True, positive=True)

    def standard(u):
        return (2 * sp.pi) ** (-d / 2) * sp.exp(-squared_norm(u, d, index=j) / 2)
    cite = T.change_of_variables_affine(p_y, standard, scale=a, shift=b * y1, dim=d)  # y = a z + b y_1
    good = a ** (-d) * standard((y - b * y1) / a)
    assert cite.verify(p_y(y, y1), good, "=")[0]
    assert not cite.verify(p_y(y, y1), standard((y - b * y1) / a), "=")[0]  # the Jacobian forgotten
    assert not cite.verify(p_y(y, y1), a ** (-d) * standard((y + b * y1) / a), "=")[0]  # the wrong shift
