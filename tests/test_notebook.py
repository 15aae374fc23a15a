"""From a notebook: derivations.verify and derivations.show print as the CLI does and render in Jupyter.

The verdicts are on answers to 8a's forward marginal (whose reference does not change while the
sections are reworked); the parts that ``show`` runs are fake ones, installed with ``fake_registry``.
"""

import subprocess
import sys
from types import SimpleNamespace

import pytest
import sympy as sp

import derivations
from derivations import cli
from derivations.answer import Answer, Choice, Quantity
from derivations.answer_tex import typeset
from derivations.answercheck import AnswerError, VerifyResult
from derivations.chain import derive
from derivations.homeworks import registry
from derivations.notation import latex
from derivations.notebook import PartView, VerdictView, _number
from derivations.symbolic import Gaussian, GaussianDensity, Uniform, mixture, point_masses

needs_8a = pytest.mark.skipif(registry().registration("8a") is None, reason="part 8a is not written yet")
WRONG = "N(sqrt(alpha_t)*x_0, (1-alpha_t)*I)"

abar = sp.Symbol("alphabar_t", positive=True)
x0 = sp.Symbol("x_0", real=True)
MARGINAL = Gaussian(sp.sqrt(abar) * x0, 1 - abar, isotropic=True)


def _fake_part() -> Answer:
    return Answer(
        summary=r"$q(x_t\mid x_0)=\mathcal{N}(\sqrt{\bar\alpha_t}\,x_0,(1-\bar\alpha_t)I)$",
        chains=(derive("mean of x_t", sp.Add(sp.sqrt(abar) * x0, sp.Mul(0, abar, evaluate=False), evaluate=False),
                       (sp.sqrt(abar) * x0, "the noise has mean $0$")),),
        quantities=(Quantity("marginal <q>", MARGINAL, symbols=(abar, x0)),
                    Quantity("mean", sp.sqrt(abar) * x0, symbols=(abar, x0)),
                    Quantity("option", Choice(("a", "b"), correct={2}))),
    )


@pytest.fixture
def fake_part(fake_registry):
    fake_registry({"8a": ("proved", _fake_part)})


def test_importing_derivations_loads_no_sympy():
    code = ("import sys, derivations\nfrom derivations import verify, show\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sympy', 'numpy', 'scipy')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@needs_8a
@pytest.mark.parametrize("answer", [r"\mathcal{N}(\sqrt{\bar\alpha_t}\,x_0, (1-\bar\alpha_t)I)", WRONG])
def test_a_verdict_prints_what_derive_verify_prints(capsys, answer):
    code = cli.main(["verify", "8a", answer])
    printed = capsys.readouterr().out
    v = derivations.verify("8a", answer)
    assert str(v) + "\n" == printed and repr(v) == str(v)
    assert v.exit_code == code and isinstance(v.verdict, VerifyResult)
    assert v.to_json() == v.verdict.to_json() and v.report() == str(v)
    assert v.status == v.verdict.outcome.verdict


@needs_8a
def test_a_wrong_answer_renders_its_reading_and_counterexample_typeset():
    v = derivations.verify("8a", WRONG)
    assert (v.status, v.correct, sorted(v.counterexample)) == ("incorrect", False, ["alpha_t", "alphabar_t", "x_0"])
    read = latex(v.answer)  # the course's printer, as the answers document prints distributions
    assert r"\mathcal{N}\left(\sqrt{\alpha_{t}} x_{0}," in read
    point = {name: _number(value) for name, value in v.counterexample.items()}  # where Hypothesis shrank to
    page = v._repr_html_()
    assert rf"read as: \[{read}\]" in page
    assert rf"<td>\(\bar{{\alpha}}_{{t}}\)</td><td>{point['alphabar_t']}</td>" in page and "the mean differs" in page
    assert "<pre" in page and f"yours: {v.values[0]}" in page and "color:#cf222e" in page
    tex = v._repr_latex_()
    assert tex.startswith("$\\displaystyle \\text{8a: incorrect (the mean differs)}") and tex.endswith("$")
    assert tex.count("$") == 2 and read in tex
    assert rf"\text{{counterexample: }}\alpha_{{t}} = {point['alpha_t']}, \bar{{\alpha}}_{{t}} = {point['alphabar_t']}" in tex


def test_unreadable_input_raises_answer_error():
    with pytest.raises(AnswerError, match="is not closed"):
        derivations.verify("8a", r"\frac{1}{2")
    with pytest.raises(AnswerError, match="unknown part"):
        derivations.verify("12", "x")


def test_text_from_the_verdict_is_escaped_in_html_and_latex():
    fake = SimpleNamespace(part_id="8a", quantity="<script>alert(1)</script>", kind="expression",
                           status="incorrect", what="<b>", counterexample={"x_0": 1.5}, values=("<1>", "2"),
                           answer=sp.Symbol("x_0"), notes=(), report=lambda: "8a <report> & more")
    v = VerdictView(fake)
    page = v._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;report&gt; &amp; more" in page
    assert "<b>" not in page.replace("<b>8a</b>", "")
    assert "<" not in v._repr_latex_() and str(v) == "8a <report> & more"


def test_a_part_prints_what_derive_show_prints(fake_part, capsys):
    part = derivations.show("8a")
    assert isinstance(part, PartView) and part.status == part.result.status
    assert [q.name for q in part.answer.quantities] == ["marginal <q>", "mean", "option"]  # falls through
    assert cli.main(["show", "8a"]) == (1 if part.status == "failed" else 0)
    shown = capsys.readouterr().out
    assert str(part) + "\n" == shown.replace(_seconds(shown), _seconds(str(part)))
    assert "the noise has mean 0" in shown
    cli.main(["show", "8a", "--latex"])
    solution = capsys.readouterr().out
    assert part.tex() + "\n" == solution and "\\begin{answerbox}" in solution
    cli.main(["show", "8a", "--latex", "--report"])
    report = capsys.readouterr().out
    assert part.tex(report=True) + "\n" == report and report != solution


def test_a_part_renders_its_answer_typeset_and_escaped(fake_part):
    part = derivations.show("8a")
    page = part._repr_html_()
    assert rf"marginal &lt;q&gt;: \[{latex(MARGINAL)}\]" in page  # the course's printer, the name escaped
    assert r"\left(1 - \bar{\alpha}_{t}\right) I" in latex(MARGINAL)
    assert rf"mean: \[{latex(sp.sqrt(abar) * x0)}\]" in page and "option: option 2" in page
    assert f">{part.status}</span>" in page and "#6e7781" not in page.split("</p>")[0]  # a known status's colour
    assert "<pre" in page and page.count("<q>") == 0


def test_show_of_a_todo_or_unknown_part(fake_registry):
    fake_registry({})
    part = derivations.show("9h")
    assert part.status == "todo" and "status: todo" in str(part) and "\\[" not in part._repr_html_()
    with pytest.raises(KeyError, match="unknown part '12'"):
        derivations.show("12")


def _seconds(report: str) -> str:
    """The run time in a part report's status line (it differs between two runs)."""
    line = report.splitlines()[1]
    return line[line.rindex(";") + 1:]


X = sp.Symbol("x", real=True)


@pytest.mark.parametrize("value", [
    Gaussian(sp.Symbol("m"), 1),
    MARGINAL,
    GaussianDensity(X, sp.Symbol("t") * sp.Symbol("x_1"), (1 - sp.Symbol("t")) ** 2),
    mixture((sp.Rational(1, 3), sp.Rational(2, 3)), (Gaussian(0, 1), Gaussian(1, 1))),
    point_masses((1,), (sp.Symbol("x_1"),)),
    Uniform(0, 1),
    sp.Matrix([sp.Symbol("xhat_1"), 0]),
    sp.Symbol("alphabar_{t-1}"),
])
def test_typeset_prints_formulas_and_distributions_with_the_course_printer(value):
    assert typeset(value) == latex(value)


def test_typeset_is_not_sympys_printer_and_adds_options_and_names():
    for value in (sp.Matrix([sp.Symbol("xhat_1"), 0]), sp.Symbol("alphabar_{t-1}"), MARGINAL):
        assert typeset(value) != sp.latex(value)
    assert typeset(MARGINAL) == r"\mathcal{N}\left(\sqrt{\bar{\alpha}_{t}} x_{0},\ \left(1 - \bar{\alpha}_{t}\right) I\right)"
    assert typeset(3) == r"\text{option } 3" and typeset(None) == ""
    assert typeset("alphabar_t") == r"\bar{\alpha}_{t}" and typeset("alphabar_{t-1}") == r"\bar{\alpha}_{t-1}"
