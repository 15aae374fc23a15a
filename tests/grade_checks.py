"""Fake checkers for tests/test_grade.py, in a module of their own: the worker processes of
``derive grade`` import it to find them, so it imports nothing heavy (no pytest, no SymPy)."""

import json
import os
import time

COUNT_FILE = "DERIVE_TEST_GRADE_COUNTS"


def fake_check(part, quantity, text, seed=0):
    """A checker without SymPy: 'ok...' is correct, 'bad' and '' input errors, anything else
    incorrect; each call (and the process that made it) is appended to the file named by
    $DERIVE_TEST_GRADE_COUNTS."""
    path = os.environ.get(COUNT_FILE)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps([part, quantity, text, os.getpid()]) + "\n")
    if text in ("bad", ""):
        message = "unknown symbol 'bad'" if text else "the answer is empty"
        return {"status": "input error", "correct": False, "message": message, "quantity": quantity or "q"}
    ok = text.startswith("ok")
    return {"status": "correct" if ok else "incorrect", "correct": ok, "quantity": quantity or "q",
            "several": False, "report": f"{part} [q]: {'correct' if ok else 'incorrect'}", "read_as": text,
            "tex": None, "differs": None, "counterexample": [["x", "1", "x"]], "values": ["1", "2"]}


def crash_or_sleep(part, quantity, text, seed=0):
    """Kills its worker process on 'crash', sleeps a minute on 'slow'; otherwise :func:`fake_check`."""
    if text == "crash":
        os._exit(3)
    if text == "slow":
        time.sleep(60)
    return fake_check(part, quantity, text, seed)
