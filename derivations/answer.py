"""What a part contributes: its answer as SymPy objects, the prose around it, chains, checks, figures.

A part's answer *is* its :class:`Quantity` objects: the box of the documents is typeset from them,
``derive verify`` compares a student's answer with them, and each names the chain that concludes
it. Everything ``derive verify`` needs to know about a quantity (symbols a student may write by
mistake, names a student may define) lives on the quantity, so the reader of answers names no part.

>>> import sympy as sp
>>> a = sp.Symbol("alphabar_t", positive=True)
>>> Quantity("std", sp.sqrt(1 - a), symbols=(a,)).kind
'expression'
>>> Quantity("option", Choice(("left", "right"), correct={2})).kind
'choice'
>>> Quantity("bad", "1 - alphabar_t")
Traceback (most recent call last):
...
TypeError: quantity 'bad': a value is a SymPy expression or matrix, a distribution or a Choice, got str
>>> Quantity("option", Choice(("left", "right"), correct={2}), written=Quantity("std", sp.sqrt(1 - a)))
Traceback (most recent call last):
...
TypeError: quantity 'option': its written form is 'expression', not 'choice' like its value
>>> plain = Quantity("std", sp.sqrt(1 - a))
>>> Quantity("std", sp.sqrt(1 - a), written=Quantity("std", sp.sqrt(1 - a), written=plain))
Traceback (most recent call last):
...
ValueError: quantity 'std': its written form has a written form of its own
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import sympy as sp

from derivations.symbolic.distributions import Distribution, Mixture

if TYPE_CHECKING:  # only for annotations: building an answer imports no statistics and no chain checker
    import numpy as np

    from derivations.chain import Chain
    from numerics.stattests import CheckResult

KINDS = ("expression", "distribution", "choice")


@dataclass(frozen=True)
class Choice:
    """A multiple-choice answer: the options (numbered from 1, LaTeX text) and the correct ones.

    ``words`` maps answers in words (``"fails"``) to the option they choose, for a question whose
    options are not printed with numbers.

    >>> Choice(("yes", "no"), correct={1}).correct
    frozenset({1})
    >>> Choice(("yes", "no"), correct={3})
    Traceback (most recent call last):
    ...
    ValueError: correct options {3} are not among the options 1..2
    """

    options: tuple[str, ...]
    correct: frozenset = frozenset()
    words: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(self.options))
        object.__setattr__(self, "correct", frozenset(self.correct))
        n = len(self.options)
        if not self.correct or not all(isinstance(k, int) and 1 <= k <= n for k in self.correct):
            raise ValueError(f"correct options {set(self.correct) or '{}'} are not among the options 1..{n}")
        if any(not 1 <= k <= n for k in self.words.values()):
            raise ValueError(f"a word chooses an option outside 1..{n}")

    @property
    def first(self) -> int:
        """The smallest correct option (what a single answer should name)."""
        return min(self.correct)


def kind_of(value: Any) -> str | None:
    """``expression``, ``distribution`` or ``choice``; None for a value no quantity can have."""
    if isinstance(value, Choice):
        return "choice"
    if isinstance(value, (Distribution, Mixture)):
        return "distribution"
    if isinstance(value, (sp.Basic, sp.MatrixBase)) and not isinstance(value, bool):
        return "expression"
    return None


def _is_symbol_like(obj) -> bool:
    from sympy.core.function import FunctionClass
    return isinstance(obj, (sp.Symbol, sp.IndexedBase)) or isinstance(obj, FunctionClass)


@dataclass(frozen=True)
class Quantity:
    """One answer of a part, as a SymPy object: an expression or matrix, a distribution, or a choice.

    ``symbols`` are the symbols a student may write and ``domains`` where they are sampled;
    ``lhs`` is what the box prints left of ``relation`` (a SymPy object, or LaTeX; ``\\sim`` for a
    random variable and its law); ``chain`` is the
    title of the chain that concludes the quantity; ``mistakable`` are symbols a student may write
    by mistake (``alpha_t`` for ``alphabar_t``), with their domains, so that such an answer is
    refuted with a counterexample instead of refused; ``defined`` are names an answer may use for
    another formula (``mu_z`` for the means of the same part), with their values.

    ``written`` is the same answer as students write it in vector notation (a vector as one
    symbol, a squared norm as a square), read and compared by ``derive verify`` instead of
    ``value``, for a quantity whose value is written by coordinates; it is a quantity of the same
    kind with no ``written`` of its own. The box, the chains and the links keep using ``value``;
    the section's tests prove the two agree.
    """

    name: str
    value: Any
    symbols: tuple = ()
    domains: Mapping = field(default_factory=dict)
    description: str = ""
    lhs: Any = None
    relation: str = "="
    chain: str | None = None
    mistakable: Mapping = field(default_factory=dict)
    defined: Mapping = field(default_factory=dict)
    written: Quantity | None = None

    def __post_init__(self) -> None:
        if self.relation not in ("=", r"\sim", r"\le", r"\ge", r"\approx", r"\to"):
            raise ValueError(f"quantity {self.name!r}: relation {self.relation!r} is not one the box can print")
        if kind_of(self.value) is None:
            raise TypeError(f"quantity {self.name!r}: a value is a SymPy expression or matrix, a distribution "
                            f"or a Choice, got {type(self.value).__name__}")
        object.__setattr__(self, "symbols", tuple(self.symbols))
        bad = [s for s in self.symbols if not _is_symbol_like(s)]
        if bad:
            raise TypeError(f"quantity {self.name!r}: symbols must be SymPy symbols, indexed bases or "
                            f"functions, got {bad[0]!r}")
        for where in (self.domains, self.mistakable):
            for sym, dom in where.items():
                if not isinstance(sym, sp.Symbol) or not isinstance(dom, sp.Set):
                    raise TypeError(f"quantity {self.name!r}: a domain maps a symbol to a SymPy set, "
                                    f"got {sym!r}: {dom!r}")
        for name, value in self.defined.items():
            if not isinstance(name, str) or kind_of(value) != "expression":
                raise TypeError(f"quantity {self.name!r}: a defined name maps a name to an expression, "
                                f"got {name!r}: {value!r}")
        if self.written is not None:
            if not isinstance(self.written, Quantity):
                raise TypeError(f"quantity {self.name!r}: its written form is a Quantity, "
                                f"got {type(self.written).__name__}")
            if self.written.kind != self.kind:
                raise TypeError(f"quantity {self.name!r}: its written form is {self.written.kind!r}, "
                                f"not {self.kind!r} like its value")
            if self.written.written is not None:
                raise ValueError(f"quantity {self.name!r}: its written form has a written form of its own")

    @property
    def kind(self) -> str:
        """``expression``, ``distribution`` or ``choice``, from the value's type."""
        return kind_of(self.value)


@dataclass(frozen=True)
class Check:
    """A numeric check: ``run(rng)`` returns one or more :class:`CheckResult`.

    ``claim`` states the null hypothesis or the property in one sentence (LaTeX prose).
    """

    name: str
    claim: str
    run: Callable[[np.random.Generator], CheckResult | Sequence[CheckResult]]


@dataclass(frozen=True)
class Figure:
    """A figure a part draws: ``draw`` names a function ``draw(path, rng)`` of the section's
    ``figures`` module, resolved only when figures are drawn (no plotting import otherwise).

    A part registered outside a section package (a test's fake part) may pass the function itself.
    """

    filename: str
    caption: str
    draw: str | Callable


@dataclass(frozen=True)
class Answer:
    """Everything one part contributes: its quantities, the prose around them, chains, checks, figures.

    ``summary`` is LaTeX prose set in the answer box after the quantities (it must not write a
    quantity's formula again); ``explanation`` is the reasoning.
    """

    summary: str = ""
    explanation: str = ""
    quantities: tuple[Quantity, ...] = ()
    chains: tuple[Chain, ...] = ()
    checks: tuple[Check, ...] = ()
    figures: tuple[Figure, ...] = ()

    def __post_init__(self) -> None:
        for name in ("quantities", "chains", "checks", "figures"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        titles = {c.title for c in self.chains}
        for q in self.quantities:
            if q.chain is not None and q.chain not in titles:
                raise ValueError(f"quantity {q.name!r} names the chain {q.chain!r}, which the part does not have")
