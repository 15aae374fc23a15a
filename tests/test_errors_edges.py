"""The one-line error of an unreadable answer: where it is (40 characters before, 12 from the
position), what may be written instead, and never more than one line."""

import pytest

from derivations.answercheck.errors import AnswerError


def test_the_context_is_forty_characters_before_and_twelve_from_the_position():
    text = "a" * 50 + "q" + "b" * 20
    err = AnswerError("unknown symbol 'q'", position=50, text=text)
    assert str(err) == "unknown symbol 'q' at position 51: ..." + "a" * 40 + ">>>q" + "b" * 11


@pytest.mark.parametrize("position, shown", [
    (0, ">>>" + "a" * 12),                       # at the start: nothing before, no ellipsis
    (40, "a" * 40 + ">>>" + "a" * 12),            # forty before: the whole start is shown
    (41, "..." + "a" * 40 + ">>>" + "a" * 12),    # one more: the start is cut
])
def test_an_ellipsis_shows_only_where_the_start_is_cut(position, shown):
    err = AnswerError("bad", position=position, text="a" * 80)
    assert str(err) == f"bad at position {position + 1}: {shown}"


def test_without_a_position_or_text_only_the_message_and_what_is_accepted():
    assert str(AnswerError("the answer is empty")) == "the answer is empty"
    assert str(AnswerError("bad", position=3)) == "bad at position 4"
    assert str(AnswerError("bad", accepted="x (x); t (t)")) == "bad (accepted: x (x); t (t))"


def test_an_input_with_a_tab_or_newline_is_not_quoted_and_the_line_stays_one():
    err = AnswerError("unexpected", position=2, text="x\ty")
    assert str(err) == "unexpected at position 3"
    assert str(AnswerError("two\nlines   here", position=0, text="a b")) == "two lines here at position 1: >>>a b"


def test_context_fills_only_what_is_missing():
    bare = AnswerError("unknown symbol 'q'", position=4)
    filled = bare.with_context(text="x + q", accepted="x (x)")
    assert str(filled) == "unknown symbol 'q' at position 5: x + >>>q (accepted: x (x))"
    assert (filled.message, filled.position, filled.text, filled.accepted) == ("unknown symbol 'q'", 4, "x + q", "x (x)")
    kept = filled.with_context(text="other", accepted="other (y)")
    assert (kept.text, kept.accepted) == ("x + q", "x (x)")
    assert bare.with_context().accepted == "" and bare.with_context().text is None
    assert isinstance(filled, ValueError) and filled.args == (str(filled),)
