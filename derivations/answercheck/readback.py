"""Printed = verified: read a typeset expression back with the answer reader and prove it equal.

:func:`read_back` prints an expression with the course's LaTeX printer
(:func:`derivations.notation.latex`), reads that text with the answer parser over a vocabulary
built from the expression's own symbols, indexed bases and functions, and asks
:func:`derivations.zero.decide` whether the value read is the value printed. A read-back is ``ok``
only when that is *proved*; random points are drawn only to explain a failure. It never raises
and stops at its time limit.

>>> import sympy as sp
>>> x = sp.Symbol("x", real=True)
>>> t = sp.Symbol("t", positive=True)
>>> read_back(sp.exp(-(x - t)**2 / (2 * (1 - t)**2))).ok
True
>>> bad = read_back(sp.Symbol("a") * sp.Symbol("A"), printer=lambda e: "a a")
>>> bad.ok, bad.reason.split(":")[0]
(False, 'the printed line reads as a different value')
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import sympy as sp
from sympy.stats import Expectation
from sympy.stats.rv import RandomSymbol

from derivations.budget import OutOfTime, time_budget
from derivations.symbolic.distributions import Distribution, Mixture, as_mixture
from derivations.symbolic.networks import NetworkJacobianBase, network
from derivations.symbolic.values import entries
from derivations.symbolic.vectors import coordinatewise
from derivations.zero import QUICK, decide

from derivations.answercheck import vectors_read
from derivations.answercheck import measures
from derivations.answercheck.errors import AnswerError
from derivations.answercheck.vocabulary import Vocabulary, applied_functions, is_user_function

#: The hard time limit of one read-back (printing, parsing and the proof), in seconds.
SECONDS = 2.0
#: The longest printed line read back (a derivation step may be longer than any answer a user types).
READ_BACK_CHARS = 20_000


@dataclass(frozen=True)
class ReadBack:
    """The outcome of one read-back: ``ok`` when the printed LaTeX reads back to a value proved
    equal to the expression; otherwise ``reason`` says why, in one line."""

    ok: bool
    printed: str
    reason: str = ""
    method: str = ""
    seconds: float = 0.0

    def to_json(self) -> dict:
        return {"ok": self.ok, "printed": self.printed, "reason": self.reason or None, "method": self.method}


def read_back(expr, *, printer: Callable | None = None, seconds: float = SECONDS) -> ReadBack:
    """Print ``expr`` (with :func:`derivations.notation.latex` unless ``printer`` is given), read the
    text back and prove the value read equal to ``expr``. Never raises."""
    start = time.perf_counter()
    printed = ""
    try:
        with time_budget(seconds) as budget:
            if printer is None:
                from derivations.notation import latex as printer
            printed = printer(expr)
            ok, reason, method = _read_and_prove(expr, printed, start + seconds)
    except OutOfTime:
        ok, reason, method = False, f"the read-back took longer than {seconds:g} s", ""
    except Exception as exc:  # noqa: BLE001 - a read-back reports, it never raises
        ok, reason, method = False, f"internal error: {type(exc).__name__}: {exc}".splitlines()[0][:300], ""
    return ReadBack(ok, printed, reason, method, time.perf_counter() - start)


# --------------------------------------------------------------------------- the steps


def _read_and_prove(expr, printed: str, deadline: float) -> tuple[bool, str, str]:
    from derivations.answercheck.parser import density_of, parse

    target = bound_as_symbols(expr)
    try:
        vocab = vocabulary_of(target)
    except ValueError as exc:
        return False, f"the printed line cannot name every symbol apart: {exc}", ""
    try:
        value = parse(printed, vocab, limit=READ_BACK_CHARS)
    except AnswerError as exc:
        return False, f"the printed line cannot be read: {exc}", ""
    if isinstance(target, (Distribution, Mixture)):
        return _same_distribution(value, as_mixture(target), deadline)
    if isinstance(value, Mixture):
        density = density_of(value)
        if density is None:
            return False, "the printed line reads as a distribution, the expression is not one", ""
        value = density
    return _same_value(value, target, deadline)


def _same_value(value, target, deadline: float) -> tuple[bool, str, str]:
    shape = target.shape if isinstance(target, sp.MatrixBase) else ()
    got = value.shape if isinstance(value, sp.MatrixBase) else ()
    if shape != got:
        return False, f"the printed line reads as {_shape(got)}, the expression is {_shape(shape)}", ""
    methods = []
    for a, b in zip(entries(value), entries(target)):
        method = proved_equal(a, b, deadline)
        if method is None:
            return False, _explain(value, target, deadline), ""
        methods.append(method)
    return True, "", ", ".join(sorted(set(methods)))


def _shape(shape: tuple) -> str:
    return "a scalar" if not shape else f"a {shape[0]}x{shape[1]} matrix"


def proved_equal(a, b, deadline: float) -> str | None:
    """How ``a = b`` was proved (``as written``, ``written out``, or the stages of
    :func:`derivations.zero.decide`), or None. The operators that SymPy would evaluate at length
    (integrals, sums, products, limits, expectations) are not evaluated: each of ``a`` is matched
    with one of ``b`` over the same range whose body is proved equal, and both stand for one symbol."""
    if a == b:
        return "as written"
    a, b = written_out(a), written_out(b)
    if a == b:
        return "written out"
    a, b = _abstracted(a, b, deadline)
    left = deadline - time.perf_counter()
    if left <= 0:
        raise OutOfTime
    decision = decide(coordinatewise(a - b), stages=QUICK, sums=False, seconds=left)
    return decision.method


OPERATORS = (sp.Integral, sp.Sum, sp.Product, sp.Limit, Expectation, *measures.MEASURES)


def _outermost(expr) -> list:
    """The operators of ``expr`` not inside another operator, in order."""
    if isinstance(expr, OPERATORS):
        return [expr]
    if not isinstance(expr, sp.Basic) or expr.is_Atom:
        return []
    return [op for arg in expr.args for op in _outermost(arg)]


def _ranges(op) -> tuple:
    if isinstance(op, measures.MEASURES):
        return ()  # compared argument by argument (measures.same_measure)
    if isinstance(op, Expectation):
        return op.args[1:]
    if isinstance(op, sp.Limit):
        return tuple(op.args[1:])
    return tuple(op.limits)


def _abstracted(a, b, deadline: float):
    """``a`` and ``b`` with each operator of ``a`` that matches one of ``b`` replaced, in both, by
    one new symbol."""
    mine, theirs = _outermost(a), _outermost(b)
    if not mine or not theirs:
        return a, b
    swap_a, swap_b, used = {}, {}, set()
    for k, u in enumerate(mine):
        for m, v in enumerate(theirs):
            if m in used or type(u) is not type(v) or _ranges(u) != _ranges(v):
                continue
            if measures.same_measure(u, v, lambda a, b: proved_equal(a, b, deadline)) \
                    if isinstance(u, measures.MEASURES) else proved_equal(u.args[0], v.args[0], deadline) is not None:
                # an unknown function of the operator's free symbols: a derivative of it stays one
                free = sorted((s for s in u.free_symbols if isinstance(s, sp.Symbol)), key=str)
                stand_in = sp.Function(f"_operator{k}")(*free) if free else sp.Dummy(f"operator{k}")
                swap_a[u], swap_b[v] = stand_in, stand_in
                used.add(m)
                break
    return a.xreplace(swap_a), b.xreplace(swap_b)


def _same_distribution(value, target: Mixture, deadline: float) -> tuple[bool, str, str]:
    if not isinstance(value, Mixture):
        return False, "the printed line reads as an expression, the distribution is not one", ""
    if len(value.components) != len(target.components):
        return False, (f"the printed line reads as {len(value.components)} components, the distribution has "
                       f"{len(target.components)}"), ""
    methods = []
    for k, (u, r) in enumerate(zip(value.components, target.components), start=1):
        if u.family != r.family or (u.over is None) != (r.over is None):
            return False, f"component {k} reads as another family", ""
        pairs = [(u.weight, r.weight), *zip(u.params, r.params)]
        for a, b in pairs:
            ok, reason, method = _same_value(a, b, deadline)
            if not ok:
                return False, f"component {k}: {reason}", ""
            methods.append(method)
    return True, "", ", ".join(sorted(set(methods)))


def _explain(value, target, deadline: float) -> str:
    """Why the two differ: a point where they do (sums over a symbolic size taken over 3 terms),
    or that SymPy could not prove them equal."""
    from derivations.answercheck.compare import _size_symbols
    from derivations.points import at_points

    unproved = "SymPy could not prove the value read equal to the expression"
    if deadline - time.perf_counter() < 0.3:
        return unproved
    try:
        sizes = {s: 3 for v in (value, target) for s in _size_symbols(v)}
        a, b = (written_out(v.subs(sizes) if sizes else v) for v in (value, target))
        found = at_points(a, b, "=", max_examples=20)
    except OutOfTime:
        raise
    except Exception:  # noqa: BLE001 - only an explanation
        return unproved
    if found.counterexample is not None:
        point = ", ".join(f"{k} = {v:.6g}" if isinstance(v, float) else f"{k} = {v}"
                          for k, v in {**{str(s): 3 for s in sizes}, **found.counterexample}.items())
        return (f"the printed line reads as a different value: at {point} it is {found.values[0]}, "
                f"the expression {found.values[1]}")
    if found.agreed:
        return f"{unproved} (they agree at {found.agreed} points)"
    return unproved


# --------------------------------------------------------------------------- helpers


def bound_as_symbols(expr):
    """``expr`` with its Dummy symbols (the bound indices of a sum, say) replaced by Symbols of the
    same name and assumptions, where no other symbol has that name: the printed line names them so."""
    if isinstance(expr, (Distribution, Mixture)) or not isinstance(expr, (sp.Basic, sp.MatrixBase)):
        return expr
    atoms = expr.atoms(sp.Symbol) if isinstance(expr, sp.Basic) else set().union(*(e.atoms(sp.Symbol) for e in expr))
    dummies = [s for s in atoms if isinstance(s, sp.Dummy)]
    if not dummies:
        return expr
    names = {s.name for s in atoms if not isinstance(s, sp.Dummy)}
    swap = {d: sp.Symbol(d.name, **d.assumptions0) for d in dummies if d.name not in names}
    return expr.xreplace(swap) if isinstance(expr, sp.Basic) else expr.applyfunc(lambda e: e.xreplace(swap))


def _parts(expr) -> list:
    if isinstance(expr, (Distribution, Mixture)):  # a parameter may be a matrix (a mean, an atom): its entries
        return [y for c in as_mixture(expr).components for x in (c.weight, *c.params, *(c.over or ()))
                for y in (entries(x) if isinstance(x, sp.MatrixBase) else (x,))]
    return entries(expr)


def vocabulary_of(expr) -> Vocabulary:
    """The symbols, random symbols, indexed bases and undefined functions of ``expr``, with the
    arities and index counts it uses: what its printed line may name."""
    objs, arity, ranks, counts = [], {}, {}, {}
    for part in _parts(expr):
        if not isinstance(part, sp.Basic):
            continue
        bases = {ix.base for ix in part.atoms(sp.Indexed)} | measures.bare_bases(part)  # x of q(z | x), x in R^d
        outside = _symbols_outside_indexed(part)
        for ix in sorted(part.atoms(sp.Indexed), key=sp.default_sort_key):  # the same index in every run
            ranks.setdefault(ix.base, ix.indices)
            counts.setdefault(ix.base, set()).add(len(ix.indices))
        for b in sorted(bases, key=str):
            if b not in objs:
                objs.append(b)
        randoms = part.atoms(RandomSymbol)
        inner = {r.symbol for r in randoms}  # the name a random symbol carries is not a symbol of its own
        for s in sorted(outside, key=str):
            if s not in inner and s not in objs:
                objs.append(s)
        for r in sorted(randoms, key=str):
            if r not in objs:
                objs.append(r)
        for applied in sorted(applied_functions(part), key=str):
            for func, args in ((applied.func, applied.args), *_network_of(applied)):
                arity.setdefault(func, args)
                if func not in objs:
                    objs.append(func)
    vocab = Vocabulary(objs, arity=arity, indices=ranks, more_ranks=counts)
    measures.annotate(vocab, _parts(expr))  # what a printed line leaves to the context: laws, points
    vectors_read.note_vectors(vocab, [p for p in _parts(expr) if isinstance(p, sp.Basic)])
    return vocab


def _network_of(applied) -> tuple:
    """A Jacobian entry's line names its network (the derivative of NN(x)_a in x_j): the network
    with its arguments ``(j, parameter, point)``, or nothing for any other function."""
    if not isinstance(applied, NetworkJacobianBase):
        return ()
    j, _, parameter, point = applied.args
    return ((network(applied.func.network_name), (j, parameter, point)),)


def _symbols_outside_indexed(expr) -> set:
    """The symbols of ``expr``, counting the label of an indexed base x[i] only where x also
    appears on its own (then x is a symbol of its own as well), and the indices of x[i] always."""
    return {e for e in vectors_read.outside_entries(expr) if isinstance(e, sp.Symbol)}


def written_out(value):
    """``value`` with the unevaluated functions of the sections and the toolkit (a density, a
    sigmoid, a logistic) written out as the formulas they stand for."""
    if isinstance(value, sp.MatrixBase):
        return value.applyfunc(written_out)
    if not isinstance(value, sp.Basic):
        return value

    def writable(e) -> bool:
        module = type(e).__module__ or ""  # an undefined function's class has none
        return isinstance(e, sp.Function) and module and not module.startswith("sympy") and (
            "doit" in vars(type(e)) or hasattr(type(e), "_eval_rewrite_as_exp"))

    def write(e):
        kind = type(e)
        if "doit" in vars(kind):
            return e.doit(deep=False)
        return e.rewrite(sp.exp)

    for _ in range(4):
        found = value.atoms(sp.Function)
        if not any(writable(f) for f in found):
            break
        value = value.replace(writable, write)
    # a sum or product over numbers only is written out term by term (the reader does the same)
    return value.replace(lambda e: isinstance(e, (sp.Sum, sp.Product)) and all(
        lo.is_Integer and hi.is_Integer and hi - lo < 50 for _, lo, hi in e.limits), lambda e: e.doit())


__all__ = ["ReadBack", "SECONDS", "bound_as_symbols", "is_user_function", "read_back", "vocabulary_of",
           "written_out"]
