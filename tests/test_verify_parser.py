"""The answer parser reads the homework's notation (LaTeX and plain text) into the same SymPy
objects, builds nothing it was not asked to, and reports bad input in one line with its position."""

import re

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from derivations.answercheck import AnswerError, verify_quantity
from derivations.symbolic import Mixture
from derivations.answercheck.parser import MAX_TOWER, density_of, parse, tower_height
from derivations.answercheck.vocabulary import Vocabulary
from derivations.symbolic import Gaussian, mixture
from derivations.answer import Quantity

abar = sp.Symbol("alphabar_t", positive=True)
x_0 = sp.Symbol("x_0", real=True)
x_1 = sp.Symbol("x_1", real=True)
t = sp.Symbol("t", positive=True)
xhat = sp.Symbol("xhat", real=True)
sigma_z = sp.Symbol("sigma_z", positive=True)
xi = sp.Symbol("x^{(i)}", real=True)
n = sp.Symbol("n", integer=True, positive=True)
i = sp.Symbol("i", integer=True, positive=True)
X = sp.IndexedBase("x", real=True)
Q = sp.IndexedBase("Q", positive=True)
z = sp.Symbol("z", real=True)
theta = sp.Symbol("theta", real=True)
NN = sp.Function("NN_theta")
p_cond = sp.Function("p_theta_cond")
prior = sp.Function("p")
UNIT = sp.Interval.open(0, 1)

SCALARS = Vocabulary([abar, x_0, x_1, t, xhat, sigma_z, xi, n])


def read(text, vocab=SCALARS, **kw):
    return parse(text, vocab, **kw)


def same(a, b) -> bool:
    """Equal as expressions (a norm's square may come out as (b - a)^2 for (a - b)^2; the sigmoid is
    read as the toolkit's unevaluated sigma)."""
    return a == b or sp.expand((a - b).doit()) == 0


@pytest.mark.parametrize("latex, plain, expected", [
    (r"\sqrt{\bar{\alpha}_t}\, x_0", "sqrt(abar_t)*x_0", sp.sqrt(abar) * x_0),
    (r"\sqrt{\bar\alpha_t} x_0", "sqrt(alphabar_t) x0", sp.sqrt(abar) * x_0),
    (r"\sqrt{\overline{\alpha}_{t}}\cdot x_{0}", "alphabar_t**(1/2)*x_0", sp.sqrt(abar) * x_0),
    (r"(1-\bar{\alpha_t})", "1 - abar_t", 1 - abar),
    (r"\frac12 \left(1 - t\right)^2", "(1-t)^2/2", (1 - t) ** 2 / 2),
    (r"\frac{1}{2}t x_1", "t*x_1/2", t * x_1 / 2),
    (r"e^{-\frac{\|\hat{x} - x_0\|^2}{2\sigma_z^2}}", "exp(-||xhat - x_0||^2/(2*sigma_z^2))",
     sp.exp(-(xhat - x_0) ** 2 / (2 * sigma_z**2))),
    (r"\exp\left(-\hat x^2\right)", "exp(-xhat^2)", sp.exp(-xhat**2)),
    (r"\log \frac{1}{\hat{x}}", "log(1/xhat)", sp.log(1 / xhat)),
    (r"\ln(t)", "ln(t)", sp.log(t)),
    (r"x^{(i)}", "x^(i)", xi),
    (r"\sum_{i=1}^{n} x^{(i)}", "sum_{i=1}^n x^(i)", sp.Sum(xi, (i, 1, n))),
    (r"t x_1", "tx_1", t * x_1),
    (r"x_0^\top x_1", "x_0^T x_1", x_0 * x_1),
    (r"$\sigma_z^2$", "sigma_z**2", sigma_z**2),
    (r"\sqrt[3]{t}", "t^(1/3)", t ** sp.Rational(1, 3)),
    (r"2^{-1}", "2^-1", sp.Rational(1, 2)),
    (r"0.25", ".25", sp.Rational(1, 4)),
    (r"\sigma(t)", "sigmoid(t)", 1 / (1 + sp.exp(-t))),
])
def test_latex_and_plain_text_read_to_the_same_expression(latex, plain, expected):
    assert same(read(latex), expected)
    assert same(read(plain), expected)


def test_a_distribution_reads_with_its_variable_label_and_identity():
    want = (sp.sqrt(abar) * x_0, 1 - abar)
    for text in (r"\mathcal{N}(\sqrt{\bar\alpha_t}x_0, (1-\bar\alpha_t)I)",
                 r"q(x_t|x_0) = \mathcal{N}\left(x_t; \sqrt{\bar{\alpha}_t}\,x_0,\ (1-\bar{\alpha}_t)\mathbf{I}\right)",
                 r"x_t \sim \mathcal N(x_t \mid \sqrt{\bar\alpha_t} x_0, (1-\bar\alpha_t) I_d)",
                 "N(sqrt(abar_t)*x_0, 1 - abar_t)"):
        d = read(text)
        assert isinstance(d, Mixture) and d.components[0].params == want


def test_vectors_mixtures_and_point_masses_read_as_written():
    v = Vocabulary([abar], dim=2)
    d = read(r"\frac12\mathcal{N}(\sqrt{\bar\alpha_t}[1,0]^\top, (1-\bar\alpha_t)I)"
             r" + \frac12\mathcal{N}(\sqrt{\bar\alpha_t}\begin{pmatrix}0\\1\end{pmatrix}, (1-\bar\alpha_t)I)", v)
    assert [c.weight for c in d.components] == [sp.Rational(1, 2)] * 2
    assert d.components[1].params[0] == sp.Matrix([0, sp.sqrt(abar)])
    assert read(r"\sqrt{\bar\alpha_t} e_2", v) == sp.Matrix([0, sp.sqrt(abar)])
    point = read(r"\delta_{x_1}")
    assert point.components[0].family == "point" and point.components[0].params == (x_1,)


def test_coordinates_make_a_vector_and_norms_sum_their_squares():
    x1, x2 = sp.symbols("xhat_1 xhat_2", real=True)
    v = Vocabulary([x1, x2, abar], dim=2)
    assert read(r"\hat{x}", v) == sp.Matrix([x1, x2])
    assert read(r"\|\hat x - \sqrt{\bar\alpha_t} e_1\|^2", v) == (x1 - sp.sqrt(abar)) ** 2 + x2**2


def test_where_clauses_define_names_in_any_order():
    a = read(r"w x_0 + (1 - w) x_1, where w = \sigma(s), s = t^2")
    assert a == read(r"\sigma(t^2) x_0 + (1-\sigma(t^2)) x_1")
    assert read(r"w x_0; w = t") == t * x_0
    assert read(r"w x_0 \text{ where } w = t") == t * x_0


def test_indexed_data_points_and_responsibilities_take_every_spelling():
    v = Vocabulary([Q, X, n, z, i], indices={Q: (z, i), X: (i,)})
    want = sp.Sum(Q[z, i] * X[i], (i, 1, n))
    for text in (r"\sum_{i=1}^n Q(z|x^{(i)}) x^{(i)}", r"\sum_{i=1}^{n} Q(z \mid x^i)\, x^i",
                 r"\sum_{i=1}^n Q_{z,i} x_i", "sum_{i=1}^n Q[z, i]*x[i]", r"\sum_i Q(z|x^i) x^i"):
        assert read(text, v) == want, text


def test_integrals_derivatives_and_conditional_densities():
    v = Vocabulary([X, n, i, z, p_cond, prior], indices={X: (i,)})
    loss = read(r"-\sum_{i=1}^n \log \int p_\theta(x^{(i)}|z)\, p(z)\,\mathrm{d}z", v)
    assert loss == -sp.Sum(sp.log(sp.Integral(p_cond(X[i], z) * prior(z), (z, -sp.oo, sp.oo))), (i, 1, n))
    assert read(r"\int_0^1 p(z) dz", v) == sp.Integral(prior(z), (z, 0, 1))
    g = Vocabulary([theta, z, NN], arity={NN: (theta, z)})
    grad = sp.Derivative(NN(theta, z), theta)
    assert read(r"\nabla_\theta NN_\theta(z)", g) == grad
    assert read(r"\frac{\partial NN_\theta(z)}{\partial \theta}", g) == grad
    assert read(r"\frac{\partial}{\partial\theta} NN_{\theta}(\theta, z)", g) == grad


@given(st.integers(-9, 9), st.integers(1, 9), st.integers(0, 5))
def test_fractions_and_powers_agree_between_notations(a, b, c):
    want = sp.Rational(a, b) * x_0**c
    assert read(rf"\frac{{{a}}}{{{b}}} x_0^{{{c}}}") == want
    assert read(f"({a})/{b}*x_0**{c}") == want


_atoms = st.sampled_from([abar, x_0, t, sigma_z, sp.Integer(2), sp.Rational(1, 3)])
_exprs = st.recursive(_atoms, lambda inner: st.one_of(
    st.tuples(inner, inner).map(lambda p: p[0] + p[1]),
    st.tuples(inner, inner).map(lambda p: p[0] * p[1]),
    st.tuples(inner, inner).map(lambda p: p[0] / p[1]),
    inner.map(sp.sqrt), inner.map(lambda e: sp.exp(-e)), inner.map(lambda e: e**2)),
    max_leaves=6).filter(lambda e: tower_height(e) <= MAX_TOWER)  # taller towers are refused by design


@given(_exprs)
def test_sympy_printed_latex_and_text_read_back_to_the_same_expression(expr):
    # equal up to SymPy's automatic distribution: -(a + b) c reads back as (-a - b) c
    assert same(read(sp.latex(expr)), expr)
    assert same(read(sp.sstr(expr)), expr)


def test_a_negated_sum_times_a_factor_reads_back_to_the_same_value():
    """Found by Hypothesis: SymPy prints exp(-(a + x) e^{-a}) so that it reads back as (-a - x) e^{-a}."""
    expr = sp.exp(sp.Mul(-1, abar + x_0, sp.exp(-abar)))
    got = read(sp.latex(expr))
    assert same(got, expr) and got.subs({abar: 2, x_0: 3}).evalf() == pytest.approx(float(expr.subs({abar: 2, x_0: 3})))


@pytest.mark.parametrize("text, fragment, position", [
    ("x_0 + y", "unknown symbol 'y'", 7),
    (r"\frac{1}{2", "'{' opened at position 9 is not closed", 11),
    ("((x_0)", "'(' opened at position 1 is not closed", 7),
    ("x_0)", "unbalanced ')'", 4),
    (r"\foo{x_0}", r"unknown command \foo", 1),
    ("x_0 +", "the answer ends too early", 6),
    ("x_0 ;, w = t", "a definition (name = value) should follow ';'", 5),
    ("x_0, w", "expected '='", None),
    (r"\mathcal{N}(x_0)", "a Gaussian takes a mean and a covariance", 1),
    (r"\mathcal{N}(I, 1)", "the identity I belongs in the covariance", 1),
    ("x_0 I", "the identity I only belongs in a covariance", None),
    (r"\mathcal{N}(0,1) - \mathcal{N}(1,1)", "not subtracted", 18),
    ("[1, 2] + 1", "cannot add a vector and a scalar", 8),
    ("x_0!", "unexpected '!'", 4),
    (r"\frac{1}{0}", "division by zero", 1),
    ("log(0)", "log(0) is undefined", 1),
    (r"\sum x^{(i)}", "a sum needs its index", 1),
    ("", "the answer is empty", None),
])
def test_bad_input_names_the_problem_and_its_position(text, fragment, position):
    with pytest.raises(AnswerError) as info:
        read(text)
    err = info.value
    assert fragment in str(err)
    assert "\n" not in str(err)
    if position is not None:
        assert err.position == position - 1


def test_unknown_symbols_list_the_accepted_ones_in_latex_and_plain_text():
    q = Quantity("mean", sp.sqrt(abar) * x_0, symbols=(abar, x_0), domains={abar: UNIT})
    with pytest.raises(AnswerError) as info:
        verify_quantity(q, r"\sqrt{\alpha_t} x_0")
    message = str(info.value)
    assert r"\bar{\alpha}_{t} (alphabar_t, abar_t)" in message and "x_{0} (x_0)" in message


def test_wrong_kind_of_answer_is_an_input_error_not_a_verdict():
    g = Quantity("q", Gaussian(x_0, 1), symbols=(x_0,))
    e = Quantity("e", x_0, symbols=(x_0,))
    with pytest.raises(AnswerError, match="asks for a distribution"):
        verify_quantity(g, "x_0")
    with pytest.raises(AnswerError, match="asks for an expression"):
        verify_quantity(e, r"\mathcal{N}(x_0, 1)")
    two = Quantity("m", mixture((sp.S.Half, sp.S.Half), (Gaussian(0, 1), Gaussian(1, 1))))
    assert verify_quantity(two, r"\frac12 N(1, 1) + \frac12 N(0, 1)").correct


# --------------------------------------------------------------------------- bare function names

a, b = sp.symbols("a b", positive=True)
PLAIN = Vocabulary([a, b, t, n])


@pytest.mark.parametrize("text, expected, noted", [
    # the argument of a bare name is the run of factors written next to it ...
    (r"\log 2 t", sp.log(2 * t), False),
    (r"\sin 2\pi t", sp.sin(2 * sp.pi * t), False),
    (r"\log t^2", sp.log(t**2), False),
    (r"\exp -t", sp.exp(-t), False),
    (r"\log a b", sp.log(a * b), True),
    (r"\exp -a t", sp.exp(-a * t), True),
    (r"\log \frac{1}{n}\sum_{i=1}^{n} a", sp.log(sp.Sum(a, (i, 1, n)) / n), True),
    # ... and it ends at + - /, at an explicit product and at the next function name
    (r"\log a + b", sp.log(a) + b, False),
    (r"\log a - b", sp.log(a) - b, False),
    (r"\log a / b", sp.log(a) / b, False),
    (r"\log a \cdot b", sp.log(a) * b, True),
    (r"\log a \times b", sp.log(a) * b, True),
    (r"\log a \log b", sp.log(a) * sp.log(b), False),
    (r"\sin a \cos b", sp.sin(a) * sp.cos(b), False),
    (r"\log a \operatorname{log} b", sp.log(a) * sp.log(b), False),
    (r"\log 2 \exp a", sp.log(2) * sp.exp(a), False),
    (r"\log \log a", sp.log(sp.log(a)), False),
    # brackets always decide; a power on the name squares the function
    (r"\log(a) b", sp.log(a) * b, False),
    (r"\log\left(a b\right)", sp.log(a * b), False),
    (r"\log^2 a", sp.log(a) ** 2, False),
    (r"\sin^2 t + \cos^2 t", sp.sin(t) ** 2 + sp.cos(t) ** 2, False),
])
def test_a_bare_function_takes_the_factors_next_to_it_up_to_an_operator_or_function(text, expected, noted):
    notes = []
    assert read(text, PLAIN, notes=notes) == expected
    assert bool(notes) == noted, notes


def test_the_note_on_an_ambiguous_bare_log_shows_both_readings_in_the_users_notation():
    notes = []
    read(r"\log a b + 1", PLAIN, notes=notes)
    (note,) = notes
    assert r"'\log a b' was read as \log(a b), not \log(a) b" in note
    notes = []
    read(r"\log a \cdot b", PLAIN, notes=notes)
    assert r"was read as \log(a) \cdot ..." in notes[0] and r"write \log(a \cdot ...)" in notes[0]


def test_the_verdict_shows_how_an_ambiguous_answer_was_read():
    q = Quantity("log-product", sp.log(a) * b, symbols=(a, b))
    v = verify_quantity(q, r"\log a b")
    assert not v.correct and v.notes and "note: a bare \\log takes all the factors" in v.report()
    assert v.to_json()["notes"] == list(v.notes)
    clear = verify_quantity(q, r"\log(a) b")
    assert clear.correct and clear.notes == () and "note:" not in clear.report()


def test_an_inverse_function_power_is_refused():
    with pytest.raises(AnswerError, match="inverse function"):
        read(r"\sin^{-1} t", PLAIN)


# --------------------------------------------------------------------------- uniform distributions


@pytest.mark.parametrize("text", [
    "U(0, 1)", r"\mathcal{U}[0,1]", r"\mathcal{U}(0, 1)", "Uniform(0, 1)", r"\mathrm{Unif}(0,1)", "Unif[0, 1]",
    r"F(x) \sim \mathcal{U}[0, 1]", r"\text{Uniform}(0,1)",
])
def test_every_spelling_of_the_unit_uniform_reads_as_the_same_distribution(text):
    d = read(text, PLAIN)
    assert isinstance(d, Mixture) and [(c.family, c.params) for c in d.components] == [("uniform", (0, 1))]


@pytest.mark.parametrize("text, fragment", [
    ("U(1, 0)", "needs low < high, got U(1, 0)"),
    ("U(a, a)", "needs low < high"),
    ("U(a + b, a)", "needs low < high"),
    ("U(0, 1, 2)", "takes the two ends of its interval"),
    ("U(0, I)", "takes the two ends of its interval"),
])
def test_a_uniform_with_an_empty_or_malformed_interval_is_an_input_error(text, fragment):
    with pytest.raises(AnswerError, match=re.escape(fragment)):
        read(text, PLAIN)


# --------------------------------------------------------------------------- the printer's vocabulary

f_ = sp.Function("f")
u_ = sp.Symbol("u", real=True)
mu_ = sp.Symbol("mu", real=True)
s2_ = sp.Symbol("sigma_z^2", positive=True)
P_ = sp.IndexedBase("p", positive=True)
K_ = sp.Function("K")
k_ = sp.Symbol("k", integer=True, positive=True)
PRINTED = Vocabulary([x_0, x_1, t, z, theta, n, i, u_, mu_, s2_, P_, k_, X, f_, K_, NN, p_cond],
                     arity={K_: (x_0, x_1, t), NN: (theta, z)}, indices={X: (i,), P_: (k_,)})


@pytest.mark.parametrize("text, expected", [
    (r"\frac{d}{d x_{0}} f{\left(x_{0} \right)}", sp.Derivative(f_(x_0), x_0)),
    (r"\frac{d^{2}}{d x_{0}^{2}} x_{0}^{3}", sp.Derivative(x_0**3, (x_0, 2))),
    (r"\frac{\partial^{2}}{\partial z\partial \theta} f{\left(\theta,z \right)}", sp.Derivative(f_(theta, z), theta, z)),
    (r"\frac{df}{dz}", None),  # f alone is a function: needs its argument (checked below)
    (r"\frac{\partial}{\partial x^{(i)}} \left(x^{(i)}\right)^{2}", sp.Derivative(X[i]**2, X[i])),  # in an entry
    (r"\frac{\partial (x_i)^2}{\partial x_i}", sp.Derivative(X[i]**2, X[i])),
    (r"\frac{\partial}{\partial x_{i}} x_i t", sp.Derivative(t * X[i], X[i])),
    (r"\frac{\partial}{\partial \theta} n \log{\left(\theta \right)}", sp.Derivative(n * sp.log(theta), theta)),
    (r"\frac{\partial^{2}}{\partial {p}_{k}^{2}} \log{\left({p}_{k} \right)}", sp.Derivative(sp.log(P_[k_]), (P_[k_], 2))),
    (r"\left. f{\left(z \right)} \right|_{\substack{ z=x_{0} + 1 }}", sp.Subs(f_(z), z, x_0 + 1)),
    (r"\left.\frac{\partial f(z)}{\partial z}\right|_{z=x_0}", sp.Subs(sp.Derivative(f_(z), z), z, x_0)),
    (r"\frac{d f(z)}{dz}\Big|_{z=t}", sp.Subs(sp.Derivative(f_(z), z), z, t)),
    (r"\lim_{t \to 1^-} \left(1 - t\right)^{2}", sp.Limit((1 - t)**2, t, 1, "-")),
    (r"\lim_{x_{0} \to 0^+}\left(x_{0} z\right)", sp.Limit(x_0 * z, x_0, 0, "+")),
    (r"\lim_{n \to \infty} \frac{1}{n}", sp.Limit(1 / n, n, sp.oo)),
    ("lim_{t->1^-} (1 - t)^2", sp.Limit((1 - t)**2, t, 1, "-")),  # the plain-text arrow
    ("lim_{x_0 -> 0} x_0 z", sp.Limit(x_0 * z, x_0, 0, "+-")),
    (r"\prod_{i=1}^{n} x^{(i)}", sp.Product(X[i], (i, 1, n))),
    (r"\prod_{i=1}^{3} t", t**3),
    (r"\int\limits_{0}^{1} e^{- z^{2}}\, dz", sp.Integral(sp.exp(-z**2), (z, 0, 1))),
    (r"\int_z f(z)\, dz", sp.Integral(f_(z), (z, -sp.oo, sp.oo))),
    (r"\int_{\mathbb{R}} f(z) \mathrm{d}z", sp.Integral(f_(z), (z, -sp.oo, sp.oo))),
    (r"\int_\mathbb{R} f(z)\, dz", sp.Integral(f_(z), (z, -sp.oo, sp.oo))),  # a styled script without braces
    (r"\sum_{\substack{1 \leq i \leq n\\1 \leq k \leq 3}} t", sp.Sum(t, (i, 1, n), (k_, 1, 3))),
    (r"{x}_{i}", X[i]),
    (r"\left(x^{(i)}\right)^{2}", X[i]**2),
    (r"\sigma^{2}_{z}", s2_),
    (r"\operatorname{erf}{\left(x_{0} \right)} + \operatorname{erfinv}{\left(t \right)}", sp.erf(x_0) + sp.erfinv(t)),
    (r"\operatorname{asinh}{\left(x_{0} \right)} \cosh{\left(z \right)}", sp.asinh(x_0) * sp.cosh(z)),
    (r"\min\left(x_{0}, z\right) + \max\left(1, t\right)", sp.Min(x_0, z) + sp.Max(1, t)),
    (r"\operatorname{logit}(t)", sp.log(t / (1 - t))),
    (r"\operatorname{sig}\left(z\right)", 1 / (1 + sp.exp(-z))),
    (r"\operatorname{NN}_{\theta}{\left(\theta,z \right)}", NN(theta, z)),
    (r"K_{t}(x_{0}, x_{1})", K_(x_0, x_1, t)),
    (r"f^{2}{\left(z \right)}", f_(z)**2),
    (r"\mathbb{E}_{z \sim q}\left[t x_0\right]", t * x_0),
    (r"\frac12\left[x_0 + x_1\right]", (x_0 + x_1) / 2),
    (r"\mathbf{x}_0 + \boldsymbol{x}_1", x_0 + x_1),
    (r"\hat\mu", mu_),
    (r"tx^{(i)}", t * X[i]),
    (r"tx_1", t * x_1),
    (r"\delta\left(z - x_0\right)", sp.DiracDelta(z - x_0)),
])
def test_the_printers_notation_reads_as_the_object_printed(text, expected):
    if expected is None:
        return
    got = read(text, PRINTED)
    if isinstance(got, Mixture):  # a distribution written at a point, as a number: its density there
        got = density_of(got)
    assert got == expected or sp.simplify((got - expected).doit()) == 0, (got, expected)


def test_a_gaussian_at_a_point_is_a_number_inside_arithmetic():
    v = Vocabulary([x_0, t, n, X, i], indices={X: (i,)})
    got = read(r"\frac{\mathcal N(x_0; t x^{(i)}, (1-t)^2 I)}{\sum_j \mathcal N(x_0; t x^{(j)}, (1-t)^2 I)}", v)
    j = sp.Symbol("j", integer=True, positive=True)
    from derivations.symbolic import GaussianDensity

    want = GaussianDensity(x_0, t * X[i], (1 - t)**2) / sp.Sum(GaussianDensity(x_0, t * X[j], (1 - t)**2), (j, 1, n))
    assert got == want
    assert read(r"\log \mathcal{N}(x_0; t, 1)", v) == sp.log(GaussianDensity(x_0, t, 1))


@pytest.mark.parametrize("text", [r"\delta(x - x_1)", r"\delta_{x_1}(x)", r"\delta(x_1 - x)", r"\delta_{x_1}"])
def test_a_point_mass_names_its_variable_in_any_of_the_usual_ways(text):
    d = read(text, Vocabulary([x_1]))
    assert isinstance(d, Mixture) and d.components[0].family == "point" and d.components[0].params == (x_1,)


@pytest.mark.parametrize("text, fragment", [
    ("x_1^{2}^{3}", "double superscript"),
    (r"x^{(i)}^{2}", "double superscript"),
    (r"\frac{\partial^{3}}{\partial x_0^{2}} x_0", "says order 3, its denominator 2"),
    (r"\lim_{t} t", "variable and point"),
    (r"\left. x_0 \right|_{2=1}", "expected a symbol"),
])
def test_latex_errors_in_the_new_notation_are_refused(text, fragment):
    with pytest.raises(AnswerError, match=re.escape(fragment)):
        read(text, Vocabulary([x_0, x_1, t, X, i], indices={X: (i,)}))


@pytest.mark.parametrize("text, expected", [
    (r"p.", t), (r"t \\", t), (r"\[ t \]", t), (r"\( t \)", t), ("t,", t),
    (r"u, \quad 0 \le u \le 1", u_), (r"t x_1, \quad x_1 \sim p(z)", t * x_1), (r"t, t \in (0, 1)", t),
])
def test_punctuation_delimiters_and_conditions_after_the_answer_are_not_part_of_it(text, expected):
    v = Vocabulary([t, u_, x_1, sp.Symbol("p", positive=True)])
    got = read(text.replace("p.", "t."), v)
    assert got == expected


def test_x_squared_is_a_square_where_the_part_has_a_symbol_x_and_data_points_x_i():
    x, X = sp.Symbol("x", real=True), sp.IndexedBase("X", real=True)  # as in question 9
    v = Vocabulary([x, t, n, X], indices={X: (i,)})
    body = read(r"\sum_{i=1}^n \exp(-\frac{x^2-2txx^{(i)}+t^2(x^{(i)})^2}{2(1-t)^2})", v)
    (term,) = body.atoms(sp.Sum)
    assert term.function.has(x**2) and term.function.has(X[term.limits[0][0]]**2)
    assert read("x^2", v) == x**2 and read("x^{(2)}", v) == X[2] and read("x_2", v) == X[2]


# --------------------------------------------------------------------------- choices with several right options

from derivations.answer import Choice, Quantity  # noqa: E402
from derivations.answercheck.verdict import parse_choices, verify_quantity  # noqa: E402

_TWO_WAYS = Quantity("correct option", Choice(("first reading", "second reading", "a third thing"), correct={1, 2}))


@pytest.mark.parametrize("text, chosen", [("1", {1}), ("(b)", {2}), (r"\{1, 2\}", {1, 2}), ("1 and 2", {1, 2}),
                                          ("both a and b", {1, 2}), ("options 1, 3", {1, 3}), ("{a,b,c}", {1, 2, 3})])
def test_a_set_of_options_is_read_as_a_set(text, chosen):
    assert parse_choices(text, _TWO_WAYS.value) == frozenset(chosen)


@pytest.mark.parametrize("text", ["1", "2", r"\{1,2\}", "both (a) and (b)"])
def test_any_nonempty_set_of_correct_options_is_correct_and_names_what_it_left_out(text):
    r = verify_quantity(_TWO_WAYS, text, part_id="x")
    assert r.correct and r.exit_code == 0
    left = {1, 2} - parse_choices(text, _TWO_WAYS.value)
    assert any(f"option {k} is correct as well" in n for n in r.notes for k in left) or not left


@pytest.mark.parametrize("text", ["3", "1 and 3", r"\{1, 2, 3\}", "c"])
def test_a_set_holding_a_wrong_option_is_incorrect_and_says_which(text):
    r = verify_quantity(_TWO_WAYS, text, part_id="x")
    assert not r.correct and r.exit_code == 1
    assert any("option 3 is not correct" in n for n in r.notes), r.report()


def test_an_unknown_symbol_lists_each_accepted_name_once_in_both_spellings():
    k = sp.Symbol("k", integer=True, positive=True)
    table = sp.IndexedBase("Q", positive=True)
    cond, joint = sp.Function("p_theta_cond"), sp.Function("p_theta_joint")
    vocab = Vocabulary([z, table, cond, joint], arity={cond: (z, z), joint: (z, z)}, indices={table: (k, i)})
    with pytest.raises(AnswerError) as err:
        read("w", vocab)
    accepted = str(err.value).split("(accepted: ", 1)[1]
    assert accepted.split("; ") == [
        "z (z)",
        "Q_{k,i} (Q[k, i], Q(k | x^i))",                         # the printer's form is the same: once
        r"p_{\theta}(\cdot \mid \cdot) (p_theta(a | b))",        # a conditional density with its bar
        r"p_{\theta}(\cdot, \cdot) (p_theta(a, b)))",
    ]


@pytest.mark.parametrize("name, formula", [("GaussianDensity", True), ("Sigmoid", True), ("p", False),
                                           ("NN_theta", False), ("exp", False)])
def test_only_the_courses_own_functions_say_what_they_compute(name, formula):
    from derivations import symbolic
    from derivations.answercheck.vocabulary import has_formula
    from derivations.symbolic.networks import network

    cls = {"GaussianDensity": symbolic.GaussianDensity, "Sigmoid": symbolic.Sigmoid,
           "p": sp.Function("p"), "NN_theta": network("NN_theta"), "exp": sp.exp}[name]
    assert has_formula(cls) is formula


@pytest.mark.parametrize("text", ["x_5", "x^{(5)}", r"x_{5}", "x^{(i)}"])
def test_a_subscript_or_superscript_the_part_does_not_have_is_an_unknown_symbol_not_the_bare_name(text):
    x = sp.Symbol("x", real=True)
    with pytest.raises(AnswerError, match="unknown symbol"):
        read(text, Vocabulary([x]))


@pytest.mark.parametrize("text", ["x_1", "x^{(1)}", r"x_{1}"])
def test_an_index_written_up_or_down_finds_the_one_name_the_part_has(text):
    assert read(text, Vocabulary([x_1])) == x_1


@pytest.mark.parametrize("text", [r"x^{(i)}_{j}", r"x_{j}^{(i)}"])
def test_a_name_with_both_scripts_is_not_one_with_a_script_moved(text):
    """x^{(i)}_j (a coordinate of a data point) is not x^{(j)} where the part has only that."""
    with pytest.raises(AnswerError, match="unknown symbol"):
        read(text, Vocabulary([sp.Symbol("x^{(j)}", real=True)]))


def test_the_accepted_names_offer_the_vector_and_its_unit_vectors():
    x_2 = sp.Symbol("x_2", real=True)
    vocab = Vocabulary([x_1, x_2], dim=2)
    with pytest.raises(AnswerError) as err:
        read("w", vocab)
    assert str(err.value).endswith("x (x = [x_1, x_2]); e_1, e_2 (e_1, e_2 (unit vectors of length 2)))")
    assert read("e_2", vocab) == sp.Matrix([0, 1])


def test_a_definition_needs_a_word_such_as_where_and_an_empty_text_is_none():
    assert read(r"x_0 + s, \text{where } s = 1", SCALARS) == x_0 + 1
    for text in (r"x_0 + s, \text{} s = 1", r"x_0 \text{}"):
        with pytest.raises(AnswerError, match=r"unknown symbol"):
            read(text, SCALARS)


@pytest.mark.parametrize("text, what", [(r"\sum_{i=1}^{[1, 2]} x_0", "sum"), (r"\sum_{i=[1,2]}^{n} x_0", "sum"),
                                        (r"\prod_{i=1}^{I} x_0", "product"), (r"\sum_{i=1}^{I_2} x_0", "sum")])
def test_a_sum_or_product_with_a_vector_or_matrix_as_a_limit_is_refused_in_one_line(text, what):
    with pytest.raises(AnswerError, match=f"the limits of a {what} must be numbers or symbols"):
        read(text, SCALARS)


@pytest.mark.parametrize("text, expected", [(r"x_\text{0}", x_0), (r"\sigma_\mathrm{z}^2", sigma_z**2),
                                            (r"x_\mathrm{1} - x_{\text{0}}", x_1 - x_0)])
def test_a_styled_subscript_without_braces_is_its_letters(text, expected):
    assert read(text, SCALARS) == expected


@pytest.mark.parametrize("text", [r"\sum_{j=1}^{n} t + j", r"\sum_{j=1}^{3} t + j", r"\prod_{j=1}^{n} t \cdot j + j"])
def test_the_index_of_a_sum_is_unknown_after_the_sum(text):
    with pytest.raises(AnswerError, match="unknown symbol 'j'"):
        read(text, SCALARS)


@pytest.mark.parametrize("text, expected", [
    (r"[x_0, x_1] + 0", sp.Matrix([x_0, x_1])),                    # adding zero keeps the vector
    (r"0 + [x_0, x_1]", sp.Matrix([x_0, x_1])),
    (r"[x_0, x_1] [x_0, x_1]^T", x_0**2 + x_1**2),                 # a row times a column: a number
    (r"[x_0, x_1]^T [x_0, x_1]", sp.Matrix([[x_0**2, x_0 * x_1], [x_0 * x_1, x_1**2]])),
])
def test_vectors_add_and_multiply_as_matrices(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize("text, message", [
    (r"[x_0, x_1] + 1", "cannot add a vector and a scalar"),
    (r"[x_0, x_1]^T [x_0, x_1]^T", r"cannot multiply two column vectors: write u\^\\top v"),
    (r"\begin{pmatrix}x_0\\x_1\end{pmatrix}\begin{pmatrix}x_0\\x_1\end{pmatrix}", "two column vectors"),
    (r"[x_0, x_1] [x_0, x_1]", "cannot multiply a 1x2 and a 1x2 matrix"),
])
def test_vector_arithmetic_that_has_no_meaning_is_refused_saying_why(text, message):
    with pytest.raises(AnswerError, match=message):
        read(text)


@pytest.mark.parametrize("text", [r"p_\theta(x_0)", r"p_\theta(x_0, z)"])
def test_a_conditional_density_called_without_its_bar_says_how_to_write_it(text):
    cond = sp.Function("p_theta_cond")
    vocab = Vocabulary([x_0, z, cond], arity={cond: (x_0, z)})
    with pytest.raises(AnswerError, match=r"write this function as p_\{\\theta\}\(\\cdot \\mid \\cdot\)"):
        read(text, vocab)
    assert read(r"p_\theta(x_0 | z)", vocab) == cond(x_0, z)


def test_a_symbol_with_a_subscript_beside_data_points_of_the_same_letter_keeps_its_name():
    """x_0 is the part's symbol x_0, not the data point X[0]; x^{(i)} is the data point."""
    from derivations.notation import DataPoints

    data = DataPoints("X", real=True)
    vocab = Vocabulary([x_0, data, i, n], indices={data: (i,)})
    assert read("x_0", vocab) == x_0
    assert read("x_0 + x^{(i)}", vocab) == x_0 + data[i]
    with pytest.raises(AnswerError, match="unknown symbol 'x_i'"):
        read("x_i", vocab)


@pytest.mark.parametrize("name", ["x^{(j)}", "x_i"])
def test_a_name_with_both_scripts_is_neither_of_its_one_script_names(name):
    """x^{(i)}_j is not x_i nor x^{(j)} where the part has only one of those."""
    with pytest.raises(AnswerError, match="unknown symbol"):
        read(r"x^{(i)}_{j}", Vocabulary([sp.Symbol(name, real=True)]))


@pytest.mark.parametrize("text, weights, means", [
    ("0.5 N(0, 1) + 0.5 N(1, 1)", [sp.Rational(1, 2)] * 2, [0, 1]),
    (r"\frac{1}{2}\mathcal{N}(0, 1) + \frac{1}{2}\mathcal{N}(x_0, 1)", [sp.Rational(1, 2)] * 2, [0, x_0]),
    (r"t\,\mathcal{N}(0, 1) + (1 - t)\mathcal{N}(x_0, 1)", [t, 1 - t], [0, x_0]),
    (r"\mathcal{N}(0, 1)\, t + \mathcal{N}(x_0, 1)(1-t)", [t, 1 - t], [0, x_0]),   # the weight after the density
])
def test_a_weighted_sum_of_distributions_is_a_mixture(text, weights, means):
    value = read(text)
    assert isinstance(value, Mixture)
    assert [c.weight for c in value.components] == weights
    assert [c.dist.mean for c in value.components] == means


def test_a_distribution_weighted_by_a_vector_is_refused_in_one_line():
    with pytest.raises(AnswerError, match="a distribution can only be weighted by a number or an expression"):
        read(r"\mathcal{N}(0, 1) \cdot [1, 2]")


@pytest.mark.parametrize("text, position", [(r"\nabla_w x_0", 8), (r"\nabla_{w} x_0", 9), (r"\partial_w x_0", 10)])
def test_a_gradient_in_a_name_the_part_lacks_is_refused_at_that_name(text, position):
    with pytest.raises(AnswerError, match=f"a derivative is taken with respect to a symbol of this part at position "
                                          f"{position}.*accepted: "):
        read(text, PRINTED)
    assert read(r"\nabla_\theta \theta^2", PRINTED) == sp.Derivative(theta**2, theta)


@pytest.mark.parametrize("text, expected", [
    (r"\sqrt{[x_0, x_1][x_0, x_1]^T}", sp.sqrt(x_0**2 + x_1**2)),     # a row times a column is a number
    (r"e^{[x_0, x_1][x_0, x_1]^T}", sp.exp(x_0**2 + x_1**2)),          # wherever it stands
])
def test_a_dot_product_of_written_vectors_is_a_number_inside_functions_and_exponents(text, expected):
    assert read(text) == expected
