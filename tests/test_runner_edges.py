"""Edges of the runner that the rest of the suite left untested (found by mutation testing,
``benchmarks/mutation.py``): how a part's status is decided from its chains, checks and links,
the seed each part runs with, and what ``run_part`` records of a fake part."""

import zlib
from types import SimpleNamespace

import numpy as np
import pytest
import sympy as sp

from derivations.answer import Answer, Check, Quantity
from derivations.chain import Step, derive
from derivations.runner import PartResult, decide_status, part_rng, part_seed, run_part
from derivations.status import Status
from numerics.stattests import CheckResult

a = sp.Symbol("a", positive=True)
x = sp.Symbol("x", real=True)
P, C, F = Status.PROVED, Status.CHECKED, Status.FAILED


def _chains(*verdicts):
    return [SimpleNamespace(verdict=v) for v in verdicts]


def _checks(*passed):
    return [SimpleNamespace(passed=p) for p in passed]


def _links(*verdicts):
    return [SimpleNamespace(verdict=v) for v in verdicts]


@pytest.mark.parametrize("claim, chains, checks, links, error, expected", [
    (P, _chains(P), _checks(True), _links(P), None, P),
    (P, _chains(P), [], _links(P, P), None, P),
    (P, _chains(P), _checks(True), _links(P), "ValueError: boom", F),
    (P, _chains(P, F), _checks(True), _links(P), None, F),  # a failed chain alone
    (P, _chains(P), _checks(True, False), _links(P), None, F),  # a failed check alone
    (P, _chains(P), _checks(True), _links(P, F), None, F),  # a failed link alone
    (C, _chains(P), _checks(False), _links(P), None, F),
    (P, _chains(P), _checks(True), [], None, C),  # no quantity linked: at best checked
    (P, _chains(P), _checks(True), _links(P, C), None, C),  # a link only checked
    (P, _chains(P, C), _checks(True), _links(P), None, C),  # a chain only checked
    (P, [], _checks(True), _links(P), None, C),  # no chain at all
    (C, _chains(P), _checks(True), _links(P), None, C),  # a part claiming checked stays checked
    ("checked", _chains(P), _checks(True), _links(P), None, C),  # the claim as a string
])
def test_a_part_earns_what_its_chains_checks_and_links_allow(claim, chains, checks, links, error, expected):
    status = decide_status(claim, chains, checks, error, links)
    assert isinstance(status, Status) and status is expected


def test_a_part_seed_mixes_the_seed_with_a_stable_hash_of_the_id_in_32_bits():
    assert part_seed("8a", 0) == zlib.crc32(b"8a")  # stable across runs and Python versions
    assert (part_seed("8a", 1) - part_seed("8a", 0)) % 2**32 == 1_000_003
    for seed in (0, 1, 10**5, 10**9, 2**40):
        s = part_seed("8a", seed)
        assert isinstance(s, int) and 0 <= s < 2**32
    assert part_seed("8a", 3) != part_seed("8b", 3)
    assert part_rng("8a", 3).integers(1 << 30) == np.random.default_rng(part_seed("8a", 3)).integers(1 << 30)


def test_a_result_rounds_its_seconds_to_milliseconds_and_lists_no_theorem_without_chains():
    r = PartResult("8a", "title", Status.CHECKED, Status.PROVED, 0, seconds=1.23456)
    j = r.to_json()
    assert j["seconds"] == 1.235 and j["theorems"] == [] and j["claim"] == "proved" and j["status"] == "checked"
    assert PartResult("8a", "title", Status.TODO, Status.TODO, 0).seconds == 0.0


CALLS = []


def _single(rng):
    CALLS.append("single")
    return CheckResult("single", True, {"draw": float(rng.random())})


def _fake_part() -> Answer:
    chain = derive("square", (a + 1) ** 2, Step(a**2 + 2 * a + 1, "expand"))
    return Answer(summary="$(a+1)^2$", quantities=(Quantity("square", a**2 + 2 * a + 1, symbols=(a,), chain="square"),),
                  chains=(chain,),
                  checks=(Check("one", "a single result", _single),
                          Check("two", "a list of results",
                                lambda rng: [CheckResult("first", True), CheckResult("second", True)])))


def test_run_part_builds_verifies_links_and_checks_a_part(fake_registry):
    fake_registry({"8a": ("proved", _fake_part)})
    CALLS.clear()
    r = run_part("8a")  # the default registry: the one installed
    assert r.status is Status.PROVED and r.claim is Status.PROVED and r.seed == 0 and r.error is None
    assert isinstance(r.answer, Answer) and r.answer.quantities[0].name == "square"
    assert [c.verdict for c in r.chains] == [Status.PROVED]
    assert [(link.quantity, link.verdict) for link in r.links] == [("square", Status.PROVED)]
    assert [c.name for c in r.checks] == ["single", "first", "second"] and CALLS == ["single"]
    assert r.seconds > 0
    # the checks draw from the part's own generator
    assert r.checks[0].evidence["draw"] == float(part_rng("8a", 0).random())
    unchecked = run_part("8a", with_checks=False)
    assert unchecked.checks == [] and unchecked.status is Status.PROVED


def test_run_part_of_a_todo_part_records_nothing(fake_registry):
    fake_registry({})
    r = run_part("8a")
    assert r.status is Status.TODO and r.claim is Status.TODO and r.seconds == 0.0 and r.answer is None


def test_run_part_reports_a_broken_build_as_failed_with_the_error(fake_registry):
    def broken():
        raise RuntimeError("cannot build")
    fake_registry({"8a": ("proved", broken)})
    r = run_part("8a", seed=4)
    assert r.status is Status.FAILED and r.error == "RuntimeError: cannot build" and r.seed == 4

