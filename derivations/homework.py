"""A problem set as data: its parts, its questions' titles, its document title and its sections.

The machinery (runner, documents, CLI, answer reader) works on a :class:`Homework` and never on
module globals, so a second problem set is a second ``Homework`` (and its section packages), not a
change to the machinery. A part id is unique within its homework; :meth:`Homework.qualified` names
it across homeworks (``hw7:8a``).

>>> hw = Homework("demo", "Demo", "", {"1": "First"}, (Part("1a", "1", "s", "A part", "formula", "proved"),
...               Part("1b", "1", "s", "Another", "formula")), {"s": "pkg.s"})
>>> hw.select(["1"]), hw.qualified("1a"), hw.parts_of_section("s")
(['1a', '1b'], 'demo:1a', ['1a', '1b'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence


@dataclass(frozen=True)
class Part:
    """Static facts about one part: its id, question, section, title (LaTeX), kind of answer, and
    what its answer claims at best (``proved``, ``checked``, ``explained``, or ``todo`` when there
    is no answer yet); the runner decides what the claim earned."""

    id: str
    question: str
    section: str
    title: str
    kind: str
    claim: str = "todo"


def question_of(part_id: str) -> str:
    """The question number an id belongs to: ``'3b.iv' -> '3'``, ``'5.2' -> '5'``.

    >>> question_of("3b.iv"), question_of("5.2"), question_of("12a")
    ('3', '5', '12')
    """
    digits = ""
    for ch in part_id:
        if not ch.isdigit():
            break
        digits += ch
    return digits


@dataclass(frozen=True)
class Homework:
    """A problem set: ``key`` qualifies its part ids, ``sections`` maps a section name to the package
    whose ``parts`` module registers that section's answers."""

    key: str
    title: str
    subtitle: str
    questions: Mapping[str, str]
    parts: tuple[Part, ...]
    sections: Mapping[str, str]
    examples: tuple[str, ...] = ()  # ids shown in an error message, then prefixes after "|"
    notation: tuple[tuple[str, str], ...] = ()  # (symbol in LaTeX math, what it means) for the documents
    by_id: Mapping[str, Part] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = {}
        for p in self.parts:
            if p.id in by_id:
                raise ValueError(f"{self.key}: part {p.id} is listed twice")
            if p.section not in self.sections:
                raise ValueError(f"{self.key}: part {p.id} belongs to unknown section {p.section!r}")
            by_id[p.id] = p
        object.__setattr__(self, "by_id", by_id)

    @property
    def order(self) -> tuple[str, ...]:
        """Every part id, in the homework's order."""
        return tuple(p.id for p in self.parts)

    def qualified(self, part_id: str) -> str:
        """The id unique across homeworks: ``hw7:8a``."""
        return f"{self.key}:{part_id}"

    def parts_of_section(self, section: str) -> list[str]:
        return [p.id for p in self.parts if p.section == section]

    def select(self, selectors: Sequence[str]) -> list[str]:
        """Part ids chosen by exact ids or by question prefixes, in homework order.

        An exact id wins; otherwise a selector picks every id that starts with it, where a selector
        ending in a digit may not be followed by another digit (``1`` never picks ``10``). An unknown
        selector raises :class:`KeyError` with a one-line message.
        """
        chosen: set[str] = set()
        for sel in selectors:
            if sel in self.by_id:
                chosen.add(sel)
                continue
            hits = [pid for pid in self.order if _prefix_matches(sel, pid)]
            if not hits:
                raise KeyError(f"unknown part {sel!r} (expected an id such as {self._examples()}, "
                               f"or a prefix such as {self._prefixes()})")
            chosen.update(hits)
        return [pid for pid in self.order if pid in chosen]

    def _examples(self) -> str:
        ids = list(self.examples[:self.examples.index("|")]) if "|" in self.examples else list(self.order[:3])
        return ", ".join(ids[:-1]) + " or " + ids[-1] if len(ids) > 1 else ids[0]

    def _prefixes(self) -> str:
        prefixes = list(self.examples[self.examples.index("|") + 1:]) if "|" in self.examples else list(self.questions)[:2]
        return " or ".join(prefixes)


def _prefix_matches(selector: str, part_id: str) -> bool:
    if not selector or not part_id.startswith(selector) or part_id == selector:
        return False
    nxt = part_id[len(selector)]
    return not (selector[-1].isdigit() and nxt.isdigit())
