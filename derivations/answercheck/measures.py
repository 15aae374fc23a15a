r"""Reading the toolkit's measures and networks as the course's printer writes them.

The printer (:mod:`derivations.notation.printers`) writes the probability of an event
:math:`P(F(x) \le u)`, an expectation under a named density :math:`\mathbb{E}_{q_\phi(z \mid x)}[f]`
(also under a Gaussian :math:`\mathcal{N}(x; m, v)` or a product :math:`\prod_{j=1}^K p(z^{(j)})`),
the divergence :math:`\mathrm{KL}(q \,\|\, p)`, a network's output coordinate
:math:`\mathrm{NN}_\phi(x)_a`, its Jacobian entry :math:`\partial \mathrm{NN}_\theta(z)_j / \partial z_a`
and a coordinate :math:`z_a` of a point given by its coordinates. This module reads each of them back
as the *same* toolkit object (:class:`~derivations.symbolic.expectation.Prob`,
:class:`~derivations.symbolic.expectation.Expect`, :class:`~derivations.symbolic.expectation.KL`,
a network of :mod:`derivations.symbolic.networks`, :class:`~derivations.symbolic.networks.Coordinate`),
so that a printed line is compared with what was verified structurally, not as an integral SymPy must
evaluate. The parser calls it from a few hooks; it builds SymPy objects directly (never ``eval``).

What a printed line does not say it takes from the context the vocabulary carries (see
:func:`annotate`): the law of the variable of an event (``P(F(x) <= u)`` is under the density of
``x``), the parameter a network is differentiated in (``NN_theta(j, theta_l, z)``: the one the
reference uses) and the points given by their coordinates. An answer a user types has no such
context: ``P(x \le u)`` is then the probability under an unstated density of ``x``.

>>> import sympy as sp
>>> from derivations.answercheck.parser import parse
>>> from derivations.answercheck.vocabulary import Vocabulary
>>> x, z, u = sp.symbols("x z u", real=True)
>>> q = sp.Function("q")
>>> e = parse(r"\mathbb{E}_{q(z)}\left[\log q(z)\right]", Vocabulary([z, q]))
>>> e == Expect(sp.log(q(z)), z, q(z))
True
>>> parse(r"\mathrm{KL}(q(z) \,\|\, q(z))", Vocabulary([z, q])) == KL(q(z), q(z), z)
True
>>> parse(r"P(x \le u)", Vocabulary([x, u])).condition
x <= u
"""

from __future__ import annotations

import sympy as sp

from derivations.symbolic.expectation import KL, Expect, Prob
from derivations.symbolic.gaussian import GaussianDensity
from derivations.symbolic.networks import Coordinate, NetworkBase, Point
from derivations.answercheck.errors import AnswerError
from derivations.answercheck.lexer import tokenize
from derivations.answercheck.vocabulary import has_formula, is_user_function, key_of, spellings

# --------------------------------------------------------------------------- the printer's words


def _head_word(expr) -> str:
    """The first word the printer writes for ``expr`` (``P`` for a probability, ``KL`` for a
    divergence): the reader's name for it comes from the printer, so the two cannot drift apart."""
    from derivations.notation import latex

    return next(t.text for t in tokenize(latex(expr), 10_000) if t.kind == "word")


_s = sp.Symbol("s", real=True)
#: The names a probability is written with: the printer's, then the usual others (\Pr, Prob).
PROBABILITY_WORDS = tuple(dict.fromkeys((_head_word(Prob(_s <= 0, _s, 1)), "P", "Pr", "Prob")))
#: The names of the KL divergence: the printer's (\mathrm{KL}), then D_{KL} and KLD.
KL_WORDS = tuple(dict.fromkeys((_head_word(KL(_s, _s, _s)), "KL", "KLD")))
#: A density the event's variable has when nothing says which (an answer typed by a user).
UNSTATED = sp.Function("p_unstated")

_RELATIONS = {"<=": sp.Le, "<": sp.Lt, ">=": sp.Ge, ">": sp.Gt}


# --------------------------------------------------------------------------- context


def annotate(vocab, parts) -> None:
    """Give ``vocab`` what the printed lines of the expressions ``parts`` leave to the context: the
    law of each variable of a probability (``laws``), the points given by their coordinates
    (``points``), and the indexed bases used whole, as x in q(z | x) for x in R^d (``bare_bases``)."""
    laws, points, bare = {}, {}, set()
    for part in parts:
        if not isinstance(part, sp.Basic):
            continue
        for prob in part.atoms(Prob):
            laws.setdefault(prob.variable, (prob.density, prob.args[3], prob.args[4]))
        for point in part.atoms(Point):
            points.setdefault(point.name, point)
        bare |= bare_bases(part)
    vocab.laws, vocab.points, vocab.bare_bases = laws, points, bare


def bare_bases(expr) -> set:
    """The indexed bases that appear on their own (not as the base of an entry x[j])."""
    out, stack = set(), [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, sp.Indexed):
            stack.extend(e.indices)
        elif isinstance(e, sp.IndexedBase):
            out.add(e)
        elif isinstance(e, sp.Basic):
            stack.extend(e.args)
    return out


# --------------------------------------------------------------------------- hooks of the parser


def operator(p, word: str, tok):
    """``P(...)`` and ``KL(q || p)`` where the part has no symbol of that name and a call follows;
    None for anything else (the parser reads it as before)."""
    from derivations.answercheck.vocabulary import name_key

    if not p.calls() or p.vocab.entry(name_key(word)) is not None:
        return None
    if word in PROBABILITY_WORDS:
        return probability(p, tok)
    if word in KL_WORDS:
        return divergence(p, tok)
    return None


def resolve(p, tok, key):
    """A name the vocabulary does not know: ``D_{KL}(q || p)`` (a spelling of KL), or ``z_a``, the
    coordinate of a point given by its coordinates; None otherwise."""
    if any(k.base in KL_WORDS and not k.sub for k in spellings(key)[1:]) and p.calls():
        return divergence(p, tok)
    points = getattr(p.vocab, "points", {})
    if key.sub and not key.sup and not key.decorations:
        point = next((pt for name, pt in points.items() if key_of(name) == key._replace(sub="")), None)
        if point is not None:
            return Coordinate(point, p.index_value(key.sub, tok))
    return None


def bare_base(p, base) -> bool:
    """May ``base`` be read without an index (x in q_phi(z | x), where x in R^d is one vector)?"""
    return base in getattr(p.vocab, "bare_bases", ())


# --------------------------------------------------------------------------- probability


def probability(p, tok):
    r"""``P(A)`` for an event written with ``\le``, ``<``, ``\ge``, ``>``: a chain ``0 \le z \le 1``
    is the event of both. The variable is the one of the event whose law the context gives, else
    the first symbol of the event (its law unstated)."""
    braced = p.peek().is_op("{") and p.peek(1).is_op("(")
    outer = p.next() if braced else None
    opened = p.next()
    close = {"(": ")", "[": "]"}[opened.text]
    with p.fresh_context():
        sides, ops = [p.as_number(p.expr(), tok)], []
        while p.peek().is_op(*_RELATIONS):
            ops.append(p.next().text)
            sides.append(p.as_number(p.expr(), tok))
    p.expect(close, opened)
    if braced:
        p.expect("}", outer)
    if not ops:
        raise p.error(r"write an event in P(...), as in P(x \le u)", tok)
    if not all(isinstance(s, sp.Expr) for s in sides):
        raise p.error("the sides of an event are numbers or expressions", tok)
    relations = [_RELATIONS[op](a, b) for op, a, b in zip(ops, sides, sides[1:])]
    event = relations[0] if len(relations) == 1 else sp.And(*relations)
    variable, density, lower, upper = _law_of(p, event, sides, tok)
    return Prob(event, variable, density, lower, upper)


def _law_of(p, event, sides, tok):
    laws = getattr(p.vocab, "laws", {})
    known = [v for v in laws if event.has(v)]
    if len(known) == 1:
        return (known[0], *laws[known[0]])
    for side in sides:
        symbols = sorted((s for s in side.free_symbols if isinstance(s, sp.Symbol)), key=str)
        if symbols:
            return symbols[0], UNSTATED(symbols[0]), -sp.oo, sp.oo
    raise p.error("an event is about a variable: P(x \\le u)", tok)


# --------------------------------------------------------------------------- expectation and KL


def variable_of(density):
    """The variable a density is of: its first argument (``z`` of ``q_phi(z | x)``, ``x`` of
    ``N(x; m, v)``), or for a product of densities of the entries ``z[j]`` their base ``z``."""
    if isinstance(density, sp.Product):
        density = density.function
        head = density.args[0] if density.args else None
        return head.base if isinstance(head, sp.Indexed) else None
    if isinstance(density, GaussianDensity) or (isinstance(density, sp.Function) and is_user_function(density.func)
                                                and not has_formula(density.func)):
        head = density.args[0] if density.args else None
        return head if isinstance(head, (sp.Symbol, sp.IndexedBase)) else None
    return None


def _is_density(value) -> bool:
    if isinstance(value, sp.Product):
        return all(_is_density(f) for f in sp.Mul.make_args(value.function))
    return isinstance(value, GaussianDensity) or (isinstance(value, sp.Function) and is_user_function(value.func)
                                                  and not has_formula(value.func))


def law(p, tokens):
    """The subscript of an expectation as (variable, density): ``z \\sim q``, ``q_\\phi(z|x)``, a
    Gaussian at a point ``\\mathcal{N}(x; m, v)``, a product ``\\prod_{j=1}^K p(z^{(j)})``; None
    when it names no density (``t, x_0``: what is averaged)."""
    found = p.law(tokens)  # the reading students have always had: z ~ p(z), p(z), q_phi(z|x)
    if found is not None:
        return found
    cut = next((k for k, t in enumerate(tokens) if t.is_op("~")), None)
    written = tokens[cut + 1:] if cut is not None else tokens
    if not written:
        return None
    if cut is not None:  # z ~ q: the density q of the part, at z
        named = _density_named(p, p.variable_of(tokens[:cut]), written)
        if named is not None:
            return named
    try:
        density = p.as_number(p.parse_tokens(written, tokens[0]), tokens[0])
    except AnswerError:
        return None
    if not _is_density(density):
        return None
    variable = variable_of(density)
    if cut is not None:
        named = p.variable_of(tokens[:cut])
        variable = named if named is not None and named == variable else None
    return None if variable is None else (variable, density)


def _density_named(p, variable, written):
    """``q`` in ``z \\sim q``: (z, q(z)) when q names a density of the part that the reference
    applies to z first (q_phi(z, x) for a q_phi(z | x)); else None."""
    key = p.name_of(written)
    if variable is None or key is None:
        return None
    candidates = [e.obj for e in p.vocab.conditional(key)]
    plain = p.vocab.lookup(key)
    if plain is not None:
        candidates.append(plain)
    for f in candidates:
        if not (is_user_function(f) and not has_formula(f)):
            continue
        expected = p.vocab.arity.get(f)
        if expected is None and (f.nargs is sp.S.Naturals0 or 1 in f.nargs):
            return variable, f(variable)
        if expected is not None and expected[0] == variable:
            return variable, f(*expected)
    return None


def expectation(body, variable, density):
    """:math:`\\mathbb{E}_{density}[body]` over ``variable``, entry by entry for a vector."""
    if isinstance(body, sp.MatrixBase):
        return body.applyfunc(lambda e: Expect(e, variable, density))
    return Expect(body, variable, density)


def divergence(p, tok):
    r"""``KL(q \| p)``, ``KL(q || p)``, ``KL[q \| p]``, ``D_{KL}(q \,\|\, p)``: the two densities of one
    variable (the first argument of ``q``). None, with nothing read, when the two are not densities
    of one variable (``KL(Q \| P)`` of two symbols a part names): the parser reads that as before."""
    start = p.i
    args, _ = p.call_args(tok, separators=("||", ","))
    q, r = (p.as_number(a, tok) for a in args) if len(args) == 2 else (None, None)
    variable = variable_of(q) if isinstance(q, sp.Basic) else None
    if variable is None or not _is_density(r) or variable_of(r) != variable:
        p.i = start
        return None
    return KL(q, r, variable)


# --------------------------------------------------------------------------- networks


def is_network(value) -> bool:
    return isinstance(value, type) and issubclass(value, NetworkBase)


def network_call(p, cls, tok):
    """``\\mathrm{NN}_\\phi(x)_a``: output coordinate ``a`` of the network at the input ``x``, as a
    function of the parameter the reference differentiates it in. None (nothing read) when no
    coordinate follows the call: the parser then reads the call as before."""
    expected = p.vocab.arity.get(cls)
    if expected is None:
        return None
    start = p.i
    args, _ = p.call_args(tok)
    if len(args) != 1 or not p.peek().is_op("_"):
        p.i = start
        return None
    p.next()
    index = p.group() if p.peek().is_op("{") else p.primary()
    return cls(index, expected[1], _input(args[0], expected[2]))


def _input(value, reference):
    """The input as the reference has it: the point (or vector) printed with this name."""
    from derivations.notation.printers import _point_name

    if _name(value) == _name(_point_name(reference)):
        return reference
    return value


def _name(value) -> str:
    return str(value.label) if isinstance(value, sp.IndexedBase) else str(value)


def jacobian(p, tok):
    """``\\frac{\\partial \\mathrm{NN}_\\theta(z)_j}{\\partial z_a}``: a Jacobian entry of the
    network at its input; None (nothing read) for any other fraction."""
    k = p.i
    if not (p.tokens[k].is_op("{") and p.tokens[k + 1].is_cmd("partial")):
        return None
    num_close = p.matching(k)
    if num_close is None or not p.tokens[num_close + 1].is_op("{") or not p.tokens[num_close + 2].is_cmd("partial"):
        return None
    den_close = p.matching(num_close + 1)
    if den_close is None or num_close == k + 2:
        return None
    try:
        output = p.parse_tokens(p.tokens[k + 2:num_close], tok)
        wrt = p.parse_tokens(p.tokens[num_close + 3:den_close], tok)
    except AnswerError:
        return None
    if not isinstance(output, NetworkBase):
        return None
    j, parameter, point = output.args
    if isinstance(wrt, Coordinate) and wrt.args[0] == point:
        a = wrt.args[1]
    elif isinstance(wrt, sp.Indexed) and wrt.base == point and len(wrt.indices) == 1:
        a = wrt.indices[0]
    else:
        return None
    p.i = den_close + 1
    return type(output).jacobian(j, a, parameter, point)


# --------------------------------------------------------------------------- comparison


MEASURES = (Expect, KL, Prob)


def same_measure(u, v, prove) -> bool:
    """Are two measures the same: the same kind, variable and density (and range), events equal as
    relations, and functions proved equal by ``prove(a, b)`` (which returns None when it cannot)?"""
    if type(u) is not type(v) or len(u.args) != len(v.args):
        return False
    for a, b in zip(u.args, v.args):
        if a == b:
            continue
        if isinstance(a, sp.Basic) and isinstance(b, sp.Basic) and (a.is_Relational or isinstance(a, sp.And)):
            if _canonical(a) == _canonical(b):
                continue
            return False
        if not (isinstance(a, sp.Expr) and isinstance(b, sp.Expr)) or prove(a, b) is None:
            return False
    return True


def _canonical(event):
    """An event with each relation in SymPy's canonical form (``0 <= z`` and ``z >= 0`` alike)."""
    return event.replace(lambda e: isinstance(e, sp.core.relational.Relational), lambda e: e.canonical)


def as_integrals(value):
    """``value`` with every KL divergence and expectation written as the integral it stands for
    (how an answer is compared with a reference that writes the other): KL(q || p) as
    E_q[log(q/p)], E_q[f] as the integral of q f over the real line."""
    if isinstance(value, sp.MatrixBase):
        return value.applyfunc(as_integrals)
    if not isinstance(value, sp.Basic) or not value.has(Expect, KL):
        return value
    value = value.replace(lambda e: isinstance(e, KL), lambda e: e.as_expectation())
    return value.replace(lambda e: isinstance(e, Expect), lambda e: e.as_integral())


__all__ = ["KL_WORDS", "MEASURES", "PROBABILITY_WORDS", "annotate", "as_integrals", "divergence", "expectation",
           "is_network", "jacobian", "law", "network_call", "operator", "probability", "resolve",
           "same_measure", "variable_of"]
