"""`derive verify` as a command: its flags (--quantity, --seed, --json), its help (general and per
part) and its one-line errors with exit code 2."""

import json
import time

import pytest

from derivations import cli
from derivations.answercheck import command

RIGHT_8A = r"\mathcal{N}(\sqrt{\bar\alpha_t} x_0, (1-\bar\alpha_t) I)"
WEIGHTS = r"\frac{1}{n}\sum_{i=1}^n Q(z|x^i)"


def _run(args, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(args)
    out, err = capsys.readouterr()
    return done.value.code, out, err


def test_help_of_an_unknown_part_is_one_line_on_stderr_with_exit_2(capsys):
    code, out, err = _run(["verify", "zz9", "--help"], capsys)
    assert code == 2 and out == ""
    assert err.startswith("error: unknown part 'zz9'") and err.count("\n") == 1


def test_the_general_help_lists_exactly_the_verifiable_parts(capsys):
    code, out, _ = _run(["verify", "--help"], capsys)
    assert code == 0
    listed = next(line for line in out.splitlines() if line.startswith("parts with a reference answer: "))
    parts = listed.split(": ", 1)[1].split(", ")
    assert "8a" in parts and "6" in parts
    assert "4" not in parts and "9h" not in parts          # prose and a figure: nothing to compare with
    assert parts == command.verifiable_parts()


def test_a_part_with_several_quantities_says_how_to_choose_and_one_with_one_does_not(capsys):
    _, six, _ = _run(["verify", "6", "--help"], capsys)
    _, eight, _ = _run(["verify", "8a", "--help"], capsys)
    assert "quantities (choose with --quantity NAME, or a unique part of it):" in six
    assert "\nquantities:\n" in eight and "choose with" not in eight
    assert "(alphabar_t ranges over (0, 1))" in eight
    assert "alpha_t ranges" not in eight and "beta_t ranges" not in eight   # mistakable for alphabar_t: not offered
    assert "Check your own answer to part 8a: Forward marginal q(x_t | x_0) of DDPM." in eight


def test_quantity_picks_the_quantity_and_an_unknown_one_is_an_input_error(capsys):
    assert cli.main(["verify", "6", WEIGHTS, "--quantity", "weights"]) == 0
    assert "6 [weights]: correct" in capsys.readouterr().out
    assert cli.main(["verify", "6", WEIGHTS, "-q", "means"]) == 1
    assert "6 [means]: incorrect" in capsys.readouterr().out
    assert cli.main(["verify", "6", WEIGHTS, "--quantity", "average"]) == 2
    err = capsys.readouterr().err
    assert "no quantity 'average'" in err and err.count("\n") == 1


@pytest.mark.parametrize("seed", ["abc", "-1", "1.5"])
def test_a_seed_that_is_not_a_non_negative_integer_is_refused(seed, capsys):
    assert cli.main(["verify", "8a", RIGHT_8A, "--seed", seed]) == 2
    err = capsys.readouterr().err
    assert f"seed must be a non-negative integer, got '{seed}'" in err and err.count("\n") == 1


def test_json_carries_the_verdict_and_the_report_does_not(capsys):
    assert cli.main(["verify", "8a", RIGHT_8A, "--json", "--seed", "3"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["id"], doc["status"], doc["correct"], doc["exit_code"]) == ("8a", "correct", True, 0)
    assert cli.main(["verify", "8a", RIGHT_8A]) == 0
    out = capsys.readouterr().out
    assert out.startswith("8a [forward marginal q(x_t | x_0)]: correct") and "{" not in out.splitlines()[0]


def test_the_time_budget_counts_the_start_up_of_the_process():
    """The budget of derive verify includes the seconds Python spent starting (imports), which a
    clock started in the command would miss."""
    assert command._since_start(time.monotonic()) > 0.2


def test_a_range_is_given_only_for_a_symbol_the_quantity_names(capsys):
    _, out, _ = _run(["verify", "2b", "--help"], capsys)
    limit = out.split("limit of the fitted P(Y=1 | X=(1)) as n grows", 1)[1].split("theta_hat", 1)[0]
    assert "ranges over" not in limit    # n ranges over [10, 10000] in the part, but the limit does not name n
    assert out.count("(n ranges over [10, 10000])") == 2


def test_an_unknown_part_to_check_points_to_verify_help(capsys):
    assert cli.main(["verify", "zz9", "x"]) == 2
    assert capsys.readouterr().err == ("error: unknown part 'zz9' (derive verify --help lists the verifiable "
                                       "parts)\n")


def test_an_internal_error_is_one_line_of_at_most_1500_characters(capsys, monkeypatch):
    from derivations.answercheck import verdict

    def broken(*_args, **_kwargs):
        raise RuntimeError("a\nb " * 2000)

    monkeypatch.setattr(verdict, "verify", broken)
    assert cli.main(["verify", "8a", "x_0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: internal error while checking the answer (RuntimeError: a b a b")
    assert err.count("\n") == 1 and len(err) == len("error: ") + 1500 + 1
