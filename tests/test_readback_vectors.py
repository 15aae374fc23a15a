r"""Printed = verified for vectors of R^d: a vector used whole (p(x)), its coordinates {x}_{j} beside
data points x^{(i)}_{j}, the coordinates before the i-th x_{<i}, sums over a coordinate's values,
integrals over R^d and Jacobian determinants read back as the printer writes them, and as students
write them."""

import pytest
import sympy as sp

import derivations
from derivations.answercheck import vectors_read
from derivations.answercheck.errors import AnswerError
from derivations.answercheck.parser import density_of, parse
from derivations.answercheck.readback import read_back, vocabulary_of
from derivations.notation import DataPoints, latex
from derivations.notation.printers import Prefix
from derivations.symbolic import GaussianDensity, JacobianDeterminant, VectorIntegral
from derivations.symbolic.distributions import Mixture
from derivations.symbolic.vectors import VectorOf

x = sp.IndexedBase("x", real=True)
z = sp.IndexedBase("z", real=True)
mu = sp.IndexedBase("mu", real=True)
sigma = sp.IndexedBase("sigma", positive=True)
weight = sp.IndexedBase("p", positive=True)
X = DataPoints("X", real=True)
before = Prefix("x")
d, n, k, K = sp.symbols("d n k K", integer=True, positive=True)
i, j, c, v = sp.symbols("i j z v", integer=True, positive=True)
u = sp.Symbol("u", real=True)
h = sp.Symbol("h", positive=True)
p, phat, p_theta = sp.Function("p"), sp.Function("phat"), sp.Function("p_theta")
p_cond = sp.Function("p_theta_cond")
g_inv = sp.Function("g^{-1}")

kde = sp.Sum(GaussianDensity(x, X[i], h**2, d), (i, 1, n)) / n
mixture = sp.Sum(weight[c] * GaussianDensity(x, mu[c], sigma[c] ** 2, d), (c, 1, k))
jacobian = JacobianDeterminant(g_inv(x), x)
flow = sp.Abs(jacobian) * GaussianDensity(g_inv(x), 0, 1, d)
chain_rule = sp.Product(p_cond(x[i], before[i]), (i, 1, d))

#: Every kind of line the derivations of questions 1 and 2 print with vectors.
PRINTED = {
    "a density of the vector": p(x),
    "an estimate of it": phat(x),
    "a model's density": p_theta(x),
    "the log of a density": sp.log(p(x)),
    "kernel density estimate": kde,
    "mixture density": mixture,
    "integral over R^d": VectorIntegral(kde, x, d),
    "integral of a mixture": VectorIntegral(mixture, x, d),
    "coordinates beside data points": sp.Sum(VectorIntegral(sp.Product(
        GaussianDensity(x[j], X[i, j], h**2), (j, 1, d)), x, d), (i, 1, n)) / n,
    "coordinates beside a mean's": sp.Sum(weight[c] * VectorIntegral(sp.Product(
        GaussianDensity(x[j], mu[c, j], sigma[c] ** 2), (j, 1, d)), x, d), (c, 1, k)),
    "data point coordinates alone": sp.Sum(sp.Product(sp.Integral(
        GaussianDensity(u, X[i, j], h**2), (u, -sp.oo, sp.oo)), (j, 1, d)), (i, 1, n)) / n,
    "integral over a latent vector": VectorIntegral(p_cond(x, z) * GaussianDensity(z, 0, 1, k), z, k),
    "Jacobian determinant": jacobian,
    "change of variables": flow,
    "log of a change of variables": sp.log(flow),
    "log-determinant split off": sp.log(sp.Abs(jacobian)) + sp.log(GaussianDensity(g_inv(x), 0, 1, d)),
    "prefix beside coordinates": chain_rule,
    "sum over a coordinate's values": sp.Sum(p_cond(x[k], before[k]) * sp.Product(
        p_cond(x[i], before[i]), (i, 1, k - 1)), (x[k], 1, K)),
    "sums up to a coordinate": sp.Product(sp.Sum(p_cond(v, before[i]), (v, 1, x[i]))
                                          - sp.Sum(p_cond(v, before[i]), (v, 1, x[i] - 1)), (i, 1, d)),
    "a vector given by its coordinates": VectorOf(sp.Sum(weight[i] * X[i, j], (i, 1, n)) / n, (j, 1, d)),
    "a column holding one": sp.Matrix([sp.Sum(weight[i], (i, 1, n)) / n,
                                       VectorOf(sp.Sum(weight[i] * X[i, j], (i, 1, n)) / n, (j, 1, d))]),
    "inverse sampling interval": sp.Product(sp.Integral(1, (u, sp.Sum(p_cond(v, before[i]), (v, 1, x[i] - 1)),
                                                            sp.Sum(p_cond(v, before[i]), (v, 1, x[i])))), (i, 1, d)),
}


def _value(text, vocab):
    value = parse(text, vocab, limit=20_000)
    return density_of(value) if isinstance(value, Mixture) else value


@pytest.mark.parametrize("name", list(PRINTED))
def test_a_printed_vector_line_reads_back_as_the_same_object(name):
    expr = PRINTED[name]
    result = read_back(expr)
    assert result.ok, f"{result.printed!r}: {result.reason}"
    assert _value(latex(expr), vocabulary_of(expr)) == expr, latex(expr)


def test_the_spellings_read_are_the_printers():
    assert vectors_read.JACOBIAN == "J" and latex(jacobian).startswith(r"\det " + vectors_read.JACOBIAN + "_")
    assert vectors_read.DOMAIN == ("mathbb", "R") and r"\mathbb{R}^{d}" in latex(VectorIntegral(p(x), x, d))
    assert latex(before[i]) == "x_{<i}" and latex(x[j]) == "{x}_{j}" and latex(X[i, j]) == "x^{(i)}_{j}"


QUESTIONS_1_AND_2 = ["1a.i", "1a.ii", "1a.iii", "1a.iv", "1a.v", "1a.vi", "1b.i", "1b.ii", "1b.iii", "1b.iv",
                     "1b.v", "1b.vi", "2a", "2b"]


def test_every_line_of_questions_1_and_2_reads_back():
    from derivations.homeworks import registry

    reg = registry()
    failures = []
    for part in QUESTIONS_1_AND_2:
        registration = reg.registration(part)
        if registration is None:
            continue
        for chain in registration.build().chains:
            for line in [chain.start, *(step.expr for step in chain.steps)]:
                result = read_back(line, seconds=10)
                if not result.ok:
                    failures.append(f"{part}: {result.printed[:100]}: {result.reason[:200]}")
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------- as students write them

STUDENTS = [
    (VectorIntegral(p(x), x, d), [r"\int_{\mathbb{R}^d} p(x)\,dx", r"\int_{\mathbb{R}^{d}} p(x) \, d x",
                                  r"\int p(x)\, dx", r"\int_x p(x)\, dx", "int_{R^d} p(x) dx"]),
    (sp.Abs(jacobian), [r"|\det J_{g^{-1}}(x)|", r"\left|\det J_{g^{-1}}\left(x\right)\right|",
                        r"|\det(J_{g^{-1}}(x))|", r"\left|\det \frac{\partial g^{-1}(x)}{\partial x}\right|",
                        "|det J_{g^{-1}}(x)|", "abs(det J_{g^{-1}}(x))"]),
    (flow, [r"|\det J_{g^{-1}}(x)| \mathcal{N}(g^{-1}(x); 0, I_d)",
            r"\mathcal{N}(g^{-1}(x); 0, I) \cdot |\det J_{g^{-1}}(x)|"]),
    (p_cond(x[i], before[i]), [r"p_\theta(x_i \mid x_{<i})", r"p_{\theta}(x_i | x_{1:i-1})",
                               r"p_\theta(x_{i} \mid x_{\lt i})", "p_theta(x_i | x_(<i))", "p_theta(x_i | x_<i)"]),
    (chain_rule, [r"\prod_{i=1}^d p_\theta(x_i \mid x_{<i})", r"\prod_{i=1}^{d} p_{\theta}\left({x}_{i} \mid x_{<i}\right)"]),
    (sp.Sum(p_cond(x[k], before[k]), (x[k], 1, K)), [r"\sum_{x_k=1}^{K} p_\theta(x_k \mid x_{<k})",
                                                     r"\sum_{{x}_{k}=1}^K p_\theta(x_k | x_{<k})"]),
    (sp.Product(GaussianDensity(x[j], X[i, j], h**2), (j, 1, d)),
     [r"\prod_{j=1}^d \mathcal{N}(x_j; x^{(i)}_j, h^2)", r"\prod_{j=1}^{d} \mathcal{N}\left({x}_{j};\ x^{(i)}_{j},\ h^{2}\right)"]),
    (kde, [r"\frac{1}{n}\sum_{i=1}^n \mathcal{N}(x; x^{(i)}, h^2 I_d)", r"\frac{1}{n}\sum_{i} \mathcal{N}(x; x_i, h^2 I)",
           r"\frac1n \sum_{i=1}^{n} \mathcal{N}(x \mid x^{(i)}, h^2 I)"]),
    (VectorOf(sp.Sum(X[i, j], (i, 1, n)) / n, (j, 1, d)), [r"\left(\frac{1}{n}\sum_{i=1}^n x^{(i)}_j\right)_{j=1}^{d}",
                                                         r"(\frac{\sum_{i=1}^{n} x^{(i)}_{j}}{n})_{j=1}^d"]),
    (VectorIntegral(p_cond(x, z) * GaussianDensity(z, 0, 1, k), z, k),
     [r"\int_{\mathbb{R}^k} p_\theta(x \mid z)\, \mathcal{N}(z; 0, I_k)\, dz", r"\int p_\theta(x|z) \mathcal{N}(z; 0, I) dz"]),
]


@pytest.mark.parametrize("reference, text", [(r, t) for r, texts in STUDENTS for t in texts], ids=lambda a: str(a)[:40])
def test_a_student_spelling_reads_as_the_object(reference, text):
    assert _value(text, vocabulary_of(reference)) == reference


@pytest.mark.parametrize("text, message", [
    (r"\int_{\mathbb{R}^d} p(x)\, dx_1", "variable of integration"),
    (r"\int_0^1 p(x)\, dx", "domain"),
    (r"\int_{\mathbb{R}_d} p(x)\, dx", "domain"),     # R with a subscript, not a power
    (r"\int_{R d} p(x)\, dx", "domain"),
    (r"\det J_{h}(x)", "map of the part"),
    (r"\det x", "Jacobian determinant"),
])
def test_a_malformed_vector_form_is_refused_in_one_line(text, message):
    vocab = vocabulary_of(VectorIntegral(p(x), x, d) + jacobian)
    with pytest.raises(AnswerError, match=message):
        parse(text, vocab)


def test_a_vector_is_not_read_whole_where_the_part_only_indexes_it():
    with pytest.raises(AnswerError, match="needs an index"):
        parse(r"\mu + 1", vocabulary_of(mu[c] + 1))


@pytest.mark.parametrize("part, text", [
    ("1a.i", r"\frac{1}{n}\sum_{i=1}^n \mathcal{N}(x; x^{(i)}, h^2 I_d)"),
    ("1a.i", r"\frac{1}{n}\sum_{i} \mathcal{N}(x \mid x_i, h^2 I)"),
    ("1a.ii", r"\prod_{i=1}^d p_\theta(x_i \mid x_{<i})"),
    ("1a.iii", r"\sum_{z=1}^k p_z \mathcal{N}(x; \mu_z, \sigma_z^2 I_d)"),
    ("1a.iv", r"\log|\det J_{g^{-1}}(x)| + \log \mathcal{N}(g^{-1}(x); 0, I_d)"),
    ("1b.iv", r"\mathcal{N}(g^{-1}(x); 0, I_d) \left|\det \frac{\partial g^{-1}(x)}{\partial x}\right|"),
    ("1b.v", r"\int_{\mathbb{R}^k} p_\theta(x \mid z) \mathcal{N}(z; 0, I_k)\, dz"),
])
def test_a_right_answer_with_vectors_is_accepted(part, text):
    verdict = derivations.verify(part, text)
    assert verdict.correct and verdict.exit_code == 0, verdict.report()


# --------------------------------------------------------------------------- dot products of vectors by coordinates


@pytest.mark.parametrize("answer", [r"\sigma(\theta^\top x)^y (1-\sigma(\theta^\top x))^{1-y}",
                                    r"\sigma(x^T\theta)^y(1-\sigma(x^T\theta))^{1-y}",
                                    r"\sigma(\theta^{\top}x)^y \left(1-\sigma(\theta^{\top}x)\right)^{1-y}"])
def test_a_dot_product_of_two_vectors_given_by_coordinates_reads_as_their_sum(answer):
    from derivations import verify

    assert verify("2a", answer).status == "correct"


def test_a_wrong_dot_product_answer_is_incorrect_and_a_bare_vector_is_refused_in_one_line():
    from derivations import verify
    from derivations.answercheck.errors import AnswerError

    assert verify("2a", r"\sigma(\theta^\top x)^{1-y} (1-\sigma(\theta^\top x))^{y}").status == "incorrect"
    with pytest.raises(AnswerError, match="is a vector here") as err:
        verify("2a", r"\sigma(\theta x)")
    assert "\n" not in str(err.value)


def test_two_dot_products_in_one_product_are_both_read():
    """theta^T x theta^T x is the square of the sum (a wrong answer to 2a, judged, not refused)."""
    from derivations import verify

    square = r"\sigma(\theta^\top x \, \theta^\top x)^y (1-\sigma(\theta^\top x\, \theta^\top x))^{1-y}"
    assert verify("2a", square).status == "incorrect"
    assert verify("2a", r"\sigma(x^\top\theta)^y (1-\sigma(\theta^\top x))^{1-y}").status == "correct"


@pytest.mark.parametrize("obj, whole", [
    (x, True), (sp.IndexedBase("Q"), True),
    (X, False), (before, False), (sp.Symbol("x"), False),
])
def test_only_a_plain_indexed_base_may_stand_for_a_whole_vector(obj, whole):
    """Data points, a prefix x_{<i} or a symbol are never a vector of coordinates x_j."""
    assert vectors_read._plain_base(obj) is whole


@pytest.mark.parametrize("text", [r"p_\theta(x_i \mid x_{<[1, 2]})", r"p_\theta(x_i \mid x_{1:[1, 2]})"])
def test_the_coordinates_before_a_vector_are_refused_in_one_line(text):
    with pytest.raises(AnswerError) as err:
        parse(text, vocabulary_of(chain_rule))
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("text", [r"\sum x{x_k=1}^{K} p_\theta(x_k \mid x_{<k})", r"\sum^{K}_{x_k=1} p_\theta(x_k \mid x_{<k})"])
def test_a_sum_over_a_coordinate_needs_its_subscript_right_after_the_sum(text):
    vocab = vocabulary_of(PRINTED["sum over a coordinate's values"])
    assert parse(r"\sum_{x_k=1}^{K} p_\theta(x_k \mid x_{<k})", vocab) == sp.Sum(p_cond(x[k], before[k]), (x[k], 1, K))
    with pytest.raises(AnswerError, match="sum"):
        parse(text, vocab)


def test_a_jacobians_subscript_unclosed_or_naming_no_map_is_refused_saying_what_is_accepted():
    vocab = vocabulary_of(VectorIntegral(p(x), x, d) + jacobian)
    with pytest.raises(AnswerError, match=r"'\{' is not closed at position 8"):
        parse(r"\det J_{g^{-1}(x)", vocab)
    with pytest.raises(AnswerError) as err:
        parse(r"\det J_{h}(x)", vocab)
    assert str(err.value).startswith("the subscript of J names a map of the part at position 9")
    assert r"(accepted: " in str(err.value) and r"g^{-1}(\cdot) (g^{-1}(...))" in str(err.value)
