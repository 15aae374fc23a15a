"""Hostile answers fail cleanly and fast: one line, exit code 2, nothing executed, no traceback."""

import os
import subprocess
import sys
import time

import pytest
import sympy as sp

from derivations import cli
from derivations.answercheck import AnswerError, verdict, verify_quantity
from derivations.answer import Quantity
from derivations.homeworks import registry

registration = registry().registration

abar = sp.Symbol("alphabar_t", positive=True)
x_0 = sp.Symbol("x_0", real=True)
MEAN = Quantity("mean", sp.sqrt(abar) * x_0, symbols=(abar, x_0), domains={abar: sp.Interval.open(0, 1)})
FAST = 3.0  # seconds: generous for a loaded 2-core machine; typical times are a few milliseconds

HOSTILE = [
    ("python call", "__import__('os').system('touch /tmp/pwned')", "unexpected '_'"),
    ("python statement", "import os; os.system('ls')", "unknown symbol 'import'"),
    ("lambda", "(lambda: 0)()", "unknown symbol 'lambda'"),
    ("eval", "eval('1+1')", "unknown symbol 'eval'"),
    ("dunder attribute", "().__class__.__bases__[0].__subclasses__()", "unexpected ')'"),
    ("string literal", "'x_0'", "unexpected"),
    ("latex input", r"\input{/etc/passwd}", r"unknown command \input"),
    ("latex macro", r"\def\x{1} \x", r"unknown command \def"),
    ("tower of powers", "9^9^9^9", "exponent too large"),
    ("python tower", "9**9**9", "exponent too large"),
    ("huge power", "10^{100000}", "exponent too large"),
    ("huge root", r"\sqrt[1000000]{x_0}", "index of a root"),
    ("number explosion", "(((2^64)^64)^64)^64", "more than 1000 digits"),
    ("exponential tower", r"e^{e^{e^{x_0}}}", "exponentials stacked"),
    ("nested exp", "exp(exp(exp(exp(x_0))))", "exponentials stacked"),
    ("deep parentheses", "(" * 500 + "x_0" + ")" * 500, "nests deeper"),
    ("deep braces", "{" * 300 + "x_0" + "}" * 300, "nests deeper"),
    ("deep fractions", r"\frac{1}{" * 60 + "x_0" + "}" * 60, "nests deeper"),
    ("sign chain", "-" * 1000 + "x_0", "nests deeper"),
    ("long sum", r"\sum_{i=1}^{10^9} x_0", "more than 50 terms"),
    ("many terms", r"\sum_{i=1}^{1000000} x_0", "more than 50 terms"),
    ("nested sums", r"\sum_{i=1}^{50}" * 6 + " x_0", "parsing took longer"),
    ("megabyte", "x_0+" * 250_000 + "x_0", "characters long"),
    ("null byte", "x_0\x00", "control character"),
    ("escape sequence", "x_0\x1b[2J", "control character"),
    ("lone surrogate", "x_0 \udcff", "not valid UTF-8"),
    ("factorial", "100000!", "unexpected '!'"),
    ("long number", "1" * 400, "longer than 30 digits"),
    ("unbalanced", r"\frac{1}{2", "is not closed"),
    ("wrong kind", r"\mathcal{N}(x_0, I)", "asks for an expression"),
]


@pytest.mark.parametrize("name, text, fragment", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_text_is_refused_in_one_line_quickly(name, text, fragment):
    start = time.perf_counter()
    with pytest.raises(AnswerError) as info:
        verify_quantity(MEAN, text, part_id="8a")
    elapsed = time.perf_counter() - start
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message and len(message) < 1500
    assert elapsed < FAST, f"{name} took {elapsed:.2f} s"


@pytest.mark.parametrize("data", [b"\xff\xfe x_0", b"x_0 \xc3\x28", b"\x80" * 10], ids=["bom", "bad pair", "continuation"])
def test_non_utf8_bytes_are_refused(data):
    with pytest.raises(AnswerError, match="not valid UTF-8"):
        verify_quantity(MEAN, data)


def test_nothing_was_executed():
    from pathlib import Path

    assert not Path("/tmp/pwned").exists()


def test_cli_reports_hostile_input_in_one_line_with_exit_2(monkeypatch, capsys):
    monkeypatch.setattr(verdict, "quantities", lambda pid: (MEAN,))
    for _, text, fragment in HOSTILE[:8] + HOSTILE[15:17]:
        assert cli.main(["verify", "8a", text]) == 2
        out = capsys.readouterr()
        assert out.out == "" and out.err.startswith("error: ") and out.err.count("\n") == 1
        assert fragment in out.err and "Traceback" not in out.err


def test_a_subprocess_survives_a_megabyte_of_stdin_and_undecodable_argv():
    assert registration("8a") is not None, "part 8a is not registered; this test needs it"
    big = subprocess.run([sys.executable, "-m", "derivations", "verify", "8a", "-"], input=b"x" * 1_000_000,
                         capture_output=True, timeout=120)
    assert big.returncode == 2 and b"characters long" in big.stderr and b"Traceback" not in big.stderr
    raw = subprocess.run([sys.executable, "-m", "derivations", "verify", "8a", b"N(x_0, \xff)"],
                         capture_output=True, timeout=120)
    assert raw.returncode == 2 and b"not valid UTF-8" in raw.stderr and raw.stderr.count(b"\n") == 1


def test_the_list_of_accepted_names_is_the_same_in_every_run():
    """Sets of SymPy objects iterate in a per-process order (string hashing is salted): the index
    shown for x^{(i)} must not depend on it."""
    code = ("import derivations\n"
            "try:\n    derivations.verify('6', 'w', quantity='variances')\n"
            "except Exception as e:\n    print(e)\n")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in (1, 2, 3)}
    assert len(outs) == 1 and "x^{(i)} (x[i])" in outs.pop()
