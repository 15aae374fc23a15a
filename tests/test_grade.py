"""derive grade: a class's answers into Gradescope results, a summary and a mistakes report.

Most tests use a fake checker (no SymPy, milliseconds); the ones named ``..._real_...`` check
answers to part 8a with the real one, in this process and in worker processes.
"""

import csv
import io
import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from derivations import cli
from grade_checks import COUNT_FILE, crash_or_sleep, fake_check  # light: the worker processes import it
from derivations.answercheck import verify
from derivations.answercheck.errors import AnswerError
from derivations.answercheck.lexer import tokenize
from derivations.grading import checking
from derivations.grading.batch import GradeError, grade
from derivations.grading.checking import answer_key, check_all, check_answer, internal_error
from derivations.grading.names import OWN_FILES, directory_names
from derivations.homeworks import registry
from derivations.notation import latex

HAS_8A = registry().registration("8a") is not None
RIGHT = r"\mathcal{N}(\sqrt{\bar\alpha_t}\,x_0, (1-\bar\alpha_t)I)"
WRONG_LATEX = r"\mathcal{N}(\sqrt{\alpha_t}x_0, (1-\alpha_t)I)"
WRONG_PLAIN = "N(sqrt(alpha_t)*x_0, (1-alpha_t)*I)"  # read the same way as WRONG_LATEX
UNREADABLE = "N(sqrt(abar_t) x_0, (1 - abar_t) J)"


def write_csv(path: Path, rows, header=("student", "part", "answer", "quantity")) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def results(out: Path, directory: str) -> dict:
    return json.loads((out / directory / "results.json").read_text(encoding="utf-8"))


def summary(out: Path) -> list[dict]:
    with open(out / "summary.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------- Gradescope's format

TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
            "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
             "visibility", "extra_data"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def assert_gradescope(doc: dict) -> None:
    """The structure of Gradescope's autograder results.json, field by field."""
    assert set(doc) <= TOP_KEYS, set(doc) - TOP_KEYS
    assert isinstance(doc["score"], (int, float)) and isinstance(doc["tests"], list) and doc["tests"]
    for key in ("output_format", "test_output_format", "test_name_format"):
        assert doc.get(key, "text") in FORMATS
    assert doc.get("visibility", "visible") in VISIBILITY
    for t in doc["tests"]:
        assert set(t) <= TEST_KEYS, set(t) - TEST_KEYS
        assert isinstance(t["name"], str) and t["name"]
        assert t["score"] in (0, 1) and t["max_score"] == 1
        assert t["status"] == ("passed" if t["score"] == 1 else "failed")
        assert isinstance(t["output"], str) and t["output"]
        assert t.get("output_format", "text") in FORMATS
        assert isinstance(t.get("extra_data", {}), dict)
    assert doc["score"] == sum(t["score"] for t in doc["tests"])


# --------------------------------------------------------------------------- formats and ordering


def test_csv_and_jsonl_give_the_same_results_in_file_order(tmp_path):
    rows = [("ada", "8a", "ok 1", ""), ("bob", "8a", "wrong", ""), ("ada", "6", "wrong", "means"),
            ("bob", "6", "ok 2", "means"), ("ada", "8b", "ok 3", "")]
    src_csv = write_csv(tmp_path / "class.csv", rows)
    src_jsonl = write_jsonl(tmp_path / "class.jsonl", [dict(zip(("student", "part", "answer", "quantity"), r))
                                                      for r in rows])
    b1 = grade(src_csv, tmp_path / "a", jobs=1, check=fake_check)
    b2 = grade(src_jsonl, tmp_path / "b", jobs=1, check=fake_check)
    assert (b1.submissions.format, b2.submissions.format) == ("CSV", "JSON Lines")
    for student in ("ada", "bob"):
        doc, other = results(tmp_path / "a", student), results(tmp_path / "b", student)
        assert_gradescope(doc)
        lines = [t["extra_data"].pop("line") for t in doc["tests"]]
        assert [t["extra_data"].pop("line") for t in other["tests"]] == [n - 1 for n in lines]  # CSV has a header
        assert doc == other
    ada = results(tmp_path / "a", "ada")
    assert [t["name"] for t in ada["tests"]] == ["8a", "6 [means]", "8b"]
    assert [t["score"] for t in ada["tests"]] == [1, 0, 1] and ada["score"] == 2
    assert [t["extra_data"]["line"] for t in ada["tests"]] == [2, 4, 6]
    assert ada["tests"][0]["output"].startswith("answer: ok 1\n8a [q]: correct")


def test_format_is_detected_from_the_content_when_the_extension_says_nothing(tmp_path):
    text = tmp_path / "class.txt"
    write_jsonl(text, [{"student": "ada", "part": "8a", "answer": "ok"}])
    assert grade(text, tmp_path / "o1", jobs=1, check=fake_check).submissions.format == "JSON Lines"
    array = tmp_path / "class.json"
    array.write_text(json.dumps([{"student": "ada", "part": "8a", "answer": "ok"},
                                 {"student": "bob", "part": "8a", "answer": 2}]))
    b = grade(array, tmp_path / "o2", jobs=1, check=fake_check)
    assert b.submissions.format == "JSON" and [g.row.answer for g in b.graded] == ["ok", "2"]
    plain = write_csv(tmp_path / "class.dat", [("ada", "8a", "ok", "")])
    assert grade(plain, tmp_path / "o3", jobs=1, check=fake_check).submissions.format == "CSV"


def test_summary_counts_every_row_per_part_and_quantity(tmp_path):
    rows = [("ada", "8a", "ok", ""), ("bob", "8a", "no", ""), ("cy", "8a", "bad", ""), ("dee", "8a", "", ""),
            ("ada", "6", "ok", "means"), ("ada", "99z", "ok", "")]
    out = tmp_path / "out"
    grade(write_csv(tmp_path / "c.csv", rows), out, jobs=1, check=fake_check)
    table = {(r["part"], r["quantity"]): r for r in summary(out)}
    assert list(table) == [("6", "means"), ("8a", "q"), ("99z", "")]  # homework order, unknown parts last
    a = table[("8a", "q")]
    assert (a["answers"], a["correct"], a["incorrect"], a["input_errors"]) == ("4", "1", "1", "2")
    assert table[("99z", "")]["input_errors"] == "1"
    assert sum(int(r["answers"]) for r in table.values()) == len(rows)


# --------------------------------------------------------------------------- each answer once


def test_each_distinct_answer_is_checked_once_in_process(tmp_path, monkeypatch):
    counts = tmp_path / "calls.jsonl"
    monkeypatch.setenv(COUNT_FILE, str(counts))
    rows = [(f"s{k}", "8a", text, "") for k, text in enumerate(
        ["ok  a", "ok a", " ok a\n", "ok\ta", "wrong", "wrong ", "ok b"] * 3)]
    rows += [("s0", "6", "ok a", "means"), ("s1", "6", "ok a", "weights")]
    b = grade(write_csv(tmp_path / "c.csv", rows), tmp_path / "out", jobs=1, check=fake_check)
    calls = Counter(tuple(json.loads(line)[:3]) for line in counts.read_text().splitlines())
    assert set(calls.values()) == {1}
    assert set(calls) == {("8a", None, "ok a"), ("8a", None, "wrong"), ("8a", None, "ok b"),
                          ("6", "means", "ok a"), ("6", "weights", "ok a")}
    assert len(b.checked) == 5 and len(b.graded) == len(rows)


def test_each_distinct_answer_is_checked_once_by_the_worker_processes(tmp_path, monkeypatch):
    counts = tmp_path / "calls.jsonl"
    monkeypatch.setenv(COUNT_FILE, str(counts))  # the spawned workers inherit it
    texts = [f"ok {k % 7}" if k % 3 else f"wrong {k % 5}" for k in range(60)]
    rows = [(f"s{k % 9}", "8a", t + " " * (k % 2), "") for k, t in enumerate(texts)]
    b = grade(write_csv(tmp_path / "c.csv", rows), tmp_path / "out", jobs=2, check=fake_check)
    lines = [json.loads(line) for line in counts.read_text().splitlines()]
    calls = Counter(tuple(call[:3]) for call in lines)
    assert set(calls.values()) == {1} and len(calls) == len(set(texts)) == len(b.checked)
    assert os.getpid() not in {call[3] for call in lines} and len({call[3] for call in lines}) <= 2
    assert all(len(results(tmp_path / "out", f"s{k}")["tests"]) == sum(r[0] == f"s{k}" for r in rows)
               for k in range(9))


def test_a_worker_that_dies_or_hangs_costs_only_its_answer(monkeypatch):
    monkeypatch.setattr(checking, "MIN_FOR_WORKERS", 2)
    tasks = {("8a", None, t): ("8a", None, t, 0) for t in ("ok 1", "crash", "ok 2", "slow", "ok 3", "wrong")}
    out = check_all(tasks, jobs=2, check=crash_or_sleep, hard_seconds=3)
    assert set(out) == set(tasks)
    assert out[("8a", None, "crash")]["status"] == "internal error"
    assert "exit code 3" in out[("8a", None, "crash")]["message"]
    assert out[("8a", None, "slow")]["status"] == "internal error"
    assert "longer than 3 s" in out[("8a", None, "slow")]["message"]
    assert [out[("8a", None, t)]["correct"] for t in ("ok 1", "ok 2", "ok 3", "wrong")] == [True, True, True, False]


def test_a_worker_loads_the_checker_and_every_section_before_it_says_it_is_ready():
    """So that the first answer a worker gets is timed alone (the package answercheck loads nothing)."""
    code = ("import sys\nfrom multiprocessing import Pipe\nfrom derivations.grading.checking import _worker, check_answer\n"
            "from derivations.homeworks import registry\n"
            "ours, theirs = Pipe()\nours.send(None)\n_worker(theirs, check_answer)\nassert ours.recv() is None\n"
            "sections = [p + '.parts' for p in registry().homework.sections.values()]\n"
            "print(sorted(m for m in ['sympy', 'hypothesis', 'derivations.answercheck.verdict', *sections]"
            " if m not in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --------------------------------------------------------------------------- the real checker


@pytest.mark.skipif(not HAS_8A, reason="part 8a is not written yet")
@pytest.mark.parametrize("jobs", [1, 2])
def test_real_verdicts_reach_results_summary_and_mistakes(tmp_path, monkeypatch, jobs):
    monkeypatch.setattr(checking, "MIN_FOR_WORKERS", 2)  # workers even for these few answers
    rows = [("ada", "8a", RIGHT, ""), ("bob", "8a", WRONG_LATEX, ""), ("cy", "8a", WRONG_PLAIN, ""),
            ("dee", "8a", UNREADABLE, ""), ("eve", "8a", "", ""), ("ada", "8a", "N(0, 1)", "no such quantity")]
    out = tmp_path / "out"
    assert cli.main(["grade", str(write_csv(tmp_path / "c.csv", rows)), "-o", str(out), "--jobs", str(jobs),
                     "--quiet"]) == 0
    ada = results(out, "ada")
    assert_gradescope(ada)
    assert [t["score"] for t in ada["tests"]] == [1, 0]
    assert "SymPy proved the difference is zero" in ada["tests"][0]["output"]
    assert ada["tests"][1]["name"] == "8a [no such quantity]" and "has no quantity" in ada["tests"][1]["output"]
    bob = results(out, "bob")["tests"][0]
    assert bob["score"] == 0 and "counterexample: αₜ = " in bob["output"]  # where Hypothesis shrank to
    assert "unknown symbol 'J'" in results(out, "dee")["tests"][0]["output"]
    assert "the answer is empty" in results(out, "eve")["tests"][0]["output"]
    row = next(r for r in summary(out) if r["quantity"] == "forward marginal q(x_t | x_0)")
    assert (row["answers"], row["correct"], row["incorrect"], row["input_errors"]) == ("6", "1", "2", "3")
    mistakes = (out / "mistakes.md").read_text()
    assert f"## 8a: {registry().homework.by_id['8a'].title}\n" in mistakes  # the homework's table
    first = mistakes.split("1. **", 1)[1].split("\n2. ", 1)[0]
    read = latex(verify("8a", WRONG_PLAIN).answer)  # typeset by the course's printer
    assert read.startswith("\\mathcal{N}") and first.startswith(f"2 answers**, read as ${read}$")  # LaTeX and plain alike
    assert "`N(sqrt(alpha_t)*x_0, 1 - alpha_t)`" in first and "counterexample: $\\alpha_{t} = " in first
    assert "1 × `unknown symbol 'J'" in mistakes


def test_an_error_inside_the_checker_becomes_that_rows_output(tmp_path, monkeypatch):
    import derivations.answercheck as answercheck

    def broken(part, answer, **kwargs):
        if "boom" in answer:
            raise ZeroDivisionError("division by zero in a SymPy corner")
        raise AnswerError("unknown symbol 'q'")

    monkeypatch.setattr(answercheck, "verify", broken)
    assert check_answer("8a", None, "boom", 0) == internal_error("ZeroDivisionError: division by zero in a SymPy corner")
    rows = [("ada", "8a", "boom", ""), ("ada", "8a", "q", "")]
    out = tmp_path / "out"
    grade(write_csv(tmp_path / "c.csv", rows), out, jobs=1)
    tests = results(out, "ada")["tests"]
    assert [t["extra_data"]["status"] for t in tests] == ["internal error", "input error"]
    assert "ZeroDivisionError" in tests[0]["output"] and tests[0]["score"] == 0
    assert summary(out)[0]["internal_errors"] == "1"


@pytest.mark.parametrize("status, method, expected", [
    ("undecided", "numeric: no point decided", "undecided"),  # a verdict that says so itself
    ("incorrect", "could not be decided: the sides could not be evaluated", "undecided"),
    ("incorrect", "numeric: counterexample found", "incorrect"),
    ("correct (numerically)", "numeric: agreed at 120 random points", "correct (numerically)"),
])
def test_a_verdict_without_proof_or_counterexample_is_counted_undecided(status, method, expected):
    fake = SimpleNamespace(status=status, method=method, correct=status.startswith("correct"), kind="expression",
                           answer=None, counterexample=None, quantity="q", what="", report=lambda: f"8a [q]: {status}",
                           to_json=lambda: {"answer": "x_0", "values": None})
    result = checking._plain(fake, several=False)
    assert result["status"] == expected and result["correct"] == status.startswith("correct")
    assert json.loads(json.dumps(result)) == result


# --------------------------------------------------------------------------- malformed rows

MALFORMED = ('student,part,answer,quantity\n'
             'ada,8a,ok,\n'
             ',8a,ok,\n'                        # no student: skipped
             'bob,8a,N(0, I),\n'                # unquoted comma: 5 fields, skipped
             'cy,8a,,\n'                        # empty answer: input error
             'dee,,ok,\n'                       # no part: input error
             'eve,12z,ok,\n'                    # unknown part: input error
             'fay,8a,bad,\n'                    # unreadable: input error
             '\n'                               # blank line: ignored
             'gus,8a,"ok\nstill the answer",\n'  # a quoted newline is part of the answer
             'hal,8a\n')                        # too few fields: skipped


def test_malformed_rows_are_skipped_or_graded_as_input_errors_and_the_batch_goes_on(tmp_path):
    src = tmp_path / "c.csv"
    src.write_text(MALFORMED)
    out = tmp_path / "out"
    err = io.StringIO()
    b = grade(src, out, jobs=1, check=fake_check, progress=err)
    assert [(s.line, s.reason.split(" (")[0]) for s in b.submissions.skipped] == [
        (3, "no student id"), (4, "5 fields where the header has 4"), (12, "2 fields where the header has 4")]
    assert "skipped line 4: 5 fields where the header has 4" in err.getvalue()
    with open(out / "skipped.csv", newline="") as fh:
        assert [r["line"] for r in csv.DictReader(fh)] == ["3", "4", "12"]
    assert {g.row.student: g.status for g in b.graded} == {
        "ada": "correct", "cy": "input error", "dee": "input error", "eve": "input error", "fay": "input error",
        "gus": "correct"}
    assert "no part id given" in results(out, "dee")["tests"][0]["output"]
    assert results(out, "dee")["tests"][0]["name"] == "(no part)"
    assert "unknown part '12z'" in results(out, "eve")["tests"][0]["output"]
    assert not (out / "bob").exists() and not (out / "hal").exists()


@pytest.mark.parametrize("line, reason", [
    ('{"student": "ada", "part": "8a"', "not valid JSON"),
    ('["ada", "8a", "x"]', "not a JSON object"),
    ('{"part": "8a", "answer": "x"}', "no student id"),
    ('{"student": ["ada"], "part": "8a", "answer": "x"}', "the student id must be text"),
])
def test_a_bad_json_line_is_skipped(tmp_path, line, reason):
    src = tmp_path / "c.jsonl"
    src.write_text('{"student": "ada", "part": "8a", "answer": "ok"}\n' + line + "\n")
    b = grade(src, tmp_path / "out", jobs=1, check=fake_check)
    assert len(b.graded) == 1 and [s.line for s in b.submissions.skipped] == [2]
    assert b.submissions.skipped[0].reason.startswith(reason)


def test_json_values_that_are_not_text_are_input_errors(tmp_path):
    src = write_jsonl(tmp_path / "c.jsonl", [
        {"student": "ada", "part": "8a", "answer": {"x": 1}}, {"student": 7, "part": 8, "answer": None},
        {"student": "bob", "part": "8a", "answer": "ok", "quantity": 3}])
    b = grade(src, tmp_path / "out", jobs=1, check=fake_check)
    assert [(g.row.student, g.row.part, g.status) for g in b.graded] == [
        ("ada", "8a", "input error"), ("7", "8", "input error"), ("bob", "8a", "input error")]
    assert "the answer must be text, got an object" in results(tmp_path / "out", "ada")["tests"][0]["output"]


# --------------------------------------------------------------------------- hostile student ids

HOSTILE_IDS = ["../escape", "../../escape2", "/tmp/abs-" + uuid.uuid4().hex, "a/b", "a\\b", "", ".", "..",
               "x" * 5000, "nul\x00id", "\u202eevil", "ｅｖｅ", "eve", "Eve", "аda", "ada", "summary.csv",
               "MISTAKES.MD", "CON", "nul.txt", "-rf", "~x", ".hidden", "a" * 64, "a" * 65, "name.", "\ud800x",
               "line\nbreak", "tab\tid", " padded "]


def test_hostile_student_ids_never_write_outside_the_output_directory(tmp_path):
    src = write_jsonl(tmp_path / "c.jsonl", [{"student": s, "part": "8a", "answer": f"ok {k}"}
                                             for k, s in enumerate(HOSTILE_IDS)])
    before = {p for p in tmp_path.parent.rglob("*")}
    out = tmp_path / "out"
    b = grade(src, out, jobs=1, check=fake_check)
    written = {p for p in tmp_path.parent.rglob("*")} - before
    assert written and all(out in p.parents or p == out for p in written), sorted(map(str, written))
    assert not Path(HOSTILE_IDS[2]).exists() and not (tmp_path / "escape").exists()
    names = b.directories
    students = {s.strip() for s in HOSTILE_IDS if s.strip()}  # ids are stripped; '' names no student
    assert set(names) == students and len(set(names.values())) == len(names)
    for student, name in names.items():
        assert "/" not in name and "\\" not in name and name not in (".", "..") and len(name) <= 64
        assert name.isascii() and name.isprintable() and not name.startswith((".", "-"))
        assert name.casefold() not in OWN_FILES
        doc = results(out, name)
        assert [t["output"].split("\n")[0] for t in doc["tests"]] == [
            f"answer: ok {HOSTILE_IDS.index(next(h for h in HOSTILE_IDS if h.strip() == student))}"]
    assert names["ada"] == "ada" and names["а" + "da"] != "ada"  # Cyrillic а: another student
    assert names["eve"] != "eve" and names["Eve"] != "Eve"  # equal up to case: both changed
    folded = [n.casefold() for n in names.values()]
    assert len(set(folded)) == len(folded)
    with open(out / "students.csv", newline="", encoding="utf-8") as fh:
        index = {r["directory"]: r["student"] for r in csv.DictReader(fh)}
    assert set(index) == set(names.values()) and index["ada"] == "ada" and index[names["-rf"]] == "'-rf"
    assert (out / "summary.csv").is_file() and (out / "mistakes.md").is_file()


@given(st.lists(st.text(min_size=0, max_size=80), min_size=1, max_size=12))
def test_directory_names_are_single_safe_distinct_components(ids):
    names = directory_names(ids)
    assert set(names) == set(ids)
    assert len(set(n.casefold() for n in names.values())) == len(names)
    for student, name in names.items():
        assert name and "/" not in name and "\\" not in name and "\x00" not in name
        assert name not in (".", "..") and name.isascii() and name.isprintable() and len(name) <= 64
        assert name.casefold() not in OWN_FILES
        assert directory_names(ids)[student] == name  # the same on every run


def test_a_student_directory_that_is_a_link_is_refused_before_anything_is_written(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "ada").symlink_to(tmp_path)
    src = write_csv(tmp_path / "c.csv", [("ada", "8a", "ok", "")])
    assert cli.main(["grade", str(src), "-o", str(out), "--quiet"]) == 2
    assert sorted(p.name for p in out.iterdir()) == ["ada"] and not (tmp_path / "results.json").exists()


# --------------------------------------------------------------------------- unreadable input: exit 2


@pytest.mark.parametrize("name, content, fragment", [
    ("missing.csv", None, "no such file"),
    ("binary.csv", b"\xff\xfe\x00s\x00t", "not UTF-8"),
    ("empty.csv", b"  \n", "is empty"),
    ("header.csv", b"name,part,answer\nada,8a,x\n", "lacks the column student"),
    ("semicolons.csv", b"student;part;answer\nada;8a;x\n", "lacks the columns student, part, answer"),
    ("twice.csv", b"student,part,answer,answer\nada,8a,x,y\n", "names answer more than once"),
    ("lines.jsonl", b"student,part,answer\nada,8a,x\n", "not JSON Lines of submissions"),
    ("keys.jsonl", b'{"name": "ada"}\n', "not JSON Lines of submissions"),
    ("broken.json", b'[{"student": "ada"', "not valid JSON"),
])
def test_an_unreadable_file_exits_2_in_one_line_and_writes_nothing(tmp_path, capsys, name, content, fragment):
    src = tmp_path / name
    if content is not None:
        src.write_bytes(content)
    out = tmp_path / "out"
    assert cli.main(["grade", str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and fragment in err and "Traceback" not in err
    assert not out.exists()


def test_an_output_that_is_a_file_or_a_directory_as_input_exits_2(tmp_path, capsys):
    src = write_csv(tmp_path / "c.csv", [("ada", "8a", "ok", "")])
    (tmp_path / "file").write_text("x")
    assert cli.main(["grade", str(src), "-o", str(tmp_path / "file")]) == 2
    assert "is a file; expected a directory" in capsys.readouterr().err
    assert cli.main(["grade", str(tmp_path), "-o", str(tmp_path / "out")]) == 2
    assert "is a directory" in capsys.readouterr().err


# --------------------------------------------------------------------------- atomic files


@pytest.mark.parametrize("fail_at", [1, 3, 5])
def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch, fail_at):
    import derivations.fileio as fileio

    real_replace, calls = os.replace, []

    def flaky_replace(src, dst):
        calls.append(dst)
        if len(calls) == fail_at:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(fileio.os, "replace", flaky_replace)
    src = write_csv(tmp_path / "c.csv", [(f"s{k}", "8a", "ok" if k % 2 else "no", "") for k in range(6)])
    out = tmp_path / "out"
    with pytest.raises(GradeError, match=r"^cannot write into .*: No space left on device"):
        grade(src, out, jobs=1, check=fake_check)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert not [p for p in files if p.name.endswith(".tmp")]  # no temporary file left behind
    assert len([p for p in files if p.name == "results.json"]) == fail_at - 1
    for p in files:
        json.loads(p.read_text())  # every file there is whole


def test_an_output_directory_that_cannot_be_made_exits_2_in_one_line(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    src = write_csv(tmp_path / "c.csv", [("ada", "99z", "x", "")])  # an unknown part: nothing to check
    assert cli.main(["grade", str(src), "-o", str(tmp_path / "file" / "out")]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert lines[-1].startswith("error: cannot write into") and "Traceback" not in err
    assert [line for line in lines if not line.startswith("grade: ")] == [lines[-1]]  # progress, then one error


# --------------------------------------------------------------------------- the cache key


@given(st.text(alphabet="x0_{} \t\n\r\\,+", max_size=40))
def test_the_cache_key_reads_exactly_as_the_answer(text):
    """Normalising whitespace never changes how an answer is tokenized (or that it is refused)."""
    key = answer_key("8a", None, text)[2]

    def tokens(t):
        try:
            return [(tok.kind, tok.text) for tok in tokenize(t)]
        except AnswerError as exc:
            return ("error", exc.message)

    assert tokens(key) == tokens(text)
    assert answer_key("8a", None, key) == answer_key("8a", None, text)  # normalising twice changes nothing
