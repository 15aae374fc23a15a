"""`derive show` in a terminal: Unicode math, long sums broken between terms, evidence in words."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from derivations import cli, render
from derivations.answer import Answer, Check, Choice, Figure, Quantity
from derivations.chain import derive
from derivations.notation import unicode_text
from derivations.symbolic import Gaussian
from numerics.stattests import binomial_test, chi_square_test, close_test, mean_test

abar = sp.Symbol("alphabar_t", positive=True)
x0 = sp.Symbol("x_0", real=True)
T = sp.symbols("t_1:41", positive=True)


def _part() -> Answer:
    long_sum = sum((k + 1) * t**2 for k, t in enumerate(T))
    return Answer(
        summary=r"$q(x_t\mid x_0)=\mathcal{N}\big(\sqrt{\bar\alpha_t}\,x_0,\,(1-\bar\alpha_t)I\big)$",
        explanation=r"Unroll the recursion: \emph{sums} of independent Gaussians are Gaussian.",
        chains=(derive("mean of x_t", sp.Add(sp.sqrt(abar) * x0, sp.Mul(0, abar, evaluate=False), evaluate=False),
                       (sp.sqrt(abar) * x0, "noise has mean $0$")),
                derive("a long sum", sp.expand(long_sum + (T[0] - T[1]) ** 2) - (T[0] - T[1]) ** 2,
                       (long_sum, "expand"))),
        checks=(Check("mean", "the sample mean is 0", lambda rng: [
                    mean_test("mean", rng.normal(size=4000), [0.0]),
                    binomial_test("coin", 48, 100, 0.5),
                    chi_square_test("die", [10, 12, 9, 11, 8, 10], [1] * 6),
                    close_test("quadrature", [1.0], [1.0])]),),
        figures=(Figure("fig-8a.pdf", r"The mean against $\bar\alpha_t$.", lambda path, rng: None),),
        quantities=(Quantity("distribution", Gaussian(sp.sqrt(abar) * x0, 1 - abar)),
                    Quantity("mean", sp.sqrt(abar) * x0), Quantity("option", Choice(("a", "b"), correct={2}))),
    )


@pytest.fixture
def fake_part(fake_registry):
    fake_registry({"8a": ("proved", _part)})


def test_show_prints_unicode_math_reasons_and_evidence(fake_part, capsys, monkeypatch):
    monkeypatch.setattr(render, "terminal_width", lambda: 80)
    assert cli.main(["show", "8a"]) == 0
    out = capsys.readouterr().out
    assert "q(x_t | x_0) = 𝒩(√(ᾱ_t) x_0, (1-ᾱ_t)I)" in out
    assert "╲╱ α̅ₜ ⋅x₀" in out  # the chain, drawn by sympy.pretty
    assert "[proved] noise has mean 0" in out
    assert "distribution:" in out and "𝒩⎝╲╱ α̅ₜ ⋅x₀, 1 - α̅ₜ⎠" in out and "option: option 2" in out
    assert "[pass] mean" in out and "n = 4\u202f000" in out and "≥ α = 1e-06" in out
    assert "successes = 48" in out and "dof = 5" in out and "max error = 0" in out
    assert "{" not in out.split("Check results:")[1]  # words, not JSON
    assert "fig-8a.pdf: The mean against ᾱ_t." in out


def test_long_sum_is_broken_between_terms_within_the_terminal_width(fake_part, capsys, monkeypatch):
    monkeypatch.setattr(render, "terminal_width", lambda: 80)
    cli.main(["show", "8a"])
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 80
    chain = out.split("Derivation: a long sum")[1].split("Checks:")[0]
    assert sum(line.lstrip().startswith("+") for line in chain.splitlines()) >= 4
    assert chain.count("40⋅t₄₀") == 2  # once on each side, never split


def test_pretty_lines_keeps_every_term_once():
    expr = sum(k * t for k, t in enumerate(T, start=1))
    text = render.pretty_lines(expr, 40)
    assert all(len(line) <= 40 for line in text.splitlines())
    for t in T:
        name = render.pretty(t)
        assert sum(tok.endswith(name) for tok in text.replace("+", " ").split()) == 1


def test_negative_terms_keep_their_sign_across_line_breaks():
    expr = sum(-t if k % 2 else t for k, t in enumerate(T))
    text = render.pretty_lines(expr, 30)
    assert text.count("-") == 20 and text.count("+") == 19


@pytest.mark.parametrize("tex, text", [
    (r"$\frac{a}{b}$", "(a)/(b)"),
    (r"$\sqrt{1-\bar\alpha_t}$", "√(1-ᾱ_t)"),
    (r"$\hat{x}$ and $\hat x$", "x̂ and x̂"),
    (r"$\mathbb{E}[x] \le \infty$", "𝔼[x] ≤ ∞"),
    (r"\[ a = b \]", "a = b"),
    (r"\textbf{bold} 50\% of $x\in\mathbb{R}$", "bold 50% of x∈ℝ"),
    (r"$\sigma_2^2 = 2\sigma_1^2$", "σ_2^2 = 2σ_1^2"),
    # dots are not accents: an accent's name ends where its letters end
    (r"$x_1, \dots, x_n$", "x_1, …, x_n"),
    (r"$x_1 + \dotsb + x_n$ and $x_1, \dotsc, x_n$", "x_1 + … + x_n and x_1, …, x_n"),
    (r"$\dot x$, $\ddot{x}$, $\vec v$, $\dot{\theta}$", "ẋ, ẍ, v⃗, θ̇"),
    (r"$\vdots$ $\ddots$ $\cdots$", "⋮ ⋱ ⋯"),
    # \sim is a tilde operator, not the non-breaking space ~
    (r"$x \sim p$ and $F(x)\sim\mathcal{U}[0,1]$", "x ∼ p and F(x)∼𝒰[0,1]"),
    (r"Figure~1", "Figure 1"),
    # operator names are upright words, spaced off what they touch
    (r"$\det A$, $\sinh x$, $\cosh x$, $\tanh x$", "det A, sinh x, cosh x, tanh x"),
    (r"$2\log x\sinh y$", "2 log x sinh y"),
    (r"$\det\Sigma$ and $\max_i x_i$", "det Σ and max_i x_i"),
    (r"$\inf_x f \ne \infty \in A$", "inf_x f ≠ ∞ ∈ A"),
    # escaped braces stay, grouping braces go; calligraphic and blackboard capitals
    (r"$\{x : x \in A\}$", "{x : x ∈ A}"),
    (r"$\mathcal{L}$, $\mathcal{H}$, $\mathbb{P}$, $\mathbb{1}$, $\mathcal{7}$", "ℒ, ℋ, ℙ, 𝟙, 7"),
    # edges: a command missing its argument is left as written, scripts keep their braces
    (r"$\frac{a}{b}$", "(a)/(b)"),
    (r"\frac{a}", r"\frac{a}"),                    # a fraction without its denominator: as written
    (r"$\frac{\{a}{b}$", "({a)/(b)"),                # an escaped brace does not close the group
    (r"$\sqrt{2}$ and \sqrt", r"√(2) and \sqrt"),
    (r"$\hat{x}$, $\hat{xy}$, \hat", "x̂, xy, \\hat"),
    (r"$x_t$, $x_{t-1}$, $x_{t}$", "x_t, x_{t-1}, x_t"),
    (r"$\sum_{i=1}^{n} x_i$", "∑_{i=1}^n x_i"),     # an = in a script is not spaced
    (r"$a = b$", "a = b"),
    (r"$\mathbb{R}^d$, $\mathcal{N}$, $\mathbb{RR}$", "ℝ^d, 𝒩, RR"),
    (r"50\% of x\_0 \& y", "50% of x_0 & y"),
    (r"a \quad b\\c", "a b\nc"),
    (r"\[x\] and \(y\)", "x and y"),
    (r"$2\log x$ and $(a)\log b$", "2 log x and (a) log b"),
    (r"\foo{x}", r"\foox"),                          # an unknown command is left as written
    (r"\emph{never} \textbf{here}", "never here"),
    (r"\begin{align*}a\end{align*}", "a"),
    (r"$p(x \mid z)$", "p(x | z)"),
])
def test_latex_prose_reads_as_unicode(tex, text):
    assert unicode_text(tex) == text


@pytest.mark.parametrize("evidence, expected", [
    ({"test": "z", "n": 20000, "p_value": 0.43, "alpha": 1e-6}, "z: n = 20\u202f000, p = 0.43 ≥ α = 1e-06"),
    ({"test": "tol", "rtol": 1e-7, "atol": 1e-10, "max_abs_error": 3e-12, "max_excess_over_bound": -1.0},
     "tol: max error = 3e-12, rtol = 1e-07, atol = 1e-10"),
    ({"test": "stated condition", "radius": [1.0, 2.0, 3.0, 4.0, 5.0]}, "stated condition: radius = [1, 2, 3, 4, …]"),
    ({"test": "two-sample", "n": [100, 200], "statistic": 0.05}, "two-sample: n = [100, 200], statistic = 0.05"),
])
def test_evidence_reads_as_one_line_of_words(evidence, expected):
    assert render.evidence_text(evidence) == expected


def test_show_of_a_todo_part_says_so(fake_registry, capsys):
    fake_registry({})
    assert cli.main(["show", "9h"]) == 0
    assert "status: todo" in capsys.readouterr().out


def test_section_script_uses_the_same_report(fake_part, capsys):
    assert cli.show_section("diffusion") == 0
    out = capsys.readouterr().out
    assert out.count("status: todo") == 4 and "[proved] noise has mean 0" in out
    np.testing.assert_equal(out.count("=" * 72), 5)


def test_ascii_in_latex_prose_is_never_rewritten():
    from derivations.notation import prose
    text = r"$\mathrm{KL}(p\|q)$ and a table $a|b$ & 50% of <x>"
    assert prose(text).startswith(r"$\mathrm{KL}(p\|q)$ and a table $a|b$ \& 50\%")
