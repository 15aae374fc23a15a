"""Answers as students write them (tests/verify_catalogue.toml): every right one is accepted and every
wrong one rejected as incorrect, over every verifiable part; wrong ones say what differs or where."""

import tomllib
from pathlib import Path

import pytest

import derivations
from derivations.answercheck.command import verifiable_parts
from derivations.homeworks import registry

CATALOGUE = tomllib.loads((Path(__file__).parent / "verify_catalogue.toml").read_text(encoding="utf-8"))
RIGHT = CATALOGUE["right"]
WRONG = CATALOGUE["wrong"]


def _id(entry) -> str:
    return f"{entry['part']}:{entry['answer'][:40]}"


def _needs(part: str) -> None:
    if registry().registration(part) is None:
        pytest.skip(f"part {part} is not written yet")


def test_the_catalogue_covers_every_verifiable_part_with_150_right_and_150_wrong_answers():
    assert len(RIGHT) >= 150 and len(WRONG) >= 150
    parts = set(verifiable_parts())
    assert parts <= {e["part"] for e in RIGHT} and parts <= {e["part"] for e in WRONG}
    assert all(e.get("mistake") for e in WRONG)
    assert sum(1 for e in WRONG if e.get("undecided")) <= 3, "undecided wrong answers are known limits, kept few"
    answers = [(e["part"], e["answer"]) for e in RIGHT + WRONG]
    assert len(answers) == len(set(answers)), "an answer is listed twice"


@pytest.mark.parametrize("entry", RIGHT, ids=_id)
def test_a_right_answer_as_students_write_it_is_accepted(entry):
    _needs(entry["part"])
    verdict = derivations.verify(entry["part"], entry["answer"], quantity=entry.get("quantity"))
    assert verdict.correct and verdict.exit_code == 0, verdict.report()


@pytest.mark.parametrize("entry", WRONG, ids=_id)
def test_a_wrong_answer_as_students_write_it_is_rejected(entry):
    _needs(entry["part"])
    verdict = derivations.verify(entry["part"], entry["answer"], quantity=entry.get("quantity"))
    if entry.get("undecided"):  # a known limit, said in the entry: never accepted, reported as undecided
        assert verdict.status == "undecided" and verdict.exit_code == 3, f"{entry['undecided']}: {verdict.report()}"
        return
    assert verdict.status == "incorrect" and verdict.exit_code == 1, f"{entry['mistake']}: {verdict.report()}"
    if verdict.kind != "choice":
        assert verdict.what or verdict.counterexample or verdict.values, verdict.report()
