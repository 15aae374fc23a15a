"""The toolkit's arbitrary networks in coordinates, points given by coordinates, probabilities of
events and lazy expectations: their derivatives follow the rules SymPy applies to functions of
finitely many arguments (checked against SymPy itself for drawn dimensions), and they print as
the course writes them."""

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations.notation import latex, plain, pretty
from derivations.symbolic import Expect, GaussianDensity, Uniform
from derivations.symbolic.expectation import Prob
from derivations.symbolic.networks import Point, network

j, a, k, d = sp.symbols("j a k d", integer=True, positive=True)
theta, phi, s = sp.symbols("theta_l phi_l sigma", real=True)
NN, ENC = network("NN_theta"), network("NN_phi")
zb, xb, eps = sp.IndexedBase("z"), sp.IndexedBase("x"), sp.IndexedBase("epsilon")
G = Point(sp.Symbol("z"), a, ENC(a, phi, xb) + s * eps[a], k)


def test_the_same_name_gives_the_same_network_and_points_ignore_their_index():
    assert network("NN_theta") is NN and NN(j, theta, zb) == network("NN_theta")(j, theta, zb)
    b = sp.Symbol("b", integer=True, positive=True)
    assert Point(sp.Symbol("z"), b, ENC(b, phi, xb) + s * eps[b], k) == G
    assert G.coordinate(j) == ENC(j, phi, xb) + s * eps[j] and G[j].doit() == G.coordinate(j)


def test_derivatives_in_a_parameter_a_coordinate_and_through_a_point():
    assert sp.diff(NN(j, theta, zb), theta) == sp.Derivative(NN(j, theta, zb), theta)
    assert sp.diff(NN(j, theta, zb), zb[a]) == NN.jacobian(j, a, theta, zb)
    assert sp.diff(NN(j, theta, zb), phi) == 0 and sp.diff(NN(j, theta, G), theta) == sp.Derivative(NN(j, theta, G), theta)
    through = sp.diff(NN(j, theta, G), phi)
    expected = sp.Sum(NN.jacobian(j, a, theta, G) * sp.Derivative(ENC(a, phi, xb), phi), (a, 1, k))
    assert through.as_dummy() == expected.as_dummy()
    vector = sp.Symbol("z")  # a symbol standing for a whole vector: its coordinates are unknown
    assert isinstance(sp.diff(NN(j, theta, vector), vector), sp.Derivative)


@given(st.integers(1, 3), st.lists(st.floats(-2, 2), min_size=6, max_size=6), st.floats(-1, 1))
@settings(max_examples=25, deadline=None)
def test_the_chain_rule_through_a_point_agrees_with_sympy_in_every_dimension(dim, coeffs, at):
    # concrete maps: h(c_1..c_k) = sum_b w_b sin(c_b) + w0 c_1 c_k, coordinates c_b(phi) = v_b phi^2 + e_b
    t = sp.Symbol("t", real=True)
    w, v = coeffs[:3], coeffs[3:]
    cs = sp.symbols(f"c1:{dim + 1}", real=True)
    h = sum(sp.Float(w[b]) * sp.sin(cs[b]) for b in range(dim)) + sp.Float(coeffs[0]) * cs[0] * cs[-1]
    coords = [sp.Float(v[b]) * t**2 + sp.Float(0.3 * b) for b in range(dim)]
    direct = sp.diff(h.subs(dict(zip(cs, coords))), t)
    # the same through the toolkit, with k = dim, then the network replaced by h
    point = Point(sp.Symbol("z"), a, sp.Function("c")(a, t), dim)
    general = sp.diff(NN(1, theta, point), t).doit()
    concrete = general.replace(lambda e: isinstance(e, NN.jacobian),
                               lambda e: sp.diff(h, cs[int(e.args[1]) - 1]).subs(dict(zip(cs, coords))))
    concrete = concrete.replace(lambda e: isinstance(e, sp.Derivative) and e.expr.func == sp.Function("c"),
                                lambda e: sp.diff(coords[int(e.expr.args[0]) - 1], t))
    assert float(concrete.subs(t, at)) == pytest.approx(float(direct.subs(t, at)), rel=1e-9, abs=1e-9)


def test_networks_points_and_probabilities_print_as_the_course_writes_them():
    assert latex(NN(j, theta, G)) == r"\mathrm{NN}_{\theta}(z)_{j}"
    assert latex(NN.jacobian(j, a, theta, G)) == r"\frac{\partial \mathrm{NN}_{\theta}(z)_{j}}{\partial z_{a}}"
    assert latex(sp.Derivative(ENC(a, phi, xb), phi)) == r"\frac{\partial \mathrm{NN}_{\phi}(x)_{a}}{\partial \phi_{l}}"
    assert latex(G[a]) == "z_{a}" and plain(NN(j, theta, G)) == "NN_theta(z)_j" and pretty(G[a]) == "zₐ"
    x, u = sp.Symbol("x", real=True), sp.Symbol("u", positive=True)
    F = sp.Function("F")
    assert latex(Prob(F(x) <= u, x, 1)) == r"P\left(F{\left(x \right)} \leq u\right)"
    assert plain(Prob(sp.And(0 <= x, x <= 1), x, 1)) == "P(0 <= x <= 1)"
    assert latex(sp.Function("Phi^{-1}")(u)) == r"\Phi^{-1}\left(u\right)"


def test_probabilities_integrate_the_density_over_the_event():
    z = sp.Symbol("z", real=True)
    c = sp.Symbol("c", positive=True)
    assert Prob(z <= c, z, 1, 0, 1).doit() == c
    assert sp.simplify(Prob(sp.And(0 <= z, z <= 1), z, GaussianDensity(z, 0, 1)).doit() - sp.erf(sp.sqrt(2) / 2) / 2) == 0
    assert Prob(z >= c, z, sp.exp(-z), 0, sp.oo).doit() == sp.exp(-c)
    F = sp.Function("F")
    event = Prob(F(z) <= c, z, 1)
    assert event.doit() == event and event.is_nonnegative  # an event SymPy cannot solve stays as it is


def test_expectations_of_unknown_densities_stay_expectations_and_differentiate_inside():
    z = sp.Symbol("z", real=True)
    q, g = sp.Function("q", positive=True), sp.Function("g", real=True)
    e = Expect(g(z, theta) ** 2, z, q(z))
    assert isinstance(e.doit(), Expect) and e.is_nonnegative
    assert sp.diff(e, theta) == Expect(sp.diff(g(z, theta) ** 2, theta), z, q(z))
    m = sp.Symbol("m", real=True)
    assert sp.simplify(Expect(z**2, z, GaussianDensity(z, m, 1)).doit() - (m**2 + 1)) == 0  # known densities integrate


def test_a_uniform_distribution_has_its_density_at_its_point():
    u = sp.Symbol("u", real=True)
    dist = Uniform(0, 2, at=u)
    assert dist.pdf(sp.S.Half) == sp.S.Half and dist.pdf(3) == 0 and dist.with_params(0, 1).at == u
