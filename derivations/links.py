"""Links: the runner's proof that each boxed quantity is the conclusion of a general, proved chain.

A quantity names the chain that concludes it (``Quantity.chain``). The link holds when that chain
is general (not an instance), was proved, and its last expression equals the quantity's value,
which the runner proves itself: an expression or matrix by the zero-decider under the quantity's
domains; a distribution parameter by parameter (or, when the chain ends in a density, against the
distribution's density at its point); a choice by the chain that settles it. A quantity without a
chain, or linked to an instance, is not linked, and its part is at best ``checked``.

>>> import sympy as sp
>>> from derivations.answer import Quantity
>>> from derivations.chain import derive
>>> a = sp.Symbol("a", positive=True)
>>> chain = derive("square", (a + 1)**2, (a**2 + 2*a + 1, "expand"))
>>> q = Quantity("square", a**2 + 2*a + 1, chain="square")
>>> link(q, [chain.verify()]).verdict.value
'proved'
>>> link(Quantity("square", a**2 + 1, chain="square"), [chain.verify()]).verdict.value
'failed'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import sympy as sp

from derivations.answer import Quantity
from derivations.chain import ChainResult
from derivations.points import at_points
from derivations.status import Status
from derivations.symbolic.distributions import Distribution, Mixture, as_mixture
from derivations.zero import decide


@dataclass(frozen=True)
class Link:
    """Whether ``quantity`` is concluded by ``chain``: the verdict and how it was reached."""

    quantity: str
    chain: str | None
    verdict: Status
    method: str

    def to_json(self) -> dict:
        return {"quantity": self.quantity, "chain": self.chain, "verdict": self.verdict.value,
                "method": self.method}


def link(q: Quantity, chains: Sequence[ChainResult]) -> Link:
    """The link of ``q`` to the chain it names among ``chains`` (their verified results)."""
    if q.chain is None:
        return Link(q.name, None, Status.CHECKED, "no chain concludes this quantity")
    found = [c for c in chains if c.chain.title == q.chain]
    if not found:
        return Link(q.name, q.chain, Status.FAILED, "the part has no chain of that title")
    result = found[0]
    if not result.chain.general:
        return Link(q.name, q.chain, Status.CHECKED, f"the chain is an illustration ({result.chain.scope})")
    if result.verdict is not Status.PROVED:
        return Link(q.name, q.chain, result.verdict, f"the chain is {result.verdict.value}, not proved")
    if q.kind == "choice":
        return Link(q.name, q.chain, Status.PROVED, "the proved chain settles the choice")
    verdict, method = _same(result.chain.end, q.value, dict(q.domains))
    return Link(q.name, q.chain, verdict, method)


def _same(end, value, domains) -> tuple[Status, str]:
    if isinstance(value, (Distribution, Mixture)):
        return _same_distribution(end, value, domains)
    if isinstance(end, (Distribution, Mixture)):
        return Status.FAILED, "the chain ends in a distribution, the quantity is an expression"
    return _same_expression(end, value, domains)


def _difference(a, b):
    if isinstance(a, sp.MatrixBase) != isinstance(b, sp.MatrixBase):
        return None
    if isinstance(a, sp.MatrixBase):
        return None if a.shape != b.shape else a - b
    return sp.sympify(a) - sp.sympify(b)


def _same_expression(end, value, domains) -> tuple[Status, str]:
    diff = _difference(end, value)
    if diff is None:
        return Status.FAILED, "the chain's conclusion and the quantity have different shapes"
    decision = decide(diff, domains=domains)
    if decision.proved:
        return Status.PROVED, f"the chain's last line equals the quantity: {decision.method}"
    found = at_points(end, value, "=", domains=domains)
    if found.status is Status.CHECKED:
        return Status.CHECKED, f"the chain's last line equals the quantity at random points only ({found.method})"
    return Status.FAILED, f"the chain's last line differs from the quantity ({found.method}: {found.counterexample})"


def _same_distribution(end, value, domains) -> tuple[Status, str]:
    if not isinstance(end, (Distribution, Mixture)):
        at = getattr(value, "at", None)
        if at is None:
            return Status.FAILED, "the chain ends in an expression, the quantity is a distribution with no point"
        return _same_expression(end, value.pdf(at), domains)
    mine, theirs = as_mixture(end), as_mixture(value)
    if len(mine.components) != len(theirs.components):
        return Status.FAILED, "the chain's distribution and the quantity have different numbers of components"
    methods = []
    for a, b in zip(mine.components, theirs.components):
        if a.family != b.family or a.over != b.over:
            return Status.FAILED, "the chain's distribution and the quantity differ in family or index"
        for x, y in zip((a.weight, *a.params), (b.weight, *b.params)):
            verdict, method = _same_expression(x, y, domains)
            if verdict is not Status.PROVED:
                return verdict, method
            methods.append(method)
    return Status.PROVED, "the chain's distribution equals the quantity, parameter by parameter"
