"""Text made safe for the document, at its edges (math and environments kept, everything else
escaped), and LaTeX prose with an unclosed brace read in a terminal; the terminal's other cases
are in test_render.py."""

import pytest

from derivations.notation.text import escape, latex_chars, prose, unicode_text


@pytest.mark.parametrize("raw, safe", [
    ("a->b", r"a$\to$b"),
    ("x <= y >= z", r"x $\le$ y $\ge$ z"),
    ("||x||", r"$\|$x$\|$"),
    ("p(x|z)", r"p(x$|$z)"),
    ("a_b^c ~ 5% & #1 {x} \\", r"a\_b\^{}c \textasciitilde{} 5\% \& \#1 \{x\} \textbackslash{}"),
    ("<>", r"$<$$>$"),
])
def test_plain_text_is_escaped_for_the_document(raw, safe):
    assert escape(raw) == safe


@pytest.mark.parametrize("raw, safe", [
    (r"$$x_1$$ y_2", r"$$x_1$$ y\_2"),
    (r"\(a_1\) b_2 \[c^2\] d^2", r"\(a_1\) b\_2 \[c^2\] d\^{}2"),
    (r"$x_1 and y_2", r"$x\_1 and y\_2"),                       # an unclosed $ is not math
    (r"\$5 for x_1", r"\$5 for x\_1"),                          # an escaped $ opens nothing
    (r"$a\$b_1$ c_2", r"$a\$b_1$ c\_2"),                        # nor closes anything
    (r"\begin{tabular}a&b\end{tabular} & c", r"\begin{tabular}a&b\end{tabular} \& c"),
    (r"\begin{tabular}a&b", r"\begin{tabular}a\&b"),            # an environment never closed
    ("50% #1", r"50\% \#1"),
])
def test_prose_keeps_math_and_environments_and_escapes_the_rest(raw, safe):
    assert prose(raw) == safe


@pytest.mark.parametrize("raw, safe", [
    ("xᵀy", r"x\ensuremath{^\top}y"),
    ("x₂ + y³", r"x\ensuremath{_2} + y\ensuremath{^3}"),
    ("café", "café"),                                          # Latin-1 letters are set as they are
    ("☃", "?"),                                                # what pdflatex cannot set at all
    ("a – b … “c”", "a -- b \\ldots{} ``c''"),
])
def test_unicode_pdflatex_cannot_set_becomes_latex(raw, safe):
    assert latex_chars(raw) == safe


@pytest.mark.parametrize("tex", [r"\hat{x", r"\frac{a}{b", r"$\sqrt{2$", r"x_{t"])
def test_an_unclosed_brace_is_shown_as_written_without_failing(tex):
    out = unicode_text(tex)
    assert out and all(ch in out for ch in tex if ch.isalnum())


@pytest.mark.parametrize("raw, safe", [
    ("$a_$ b_c", r"$a_$ b\_c"),                 # the math span ends at its closing $, which it includes
    ("$$x$$_y", r"$$x$$\_y"),                   # and a display's at its closing $$
    ("$$$$x_1$$", r"$$$$x\_1$$"),                # an empty display, then text, then an unclosed $$
])
def test_a_math_span_is_exactly_from_its_opening_to_its_closing_dollar(raw, safe):
    assert prose(raw) == safe


def test_math_right_after_a_one_letter_command_is_still_math():
    assert prose(r"a\,$x_1$ b_2") == r"a\,$x_1$ b\_2"
