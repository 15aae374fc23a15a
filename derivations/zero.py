"""Is this difference zero (or non-negative)? One time-limited sequence of targeted simplifications.

Both the chain checker (is step ``k`` equal to step ``k-1``?) and the answer checker (is the user's
answer the reference?) ask SymPy the same question through :func:`decide`. The difference is tried
as written, then through the caller's hint, then through successively stronger simplifications,
cheapest first, until one of them reduces it to 0 (or shows it non-negative):

======================  =====================================================================
stage                   what it does
======================  =====================================================================
``as written``          nothing: the two sides were already identical
``given hint``          the caller's targeted simplification (e.g. expand the logs of a product)
``doit``                evaluate derivatives, integrals, expectations (and sums, unless told not to)
``expand``              multiply out
``cancel``              put over a common denominator and cancel
``powsimp``             combine powers with a common base
``expand_log``          split logs of products (every argument is taken as positive)
``radsimp``             rationalise denominators
``simplify``            SymPy's general ``simplify`` (only on differences of moderate size)
======================  =====================================================================

A hint that raises is a bug in the derivation, so the error is kept in the :class:`Decision`
(every output shows it) and the other stages still run; an error inside SymPy's own stages is
kept too. The whole sequence runs under a wall-clock budget.

>>> import sympy as sp
>>> a, b = sp.symbols("a b", positive=True)
>>> decide((a + b)**2 - (a**2 + 2*a*b + b**2)).method
'symbolic (expand)'
>>> u, v = sp.symbols("u v")
>>> decide(sp.log(u*v) - sp.log(u) - sp.log(v)).method
'symbolic (expand_log)'
>>> decide((a - b)**2 + a, ">=").proved
True
>>> broken = decide(sp.sin(a)**2 + sp.cos(a)**2 - 1, hint=lambda e: 1 / 0)
>>> broken.method, broken.hint_error
('symbolic (simplify)', 'ZeroDivisionError: division by zero')
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

import sympy as sp

from derivations.budget import OutOfTime, time_budget
from derivations.symbolic.values import entries

Hint = Callable[[sp.Expr], sp.Expr]

QUICK = ("as written", "given hint", "doit", "expand", "cancel", "powsimp")
SLOW = ("expand_log", "radsimp", "simplify")
STAGES = QUICK + SLOW
#: ``simplify`` is skipped on a difference with more operations than this (it can run for minutes).
SIMPLIFY_MAX_OPS = 400
#: The default budget of one decision, in seconds.
SECONDS = 30.0


@dataclass(frozen=True)
class Decision:
    """What :func:`decide` found: the stages that reduced each entry, and what went wrong."""

    stages: tuple[str, ...] | None  # None: not decided
    hint_error: str | None = None
    errors: tuple[str, ...] = ()
    timed_out: bool = False

    @property
    def proved(self) -> bool:
        return self.stages is not None

    @property
    def method(self) -> str | None:
        """``"symbolic (expand, cancel)"``, or None when SymPy did not decide."""
        return None if self.stages is None else "symbolic (" + ", ".join(sorted(set(self.stages))) + ")"


def _evaluated(diff: sp.Expr, sums: bool) -> sp.Expr:
    """``doit``; with ``sums=False``, only derivatives and substitutions inside a difference with sums
    (SymPy's attempts at a closed form of a sum over a symbolic n take seconds and rarely help)."""
    if sums or not diff.has(sp.Sum):
        return diff.doit()
    return diff.replace(lambda e: isinstance(e, (sp.Derivative, sp.Subs)), lambda e: e.doit())


def forms(diff: sp.Expr, *, hint: Hint | None = None, stages: Sequence[str] = STAGES, sums: bool = True,
          errors: list | None = None, cache: dict | None = None) -> Iterator[tuple[str, sp.Expr]]:
    """The forms of ``diff`` the chosen stages produce, lazily, each with its stage's name.

    A stage that raises is recorded in ``errors`` as ``(stage, message)`` and skipped. ``cache``
    keeps the evaluated difference between calls on the same ``diff``.
    """
    cache = {} if cache is None else cache

    def evaluated():
        if "doit" not in cache:
            cache["doit"] = _evaluated(diff, sums)
        return cache["doit"]

    makers = {
        "as written": lambda: diff,
        "given hint": lambda: hint(diff),
        "doit": evaluated,
        "expand": lambda: sp.expand(evaluated()),
        "cancel": lambda: sp.cancel(sp.together(evaluated())),
        "powsimp": lambda: sp.expand(sp.powsimp(sp.expand_power_base(evaluated(), force=False))),
        "expand_log": lambda: sp.expand(sp.expand_log(sp.powsimp(evaluated()), force=True)),
        "radsimp": lambda: sp.radsimp(sp.cancel(evaluated())),
        "simplify": lambda: sp.simplify(evaluated()),
    }
    for name in stages:
        if name == "given hint" and hint is None:
            continue
        try:
            if name == "expand_log" and not evaluated().has(sp.log, sp.exp):
                continue
            if name == "simplify" and sp.count_ops(evaluated()) > SIMPLIFY_MAX_OPS:
                continue
            yield name, makers[name]()
        except OutOfTime:
            raise
        except Exception as exc:  # noqa: BLE001 - SymPy internals raise anything; kept, not hidden
            if errors is not None:
                errors.append((name, f"{type(exc).__name__}: {exc}".splitlines()[0][:200]))


def _is_zero(form) -> bool:
    return form == 0 or getattr(form, "is_zero", None) is True


def _is_nonnegative(form) -> bool:
    return getattr(form, "is_nonnegative", None) is True


def decide(diff: Any, relation: str = "=", *, hint: Hint | None = None, stages: Sequence[str] = STAGES,
           sums: bool = True, domains: dict | None = None, seconds: float | None = SECONDS) -> Decision:
    """Decide ``diff == 0`` (relation ``"="``) or ``diff >= 0`` (``">="``) for every entry of ``diff``.

    ``domains`` (symbol -> :class:`sympy.Interval`) are built into the assumptions as a second try
    of every stage (:func:`in_domain`). Returns a :class:`Decision`; never raises for SymPy trouble.
    """
    if relation not in ("=", ">="):
        raise ValueError(f"decide takes relation '=' or '>=', got {relation!r}")
    test = _is_zero if relation == "=" else _is_nonnegative
    inside = in_domain(domains or {})
    errors: list = []
    used: list[str] = []
    try:
        with time_budget(seconds if seconds is not None else 1e9) as budget:
            for entry in entries(diff):
                name = _decide_entry(entry, test, hint, stages, sums, inside, errors, budget)
                if name is None:
                    return _decision(None, errors)
                used.append(name)
    except OutOfTime:
        return _decision(None, errors, timed_out=True)
    return _decision(tuple(used), errors)


def _decide_entry(entry, test, hint, stages, sums, inside, errors, budget) -> str | None:
    """The first stage that decides ``entry``: the quick stages on the difference as given, then on
    the difference with the domains built in, then the slow stages likewise."""
    restricted = entry.subs(inside) if inside and entry.free_symbols & set(inside) else None
    caches: dict = {"given": {}, "restricted": {}}
    tries = []
    for group in (QUICK, SLOW):
        chosen = [s for s in stages if s in group]
        tries.append(forms(entry, hint=hint, stages=chosen, sums=sums, errors=errors, cache=caches["given"]))
        if restricted is not None:
            tries.append(((f"{name} in the domain", form) for name, form in
                          forms(restricted, hint=hint, stages=chosen, sums=sums, errors=errors,
                                cache=caches["restricted"])))
    for name, form in itertools.chain.from_iterable(tries):
        if test(form):
            return name
        if not budget.active and budget.left() <= 0:
            raise OutOfTime
    return None


def _decision(stages, errors, *, timed_out: bool = False) -> Decision:
    hint_errors = [msg for name, msg in errors if name == "given hint"]
    others = tuple(dict.fromkeys(f"{name}: {msg}" for name, msg in errors if name != "given hint"))
    return Decision(stages, hint_errors[0] if hint_errors else None, others, timed_out)


def in_domain(domains: dict) -> dict:
    """Substitutions that build a symbol's domain into SymPy's assumptions: for ``t`` in (a, b),
    ``t = a + (b - a) s/(1 + s)`` with ``s > 0`` (so SymPy knows ``1 - t > 0`` when t is in (0, 1)).

    >>> t = sp.Symbol("t", positive=True)
    >>> sp.sqrt((1 - t)**2).subs(in_domain({t: sp.Interval.open(0, 1)})) == 1 / (1 + sp.Symbol("t_s", positive=True))
    True
    """
    out = {}
    for sym, dom in domains.items():
        if not isinstance(sym, sp.Symbol) or not isinstance(dom, sp.Interval) or sym.is_integer:
            continue
        s = sp.Symbol(f"{sym.name}_s", positive=True)
        lo, hi = dom.start, dom.end
        if lo.is_finite and hi.is_finite:
            out[sym] = lo + (hi - lo) * s / (1 + s)
        elif lo.is_finite:
            out[sym] = lo + s
        elif hi.is_finite:
            out[sym] = hi - s
    return out
