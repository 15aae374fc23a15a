"""Edges of the read-back (printed = verified) that the rest of the suite left untested (found by
mutation testing, ``benchmarks/mutation.py``): operators matched by their bodies, the writing out of
sums over numbers and of the toolkit's functions, bound symbols, and the one-line reasons."""

import time

import sympy as sp

from derivations.answercheck.readback import (_explain, bound_as_symbols, read_back, vocabulary_of,
                                              written_out)
from derivations.symbolic import Gaussian, Sigmoid, Uniform

x, m = sp.symbols("x m", real=True)
s = sp.Symbol("s", positive=True)
f, g = sp.Function("f"), sp.Function("g")
i, n = sp.symbols("i n", integer=True, positive=True)
y = sp.IndexedBase("y")


def _printed(text):
    return lambda expr: text


def test_an_integral_is_matched_with_one_whose_body_is_proved_equal():
    # (x^2 - 1)/(x - 1) = x + 1 only after cancelling inside the integral: the two integrals are
    # matched by their bodies and stand for one symbol
    r = read_back(sp.Integral(f(x) * (x**2 - 1) / (x - 1), (x, 0, 1)), printer=_printed(r"\int_0^1 (x + 1) f(x) dx"))
    assert r.ok and r.method == "symbolic (as written)"


def test_operators_are_matched_whatever_their_order():
    expr = sp.Integral(sp.exp(x) * sp.exp(f(x)), (x, 0, 1)) + sp.Integral(g(x), (x, 0, 1))
    r = read_back(expr, printer=_printed(r"\int_0^1 g(x) dx + \int_0^1 e^{x + f(x)} dx"))
    assert r.ok and r.method == "symbolic (as written)"
    wrong = read_back(expr, printer=_printed(r"\int_0^1 g(x) dx + \int_0^2 e^{x + f(x)} dx"))
    assert not wrong.ok


def test_a_value_printed_as_is_reads_back_as_written():
    assert read_back(x).method == "as written"
    assert read_back(Gaussian(m, s).density(x)).ok  # N(x; m, s) reads as a distribution: its density
    assert read_back(Sigmoid(x), printer=_printed(r"\frac{1}{1 + e^{-x}}")).method == "written out"


def test_a_printed_distribution_of_another_family_is_refused_by_component():
    r = read_back(Gaussian(m, s), printer=_printed(r"\mathcal{U}(m, m + s)"))
    assert (r.ok, r.reason) == (False, "component 1 reads as another family")
    assert read_back(Uniform(m, m + s)).ok


def test_an_internal_error_is_one_line_of_at_most_300_characters():
    def broken(expr):
        raise ValueError("x" * 1000 + "\nsecond line")
    r = read_back(x, printer=broken)
    assert not r.ok and r.reason == ("internal error: ValueError: " + "x" * 1000)[:300] and len(r.reason) == 300


def test_no_time_left_means_no_search_for_a_counterexample():
    reason = _explain(x, x + 1, time.perf_counter() - 1.0)
    assert reason == "SymPy could not prove the value read equal to the expression"
    found = _explain(x, x + 1, time.perf_counter() + 30.0)
    assert found.startswith("the printed line reads as a different value: at x = ")


def test_sums_over_at_most_50_numbers_are_written_out_term_by_term():
    assert written_out(sp.Sum(i, (i, 1, 50))) == 1275
    assert written_out(sp.Sum(i, (i, 0, 50))) == sp.Sum(i, (i, 0, 50))  # 51 terms: kept
    assert written_out(sp.Sum(y[i], (i, 1, 3))) == y[1] + y[2] + y[3]
    assert written_out(sp.Sum(y[i], (i, 1, n))) == sp.Sum(y[i], (i, 1, n))


def test_the_toolkit_functions_are_written_out_and_non_sympy_values_pass_through():
    assert written_out(Sigmoid(x)) == 1 / (1 + sp.exp(-x))
    assert written_out(sp.Matrix([Sigmoid(x), x])) == sp.Matrix([1 / (1 + sp.exp(-x)), x])
    assert written_out(3) == 3 and written_out("text") == "text"


def test_bound_symbols_are_named_as_printed_unless_the_name_is_taken():
    k = sp.Dummy("k", integer=True)
    out = bound_as_symbols(sp.Sum(y[k], (k, 1, n)))
    assert out == sp.Sum(y[sp.Symbol("k", integer=True)], (sp.Symbol("k", integer=True), 1, n))
    taken = sp.Sum(y[k], (k, 1, n)) + sp.Symbol("k")
    assert bound_as_symbols(taken) == taken  # a symbol k of its own keeps the dummy apart


def test_the_vocabulary_of_an_expression_names_each_symbol_and_function_once():
    v = vocabulary_of(x * m + x**2 + f(m) + y[i])
    names = [str(e.obj) for e in v.entries]
    assert sorted(names) == sorted(set(names)) and {"x", "m", "f", "y", "i"} <= set(names)


def test_a_wrong_line_with_a_sum_over_a_symbolic_size_is_shown_wrong_at_a_size_of_three():
    from derivations.notation import DataPoints

    i, n = sp.symbols("i n", integer=True, positive=True)
    data = DataPoints("X", real=True)
    back = read_back(sp.Sum(data[i], (i, 1, n)) / n, printer=lambda v: r"\frac{1}{n}\sum_{i=1}^{n} 2 x^{(i)}")
    assert not back.ok
    assert back.reason.startswith("the printed line reads as a different value: at n = 3")


def test_a_distribution_read_back_says_how_each_parameter_was_proved_equal():
    from derivations.symbolic.distributions import Gaussian

    x0, abar = sp.Symbol("x_0", real=True), sp.Symbol("alphabar_t", positive=True)
    back = read_back(Gaussian(sp.sqrt(abar) * x0, 1 - abar))
    assert back.ok and back.method == "as written"
