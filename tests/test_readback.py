"""Printed = verified: every line the LaTeX printer writes is read back by the answer reader and
proved equal to the expression printed; a printer that drops what the reader needs is caught."""

import time

import pytest
import sympy as sp
import sympy.stats as sps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derivations.answercheck.readback import SECONDS, read_back, vocabulary_of
from derivations.notation import DataPoints, latex
from derivations.notation.printers import CourseLatexPrinter
from derivations.symbolic import Gaussian, GaussianDensity, Sigmoid, mixture
from derivations.symbolic.distributions import PointMass

x = sp.Symbol("x", real=True)
z = sp.Symbol("z", real=True)
t = sp.Symbol("t", positive=True)
abar = sp.Symbol("alphabar_t", positive=True)
abar_prev = sp.Symbol("alphabar_{t-1}", positive=True)
sigma_z = sp.Symbol("sigma_z", positive=True)
x_t1 = sp.Symbol("x_{t,1}", real=True)
x_hat1 = sp.Symbol("xhat_1", real=True)
theta = sp.Symbol("theta", real=True)
n = sp.Symbol("n", integer=True, positive=True)
i = sp.Symbol("i", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
X = DataPoints("x", real=True)
Q = sp.IndexedBase("Q", positive=True)
NN = sp.Function("NN_theta")
p_cond = sp.Function("p_theta_cond")
p_joint = sp.Function("p_theta_joint")
w = sps.Normal("w", 0, 1)
J = sp.Dummy("j", integer=True, positive=True)


def ok(expr):
    result = read_back(expr)
    assert result.ok, f"{result.printed!r}: {result.reason}"
    return result


# --------------------------------------------------------------------------- the printer's whole vocabulary

EXAMPLES = {
    "fraction and roots": sp.sqrt(abar) * x / (1 - abar) + sp.root(t, 3),
    "exp and log": sp.exp(-(x - t) ** 2 / (2 * (1 - t) ** 2)) * sp.log(2 * sp.pi * sigma_z**2),
    "sum over data points": sp.Sum((X[i] - x) ** 2, (i, 1, n)) / n,
    "dummy-indexed sum": sp.Sum(X[J] ** 2 / n, (J, 1, n)),
    "product": sp.Product(1 + X[i], (i, 1, n)),
    "integral with limits": sp.Integral(sp.exp(-z**2 / 2), (z, -sp.oo, t)),
    "integral of a density": sp.Integral(sp.exp(t * z) * GaussianDensity(z, t * x, (1 - t) ** 2), (z, -sp.oo, sp.oo)),
    "derivative": sp.Derivative(NN(theta, z), theta),
    "second derivative": sp.Derivative(sp.log(GaussianDensity(x, t, sigma_z**2)), (x, 2)),
    "mixed partial": sp.Derivative(sp.Function("f")(x, t), x, t),
    "derivative of a product": sp.Derivative(n * sp.log(Sigmoid(theta)), theta),
    "derivative before another factor": sp.Derivative(sp.Function("f")(x), x) * sp.Subs(
        sp.Derivative(sp.Function("g")(z), z), z, sp.Function("f")(x)),
    "evaluation at a point": sp.Subs(sp.Derivative(NN(theta, z), z), z, x + sigma_z * t),
    "limit from below": sp.Limit((1 - t) ** 2 * x, t, 1, "-"),
    "limit at infinity": sp.Limit(n * sp.log(Sigmoid(theta)), theta, sp.oo),
    "matrix": sp.Matrix([[x, 1], [sp.sqrt(abar), t]]),
    "column": sp.Matrix([x - sp.sqrt(abar), x_hat1 / sp.sqrt(1 - abar)]),
    "transpose": sp.Matrix([[x, t]]).T,
    "abs and norm": sp.Abs(x - t) + sp.sqrt((x - t) ** 2 + x_t1**2),
    "data point squared": sp.Sum(X[i] ** 2 * Q[k, i], (i, 1, n)),
    "Gaussian density": GaussianDensity(x, t * X[i], (1 - t) ** 2),
    "Gaussian density of a vector": GaussianDensity(sp.Matrix([x, z]), sp.Matrix([t, 0]), 1 - abar),
    "Gaussian density in d coordinates": GaussianDensity(x, t, 1 - abar, k),
    "sigmoid": Sigmoid(sp.sqrt(abar) * (x_hat1 - x) / (1 - abar)),
    "conditional density": sp.log(p_cond(x, z)) - sp.log(p_joint(x, z)),
    "network": (x - NN(theta, z)) ** 2 / (2 * sigma_z**2),
    "bar alpha": sp.sqrt(abar_prev) * (1 - abar) + abar,
    "hat and comma subscripts": x_hat1 * x_t1,
    "expectation": sps.Expectation((sp.sqrt(abar) * x + sp.sqrt(1 - abar) * w) ** 2),
    "unevaluated difference, negated": x**2 - sp.UnevaluatedExpr(x - t**2) + t,
    "special functions": sp.erf(x / sp.sqrt(2)) + sp.erfinv(2 * t - 1) + sp.asinh(x) * sp.cosh(t),
    "min and max": sp.Min(x, t) + sp.Max(0, x),
    "Dirac delta": sp.Integral(GaussianDensity(z, t * x, 1) * sp.DiracDelta(z - X[i]), (z, -sp.oo, sp.oo)),
    "superscripted names": sp.Symbol("sigma_z^2", positive=True) * sp.Symbol("x^{(1)}", real=True),
}


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_kind_of_printed_line_reads_back_to_the_value_printed(name):
    ok(EXAMPLES[name])


@pytest.mark.parametrize("dist", [
    Gaussian(sp.sqrt(abar) * x, 1 - abar),
    mixture((sp.Rational(1, 2), sp.Rational(1, 2)), (Gaussian(sp.Matrix([sp.sqrt(abar), 0]), 1 - abar),
                                                      Gaussian(sp.Matrix([0, sp.sqrt(abar)]), 1 - abar))),
    mixture((Sigmoid(x), 1 - Sigmoid(x)), (PointMass(x_hat1), PointMass(t))),
])
def test_distributions_read_back_component_by_component(dist):
    ok(dist)


# --------------------------------------------------------------------------- printer bugs found by reading back


def test_a_negated_unevaluated_difference_keeps_its_parentheses():
    """8c typeset -UnevaluatedExpr(m_2 - mu^2) + c^2 - 2 c mu + m_2 as '- m_2 - mu^2 + ...'."""
    m2, mu, c = sp.symbols("m_2 mu c", real=True)
    expr = -sp.UnevaluatedExpr(m2 - mu**2) + c**2 - 2 * c * mu + m2
    assert r"- \left(m_{2} - \mu^{2}\right)" in latex(expr)
    ok(expr)
    ok(-sp.UnevaluatedExpr(m2 - mu**2))
    assert latex(-sp.UnevaluatedExpr(m2 - mu**2)) == r"- \left(m_{2} - \mu^{2}\right)"


def test_a_power_of_a_data_point_is_not_a_double_superscript():
    assert latex(X[i] ** 2) == r"\left(x^{(i)}\right)^{2}"
    ok(sp.Sum(X[i] ** 2, (i, 1, n)))


def test_a_derivative_followed_by_another_factor_is_bracketed():
    f = sp.Function("f")
    printed = latex(sp.Derivative(f(x), x) * sp.Limit(f(t), t, 0))
    assert printed.startswith(r"\left(\frac{d}{d x} f{\left(x \right)}\right)")
    ok(sp.Derivative(f(x), x) * sp.Limit(f(t) * x, t, 0) * sp.Derivative(f(t), t))


def test_the_dimension_of_a_density_of_d_coordinates_is_printed():
    assert latex(GaussianDensity(x, t, 1 - abar, k)).endswith(r"\, I_{k}\right)")


# --------------------------------------------------------------------------- planted printer bugs are caught


class DropsParentheses(CourseLatexPrinter):
    """A planted bug: sums inside products and negations lose their brackets."""

    def _needs_mul_brackets(self, expr, first=False, last=False):
        return False

    def _needs_add_brackets(self, expr):
        return False

    def _print_Mul(self, expr):
        return super(CourseLatexPrinter, self)._print_Mul(expr)


class DropsDerivativeOrder(CourseLatexPrinter):
    """A planted bug: a second derivative printed as a first."""

    def _print_Derivative(self, expr):
        return super()._print_Derivative(sp.Derivative(expr.expr, *[v for v, _ in expr.variable_count]))


class SwapsConditional(CourseLatexPrinter):
    """A planted bug: p(x | z) printed as p(z | x)."""

    def _print_Function(self, expr, exp=None):
        if type(expr).__name__.endswith("_cond"):
            return super()._print_Function(type(expr)(*reversed(expr.args)), exp)
        return super()._print_Function(expr, exp)


@pytest.mark.parametrize("printer, expr", [
    (DropsParentheses, (x + t) * (x - t)),
    (DropsParentheses, -sp.UnevaluatedExpr(x - t**2) + x),
    (DropsParentheses, sp.exp((x + t) * z)),
    (DropsDerivativeOrder, sp.Derivative(x**3 * t, (x, 2))),
    (SwapsConditional, sp.log(p_cond(x, z)) + z**2),
], ids=["product of sums", "negated difference", "exponent", "derivative order", "conditional"])
def test_a_printer_that_loses_meaning_fails_its_read_back(printer, expr):
    result = read_back(expr, printer=lambda e: printer().doprint(e))
    assert not result.ok and result.reason, result
    assert ok(expr)  # the course's printer gets it right


# --------------------------------------------------------------------------- never raises, always in time


@pytest.mark.parametrize("expr, fragment", [
    ("not sympy", "internal error"),
    (sp.Symbol("y", real=True) * sp.Symbol("y", positive=True), "cannot name every symbol apart"),
])
def test_a_read_back_that_cannot_be_done_says_why_and_never_raises(expr, fragment):
    result = read_back(expr)
    assert not result.ok and fragment in result.reason


def test_a_printer_that_raises_is_reported():
    def broken(expr):
        raise RuntimeError("boom")

    result = read_back(x, printer=broken)
    assert not result.ok and "RuntimeError: boom" in result.reason


def test_a_read_back_stops_at_its_time_limit():
    start = time.perf_counter()
    slow = sp.Integral(sp.exp(-z**2) * sp.cos(z * x) ** 3, (z, -sp.oo, sp.oo))
    result = read_back(slow + 1, printer=lambda e: latex(slow) + " + 2", seconds=0.5)
    assert time.perf_counter() - start < 0.5 + 1.5  # the explanation is bounded too
    assert not result.ok


def test_the_vocabulary_of_an_expression_names_its_bound_and_random_symbols():
    vocab = vocabulary_of(sp.Sum(X[i] * w, (i, 1, n)))
    names = {e.latex() for e in vocab.entries}
    assert {"x^{(i)}", "i", "n", "w"} <= names


# --------------------------------------------------------------------------- property: print -> read -> equal

_symbols = st.sampled_from([x, z, t, abar, abar_prev, sigma_z, x_t1, x_hat1])
_positive = st.sampled_from([t, abar, sigma_z, 1 - abar, (1 - t) ** 2, sp.Integer(2)])
_numbers = st.sampled_from([sp.Integer(1), sp.Integer(2), sp.Rational(1, 2), sp.Rational(-3, 4), sp.pi])


def _extend(inner):
    inner = inner.filter(lambda e: bool(e.free_symbols))  # a number alone would be evaluated by SymPy, at length
    return st.one_of(
        st.tuples(inner, inner).map(lambda p: p[0] + p[1]),
        st.tuples(inner, inner).map(lambda p: p[0] - p[1]),
        st.tuples(inner, inner).map(lambda p: p[0] * p[1]),
        st.tuples(inner, _positive).map(lambda p: p[0] / p[1]),
        st.tuples(inner, st.integers(2, 3)).map(lambda p: p[0] ** p[1]),
        inner.map(lambda e: sp.exp(-e**2)),
        _positive.map(sp.sqrt),
        _positive.map(sp.log),
        inner.map(Sigmoid),
        st.tuples(inner, inner, _positive).map(lambda p: GaussianDensity(p[0], p[1], p[2])),
        inner.map(lambda e: sp.Sum(e * X[i], (i, 1, n))),
        inner.map(lambda e: sp.Sum((X[i] - e) ** 2, (i, 1, n)) / n),
        inner.map(lambda e: sp.Integral(sp.exp(-z**2) * (1 + e**2), (z, -sp.oo, sp.oo))),
        inner.map(lambda e: sp.Derivative(e * x, x)),
        inner.map(lambda e: sp.Derivative(e, t, evaluate=False)),
        inner.map(lambda e: sps.Expectation(e * w + w**2)),
        inner.map(lambda e: sp.Abs(e)),
        inner.map(lambda e: -sp.UnevaluatedExpr(e - t)),
        st.tuples(inner, inner).map(lambda p: sp.sqrt(p[0] ** 2 + p[1] ** 2)),
    )


_expressions = st.recursive(st.one_of(_symbols, _numbers), _extend, max_leaves=6)


def _tower(expr) -> int:
    if not isinstance(expr, sp.Basic) or expr.is_Atom:
        return 0
    return max((_tower(a) for a in expr.args), default=0) + int(isinstance(expr, sp.exp))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.nested_given,
                                                                   HealthCheck.filter_too_much])
@given(_expressions.filter(lambda e: _tower(e) <= 2))
def test_any_expression_of_the_course_reads_back_to_itself(expr):
    ok(expr)


def test_read_back_is_fast_on_typical_lines():
    lines = [EXAMPLES[name] for name in ("exp and log", "sum over data points", "Gaussian density", "sigmoid",
                                         "bar alpha", "derivative", "evaluation at a point")]
    times = sorted(read_back(e).seconds for e in lines)
    assert times[len(times) // 2] < 0.2  # median; about 20 ms on an idle machine
    assert max(times) < SECONDS


# --------------------------------------------------------------------------- printed = verified, in a chain


def test_a_chain_whose_printed_line_reads_back_differently_is_at_best_checked():
    from derivations.chain import derive
    from derivations.notation import latex
    from derivations.status import Status

    x = sp.Symbol("x", real=True)
    chain = derive("a square expanded", sp.UnevaluatedExpr(x + 1) ** 2, (x**2 + 2 * x + 1, "expand the square"))
    honest = chain.verify(read_back=read_back)
    assert honest.verdict is Status.PROVED and all(s.printed_verified for s in honest.steps)

    def lying(expr):  # a printer that drops the linear term of the expanded line
        return read_back(expr, printer=lambda e: latex(e).replace("2 x + ", ""))
    shown = chain.verify(read_back=lying)
    step = shown.steps[0]
    assert step.verdict is Status.PROVED and step.printed_verified is False
    assert step.standing is Status.CHECKED and shown.verdict is Status.CHECKED
    assert "does not read back" in step.printed_reason and step.to_json()["printed_verified"] is False


def test_the_runner_reads_every_printed_line_back():
    from derivations.runner import run_part

    result = run_part("1a.ii", with_checks=False)
    assert result.chains and all(s.printed_verified is not None for c in result.chains for s in c.steps)


def test_point_masses_whose_atoms_alone_carry_some_symbols_read_back():
    from derivations.symbolic import point_masses

    a, x1, x2 = sp.Symbol("alphabar_t", positive=True), sp.Symbol("xhat_1", real=True), sp.Symbol("xhat_2", real=True)
    p1, p2 = sp.symbols("p_1 p_2", positive=True)
    atoms = [sp.Matrix([x1 - sp.sqrt(a), x2]) / sp.sqrt(1 - a), sp.Matrix([x1, x2 - sp.sqrt(a)]) / sp.sqrt(1 - a)]
    assert read_back(point_masses([p1, p2], atoms)).ok


# --------------------------------------------------------------------------- entries as the printer writes them

from derivations.answercheck.parser import parse  # noqa: E402
from derivations.answercheck.vocabulary import SLOTS, Vocabulary, printed_entry  # noqa: E402
from derivations.notation import ConditionalTable, Prefix  # noqa: E402
from derivations.symbolic import SquaredNorm, VectorOf  # noqa: E402

_i, _j, _z, _l, _r, _d = sp.symbols("i j z l r d", integer=True, positive=True)
#: one base of every kind the printer writes in its own way, with the numbers of indices it takes
_BASES = {
    "data points x": (DataPoints("x", real=True), (1, 2)),
    "data points named X": (DataPoints("X", real=True), (1, 2)),
    "conditional table": (ConditionalTable("Q", positive=True), (2,)),
    "base named with a power": (sp.IndexedBase("sigma^2", positive=True), (1, 2)),
    "base named with a subscript": (sp.IndexedBase("mu_0", real=True), (1, 2)),
    "Greek base": (sp.IndexedBase("mu", real=True), (1, 2)),
    "decorated base": (sp.IndexedBase("muhat", real=True), (1, 2)),
    "plain base": (sp.IndexedBase("c", positive=True), (1, 2)),
    "prefix": (Prefix("y"), (1,)),
}
_index = st.sampled_from([_i, _j, _z, _l, sp.Integer(1), sp.Integer(3), _i + 1, _l - 1])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(_BASES)), st.data())
def test_an_entry_as_the_printer_writes_it_reads_back_to_the_same_entry(kind, data):
    base, ranks = _BASES[kind]
    rank = data.draw(st.sampled_from(ranks))
    indices = data.draw(st.lists(_index, min_size=rank, max_size=rank))
    entry = base[tuple(indices)] if rank > 1 else base[indices[0]]
    vocab = vocabulary_of(entry)
    assert parse(latex(entry), vocab) == entry, latex(entry)
    ok(entry)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(_BASES)), st.sampled_from(["square", "sum", "derivative", "product", "vector"]))
def test_a_printed_entry_reads_back_inside_every_construct(kind, construct):
    base, ranks = _BASES[kind]
    rank = max(ranks)
    entry = base[(_l, _j)[:rank]] if rank > 1 else base[_l]
    expr = {
        "square": entry**2 + 3 * entry,
        "sum": sp.Sum(entry * x, (_l, 1, n)),
        "derivative": sp.Derivative(entry**3 * x, entry),
        "product": sp.Product(GaussianDensity(x, entry, sigma_z**2), (_l, 1, n)),
        "vector": VectorOf(entry + x, (_j, 1, _d)),
    }[construct]
    ok(expr)


def test_the_reader_learns_the_printed_spelling_from_the_printer():
    for base, ranks in _BASES.values():
        for rank in ranks:
            assert printed_entry(base, rank) == latex(base[SLOTS[:rank]] if rank > 1 else base[SLOTS[0]])
    assert printed_entry(DataPoints("X"), 1) == "x^{(slota)}"  # data points named X print in lower case


@pytest.mark.parametrize("expr, printed", [
    (DataPoints("x")[_i, _j], r"x^{(i)}_{j}"),
    (ConditionalTable("Q")[_z, _i], r"Q\left(z \mid x^{(i)}\right)"),
    (sp.IndexedBase("sigma^2")[_z], r"\sigma_{z}^{2}"),
    (sp.IndexedBase("mu_0")[_j], r"\mu_{0,j}"),
    (DataPoints("X")[_i] - x, r"- x + x^{(i)}"),
    (sp.log(sp.Product(GaussianDensity(DataPoints("x")[_i, _r], sp.IndexedBase("mu")[1, _r],
                                       sp.Symbol("sigma_0^2", positive=True)), (_r, 1, _d))), None),
    (sp.Derivative(DataPoints("x")[_i, _j] ** 2, DataPoints("x")[_i, _j]), r"\frac{\partial}{\partial x^{(i)}_{j}}"),
    (sp.Derivative(sp.IndexedBase("sigma^2")[_z] ** 3, sp.IndexedBase("sigma^2")[_z]),
     r"\frac{\partial}{\partial \sigma_{z}^{2}}"),
    (VectorOf(sp.IndexedBase("mu")[_z, _j] + DataPoints("x")[_i, _j], (_j, 1, _d)), r"\right)_{j=1}^{d}"),
    (SquaredNorm(DataPoints("x")[_i]), None),
], ids=["coordinate", "conditional table", "base with a power", "base with a subscript", "data points named X",
        "product of densities in a log", "derivative in a coordinate", "derivative in a raised entry",
        "vector of coordinates"  , "squared norm"])
def test_the_notation_the_mixture_sections_print_reads_back(expr, printed):
    result = ok(expr)
    if printed is not None:
        assert printed in result.printed


def test_students_still_write_entries_their_own_ways():
    X2, Q2, s2 = DataPoints("x", real=True), ConditionalTable("Q", positive=True), sp.IndexedBase("sigma^2")
    vocab = Vocabulary([X2, Q2, s2, _i, _j, _z], indices={X2: (_i, _j), Q2: (_z, _i), s2: (_z,)},
                       more_ranks={X2: {1, 2}})
    for text in (r"Q_{z,i}", "Q[z, i]", "Q(z | x^i)", r"Q(z \mid x^{(i)})"):
        assert parse(text, vocab) == Q2[_z, _i], text
    for text in ("x[i, j]", r"x^{(i)}_{j}", r"x^{(i)}_j"):
        assert parse(text, vocab) == X2[_i, _j], text
    for text in (r"x^{(i)}", "x_i", "x[i]"):
        assert parse(text, vocab) == X2[_i], text
    assert parse(r"\sigma_{z}^{2}", vocab) == s2[_z]


_FUNCTIONS = [sp.Function(name) for name in ("p_theta_cond", "q_phi_post", "p_theta_joint", "f", "g_phi", "NN_theta")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_FUNCTIONS), st.sampled_from(["alone", "log", "square", "derivative", "of an entry"]))
def test_a_printed_application_of_a_named_function_reads_back(f, construct):
    args = (x, z) if f.__name__ not in ("f",) else (x,)
    applied = f(*args)
    expr = {
        "alone": applied,
        "log": t * sp.log(applied),
        "square": applied**2 + x,
        "derivative": sp.Derivative(applied, x),
        "of an entry": applied.subs(x, DataPoints("x", real=True)[_i, _j]),
    }[construct]
    ok(expr)
