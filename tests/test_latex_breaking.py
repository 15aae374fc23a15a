"""Formula breaking for the answers document: a formula too wide for the page becomes several
display lines that each fit, with nothing lost or repeated, and what cannot break is scaled."""

from __future__ import annotations

import sympy as sp

from derivations import latex
from derivations.latex_breaking import formula, formula_width, math_lines

x = sp.Symbol("x_t", real=True)


def test_a_formula_that_fits_is_one_line_of_plain_latex():
    expr = sp.sqrt(sp.Symbol("alphabar_t", positive=True)) * x
    assert math_lines(expr) == [formula(expr)] == [r"\sqrt{\bar{\alpha}_{t}} x_{t}"]
    assert formula_width(expr) < 20


def test_the_document_module_uses_the_breaking_module():
    assert latex.math_lines is math_lines and latex.formula is formula


def test_long_expressions_are_broken_into_lines_that_fit():
    t = sp.symbols("t_1:31", positive=True)
    lines = math_lines(sum((k + 1) * s**2 for k, s in enumerate(t)), budget=60)
    assert len(lines) > 3
    assert all(line.startswith("+") for line in lines[1:])
    assert sum(line.count("t_{") for line in lines) == 30  # no term lost or repeated


def test_a_product_with_a_long_factor_breaks_inside_big_parentheses():
    t = sp.symbols("t_1:31", positive=True)
    lines = math_lines(sp.Symbol("c") * sp.exp(x) * sum(t), budget=50)
    assert len(lines) > 2
    assert r"\Bigl(" in lines[0] and r"\Bigr)" in lines[-1]
    assert not any(r"\left" in ln and r"\right" not in ln for ln in lines)


def test_an_unbreakable_wide_formula_is_never_shrunk_below_85_percent():
    m = sp.Matrix(3, 13, sp.symbols("a_1:40"))
    (line,) = math_lines(m, budget=40)  # needs 0.62 to fit: left at 0.85 (and reported as overfull)
    assert line.startswith(r"\scalebox{0.85}") and "{$\\displaystyle" in line
    (slightly,) = math_lines(sp.Matrix(3, 5, sp.symbols("b_1:16")), budget=40)
    factor = float(slightly.split("{")[1].split("}")[0]) if slightly.startswith(r"\scalebox") else 1.0
    assert 0.85 <= factor <= 1.0


def test_a_wide_vector_is_written_as_its_entries_over_several_lines():
    a = sp.symbols("a_1:40")
    lines = math_lines(sp.Matrix([sum(a[:20]), sum(a[20:]), a[0]]), budget=40)
    assert len(lines) > 3 and lines[0].startswith(r"\Bigl(") and lines[-1].endswith(r"a_{1}\Bigr)^{\top}")
    assert sum(line.count("a_{") for line in lines) == 40


def test_a_long_argument_breaks_inside_its_own_delimiters():
    t = sp.symbols("t_1:31", positive=True)
    lines = math_lines(sp.log(sum(t)), budget=40)
    assert lines[0].startswith(r"\log\Bigl(") and lines[-1].endswith(r"\Bigr)") and len(lines) > 3
    lines = math_lines(sp.Subs(sp.Derivative(sum(s * x**2 for s in t), x), x, 0), budget=60)
    assert lines[0].startswith(r"\Bigl.\frac{\partial}{\partial x_{t}} \Bigl(") and r"\Bigr|_" in lines[-1]
