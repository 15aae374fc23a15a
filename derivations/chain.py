"""Derivation chains: ``e0 = e1 = e2 <= e3 ...``, every step with its reason, every step verified.

A step is *proved* when SymPy shows that the difference of its two sides is zero (or, for an
inequality, non-negative) after a targeted simplification (:mod:`derivations.zero`). When SymPy
cannot decide, both sides are evaluated at random points (:mod:`derivations.points`) and the step
is only *checked*. A step that disagrees somewhere is *failed*, with a shrunk counterexample.

>>> import sympy as sp
>>> a, b = sp.symbols("a b", positive=True)
>>> c = derive("square of a sum", (a + b)**2,
...            (a**2 + 2*a*b + b**2, "expand the square"))
>>> c.verify().verdict.value
'proved'
>>> bad = derive("a wrong expansion", (a + b)**2, (a**2 + b**2, "forgot the cross term"))
>>> r = bad.verify()
>>> r.verdict.value, r.first_failure.reason
('failed', 'forgot the cross term')
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

import sympy as sp

from derivations.points import at_points
from derivations.status import Status
from derivations.zero import Decision, decide

RELATIONS = ("=", "<=", ">=")

Simplifier = Callable[[sp.Expr], sp.Expr]


@dataclass(frozen=True)
class Step:
    """One link ``previous <relation> expr`` of a chain, with the reason it holds.

    ``simplify`` is an optional targeted simplification tried first on the difference of the two
    sides (for example :func:`sympy.expand_log` with ``force=True`` for a log identity).
    ``numeric_only`` marks a step SymPy is known not to decide, so it goes straight to points.
    ``cite`` is a :class:`derivations.theorems.Citation`: the step applies a named theorem SymPy
    cannot derive, and is proved modulo that theorem when SymPy verifies it is an instance.
    """

    expr: Any
    reason: str
    relation: str = "="
    simplify: Simplifier | None = None
    numeric_only: bool = False
    cite: Any = None

    def __post_init__(self) -> None:
        if self.relation not in RELATIONS:
            raise ValueError(f"relation {self.relation!r} is not one of {RELATIONS}")


@dataclass(frozen=True)
class Chain:
    """A derivation ``start = steps[0].expr = steps[1].expr ...``.

    ``domains`` maps a symbol to the :class:`sympy.Interval` its random points are drawn from;
    symbols without an entry are drawn according to their assumptions. ``scope`` is ``"general"``
    when the chain proves the claim in the generality the question has, else
    ``"instance: <which>"`` (an illustration, e.g. ``"instance: d = 1, n = 3"``), which can
    illustrate a quantity but never conclude it.
    """

    title: str
    start: Any
    steps: tuple[Step, ...]
    domains: Mapping[sp.Symbol, sp.Interval] = field(default_factory=dict)
    scope: str = "general"

    def __post_init__(self) -> None:
        if self.scope != "general" and not (self.scope.startswith("instance: ") and len(self.scope) > 10):
            raise ValueError(f"chain {self.title!r}: scope is 'general' or 'instance: <which instance>', "
                             f"got {self.scope!r}")
        _refuse_empty(self)

    @property
    def general(self) -> bool:
        return self.scope == "general"

    @property
    def end(self) -> Any:
        """The last expression: the conclusion of the chain."""
        return self.steps[-1].expr if self.steps else self.start

    def pairs(self):
        """Yield ``(lhs, step)`` for every link."""
        lhs = self.start
        for step in self.steps:
            yield lhs, step
            lhs = step.expr

    def verify(self, *, seed: int = 0, max_examples: int = 60, read_back: Callable | None = None) -> "ChainResult":
        """Verify every step, in order, and collect the results.

        ``read_back(expr)`` (see :func:`derivations.answercheck.readback.read_back`), when given, reads
        each printed line back and proves it equal to the expression verified: a step whose two lines
        do not both read back is at best checked (what a reader sees is not what was proved)."""
        results = [
            verify_step(lhs, step, index=i, domains=self.domains, seed=seed + i, max_examples=max_examples)
            for i, (lhs, step) in enumerate(self.pairs(), start=1)
        ]
        if read_back is not None:
            results = _with_read_back(self, results, read_back)
        return ChainResult(self, tuple(results))


def _with_read_back(chain: "Chain", results: list, read_back: Callable) -> list:
    """Each step's result with ``printed_verified``: both of its printed lines read back equal."""
    backs = [read_back(e) for e in (chain.start, *(step.expr for step in chain.steps))]
    out = []
    for k, r in enumerate(results):  # step k + 1 goes from line k + 1 to line k + 2
        bad = next((line for line in (k, k + 1) if not backs[line].ok), None)
        reason = None if bad is None else f"line {bad + 1} of the chain does not read back: {backs[bad].reason}"
        out.append(replace(r, printed_verified=bad is None, printed_reason=reason))
    return out


class EmptyChain(ValueError):
    """A chain, or a step, that proves nothing: its two ends print the same."""


def _refuse_empty(chain: "Chain") -> None:
    """Refuse a chain whose first and last lines print the same, or a step whose two sides do: the
    reader would see "x = x". (A starting expression SymPy evaluated on construction is the usual
    cause: keep it unevaluated, with ``evaluate=False``, ``UnevaluatedExpr``, ``Derivative``, ...)"""
    from derivations.notation import latex

    if not chain.steps:
        raise EmptyChain(f"chain {chain.title!r} has no step")
    if latex(chain.start) == latex(chain.end):
        raise EmptyChain(f"chain {chain.title!r} proves nothing: its first and last lines both print "
                         f"{latex(chain.start)}")
    for k, (lhs, step) in enumerate(chain.pairs(), start=1):
        if latex(lhs) == latex(step.expr):
            raise EmptyChain(f"chain {chain.title!r}, step {k} ({step.reason}) changes nothing: both sides "
                             f"print {latex(lhs)}")


def derive(title: str, start: Any, *steps: Step | tuple, domains=None, scope: str = "general") -> Chain:
    """Build a :class:`Chain` from ``(expr, reason)`` or ``(expr, reason, relation)`` tuples."""
    built = tuple(s if isinstance(s, Step) else Step(*s) for s in steps)
    return Chain(title, start, built, dict(domains or {}), scope)


@dataclass(frozen=True)
class StepResult:
    """The verdict on one step, with how it was reached and a counterexample if it failed."""

    index: int
    reason: str
    relation: str
    lhs: Any
    rhs: Any
    verdict: Status
    method: str
    counterexample: dict[str, float] | None = None
    values: tuple[str, str] | None = None
    hint_error: str | None = None  # the step's own simplification raised this (a bug to fix)
    theorem: str | None = None  # the key of the theorem the step is proved modulo
    printed_verified: bool | None = None  # both printed lines read back equal (None: not read back)
    printed_reason: str | None = None  # why a printed line did not read back

    @property
    def standing(self) -> Status:
        """The step's verdict, at most checked when what is printed was not shown to be what was proved."""
        if self.printed_verified is False and self.verdict is Status.PROVED:
            return Status.CHECKED
        return self.verdict

    def to_json(self) -> dict:
        return {
            "index": self.index,
            "reason": self.reason,
            "relation": self.relation,
            "lhs": _text(self.lhs),
            "rhs": _text(self.rhs),
            "verdict": self.verdict.value,
            "method": self.method,
            "counterexample": self.counterexample,
            "values": list(self.values) if self.values else None,
            "hint_error": self.hint_error,
            "theorem": self.theorem,
            "printed_verified": self.printed_verified,
            "printed_reason": self.printed_reason,
        }


def _text(value: Any) -> str:
    """Plain text of a side: SymPy's for an expression, the course's for a distribution."""
    if _is_law(value):
        from derivations.notation import plain
        return plain(value)
    return sp.sstr(value)


@dataclass(frozen=True)
class ChainResult:
    """The verdicts on every step of one chain."""

    chain: Chain
    steps: tuple[StepResult, ...]

    @property
    def verdict(self) -> Status:
        """As strong as the weakest step: failed, else checked, else proved (a step whose printed lines
        did not read back counts as checked)."""
        return Status.weakest(s.standing for s in self.steps)

    @property
    def first_failure(self) -> StepResult | None:
        return next((s for s in self.steps if s.verdict is Status.FAILED), None)

    def to_json(self) -> dict:
        return {
            "title": self.chain.title,
            "verdict": self.verdict.value,
            "scope": self.chain.scope,
            "steps": [s.to_json() for s in self.steps],
        }

    @property
    def theorems(self) -> list[str]:
        """The keys of the theorems this chain's steps are proved modulo, in order of first use."""
        return list(dict.fromkeys(s.theorem for s in self.steps if s.theorem))


# --------------------------------------------------------------------------- verifying a step


def _symbolic(lhs: Any, rhs: Any, step: Step) -> Decision | None:
    """Try to prove ``lhs relation rhs`` with SymPy (:func:`derivations.zero.decide`)."""
    if step.numeric_only:
        return None
    if isinstance(lhs, sp.MatrixBase) != isinstance(rhs, sp.MatrixBase):
        return None
    if isinstance(lhs, sp.MatrixBase) and lhs.shape != rhs.shape:
        return None
    if step.relation == "=":
        return decide(_difference(lhs, rhs), "=", hint=step.simplify)
    big, small = (rhs, lhs) if step.relation == "<=" else (lhs, rhs)
    return decide(_difference(big, small), ">=", hint=step.simplify)


def _difference(a: Any, b: Any) -> Any:
    if isinstance(a, sp.MatrixBase):
        return a - b
    return sp.sympify(a) - sp.sympify(b)


def _is_law(value: Any) -> bool:
    from derivations.symbolic.distributions import Distribution, Mixture
    return isinstance(value, (Distribution, Mixture))


def _law_step(lhs: Any, step: Step, base: dict, domains, seed: int, max_examples: int) -> StepResult:
    """A step with a distribution on either side. Two distributions are compared parameter by
    parameter (the same family, component by component), each parameter as an expression step (so
    a citation applies to every parameter); an expression and a distribution only by a citation
    that concludes the distribution (an ``instance`` check, e.g. a moment generating function)."""
    if not (_is_law(lhs) and _is_law(step.expr)):
        if step.cite is not None and step.cite.instance is not None:
            ok, how = step.cite.verify(lhs, step.expr, step.relation, hint=step.simplify)
            if ok:
                return StepResult(**base, verdict=Status.PROVED, method=how, theorem=step.cite.theorem.key)
            return StepResult(**base, verdict=Status.FAILED, method=how)
        return StepResult(**base, verdict=Status.FAILED,
                          method="an expression and a distribution: only a cited theorem concludes one from the other")
    from derivations.symbolic.distributions import as_mixture
    mine, theirs = as_mixture(lhs).components, as_mixture(step.expr).components
    if step.relation != "=" or len(mine) != len(theirs) or any(
            a.family != b.family or a.over != b.over for a, b in zip(mine, theirs)):
        return StepResult(**base, verdict=Status.FAILED,
                          method="the two distributions differ in relation, family or number of components")
    pairs = [(x, y) for a, b in zip(mine, theirs) for x, y in zip((a.weight, *a.params), (b.weight, *b.params))]
    results = [verify_step(x, Step(y, step.reason, simplify=step.simplify, numeric_only=step.numeric_only,
                                   cite=step.cite if _changes(step.cite, x, y) else None),
                           index=base["index"], domains=domains, seed=seed, max_examples=max_examples)
               for x, y in pairs if x != y]
    verdict = Status.weakest(r.verdict for r in results) if results else Status.FAILED
    theorem = next((r.theorem for r in results if r.theorem), None)
    methods = sorted({r.method for r in results})
    method = ("parameter by parameter: " + "; ".join(methods)) if results else "the two distributions are the same"
    first_bad = next((r for r in results if r.verdict is not Status.PROVED), None)
    return StepResult(**base, verdict=verdict, method=method, theorem=theorem if verdict is Status.PROVED else None,
                      counterexample=first_bad.counterexample if first_bad else None,
                      values=first_bad.values if first_bad else None)


def _changes(cite, x, y) -> bool:
    """Whether a citation's rewrite changes a parameter pair (a parameter the theorem does not touch
    is verified on its own, so the step is not refused for citing a theorem it did not need there)."""
    if cite is None or cite.rewrite is None:
        return cite is not None
    try:
        return cite.rewrite(x) != x or cite.rewrite(y) != y
    except Exception:  # noqa: BLE001 - a parameter the rewrite cannot read is not one it applies to
        return False


def verify_step(lhs: Any, step: Step, *, index: int, domains=None, seed: int = 0,
                max_examples: int = 60) -> StepResult:
    """Verify one link: symbolically if SymPy can decide, else at random points.

    A step citing a theorem must not be one SymPy proves without it; it is proved modulo the
    theorem when SymPy verifies it is an instance, else it falls back to random points. A step with
    a distribution on a side is verified by :func:`_law_step`."""
    if _is_law(lhs) or _is_law(step.expr):
        base = dict(index=index, reason=step.reason, relation=step.relation, lhs=lhs, rhs=step.expr)
        return _law_step(lhs, step, base, domains, seed, max_examples)
    decision = _symbolic(lhs, step.expr, step)
    base = dict(index=index, reason=step.reason, relation=step.relation, lhs=lhs, rhs=step.expr)
    hint_error = decision.hint_error if decision else None
    if decision is not None and decision.proved:
        if step.cite is not None:
            return StepResult(**base, verdict=Status.FAILED, hint_error=hint_error,
                              method=f"cites {step.cite.theorem.name} for what SymPy verifies directly "
                                     f"({decision.method})")
        return StepResult(**base, verdict=Status.PROVED, method=decision.method, hint_error=hint_error)
    why_not = ""
    if step.cite is not None:
        ok, how = step.cite.verify(lhs, step.expr, step.relation, hint=step.simplify)
        if ok:
            return StepResult(**base, verdict=Status.PROVED, method=how, hint_error=hint_error,
                              theorem=step.cite.theorem.key)
        why_not = how + "; "
    found = at_points(lhs, step.expr, step.relation, domains=domains, seed=seed, max_examples=max_examples)
    return StepResult(**base, verdict=found.status, method=why_not + found.method,
                      counterexample=found.counterexample, values=found.values, hint_error=hint_error)
