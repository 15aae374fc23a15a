"""The answers document: every part appears, long formulas fit the page, and pdflatex compiles it.

The document is built from fake parts registered here (a proved chain, very long expressions, a
numerically checked step, a failed step, a part whose builder raises, figures with awkward names)
plus whatever real parts have landed, so it exercises every path of :mod:`derivations.latex`.
"""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest
import sympy as sp

from conftest import install_registry
from derivations import cli, homeworks, latex, pdf, report, solutions
from derivations.notation import prose
from derivations.answer import Answer, Check, Figure, Quantity
from derivations.chain import ChainResult, Step, StepResult, derive
from derivations.figures import draw_all
from derivations.hw7 import HOMEWORK
from derivations.plotting import new_figure, save
from derivations.runner import PartResult, run_part
from derivations.status import Status

ORDER, PARTS = HOMEWORK.order, HOMEWORK.by_id
from numerics.stattests import close_test, ks_test, mean_test, predicate

HAVE_PDFLATEX = shutil.which("pdflatex") is not None
needs_pdflatex = pytest.mark.skipif(not HAVE_PDFLATEX, reason="pdflatex is not installed (Debian: "
                                    "texlive-latex-base texlive-latex-recommended); CI installs it")

abar = sp.Symbol("alphabar_t", positive=True)
x0, eps, x = sp.symbols("x_0 epsilon x_t", real=True)
UNIT = sp.Interval.open(0, 1)


def _draw_curve(path, rng):
    fig, axes = new_figure()
    a = np.linspace(0.01, 0.99, 50)
    axes[0, 0].plot(a, np.sqrt(a) + rng.normal(0, 0.01, a.size))
    axes[0, 0].set_xlabel(r"$\bar\alpha$")
    save(fig, path)


def _draw_broken(path, rng):
    raise RuntimeError("no data to plot")


def _forward_mean() -> Answer:
    def check(rng):
        samples = np.sqrt(0.3) * 1.5 + np.sqrt(0.7) * rng.standard_normal(20_000)
        return [mean_test("mean of x_t", samples, [np.sqrt(0.3) * 1.5]),
                ks_test("x_t is Gaussian", (samples - np.sqrt(0.3) * 1.5) / np.sqrt(0.7), "norm")]

    return Answer(
        summary=r"$q(x_t\mid x_0)=\mathcal{N}\big(\sqrt{\bar\alpha_t}\,x_0,\,(1-\bar\alpha_t)I\big)$, "
                r"so σ₂² ≤ 1 and 100% of_the mass is Gaussian",
        explanation=r"Unroll the recursion; sums of independent Gaussians are Gaussian (50% & more).",
        chains=(derive("mean of x_t", sp.Add(sp.sqrt(abar) * x0, sp.Mul(sp.sqrt(1 - abar), 0, evaluate=False),
                                             evaluate=False),
                       (sp.sqrt(abar) * x0, "the noise has mean $0$"), domains={abar: UNIT}),),
        checks=(Check("mean of x_t", "the sample mean equals $\\sqrt{\\bar\\alpha_t}x_0$", check),
                Check("x_t is Gaussian", "standardised draws are N(0, 1)", lambda rng: []),),
        figures=(Figure("fig-8a-mean.pdf", r"The mean $\sqrt{\bar\alpha_t}$ against $\bar\alpha_t$.", _draw_curve),),
        quantities=(Quantity("mean", sp.sqrt(abar) * x0, symbols=(abar, x0), chain="mean of x_t"),),
    )


def _long_expressions() -> Answer:
    t = sp.symbols("t_1:31", positive=True)
    big_sum = sum((k + 1) * s**2 for k, s in enumerate(t))
    gauss = sp.exp(-(x - sp.sqrt(abar) * x0) ** 2 / (2 * (1 - abar)))
    eps_star = (x - sp.sqrt(abar) * x0) / sp.sqrt(1 - abar) * gauss / (
        gauss + sp.exp(-(x + sp.sqrt(abar) * x0) ** 2 / (2 * (1 - abar))))
    long_exp = sp.exp(big_sum / 7 - x**2)
    return Answer(
        summary=r"\[ \epsilon^*(x_t) = \frac{x_t-\sqrt{\bar\alpha_t}\,\hat x}{\sqrt{1-\bar\alpha_t}} \]",
        chains=(
            derive("a long sum", sp.Add(big_sum, (t[0] - t[1]) ** 2, -(t[0] - t[1]) ** 2, evaluate=False),
                   (big_sum, "cancel")),
            derive("a long product", eps_star * (1 + t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7]),
                   (sp.expand(eps_star * (1 + sum(t[:8]))), "distribute over a sum of many terms")),
            derive("exp of a long argument", long_exp, (sp.exp(big_sum / 7) * sp.exp(-x**2), "split the exponential")),
        ),
        checks=(Check("quadrature", "a deterministic comparison", lambda rng: close_test(
            "quadrature", [1.0, 2.0], [1.0 + 1e-12, 2.0], rtol=1e-9, atol=1e-12)),),
        figures=(Figure("fig-8e-optimal eps.pdf", "Optimal predictor; x_t shown (plain-text caption).", _draw_curve),),
        quantities=(Quantity("the long sum", big_sum, chain="a long sum"),),
    )


def _numeric_step() -> Answer:
    return Answer(
        summary="Effective sample size collapses as the dimension grows.",
        chains=(derive("abs", sp.Abs(x), Step(sp.sqrt(sp.Pow(x, 2, evaluate=False), evaluate=False),
                                              "definition of $|x|$", numeric_only=True)),),
        checks=(Check("ess", "ESS falls below 2", lambda rng: predicate("ess", True, dimension=[1, 10, 100],
                                                                          ess_at_100=1.3)),),
        figures=(Figure("fig-3b.vii-ess.pdf", "ESS against dimension.", _draw_curve),
                 Figure("fig-3b.vii-ess.pdf", "The same name twice.", _draw_curve)),
    )


def _wrong_step() -> Answer:
    return Answer(
        summary="A deliberately wrong answer.",
        chains=(derive("wrong", (x + 1) ** 2, (x**2 + 1, "forgot the cross term")),),
        checks=(Check("wrong mean", "the mean is 1", lambda rng: mean_test("wrong mean", rng.normal(size=5000), [1.0])),),
        figures=(Figure("fig-9h-broken.pdf", "Never drawn.", _draw_broken),),
    )


def _raises() -> Answer:
    raise ValueError("builder crashed")


FAKE = {"8a": ("proved", _forward_mean), "8e": ("proved", _long_expressions), "3b.vii": ("checked", _numeric_step),
        "9h": ("proved", _wrong_step), "5.1": ("explained", _raises)}


def _install_fakes(mp: pytest.MonkeyPatch) -> None:
    """Replace the registry by the fake parts above (every other part is todo)."""
    install_registry(mp, FAKE)


@pytest.fixture
def fake_parts(monkeypatch):
    _install_fakes(monkeypatch)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The fake parts run, their figures drawn, the document written (not compiled); built once."""
    out = tmp_path_factory.mktemp("answers")
    with pytest.MonkeyPatch.context() as mp:
        _install_fakes(mp)
        results = [run_part(pid) for pid in ORDER]
    drawn = draw_all(results, out, 0, progress=False)
    (out / "answers.tex").write_text(solutions.document(results, drawn))
    (out / "verification.tex").write_text(report.document(results, drawn, seed=0))
    return out / "answers.tex", results, drawn


def _report(built) -> str:
    return built[0].with_name("verification.tex").read_text()


# --------------------------------------------------------------------------- the .tex itself


def test_every_part_id_appears_once_as_a_subsection_and_in_the_summary(built):
    tex_path, results, _ = built
    for tex, label in ((tex_path.read_text(), "part"), (_report(built), "report")):
        latex.check_balanced(tex)
        assert not re.search(r"[\x00-\x08\x0b-\x1f]", tex)  # no tab or control character slipped in
        for pid in ORDER:
            assert tex.count(rf"\label{{{label}:{pid}}}") == 1
            assert rf"\hyperref[{label}:{pid}]{{{pid}}}" in tex
    assert [r.status for r in results if r.id in FAKE] == ["checked", "failed", "proved", "proved", "failed"]


def test_every_drawn_figure_exists_and_is_referenced_and_no_missing_one_is(built):
    tex_path, _, drawn = built
    tex = tex_path.read_text()
    included = re.findall(r"\\includegraphics\[[^]]*\]\{([^}]+)\}", tex)
    good = [f.filename for files in drawn.values() for f in files if f.error is None]
    assert sorted(included) == sorted(good) and len(good) == 4
    assert all((tex_path.parent / name).stat().st_size > 0 for name in included)
    assert len(set(included)) == len(included)  # a repeated name got a suffix
    assert all(re.fullmatch(r"fig-[A-Za-z0-9-]+\.pdf", name) for name in included)
    for k in range(1, 2):
        assert rf"Figure~\ref{{fig:8a:{k}}}" in tex
    assert "Figure not drawn" in tex and "no data to plot" in tex


def test_failed_figure_makes_its_part_failed(built):
    _, results, _ = built
    r = {r.id: r for r in results}["9h"]
    assert r.status == "failed"


def test_the_solution_set_gives_one_sentence_of_evidence_pointing_to_the_report(built):
    tex = built[0].read_text()
    assert "; verification report, section 8a." in tex
    assert "on $20\\,000$ draws ($p = " in tex and r"\alpha" not in tex.split("section*{Question")[1]
    assert r"\max|\Delta|" not in tex and "rtol" not in tex


def test_evidence_is_typeset_as_a_sentence_not_json(built):
    tex = _report(built)
    assert "{" + '"' not in tex and '"n":' not in tex
    assert r"$n = 20\,000$" in tex
    assert re.search(r"\$p = [0-9.]+ \\ge \\alpha = 10\^\{-6\}\$", tex)
    assert r"\max|\Delta|" in tex and r"\text{rtol} = 10^{-9}" in tex
    assert r"ess at 100~$=$ $1.3$" in tex and r"dimension~$=$ ($1$, $10$, $100$)" in tex


def test_failed_step_shows_counterexample_and_both_sides(built):
    tex = _report(built)
    assert r"\textbf{fails:}" in tex and "Step 1 fails" in tex and "the right side" in tex
    assert "builder crashed" in tex


@pytest.mark.parametrize("text, expected", [
    ("x_0 & 5% #1 ^2", r"x\_0 \& 5\% \#1 \^{}2"),
    (r"keep $a_b^c$ and \emph{it}", r"keep $a_b^c$ and \emph{it}"),
    (r"already \_ escaped", r"already \_ escaped"),
    ("ᾱ unknown", "? unknown"),
])
def test_prose_escapes_only_what_would_break_the_document(text, expected):
    assert prose(text) == expected


def test_show_latex_prints_the_fragment_of_one_part(fake_parts, capsys):
    assert cli.main(["show", "8a", "--latex"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("% ==== part 8a ====") and r"\begin{align*}" in out and "fig-8a-mean.pdf" in out
    assert r"\label{part:8a}" in out and "; verification report, section 8a." in out
    assert cli.main(["show", "8a", "--latex", "--report"]) == 0
    out = capsys.readouterr().out
    assert r"\label{report:8a}" in out and r"\paragraph{Checks}" in out and r"\paragraph{Links}" in out


# --------------------------------------------------------------------------- compiling


@needs_pdflatex
@pytest.mark.parametrize("name", ["answers.tex", "verification.tex"])
def test_both_documents_compile_without_errors_or_undefined_references(built, name):
    compiled = pdf.compile_pdf(built[0].with_name(name))
    assert compiled.pdf.exists() and compiled.pdf.read_bytes().startswith(b"%PDF")
    assert compiled.pages >= 5 and compiled.runs >= 2
    assert not [o for o in compiled.overfull if o[1] > 5.0], compiled.overfull


@needs_pdflatex
def test_broken_fragment_gives_one_line_error_naming_its_part(built, tmp_path):
    tex = built[0].read_text().replace(r"\label{part:8e}", r"\label{part:8e}\undefinedmacro", 1)
    bad = built[0].with_name("broken.tex")  # beside the figures
    bad.write_text(tex)
    with pytest.raises(pdf.LatexError) as err:
        pdf.compile_pdf(bad)
    message = str(err.value)
    assert "\n" not in message and "part 8e" in message and "Undefined control sequence" in message
    assert re.search(r"broken\.tex:\d+", message) and r"\undefinedmacro" in message
    assert not bad.with_suffix(".pdf").exists() and bad.read_text() == tex
    assert not list(bad.parent.glob("broken.*[!x]"))  # no .log/.aux left beside it


@needs_pdflatex
def test_missing_figure_file_is_an_error_naming_its_part(built, tmp_path):
    tex_path = tmp_path / "answers.tex"  # a directory without the figures
    tex_path.write_text(built[0].read_text())
    with pytest.raises(pdf.LatexError, match=r"answers\.tex:\d+ \(part 3b\.vii\): .*fig-3b-vii-ess\.pdf' not found"):
        pdf.compile_pdf(tex_path)


@needs_pdflatex
def test_undefined_reference_is_an_error(built, tmp_path):
    tex = built[0].read_text().replace(r"\label{part:8a}", "", 1)
    bad = built[0].with_name("unlabelled.tex")
    bad.write_text(tex)
    with pytest.raises(pdf.LatexError, match="undefined reference 'part:8a'"):
        pdf.compile_pdf(bad)


def test_without_pdflatex_the_error_says_how_to_install_it(built, monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(pdf.LatexError, match="texlive-latex-base texlive-latex-recommended"):
        pdf.compile_pdf(built[0])


def test_latex_command_writes_tex_prints_table_and_exits_2_without_pdflatex(fake_parts, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    out = tmp_path / "build" / "answers.tex"
    assert cli.main(["latex", "-o", str(out), "--pdf"]) == 2
    captured = capsys.readouterr()
    assert out.exists() and out.read_text().rstrip().endswith(r"\end{document}")
    assert out.with_name("verification.tex").read_text().rstrip().endswith(r"\end{document}")
    assert "8a" in captured.out and "PROVED" in captured.out and "failed 2" in captured.out
    err_lines = [ln for ln in captured.err.splitlines() if ln.startswith("error:")]
    assert len(err_lines) == 1 and "apt-get install texlive-latex-base" in err_lines[0]
    assert "[48/48]" in captured.err and "Traceback" not in captured.err
    assert not out.with_suffix(".pdf").exists()
    assert not list(out.parent.glob(".*.tmp"))  # atomic writes leave no temporary files


def test_latex_command_exits_1_when_a_part_failed_and_still_writes_the_document(fake_parts, tmp_path, capsys):
    out = tmp_path / "answers.tex"
    assert cli.main(["latex", "-o", str(out)]) == 1
    assert r"\end{document}" in out.read_text()


@pytest.mark.parametrize("argv, fragment", [
    (["latex"], "required"),
    (["latex", "-o", "."], "expects a .tex file name"),
    (["latex", "-o", "answers.pdf"], "expects a .tex file name"),
    (["latex", "-o", "x.tex", "--seed", "-3"], "seed must be a non-negative integer"),
])
def test_latex_bad_usage_is_one_line_and_exit_2(argv, fragment, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert out == "" and len(lines) == 1 and fragment in lines[0]
    assert not list(tmp_path.iterdir())  # nothing written


def _typeset_only(pid: str) -> PartResult:
    """A real part's answer with its chains as written, not verified (verification is
    ``derive check``'s job and takes long): enough to typeset every formula and sentence."""
    reg = homeworks.registry().registration(pid)
    result = PartResult(pid, PARTS[pid].title, "todo" if reg is None else reg.claim, "todo", 0)
    if reg is None:
        return result
    result.answer = reg.build()
    result.chains = [ChainResult(c, tuple(StepResult(i, s.reason, s.relation, lhs, s.expr, Status.PROVED, "unverified")
                                          for i, (lhs, s) in enumerate(c.pairs(), start=1)))
                     for c in result.answer.chains]
    return result


def test_real_parts_that_have_landed_compile_into_the_full_document(tmp_path):
    """Every real part's LaTeX (answer, explanation, every chain) in one document, compiled.

    Checks, figures and the verification of steps are left out to keep this fast; the fake parts
    above cover those paths, and `make answers` runs everything.
    """
    results = [_typeset_only(pid) for pid in ORDER]
    if all(r.answer is None for r in results):
        pytest.skip("no real part has been registered yet")
    for name, tex, label in (("answers.tex", solutions.document(results, {}), "part"),
                             ("verification.tex", report.document(results, {}, seed=0), "report")):
        latex.check_balanced(tex)
        for r in results:
            assert rf"\label{{{label}:{r.id}}}" in tex
        if not HAVE_PDFLATEX:
            pytest.skip("pdflatex is not installed; the document was built but not compiled")
        path = tmp_path / name
        path.write_text(tex)
        compiled = pdf.compile_pdf(path)
        assert compiled.pages > 10
        assert compiled.overfull == [], (name, compiled.overfull)  # (line, points, part): no line in the margin


# A paragraph of part 5.1: its inline formula can break only at '=', and the text before it is too
# short to fill a line; at the document's 2.5 cm margins the line ran 8.8 pt into the margin until
# relations could shrink.
LONG_INLINE = (r"Identical components get identical responsibilities: $Q(z\mid x)=p_z\mathcal N(x;\mu_0,s^2)/"
               r"\sum_yp_y\mathcal N(x;\mu_0,s^2)=p_z$ does not depend on $x$. With a constant responsibility "
               r"$c$ the M-step gives weight $c$, mean $\bar x$ and variance $\sum_i\|x^i-\bar x\|^2/(dn)$ for every "
               r"component.")


@needs_pdflatex
def test_a_long_inline_formula_breakable_only_at_relations_fits_the_line(tmp_path):
    result = PartResult("5.1", PARTS["5.1"].title, "explained", "explained", 0)
    result.answer = Answer(summary="Fails: every responsibility is $1/k$.", explanation=LONG_INLINE)
    tex = solutions.document([result], {})
    shrink = "\\thickmuskip=5mu plus 5mu minus 3mu\n"
    assert shrink in tex
    overfull = {}
    for name, text in (("now", tex), ("without shrinking relations", tex.replace(shrink, ""))):
        path = tmp_path / name.replace(" ", "-") / "answers.tex"
        path.parent.mkdir()
        path.write_text(text)
        overfull[name] = pdf.compile_pdf(path).overfull
    assert overfull["now"] == []
    assert [(part, round(points, 1)) for _, points, part in overfull["without shrinking relations"]] == [("5.1", 8.8)]


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed (CI installs texlive)")
def test_a_stale_aux_beside_the_tex_does_not_shadow_the_fresh_one(tmp_path):
    from derivations import pdf
    tex = tmp_path / "doc.tex"
    tex.write_text("\\documentclass{article}\\begin{document}See \\ref{a}.\\section{S}\\label{a}\\end{document}\n")
    (tmp_path / "doc.aux").write_text("\\relax\n")  # left by an earlier manual run, without the label
    report = pdf.compile_pdf(tex)
    assert report.pages == 1 and (tmp_path / "doc.pdf").exists()
