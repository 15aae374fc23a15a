"""The answer registry: every part id of :mod:`derivations.parts` with its answer, if written.

A section module attaches an answer to a part with the :func:`register` decorator::

    @register("8a", status="proved")
    def forward_marginal() -> Answer:
        return Answer(summary=r"q(x_t \\mid x_0) = ...", chains=(...), checks=(...))

The builder runs lazily (``derive list`` does not pay for SymPy work). ``status`` is what the
part claims at best: ``proved`` (every chain symbolic), ``checked`` (numeric evidence is the
substance) or ``explained`` (prose, with any demonstration run as checks). The runner downgrades a
claim it cannot back (a numerically checked step makes ``proved`` into ``checked``) and reports
``failed`` when any step or check fails.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from derivations.chain import Chain
from derivations.parts import ORDER, PARTS, SECTIONS
from numerics.stattests import CheckResult

CLAIMS = ("proved", "checked", "explained")


@dataclass(frozen=True)
class Check:
    """A numeric check: ``run(rng)`` returns one or more :class:`CheckResult`.

    ``claim`` states the null hypothesis or the property in one sentence (shown in reports).
    """

    name: str
    claim: str
    run: Callable[[np.random.Generator], CheckResult | Sequence[CheckResult]]


@dataclass(frozen=True)
class Figure:
    """A figure a part draws: ``draw(path, rng)`` writes a PDF (matplotlib, Agg) to ``path``."""

    filename: str
    caption: str
    draw: Callable[[Any, np.random.Generator], None]


@dataclass(frozen=True)
class Quantity:
    """A reference answer that ``derive verify`` compares a user's answer against.

    ``kind`` is ``expression`` (a SymPy expression or Matrix), ``distribution`` (an object from
    :mod:`derivations.distributions`) or ``choice`` (``value`` is the correct option number).
    ``symbols`` are the symbols a user may write; ``domains`` restrict where they are sampled.
    """

    name: str
    value: Any
    kind: str = "expression"
    symbols: tuple = ()
    domains: dict = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class Answer:
    """Everything one part contributes: answer, reasoning, chains, checks, figures, quantities.

    ``summary`` is the answer in LaTeX (text mode; math inside ``$...$`` or ``\\[...\\]``),
    ``explanation`` the reasoning in LaTeX prose.
    """

    summary: str
    explanation: str = ""
    chains: tuple[Chain, ...] = ()
    checks: tuple[Check, ...] = ()
    figures: tuple[Figure, ...] = ()
    quantities: tuple[Quantity, ...] = ()


@dataclass(frozen=True)
class Registration:
    part_id: str
    claim: str
    build: Callable[[], Answer]
    module: str


_REGISTRY: dict[str, Registration] = {}
_BROKEN: dict[str, str] = {}  # section -> why its module failed to import
_LOADED = False


def register(part_id: str, *, status: str) -> Callable[[Callable[[], Answer]], Callable[[], Answer]]:
    """Decorator attaching an answer builder to ``part_id`` with its claimed ``status``."""
    if part_id not in PARTS:
        raise KeyError(f"cannot register unknown part {part_id!r}")
    if status not in CLAIMS:
        raise ValueError(f"status {status!r} is not one of {CLAIMS}")

    def decorate(build: Callable[[], Answer]) -> Callable[[], Answer]:
        old = _REGISTRY.get(part_id)
        # Running a section as a script (python -m derivations.X) registers it twice: once as
        # __main__ and once under its own name. Only a clash between two real modules is an error.
        if old is not None and "__main__" not in (old.module, build.__module__) and old.module != build.__module__:
            raise ValueError(f"part {part_id} registered twice ({old.module} and {build.__module__})")
        if old is None or old.module == "__main__":
            _REGISTRY[part_id] = Registration(part_id, status, build, build.__module__)
        return build

    return decorate


def load_all() -> None:
    """Import every section module so that their parts register themselves."""
    global _LOADED
    if _LOADED:
        return
    for section in SECTIONS:
        try:
            importlib.import_module(f"derivations.{section}")
        except Exception as exc:  # a broken section must not take the other 40 parts down with it
            _BROKEN[section] = f"section module derivations.{section} failed to import: {type(exc).__name__}: {exc}"
    _LOADED = True


def registration(part_id: str) -> Registration | None:
    """The registration of ``part_id``, or None if the part is still ``todo``.

    A part whose section module failed to import gets a registration that raises that error,
    so it is reported as ``failed`` with the reason, never silently as ``todo``.
    """
    load_all()
    reg = _REGISTRY.get(part_id)
    broken = _BROKEN.get(PARTS[part_id].section)
    if reg is None and broken is not None:
        def build() -> Answer:
            raise ImportError(broken)
        return Registration(part_id, "failed", build, "(broken)")
    return reg


def declared_status(part_id: str) -> str:
    """What ``derive list`` shows: the part's claim, or ``todo``."""
    reg = registration(part_id)
    return reg.claim if reg else "todo"


def all_ids() -> tuple[str, ...]:
    return ORDER
