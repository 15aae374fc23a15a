"""Is the user's answer the reference answer? Symbolic proof first, then random points.

``correct`` means SymPy reduced the difference to zero (targeted simplifications within a time
budget); ``correct (numerically)`` means both sides agreed at many points Hypothesis drew across
signs and scales (:func:`derivations.points.at_points`, with its absolute and relative
tolerance); ``incorrect`` comes with the shrunk point where they differ and both values there.

>>> import sympy as sp
>>> a = sp.Symbol("alphabar_t", positive=True)
>>> compare_expressions(sp.sqrt(1 - a)**2, 1 - a).status.verdict
'correct'
>>> bad = compare_expressions(1 - a, sp.sqrt(1 - a), domains={a: sp.Interval.open(0, 1)})
>>> bad.status.verdict, sorted(bad.counterexample)
('incorrect', ['alphabar_t'])
"""

from __future__ import annotations

import functools
import itertools
import random
import zlib
from dataclasses import dataclass, replace
from typing import Any

import sympy as sp

from derivations.budget import OutOfTime, time_budget
from derivations.symbolic.distributions import FAMILY_NAMES, Component, Mixture, PointMass
from derivations.answercheck.errors import AnswerError
from derivations.answercheck.measures import as_integrals
from derivations.answercheck.vocabulary import unknown_functions
from derivations.points import at_points
from derivations.status import Status
from derivations.symbolic.values import as_expr, entries
from derivations.zero import QUICK, SLOW, decide

# verify's verdicts are the statuses of the chain checker, said in verify's words (Status.verdict)
CORRECT = Status.PROVED
NUMERIC = Status.CHECKED
INCORRECT = Status.FAILED
UNDECIDED = Status.UNDECIDED  # neither proved nor refuted: the points could not be evaluated

SYMBOLIC_SECONDS = 3.0  # budget of the symbolic proof of one comparison
NUMERIC_EXAMPLES = 120  # random points per numeric comparison
QUADRATURE_EXAMPLES = 25  # fewer when an integral is left to numerical quadrature at each point
NUMERIC_SECONDS = 20.0  # budget of the numeric comparison (a backstop: parsing limits come first)
CONCRETE_SIZES = (1, 2, 3)  # sizes n of a data set tried when a sum runs to a symbolic n
_ENTRY_MATCH_TOL = 1e-7


@dataclass(frozen=True)
class Outcome:
    """The verdict on one comparison; ``what`` names the part that differs (e.g. "the mean")."""

    status: Status
    method: str
    what: str = ""
    counterexample: dict | None = None
    values: tuple | None = None  # (yours, reference) at the counterexample

    @property
    def correct(self) -> bool:
        return self.status in (CORRECT, NUMERIC)


# --------------------------------------------------------------------------- expressions


def _shape(value) -> tuple:
    return value.shape if isinstance(value, sp.MatrixBase) else ()


def _shape_name(shape: tuple) -> str:
    if not shape:
        return "a scalar"
    rows, cols = shape
    return f"a {rows}-vector" if cols == 1 else f"a {rows}x{cols} matrix"


def prove_equal(user: Any, ref: Any, *, seconds: float = SYMBOLIC_SECONDS, stages: str = "quick slow",
                domains: dict | None = None) -> str | None:
    """The simplification that reduced every entry of ``user - ref`` to zero, or None.

    ``stages`` chooses the quick forms (doit, expand, cancel, powsimp) and/or the slow ones
    (expand_log, radsimp, simplify) of :mod:`derivations.zero`; ``domains`` are built into the
    assumptions when the difference does not vanish without them."""
    chosen = tuple(s for name in stages.split() for s in {"quick": QUICK, "slow": SLOW}[name])
    if _shape(user) != _shape(ref):
        return None
    diff = sp.Matrix(user) - sp.Matrix(ref) if _shape(user) else as_expr(user) - as_expr(ref)
    return decide(diff, stages=chosen, sums=False, domains=domains, seconds=seconds).method


def _one_line_errors(compare):
    """A comparison SymPy cannot carry out is the answer's problem, said in one line (never a traceback)."""
    @functools.wraps(compare)
    def guarded(*args, **kwargs):
        try:
            return compare(*args, **kwargs)
        except (AnswerError, OutOfTime, KeyboardInterrupt):
            raise
        except RecursionError:
            raise AnswerError("the answer is nested too deeply to be compared") from None
        except Exception as exc:  # noqa: BLE001 - SymPy raises anything on an answer it cannot handle
            message = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
            raise AnswerError(f"the answer could not be compared with the reference ({message})") from None
    return guarded


@_one_line_errors
def compare_expressions(user: Any, ref: Any, *, domains=None, seed: int = 0, what: str = "") -> Outcome:
    """Compare two expressions (or matrices) under the reference's domains."""
    user, ref = as_integrals(user), as_integrals(ref)  # E_q[f] and KL(q || p) as the integrals they are
    if _shape(user) != _shape(ref):
        return Outcome(INCORRECT, "shape", what or "the shape",
                       values=(_shape_name(_shape(user)), _shape_name(_shape(ref))))
    method = prove_equal(user, ref, stages="quick", seconds=SYMBOLIC_SECONDS / 2, domains=domains)
    if method is not None:
        return Outcome(CORRECT, method, what)
    # points first: a wrong answer is refuted in milliseconds, and only an answer that agrees
    # everywhere is worth the expensive simplifications
    numeric = _numeric(user, ref, domains or {}, seed, what)
    if not numeric.correct:
        return numeric
    method = prove_equal(user, ref, stages="slow", domains=domains)
    return Outcome(CORRECT, method, what) if method is not None else numeric


def size_trials(symbols) -> list:
    """Values for the sizes of data sets (the n of a sum to n, the K of a sum to K): each trial gives
    each size its own value, so that n and K are never equal in every trial."""
    ordered = sorted(symbols, key=str)
    return [{s: CONCRETE_SIZES[(trial + k) % len(CONCRETE_SIZES)] for k, s in enumerate(ordered)}
            for trial in range(len(CONCRETE_SIZES))]


def _numeric(user, ref, domains, seed: int, what: str) -> Outcome:
    symbols = _size_symbols(user) | _size_symbols(ref)
    sizes = size_trials(symbols) if symbols else (None,)
    agreed = 0
    for size in sizes:
        try:
            with time_budget(NUMERIC_SECONDS):
                u, r, doms, fixed = concretize(user, ref, domains, size)
        except OutOfTime:
            raise AnswerError(f"the answer could not be evaluated within {NUMERIC_SECONDS:g} s") from None
        doms = element_domains((u, r), doms)
        if not any(as_expr(e).free_symbols for v in (u, r) for e in entries(v)):
            same, shown = _constant_pair(u, r)  # e.g. both sides with a single data point
            if not same:
                return Outcome(INCORRECT, "numeric: counterexample found", what, fixed, shown)
            agreed += 1
            continue
        r = _real_guard(r)
        examples = NUMERIC_EXAMPLES if not any(_has_integral(v) for v in (u, r)) else QUADRATURE_EXAMPLES
        try:
            with time_budget(NUMERIC_SECONDS):
                found = at_points(u, r, "=", domains=doms, seed=seed, max_examples=examples)
        except OutOfTime:
            raise AnswerError(f"the answer could not be evaluated within {NUMERIC_SECONDS:g} s") from None
        if found.status is Status.FAILED:
            if found.counterexample is None:  # no point could be evaluated: nothing was shown either way
                return Outcome(UNDECIDED, found.method.removeprefix("numeric: "), what)
            return Outcome(INCORRECT, found.method, what, {**fixed, **found.counterexample}, found.values)
        agreed += found.agreed
    scope = f" (data sets of sizes {', '.join(_sizes_text(t) for t in sizes)})" if sizes != (None,) else ""
    functions = sorted({f.func.__name__ for v in (user, ref) for e in entries(v) for f in unknown_functions(e)})
    if functions:
        scope += f"; {', '.join(functions)} replaced by test functions {TEST_FUNCTION}"
    return Outcome(NUMERIC, f"numeric: agreed at {agreed} random points{scope}", what)


def _sizes_text(trial: dict) -> str:
    values = [str(v) for _, v in sorted(trial.items(), key=lambda p: str(p[0]))]
    return values[0] if len(values) == 1 else "(" + ", ".join(values) + ")"


def _constant_pair(u, r) -> tuple[bool, tuple]:
    """Compare two expressions without free symbols at 50 digits: (equal?, shown values)."""
    a = [complex(sp.N(e, 50)) for e in entries(u)]
    b = [complex(sp.N(e, 50)) for e in entries(r)]
    same = all(abs(x - y) <= 1e-12 + 1e-9 * max(abs(x), abs(y)) for x, y in zip(a, b))

    def show(values):
        parts = [f"{v.real:.10g}" if v.imag == 0 else f"{v:.10g}" for v in values]
        return parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    return same, (show(a), show(b))


# --------------------------------------------------------------------------- sums over a data set


def _real_guard(value):
    """The reference, made undefined (NaN) wherever it is not real: such points lie outside its
    domain (log(n_1/(n - n_1)) needs n_1 < n) and are skipped instead of compared."""
    def guard(e):
        e = as_expr(e)
        leaves = e.has(sp.log) or any(p.exp.is_number and not p.exp.is_integer for p in e.atoms(sp.Pow))
        return sp.Piecewise((e, sp.Eq(sp.im(e), 0)), (sp.nan, True)) if leaves else e
    return value.applyfunc(guard) if isinstance(value, sp.MatrixBase) else guard(value)


def _has_integral(value) -> bool:
    return any(e.has(sp.Integral) for e in entries(value))


def _size_symbols(value) -> set:
    """Symbols that bound a sum (the n of \\sum_{i=1}^n) and so must be made concrete."""
    out = set()
    for e in entries(value) if not isinstance(value, Mixture) else []:
        for s in e.atoms(sp.Sum):
            for _, lo, hi in s.limits:
                out |= as_expr(lo).free_symbols | as_expr(hi).free_symbols
    return out


def _free_indices(value) -> set:
    """Integer symbols that pick a data point (the i of x^{(i)}) outside any sum over them."""
    out = set()
    for e in entries(value):
        for item in e.atoms(sp.Indexed):
            if len(item.indices) == 1:
                out |= {s for s in item.free_symbols & e.free_symbols if s.is_integer and isinstance(s, sp.Symbol)}
    return out


def _element_symbol(item: sp.Indexed) -> sp.Symbol:
    base = item.base
    assumptions = {k: v for k, v in base.assumptions0.items() if k in ("real", "positive", "nonnegative")}
    return sp.Symbol(f"{base.label}[{','.join(map(str, item.indices))}]", **assumptions)


TEST_FUNCTION = "exp(c_0 + sum_j (c_j a_j - a_j^2/2))"


def _with_test_functions(value):
    """Replace every undefined function by a fixed smooth positive stand-in (a density, a network).

    Its logarithm is a quadratic whose coefficients are drawn once from the function's name, so
    integrals over a latent variable have closed forms and a wrong formula rarely agrees by chance.
    """
    if not isinstance(value, sp.Basic):
        return value
    for applied in sorted(unknown_functions(value), key=str):
        f = applied.func
        rng = random.Random(zlib.crc32(f.__name__.encode()))
        args = sp.symbols(f"a_0:{len(applied.args)}", real=True)
        coef = [sp.Rational(rng.randint(-90, 90), 100) for _ in range(len(args) + 1)]
        body = sp.exp(coef[0] + sum(c * a - a**2 / 2 for c, a in zip(coef[1:], args)))
        value = value.replace(f, sp.Lambda(args, body))
    return value


def gaussian_integral(integral: sp.Integral):
    """:math:`\\int_{-\\infty}^{\\infty} \\mathrm{poly}(z)\\, e^{a z^2 + b z + c}\\,dz` in closed form
    (Gaussian moments), or None when the integral is not of that form.

    >>> z = sp.Symbol("z", real=True)
    >>> gaussian_integral(sp.Integral(z**2 * sp.exp(-z**2 / 2), (z, -sp.oo, sp.oo)))
    sqrt(2)*sqrt(pi)
    """
    if len(integral.limits) != 1 or len(integral.limits[0]) != 3:
        return None
    var, lo, hi = integral.limits[0]
    if lo != -sp.oo or hi != sp.oo:
        return None
    total = sp.S(0)
    integrand = sp.expand_log(integral.function, force=True)  # log(exp(q)) = q for the test functions
    for term in sp.Add.make_args(sp.expand(sp.powsimp(integrand, combine="exp"))):
        exps = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.exp)]
        exponent = sp.expand(sp.Add(*[e.args[0] for e in exps]))
        rest = sp.Mul(*[f for f in sp.Mul.make_args(term) if not isinstance(f, sp.exp)])
        if not (rest.is_polynomial(var) and exponent.is_polynomial(var)):
            return None
        quadratic = sp.Poly(exponent, var)
        if quadratic.degree() != 2:
            return None
        a, b, c = (quadratic.coeff_monomial(var**k) for k in (2, 1, 0))
        if not (a.is_number and a.is_negative):
            return None
        mu, sd = -b / (2 * a), sp.sqrt(-1 / (2 * a))
        scale = sp.exp(c - b**2 / (4 * a)) * sp.sqrt(sp.pi / -a)
        for (k,), coef in sp.Poly(rest, var).terms():
            moment = sum(sp.binomial(k, j) * mu ** (k - j) * sd**j * sp.factorial2(j - 1)
                         for j in range(0, k + 1, 2))
            total += coef * scale * moment
    return total


def concretize(user, ref, domains: dict, size):
    """Make both sides numbers-only: a symbolic data-set size becomes its value in ``size`` (a
    number for every size symbol, or {symbol: number}), undefined functions become test
    functions, sums, integrals and derivatives are carried out, and indexed entries x[1], x[2] ...
    become plain symbols (with the domain of their base)."""
    sizes = (_size_symbols(user) | _size_symbols(ref)) if size is not None else set()
    subs = {s: size[s] if isinstance(size, dict) else size for s in sizes}
    if size is not None:  # a free index (x^{(i)} outside any sum) points at the last data point
        last = min(subs.values()) if subs else (size if not isinstance(size, dict) else 1)
        subs.update({s: last for s in _free_indices(user) | _free_indices(ref)})

    def concrete(value):
        if isinstance(value, sp.MatrixBase):
            return value.applyfunc(concrete)
        value = as_expr(value)
        if not (subs or value.has(sp.Indexed, sp.Integral, sp.Derivative, sp.Subs, sp.Sum) or unknown_functions(value)):
            return value
        value = _with_test_functions(value.subs(subs))
        value = value.replace(lambda e: isinstance(e, sp.Integral), lambda e: gaussian_integral(e) or e)
        value = value.doit(integrals=False)
        return value.xreplace({it: _element_symbol(it) for it in value.atoms(sp.Indexed)})

    u, r = concrete(user), concrete(ref)
    return u, r, element_domains((u, r), domains), {str(s): v for s, v in sorted(subs.items(), key=lambda p: str(p[0]))}


def element_domains(values, domains: dict) -> dict:
    """``domains`` plus, for an indexed base with a domain (given for the base or for its label, the
    symbol Q of Q[z, i]), the same domain for its entries Q[z,1], Q[z,2] ..."""
    bases = {str(k.label): dom for k, dom in domains.items() if isinstance(k, sp.IndexedBase)}
    bases.update({k.name: dom for k, dom in domains.items() if isinstance(k, sp.Symbol) and k.name not in bases})
    if not bases:
        return domains
    out = dict(domains)
    for value in values:
        for e in entries(value):
            for s in e.free_symbols:
                if "[" in s.name and s.name.split("[")[0] in bases:
                    out[s] = bases[s.name.split("[")[0]]
    return out


# --------------------------------------------------------------------------- distributions


def _probe_value(sym, domain, k: int):
    """A deterministic generic value of ``sym`` for matching mixture components."""
    frac = (0.3719, 0.6143)[k % 2]
    if domain is not None and domain.start.is_finite and domain.end.is_finite:
        return domain.start + frac * (domain.end - domain.start)
    if sym.is_integer:
        return 3 + k
    return 1 + frac if sym.is_nonnegative else -0.7 + 1.9 * frac


def _numbers(value, point) -> list:
    out = []
    for e in entries(value):
        try:
            out.append(complex(as_expr(e).subs(point).doit().evalf(30)))
        except (TypeError, ValueError, ArithmeticError):
            out.append(complex("nan"))
    return out


def _component_signature(c: Component, point) -> list:
    """Numeric (weight, mean, covariance) of a component at a point, as three lists."""
    return [_numbers(c.weight, point), _numbers(c.dist.mean_value(), point), _numbers(c.dist.covariance(), point)]


def _close_lists(a: list, b: list) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= _ENTRY_MATCH_TOL * (1 + max(abs(x), abs(y))) for x, y in zip(a, b))


def _match(user: Mixture, ref: Mixture, domains) -> tuple[list, bool] | None:
    """The pairing of reference components with the user's that agrees on the most parameters
    (weight, mean, covariance) at two generic points, and whether it agrees on all of them."""
    if len(user.components) != len(ref.components) or len(ref.components) > 6:
        return None
    free = set()
    for c in user.components + ref.components:
        for v in (c.weight, c.dist.mean_value(), c.dist.covariance()):
            for e in entries(v):
                free |= as_expr(e).free_symbols
    points = [{s: _probe_value(s, domains.get(s), k) for s in free} for k in range(2)]
    sig_u = [[_component_signature(c, p) for p in points] for c in user.components]
    sig_r = [[_component_signature(c, p) for p in points] for c in ref.components]

    def agree(u: int, r: int) -> int:
        return sum(all(_close_lists(sig_u[u][k][j], sig_r[r][k][j]) for k in range(2)) for j in range(3))

    scores = [[agree(u, r) for r in range(len(ref.components))] for u in range(len(user.components))]
    best = max(itertools.permutations(range(len(ref.components))),
               key=lambda perm: sum(scores[perm[j]][j] for j in range(len(perm))))
    total = sum(scores[best[j]][j] for j in range(len(best)))
    if total == 0:
        return None
    return list(best), total == 3 * len(best)


def _as_point(c: Component) -> Component:
    """A Gaussian whose covariance is identically zero is a point mass."""
    if c.family == "normal" and prove_equal(c.params[1], sp.S(0), seconds=1.0) is not None:
        return replace(c, dist=PointMass(c.params[0]))
    return c


def _matching_cov(u, r):
    """A scalar covariance c stands for c*I: expand it when the other side is a matrix."""
    if isinstance(r, sp.MatrixBase) and not isinstance(u, sp.MatrixBase):
        u = u * sp.eye(r.rows)
    if isinstance(u, sp.MatrixBase) and not isinstance(r, sp.MatrixBase):
        r = r * sp.eye(u.rows)
    return u, r


def _combine(outcomes: list[Outcome]) -> Outcome:
    for wanted in (INCORRECT, UNDECIDED):
        for o in outcomes:
            if o.status == wanted:
                return o
    if all(o.status == CORRECT for o in outcomes):
        return Outcome(CORRECT, "symbolic, every parameter")
    numeric = [o.method for o in outcomes if o.status == NUMERIC]
    return Outcome(NUMERIC, numeric[0] if len(numeric) == 1 else f"{numeric[0]} (and {len(numeric) - 1} more)")


def _compare_component(u: Component, r: Component, domains, seed: int, label: str) -> Outcome:
    outcomes = []
    if u.family == r.family == "uniform":  # the interval itself: its ends name what differs
        pairs = (("the lower end of the interval", u.params[0], r.params[0]),
                 ("the upper end of the interval", u.params[1], r.params[1]))
    else:
        pairs = (("the mean", u.dist.mean_value(), r.dist.mean_value()),
                 ("the covariance", *_matching_cov(u.dist.covariance(), r.dist.covariance())))
    for what, a, b in pairs:
        o = compare_expressions(a, b, domains=domains, seed=seed, what=label + what)
        if not o.correct:
            return o
        outcomes.append(o)
    if u.family != r.family:
        return Outcome(INCORRECT, "family", label + "the family",
                       values=(FAMILY_NAMES[u.family], FAMILY_NAMES[r.family]))
    return _combine(outcomes)


def _expand_over(dist: Mixture) -> Mixture:
    """Write out components summed over a concrete range."""
    out = []
    for c in dist.components:
        if c.over is None:
            out.append(c)
            continue
        i, lo, hi = c.over
        if not (as_expr(lo).is_Integer and as_expr(hi).is_Integer):
            raise ValueError("a symbolic range left after concretizing")
        for j in range(int(lo), int(hi) + 1):
            out.append(Component(as_expr(c.weight).subs(i, j), c.dist.with_params(*(p.subs(i, j) for p in c.params))))
    return Mixture(tuple(out))


def _concrete_dist(dist: Mixture, subs: dict) -> Mixture:
    def concrete(value):
        if isinstance(value, sp.MatrixBase):
            return value.applyfunc(concrete)
        value = as_expr(value).subs(subs).doit()
        return value.xreplace({it: _element_symbol(it) for it in value.atoms(sp.Indexed)})

    comps = tuple(Component(concrete(c.weight), c.dist.with_params(*(concrete(p) for p in c.params)),
                            None if c.over is None else (c.over[0], concrete(c.over[1]), concrete(c.over[2])))
                  for c in dist.components)
    return _expand_over(Mixture(comps))


def _over_symbols(dist: Mixture) -> set:
    out = set()
    for c in dist.components:
        if c.over is not None:
            out |= as_expr(c.over[1]).free_symbols | as_expr(c.over[2]).free_symbols
        for p in (c.weight, *c.params):
            out |= _size_symbols(p)
    return out


@_one_line_errors
def compare_distributions(user: Mixture, ref: Mixture, *, domains=None, seed: int = 0) -> Outcome:
    """Compare two distributions component by component, else by their first two moments."""
    domains = domains or {}
    sizes = _over_symbols(user) | _over_symbols(ref)
    if sizes:
        outcomes = []
        for subs in size_trials(sizes):
            o = compare_distributions(_concrete_dist(user, subs), _concrete_dist(ref, subs),
                                      domains=domains, seed=seed)
            if not o.correct:
                cex = {**{str(s): v for s, v in subs.items()}, **(o.counterexample or {})}
                shown = ", ".join(f"{s} = {v}" for s, v in sorted(subs.items(), key=lambda p: str(p[0])))
                return replace(o, counterexample=cex, what=o.what + f" (with {shown})")
            outcomes.append(o)
        return _combine(outcomes)
    user = Mixture(tuple(_as_point(c) for c in user.components))
    ref = Mixture(tuple(_as_point(c) for c in ref.components))
    if len(user.components) == 1 and len(ref.components) == 1:
        u, r = user.components[0], ref.components[0]
        weight = compare_expressions(u.weight, r.weight, domains=domains, seed=seed, what="the total mass")
        if not weight.correct:
            return weight
        return _compare_component(u, r, domains, seed, "")
    matched = _match(user, ref, domains)
    if matched is not None:
        perm, _ = matched
        outcomes = []
        for j, r in enumerate(ref.components):
            u = user.components[perm[j]]
            label = f"component {perm[j] + 1}: "
            o = compare_expressions(u.weight, r.weight, domains=domains, seed=seed, what=label + "the weight")
            if not o.correct:
                return o
            outcomes.append(o)
            o = _compare_component(u, r, domains, seed, label)
            if not o.correct:
                return o
            outcomes.append(o)
        return _combine(outcomes)
    for what, a, b in (("the total probability", user.total_weight(), ref.total_weight()),
                       ("the mean", user.mean_value(), ref.mean_value()),
                       ("the second moment", *_matching_cov(user.second_moment(), ref.second_moment()))):
        o = compare_expressions(a, b, domains=domains, seed=seed, what=what)
        if not o.correct:
            return o
    return Outcome(INCORRECT, "components", "the mixture components",
                   values=(user.describe(), ref.describe()))

