"""Vectors of R^d written by their coordinates: the Gaussian density, integrals over R^d, the hints
that take finite sums, products and integrals apart, and how the notation prints them."""

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations.notation import DataPoints, Prefix, latex, plain
from derivations.symbolic import GaussianDensity, Sigmoid, hints, normal_pdf
from derivations.symbolic.integrals import JacobianDeterminant, VectorIntegral, coordinate
from derivations.zero import decide

d, n, i, j = (sp.Symbol(name, integer=True, positive=True) for name in "dnij")
x, m = sp.IndexedBase("x", real=True), sp.IndexedBase("m", real=True)
data = DataPoints("X", real=True)
v = sp.Symbol("v", positive=True)


@settings(max_examples=5, deadline=None)
@given(dim=st.integers(1, 3))
def test_the_gaussian_of_a_point_by_coordinates_is_the_product_of_its_coordinates(dim):
    vector = normal_pdf(x, m, v, dim=dim).doit()
    product = sp.Mul(*[normal_pdf(x[c], m[c], v) for c in range(1, dim + 1)])
    assert sp.simplify(vector - product) == 0


def test_a_gaussian_over_r2_integrates_to_one():
    assert sp.simplify(VectorIntegral(GaussianDensity(x, data[1], v, 2), x, 2).doit()) == 1


def test_a_vector_integral_is_free_of_its_variable_and_its_coordinates():
    integral = VectorIntegral(x[j] * m[j] + GaussianDensity(x, m, v, d), x, d)
    assert integral.free_symbols == {j, m[j], m.label, v, d}
    assert VectorIntegral(x[j], x, d).doit() == VectorIntegral(x[j], x, d)  # d symbolic: stays


def test_coordinates_of_points_and_of_entries():
    assert (coordinate(x, j), coordinate(data[i], j), coordinate(0, j)) == (x[j], data[i, j], 0)
    with pytest.raises(TypeError, match="not a vector written by its coordinates"):
        coordinate(sp.Symbol("y"), j)


def test_linearity_makes_integrals_of_the_same_function_equal():
    lhs = VectorIntegral(sp.Sum(GaussianDensity(x, data[i], v, d), (i, 1, n)) / n, x, d)
    rhs = sp.Sum(VectorIntegral(sp.Product(GaussianDensity(x[j], data[i, j], v), (j, 1, d)), x, d), (i, 1, n)) / n
    assert decide(lhs - rhs, hint=hints.vector_integrals).proved
    wider = sp.Sum(VectorIntegral(sp.Product(GaussianDensity(x[j], data[i, j], 2 * v), (j, 1, d)), x, d), (i, 1, n)) / n
    assert hints.vector_integrals(lhs - wider) != 0


def test_products_of_exponentials_become_exponentials_of_sums():
    f = sp.Function("f")
    product = sp.Product(3 * sp.exp(f(j)), (j, 1, d))
    assert hints.split_products(product) == 3**d * sp.exp(sp.Sum(f(j), (j, 1, d)))


@given(top=st.sampled_from([sp.Symbol("b", integer=True, positive=True), d, n + 2]))
def test_peel_last_aligns_a_sum_with_its_twin_one_term_shorter(top):
    f, u = sp.Function("f"), sp.Symbol("u", integer=True)
    assert hints.peel_last(sp.Sum(f(u), (u, 1, top)) - sp.Sum(f(u), (u, 1, top - 1))) == f(top)
    assert hints.peel_last(sp.Product(f(u), (u, 1, top)) / sp.Product(f(u), (u, 1, top - 1))) == f(top)
    alone = sp.Sum(f(u), (u, 1, top))
    assert hints.peel_last(alone) == alone  # no twin: unchanged


def test_jacobian_determinant_of_an_explicit_map_and_of_an_arbitrary_one():
    a, b, y1, y2 = sp.symbols("a b y_1 y_2", real=True)
    assert JacobianDeterminant(sp.Matrix([a * y1 + y2, b * y2]), sp.Matrix([y1, y2])).doit() == a * b
    g_inv = sp.Function("g^{-1}")
    arbitrary = JacobianDeterminant(g_inv(x), x)
    assert arbitrary.doit() == arbitrary


def test_the_notation_prints_coordinates_prefixes_and_integrals_over_rd():
    assert latex(data[i, j]) == "x^{(i)}_{j}" and plain(data[i, j]) == "x^(i)_j"
    assert latex(Prefix("x")[i]) == "x_{<i}"
    assert latex(VectorIntegral(x[j], x, d)) == r"\int_{\mathbb{R}^{d}} {x}_{j} \, dx"
    assert latex(JacobianDeterminant(sp.Function("g^{-1}")(x), x)) == r"\det J_{g^{-1}}\left(x\right)"
    assert latex(GaussianDensity(x, 0, 1, d)) == r"\mathcal{N}\left(x;\ 0,\ I_{d}\right)"  # d says how many coordinates
    assert latex(Sigmoid(sp.Symbol("t")) ** 2) == r"\sigma\left(t\right)^{2}"


def test_a_sum_inside_a_function_or_a_bracketed_power_is_not_bracketed_again_in_a_product():
    y = sp.Symbol("y")
    q = Sigmoid(sp.Sum(x[j], (j, 1, d)))
    assert latex((1 - q) ** (1 - y) * q**y) == (r"\left(1 - \sigma\left(\sum_{j=1}^{d} {x}_{j}\right)\right)^{1 - y} "
                                                 r"\sigma\left(\sum_{j=1}^{d} {x}_{j}\right)^{y}")
    assert latex(y * sp.Sum(x[j], (j, 1, d))) == r"y \sum_{j=1}^{d} {x}_{j}"  # a bare sum keeps its place
    u = sp.Symbol("u")
    assert latex(sp.Integral(1, (u, 0, q)) ** y * sp.Integral(1, (u, q, 1)) ** (1 - y)).count(r"\left(") == 4


# --------------------------------------------------------------------------- a point of R^d written as one symbol

def test_a_vector_written_as_one_symbol_has_coordinates_a_norm_and_a_dimension():
    from derivations.symbolic.vectors import Vector, coordinate, depends_on, dimension, sift_kronecker, squared_norm
    d, k, l = (sp.Symbol(s, integer=True, positive=True) for s in "dkl")
    t = sp.Symbol("t", positive=True)
    y, y1 = Vector("y", d), Vector("y_1", d)
    Y, Y1 = sp.IndexedBase(y, real=True), sp.IndexedBase(y1, real=True)
    assert coordinate(y - t * y1, k) == Y[k] - t * Y1[k]
    assert coordinate(y - t * data[i], k) == Y[k] - t * data[i, k]
    assert squared_norm(y, d, index=k) == sp.Sum(Y[k] ** 2, (k, 1, d))
    assert dimension(y - t * y1) == d and dimension(t) is None
    with pytest.raises(ValueError, match="different dimensions"):
        dimension(y + Vector("w", 3))
    assert depends_on(GaussianDensity(y, 0, 1, d), Y[k]) and depends_on(Y[l], Y[k]) and not depends_on(Y1[k], Y[k])
    assert sp.diff(GaussianDensity(y, 0, 1, d), Y[k]) != 0  # the density written out, then differentiated
    assert sift_kronecker(sp.Sum(sp.Sum(Y[k] * sp.KroneckerDelta(k, l), (k, 1, d)), (l, 1, d))) == sp.Sum(Y[l], (l, 1, d))
    assert Vector("y", d) != sp.Symbol("y", real=True) and Vector("y", d) != Vector("y", 3)
