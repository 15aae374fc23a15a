"""Targeted simplifications ("hints") a derivation step hands to the zero-decider, shared by every section.

A hint is a function of the difference of a step's two sides that preserves its value and brings it
closer to a form SymPy recognises as 0. Each is small and says what it assumes.

>>> import sympy as sp
>>> from derivations.symbolic.gaussian import GaussianDensity
>>> x, m = sp.symbols("x m", real=True)
>>> a, b = sp.symbols("a b", positive=True)
>>> expand_logs(sp.log(a * b**2) - sp.log(a) - 2 * sp.log(b))
0
>>> exp_normal_form(sp.exp(a + b) - sp.exp(a) * sp.exp(b))
0
>>> explicit(GaussianDensity(x, m, 1)) == GaussianDensity(x, m, 1).doit()
True
>>> i, n = sp.symbols("i n", integer=True, positive=True)
>>> X = sp.IndexedBase("X")
>>> tidy_sums(sp.Sum(3 * X[i], (i, 1, n)) - 3 * sp.Sum(X[i], (i, 1, n)))
0
"""

from __future__ import annotations

import sympy as sp

from derivations.symbolic.functions import Sigmoid
from derivations.symbolic.gaussian import GaussianDensity


def explicit(expr):
    """Write out every unevaluated density and sigmoid of the toolkit (the first move of most hints)."""
    return expr.replace(lambda e: isinstance(e, (GaussianDensity, Sigmoid)), lambda e: e.doit())


def expand_logs(expr):
    """Expand logarithms of products, quotients and powers (every argument is taken as positive:
    densities, variances), then cancel."""
    return sp.cancel(sp.expand(sp.expand_log(explicit(expr), force=True)))


def exp_normal_form(expr):
    """Split every exponential into one factor per term of its (expanded) exponent, in canonical
    form, then cancel: decides identities between products and ratios of Gaussian densities."""
    expr = explicit(expr).rewrite(sp.exp)
    expr = expr.replace(lambda e: isinstance(e, sp.exp),
                        lambda e: sp.Mul(*[sp.exp(sp.cancel(term))
                                           for term in sp.Add.make_args(sp.expand(e.args[0]))]))
    return sp.cancel(sp.together(sp.expand(expr)))


def evaluate_derivatives(expr):
    """Carry out derivatives and substitutions, but leave sums alone (``Sum.doit`` with a symbolic
    bound tries every summation algorithm: slow, and no help in comparing sums term by term)."""
    def carry_out(e):
        if isinstance(e, sp.Subs):  # Subs.doit would also run doit on every sum inside
            return e.expr.subs(dict(zip(e.variables, e.point)))
        return e.expr.diff(*e.variable_count)

    return explicit(expr).replace(lambda e: isinstance(e, (sp.Derivative, sp.Subs)), carry_out)


_BOUND = [sp.Dummy(f"j{h}", integer=True) for h in range(8)]


def _depth(e) -> int:
    """How many sums are nested in ``e`` (0 for an expression without sums)."""
    if isinstance(e, sp.Sum):
        return 1 + _depth(e.function)
    return max((_depth(a) for a in e.args), default=0)


def _one_sum(f, limit):
    """:math:`\\sum_v f` with sums split over terms, constant factors pulled out, and the bound
    index renamed by nesting depth (sums at one depth are never nested in each other)."""
    v, a, b = limit
    f = sp.expand(tidy_sums(f))
    if isinstance(f, sp.Add):
        return sp.Add(*[_one_sum(t, limit) for t in f.args])
    const, rest = [], []
    for factor in sp.Mul.make_args(f):
        (rest if v in factor.free_symbols else const).append(factor)
    inner = sp.Mul(*rest)
    if inner == 1:
        return sp.Mul(*const) * (b - a + 1)
    bound = _BOUND[_depth(inner)]
    return sp.Mul(*const) * sp.Sum(inner.xreplace({v: bound}), (bound, a, b))


def tidy_sums(expr):
    """Linearity of finite sums applied everywhere in ``expr``: every sum split over its terms, factors
    free of the index pulled out, a constant summand counted, bound indices renamed canonically."""
    if isinstance(expr, sp.Sum):
        f = expr.function
        for limit in expr.limits:  # innermost first
            f = _one_sum(f, limit)
        return f
    if not expr.args:
        return expr
    return expr.func(*[tidy_sums(a) for a in expr.args])


def swap_sums(expr):
    """Put rectangular nested sums in one canonical order (finite sums commute)."""
    if isinstance(expr, sp.Sum):
        limits = list(expr.limits)
        f = swap_sums(expr.function)
        while isinstance(f, sp.Sum):
            limits += list(f.limits)
            f = f.function
        bounds = {lim[0] for lim in limits}
        if all(not (set(lim[1:]) and (sp.Tuple(*lim[1:]).free_symbols & bounds)) for lim in limits):
            limits.sort(key=lambda lim: str(lim[0]))
        return sp.Sum(f, *limits)
    if not expr.args:
        return expr
    return expr.func(*[swap_sums(a) for a in expr.args])


def sum_hint(expr):
    """Differentiate, linearise the sums, cancel."""
    return sp.cancel(tidy_sums(evaluate_derivatives(expr)))


def positive_ratio(expr):
    """Zero if ``expr = A - B`` with A, B positive and :math:`\\log A - \\log B` expands to 0
    (comparing integrands when both are integrals over the same range)."""
    terms = sp.Add.make_args(expr)
    if len(terms) != 2:
        return expr
    first, second = terms
    a, b = (first, -second) if second.could_extract_minus_sign() else (second, -first)
    if isinstance(a, sp.Integral) and isinstance(b, sp.Integral) and a.limits == b.limits:
        a, b = a.function, b.function
    return sp.S.Zero if expand_logs(sp.log(a) - sp.log(b)) == 0 else expr


def merge_under(expr, classes=(sp.Integral, sp.Sum), simplify=None):
    """Linearity: terms ``c * Integral(f_k, L)`` (or sums) with the same limits ``L`` become one
    integral of :math:`\\sum_k c_k f_k`, its integrand simplified by ``simplify`` (default: expand,
    combine powers, cancel); a merged integrand that vanishes drops out."""
    simplify = simplify or (lambda f: sp.cancel(sp.powsimp(sp.expand(f))))
    groups: dict = {}
    rest = sp.S.Zero
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, body = term.as_independent(*classes, as_Add=False)
        limits_free = isinstance(body, classes) and not (coeff.free_symbols & set(body.variables))
        if limits_free:
            groups.setdefault((type(body), body.limits), []).append(coeff * body.function)
        else:
            rest += term
    out = rest
    for (cls, limits), parts in groups.items():
        integrand = simplify(sp.Add(*parts))
        if integrand != 0:
            out += cls(integrand, *limits)
    return out


def log_products(expr):
    """The logarithm of a product of positive factors as the sum of their logarithms, for finite
    products with symbolic bounds too: :math:`\\log\\big(a\\prod_{r=1}^d f_r\\big) = \\log a +
    \\sum_{r=1}^d \\log f_r` (every factor is taken as positive: densities, weights).

    >>> a = sp.Symbol("a", positive=True)
    >>> r, d = sp.symbols("r d", integer=True, positive=True)
    >>> f = sp.IndexedBase("f", positive=True)
    >>> log_products(sp.log(a * sp.Product(f[r], (r, 1, d))))
    log(a) + Sum(log(f[r]), (r, 1, d))
    """
    expr = expr.replace(lambda e: isinstance(e, sp.log), lambda e: sp.expand_log(e, force=True))
    return expr.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.Product),
                        lambda e: sp.Sum(sp.log(e.args[0].function), *e.args[0].limits))


def collapse_deltas(expr, ranges):
    """Carry out every sum over a Kronecker delta :math:`\\delta_{v,w}`: the term of the sum over
    :math:`v` is kept at :math:`v = w` alone. ``ranges`` maps each free index :math:`w` to its range
    ``(a, b)``, and a sum collapses only when its range is that one (then :math:`w` is one of its
    terms). Differentiating a sum over indexed parameters leaves such deltas.

    >>> y, z, k = sp.symbols("y z k", integer=True, positive=True)
    >>> c = sp.IndexedBase("c")
    >>> collapse_deltas(sp.Sum(c[y] * sp.KroneckerDelta(y, z), (y, 1, k)), {z: (1, k)})
    c[z]
    >>> collapse_deltas(sp.Sum(c[y] * sp.KroneckerDelta(y, z), (y, 1, k)), {})  # z may lie outside
    Sum(KroneckerDelta(y, z)*c[y], (y, 1, k))
    """
    def over(f, limit):
        v, a, b = limit
        out = []
        for term in sp.Add.make_args(sp.expand(f)):
            hit = None
            for factor in sp.Mul.make_args(term):
                if isinstance(factor, sp.KroneckerDelta) and v in factor.args:
                    w = factor.args[0] if factor.args[1] == v else factor.args[1]
                    if w != v and ranges.get(w) == (a, b):
                        hit = factor, w
                        break
            out.append((term / hit[0]).subs(v, hit[1]) if hit else sp.Sum(term, limit))
        return sp.Add(*out)

    def one(e):
        if not e.has(sp.KroneckerDelta):
            return e
        f = e.function
        for limit in e.limits:  # innermost first
            f = over(f, limit)
        return f

    return expr.replace(lambda e: isinstance(e, sp.Sum), one)


def split_products(expr):
    """Finite products taken apart: :math:`\\prod_j c\\, f_j g_j = c^{b-a+1} \\prod_j f_j \\prod_j g_j` and
    :math:`\\prod_j e^{a_j} = e^{\\sum_j a_j}` (a product over ``j`` from a to b)."""
    def split(p):
        (j, a, b), f = p.limits[0], p.function
        if len(p.limits) != 1:
            return p
        if isinstance(f, sp.Mul):
            return sp.Mul(*[split(sp.Product(g, (j, a, b))) for g in f.args])
        if j not in f.free_symbols:
            return f ** (b - a + 1)
        if isinstance(f, sp.exp):
            return sp.exp(sp.Sum(f.args[0], (j, a, b)))
        if isinstance(f, sp.Pow) and j not in f.exp.free_symbols:
            return split(sp.Product(f.base, (j, a, b))) ** f.exp
        return p
    return sp.sympify(expr).replace(lambda e: isinstance(e, sp.Product), split)


def _renamed(f, v):
    """``f`` with its bound variable ``v`` renamed canonically (to compare summands)."""
    return f.xreplace({v: _BOUND[0]})


def peel_last(expr):
    """Align finite sums and products that run to ``b`` with their twins that run to ``b - 1``:
    :math:`\\sum_{v=a}^{b} f_v = \\sum_{v=a}^{b-1} f_v + f_b` (and :math:`\\prod` likewise), whenever the
    expression also holds the sum (product) of the same terms up to ``b - 1``."""
    expr = sp.sympify(expr)
    nodes = [e for e in sp.preorder_traversal(expr) if isinstance(e, (sp.Sum, sp.Product)) and len(e.limits) == 1]
    shorter = {(type(e), _renamed(e.function, e.limits[0][0]), e.limits[0][1], e.limits[0][2]) for e in nodes}

    def peel(e):
        v, a, b = e.limits[0]
        if (type(e), _renamed(e.function, v), a, b - 1) not in shorter:
            return e
        head, last = type(e)(e.function, (v, a, b - 1)), e.function.subs(v, b)
        return head + last if isinstance(e, sp.Sum) else head * last
    return expr.replace(lambda e: isinstance(e, (sp.Sum, sp.Product)) and len(e.limits) == 1, peel)


def _linear(f, x, d):
    """:math:`\\int_{\\mathbb{R}^d} f\\, dx` by linearity: sums over other indices and factors free of
    ``x`` taken out, each remaining integrand in a canonical form."""
    from derivations.symbolic.integrals import VectorIntegral, depends_on

    if not depends_on(f, x):
        return f * VectorIntegral(sp.S(1), x, d)
    if isinstance(f, sp.Add):
        return sp.Add(*[_linear(t, x, d) for t in f.args])
    if isinstance(f, sp.Sum) and not any(depends_on(sp.Tuple(*lim[1:]), x) for lim in f.limits):
        return sp.Sum(_linear(f.function, x, d), *f.limits)
    if isinstance(f, sp.Mul):
        const = [g for g in f.args if not depends_on(g, x)]
        rest = [g for g in f.args if depends_on(g, x)]
        if const:
            return sp.Mul(*const) * _linear(sp.Mul(*rest), x, d)
        if len(rest) == 1:
            return _linear(rest[0], x, d)
    return VectorIntegral(canonical_integrand(f), x, d)


def canonical_integrand(f):
    """One written-out form of an integrand: densities written out, products of exponentials made
    exponentials of sums, exponents and sums linearised, powers of products split."""
    f = split_products(explicit(f))
    f = f.replace(lambda e: isinstance(e, sp.exp), lambda e: sp.exp(sp.expand(tidy_sums(sp.expand(e.args[0])))))
    return sp.powsimp(sp.expand_power_base(sp.expand(f), force=True), force=True)


def vector_integrals(expr):
    """Linearity of integrals over :math:`\\mathbb{R}^d`
    (:class:`derivations.symbolic.integrals.VectorIntegral`): each is split over the terms of its
    integrand, with finite sums and constant factors taken out and the integrands put in one
    canonical form, so that integrals of the same function compare equal."""
    from derivations.symbolic.integrals import VectorIntegral

    return sp.sympify(expr).replace(lambda e: isinstance(e, VectorIntegral),
                                    lambda e: _linear(e.function, e.variable, e.dim))
