"""From a notebook: derivations.verify and derivations.show print as the CLI does and render in Jupyter."""

import subprocess
import sys
from types import SimpleNamespace

import pytest
import sympy as sp

import derivations
from derivations import cli
from derivations.answer_tex import typeset
from derivations.answercheck import AnswerError, Verdict
from derivations.distributions import Gaussian, Mixture, PointMasses, Uniform
from derivations.notebook import PartView, VerdictView
from derivations.registry import registration

needs_8a = pytest.mark.skipif(registration("8a") is None, reason="part 8a is not written yet")
WRONG = "N(sqrt(alpha_t)*x_0, (1-alpha_t)*I)"


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
    assert v.exit_code == code and isinstance(v.verdict, Verdict)
    assert v.to_json() == v.verdict.to_json() and v.report() == str(v)


@needs_8a
def test_a_wrong_answer_renders_its_reading_and_counterexample_typeset():
    v = derivations.verify("8a", WRONG)
    assert (v.status, v.correct, sorted(v.counterexample)) == ("incorrect", False, ["alpha_t", "alphabar_t", "x_0"])
    page = v._repr_html_()
    assert r"read as: \[\mathcal{N}\left(\sqrt{\alpha_{t}} x_{0}, \left(1 - \alpha_{t}\right) I\right)\]" in page
    assert r"<td>\(\bar{\alpha}_{t}\)</td><td>0.75</td>" in page and "the mean differs" in page
    assert "<pre" in page and "yours: 0.7071067812" in page
    tex = v._repr_latex_()
    assert tex.startswith("$\\displaystyle \\text{8a: incorrect (the mean differs)}") and tex.endswith("$")
    assert tex.count("$") == 2 and r"\text{counterexample: }\alpha_{t} = 0.5" in tex


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


@pytest.mark.skipif(registration("2a") is None, reason="part 2a is not written yet")
def test_a_part_prints_what_derive_show_prints(capsys):
    part = derivations.show("2a")
    assert isinstance(part, PartView) and part.status == part.result.status == "proved"
    cli.main(["show", "2a"])
    shown = capsys.readouterr().out
    assert str(part) + "\n" == shown.replace(_seconds(shown), _seconds(str(part)))
    cli.main(["show", "2a", "--latex"])
    assert part.tex() + "\n" == capsys.readouterr().out
    assert "<pre" in part._repr_html_() and "proved" in part._repr_html_()
    with pytest.raises(KeyError, match="unknown part"):
        derivations.show("12")


def _seconds(report: str) -> str:
    """The run time in a part report's status line (it differs between two runs)."""
    line = report.splitlines()[1]
    return line[line.rindex(";") + 1:]


@needs_8a
def test_a_part_renders_its_answer_typeset():
    page = derivations.show("8a")._repr_html_()
    assert r"\[\mathcal{N}\left(\sqrt{\bar{\alpha}_{t}} x_{0}, \left(1 - \bar{\alpha}_{t}\right) I\right)\]" in page


@pytest.mark.parametrize("value, tex", [
    (Gaussian(sp.Symbol("m"), 1), r"\mathcal{N}\left(m, I\right)"),
    (Gaussian(0, sp.Symbol("s") ** 2), r"\mathcal{N}\left(0, s^{2} I\right)"),
    (Mixture((sp.Rational(1, 3), sp.Rational(2, 3)), (Gaussian(0, 1), Gaussian(1, 1))),
     r"\frac{1}{3}\, \mathcal{N}\left(0, I\right) + \frac{2}{3}\, \mathcal{N}\left(1, I\right)"),
    (PointMasses((1,), (sp.Symbol("x_1"),)), r"\delta_{x_{1}}"),
    (Uniform(0, 1), r"\mathcal{U}\left(0, 1\right)"),
    (sp.Matrix([sp.Symbol("xhat_1"), 0]), r"\left[\hat{x}_{1}, 0\right]^\top"),
    (3, r"\text{option } 3"),
    ("alphabar_t", r"\bar{\alpha}_{t}"),
])
def test_typeset_writes_the_course_notation_for_each_kind_of_answer(value, tex):
    assert typeset(value) == tex
