"""The derive command keeps its contract: ids, JSON shape, exit codes, one-line errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from derivations import cli
from derivations.hw7 import HOMEWORK

ORDER = HOMEWORK.order

#: The course's shared folder: $HW7_SHARED, else beside the project (/work/shared for /work/main).
SHARED = Path(os.environ.get("HW7_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
SHARED_PARTS = SHARED / "PARTS.md"


def run(*args):
    return subprocess.run([sys.executable, "-m", "derivations", *args], capture_output=True, text=True,
                          timeout=600)


def test_list_json_has_all_48_ids_in_homework_order(capsys):
    assert cli.main(["list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == list(ORDER) and len(rows) == 48
    assert all(r["status"] in ("proved", "checked", "explained", "todo") for r in rows)


def test_registry_ids_are_exactly_those_of_parts_md():
    if not SHARED_PARTS.exists():
        if os.environ.get("HW7_SHARED"):
            pytest.fail(f"HW7_SHARED is set but {SHARED_PARTS} does not exist")
        pytest.skip(f"PARTS.md not found at {SHARED_PARTS} (set HW7_SHARED to the course's shared folder)")
    text = SHARED_PARTS.read_text()
    ids = [line.split("|")[1].strip() for line in text.splitlines()
           if line.startswith("| ") and not line.startswith("| id") and not line.startswith("|---")]
    assert ids == list(ORDER)


@pytest.mark.parametrize("argv, fragment", [
    (["check", "12"], "unknown part '12'"),
    (["check", "--seed", "-1"], "seed must be a non-negative integer"),
    (["check", "--seed", "abc"], "seed must be a non-negative integer"),
    (["show", "3b"], "names 7 parts"),
    (["show"], "required"),
    (["frobnicate"], "invalid choice"),
    (["list", "--bogus"], "unrecognized arguments"),
    ([], "required"),
])
def test_bad_usage_is_one_line_and_exit_2(argv, fragment):
    r = run(*argv)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in r.stderr


def test_check_json_has_the_contract_fields(capsys):
    ids = ["8a"]
    code = cli.main(["check", *ids, "--json", "--seed", "1"])
    doc = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in doc] == ids
    for d in doc:
        assert {"id", "status", "checks"} <= set(d)
        for c in d["checks"]:
            assert {"name", "passed", "evidence"} <= set(c)
    assert code == (1 if any(d["status"] == "failed" for d in doc) else 0)


def test_check_prints_progress_per_part_on_stderr(capsys):
    cli.main(["check", "9a", "9b"])
    err = capsys.readouterr().err
    assert "9a" in err and "9b" in err and "[ 2/2]" in err


def test_failed_part_gives_exit_code_1(monkeypatch, capsys):
    from derivations import runner
    real = runner.run_part

    def broken(pid, **kw):
        r = real(pid, **kw)
        r.status = "failed"
        return r

    monkeypatch.setattr(cli, "run_part", broken)
    assert cli.main(["check", "8a"]) == 1


def test_a_section_that_fails_to_import_fails_its_parts_not_the_command(monkeypatch, capsys):
    import dataclasses

    from derivations import hw7
    from derivations.registry import Registry
    broken = dataclasses.replace(HOMEWORK, sections={**HOMEWORK.sections, "diffusion": "derivations.no_such_boom"})
    monkeypatch.setattr(hw7, "REGISTRY", Registry(broken))
    assert cli.main(["check", "8a", "--json"]) == 1
    (doc,) = json.loads(capsys.readouterr().out)
    assert doc["status"] == "failed" and "boom" in doc["error"]
