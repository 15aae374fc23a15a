"""The answer lexer at its edges: Unicode as a terminal prints it (t², x₀, ᾱₜ, α̅ₜ, x̂, √), the
limits on numbers, surrogates and invisible delimiters, and two-character operators."""

import pytest
import sympy as sp

import derivations
from derivations.answercheck.errors import AnswerError
from derivations.answercheck.lexer import MAX_NUMBER_DIGITS, tokenize
from derivations.answercheck.parser import parse
from derivations.answercheck.vocabulary import Vocabulary

t, x_0, x_1 = sp.Symbol("t", positive=True), sp.Symbol("x_0", real=True), sp.Symbol("x_1", real=True)
abar, sigma_z = sp.Symbol("alphabar_t", positive=True), sp.Symbol("sigma_z", positive=True)
VOCAB = Vocabulary([t, x_0, x_1, abar, sigma_z])


@pytest.mark.parametrize("text, expected", [
    ("t²", t**2),                                  # ² is a power, not a digit of a name
    ("t² + x_0", t**2 + x_0),
    ("x_0²", x_0**2),
    ("σ_z²", sigma_z**2),
    ("2²", 4),
    ("x₀ + x₁²", x_0 + x_1**2),                      # subscript digits
    ("√(ᾱₜ)x₀", sp.sqrt(abar) * x_0),                # a subscript letter, as the terminal prints it
    ("1 - α̅ₜ", 1 - abar),                           # a combining overline after the letter
    ("√2 t", sp.sqrt(2) * t),
    ("x_0·t", x_0 * t),
    ("x_0−t", x_0 - t),
])
def test_unicode_as_the_terminal_prints_it_reads(text, expected):
    assert parse(text, VOCAB) == expected


def test_the_terminals_one_line_answer_to_8a_is_accepted():
    assert derivations.verify("8a", "𝒩(√(α̅ₜ)⋅x₀, (1 - α̅ₜ)I)").status == "correct"
    assert derivations.verify("8a", "𝒩(√(ᾱₜ) x₀, (1 − ᾱₜ) I)").status == "correct"


def test_a_combining_accent_after_a_long_word_is_refused_in_one_line():
    with pytest.raises(AnswerError, match="unexpected character"):
        tokenize("ab\u0302")


def test_a_number_may_have_the_most_digits_and_no_more():
    assert tokenize("1" * MAX_NUMBER_DIGITS)[0].text == "1" * MAX_NUMBER_DIGITS
    with pytest.raises(AnswerError, match=f"a number longer than {MAX_NUMBER_DIGITS} digits"):
        tokenize("1" * (MAX_NUMBER_DIGITS + 1))


@pytest.mark.parametrize("surrogate", ["\ud800", "\udbff", "\udc00", "\udfff"])
def test_every_surrogate_is_refused_as_undecodable(surrogate):
    with pytest.raises(AnswerError, match="not valid UTF-8 at position 2"):
        tokenize("x" + surrogate)


@pytest.mark.parametrize("text", [r"\bigl. x_0 \bigr|_{x_0=1}", r"\middle. x_0 \Bigr|_{x_0=1}"])
def test_an_invisible_sized_delimiter_is_dropped_with_its_dot(text):
    assert "." not in [tok.text for tok in tokenize(text)]
    assert parse(text, VOCAB) == sp.Subs(x_0, x_0, 1)


@pytest.mark.parametrize("text, ops", [("x <= u", ["<="]), ("x >= u", [">="]), ("x != u", ["!="]),
                                       ("t->1", ["->"]), ("a ** 2", ["^"]), ("p || q", ["||"])])
def test_two_character_operators_are_one_token(text, ops):
    assert [tok.text for tok in tokenize(text) if tok.kind == "op"] == ops


@pytest.mark.parametrize("text, number", [("2.5", "2.5"), ("t + 0.25", "0.25"), (".5", ".5"), ("x_0/12.125", "12.125")])
def test_a_decimal_is_one_number_even_at_the_end_of_the_answer(text, number):
    nums = [tok.text for tok in tokenize(text) if tok.kind == "num"]
    assert nums[-1] == number and tokenize(text)[-1].kind == "end"


def test_a_dot_after_a_number_without_digits_is_not_part_of_it():
    assert [tok.text for tok in tokenize("2.")][:2] == ["2", "."]
    assert parse("t + 0.25", VOCAB) == t + sp.Rational(1, 4)
