"""A wall-clock budget for SymPy work that could run away (simplify on a large difference).

In the main thread an interval timer interrupts the work; elsewhere (no signals in threads) the
caller's cheaper forms still run and only the expensive ones are skipped.

>>> with time_budget(1.0) as b:
...     b.active in (True, False)
True
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager


class OutOfTime(BaseException):  # not Exception: SymPy swallows those in places
    """The budget ran out."""


class Budget:
    def __init__(self, seconds: float, active: bool):
        self.deadline = time.monotonic() + seconds
        self.active = active

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def check(self) -> None:
        if self.left() <= 0:
            raise OutOfTime


@contextmanager
def time_budget(seconds: float):
    """Run the block for at most ``seconds`` (raises :class:`OutOfTime` inside it when exceeded)."""
    usable = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if usable:
        previous_handler = signal.getsignal(signal.SIGALRM)
        if signal.getitimer(signal.ITIMER_REAL)[0] > 0:  # someone else's timer: leave it alone
            usable = False
    budget = Budget(seconds, usable)
    if not usable:
        yield budget
        return

    def interrupt(signum, frame):
        raise OutOfTime

    signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-3))
    try:
        yield budget
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
