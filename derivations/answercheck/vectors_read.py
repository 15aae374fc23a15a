r"""Reading vectors of :math:`\mathbb{R}^d` as the course's printer writes them.

A vector of symbolic dimension is an :class:`sympy.IndexedBase` ``x`` (see
:mod:`derivations.symbolic.integrals`): the parser reads

* ``x`` alone as the vector itself, where the part uses it whole (``p(x)``, ``\mathcal{N}(x; m, v I_d)``);
* ``{x}_{j}`` and ``x_j`` as its coordinate ``x[j]``, where the part has coordinates of ``x``; beside
  them ``x^{(i)}`` and ``x^{(i)}_{j}`` stay the data points (a :class:`DataPoints` base ``X``);
* ``x_{<i}`` (also ``x_{\lt i}``, ``x_{1:i-1}``, plain ``x_(<i)``) as the coordinates before the i-th
  (a :class:`derivations.notation.printers.Prefix` base);
* ``\sum_{{x}_{k}=1}^{K}``: a sum whose index is a coordinate;
* ``\int_{\mathbb{R}^{d}} f \, dx`` (:class:`VectorIntegral`);
* ``\det J_{g^{-1}}(x)``, ``\det \frac{\partial g^{-1}(x)}{\partial x}`` (:class:`JacobianDeterminant`).

The spellings the printer uses are taken from the printer itself (:data:`JACOBIAN`, :data:`DOMAIN`),
so the two directions cannot drift apart. The parser calls the functions here from a few hooks;
each returns None (reading nothing) when the text is not one of these forms.

>>> import sympy as sp
>>> from derivations.answercheck.readback import vocabulary_of
>>> from derivations.answercheck.parser import parse
>>> x, d = sp.IndexedBase("x", real=True), sp.Symbol("d", integer=True, positive=True)
>>> p = sp.Function("p")
>>> expr = VectorIntegral(p(x), x, d)
>>> parse(r"\int_{\mathbb{R}^d} p(x)\, dx", vocabulary_of(expr)) == expr
True
"""

from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef

from derivations.answercheck.lexer import Token, tokenize
from derivations.answercheck.vocabulary import is_user_function, key_of, name_key
from derivations.notation.printers import ConditionalTable, DataPoints, Prefix, latex
from derivations.symbolic.integrals import JacobianDeterminant, VectorIntegral

#: Commands this module reads where a factor starts (``\det``).
COMMANDS = frozenset({"det"})
#: Plain words this module reads (``det J_g(x)``).
WORDS = frozenset({"det"})


def _printed_tokens(expr) -> list:
    return [t for t in tokenize(latex(expr), 10_000) if t.kind != "end"]


def _jacobian_head() -> str:
    """The letter the printer writes after ``\\det`` for the Jacobian of a map (``J``)."""
    u = sp.IndexedBase("u")
    toks = _printed_tokens(JacobianDeterminant(sp.Function("f")(u), u))
    assert toks[0].is_cmd("det") and toks[1].kind == "word", toks
    return toks[1].text


def _domain_head() -> tuple[str, str]:
    """How the printer writes the domain of a vector integral: ``\\mathbb{R}`` as (command, letter)."""
    u, n = sp.IndexedBase("u"), sp.Symbol("n")
    toks = _printed_tokens(VectorIntegral(u[1], u, n))
    cmd, letter = toks[3], toks[5]  # \int _ { \mathbb { R } ^ ...
    assert toks[0].is_cmd("int") and cmd.kind == "cmd" and letter.kind == "word", toks
    return cmd.text, letter.text


JACOBIAN = _jacobian_head()
DOMAIN = _domain_head()


# --------------------------------------------------------------------------- the vocabulary


def is_prefix(obj) -> bool:
    return isinstance(obj, Prefix)


def _plain_base(obj) -> bool:
    """An indexed base that may stand for a whole vector (not data points, a table or a prefix)."""
    return isinstance(obj, sp.IndexedBase) and not isinstance(obj, (DataPoints, ConditionalTable, Prefix))


def outside_entries(expr):
    """The nodes of ``expr`` outside the base of every entry ``x[j]`` (the indices are visited): an
    indexed base met here is used whole, a symbol met here is a symbol of its own."""
    stack = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, sp.Indexed):
            stack.extend(e.indices)
            continue
        yield e
        if isinstance(e, sp.Basic) and not isinstance(e, sp.IndexedBase):
            stack.extend(e.args)


def bare_vectors(expr) -> list:
    """The indexed bases that ``expr`` uses whole (an argument, the variable of a vector integral),
    not only through their entries ``x[j]``."""
    found = {e for e in outside_entries(expr) if isinstance(e, sp.IndexedBase) and _plain_base(e)}
    return sorted(found, key=str)


def vector_dims(expr) -> dict:
    """The dimension of each vector of ``expr`` that says it: integrated over (``\\int_{R^d} ... dx``:
    x -> d), or the point of a density of d coordinates (``\\mathcal{N}(x; m, v I_d)``)."""
    if not isinstance(expr, sp.Basic):
        return {}
    from derivations.symbolic.gaussian import GaussianDensity

    dims = {g.args[0]: g.args[3] for g in expr.atoms(GaussianDensity) if len(g.args) == 4}
    dims.update({v.variable: v.dim for v in expr.atoms(VectorIntegral)})
    return dims


def note_vectors(vocab, exprs) -> None:
    """Tell ``vocab`` which of its indexed bases ``exprs`` use whole, and their dimensions."""
    found = set(getattr(vocab, "vectors", ()))
    dims = dict(getattr(vocab, "vector_dims", {}))
    for e in exprs:
        found.update(bare_vectors(e))
        dims.update(vector_dims(e))
    vocab.vectors = found
    vocab.vector_dims = dims


def _vectors(vocab) -> set:
    """The indexed bases the part uses whole (noted here, or by :func:`measures.annotate`)."""
    return set(getattr(vocab, "vectors", ())) | set(getattr(vocab, "bare_bases", ()))


def _prefix_base(vocab, key):
    """The :class:`Prefix` base written ``key`` (``x`` of ``x_{<i}``), if the part has one."""
    for base in list(vocab.ranks) + [e.obj for e in vocab.entries]:
        if is_prefix(base) and key_of(base) == key:
            return base
    return getattr(vocab, "prefixes", {}).get(key)


def _has_coordinates(vocab, base) -> bool:
    return 1 in vocab.rank_counts.get(base, ())


# --------------------------------------------------------------------------- names


def name(p, tok: Token):
    """Hook at the start of a name (``tok`` read, nothing after it): ``x_{<i}``, or ``x^{(i)}`` for
    the data points X where the part also has a vector x. None when neither."""
    if tok.kind != "word":
        return None
    prefix = _prefix(p, tok)
    if prefix is not None:
        return prefix
    return _data_point(p, tok)


def _prefix(p, tok: Token):
    """``x_{<i}``, ``x_{\\lt i}``, ``x_{< i}``, ``x_{1:i-1}``, ``x_(<i)``, ``x_<i``: Prefix("x")[i]."""
    base = _prefix_base(p.vocab, name_key(tok.text))
    if base is None or not p.peek().is_op("_"):
        return None
    opener = p.peek(1)
    if opener.is_op("{", "("):
        close = p.matching(p.i + 1)
        if close is None:
            return None
        inside = p.tokens[p.i + 2:close]
    elif opener.is_op("<"):
        close = p.i + 2
        inside = p.tokens[p.i + 1:close + 1]
    else:
        return None
    if len(inside) >= 2 and inside[0].is_op("<"):
        index = p.parse_tokens(inside[1:], tok)
    elif len(inside) >= 3 and inside[0].kind == "num" and inside[0].text == "1" and inside[1].is_op(":"):
        last = p.parse_tokens(inside[2:], tok)  # x_{1:i-1}: the coordinates up to i - 1
        index = sp.expand(last + 1)
    else:
        return None
    if not isinstance(index, sp.Expr):
        return None
    p.i = close + 1
    return base[index]


def _data_point(p, tok: Token):
    """Where the part has data points X and a vector x: ``x^{(i)}`` (and ``x^{(i)}_{j}``) is a data
    point; so is ``x_i`` (``x[i]``) when the part has no coordinates of x."""
    if len(tok.text) != 1:
        return None
    mine = p.vocab.indexed(name_key(tok.text))
    other = p.vocab.indexed(name_key(tok.text.swapcase()))
    if mine is None or other is None or not isinstance(other.obj, DataPoints) or isinstance(mine.obj, DataPoints):
        return None
    first, second = p.peek(1), p.peek(2)
    point = p.peek().is_op("^") and (first.is_op("(") or (first.is_op("{") and second.is_op("(")))
    subscript = p.peek().is_op("_", "[") and mine.obj in _vectors(p.vocab) and not _has_coordinates(p.vocab, mine.obj)
    if not (point or subscript):
        return None
    return p.indexed(other.obj, tok)


def alone(p, base):
    """Hook where an indexed base has no index: the vector itself, where the part uses it whole; or,
    where the part uses only its coordinates summed over a range, the vector as a factor of a dot
    product (``\\theta^\\top x``), folded into that sum by :func:`dot_products`."""
    if base in _vectors(p.vocab):
        return base
    span = _coordinate_range(p.vocab, base)
    if span is not None:
        return DotVector(base, *span)
    return None


def _coordinate_range(vocab, base):
    """``(j, low, high)`` when the reference writes ``base`` by one coordinate ``base[j]`` summed over
    ``j`` from low to high (the d coordinates of a vector), else None."""
    indices = vocab.ranks.get(base)
    if isinstance(base, DataPoints) or not indices or len(indices) != 1 or not isinstance(indices[0], sp.Symbol):
        return None  # a data set x^{(i)} is indexed by its points, not by coordinates
    span = vocab.ranges.get(indices[0].name)
    return None if span is None else (indices[0], *span)


class DotVector(sp.Symbol):
    """A vector written whole where the part writes it by coordinates: it may only be a factor of a
    dot product ``u^\\top v`` (non-commutative, so the order of the factors is kept)."""

    def __new__(cls, base, index, low, high, row=False):
        obj = super().__new__(cls, f"{base}{'^T' if row else ''}", commutative=False)
        obj.vector, obj.span, obj.row = base, (index, low, high), row
        return obj

    def transposed(self):
        return DotVector(self.vector, *self.span, row=not self.row)


def dot_products(value, error):
    """``value`` with each product ``u^\\top v`` of two vectors of the same range written as
    :math:`\\sum_j u_j v_j`; ``error(message)`` for a vector left anywhere else."""
    if not isinstance(value, sp.Basic) or not value.atoms(DotVector):
        return value

    def fold(mul):
        commuting, factors = mul.args_cnc()
        out, k = [], 0
        while k < len(factors):
            a = factors[k]
            b = factors[k + 1] if k + 1 < len(factors) else None
            if isinstance(a, DotVector) and isinstance(b, DotVector) and a.row and not b.row \
                    and a.span[1:] == b.span[1:]:
                j, low, high = a.span
                out.append(sp.Sum(a.vector[j] * b.vector[j], (j, low, high)))
                k += 2
            else:
                out.append(a)
                k += 1
        return sp.Mul(*commuting, *out)

    value = value.replace(lambda e: isinstance(e, sp.Mul) and e.atoms(DotVector), fold)
    left = value.atoms(DotVector)
    if left:
        from derivations.notation import pretty

        first = sorted(left, key=str)[0]
        v, j = pretty(first.vector.label), pretty(first.vector[first.span[0]])
        error(f"{v} is a vector here, written by its coordinates {j}: use it in a dot product such as "
              f"{v}ᵀx, or write its coordinates")
    return value


def density_dim(p, at, dim, identities):
    """``\\mathcal{N}(x; m, v I)`` with the size of I left out: the dimension of the vector x (or of
    the point g^{-1}(x)) where the part says it (``dim`` as read otherwise)."""
    if dim is not None or not identities or not isinstance(at, sp.Expr):
        return dim
    return getattr(p.vocab, "vector_dims", {}).get(at)


# --------------------------------------------------------------------------- sums over a coordinate


def coordinate_sum(p, tok: Token, kind):
    """``\\sum_{{x}_{k}=1}^{K} f``: a sum whose index is the coordinate x[k] of a vector of the part."""
    if not (p.peek().is_op("_") and p.peek(1).is_op("{")):
        return None
    k = p.i + 2
    if p.tokens[k].is_op("{") and p.tokens[k + 2].is_op("}"):
        word, script = p.tokens[k + 1], p.tokens[k + 3]
    else:
        word, script = p.tokens[k], p.tokens[k + 1]
    if word.kind != "word" or not script.is_op("_"):
        return None
    entry = p.vocab.indexed(name_key(word.text))
    if entry is None or not _plain_base(entry.obj) or not _has_coordinates(p.vocab, entry.obj):
        return None
    start = p.i
    p.next()  # _
    opened = p.next()  # {
    index = p.primary()
    if not (isinstance(index, sp.Indexed) and index.base == entry.obj) or not p.peek().is_op("="):
        p.i = start
        return None
    p.next()
    with p.fresh_context():
        lower = p.expr()
    p.expect("}", opened)
    if not p.peek().is_op("^"):
        raise p.error(f"a sum over {latex(index)} needs its upper limit", tok)
    p.next()
    upper = p.limit()
    body = p.as_number(p.term(allow_division=False), tok)
    if not isinstance(body, sp.Expr) or not all(isinstance(b, sp.Expr) for b in (lower, upper)):
        raise p.error("a sum over a coordinate takes an expression and numbers or symbols as its limits", tok)
    return kind(body, (index, lower, upper))


# --------------------------------------------------------------------------- integrals over R^d


def _domain_dim(p, tokens: list, tok: Token):
    """``\\mathbb{R}^{d}`` (or ``\\mathbb{R}^d``, ``R^d``): d; ``\\mathbb{R}``: 1; None for anything else."""
    cmd, letter = DOMAIN
    k = 0
    if tokens and tokens[0].is_cmd(cmd):
        if len(tokens) < 4 or not (tokens[1].is_op("{") and tokens[2].kind == "word" and tokens[2].text == letter
                                   and tokens[3].is_op("}")):
            return None
        k = 4
    elif tokens and tokens[0].kind == "word" and tokens[0].text == letter:
        k = 1
    else:
        return None
    rest = tokens[k:]
    if not rest:
        return sp.S.One
    if not rest[0].is_op("^") or len(rest) < 2:
        return None
    return p.parse_tokens(rest[2:-1] if rest[1].is_op("{") else rest[1:], tok)


def vector_integral(p, tok: Token, lower_tokens, upper, body):
    """Hook at the differential of an integral: ``dx`` with ``x`` a vector of the part gives
    ``VectorIntegral(body, x, d)``, d from the domain ``\\mathbb{R}^{d}`` (or the part's own)."""
    k = p.i
    first = p.tokens[k]
    if first.kind == "word" and first.text.startswith("d") and len(first.text) > 1:
        text, width = first.text[1:], 1
    elif first.kind == "word" and first.text == "d" and p.tokens[k + 1].kind == "word":
        text, width = p.tokens[k + 1].text, 2
    else:
        return None
    entry = p.vocab.indexed(name_key(text))
    if entry is None or entry.obj not in _vectors(p.vocab) or p.tokens[k + width].is_op("_", "^", "["):
        return None  # dx_1: a coordinate, not the vector
    x = entry.obj
    dims = getattr(p.vocab, "vector_dims", {})
    if upper is not None:
        raise p.error(f"an integral over the vector {text} is over a domain, as in \\int_{{\\mathbb{{R}}^d}}", tok)
    dim = _domain_dim(p, lower_tokens, tok) if lower_tokens else None
    if dim is None and [t.text for t in lower_tokens or () if not t.is_op("{", "}")] in ([], [text]):
        dim = dims.get(x)  # \\int p(x)\\, dx, \\int_x p(x)\\, dx: over the part's R^d
    if dim is None:
        raise p.error(f"an integral over the vector {text} names its domain, as in \\int_{{\\mathbb{{R}}^d}} f\\, d{text}",
                      tok)
    body = p.as_number(body, tok)
    if not isinstance(body, sp.Expr) or not isinstance(dim, sp.Expr):
        raise p.error("only an expression can be integrated over a vector", tok)
    p.i = k + width
    return VectorIntegral(body, x, dim)


# --------------------------------------------------------------------------- Jacobian determinants


def command(p, tok: Token):
    """Hook for a command the parser does not know: ``\\det``."""
    if tok.text == "det":
        return determinant(p, tok)
    return None


def determinant(p, tok: Token):
    """``\\det J_{f}(x)``, ``\\det(J_f(x))``, ``\\det \\frac{\\partial f(x)}{\\partial x}``:
    :class:`JacobianDeterminant` of the map f at the vector x."""
    opened = p.next() if p.peek().is_op("(") else None  # \det(J_f(x))
    head = p.peek()
    if head.kind == "word" and head.text == JACOBIAN and p.peek(1).is_op("_"):
        p.next()
        p.next()
        f = _map_named(p, tok)
        args, _ = p.call_args(tok, separators=(",",))
        if len(args) != 1:
            raise p.error(f"a Jacobian {JACOBIAN}_f(x) is taken at one point", tok)
        point = args[0]
        image = p.apply(f, [point], tok)
    elif head.is_cmd("frac"):
        p.next()
        image, point = _partial_fraction(p, tok)
    else:
        raise p.error(f"write a Jacobian determinant as \\det {JACOBIAN}_{{f}}(x)", tok)
    if opened is not None:
        p.expect(")", opened)
    if not (isinstance(point, sp.IndexedBase) or isinstance(point, sp.Symbol)):
        raise p.error("a Jacobian is taken at a vector of the part", tok)
    return JacobianDeterminant(image, point)


def _map_named(p, tok: Token):
    """The function named by the subscript of J: ``{g^{-1}}``, ``g``, ``{f_\\theta}``."""
    start = p.i
    if p.peek().is_op("{"):
        close = p.matching(p.i)
        if close is None:
            raise p.error("'{' is not closed", p.peek())
        tokens = p.tokens[p.i + 1:close]
        p.i = close + 1
    else:
        tokens = [p.next()]
    key = p.name_of(tokens)
    f = p.vocab.lookup(key) if key is not None else None
    if not is_user_function(f):
        p.i = start
        raise p.error("the subscript of J names a map of the part", tokens[0] if tokens else tok, accepted=True)
    return f


def _partial_fraction(p, tok: Token):
    """``\\frac{\\partial f(x)}{\\partial x}`` after ``\\frac``: (f(x), x)."""
    num_open = p.i
    num_close = p.matching(num_open)
    if num_close is None or not p.tokens[num_open + 1].is_cmd("partial") or not p.tokens[num_close + 1].is_op("{"):
        raise p.error(f"write a Jacobian determinant as \\det {JACOBIAN}_{{f}}(x)", tok)
    den_close = p.matching(num_close + 1)
    if den_close is None or not p.tokens[num_close + 2].is_cmd("partial"):
        raise p.error(f"write a Jacobian determinant as \\det {JACOBIAN}_{{f}}(x)", tok)
    image = p.as_number(p.parse_tokens(p.tokens[num_open + 2:num_close], tok), tok)
    point = p.parse_tokens(p.tokens[num_close + 3:den_close], tok)
    p.i = den_close + 1
    if not isinstance(image, sp.Expr) or isinstance(image, sp.Indexed):
        raise p.error("a Jacobian is that of a map of the vector", tok)
    return image, point


def word(p, tok: Token):
    """Hook for a plain word: ``det J_g(x)``."""
    if tok.text == "det" and (p.peek().kind == "word" and p.peek().text == JACOBIAN or p.peek().is_op("(")):
        return determinant(p, tok)
    return None


__all__ = ["COMMANDS", "DOMAIN", "JACOBIAN", "WORDS", "alone", "bare_vectors", "command", "coordinate_sum",
           "density_dim", "determinant", "is_prefix", "name", "note_vectors", "vector_dims", "vector_integral",
           "word"]
