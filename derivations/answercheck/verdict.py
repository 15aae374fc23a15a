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

import difflib
import functools
import re
import shlex
from dataclasses import dataclass, replace
from typing import Any

import sympy as sp

from derivations.answercheck.compare import (CORRECT, INCORRECT, NUMERIC, UNDECIDED, Outcome, compare_distributions,
                                             compare_expressions)
from derivations.symbolic.distributions import Mixture, as_mixture
from derivations.answercheck import vectors_read
from derivations.answercheck.errors import AnswerError
from derivations.answercheck.lexer import check_text
from derivations.answercheck.parser import density_of, kind_name, parse
from derivations.answercheck.vocabulary import Vocabulary, applied_functions, key_of
from derivations import homeworks
from derivations.answer import KINDS, Choice, Quantity
from derivations.status import Status
from derivations.symbolic.values import as_expr, entries

SHOWN = 240  # characters of a one-line reading shown in a report
#: Exit codes of ``derive verify``: 2 is an answer that cannot be read (or compared at all).
EXIT_CODES = {CORRECT: 0, NUMERIC: 0, INCORRECT: 1, UNDECIDED: 3}
INPUT_ERROR = 2
_CHOICE = re.compile(r"^\s*(?:option|choice|answer)?\s*[\(\[]?\s*([0-9]{1,2}|[a-zA-Z])\s*[\)\]\.]?\s*$", re.IGNORECASE)

#: Answers in words that say yes or no, and the words an option that says so contains. Negative
#: phrases are looked for first ("cannot recover" contains "recover").
NO_WORDS = ("no", "false", "fails", "fail", "failure", "cannot", "can't", "cant", "can not", "won't",
            "does not", "doesn't", "never", "stuck", "stays stuck", "will not", "not recover", "impossible",
            "no chance", "unable")
YES_WORDS = ("yes", "true", "can", "recovers", "recover", "succeeds", "success", "works", "possible",
             "has a chance", "chance", "able", "will")


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of checking one answer: ``outcome`` is proved, checked, failed or undecided, which
    verify says as ``status``: correct, correct (numerically), incorrect or undecided.

    ``what`` names the part that differs ("the mean", "component 2: the covariance"),
    ``counterexample`` the parameter values where the two sides differ (shrunk by Hypothesis) and
    ``values`` the user's and the reference's value there; ``notes`` say how ambiguous pieces of
    the answer were read (a bare ``\\log x y`` is log(x y)); ``readings`` are the verdicts on the
    part's other quantities the answer could also be read as.
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
    readings: tuple = ()
    vectors: tuple = ()  # data points shown as d-vectors in a counterexample: (base name, dimension name)

    @property
    def status(self) -> str:
        """``correct``, ``correct (numerically)``, ``incorrect`` or ``undecided``."""
        return self.outcome.verdict

    @property
    def correct(self) -> bool:
        return self.outcome in (CORRECT, NUMERIC)

    @property
    def exit_code(self) -> int:
        """0 correct, 1 incorrect, 3 undecided (2, an input error, is raised as :class:`AnswerError`)."""
        return EXIT_CODES.get(self.outcome, 1)

    def report(self) -> str:
        """What ``derive verify`` prints."""
        head = f"{self.part_id} [{self.quantity}]: {self.status}"
        if self.outcome == INCORRECT and self.what:
            head += f": {self.what} differs"
        lines = [head] + self._details()
        for other in self.readings:
            if self.correct:
                lines.append(f"  (it could also be read as '{other.quantity}': {other.status} there)")
            else:
                lines.append(f"  as '{other.quantity}': {other.status}"
                             + (f": {other.what} differs" if other.outcome == INCORRECT and other.what else ""))
                lines += ["  " + line for line in other._details(show_answer=False)]
        return "\n".join(lines)

    def _details(self, show_answer: bool = True) -> list[str]:
        lines = []
        if show_answer and self.answer is not None and self.kind != "choice":
            lines += _read_as(self.answer)
        if self.kind == "choice" and self.answer is not None and show_answer:
            lines.append(f"  read as:  {self.answer}")
        lines += [f"  note: {note}" for note in self.notes]
        if self.kind == "choice":
            lines.append("  this answer is correct" if self.correct else "  this answer is not correct")
        elif self.outcome == CORRECT:
            lines.append(f"  SymPy proved the difference is zero ({self.method})")
        elif self.outcome == NUMERIC:
            lines.append(f"  SymPy could not decide; {self.method.removeprefix('numeric: ')}")
        elif self.outcome == UNDECIDED:
            lines.append(f"  neither SymPy nor the random points decided it: {self.method}")
            lines.append("  (is every part of your answer defined for these values, every integral finite?)")
        elif self.counterexample and self.kind != "choice":
            lines.append(f"  counterexample: {_point(self.counterexample, self.vectors)}")
        if self.outcome == INCORRECT and self.values:
            lines.append(f"  yours: {self.values[0]}   reference: {self.values[1]}")
        return lines

    def to_json(self) -> dict:
        out = {"id": self.part_id, "quantity": self.quantity, "kind": self.kind, "status": self.status,
               "correct": self.correct, "exit_code": self.exit_code, "method": self.method,
               "differs": self.what or None, "counterexample": self.counterexample,
               "values": list(self.values) if self.values else None,
               "answer": _one_line(self.answer) if self.answer is not None else None,
               "latex": _latex(self.answer) if self.answer is not None and self.kind != "choice" else None,
               "notes": list(self.notes)}
        if self.readings:
            out["readings"] = [r.to_json() for r in self.readings]
        return out


def _read_as(value) -> list[str]:
    """The answer as read, in the course's notation: one line where the drawing has one."""
    from derivations.notation import pretty

    try:
        drawing = pretty(value).rstrip("\n").splitlines()
    except Exception:  # noqa: BLE001 - a drawing is a courtesy; the plain form always exists
        drawing = [_one_line(value)]
    if len(drawing) == 1:
        shown = drawing[0].strip()
        return [f"  read as:  {shown if len(shown) <= SHOWN else shown[:SHOWN] + ' ...'}"]
    if len(drawing) > 12 or max(len(line) for line in drawing) > 100:
        shown = _one_line(value)
        return [f"  read as:  {shown if len(shown) <= SHOWN else shown[:SHOWN] + ' ...'}"]
    return ["  read as:"] + ["      " + line for line in drawing]


def _one_line(value) -> str:
    from derivations.notation import plain

    if isinstance(value, int):
        return str(value)
    return plain(_flat(value))


def _latex(value):
    from derivations.notation import latex

    try:
        return latex(value)
    except Exception:  # noqa: BLE001
        return None


def _point(counterexample: dict, vectors: tuple) -> str:
    """A counterexample, with data points shown as vectors of d coordinates where the part has d:
    a scalar value v of x[i] stands for the point (v, 0, ..., 0) of R^d."""
    dims = {base: counterexample.get(dim) for base, dim in vectors if isinstance(counterexample.get(dim), int)}
    parts = []
    for k, v in counterexample.items():
        base = k.split("[")[0]
        if base in dims and "[" in k and dims[base] and dims[base] > 1 and isinstance(v, (int, float)):
            parts.append(f"{_shown_name(k)} = ({', '.join([_num(v)] + ['0'] * (dims[base] - 1))})")
        else:
            parts.append(f"{_shown_name(k)} = {_num(v)}")
    return ", ".join(parts)


def _shown_name(key: str) -> str:
    """A counterexample's coordinate in the course's notation (``alphabar_t`` as ᾱₜ); an entry of an
    indexed name (``x[1]``) as it is keyed."""
    if "[" in key or not key.isidentifier():
        return key
    from derivations.notation import pretty

    shown = pretty(sp.Symbol(key))
    return shown if "\n" not in shown else key


def _num(v) -> str:
    return f"{v:.10g}" if isinstance(v, float) else str(v)


def _flat(value):
    return list(value) if isinstance(value, sp.MatrixBase) and value.cols == 1 else value


# --------------------------------------------------------------------------- the part's references


@functools.lru_cache(maxsize=None)
def quantities(part_id: str) -> tuple[Quantity, ...]:
    """The reference answers of ``part_id`` as verify reads them (:func:`as_written`; an
    :class:`AnswerError` if there are none)."""
    registry = homeworks.registry()
    if part_id not in registry.homework.by_id:
        raise AnswerError(f"unknown part '{part_id}' (see derive list)")
    reg = registry.registration(part_id)
    if reg is None:
        raise AnswerError(f"part {part_id} has no answer yet (todo), so there is nothing to compare with")
    try:
        found = tuple(as_written(q) for q in reg.build().quantities)
    except Exception as exc:  # noqa: BLE001 - a part that fails to build is reported, never a traceback
        raise AnswerError(f"part {part_id} could not be built ({type(exc).__name__}: {exc})".splitlines()[0][:300]) \
            from None
    if not found:
        raise AnswerError(f"part {part_id} has no formula, distribution or choice to check against "
                          f"(its answer is {registry.homework.by_id[part_id].kind})")
    return found


def as_written(q: Quantity) -> Quantity:
    """The form of ``q`` that verify reads and compares: its ``written`` form (the answer in vector
    notation, where the value is written by coordinates) under ``q``'s own name, else ``q`` itself."""
    return q if q.written is None else replace(q.written, name=q.name)


def choose(part_id: str, name: str) -> Quantity:
    """The quantity ``name`` of the part: exact, or a unique part of it (else an :class:`AnswerError`
    naming the candidates and the exact ``--quantity`` to pass)."""
    qs = quantities(part_id)
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


def _ambiguity(part_id: str, qs, results: list, answer) -> str:
    """One line: the readings whose verdicts disagree, and the flag for each."""
    flags = " or ".join(f"--quantity {_flag(r_q, qs)}" for r_q, _ in results)
    names = ", ".join(f"{q.name!r} ({r.status})" for q, r in results)
    example = ""
    try:
        text = check_text(answer).strip()
    except AnswerError:
        text = ""
    if text and len(text) <= 60:
        dashes = "-- " if text.startswith("-") else ""  # an answer that looks like an option
        example = f", e.g. derive verify {part_id} --quantity {_flag(results[0][0], qs)} {dashes}{shlex.quote(text)}"
    return (f"part {part_id} has {len(qs)} quantities and this answer fits {len(results)} of them with different "
            f"verdicts ({names}); choose one with {flags}{example}")


def _flag(q: Quantity, qs) -> str:
    """The shortest leading words of ``q``'s name that select it alone (else its whole name), quoted."""
    words = q.name.split()
    for k in range(1, len(words)):
        prefix = " ".join(words[:k])
        if [other for other in qs if prefix.lower() in other.name.lower()] == [q]:
            return shlex.quote(prefix)
    return shlex.quote(q.name)


def _readings(part_id: str, qs, text: str) -> tuple[list[tuple[Quantity, Any, list]], list[tuple[Quantity, AnswerError]]]:
    """The quantities an answer can be read as (a choice, a distribution or an expression), each with
    the answer as read for it and its notes; and the error of reading it for each of the others."""
    choices = [q for q in qs if q.kind == "choice"]
    if choices and (_CHOICE.match(text) or not _looks_like_math(text)):  # "b", "(2)", "it fails"
        out, errors = [], []
        for q in choices:
            try:
                out.append((q, parse_choices(text, q.value), []))
            except AnswerError as exc:
                errors.append((q, exc))
        if out or not any(q.kind != "choice" for q in qs):
            return out, errors
    out, errors = [], []
    for q in qs:
        if q.kind == "choice":
            continue
        notes: list[str] = []
        try:
            value = parse(text, vocabulary(q), dict(q.defined), notes)
        except AnswerError as exc:
            errors.append((q, exc.with_context(text=text)))
            continue
        as_distribution = isinstance(value, Mixture) and (q.kind == "distribution" or density_of(value) is None)
        if as_distribution == (q.kind == "distribution"):
            out.append((q, value, notes))
        else:
            errors.append((q, AnswerError(_kind_mismatch(part_id, q, value))))
    return out, errors


def _looks_like_math(text: str) -> bool:
    return bool(re.search(r"[\\^_=+*/()\[\]{}]|\d", text))


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


def domains_of(q: Quantity, part_id: str | None = None) -> dict:
    """Where the quantity's symbols are drawn: its domains, those of the symbols a student may write
    by mistake, and (a symbol means one thing throughout a part) the domain a sibling quantity of
    the same part gives a symbol this one leaves open."""
    out = {**dict(q.mistakable)}
    if part_id is not None:
        try:
            siblings = quantities(part_id)
        except AnswerError:
            siblings = ()
        for other in siblings:
            for sym, dom in other.domains.items():
                out.setdefault(sym, dom)
    out.update(dict(q.domains))
    return out


def vocabulary(q: Quantity) -> Vocabulary:
    """The quantity's declared symbols, plus any symbol of its value it forgot to declare (bound ones
    too: the z of an evaluation at z = g) and the symbols a student may write by mistake, with the
    shapes the parser needs (vector length, function arities, index counts)."""
    exprs = _reference_exprs(q.value)
    objs = list(q.symbols)
    keys = {key_of(o) for o in objs}
    indexed_labels = {ix.base.label for e in exprs for item in entries(e) for ix in item.atoms(sp.Indexed)}
    bound = _bound(exprs) - indexed_labels - _free(exprs) - set(q.symbols)
    for extra in sorted(_free(exprs), key=str) + sorted(bound, key=str) + list(q.mistakable):
        if extra not in objs and key_of(extra) not in keys:
            objs.append(extra)
            keys.add(key_of(extra))
    dims = {e.rows for e in exprs if isinstance(e, sp.MatrixBase) and e.cols == 1}
    arity, ranks, ranges, counts = {}, {}, {}, {}
    for e in exprs:
        for item in entries(e):
            for applied in sorted(applied_functions(item), key=str):
                arity.setdefault(applied.func, applied.args)
            for ix in sorted(item.atoms(sp.Indexed), key=sp.default_sort_key):  # the same index in every run
                ranks.setdefault(ix.base, ix.indices)
                counts.setdefault(ix.base, set()).add(len(ix.indices))
            for total in item.atoms(sp.Sum, sp.Product):
                for index, low, high in total.limits:
                    ranges.setdefault(index.name, (low, high))
    vocab = Vocabulary(objs, dim=dims.pop() if len(dims) == 1 else None, arity=arity, indices=ranks,
                       definable=bound, ranges=ranges, more_ranks=counts)
    vectors_read.note_vectors(vocab, [item for e in exprs for item in entries(e)])  # x of p(x), of \int dx
    return vocab


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


def _bound(exprs) -> set:
    """Symbols of a reference that are bound (the variable of an integral, a derivative, an evaluation)."""
    out = set()
    for e in exprs:
        for item in entries(e):
            out |= {s for s in item.atoms(sp.Symbol) if not isinstance(s, sp.Dummy)} - item.free_symbols
    return out


def _vectors(q: Quantity) -> tuple:
    """Data points of ``q`` (a base with one index) that are vectors of d coordinates, where the part
    has an integer d: ((base name, 'd'), ...)."""
    dims = [s for s in q.symbols if isinstance(s, sp.Symbol) and s.name == "d" and s.is_integer]
    if not dims:
        return ()
    bases = {ix.base for e in _reference_exprs(q.value) for item in entries(e) for ix in item.atoms(sp.Indexed)
             if len(ix.indices) == 1}
    return tuple((str(b.label), "d") for b in sorted(bases, key=str))


# --------------------------------------------------------------------------- choices


def parse_choice(text: str, choice: Choice | None = None) -> int:
    """The option an answer names: its number or letter (``2``, ``(b)``), one of the choice's
    ``words``, an answer in words that says yes or no when the options do (``fails``, ``cannot
    recover``, ``yes``), or words that appear in one option only."""
    m = _CHOICE.match(text)
    if m:
        token = m.group(1)
        number = int(token) if token.isdigit() else ord(token.lower()) - ord("a") + 1
        if number < 1:
            raise AnswerError("options are numbered from 1 (or lettered from a)")
        return number
    if choice is None:
        raise AnswerError(f"a choice is answered with the option's number or letter (1, 2, 3 or a, b, c); "
                          f"got {text.strip()[:40]!r}")
    said = {"y": "yes", "n": "no"}.get(_words(text), _words(text))
    for word, option in choice.words.items():
        if _words(word) == said:
            return option
    polarity = _polarity(said)
    if polarity is not None:
        options = [k for k, option in enumerate(choice.options, start=1) if _polarity(_words(option)) == polarity]
        if len(options) == 1:
            return options[0]
    matching = [k for k, option in enumerate(choice.options, start=1) if said and said in _words(option)]
    if len(matching) == 1:
        return matching[0]
    close = sorted(((_likeness(text, option), k) for k, option in enumerate(choice.options, start=1)), reverse=True)
    if close and close[0][0] >= 0.6 and (len(close) == 1 or close[0][0] - close[1][0] >= 0.05):
        return close[0][1]  # "point mass at F^{-1}(z)" for "a point mass at $x = F^{-1}(z)$"
    meanings = "; ".join(f"{k} ({chr(ord('a') + k - 1)}): {_plain_option(o)}" for k, o in enumerate(choice.options, 1))
    raise AnswerError(f"cannot tell which option {text.strip()[:40]!r} chooses; answer with an option's number or "
                      f"letter, or in words ({meanings})")


_SET_WORDS = re.compile(r"\\[{}]|[{}()\[\]]|\\mathrm|\\text|\\quad|\\,|\b(?:both|options?|choices?|answers?)\b", re.IGNORECASE)
_SET_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bor\b|\s)\s*", re.IGNORECASE)


def parse_choices(text: str, choice: Choice | None = None) -> frozenset:
    """The options an answer names: one, as :func:`parse_choice` reads it, or several written as a
    set or a list (``{1, 2}``, ``1 and 2``, ``both (a) and (b)``).

    >>> sorted(parse_choices(r"\\{1, 2\\}")), sorted(parse_choices("both a and b")), sorted(parse_choices("2"))
    ([1, 2], [1, 2], [2])
    """
    tokens = [t for t in _SET_SPLIT.split(_SET_WORDS.sub(" ", text).strip()) if t]
    if len(tokens) > 1 and all(re.fullmatch(r"[0-9]{1,2}|[a-zA-Z]", t) for t in tokens):
        return frozenset(parse_choice(t, choice) for t in tokens)
    return frozenset({parse_choice(text, choice)})


def _options(chosen) -> str:
    """``option 2`` or ``options 1 and 2``."""
    ks = sorted(chosen)
    return f"option {ks[0]}" if len(ks) == 1 else "options " + ", ".join(map(str, ks[:-1])) + f" and {ks[-1]}"


def _likeness(answer: str, option: str) -> float:
    """How alike an answer in words and an option's text are (0 to 1), math and spacing aside."""
    def squeeze(text: str) -> str:
        return re.sub(r"[\s$\\{}]|mathcal|left|right", "", text.lower())
    return difflib.SequenceMatcher(None, squeeze(answer), squeeze(option)).ratio()


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("’", "'")).split())


def _polarity(words: str):
    """True for an answer (or option) that says yes, False for one that says no, else None."""
    padded = f" {words} "
    if any(f" {w} " in padded for w in NO_WORDS):
        return False
    if any(f" {w} " in padded for w in YES_WORDS):
        return True
    return None


def _plain_option(option: str) -> str:
    from derivations.notation import unicode_text

    return unicode_text(option)


def choice_help(choice: Choice) -> list[str]:
    """What each option of a choice says, for ``derive verify ID --help``."""
    lines = [f"      {k} ({chr(ord('a') + k - 1)}): {_plain_option(o)}" for k, o in enumerate(choice.options, start=1)]
    words = ", ".join(f"'{w}' for {k}" for w, k in choice.words.items())
    extra = f" ({words})" if words else ""
    yes_no = any(_polarity(_words(o)) is not None for o in choice.options)
    lines.append("      answer with the option's number or letter" + (", or in words: yes/no, fails, can recover ..."
                                                                       if yes_no else "") + extra)
    return lines


# --------------------------------------------------------------------------- checking an answer


def _kind_mismatch(part_id: str, q: Quantity, value) -> str:
    if q.kind == "distribution":
        return (f"part {part_id} asks for a distribution ('{q.name}', such as \\mathcal{{N}}(mean, cov)), but the "
                f"answer is {_article(kind_name(value))}")
    return (f"part {part_id} asks for an expression ('{q.name}'), but the answer is a distribution (write a "
            "density as N(x; mean, variance) with x a symbol of the part)")


def verify_quantity(q: Quantity, answer, *, part_id: str = "?", seed: int = 0, value=None,
                    notes: list | None = None) -> VerifyResult:
    """Check ``answer`` (text or UTF-8 bytes) against one reference quantity (``value``: the answer
    already read for it)."""
    text = check_text(answer)
    if q.kind not in KINDS:
        raise ValueError(f"quantity {q.name} has kind {q.kind!r}, not one of {KINDS}")
    if q.kind == "choice":
        chosen = (frozenset({value}) if isinstance(value, int) else value if isinstance(value, frozenset)
                  else parse_choices(text, q.value))
        if max(chosen) > len(q.value.options):
            raise AnswerError(f"part {part_id} has options 1 to {len(q.value.options)} (a to "
                              f"{chr(ord('a') + len(q.value.options) - 1)}), got {max(chosen)}")
        ok = chosen <= q.value.correct
        notes = tuple(_choice_notes(chosen, q.value.correct))
        return VerifyResult(part_id, q.name, q.kind, CORRECT if ok else INCORRECT, "choice",
                            "" if ok else "the option", values=None, answer=_options(chosen), notes=notes)
    notes = list(notes or [])
    if value is None:
        vocab = vocabulary(q)
        try:
            value = parse(text, vocab, dict(q.defined), notes)
        except AnswerError as exc:
            raise exc.with_context(text=text, accepted=vocab.accepted() if "unknown" in exc.message else "") from None
    domains = domains_of(q, part_id if part_id != "?" else None)
    if q.kind == "distribution":
        if not isinstance(value, Mixture):
            raise AnswerError(_kind_mismatch(part_id, q, value))
        outcome = compare_distributions(value, as_mixture(q.value), domains=domains, seed=seed)
    else:
        if isinstance(value, Mixture):
            density = density_of(value)  # (1/n) sum_i N(x; t x^(i), (1-t)^2 I) as the density at x
            if density is None:
                raise AnswerError(_kind_mismatch(part_id, q, value))
            value = density
        outcome = compare_expressions(value, q.value, domains=domains, seed=seed)
    return _verdict(part_id, q, outcome, value, notes)


def _choice_notes(chosen, correct) -> list[str]:
    """What a reader of a choice's verdict needs besides right or wrong: the correct options a right
    answer left out (a question read two ways), the options of a wrong one that are not correct."""
    if chosen <= correct:
        left = correct - chosen
        return [f"{_options(left)} {'is' if len(left) == 1 else 'are'} correct as well (the question can be "
                "read more than one way)"] if left else []
    wrong = chosen - correct
    return [f"{_options(wrong)} {'is' if len(wrong) == 1 else 'are'} not correct"]


def _article(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _verdict(part_id: str, q: Quantity, o: Outcome, value, notes=()) -> VerifyResult:
    return VerifyResult(part_id, q.name, q.kind, o.status, o.method, o.what, o.counterexample, o.values, value,
                        tuple(notes), vectors=_vectors(q))


def verify(part_id: str, answer, *, quantity: str | None = None, seed: int = 0) -> VerifyResult:
    """Check a user's answer to ``part_id`` (LaTeX or plain text, an option's number or letter, or
    an option in words).

    With several quantities and no ``quantity``, the answer is compared with each quantity it can be
    read as: correct if it is right for one of them (named), incorrect if it is wrong for all (each
    said), and an :class:`AnswerError` asking for ``--quantity`` only when the readings disagree
    otherwise. Raises :class:`AnswerError` (one line, with the position) when the input cannot be read.
    """
    qs = quantities(part_id)
    if quantity is not None:
        return verify_quantity(choose(part_id, quantity), answer, part_id=part_id, seed=seed)
    if len(qs) == 1:
        return verify_quantity(qs[0], answer, part_id=part_id, seed=seed)
    text = check_text(answer)
    readings, errors = _readings(part_id, qs, text)
    if not readings:
        raise _best_error(qs, errors)
    results = [(q, verify_quantity(q, text, part_id=part_id, seed=seed, value=value, notes=notes))
               for q, value, notes in readings]
    correct = [r for _, r in results if r.correct]
    if correct:
        primary = correct[0]
    elif all(r.outcome == INCORRECT for _, r in results):
        primary = results[0][1]
    elif len(results) == 1:
        primary = results[0][1]
    else:
        raise AnswerError(_ambiguity(part_id, qs, results, text))
    others = tuple(r for _, r in results if r is not primary)
    return replace(primary, readings=others)


def _best_error(qs, errors: list) -> AnswerError:
    """The error of the reading that got furthest into the answer (its real problem), saying which
    quantity it was read as when the readings failed differently."""
    if not errors:
        return AnswerError("the answer could not be read")
    lines = {e.line() for _, e in errors}
    q, best = max(errors, key=lambda pair: (pair[1].position or -1, -len(pair[1].line())))
    if len(lines) == 1 or len(qs) == 1:
        return best
    return AnswerError(f"{best.message} (read as '{q.name}'; --quantity names another)", position=best.position,
                       text=best.text, accepted=best.accepted)
