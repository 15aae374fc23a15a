"""A catalogue of answers to the homework: common mistakes are rejected with a counterexample,
and equivalent rewritings (LaTeX or plain text, any order, any algebraic form) are accepted."""

import re
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import derivations
from derivations.answercheck import AnswerError
from derivations.homeworks import registry

registration = registry().registration

A = r"\bar\alpha_t"
SIG = r"\sigma\left(\frac{\sqrt{\bar\alpha_t}(\hat x_1 - \hat x_2)}{1-\bar\alpha_t}\right)"
EPS = r"\frac{\hat{x} - \sqrt{\bar\alpha_t}(w e_1 + (1-w) e_2)}{\sqrt{1-\bar\alpha_t}}, w = " + SIG
SOFTMAX = (r"w = \frac{a}{a+b}, a = e^{-\frac{\|\hat x - \sqrt{\bar\alpha_t}e_1\|^2}{2(1-\bar\alpha_t)}}, "
           r"b = e^{-\frac{\|\hat x - \sqrt{\bar\alpha_t}e_2\|^2}{2(1-\bar\alpha_t)}}")
M_STEP_VAR = r"\frac{\sum_{i=1}^n Q(z|x^{(i)})\|x^{(i)} - \mu_z\|^2}{%s\sum_{i=1}^n Q(z|x^{(i)})}"
NOISE_POSTERIOR = (r"w\,\delta_{(\hat x - \sqrt{\bar\alpha_t}e_1)/\sqrt{1-\bar\alpha_t}} + (1-w)\,"
                   r"\delta_{(\hat x - \sqrt{\bar\alpha_t}e_2)/\sqrt{1-\bar\alpha_t}}, w = " + SIG)
END_POINT_POSTERIOR = (r"\frac{\exp(-\|x - t x^{(i)}\|^2 / (2(1-t)^2))}"
                       r"{\sum_{j=1}^n \exp(-\|x - t x^{(j)}\|^2 / (2(1-t)^2))}")

# (part, quantity, answer): each is a correct answer written some other way
EQUIVALENT = [
    ("8a", None, rf"\mathcal{{N}}(\sqrt{{{A}}}\,x_0, (1-{A})I)"),
    ("8a", None, "N(sqrt(abar_t)*x_0, 1 - abar_t)"),
    ("8a", None, r"q(x_t \mid x_0) = \mathcal{N}\left(x_t; \bar{\alpha}_t^{1/2} x_0,\ I - \bar{\alpha}_t I\right)"),
    ("8a", None, r"x_t \sim \mathcal N(x_0\sqrt{\bar\alpha_t}, (1-\bar\alpha_t)\mathbf{I})"),
    ("8b", None, rf"\frac12\mathcal{{N}}(\sqrt{{{A}}}e_1, (1-{A})I) + \frac12\mathcal{{N}}(\sqrt{{{A}}}e_2, (1-{A})I)"),
    ("8b", None, rf"\frac12\mathcal{{N}}(\sqrt{{{A}}}[0,1]^\top, (1-{A})I) + \frac12\mathcal{{N}}(\sqrt{{{A}}}[1,0]^\top, (1-{A})I)"),
    ("8b", None, "0.5*N(sqrt(abar_t)*[1, 0], 1-abar_t) + 0.5*N([0, sqrt(abar_t)], 1-abar_t)"),
    ("8b", None, rf"\tfrac{{1}}{{2}}\mathcal N\left(\begin{{pmatrix}}\sqrt{{{A}}}\\0\end{{pmatrix}}, (1-{A})I\right)"
                 rf" + \tfrac{{1}}{{2}}\mathcal N\left(\begin{{pmatrix}}0\\\sqrt{{{A}}}\end{{pmatrix}}, (1-{A})I\right)"),
    ("8c", None, EPS),
    ("8c", None, r"\frac{\hat{x} - \sqrt{\bar\alpha_t}(w e_1 + (1-w) e_2)}{\sqrt{1-\bar\alpha_t}}, " + SOFTMAX),
    ("8c", None, "(xhat - sqrt(abar_t)*[w, 1 - w])/sqrt(1 - abar_t), w = 1/(1 + exp(-sqrt(abar_t)*(xhat_1 - xhat_2)/(1 - abar_t)))"),
    ("8d", None, NOISE_POSTERIOR),
    ("8d", None, r"(1-w)\delta((\hat x - \sqrt{\bar\alpha_t}e_2)/\sqrt{1-\bar\alpha_t}) + w\delta((\hat x - \sqrt{\bar\alpha_t}e_1)/\sqrt{1-\bar\alpha_t}); " + SOFTMAX),
    ("8e", "limit of eps*(xhat, t) as alphabar_t -> 0", r"\hat{x}"),
    ("8e", "limit of eps*(xhat, t) as alphabar_t -> 0", "[xhat_1, xhat_2]"),
    ("6", "weights", r"\frac{1}{n}\sum_{i=1}^n Q(z|x^{(i)})"),
    ("6", "weights", r"\frac{\sum_{i=1}^{n} Q(z \mid x^i)}{n}"),
    ("6", "means", r"\frac{\sum_{i=1}^n Q(z|x^{(i)}) x^{(i)}}{\sum_{i=1}^n Q(z|x^{(i)})}"),
    ("6", "means", "sum_{i=1}^n Q[z, i]*x[i] / sum_{i=1}^n Q[z, i]"),
    ("6", "variances", M_STEP_VAR % "d"),
    ("6", "variances", r"\frac{1}{d}\frac{\sum_{i=1}^n Q(z|x^i)\|x^i - m\|^2}{\sum_{i=1}^n Q(z|x^i)}, "
                       r"m = \frac{\sum_{i=1}^n Q(z|x^i) x^i}{\sum_{i=1}^n Q(z|x^i)}"),
    ("3b.ii", None, "1"),
    ("3b.ii", None, "(a)"),
    ("3b.ii", None, "2"),  # was a mistake until 3b.ii's correct options became {1, 2} (the question reads two ways)
    ("3b.iii", None, "b"),
    ("3b.iv", None, r"-\sum_{i=1}^n \log \int p_\theta(x^{(i)}|z)\, p(z)\,dz"),
    ("3b.iv", None, r"\sum_{i=1}^{n} -\log\left(\int_{-\infty}^{\infty} p(z) p_{\theta}(x^{(i)} \mid z)\,\mathrm{d}z\right)"),
    ("3b.vi", None, r"-\sum_{i=1}^n \log \frac{1}{K}\sum_{j=1}^K p_\theta(x^{(i)}|z^{(j)})"),
    ("3b.vi", None, r"\sum_{i=1}^n \left(\log K - \log \sum_{j=1}^K p_\theta(x^{(i)}|z^{(j)})\right)"),
    ("3d.i", None, r"\frac{1}{\sigma^2}(x - NN_\theta(z)) \nabla_\theta NN_\theta(z)"),
    ("3d.i", None, r"\frac{\partial NN_\theta(z)}{\partial\theta}^\top \frac{x - NN_\theta(z)}{\sigma^2}"),
    ("3d.ii", None, r"\nabla_\phi NN_\phi(x)\left(\frac{x - NN_\theta(z)}{\sigma^2}\frac{\partial NN_\theta(z)}{\partial z} - z\right), "
                    r"z = NN_\phi(x) + \sigma_q\epsilon"),
    ("9a", None, r"p_t(x \mid x_1) = \mathcal{N}(x; t x_1, (1-t)^2 I)"),
    ("9a", None, "N(t*x_1, (1 - t)**2)"),
    ("9b", None, r"\delta_{x_1}"),
    ("9b", None, r"\mathcal{N}(x_1, 0 \cdot I)"),
    ("9c", None, r"p_t(x) = \frac{1}{n}\sum_{i=1}^n \mathcal{N}(x; t x^{(i)}, (1-t)^2 I)"),
    ("9c", None, r"\frac{1}{n}\sum_{i=1}^n \frac{1}{\sqrt{2\pi}(1-t)} e^{-\frac{(x - t x^{(i)})^2}{2(1-t)^2}}"),
    ("9e", None, END_POINT_POSTERIOR),
    ("9g", "target", "x_1 - x_0"),
    ("9g", "target", r"\frac{x_1 - x_t}{1 - t}"),
    ("9g", "loss", r"\left\|v_\theta(x_t, t) - (x_1 - x_0)\right\|^2"),
    ("9g", "loss", "(v_theta((1 - t)*x_0 + t*x_1, t) - x_1 + x_0)**2"),
    ("2b", "limit", "p"),
    ("2b", "theta", r"\log\frac{n_1}{n - n_1}"),
    ("2b", "theta", r"-\log\left(\frac{n}{n_1} - 1\right)"),
]

# (part, quantity, answer, the mistake): each must be rejected as incorrect
WRONG = [
    ("8a", None, rf"\mathcal{{N}}({A}x_0, (1-{A})I)", "mean without the square root"),
    ("8a", None, rf"\mathcal{{N}}(\sqrt{{{A}}}x_0, \sqrt{{1-{A}}}I)", "standard deviation for the variance"),
    ("8a", None, rf"\mathcal{{N}}(\sqrt{{1-{A}}}x_0, {A} I)", "signal and noise swapped"),
    ("8a", None, rf"\mathcal{{N}}(x_0, (1-{A})I)", "mean not shrunk"),
    ("8a", None, rf"\mathcal{{N}}(\sqrt{{{A}}}x_0, (1-{A})^2 I)", "variance squared"),
    ("8a", None, rf"\mathcal{{N}}(-\sqrt{{{A}}}x_0, (1-{A})I)", "sign error"),
    ("8a", None, r"\mathcal{N}(\sqrt{\alpha_t}x_0, (1-\alpha_t)I)", "alpha_t for alphabar_t"),
    ("8a", None, r"\mathcal{N}(\sqrt{1-\beta_t}x_0, \beta_t I)", "one step instead of t steps"),
    ("8b", None, rf"\frac13\mathcal{{N}}(\sqrt{{{A}}}e_1, (1-{A})I) + \frac23\mathcal{{N}}(\sqrt{{{A}}}e_2, (1-{A})I)", "unequal weights"),
    ("8b", None, rf"\frac12\mathcal{{N}}({A}e_1, (1-{A})I) + \frac12\mathcal{{N}}({A}e_2, (1-{A})I)", "missing sqrt"),
    ("8b", None, rf"\mathcal{{N}}(\tfrac12\sqrt{{{A}}}[1,1]^\top, (1-{A})I)", "one Gaussian at the mixture's mean"),
    ("8b", None, rf"\frac12\mathcal{{N}}(\sqrt{{{A}}}e_1, \sqrt{{1-{A}}}I) + \frac12\mathcal{{N}}(\sqrt{{{A}}}e_2, \sqrt{{1-{A}}}I)", "std for variance"),
    ("8b", None, rf"\mathcal{{N}}(\sqrt{{{A}}}e_1, (1-{A})I) + \mathcal{{N}}(\sqrt{{{A}}}e_2, (1-{A})I)", "weights do not sum to one"),
    ("8c", None, EPS.replace("w e_1 + (1-w) e_2", "(1-w) e_1 + w e_2"), "posterior weights swapped"),
    ("8c", None, EPS.replace(r"{\sqrt{1-\bar\alpha_t}}, w", r"{1-\bar\alpha_t}, w"), "variance for std in the denominator"),
    ("8c", None, EPS.replace(r"\sqrt{\bar\alpha_t}(w e_1", r"\bar\alpha_t(w e_1"), "missing sqrt on the signal"),
    ("8c", None, r"\frac{\hat{x} - \sqrt{\bar\alpha_t}\frac{e_1 + e_2}{2}}{\sqrt{1-\bar\alpha_t}}", "prior mean instead of posterior mean"),
    ("8c", None, EPS.replace(r"(\hat x_1 - \hat x_2)", r"(\hat x_2 - \hat x_1)"), "log-odds sign error"),
    ("8d", None, r"w\,\delta_{(\hat x - \sqrt{\bar\alpha_t}e_2)/\sqrt{1-\bar\alpha_t}} + (1-w)\,\delta_{(\hat x - \sqrt{\bar\alpha_t}e_1)/\sqrt{1-\bar\alpha_t}}, w = " + SIG, "atoms swapped"),
    ("8d", None, r"\mathcal{N}(0, I)", "the prior of the noise, not its posterior"),
    ("8e", "limit of eps*(xhat, t) as alphabar_t -> 0", "0", "the noise prediction does not vanish"),
    ("8e", "limit of eps*(xhat, t) as alphabar_t -> 0", r"-\hat x", "sign error"),
    ("6", "weights", r"\sum_{i=1}^n Q(z|x^{(i)})", "missing 1/n"),
    ("6", "means", r"\frac{1}{n}\sum_{i=1}^n Q(z|x^{(i)}) x^{(i)}", "divided by n, not by the soft count"),
    ("6", "variances", M_STEP_VAR % "", "missing 1/d in the spherical variance"),
    ("6", "variances", r"\sqrt{" + M_STEP_VAR % "d" + "}", "standard deviation for variance"),
    ("6", "variances", r"\frac{\sum_{i=1}^n Q(z|x^{(i)})\|x^{(i)} - \mu_z\|^2}{d\, n}", "divided by n, not the soft count"),
    ("3b.ii", None, "3", "a Gaussian decoder"),
    ("3b.iii", None, "1", "F^{-1}(z) for a normal z"),
    ("3b.iii", None, "c", "a Gaussian decoder"),
    ("3b.iv", None, r"-\sum_{i=1}^n \int \log(p_\theta(x^{(i)}|z))\, p(z)\,dz", "log inside the integral (Jensen)"),
    ("3b.iv", None, r"\sum_{i=1}^n \log \int p_\theta(x^{(i)}|z)\, p(z)\,dz", "sign error: the log-likelihood, not the loss"),
    ("3b.iv", None, r"-\sum_{i=1}^n \log \int p_\theta(x^{(i)}|z)\,dz", "prior forgotten"),
    ("3b.vi", None, r"-\sum_{i=1}^n \frac{1}{K}\sum_{j=1}^K \log p_\theta(x^{(i)}|z^{(j)})", "log inside the sample mean"),
    ("3b.vi", None, r"-\sum_{i=1}^n \log \sum_{j=1}^K p_\theta(x^{(i)}|z^{(j)})", "missing 1/K"),
    ("3d.i", None, r"\frac{1}{\sigma^2}(NN_\theta(z) - x) \nabla_\theta NN_\theta(z)", "sign error"),
    ("3d.i", None, r"\frac{1}{\sigma}(x - NN_\theta(z)) \nabla_\theta NN_\theta(z)", "sigma for sigma squared"),
    ("3d.ii", None, r"\nabla_\phi NN_\phi(x)\frac{x - NN_\theta(z)}{\sigma^2}\frac{\partial NN_\theta(z)}{\partial z}, "
                    r"z = NN_\phi(x) + \sigma_q\epsilon", "entropy term forgotten"),
    ("9a", None, r"\mathcal{N}(t x_1, (1-t) I)", "1-t for (1-t)^2"),
    ("9a", None, r"\mathcal{N}(t x_1, (1-t^2) I)", "the variance of a variance-preserving path"),
    ("9a", None, r"\mathcal{N}((1-t) x_1, t^2 I)", "time reversed"),
    ("9b", None, r"\delta_{0}", "the noise end, not the data end"),
    ("9c", None, r"\frac{1}{n}\sum_{i=1}^n \mathcal{N}(x; t x^{(i)}, (1-t) I)", "1-t for (1-t)^2"),
    ("9c", None, r"\sum_{i=1}^n \mathcal{N}(x; t x^{(i)}, (1-t)^2 I)", "missing 1/n"),
    ("9e", None, r"\frac{\exp(-\|x - t x^{(i)}\|^2 / (2(1-t)))}{\sum_{j=1}^n \exp(-\|x - t x^{(j)}\|^2 / (2(1-t)))}", "1-t for (1-t)^2"),
    ("9e", None, r"\exp(-\|x - t x^{(i)}\|^2 / (2(1-t)^2))", "not normalised"),
    ("9g", "target", "x_0 - x_1", "sign error"),
    ("9g", "target", "x_1", "the end point, not the velocity"),
    ("9g", "loss", r"\|v_\theta(x_t, t) - x_1\|^2", "regressing on the end point"),
    ("9g", "loss", r"\|v_\theta(x_1, t) - (x_1 - x_0)\|^2", "evaluated at the end point, not on the path"),
    ("2b", "limit", "1 - p", "proportions swapped"),
    ("2b", "theta", r"\log\frac{n_1}{n}", "log-probability for log-odds"),
]


def _needs(part: str) -> None:
    """Every part of the catalogue is written: an unregistered one is a failure, not a skip."""
    if registration(part) is None:
        pytest.fail(f"part {part} is not registered (the registry lost it?); the catalogue needs it")


@pytest.mark.parametrize("part, quantity, answer", EQUIVALENT)
def test_equivalent_rewriting_is_accepted(part, quantity, answer):
    _needs(part)
    verdict = derivations.verify(part, answer, quantity=quantity)
    assert verdict.correct, verdict.report()
    assert verdict.exit_code == 0


@pytest.mark.parametrize("part, quantity, answer, mistake", WRONG, ids=[f"{w[0]}-{w[3]}" for w in WRONG])
def test_plausible_mistake_is_rejected_with_evidence(part, quantity, answer, mistake):
    _needs(part)
    verdict = derivations.verify(part, answer, quantity=quantity)
    assert verdict.status == "incorrect", verdict.report()
    assert verdict.exit_code == 1
    if verdict.kind != "choice":
        assert verdict.what or verdict.counterexample, verdict.report()  # it says what differs or where


def _needs_distribution(part: str) -> None:
    _needs(part)
    from derivations.answercheck.verdict import quantities

    if not any(q.kind == "distribution" for q in quantities(part)):
        pytest.fail(f"part {part} has no distribution quantity; the catalogue's distribution answers need one")


@pytest.mark.parametrize("answer", [r"F(x) \sim \mathcal{U}[0,1]", "U(0, 1)", r"\mathrm{Unif}(0, 1)", "Uniform(0, 1)"])
def test_the_probability_integral_transform_is_uniform_in_any_spelling(answer):
    _needs_distribution("3b.i")
    verdict = derivations.verify("3b.i", answer)
    assert verdict.correct and verdict.kind == "distribution", verdict.report()


@pytest.mark.parametrize("answer, what", [("U(0, 2)", "the upper end of the interval"),
                                          ("U(-1, 1)", "the lower end of the interval"),
                                          (r"\mathcal{N}(1/2, 1/12)", "the family")])
def test_a_wrong_interval_or_family_for_the_probability_integral_transform_is_rejected(answer, what):
    _needs_distribution("3b.i")
    verdict = derivations.verify("3b.i", answer)
    assert verdict.status == "incorrect" and verdict.what == what, verdict.report()


def test_a_uniform_beside_the_cdf_lets_the_answer_choose_between_them(capsys):
    """3b.i: the distribution Unif(0, 1) beside the CDF u; each answer finds its own quantity."""
    from derivations import cli

    _needs("3b.i")
    for answer in (r"F(x) \sim \mathcal{U}[0,1]", "Uniform(0, 1)"):
        v = derivations.verify("3b.i", answer)
        assert v.correct and v.quantity == "distribution of F(x)", v.report()
    assert derivations.verify("3b.i", "U(0, 2)").what == "the upper end of the interval"
    for answer in ("u", r"P(F(x) \le u) = u"):
        assert derivations.verify("3b.i", answer).quantity == "CDF of F(x)"
    with pytest.raises(AnswerError, match=r"needs low < high, got U\(1, 0\)"):
        derivations.verify("3b.i", "U(1, 0)")  # the reason, not a list of quantities
    with pytest.raises(SystemExit):
        cli.main(["verify", "3b.i", "--help"])
    assert "(no symbols: the answer is written with numbers only)" in capsys.readouterr().out


def test_catalogue_is_large_enough():
    assert len(EQUIVALENT) >= 30 and len(WRONG) >= 30


def test_a_part_with_several_quantities_names_the_one_the_answer_is_right_for():
    _needs("6")
    verdict = derivations.verify("6", r"\frac{1}{n}\sum_{i=1}^n Q(z|x^i)")  # fits all three; right for one
    assert verdict.correct and verdict.quantity == "weights", verdict.report()
    assert {r.quantity for r in verdict.readings} == {"means", "variances"}
    assert all(r.status == "incorrect" for r in verdict.readings)
    with pytest.raises(AnswerError, match="no quantity 'average'"):
        derivations.verify("6", "n", quantity="average")
    assert derivations.verify("6", r"\frac{1}{n}\sum_{i=1}^n Q(z|x^i)", quantity="weight").correct  # a unique part


def test_the_symbols_of_an_answer_choose_the_one_quantity_whose_reference_uses_them():
    _needs("6")
    # every quantity of part 6 can read it, but only the variances use d (and mu_z, the means)
    assert derivations.verify("6", M_STEP_VAR % "d").quantity == "variances"
    _needs("2b")
    assert derivations.verify("2b", "p").quantity.startswith("limit")  # the only one with p


@pytest.mark.parametrize("part, answer", [("8e", "0"), ("2b", r"\frac12")])
def test_an_answer_wrong_for_every_quantity_it_fits_is_incorrect_for_each(part, answer):
    _needs(part)
    verdict = derivations.verify(part, answer)
    assert verdict.status == "incorrect" and verdict.exit_code == 1 and verdict.readings, verdict.report()
    assert all(r.status == "incorrect" for r in verdict.readings)
    report = verdict.report()
    for other in verdict.readings:
        assert f"as '{other.quantity}': incorrect" in report


def test_an_answer_right_for_one_quantity_of_several_is_correct_and_named():
    _needs("2b")
    verdict = derivations.verify("2b", "n_1/n")  # P(Y=1) and theta_hat both use n_1 and n
    assert verdict.correct and verdict.quantity.startswith("fitted"), verdict.report()
    assert [r.quantity for r in verdict.readings] == ["theta_hat"] and not verdict.readings[0].correct
    assert derivations.verify("2b", r"-\log(n/n_1 - 1)").quantity == "theta_hat"


def test_readings_that_disagree_ask_for_a_quantity_with_a_command_that_works(monkeypatch, capsys):
    import shlex

    import sympy as sp

    from derivations import cli
    from derivations.answer import Quantity
    from derivations.answercheck import verdict as verdict_module

    a = sp.Symbol("a", real=True)
    nowhere = Quantity("root of a negative", sp.sqrt(-1 - a**2), symbols=(a,))  # no point can be evaluated
    shifted = Quantity("shifted a", a + 1, symbols=(a,))
    monkeypatch.setattr(verdict_module, "quantities", lambda pid: (nowhere, shifted))
    with pytest.raises(AnswerError) as info:
        derivations.verify("8a", "-a")
    message = str(info.value)
    assert "\n" not in message and "fits 2 of them with different verdicts" in message
    assert "'root of a negative' (undecided)" in message and "'shifted a' (incorrect)" in message
    assert "--quantity root" in message and "--quantity shifted" in message
    command = shlex.split(message.split("e.g. ", 1)[1])
    assert command[:3] == ["derive", "verify", "8a"] and "--" in command  # an answer starting with '-' needs '--'
    assert cli.main(command[1:]) == 3 and "undecided" in capsys.readouterr().out
    with pytest.raises(AnswerError, match="part of several quantity names; pass one exactly"):
        derivations.verify("8a", "a", quantity="a")


def test_an_answer_no_quantity_can_read_shows_its_real_error():
    _needs("2b")
    with pytest.raises(AnswerError, match=r"'\(' opened at position 5 is not closed"):
        derivations.verify("2b", "n_1/(n")
    _needs("6")
    with pytest.raises(AnswerError, match=r"x needs an index, as in x\^\{\(i\)\} at position 1"):
        derivations.verify("6", "x")  # the same reason under every quantity: that reason is the error


def test_cli_exit_codes_are_0_correct_1_incorrect_2_bad_input(capsys):
    from derivations import cli

    _needs("8a")
    assert cli.main(["verify", "8a", r"\mathcal{N}(\sqrt{\bar\alpha_t}x_0, (1-\bar\alpha_t)I)"]) == 0
    assert "correct" in capsys.readouterr().out
    assert cli.main(["verify", "8a", "N(x_0, 1 - abar_t)", "--json"]) == 1
    import json

    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "incorrect" and report["differs"] == "the mean" and report["counterexample"]
    assert cli.main(["verify", "8a", "N(x_0, "]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_help_of_a_part_lists_its_quantities_and_symbols_in_both_notations(capsys):
    from derivations import cli

    _needs("6")
    with pytest.raises(SystemExit) as done:
        cli.main(["verify", "6", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for fragment in ("weights", "means", "variances", "Q_{z,i}", "Q(z | x^i)", "x^{(i)}", "x[i]", "mu_z"):
        assert fragment in out


@settings(max_examples=10, suppress_health_check=[HealthCheck.nested_given])  # verify itself uses hypothesis.find
@given(st.fractions(-5, 5, max_denominator=12).filter(lambda c: c != 0), st.integers(1, 9))
def test_any_shift_of_the_forward_mean_is_rejected_and_any_rescaling_accepted(c, k):
    _needs("8a")
    shifted = derivations.verify("8a", rf"\mathcal{{N}}(\sqrt{{\bar\alpha_t}}x_0 + {c.numerator}/{c.denominator}, "
                                       r"(1-\bar\alpha_t)I)")
    assert shifted.status == "incorrect" and shifted.what == "the mean"
    rescaled = derivations.verify("8a", rf"\mathcal{{N}}\left(\frac{{\sqrt{{{k}\bar\alpha_t}}}}{{\sqrt{{{k}}}}}x_0, "
                                        rf"\frac{{{k} - {k}\bar\alpha_t}}{{{k}}} I\right)")
    assert rescaled.correct, rescaled.report()


# every listed part accepts its answer in LaTeX and in plain text
BOTH_NOTATIONS = [
    ("2b", "theta", r"\hat\theta = \log\frac{n_1}{n - n_1}", "log(n_1/(n - n_1))"),
    ("2b", "limit", r"\hat{p}(Y=1 \mid X=(1)) \to p", "p"),
    ("3b.i", None, r"P(F(x) \le u) = u", "u"),
    ("3b.ii", None, r"(a)", "1"),
    ("3b.iii", None, r"(b)", "2"),
    ("3b.iv", None, r"-\sum_{i=1}^n \log \int p_\theta(x^{(i)}|z)\, p(z)\,dz",
     "-sum_{i=1}^n log(int p_theta(x[i] | z)*p(z) dz)"),
    ("3b.vi", None, r"-\sum_{i=1}^n \log\Big(\frac{1}{K}\sum_{j=1}^K p_\theta(x^{(i)}|z^{(j)})\Big)",
     "-sum_{i=1}^n log(1/K*sum_{j=1}^K p_theta(x[i] | z[j]))"),
    ("3c.iv", None, r"\log p_\theta(x) - \mathrm{KL}\big(q_\phi(z|x)\,\|\,p_\theta(z|x)\big)", "log(p_theta(x)) - KL(q_phi(z | x) || p_theta(z | x))"),
    ("3d.i", None, r"\frac{x - NN_\theta(z)}{\sigma^2}\nabla_\theta NN_\theta(z)",
     "(x - NN_theta(z))*grad_theta NN_theta(z)/sigma^2"),
    ("3d.ii", None, r"\frac{\partial NN_\phi(x)}{\partial\phi}\left(\frac{x - NN_\theta(z)}{\sigma^2}\nabla_z NN_\theta(z) - z\right)"
                    r" \text{ where } z = NN_\phi(x) + \sigma_q\epsilon",
     "grad_phi NN_phi(x)*((x - NN_theta(z))/sigma^2*grad_z NN_theta(z) - z), z = NN_phi(x) + sigma_q*epsilon"),
    ("6", "weights", r"\hat p_z = \frac{1}{n}\sum_{i=1}^n Q(z|x^i)", "sum_{i=1}^n Q[z, i]/n"),
    ("6", "means", r"\hat\mu_z = \frac{\sum_i Q(z|x^i)\,x^i}{\sum_i Q(z|x^i)}", "sum_{i=1}^n Q[z,i]*x[i]/sum_{i=1}^n Q[z,i]"),
    ("6", "variances", M_STEP_VAR % "d", "sum_{i=1}^n Q[z,i]*||x[i] - mu_z||^2/(d*sum_{i=1}^n Q[z,i])"),
    ("8a", None, r"\mathcal{N}(\sqrt{\bar\alpha_t}x_0, (1-\bar\alpha_t)I)", "N(sqrt(abar_t)*x_0, (1 - abar_t)*I)"),
    ("8b", None, r"\tfrac12\mathcal{N}(\sqrt{\bar\alpha_t}[1,0]^\top, (1-\bar\alpha_t)I) + \tfrac12\mathcal{N}(\sqrt{\bar\alpha_t}[0,1]^\top, (1-\bar\alpha_t)I)",
     "N(sqrt(abar_t)*e_1, 1 - abar_t)/2 + N(sqrt(abar_t)*e_2, 1 - abar_t)/2"),
    ("8c", None, EPS, "(xhat - sqrt(abar_t)*(w*e_1 + (1 - w)*e_2))/sqrt(1 - abar_t), w = sigmoid(sqrt(abar_t)*(xhat_1 - xhat_2)/(1 - abar_t))"),
    ("8d", None, NOISE_POSTERIOR, "w*delta((xhat - sqrt(abar_t)*e_1)/sqrt(1 - abar_t)) + (1 - w)*delta((xhat - sqrt(abar_t)*e_2)/sqrt(1 - abar_t)), "
                                    "w = 1/(1 + exp(-sqrt(abar_t)*(xhat_1 - xhat_2)/(1 - abar_t)))"),
    ("8e", "eps", r"\epsilon_\theta(\hat x, t) \to \hat{x}", "xhat"),
    ("9a", None, r"\mathcal{N}(t x_1, (1-t)^2 I)", "N(t*x_1, (1 - t)^2)"),
    ("9b", None, r"\delta_{x_1}", "delta(x_1)"),
    ("9c", "density", r"\frac{1}{n}\sum_{i=1}^n \mathcal{N}(x; t x^{(i)}, (1-t)^2 I)",
     "sum_{i=1}^n exp(-(x - t*x[i])^2/(2*(1 - t)^2))/(n*sqrt(2*pi)*(1 - t))"),
    ("9e", None, END_POINT_POSTERIOR, "exp(-(x - t*x[i])^2/(2*(1-t)^2))/sum_{j=1}^n exp(-(x - t*x[j])^2/(2*(1-t)^2))"),
    ("9g", "target", r"u_t(x_t \mid x_1) = x_1 - x_0", "x_1 - x_0"),
]


@pytest.mark.parametrize("part, quantity, latex, plain", BOTH_NOTATIONS, ids=[b[0] for b in BOTH_NOTATIONS])
def test_every_listed_part_accepts_its_answer_in_latex_and_in_plain_text(part, quantity, latex, plain):
    _needs(part)
    for text in (latex, plain):
        verdict = derivations.verify(part, text, quantity=quantity)
        assert verdict.correct, verdict.report()


CODE_NAMES = re.compile(r"GaussianDensity|SquaredNorm|Sigmoid|Sum\(|Product\(|Integral\(|_cond\b|_joint\b|_post\b")


def test_no_help_and_no_list_of_accepted_names_shows_a_code_identifier():
    """What a student reads names symbols in the course's notation: the course's own functions
    (the Gaussian density, the sigmoid, a squared norm) are written in notation, never by a
    class name, and a name an answer may use is explained in the course's notation."""
    from derivations.answercheck.command import help_text, verifiable_parts
    from derivations.answercheck.verdict import quantities

    shown = []
    for part in verifiable_parts():
        shown += [(part, line) for line in help_text(part).splitlines() if not line.startswith("notation:")]
        for q in quantities(part):
            with pytest.raises(AnswerError) as err:
                derivations.verify(part, "wq", quantity=q.name)
            shown.append((part, str(err.value)))
    bad = [(part, text[:200]) for part, text in shown if CODE_NAMES.search(text)]
    assert not bad, bad
    assert any("stands for (∑_{l=1}^n" in text for part, text in shown if part == "6")
