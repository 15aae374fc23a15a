"""Printed = verified for measures and networks: the probability of an event, expectations (under a
named density, a Gaussian, a product of densities, nested), the KL divergence, a network's output
coordinate and Jacobian entry, and a coordinate of a point are each read back from the line the
printer writes as the *same* toolkit object; users' spellings of them read too."""

import pytest
import sympy as sp

from derivations.answercheck import measures
from derivations.answercheck.compare import compare_expressions
from derivations.answercheck.errors import AnswerError
from derivations.answercheck.parser import parse
from derivations.answercheck.readback import read_back, vocabulary_of
from derivations.answercheck.vocabulary import Vocabulary
from derivations.notation import DataPoints, latex
from derivations.notation.printers import CourseLatexPrinter
from derivations.symbolic import KL, Expect, GaussianDensity
from derivations.symbolic.expectation import Prob
from derivations.symbolic.networks import Coordinate, Point, network

x, z, u, v = sp.symbols("x z u v", real=True)
xbar = sp.Symbol("xbar", real=True)
sigma = sp.Symbol("sigma", positive=True)
theta_l, phi_l = sp.symbols("theta_l phi_l", real=True)
j, a, d, k, K = sp.symbols("j a d k K", integer=True, positive=True)
F, f, p = sp.Function("F"), sp.Function("f"), sp.Function("p")
F_inv = sp.Function("F^{-1}")
q_cond = sp.Function("q_phi_cond")
p_cond, p_joint, p_post = sp.Function("p_theta_cond"), sp.Function("p_theta_joint"), sp.Function("p_theta_post")
p_theta = sp.Function("p_theta")
Z = DataPoints("z", real=True)
xs, eps = sp.IndexedBase("x", real=True), sp.IndexedBase("epsilon", real=True)
NN, enc = network("NN_theta"), network("NN_phi")
STANDARD = GaussianDensity(z, 0, 1)

PRINTED = {
    "probability of an event": Prob(F(x) <= u, x, f(x)),
    "probability under an inverse": Prob(x <= F_inv(u), x, f(x)),
    "probability on [0, 1]": Prob(F_inv(z) <= v, z, 1, 0, 1),
    "probability of an interval": Prob(sp.And(0 <= z, z <= 1), z, STANDARD),
    "derivative of a probability": sp.Derivative(Prob(F(x) <= u, x, f(x)), u),
    "expectation under a density": Expect((xbar - F(z))**2 + 1, z, p(z)),
    "expectation plus a constant": Expect((xbar - F(z))**2, z, p(z)) + 1,
    "nested expectation": Expect(Expect((x - xbar)**2, x, GaussianDensity(x, F(z), 1)), z, p(z)),
    "expectation under a product": Expect(sp.log(sp.Sum(p_cond(x, Z[j]), (j, 1, K)) / K), Z,
                                          sp.Product(p(Z[j]), (j, 1, K))),
    "log of an expectation": sp.log(Expect(p_cond(x, z), z, p(z))),
    "expectation under a conditional": Expect(sp.log(p_joint(x, z) / q_cond(z, x)), z, q_cond(z, x)),
    "KL divergence": sp.log(p_theta(x)) - KL(q_cond(z, x), p_post(z, x), z),
    "network coordinate": sp.Sum((xs[j] - NN(j, theta_l, z))**2, (j, 1, d)) / (2 * sigma**2),
    "derivative of an expectation": sp.Derivative(Expect(-sp.Sum((xs[j] - NN(j, theta_l, z))**2, (j, 1, d)), z,
                                                         q_cond(z, xs)), theta_l),
}


def _point():
    return Point(z, a, sigma * eps[a] + enc(a, phi_l, xs), k)


@pytest.mark.parametrize("name", list(PRINTED))
def test_each_printed_measure_reads_back_as_the_same_object(name):
    expr = PRINTED[name]
    back = read_back(expr)
    assert back.ok, (back.printed, back.reason)
    value = parse(back.printed, vocabulary_of(expr), limit=20_000)
    assert value == expr or measures.same_measure(value, expr, lambda s, t: s == t or None), (value, expr)


def test_a_point_coordinate_a_network_at_it_and_its_jacobian_read_back():
    g = _point()
    lines = [
        -sp.Sum((g[a] - enc(a, phi_l, xs))**2, (a, 1, k)) / (2 * sigma**2),
        sp.Sum(NN.jacobian(j, a, theta_l, g) * (xs[j] - NN(j, theta_l, g)), (j, 1, d)),
        sp.Derivative(enc(a, phi_l, xs), phi_l) * g[a],
    ]
    for expr in lines:
        back = read_back(expr)
        assert back.ok, (back.printed, back.reason)
    value = parse(latex(g[a]), vocabulary_of(lines[0]))
    assert value == Coordinate(g, a)


def test_every_printed_line_of_question_3_reads_back():
    from derivations.vae import elbo_chains, latent_chains

    chains = []
    for made in (latent_chains.pit_chains(), latent_chains.inverse_cdf_chain(), latent_chains.normal_cdf_chain(),
                 latent_chains.gaussian_decoder_chain(), latent_chains.undefined_option_chain(),
                 latent_chains.loss_chains(), latent_chains.monte_carlo_loss_chains(), elbo_chains.bayes_chain(),
                 elbo_chains.decomposition_chain(), elbo_chains.bound_chains(),
                 elbo_chains.likelihood_minus_kl_chain(), elbo_chains.decoder_gradient_chain(),
                 elbo_chains.encoder_chains()):
        chains.extend(made if isinstance(made, tuple) else (made,))
    bad = [(b.printed[:100], b.reason) for c in chains for e in (c.start, *(s.expr for s in c.steps))
           if not (b := read_back(e)).ok]
    assert not bad, bad


class _Swapped(CourseLatexPrinter):
    """A printer that writes KL(p || q) for KL(q || p)."""

    def _print_KL(self, expr):
        return super()._print_KL(KL(expr.args[1], expr.args[0], expr.args[2]))


@pytest.mark.parametrize("expr, printed", [
    (KL(q_cond(z, x), p_post(z, x), z), lambda e: _Swapped().doprint(e)),
    (Expect(F(z), z, p(z)), lambda e: r"\mathbb{E}_{p(z)}\left[F(z)^{2}\right]"),
    (Expect(F(z), z, p(z)), lambda e: r"\mathbb{E}_{q_{\phi}(z \mid x)}\left[F(z)\right]"),
    (Prob(F(x) <= u, x, f(x)), lambda e: r"P\left(F(x) \geq u\right)"),
])
def test_a_line_that_prints_another_measure_does_not_read_back(expr, printed):
    assert not read_back(expr, printer=printed).ok


# --------------------------------------------------------------------------- users' spellings

q = sp.Function("q_cond")
pj = sp.Function("p_joint")
USER = Vocabulary([x, z, u, q, pj, F, f], arity={q: (z, x), pj: (x, z)})


@pytest.mark.parametrize("text, expected", [
    (r"P(x \le u)", Prob(x <= u, x, measures.UNSTATED(x))),
    (r"P(F(x) \le u)", Prob(F(x) <= u, x, measures.UNSTATED(x))),
    (r"\Pr(x < u)", Prob(x < u, x, measures.UNSTATED(x))),
    (r"\mathbb{P}(x > u)", Prob(x > u, x, measures.UNSTATED(x))),
    (r"E_{q(z|x)}[\log p(x,z)]", Expect(sp.log(pj(x, z)), z, q(z, x))),
    (r"\mathbb{E}_{z \sim q}\left[\log p(x, z)\right]", Expect(sp.log(pj(x, z)), z, q(z, x))),
    (r"\mathbb{E}_{z \sim q(z \mid x)}\left[F(z)\right]", Expect(F(z), z, q(z, x))),
    (r"\mathbb{E}_{q(z|x)} F(z)", Expect(F(z), z, q(z, x))),
    (r"\mathbb{E}_{\mathcal{N}(x; 0, 1)}[F(x)]", Expect(F(x), x, GaussianDensity(x, 0, 1))),
    (r"\mathrm{KL}(q(z|x) \| q(z|x))", KL(q(z, x), q(z, x), z)),
    (r"KL(q(z|x) || q(z|x))", KL(q(z, x), q(z, x), z)),
    (r"D_{KL}\left[q(z|x)\,\|\,q(z|x)\right]", KL(q(z, x), q(z, x), z)),
    (r"D_\mathrm{KL}(q(z|x) \| q(z|x))", KL(q(z, x), q(z, x), z)),
    (r"\operatorname{KL}(q(z\mid x)\Vert q(z\mid x))", KL(q(z, x), q(z, x), z)),
])
def test_users_spellings_of_measures_read_as_the_toolkit_objects(text, expected):
    value = parse(text, USER)
    assert value == expected or measures.same_measure(value, expected, lambda s, t: s == t or None), value


def test_a_probability_without_an_event_is_refused_in_one_line():
    with pytest.raises(AnswerError, match="event"):
        parse("P(u)", USER)


def test_an_expectation_whose_subscript_names_no_density_is_the_plain_expectation():
    t, x_0 = sp.symbols("t x_0", real=True)
    assert parse(r"\mathbb{E}_{z \sim q}\left[t x_0\right]", Vocabulary([t, x_0, z])) == t * x_0


def test_an_expectation_read_compares_with_the_integral_a_reference_writes():
    user = Expect(p_cond(x, z), z, p(z))
    ref = sp.Integral(p(z) * p_cond(x, z), (z, -sp.oo, sp.oo))
    assert compare_expressions(user, ref).correct
    assert measures.as_integrals(KL(q(z, x), p(z), z)) == \
        sp.Integral(q(z, x) * sp.log(q(z, x) / p(z)), (z, -sp.oo, sp.oo))


def test_the_reader_takes_its_names_from_the_printer():
    assert latex(Prob(x <= u, x, f(x))).startswith(measures.PROBABILITY_WORDS[0])
    assert measures.KL_WORDS[0] in latex(KL(q(z, x), p(z), z))


def test_a_jacobian_in_a_coordinate_of_a_data_point_reads_back_on_its_own():
    """The line names the network it differentiates, so the network belongs to its vocabulary
    even where the line has only the Jacobian entry (the derivative of NN(x)_a in x_j)."""
    entry = enc.jacobian(a, j, phi_l, xs)
    back = read_back(entry)
    assert back.ok, (back.printed, back.reason)
    assert parse(back.printed, vocabulary_of(entry)) == entry
    other = enc.jacobian(a, j + 1, phi_l, xs)
    assert not read_back(entry, printer=lambda e: latex(other)).ok


@pytest.mark.parametrize("value, is_density", [
    (p(z), True),
    (STANDARD, True),
    (sp.Product(p(Z[j]), (j, 1, K)), True),
    (sp.exp(z), False),                      # a function with a formula is not a density's name
    (z, False),
    (sp.Product(sp.exp(Z[j]), (j, 1, K)), False),
    (sp.Product(p(Z[j]) * sp.exp(Z[j]), (j, 1, K)), False),
])
def test_what_an_expectations_subscript_may_name_as_its_density(value, is_density):
    assert measures._is_density(value) is is_density


def test_measures_are_compared_argument_by_argument_and_only_expressions_are_proved_equal():
    asked = []

    def prove(s, t):
        assert isinstance(s, sp.Expr) and isinstance(t, sp.Expr), (s, t)
        asked.append((s, t))
        return "proved" if sp.expand(s - t) == 0 else None

    assert measures.same_measure(Expect((z + 1)**2, z, p(z)), Expect(z**2 + 2 * z + 1, z, p(z)), prove)
    assert asked == [((z + 1)**2, z**2 + 2 * z + 1)]
    assert not measures.same_measure(Expect(z, z, p(z)), Expect(z + 1, z, p(z)), prove)
    either = Prob(sp.Or(z < 0, z > 1), z, p(z))
    assert not measures.same_measure(either, Prob(u, z, p(z)), prove)      # an event against an expression
    assert not measures.same_measure(Prob(u, z, p(z)), either, prove)
    assert measures.same_measure(Prob(z >= 0, z, p(z)), Prob(0 <= z, z, p(z)), prove)
    assert not measures.same_measure(Expect(z, z, p(z)), KL(p(z), p(z), z), prove)
