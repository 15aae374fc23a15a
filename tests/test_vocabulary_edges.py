"""The vocabulary of a part at its edges: two symbols spelled alike are refused when it is built,
the printer's spelling of an entry exists only for the ranks it has slots for, and both LaTeX
spellings of an entry are offered when they differ."""

import pytest
import sympy as sp

from derivations.answercheck.errors import AnswerError
from derivations.answercheck.parser import parse
from derivations.answercheck.vocabulary import SLOTS, Vocabulary, printed_entry
from derivations.notation import DataPoints


def test_two_symbols_spelled_alike_are_refused_and_one_symbol_twice_is_not():
    real, positive = sp.Symbol("x", real=True), sp.Symbol("x", positive=True)
    with pytest.raises(ValueError, match="symbols x and x are spelled the same way"):
        Vocabulary([real, positive])
    assert parse("x", Vocabulary([real, real])) == real


@pytest.mark.parametrize("rank", [0, len(SLOTS) + 1])
def test_an_entry_has_a_printed_spelling_only_for_ranks_with_slots(rank):
    assert printed_entry(DataPoints("X"), rank) is None
    assert printed_entry(DataPoints("X"), 1) == "x^{(slota)}"


def test_both_spellings_of_an_entry_are_offered_when_they_differ():
    x, i = sp.IndexedBase("x", real=True), sp.Symbol("i", integer=True, positive=True)
    with pytest.raises(AnswerError) as err:
        parse("w", Vocabulary([x, i], indices={x: (i,)}))
    assert "accepted: x^{(i)} or {x}_{i} (x[i]); i (i)" in str(err.value)
