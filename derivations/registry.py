"""The answer registry of a homework: which parts have an answer, what they claim, how to build it.

A section package attaches an answer to a part with its homework's registry::

    @REGISTRY.register("8a")
    def forward_marginal() -> Answer:
        return Answer(quantities=(...), chains=(...), checks=(...))

The builder runs lazily. What the part claims at best (``proved``, ``checked``, ``explained``) is
written once, in the homework's table, so ``derive list`` imports no section; the runner decides
what the claim earned.

>>> from derivations.homework import Homework, Part
>>> hw = Homework("demo", "Demo", "", {"1": "One"}, (Part("1a", "1", "s", "A part", "formula", "proved"),),
...               {"s": "no.such"})
>>> reg = Registry(hw)
>>> reg.declared_status("1a")
<Status.PROVED: 'proved'>
>>> reg.registration("1a").build()
Traceback (most recent call last):
...
ImportError: section package no.such failed to import: ModuleNotFoundError: No module named 'no'
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from derivations.homework import Homework
from derivations.status import CLAIMS, Status


@dataclass(frozen=True)
class Registration:
    """A part's answer builder, what it claims, and the module that registered it."""

    part_id: str
    claim: Status
    build: Callable
    module: str


class Registry:
    """The registered answers of one :class:`~derivations.homework.Homework`."""

    def __init__(self, homework: Homework, *, load_sections: bool = True):
        """``load_sections=False`` makes a registry that holds only what is registered on it
        explicitly (a test's fake parts), never importing the homework's sections."""
        self.homework = homework
        self._entries: dict[str, Registration] = {}
        self._broken: dict[str, str] = {}  # section -> why its package failed to import
        self._imported: set[str] = set()
        self._loaded = not load_sections

    def register(self, part_id: str, *, status: str | None = None) -> Callable[[Callable], Callable]:
        """Decorator attaching an answer builder to ``part_id``; its claim is the homework table's
        (``status``, if given, must agree with it)."""
        if part_id not in self.homework.by_id:
            raise KeyError(f"cannot register unknown part {part_id!r} of {self.homework.key}")
        claim = Status(self.homework.by_id[part_id].claim if status is None else status)
        if claim not in CLAIMS:
            raise ValueError(f"status {claim.value!r} is not one of {tuple(c.value for c in CLAIMS)}")
        if status is not None and Status(status) != Status(self.homework.by_id[part_id].claim):
            raise ValueError(f"part {part_id} registers the claim {status!r} but the homework table says "
                             f"{self.homework.by_id[part_id].claim!r}")

        def decorate(build: Callable) -> Callable:
            old = self._entries.get(part_id)
            if old is not None and old.module != build.__module__:
                raise ValueError(f"part {self.homework.qualified(part_id)} registered twice "
                                 f"({old.module} and {build.__module__})")
            self._entries[part_id] = Registration(part_id, claim, build, build.__module__)
            return build

        return decorate

    def load(self, sections=None) -> None:
        """Import the registrations (the ``parts`` module) of ``sections`` (default: every section)."""
        if self._loaded:
            return
        for section in sections or self.homework.sections:
            if section in self._imported:
                continue
            package = self.homework.sections[section]
            self._imported.add(section)
            try:
                module = importlib.import_module(package)
                if hasattr(module, "__path__"):  # a package: its registrations are in .parts
                    importlib.import_module(f"{package}.parts")
            except Exception as exc:  # a broken section must not take the other parts down with it
                self._broken[section] = f"section package {package} failed to import: {type(exc).__name__}: {exc}"
        if sections is None:
            self._loaded = True

    def registration(self, part_id: str) -> Registration | None:
        """The registration of ``part_id``, or None if the part is still ``todo``.

        A part whose section failed to import gets a registration that raises that error, so it is
        reported as ``failed`` with the reason, never silently as ``todo``.
        """
        section = self.homework.by_id[part_id].section
        self.load([section])  # only the part's own section is imported
        reg = self._entries.get(part_id)
        broken = self._broken.get(section)
        if reg is None and broken is not None:
            def build():
                raise ImportError(broken)
            return Registration(part_id, Status.FAILED, build, "(broken)")
        return reg

    def declared_status(self, part_id: str) -> Status:
        """What ``derive list`` shows: the part's claim in the homework's table (no section is imported)."""
        return Status(self.homework.by_id[part_id].claim)

    def section_package(self, part_id: str) -> str:
        """The package of the section a part belongs to."""
        return self.homework.sections[self.homework.by_id[part_id].section]
