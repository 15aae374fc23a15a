"""The course's printers at their edges: powers of entries printed with a superscript, and the three
printers (LaTeX, terminal, plain text) writing one object each in the course's notation."""

import pytest
import sympy as sp

from derivations.notation import DataPoints, latex
from derivations.notation.printers import CourseLatexPrinter

i, j, y = sp.symbols("i j y", integer=True, positive=True)
X = DataPoints("X", real=True)


@pytest.mark.parametrize("expr, printed", [
    (X[i]**2, r"\left(x^{(i)}\right)^{2}"),                       # never two superscripts in a row
    (X[i, j]**2, r"\left(x^{(i)}_{j}\right)^{2}"),
    (sp.IndexedBase("sigma^2")[y]**2, r"\left(\sigma_{y}^{2}\right)^{2}"),
    (sp.IndexedBase("mu_0")[j]**2, r"\mu_{0,j}^{2}"),               # a lowered label has no superscript
    (sp.IndexedBase("x")[i]**2, r"{x}_{i}^{2}"),
    (sp.Symbol("x")**2, "x^{2}"),
])
def test_a_power_of_an_entry_with_a_superscript_is_bracketed(expr, printed):
    assert latex(expr) == printed
    assert CourseLatexPrinter().doprint(expr) == printed
