"""The skip policy of tests/conftest.py: a skip not on ALLOWED_SKIPS fails the run, and an allowed
one fails too where its variable says the cause is present (as .ci/run does for pdflatex)."""

from types import SimpleNamespace

import pytest
from conftest import ALLOWED_SKIPS, SkipPolicy


def skipped(nodeid, reason):
    return SimpleNamespace(skipped=True, nodeid=nodeid, outcome="skipped",
                           longrepr=("tests/x.py", 3, f"Skipped: {reason}"))


def test_an_unlisted_skip_becomes_a_failure_naming_its_reason():
    report = SkipPolicy()._judge(skipped("tests/test_vae.py::test_kl", "part 3a is not written yet"))
    assert report.outcome == "failed"
    assert "unexpected skip of tests/test_vae.py::test_kl: part 3a is not written yet" in report.longrepr


def test_an_allowed_skip_stays_a_skip_unless_its_variable_is_set(monkeypatch):
    monkeypatch.delenv("HW7_REQUIRE_PDFLATEX", raising=False)
    nodeid, reason = "tests/test_latex.py::test_full_document_compiles", "pdflatex is not installed (Debian: ...)"
    assert SkipPolicy()._judge(skipped(nodeid, reason)).outcome == "skipped"
    monkeypatch.setenv("HW7_REQUIRE_PDFLATEX", "1")
    assert SkipPolicy()._judge(skipped(nodeid, reason)).outcome == "failed"
    # the same reason elsewhere is not allowed: entries are per test file
    monkeypatch.delenv("HW7_REQUIRE_PDFLATEX")
    assert SkipPolicy()._judge(skipped("tests/test_cli.py::test_x", reason)).outcome == "failed"


def test_xfail_and_passing_reports_are_left_alone():
    xfail = SimpleNamespace(skipped=True, wasxfail="known", nodeid="tests/a.py::t", outcome="skipped",
                            longrepr=None)
    assert SkipPolicy()._judge(xfail).outcome == "skipped"
    passed = SimpleNamespace(skipped=False, nodeid="tests/a.py::t", outcome="passed", longrepr=None)
    assert SkipPolicy()._judge(passed).outcome == "passed"


@pytest.mark.parametrize("entry", ALLOWED_SKIPS, ids=[a.nodeid for a in ALLOWED_SKIPS])
def test_every_allowed_skip_says_why_and_how_to_forbid_it(entry):
    assert len(entry.why) > 40 and entry.unless_env.startswith("HW7_")
