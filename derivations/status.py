"""The one status type of the checker: what a step, a chain, a part or a user's answer earned.

A step or chain is ``proved`` (SymPy decided it), ``checked`` (it agreed at random points, or a
simulation backs it) or ``failed``. A part adds ``explained`` (prose, with its demonstrations run)
and ``todo`` (no answer yet). ``derive verify`` uses the same scale and says it in its own words:
a proved answer is *correct*, a checked one *correct (numerically)*, a failed one *incorrect*, and
one that neither side of the comparison could decide is *undecided*.

>>> Status.PROVED == "proved", Status.CHECKED.verdict
(True, 'correct (numerically)')
>>> Status.weakest([Status.PROVED, Status.CHECKED])
<Status.CHECKED: 'checked'>
>>> Status.from_verdict("incorrect")
<Status.FAILED: 'failed'>
"""

from __future__ import annotations

import enum
from typing import Iterable


class Status(str, enum.Enum):
    """How much a claim earned, from strongest to weakest evidence."""

    PROVED = "proved"  # SymPy decided every step
    CHECKED = "checked"  # numeric evidence: random points, a simulation
    EXPLAINED = "explained"  # an argument in prose, its demonstrations run
    UNDECIDED = "undecided"  # neither a proof nor a refutation (verify only)
    FAILED = "failed"  # something did not hold
    TODO = "todo"  # no answer yet

    def __str__(self) -> str:
        return self.value

    @property
    def verdict(self) -> str:
        """The word ``derive verify`` uses for this status."""
        return _VERDICTS.get(self, self.value)

    @classmethod
    def from_verdict(cls, word: str) -> "Status":
        """The status a verify verdict word stands for."""
        for status, text in _VERDICTS.items():
            if text == word:
                return status
        return cls(word)

    @classmethod
    def weakest(cls, statuses: Iterable["Status"]) -> "Status":
        """The weakest of proved / checked / failed (a chain is as strong as its weakest step)."""
        seen = set(statuses)
        for status in (cls.FAILED, cls.UNDECIDED, cls.CHECKED):
            if status in seen:
                return status
        return cls.PROVED


_VERDICTS = {Status.PROVED: "correct", Status.CHECKED: "correct (numerically)", Status.FAILED: "incorrect",
             Status.UNDECIDED: "undecided"}

#: What a part may claim at best; the runner decides what it earned.
CLAIMS = (Status.PROVED, Status.CHECKED, Status.EXPLAINED)


_MARKS = {"proved": "PROVED ", "checked": "CHECKED", "failed": "FAILED ", "explained": "EXPLAINED", "todo": "TODO"}


def status_table(rows) -> str:
    """A plain table of ``(id, status, title)`` rows, the title's LaTeX read as Unicode.

    >>> print(status_table([("8a", "proved", r"Forward marginal $q(x_t\\mid x_0)$")]))
    8a  PROVED     Forward marginal q(x_t | x_0)
    """
    from derivations.notation.text import unicode_text

    rows = list(rows)
    width = max((len(r[0]) for r in rows), default=2)
    return "\n".join(f"{pid:<{width}}  {_MARKS.get(str(status), str(status)):<9}  {unicode_text(title)}"
                     for pid, status, title in rows)
