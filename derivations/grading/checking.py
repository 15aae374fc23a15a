"""Checking a batch of answers: each distinct answer once, in worker processes on every core.

Answers are told apart by ``(part, quantity, text)`` with the text's runs of spaces, tabs and
newlines made one space (:func:`answer_key`, which leaves the reading exactly as it was); the
normalised text is what is checked, so that answers sharing a key share a verdict. Each worker is
a separate process (spawned, so it imports SymPy and the homework's sections itself, before its
first answer) that checks one answer at a time in its main thread, where the time budgets of
:mod:`derivations.answercheck` can interrupt SymPy. The parent hands out answers one by one, so it
always knows which answer a worker holds: a worker that dies, or takes longer than
``hard_seconds``, is replaced and that answer alone becomes an internal error.

:func:`check_answer` never raises: an unreadable answer is an ``input error``, anything that goes
wrong inside the checker an ``internal error``; both score 0. Results are plain data (JSON types).

>>> answer_key("8a", None, "  N(x_0,\\n\\t 1)  ")
('8a', None, 'N(x_0, 1)')
>>> answer_key("8a", None, "x \\\\\\n\\n")[2]  # a backslash and a newline are one LaTeX command
'x \\\\\\n'
"""

from __future__ import annotations

import json
import multiprocessing
import re
import signal
import time
from collections import deque
from multiprocessing.connection import wait
from typing import Callable

from derivations.status import Status

# the words derive verify uses for the one status type (derivations.status), plus the batch's own two
CORRECT = Status.PROVED.verdict  # "correct"
NUMERIC = Status.CHECKED.verdict  # "correct (numerically)"
INCORRECT = Status.FAILED.verdict  # "incorrect"
UNDECIDED = Status.UNDECIDED.verdict  # "undecided"
INPUT_ERROR = "input error"
INTERNAL_ERROR = "internal error"
STATUSES = (CORRECT, NUMERIC, INCORRECT, UNDECIDED, INPUT_ERROR, INTERNAL_ERROR)

HARD_SECONDS = 180.0  # a worker still busy with one answer after this is stopped (the budgets come first)
MIN_FOR_WORKERS = 8  # fewer distinct answers are checked in this process
MAX_DEATHS_IN_A_ROW = 5  # then the environment, not one answer, is at fault: the batch stops
_RUN = re.compile(r"(\\*)([ \t\r\n]+)")

Key = tuple  # (part, quantity or None, normalised text)


class WorkerError(RuntimeError):
    """The worker processes cannot check anything (they die one after another)."""


def answer_key(part: str, quantity: str | None, text: str) -> Key:
    """The cache key of an answer: its text with no whitespace at the ends and each run of
    whitespace inside made one space. Where a run follows a backslash that starts a command
    (``\\`` + a space or newline is a spacing command in LaTeX), the first character of the run
    stays, so the answer reads exactly as before."""
    return (part, quantity or None, _normalise(text))


def _normalise(text: str) -> str:
    stripped = text.rstrip(" \t\r\n")
    if len(stripped) < len(text) and (len(stripped) - len(stripped.rstrip("\\"))) % 2:
        stripped += text[len(stripped)]  # a final command \<space>: keep it
    return _RUN.sub(_one_space, stripped.lstrip(" \t\r\n"))


def _one_space(m: re.Match) -> str:
    slashes, run = m.group(1), m.group(2)
    if len(slashes) % 2:  # an odd run of backslashes: the last one and run[0] make one command
        return slashes + run[0] + (" " if len(run) > 1 else "")
    return slashes + " "


def input_error(message: str, **extra) -> dict:
    return {"status": INPUT_ERROR, "correct": False, "message": message, **extra}


def internal_error(message: str) -> dict:
    return {"status": INTERNAL_ERROR, "correct": False, "message": " ".join(message.split())[:500]}


def check_answer(part: str, quantity: str | None, text: str, seed: int = 0) -> dict:
    """Check one answer with :func:`derivations.answercheck.verify`; never raises.

    The result has ``status`` (one of :data:`STATUSES`), ``correct``, and either ``message`` (for
    the errors) or ``report`` (the text ``derive verify`` prints), ``quantity`` (the one compared
    with), ``several`` (whether the part has several quantities), ``read_as`` and ``tex`` (the
    answer as read, plain and LaTeX), ``differs``, ``counterexample`` ([name, value, LaTeX name])
    and ``values`` ([yours, reference]).
    """
    try:
        from derivations.answercheck import AnswerError, verify
        from derivations.answercheck.verdict import quantities

        try:
            names = [q.name for q in quantities(part)]
        except AnswerError as exc:
            return input_error(str(exc))
        try:
            verdict = verify(part, text, quantity=quantity, seed=seed)
        except AnswerError as exc:  # still say which quantity, when the part or the row decides it
            only = names[0] if len(names) == 1 else quantity if quantity in names else None
            return input_error(str(exc), quantity=only, several=len(names) > 1)
        return _plain(verdict, len(names) > 1)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - a checker bug is that answer's problem, not the batch's
        return internal_error(f"{type(exc).__name__}: {exc}")


def _plain(verdict, several: bool) -> dict:
    """A :class:`~derivations.answercheck.VerifyResult` as plain data (see :func:`check_answer`)."""
    from derivations.answer_tex import typeset

    doc = json.loads(json.dumps(verdict.to_json(), default=str))  # JSON types only, nothing of SymPy
    undecided = verdict.status == UNDECIDED or (  # no proof, and no point where the two sides differ
        verdict.status == INCORRECT and str(verdict.method).startswith("could not be decided"))
    read_as = f"option {verdict.answer}" if verdict.kind == "choice" else doc.get("answer")
    try:
        tex = typeset(verdict.answer) if verdict.answer is not None else None
    except Exception:  # noqa: BLE001 - the plain reading is still shown
        tex = None
    cex = []
    for name, value in (verdict.counterexample or {}).items():
        try:
            name_tex = typeset(str(name))
        except Exception:  # noqa: BLE001
            name_tex = None
        cex.append([str(name), f"{value:.10g}" if isinstance(value, float) else str(value), name_tex])
    return {"status": UNDECIDED if undecided else verdict.status, "correct": bool(verdict.correct),
            "report": verdict.report(), "quantity": verdict.quantity, "several": several, "kind": verdict.kind,
            "read_as": read_as, "tex": tex, "differs": verdict.what or None, "counterexample": cex,
            "values": doc.get("values")}


# --------------------------------------------------------------------------- many answers


def check_all(tasks: dict[Key, tuple], *, jobs: int = 2, progress: Callable[[int, int], None] | None = None,
              check: Callable[..., dict] = check_answer, hard_seconds: float = HARD_SECONDS) -> dict[Key, dict]:
    """Check every task (``key -> (part, quantity, text, seed)``) once; ``key -> result``.

    With ``jobs`` > 1 and at least :data:`MIN_FOR_WORKERS` tasks, the tasks run in ``jobs`` worker
    processes, else in this process (starting a worker costs about as much as a few answers). ``progress(done, total)`` is called after each answer. ``check`` must be a
    module-level function (it is sent to the workers by name).
    """
    total = len(tasks)
    if jobs <= 1 or total < MIN_FOR_WORKERS:
        results = {}
        for key, task in tasks.items():
            results[key] = check(*task)
            if progress:
                progress(len(results), total)
        return results
    return _Pool(min(jobs, total), check, hard_seconds).run(tasks, progress)


def _worker(conn, check) -> None:
    """A worker's loop: say ``None`` when ready, then receive ``(key, task)`` and send
    ``(key, result)``; a ``None`` received ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if check is check_answer:  # SymPy, Hypothesis and the sections load before the first answer's clock starts
        import hypothesis  # noqa: F401 - verify imports it on the first answer that needs random points

        import derivations.answercheck.verdict  # noqa: F401 - the package alone loads nothing
        from derivations import homeworks

        homeworks.registry().load()

    conn.send(None)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        key, task = message
        conn.send((key, check(*task)))


class _Worker:
    """One worker process, its pipe, and the answer it holds (``key``) since ``started``."""

    def __init__(self, ctx, check):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, check), daemon=True, name="derive-grade-worker")
        self.process.start()
        child.close()
        self.ready = False
        self.key: Key | None = None
        self.started = time.monotonic()

    @property
    def waited_for(self) -> bool:
        return self.key is not None or not self.ready

    def give(self, key: Key, task: tuple) -> None:
        self.conn.send((key, task))
        self.key, self.started = key, time.monotonic()

    def stop(self, kill: bool = False) -> None:
        if not kill:
            try:
                self.conn.send(None)
            except OSError:
                kill = True
        if kill and self.process.is_alive():
            self.process.kill()

    def join(self) -> None:
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=10)
        self.conn.close()


class _Pool:
    """``n`` worker processes, one answer each at a time (see the module's docstring)."""

    def __init__(self, n: int, check, hard_seconds: float):
        self.ctx = multiprocessing.get_context("spawn")
        self.n, self.check, self.hard_seconds = n, check, hard_seconds
        self.deaths_in_a_row = 0

    def run(self, tasks: dict[Key, tuple], progress) -> dict[Key, dict]:
        pending = deque(tasks.items())
        results: dict[Key, dict] = {}
        workers = [_Worker(self.ctx, self.check) for _ in range(self.n)]
        try:
            while len(results) < len(tasks):
                for i, w in enumerate(workers):
                    if w.ready and w.key is None and pending:
                        key, task = pending.popleft()
                        try:
                            w.give(key, task)
                        except OSError:  # it died between answers: a new one takes this answer
                            pending.appendleft((key, task))
                            workers[i] = self._replace(w)
                watched = [w for w in workers if w.waited_for]
                ready = wait([w.conn for w in watched] + [w.process.sentinel for w in watched], timeout=1.0)
                before = len(results)
                for i, w in enumerate(workers):
                    if w.waited_for:
                        workers[i] = self._collect(w, ready, results)
                if progress and len(results) > before:
                    progress(len(results), len(tasks))
        except BaseException:  # Ctrl-C or a bug: the workers go at once, mid-answer or not
            for w in workers:
                w.stop(kill=True)
            raise
        finally:
            for w in workers:
                w.stop()
            for w in workers:
                w.join()
        return results

    def _collect(self, w: _Worker, ready: list, results: dict) -> _Worker:
        """Take ``w``'s message if there is one; a worker that died or ran out of time is replaced
        (the new one is returned) and the answer it held becomes an internal error."""
        if w.conn in ready:
            try:
                message = w.conn.recv()
            except (EOFError, OSError):
                pass  # it died: below
            else:
                if not w.ready:
                    w.ready = True
                else:
                    key, result = message
                    results[key], w.key = result, None
                    self.deaths_in_a_row = 0
                return w
        elif w.process.sentinel not in ready:
            if time.monotonic() - w.started <= self.hard_seconds:
                return w  # still working
            if w.key is not None:
                results[w.key] = internal_error(f"checking this answer took longer than {self.hard_seconds:g} s "
                                                "and was stopped")
                return self._replace(w)
        w.process.join(timeout=5)
        if w.key is not None and w.key not in results:
            results[w.key] = internal_error(f"the checker's process stopped (exit code {w.process.exitcode}) "
                                            "on this answer")
        self.deaths_in_a_row += 1
        if self.deaths_in_a_row >= MAX_DEATHS_IN_A_ROW:
            raise WorkerError(f"the checker's worker processes keep stopping ({self.deaths_in_a_row} in a row, "
                              f"the last with exit code {w.process.exitcode}); try --jobs 1 to see why")
        return self._replace(w)

    def _replace(self, w: _Worker) -> _Worker:
        w.stop(kill=True)
        w.join()
        return _Worker(self.ctx, self.check)
