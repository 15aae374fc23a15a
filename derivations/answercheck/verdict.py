"""``verify(part_id, answer)``: read the user's answer, compare it with the part's reference.

>>> import sympy as sp
>>> from derivations.answer import Quantity
>>> a = sp.Symbol("alphabar_t", positive=True)
>>> q = Quantity("std", sp.sqrt(1 - a), symbols=(a,), domains={a: sp.Interval.open(0, 1)})
>>> verify_quantity(q, r"\\sqrt{1-\\bar\\alpha_t}").status
'correct'
>>> v = verify_quantity(q, "1 - abar_t")
>>> v.status, v.exit_code, list(v.counterexample)
('incorrect', 1, ['alphabar_t'])
"""

from __future__ import annotations

import functools
import re
import shlex
from dataclasses import dataclass
from typing import Any

import sympy as sp

from derivations.answercheck.compare import (CORRECT, INCORRECT, NUMERIC, Outcome, compare_distributions,
                                             compare_expressions)
from derivations.symbolic.distributions import Mixture, as_mixture
from derivations.answercheck.errors import AnswerError
from derivations.answercheck.lexer import check_text
from derivations.answercheck.parser import kind_name, parse
from derivations.answercheck.vocabulary import Vocabulary, applied_functions, key_of
from derivations import homeworks
from derivations.answer import KINDS, Choice, Quantity
from derivations.status import Status
from derivations.symbolic.values import as_expr, entries

SHOWN = 240  # characters of the parsed answer shown in a report
_CHOICE = re.compile(r"^\s*(?:option|choice)?\s*[\(\[]?\s*([0-9]{1,2}|[a-zA-Z])\s*[\)\]\.]?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of checking one answer: ``outcome`` is proved, checked or failed, which verify
    says as ``status``: correct, correct (numerically) or incorrect.

    ``what`` names the part that differs ("the mean", "component 2: the covariance"),
    ``counterexample`` the parameter values where the two sides differ (shrunk by Hypothesis) and
    ``values`` the user's and the reference's value there; ``notes`` say how ambiguous pieces of
    the answer were read (a bare ``\\log x y`` is log(x y)).
    """

    part_id: str
    quantity: str
    kind: str
    outcome: Status
    method: str
    what: str = ""
    counterexample: dict | None = None
    values: tuple | None = None
    answer: Any = None
    notes: tuple = ()

    @property
    def status(self) -> str:
        """``correct``, ``correct (numerically)`` or ``incorrect``."""
        return self.outcome.verdict

    @property
    def correct(self) -> bool:
        return self.outcome in (CORRECT, NUMERIC)

    @property
    def exit_code(self) -> int:
        return 0 if self.correct else 1

    def report(self) -> str:
        """What ``derive verify`` prints."""
        head = f"{self.part_id} [{self.quantity}]: {self.status}"
        if self.outcome == INCORRECT and self.what:
            head += f": {self.what} differs"
        lines = [head]
        if self.answer is not None and self.kind != "choice":
            shown = _show(self.answer)
            lines.append(f"  read as:  {shown if len(shown) <= SHOWN else shown[:SHOWN] + ' ...'}")
        lines += [f"  note: {note}" for note in self.notes]
        if self.outcome == CORRECT:
            lines.append(f"  SymPy proved the difference is zero ({self.method})")
        elif self.outcome == NUMERIC:
            lines.append(f"  SymPy could not decide; {self.method.removeprefix('numeric: ')}")
        elif self.counterexample:
            point = ", ".join(f"{k} = {_num(v)}" for k, v in self.counterexample.items())
            lines.append(f"  counterexample: {point}")
        if self.outcome == INCORRECT and self.values:
            lines.append(f"  yours: {self.values[0]}   reference: {self.values[1]}")
        if self.outcome == INCORRECT and not self.counterexample and not self.values and \
                self.method not in ("shape", "family", "choice", "components"):
            lines.append(f"  ({self.method}: is every part of your answer defined, every integral finite?)")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {"id": self.part_id, "quantity": self.quantity, "kind": self.kind, "status": self.status,
                "correct": self.correct, "method": self.method, "differs": self.what or None,
                "counterexample": self.counterexample, "values": list(self.values) if self.values else None,
                "answer": _show(self.answer) if self.answer is not None else None, "notes": list(self.notes)}


def _num(v) -> str:
    return f"{v:.10g}" if isinstance(v, float) else str(v)


def _show(value) -> str:
    if isinstance(value, Mixture):
        parts = []
        for c in value.components:
            if c.family == "normal":
                body = f"N({sp.sstr(_flat(c.params[0]))}, {sp.sstr(_flat(c.params[1]))})"
            elif c.family == "point":
                body = f"delta({sp.sstr(_flat(c.params[0]))})"
            else:
                body = f"U({sp.sstr(c.params[0])}, {sp.sstr(c.params[1])})"
            weight = "" if c.weight == 1 else f"{sp.sstr(c.weight)} * "
            over = "" if c.over is None else f"sum_{{{c.over[0]}={c.over[1]}}}^{{{c.over[2]}}} "
            parts.append(over + weight + body)
        return " + ".join(parts)
    return sp.sstr(_flat(value))


def _flat(value):
    return list(value) if isinstance(value, sp.MatrixBase) and value.cols == 1 else value


# --------------------------------------------------------------------------- the part's references


@functools.lru_cache(maxsize=None)
def quantities(part_id: str) -> tuple[Quantity, ...]:
    """The reference answers of ``part_id`` (an :class:`AnswerError` if there are none)."""
    registry = homeworks.registry()
    if part_id not in registry.homework.by_id:
        raise AnswerError(f"unknown part '{part_id}' (see derive list)")
    reg = registry.registration(part_id)
    if reg is None:
        raise AnswerError(f"part {part_id} has no answer yet (todo), so there is nothing to compare with")
    found = tuple(reg.build().quantities)
    if not found:
        raise AnswerError(f"part {part_id} has no formula, distribution or choice to check against "
                          f"(its answer is {registry.homework.by_id[part_id].kind})")
    return found


def choose(part_id: str, name: str | None, answer=None) -> Quantity:
    """The quantity ``name`` (exact, or a unique part of it); without a name, the only one, the only
    one the answer can be read as (a choice, a distribution or an expression), or among those the
    only one whose reference uses every symbol the answer uses. Otherwise an :class:`AnswerError`
    names the candidates and the exact ``--quantity`` to pass."""
    qs = quantities(part_id)
    if name is None:
        if len(qs) == 1:
            return qs[0]
        readings, errors = _readings(part_id, qs, answer) if answer is not None else ([], [])
        if not readings and errors and len({e.line() for e in errors}) == 1:
            raise errors[0]  # unreadable whichever quantity it is meant for: say why
        if len(readings) > 1:  # n_1/n fits P(Y=1) and theta_hat alike: do the symbols decide?
            narrowed = [(q, v) for q, v in readings if _symbols_of(v) <= _symbols_of(q.value)]
            readings = narrowed or readings
        if len(readings) == 1:
            return readings[0][0]
        raise AnswerError(_ambiguity(part_id, qs, [q for q, _ in readings], answer))
    for q in qs:
        if q.name == name:
            return q
    partial = [q for q in qs if name.lower() in q.name.lower()]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise AnswerError(f"part {part_id}: '{name}' is part of several quantity names; pass one exactly: "
                          + " or ".join(f"--quantity {_flag(q, qs)}" for q in partial))
    raise AnswerError(f"part {part_id} has no quantity '{name}' (it has: {', '.join(q.name for q in qs)})")


def _ambiguity(part_id: str, qs, candidates: list, answer) -> str:
    """One line: which quantities the answer could be compared with, and the flag for each."""
    shown = candidates or list(qs)
    flags = " or ".join(f"--quantity {_flag(q, qs)}" for q in shown)
    names = ", ".join(repr(q.name) for q in shown)
    example = ""
    if answer is not None:
        try:
            text = check_text(answer).strip()
        except AnswerError:
            text = ""
        if text and len(text) <= 60:
            dashes = "-- " if text.startswith("-") else ""  # an answer that looks like an option
            example = f", e.g. derive verify {part_id} --quantity {_flag(shown[0], qs)} {dashes}{shlex.quote(text)}"
    if candidates:
        return (f"part {part_id} has {len(qs)} quantities and this answer fits {len(shown)} of them ({names}); "
                f"choose one with {flags}{example}")
    return (f"part {part_id} has {len(qs)} quantities ({names}) and this answer can be read as none of them; "
            f"name one with {flags} to see why{example}")


def _flag(q: Quantity, qs) -> str:
    """The shortest leading words of ``q``'s name that select it alone (else its whole name), quoted."""
    words = q.name.split()
    for k in range(1, len(words)):
        prefix = " ".join(words[:k])
        if [other for other in qs if prefix.lower() in other.name.lower()] == [q]:
            return shlex.quote(prefix)
    return shlex.quote(q.name)


def _readings(part_id: str, qs, answer) -> tuple[list[tuple[Quantity, Any]], list[AnswerError]]:
    """The quantities an answer can be read as (a choice, a distribution or an expression), each with
    the answer as read for it; and the errors of reading it for the others."""
    try:
        text = check_text(answer)
    except AnswerError as exc:
        return [], [exc]
    choices = [(q, None) for q in qs if q.kind == "choice"]
    if choices and _CHOICE.match(text):  # "b" or "(2)": an option, where the part offers options
        return choices, []
    out, errors = [], []
    for q in qs:
        if q.kind == "choice":
            continue
        try:
            value = parse(text, vocabulary(q), dict(q.defined))
        except AnswerError as exc:
            errors.append(exc.with_context(text=text))
            continue
        as_distribution = isinstance(value, Mixture) and (q.kind == "distribution" or value.density() is None)
        if as_distribution == (q.kind == "distribution"):
            out.append((q, value))
    return out, errors


def _symbols_of(value) -> set:
    """The symbols, indexed bases and functions a value uses (free ones: not a sum's index)."""
    out = set()
    if value is None or isinstance(value, (int, str, Choice)):
        return out
    for e in _reference_exprs(value):
        for item in entries(e):
            out |= {s for s in item.free_symbols if isinstance(s, sp.Symbol)}
            out |= {ix.base.label for ix in item.atoms(sp.Indexed)}
            out |= {f.func for f in applied_functions(item)}
    return out


def domains_of(q: Quantity) -> dict:
    """The quantity's domains and those of the symbols a student may write by mistake."""
    return {**dict(q.mistakable), **dict(q.domains)}


def vocabulary(q: Quantity) -> Vocabulary:
    """The quantity's declared symbols, plus any free symbol of its value it forgot to declare and
    the symbols a student may write by mistake, with the shapes the parser needs (vector length,
    function arities, index counts)."""
    exprs = _reference_exprs(q.value)
    objs = list(q.symbols)
    keys = {key_of(o) for o in objs}
    for extra in sorted(_free(exprs), key=str) + list(q.mistakable):
        if extra not in objs and key_of(extra) not in keys:
            objs.append(extra)
            keys.add(key_of(extra))
    dims = {e.rows for e in exprs if isinstance(e, sp.MatrixBase) and e.cols == 1}
    arity, ranks = {}, {}
    for e in exprs:
        for item in entries(e):
            for applied in sorted(applied_functions(item), key=str):
                arity.setdefault(applied.func, applied.args)
            for ix in item.atoms(sp.Indexed):
                ranks.setdefault(ix.base, ix.indices)
    return Vocabulary(objs, dim=dims.pop() if len(dims) == 1 else None, arity=arity, indices=ranks)


def _reference_exprs(value) -> list:
    """Every expression inside a reference value (the parameters of a distribution)."""
    if isinstance(value, Choice):
        return []
    try:
        value = as_mixture(value)
    except TypeError:
        return [value]
    return [x for c in value.components for x in (c.weight, *c.params)]


def _free(exprs) -> set:
    out = set()
    for e in exprs:
        for item in entries(e):
            indexed_labels = {i.base.label for i in item.atoms(sp.Indexed)}
            out |= {s for s in item.free_symbols if isinstance(s, sp.Symbol) and s not in indexed_labels}
            out |= {f.func for f in applied_functions(item)}
    return out


# --------------------------------------------------------------------------- checking an answer


def parse_choice(text: str) -> int:
    m = _CHOICE.match(text)
    if not m:
        raise AnswerError(f"a choice is answered with the option's number or letter (1, 2, 3 or a, b, c); "
                          f"got {text.strip()[:40]!r}")
    token = m.group(1)
    number = int(token) if token.isdigit() else ord(token.lower()) - ord("a") + 1
    if number < 1:
        raise AnswerError("options are numbered from 1 (or lettered from a)")
    return number


def verify_quantity(q: Quantity, answer, *, part_id: str = "?", seed: int = 0) -> VerifyResult:
    """Check ``answer`` (text or UTF-8 bytes) against one reference quantity."""
    text = check_text(answer)
    if q.kind not in KINDS:
        raise ValueError(f"quantity {q.name} has kind {q.kind!r}, not one of {KINDS}")
    if q.kind == "choice":
        chosen = parse_choice(text)
        ok = chosen in q.value.correct
        return VerifyResult(part_id, q.name, q.kind, CORRECT if ok else INCORRECT, "choice",
                       "" if ok else "the option", values=None, answer=chosen)
    vocab = vocabulary(q)
    notes: list[str] = []
    try:
        value = parse(text, vocab, dict(q.defined), notes)
    except AnswerError as exc:
        raise exc.with_context(text=text, accepted=vocab.accepted() if "unknown" in exc.message else "") from None
    if q.kind == "distribution":
        if not isinstance(value, Mixture):
            raise AnswerError(f"part {part_id} asks for a distribution ('{q.name}', such as \\mathcal{{N}}(mean, "
                              f"cov)), but the answer is {_article(kind_name(value))}")
        outcome = compare_distributions(value, as_mixture(q.value), domains=domains_of(q), seed=seed)
    else:
        if isinstance(value, Mixture):
            density = value.density()  # (1/n) sum_i N(x; t x^(i), (1-t)^2 I) as the density at x
            if density is None:
                raise AnswerError(f"part {part_id} asks for an expression ('{q.name}'), but the answer is a "
                                  "distribution (write a density as N(x; mean, variance) with x a symbol of the part)")
            value = density
        outcome = compare_expressions(value, q.value, domains=domains_of(q), seed=seed)
    return _verdict(part_id, q, outcome, value, notes)


def _article(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _verdict(part_id: str, q: Quantity, o: Outcome, value, notes=()) -> VerifyResult:
    return VerifyResult(part_id, q.name, q.kind, o.status, o.method, o.what, o.counterexample, o.values, value,
                   tuple(notes))


def verify(part_id: str, answer, *, quantity: str | None = None, seed: int = 0) -> VerifyResult:
    """Check a user's answer to ``part_id`` (LaTeX or plain text, or an option number/letter).

    Raises :class:`AnswerError` (one line, with the position) when the input cannot be read.
    """
    q = choose(part_id, quantity, answer)
    return verify_quantity(q, answer, part_id=part_id, seed=seed)
