"""The notation table's letters: styled letters (with Unicode's letterlike exceptions) and the
decorations a name may end in, longest first so that 'ddot' is never read as 'dot'."""

import pytest

from derivations.notation.table import DECORATIONS, styled_letter


def test_decorations_are_tried_longest_first():
    assert DECORATIONS == ("breve", "check", "tilde", "ddot", "bar", "dot", "hat", "vec")


@pytest.mark.parametrize("style, char, styled", [
    ("mathcal", "N", "\U0001d4a9"),   # MATHEMATICAL SCRIPT CAPITAL N
    ("mathcal", "B", "\u212c"),       # SCRIPT CAPITAL B: a letterlike symbol, not in the math block
    ("mathbb", "R", "\u211d"),        # DOUBLE-STRUCK CAPITAL R
    ("mathbb", "E", "\U0001d53c"),
    ("mathbb", "1", "\U0001d7d9"),    # MATHEMATICAL DOUBLE-STRUCK DIGIT ONE
    ("mathscr", "x", "\U0001d4cd"),   # MATHEMATICAL SCRIPT SMALL X
    ("mathcal", "7", "7"),            # no script digits: the plain character
    ("mathbb", "\x00", "\x00"),       # a character without a name
])
def test_a_styled_letter_is_unicodes_or_the_plain_character(style, char, styled):
    assert styled_letter(style, char) == styled
