"""Edges of ``derive verify``'s verdicts that the rest of the suite left untested (found by mutation
testing, ``benchmarks/mutation.py``): the report's lines, counterexamples of d-vectors, choices
answered in words, and a fake part with several quantities (an expression, a distribution, a
choice) whose readings, domains and errors decide which verdict is given."""

import pytest
import sympy as sp

from derivations.answer import Answer, Choice, Quantity
from derivations.answercheck import verdict as V
from derivations.answercheck.compare import CORRECT, INCORRECT, NUMERIC, UNDECIDED
from derivations.answercheck.errors import AnswerError
from derivations.answercheck.verdict import VerifyResult, domains_of, parse_choice, verify, verify_quantity
from derivations.symbolic import Gaussian

abar = sp.Symbol("alphabar_t", positive=True)
x0 = sp.Symbol("x_0", real=True)
t = sp.Symbol("t", real=True)
UNIT = sp.Interval.open(0, 1)
MEAN = Quantity("mean", sp.sqrt(abar) * x0, symbols=(abar, x0))
LAW = Quantity("distribution", Gaussian(sp.sqrt(abar) * x0, 1 - abar), symbols=(abar, x0))
OPTION = Quantity("option", Choice(("a Gaussian", "a point mass", "a uniform distribution"), correct={2}))
SIZE = Quantity("size", sp.sqrt(t**2), symbols=(t,))  # |t|; t is in (0, 1) by its sibling's domain
SCALE = Quantity("scale", 1 - t, symbols=(t,), domains={t: UNIT})


def _part() -> Answer:
    return Answer(quantities=(MEAN, LAW, OPTION, SIZE, SCALE))


@pytest.fixture
def part(fake_registry):
    V.quantities.cache_clear()  # the references of a part are cached by id: this part is a fake 8a
    fake_registry({"8a": ("proved", _part)})
    yield
    V.quantities.cache_clear()


def test_an_unknown_part_is_an_input_error(part):
    with pytest.raises(AnswerError, match="unknown part 'zz9'"):
        verify("zz9", "1")


def test_a_distribution_is_read_as_the_distribution_quantity(part):
    r = verify("8a", r"\mathcal{N}(\sqrt{\bar\alpha_t} x_0, 1 - \bar\alpha_t)")
    assert (r.quantity, r.status) == ("distribution", "correct")


def test_a_wrong_expression_is_incorrect_for_the_quantities_it_can_be_read_as(part):
    r = verify("8a", "x_0 + 1")
    assert r.status == "incorrect" and r.exit_code == 1
    assert all(other.status == "incorrect" for other in r.readings)


def test_an_unreadable_answer_says_why_in_one_line(part):
    with pytest.raises(AnswerError) as info:
        verify("8a", "x_0 +")
    assert "\n" not in info.value.message


def test_a_sibling_quantity_gives_its_domain_to_a_symbol_left_open(part):
    assert domains_of(SIZE, "8a")[t] == UNIT and t not in domains_of(SIZE)
    assert verify("8a", "t", quantity="size").status == "correct"  # |t| = t on (0, 1)
    assert verify_quantity(SIZE, "t").status == "incorrect"  # without the part, t may be negative


def test_a_quantity_keeps_its_own_domains_over_mistakable_ones():
    alpha = sp.Symbol("alpha_t", positive=True)
    q = Quantity("q", 1 - abar, symbols=(abar,), domains={abar: UNIT}, mistakable={alpha: UNIT, abar: sp.Interval(0, 2)})
    assert domains_of(q) == {alpha: UNIT, abar: UNIT}


def test_an_expression_answered_with_a_distribution_is_an_input_error_naming_both_kinds():
    with pytest.raises(AnswerError, match="asks for an expression .'mean'., but the answer is a distribution"):
        verify_quantity(MEAN, r"\mathcal{N}(0, 1)")


def test_a_symbol_the_reference_uses_but_does_not_declare_may_be_written():
    s = sp.Symbol("s", positive=True)
    q = Quantity("q", abar * s, symbols=(abar,))  # s is not declared
    assert verify_quantity(q, r"s \bar\alpha_t").status == "correct"


def test_options_in_words_are_numbered_from_one():
    choice = OPTION.value
    assert parse_choice("point mass", choice) == 2
    assert parse_choice("uniform", choice) == 3
    recovers = Choice(("it recovers the mode", "it stays stuck"), correct={2})
    assert parse_choice("fails", recovers) == 2 and parse_choice("yes", recovers) == 1


def test_a_choice_answer_is_correct_only_when_every_option_named_is_correct():
    right, wrong = verify_quantity(OPTION, "b"), verify_quantity(OPTION, "a")
    assert (right.status, right.what, right.answer) == ("correct", "", "option 2")
    assert (wrong.status, wrong.what, wrong.answer) == ("incorrect", "the option", "option 1")


def test_the_one_reading_of_an_answer_gives_its_verdict_even_when_undecided(monkeypatch):
    a, b = sp.symbols("a b", real=True)
    nowhere = Quantity("root of a negative", sp.sqrt(-1 - a**2), symbols=(a,))  # no point can be evaluated
    other = Quantity("b squared", b**2, symbols=(b,))  # "-a" cannot be read for it
    monkeypatch.setattr(V, "quantities", lambda pid: (nowhere, other))
    r = verify("8a", "-a")
    assert (r.quantity, r.status, r.exit_code, r.readings) == ("root of a negative", "undecided", 3, ())


def _result(outcome, **kw):
    base = dict(part_id="8a", quantity="mean", kind="expression", outcome=outcome, method="symbolic (expand)")
    return VerifyResult(**{**base, **kw})


def test_a_report_shows_the_answer_read_notes_and_how_it_was_decided():
    r = _result(CORRECT, answer=x0, notes=("read \\log x y as log(x y)",))
    assert r.report().splitlines() == ["8a [mean]: correct", "  read as:  x₀", "  note: read \\log x y as log(x y)",
                                       "  SymPy proved the difference is zero (symbolic (expand))"]
    assert r.exit_code == 0 and _result(UNDECIDED).exit_code == 3 and _result(NUMERIC).exit_code == 0


def test_a_report_of_a_choice_says_the_option_read_and_whether_it_is_correct():
    r = _result(INCORRECT, kind="choice", quantity="option", method="choice", what="the option",
                answer="option 1", counterexample={"x": 1.0})
    assert r.report().splitlines() == ["8a [option]: incorrect: the option differs", "  read as:  option 1",
                                       "  this answer is not correct"]
    r = _result(CORRECT, kind="choice", quantity="option", method="choice", answer="option 2")
    assert r.report().splitlines() == ["8a [option]: correct", "  read as:  option 2", "  this answer is correct"]


def test_a_report_of_a_wrong_answer_shows_the_counterexample_with_d_vectors():
    r = _result(INCORRECT, what="the mean", counterexample={"d": 3, "x[1]": 0.5, "t": 0.25}, values=("1", "2"),
                vectors=(("x", "d"),))
    lines = r.report().splitlines()
    assert lines[0] == "8a [mean]: incorrect: the mean differs"
    assert lines[1] == "  counterexample: d = 3, x[1] = (0.5, 0, 0), t = 0.25"
    assert lines[2] == "  yours: 1   reference: 2"
    one = _result(INCORRECT, counterexample={"d": 1, "x[1]": 0.5}, vectors=(("x", "d"),))
    assert "counterexample: d = 1, x[1] = 0.5" in one.report()


def test_a_wrong_answer_without_a_counterexample_shows_only_both_values():
    r = _result(INCORRECT, method="shape", what="the shape", values=("a scalar", "a 2-vector"))
    assert r.report().splitlines() == ["8a [mean]: incorrect: the shape differs",
                                       "  yours: a scalar   reference: a 2-vector"]


def test_an_answer_drawn_on_several_lines_is_shown_as_drawn():
    r = _result(CORRECT, answer=sp.sqrt(abar) / (1 + x0**2))
    lines = r.report().splitlines()
    assert lines[1] == "  read as:" and len(lines) > 4 and all(line.startswith("      ") for line in lines[2:-1])
