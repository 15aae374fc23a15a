"""The course's printers at their edges: powers of entries printed with a superscript, and the three
printers (LaTeX, terminal, plain text) writing one object each in the course's notation."""

import pytest
import sympy as sp

from derivations.notation import DataPoints, latex
from derivations.notation.printers import CourseLatexPrinter

i, j, y = sp.symbols("i j y", integer=True, positive=True)
X = DataPoints("X", real=True)


@pytest.mark.parametrize("expr, printed", [
    (X[i]**2, r"\left(x^{(i)}\right)^{2}"),                       # never two superscripts in a row
    (X[i, j]**2, r"\left(x^{(i)}_{j}\right)^{2}"),
    (sp.IndexedBase("sigma^2")[y]**2, r"\left(\sigma_{y}^{2}\right)^{2}"),
    (sp.IndexedBase("mu_0")[j]**2, r"\mu_{0,j}^{2}"),               # a lowered label has no superscript
    (sp.IndexedBase("x")[i]**2, r"{x}_{i}^{2}"),
    (sp.Symbol("x")**2, "x^{2}"),
])
def test_a_power_of_an_entry_with_a_superscript_is_bracketed(expr, printed):
    assert latex(expr) == printed
    assert CourseLatexPrinter().doprint(expr) == printed


# --------------------------------------------------------------------------- the terminal's printer

def _terminal_cases():
    from derivations.notation import pretty  # noqa: F401 - imported where used
    from derivations.symbolic import GaussianDensity, KL
    from derivations.symbolic.distributions import Component, Gaussian, Mixture, PointMass, Uniform
    from derivations.symbolic.expectation import Prob
    from derivations.symbolic.networks import Coordinate, Point, network

    z, x, x0 = sp.Symbol("z", real=True), sp.Symbol("x", real=True), sp.Symbol("x_0", real=True)
    abar, sigma, theta = sp.Symbol("alphabar_t", positive=True), sp.Symbol("sigma", positive=True), sp.Symbol("theta_l")
    a, k = sp.Symbol("a"), sp.Symbol("k", integer=True, positive=True)
    p, q = sp.Function("p"), sp.Function("q_cond")
    nn, enc, eps, xs = network("NN_theta"), network("NN_phi"), sp.IndexedBase("epsilon"), sp.IndexedBase("x")
    g = Point(z, a, sigma * eps[a] + enc(a, theta, xs), k)
    return [
        (Prob(sp.And(0 <= z, z <= 1), z, GaussianDensity(z, 0, 1)), "P(0 ≤ z ≤ 1)"),
        (KL(q(z, x), p(z), z), "KL(q(z | x) ‖ p(z))"),
        (GaussianDensity(z, 0, 1), "𝒩(z; 0, 1)"),
        (nn(j, theta, z), "NN_θ(z)_j"),
        (nn.jacobian(j, a, theta, z), "∂NN_θ(z)_j/∂z_a"),
        (sp.Derivative(nn(j, theta, z), theta), "∂NN_θ(z)_j/∂θₗ"),
        (g, "z"),
        (Coordinate(g, a), "zₐ"),
        (Gaussian(x0, 1, isotropic=True), "𝒩(x₀, I)"),          # a unit covariance of a vector is I
        (Gaussian(x0, 1, at=x), "𝒩(x; x₀, 1)"),
        (Uniform(0, 1), "𝒰(0, 1)"),
        (PointMass(x0), "δ(x₀)"),
        (Mixture((Component(sp.Rational(1, 2), Gaussian(0, 1)), Component(1 - abar, Gaussian(1, 1)))),
         "1/2 𝒩(0, 1) + (1 - α̅ₜ) 𝒩(1, 1)"),                       # a weight that is a sum is bracketed
    ]


@pytest.mark.parametrize("case", range(13))
def test_the_terminal_writes_each_object_in_the_courses_notation(case):
    from derivations.notation import pretty

    expr, drawn = _terminal_cases()[case]
    assert pretty(expr) == drawn


def test_a_mixture_summed_over_an_index_says_its_range_in_the_terminal():
    from derivations.notation import pretty
    from derivations.symbolic.distributions import Component, Gaussian, Mixture

    n, h = sp.Symbol("n", integer=True, positive=True), sp.Symbol("h", positive=True)
    drawn = pretty(Mixture((Component(1 / n, Gaussian(X[i], h**2), (i, 1, n)),)))
    assert "∑_i=1..n" in drawn and "𝒩" in drawn and "x⁽i⁾" in drawn


# --------------------------------------------------------------------------- plain text and LaTeX details

def test_plain_text_writes_measures_and_functions_in_the_courses_notation():
    from derivations.notation import plain
    from derivations.symbolic import KL, SquaredNorm

    z, x = sp.Symbol("z", real=True), sp.Symbol("x", real=True)
    p, q, f = sp.Function("p"), sp.Function("q_cond"), sp.Function("f")
    assert plain(KL(q(z, x), p(z), z)) == "KL(q(z | x) || p(z))"
    assert plain(f(x) + p(z)) == "f(x) + p(z)"
    assert plain(sp.Function("p_theta_joint")(x, z)) == "p_theta(x, z)"   # a joint density, not its class name
    assert plain(sp.Function("q_phi_post")(z, x)) == "q_phi(z | x)"
    assert plain(SquaredNorm(x - z)) == "||x - z||^2"


def test_a_squared_norm_in_the_terminal_uses_double_bars_around_one_line():
    from derivations.notation import pretty
    from derivations.symbolic import SquaredNorm

    x, mu = sp.Symbol("x", real=True), sp.Symbol("mu", real=True)
    assert pretty(SquaredNorm(2 * x)) == "‖2⋅x‖²"
    tall = pretty(SquaredNorm(x / (1 + mu)))
    assert "‖" not in tall and tall.count("\n") >= 2 and "²" in tall    # a fraction: bars drawn its height


def test_the_identity_of_a_gaussian_density_carries_its_size_only_when_the_vector_does_not_show_it():
    from derivations.symbolic import GaussianDensity

    a, b, d = sp.Symbol("a"), sp.Symbol("b"), sp.Symbol("d", integer=True, positive=True)
    x = sp.IndexedBase("x")
    assert latex(GaussianDensity(sp.Matrix([a, b]), 0, 1, 2)).endswith(r";\ 0,\ I\right)")
    assert latex(GaussianDensity(x, 0, 1, d)) == r"\mathcal{N}\left(x;\ 0,\ I_{d}\right)"
