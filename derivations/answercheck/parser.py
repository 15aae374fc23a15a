"""A recursive-descent parser from answer text to SymPy objects, over a whitelist of notation.

Nothing the user typed is evaluated: tokens are matched against known commands and the part's
vocabulary, and SymPy objects are built directly (never ``eval``, ``sympify`` or ``parse_expr``).

>>> import sympy as sp
>>> from derivations.answercheck.vocabulary import Vocabulary
>>> a, x0 = sp.Symbol("alphabar_t", positive=True), sp.Symbol("x_0", real=True)
>>> v = Vocabulary([a, x0])
>>> parse(r"\\sqrt{\\bar\\alpha_t}\\, x_0", v) == parse("sqrt(abar_t)*x_0", v) == sp.sqrt(a) * x0
True
>>> d = parse(r"\\mathcal{N}\\left(\\sqrt{\\bar{\\alpha}_t} x_0, (1-\\bar{\\alpha}_t) I\\right)", v)
>>> d.components[0].params
(sqrt(alphabar_t)*x_0, 1 - alphabar_t)
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from typing import Any

import sympy as sp
import sympy.stats as sps

from derivations.symbolic.distributions import Gaussian, Mixture, PointMass, Uniform, as_mixture
from derivations.symbolic.functions import Sigmoid
from derivations.symbolic.gaussian import GaussianDensity
from derivations.symbolic.values import as_expr
from derivations.symbolic.vectors import VectorOf
from derivations.answercheck import measures, vectors_read
from derivations.answercheck.errors import AnswerError
from derivations.answercheck.lexer import MAX_CHARS, Token, tokenize
from derivations.answercheck.vocabulary import (ACCENTS, GREEK, GREEK_ALIASES, SLOTS, Key, Vocabulary,
                                                has_formula, is_user_function, key_of, name_key)

MAX_DEPTH = 40  # nested brackets, fractions, exponents, signs
MAX_EXPONENT = 100  # largest literal exponent
MAX_DIGITS = 1000  # largest number a power of numbers may produce
MAX_SUM_TERMS = 50  # largest explicit range of a sum with numeric bounds
MAX_SPLIT = 12  # longest run of letters split into known symbols ("tx" -> t x)
MAX_MATRIX = 10
MAX_DEFINITIONS = 8
MAX_TOWER = 2  # exp(exp(x)) at most: a taller tower of exponentials overflows any evaluation
MAX_ORDER = 4  # highest order of a derivative
PARSE_SECONDS = 2.0
MAX_INDEX_TOKENS = 12  # longest index read in a printed entry (i, l - 1): bounds reading it twice when nested

IDENTITY = sp.Symbol("I_identity", positive=True)  # the identity matrix; only in a covariance


def _logit(p):
    return sp.log(p / (1 - p))


def _min(*args):
    return sp.Min(*args)


def _max(*args):
    return sp.Max(*args)


#: Functions by every name they are written with (\log, \operatorname{erf}, sigmoid(...)).
FUNCTIONS = {"sqrt": sp.sqrt, "exp": sp.exp, "log": sp.log, "ln": sp.log, "sin": sp.sin, "cos": sp.cos,
             "tan": sp.tan, "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh, "asinh": sp.asinh,
             "arcsinh": sp.asinh, "acosh": sp.acosh, "arccosh": sp.acosh, "atanh": sp.atanh,
             "arctanh": sp.atanh, "arcsin": sp.asin, "asin": sp.asin, "arccos": sp.acos, "acos": sp.acos,
             "arctan": sp.atan, "atan": sp.atan, "erf": sp.erf, "erfc": sp.erfc, "erfinv": sp.erfinv,
             "erfcinv": sp.erfcinv, "sigmoid": Sigmoid, "sig": Sigmoid, "logistic": Sigmoid, "expit": Sigmoid,
             "logit": _logit, "abs": sp.Abs, "Abs": sp.Abs, "sign": sp.sign, "sgn": sp.sign,
             "min": _min, "max": _max, "Min": _min, "Max": _max, "arg": sp.arg, "re": sp.re, "im": sp.im,
             "Re": sp.re, "Im": sp.im, "floor": sp.floor, "ceil": sp.ceiling}
VARIADIC = ("min", "max", "Min", "Max")  # functions of several arguments: \min(a, b)
FRACTIONS = ("frac", "dfrac", "tfrac", "cfrac")
STYLES = ("mathbf", "boldsymbol", "bm", "mathit", "mathnormal", "mathsf", "vb", "pmb", "bf", "symbf",
          "mathbfit", "vv")
TEXTS = ("operatorname", "mathrm", "text", "textrm", "textit", "mathtt", "textsf", "mathbb", "textbf")
NORMAL_NAMES = ("N", "Normal", "Gaussian", "normal", "gaussian")
UNIFORM_NAMES = ("U", "Unif", "Uniform", "unif", "uniform")
POINT_NAMES = ("delta", "Dirac", "dirac")
EXPECTATION_NAMES = ("E", "Expectation", "EE")
WHERE_WORDS = ("where", "with", "and")
INDEX_LETTERS = ("i", "j", "k", "l", "m", "s")  # w_j = ... defines a name for each index
CONDITION_CUTS = ("as", "for", "when", "if", "whenever")  # ... as t -> 1: what follows is a condition
CONDITION_WORDS = ("for", "if", "when", "whenever", "as", "forall", "all", "given")
RELATIONS = ("<", "<=", ">", ">=", "in", "!=", "~")
BIG_OPERATORS = {"sum": sp.Sum, "prod": sp.Product}
PRIMARY_CMDS = set(FRACTIONS) | set(STYLES) | set(TEXTS) | set(ACCENTS) | set(GREEK) | set(GREEK_ALIASES) | set(
    FUNCTIONS) | {"mathcal", "begin", "infty", "pi", "int", "nabla", "partial", "lim", "binom"} | set(BIG_OPERATORS)
PRIMARY_CMDS |= vectors_read.COMMANDS  # \det
CLOSERS = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True)
class PrintedForm:
    """An entry of an indexed base as the course's printer writes it (:meth:`Vocabulary.printed`):
    ``pattern`` holds the tokens written as they are and, for the k-th index, the number k;
    ``raised`` says the form carries a superscript of its own (a '^' after it is a double one)."""

    pattern: tuple
    base: Any
    rank: int
    raised: bool


def printed_forms(vocab: Vocabulary) -> dict:
    """The printed forms of the vocabulary's indexed bases, by their first token (kind, text),
    longest first; tokenized as an answer is, so the printer's spelling is read token by token."""
    cached = vocab.__dict__.get("_printed_forms")
    if cached is not None:
        return cached
    slots = {s.name: k for k, s in enumerate(SLOTS)}
    forms: dict = {}
    for text, base, rank in vocab.printed():
        try:
            tokens = normalized(tokenize(text, limit=len(text) + 1))[:-1]
        except AnswerError:
            continue
        pattern = tuple(slots[t.text] if t.kind == "word" and t.text in slots else t for t in tokens)
        numbers = sorted(e for e in pattern if isinstance(e, int))
        fixed = [e for e in pattern if isinstance(e, Token)]
        # every index once, each followed by a token that ends it, no placeholder left in a word
        if numbers != list(range(rank)) or not pattern or not isinstance(pattern[0], Token) or any(
                isinstance(e, int) and (k + 1 == len(pattern) or not isinstance(pattern[k + 1], Token))
                for k, e in enumerate(pattern)) or any("slot" in t.text for t in fixed):
            continue
        depth, raised = 0, False
        for t in fixed:
            if t.kind == "op" and t.text in CLOSERS:
                depth += 1
            elif t.is_op(")", "]", "}"):
                depth -= 1
            elif t.is_op("^") and depth == 0:
                raised = True
        forms.setdefault((pattern[0].kind, pattern[0].text), []).append(PrintedForm(pattern, base, rank, raised))
    for found in forms.values():
        found.sort(key=lambda f: -len(f.pattern))
    vocab.__dict__["_printed_forms"] = forms
    return forms


@dataclass(frozen=True)
class WrittenPointMass(PointMass):
    """A point mass written with its variable: :math:`\\delta(x - a)` or :math:`\\delta_a(x)`.

    ``at`` is the variable (None when the argument names none) and ``argument`` the argument as
    written; as a number it is the density :math:`\\delta(\\text{argument})` (Dirac's delta)."""

    at: Any = None
    argument: Any = None


@dataclass(frozen=True)
class WrittenGaussian(Gaussian):
    """A Gaussian as written: ``dim`` is the d of ``\\mathcal{N}(x; m, v I_d)`` when a scalar x stands
    for a vector of d coordinates (its density is then that of d coordinates)."""

    dim: Any = None


def has_identity(value) -> bool:
    """Does ``value`` name the identity matrix (I, I_d, \\mathbb{1})?"""
    return bool(identity_symbols(value))


def identity_symbols(value) -> set:
    if isinstance(value, sp.MatrixBase):
        return set().union(*(identity_symbols(e) for e in value)) if value else set()
    if not isinstance(value, sp.Basic):
        return set()
    return {s for s in value.free_symbols if isinstance(s, sp.Symbol) and s.name.startswith(IDENTITY.name)}


class Parser:
    """Parses one answer; see :func:`parse`."""

    def __init__(self, text: str, vocab: Vocabulary, predefined: dict | None = None, *, limit: int = MAX_CHARS):
        self.predefined = dict(predefined or {})
        self.text = text
        self.vocab = vocab
        self.tokens = normalized(tokenize(text, limit))
        self.i = 0
        self.depth = 0
        self.deadline = time.monotonic() + PARSE_SECONDS
        self.bound: dict[str, sp.Symbol] = {}
        self.locals: dict[Key, object] = {}  # names defined in a where-clause
        self.in_integral = 0
        self.notes: list[str] = []  # how ambiguous pieces were read
        self.in_norm = self.in_abs = self.in_args = 0
        self.after_script = None  # the token right after the last superscript read
        self.identity_dims: dict = {}  # I_d: the identity symbol of each size written
        self.bars: list = []  # the tokens |_{...} that close an open \left.
        self.families: dict = {}  # w_j = ...: name -> (index, tokens of the value, token)
        self.printed = printed_forms(vocab)  # entries of indexed bases as the printer writes them

    # ------------------------------------------------------------------ token helpers
    def peek(self, k: int = 0) -> Token:
        return self.tokens[min(self.i + k, len(self.tokens) - 1)]

    def next(self) -> Token:
        tok = self.peek()
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return tok

    def error(self, message: str, tok: Token | None = None, *, accepted: bool = False) -> AnswerError:
        tok = tok or self.peek()
        return AnswerError(message, position=tok.pos, text=self.text,
                           accepted=self.vocab.accepted() if accepted else "")

    def expect(self, op: str, opened: Token | None = None) -> Token:
        tok = self.peek()
        if not tok.is_op(op):
            if opened is not None:
                raise self.error(f"'{opened.text}' opened at position {opened.pos + 1} is not closed "
                                 f"(expected '{op}', found {_describe(tok)})", tok)
            raise self.error(f"expected '{op}', found {_describe(tok)}", tok)
        return self.next()

    @contextmanager
    def nested(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"the answer nests deeper than {MAX_DEPTH} levels")
        if time.monotonic() > self.deadline:
            raise AnswerError(f"parsing took longer than {PARSE_SECONDS:g} s")
        try:
            yield
        finally:
            self.depth -= 1

    @contextmanager
    def fresh_context(self, *, args: bool = False):
        saved = (self.in_norm, self.in_abs, self.in_args)
        self.in_norm, self.in_abs, self.in_args = 0, 0, int(args)
        try:
            yield
        finally:
            self.in_norm, self.in_abs, self.in_args = saved

    # ------------------------------------------------------------------ grammar
    def parse(self):
        self.trim_end()
        main, definitions = self.split_definitions()
        try:
            placeholders = self.define(definitions)
        except AnswerError as problem:
            self.tokens, self.i = main, 0  # an error in the answer itself comes first
            self.skip_label()
            self.expr()
            self.expect_end()
            raise problem
        self.tokens, self.i = main, 0
        self.skip_label()
        value = self.expr()
        self.expect_end()
        return finalize(substitute(value, placeholders, self), self)

    def trim_end(self) -> None:
        """Punctuation that ends a sentence or a line (``p.``, ``\\mathcal{N}(0, I).``, ``\\\\``) is not
        part of the answer."""
        while len(self.tokens) > 1 and self.tokens[-2].is_op(".", ",", ";"):
            del self.tokens[-2]

    def expect_end(self) -> None:
        if self.peek().kind != "end":
            tok = self.peek()
            if tok.is_op(")", "]", "}"):
                raise self.error(f"unbalanced '{tok.text}': nothing opened it", tok)
            raise self.error(f"unexpected {_describe(tok)}", tok)

    def is_where(self, k: int) -> int:
        """Length of a 'where'/'with'/'and' marker at token k (\\text{where} included), else 0."""
        tok = self.tokens[k]
        if tok.kind == "word" and tok.text in WHERE_WORDS:
            return 1
        if tok.kind == "cmd" and tok.text in TEXTS and self.tokens[k + 1].is_op("{"):
            j = k + 2
            while self.tokens[j].kind == "word" and self.tokens[j].text in WHERE_WORDS:
                j += 1
            if j > k + 2 and self.tokens[j].is_op("}"):
                return j + 1 - k
        return 0

    def is_condition_cut(self, k: int) -> bool:
        """Does a condition start at token k, without a comma (``... \\text{ as } t \\to 1``)?"""
        tok = self.tokens[k]
        if tok.kind == "word" and tok.text in CONDITION_CUTS:
            return self.tokens[k + 1].kind != "end" and self.vocab.entry(name_key(tok.text)) is None
        return tok.kind == "cmd" and tok.text in TEXTS and self.tokens[k + 1].is_op("{") and \
            self.tokens[k + 2].kind == "word" and self.tokens[k + 2].text in CONDITION_CUTS

    def split_definitions(self):
        """``answer, where s = ..., w = ...``: the answer's tokens and each definition's tokens."""
        depth, cuts = 0, []
        k = 0
        while k < len(self.tokens) - 1:
            tok = self.tokens[k]
            if (tok.kind == "op" and tok.text in CLOSERS) or tok.is_cmd("begin"):
                depth += 1
            elif tok.is_op(")", "]", "}") or tok.is_cmd("end"):
                depth -= 1
            elif depth == 0 and k > 0 and self.is_condition_cut(k):  # ... \text{ as } t \to 1
                cuts.append((k, k))
                k += 1
                continue
            elif depth == 0 and (tok.is_op(",", ";") or self.is_where(k)):
                width = self.is_where(k) or 1
                if tok.is_op(",", ";"):
                    width += self.is_where(k + 1)  # ", where w = ..."
                cuts.append((k, k + width))
                k += width
                continue
            k += 1
        if not cuts:
            return self.tokens, []
        end_tok = self.tokens[-1]
        bounds = [0, *[c for cut in cuts for c in cut], len(self.tokens) - 1]
        segments = [self.tokens[bounds[m]:bounds[m + 1]] for m in range(0, len(bounds), 2)]
        main = segments[0] + [Token("end", "", self.tokens[cuts[0][0]].pos)]
        for (cut, _), seg in zip(cuts, segments[1:]):
            if not seg and self.tokens[cut].kind == "op":
                raise self.error(f"a definition (name = value) should follow '{self.tokens[cut].text}'",
                                 self.tokens[cut])
        definitions = []
        for seg in segments[1:]:
            if not seg:
                continue
            if self.is_condition(seg):  # u, 0 <= u <= 1 or ..., z^{(j)} ~ p(z): said, not a definition
                shown = _clip(self.text[seg[0].pos:(seg[-1].pos + len(seg[-1].text) or seg[-1].pos + 1)])
                self.note(f"the condition '{shown}' after the answer was read as a condition and not checked")
                continue
            definitions.append(seg + [Token("end", "", end_tok.pos)])
        if len(definitions) > MAX_DEFINITIONS:
            raise self.error(f"more than {MAX_DEFINITIONS} definitions", self.tokens[cuts[0][0]])
        return main, definitions

    @staticmethod
    def is_condition(segment: list) -> bool:
        """Does a segment after the answer state a condition (a relation such as ``0 \\le u \\le 1``,
        ``t \\in [0, 1]``, ``z^{(j)} \\sim p(z)``, or ``for ...``) rather than define a name?"""
        first = segment[0]
        if (first.kind == "word" and first.text in CONDITION_WORDS) or first.is_cmd("forall"):
            return True
        if first.kind == "cmd" and first.text in TEXTS and len(segment) > 2 and segment[2].kind == "word" \
                and segment[2].text in CONDITION_WORDS:
            return True
        depth = 0
        for tok in segment:
            if tok.kind == "op" and tok.text in CLOSERS:
                depth += 1
            elif tok.is_op(")", "]", "}"):
                depth -= 1
            elif depth == 0 and tok.kind == "op" and tok.text in RELATIONS:
                return True
        return False

    def define(self, definitions: list) -> dict:
        """Parse ``name = expr`` definitions (in any order); scalar names become placeholders that
        are substituted at the end, vector names are bound to their value directly."""
        placeholders: dict = {}
        for name, value in self.predefined.items():
            symbol = sp.Symbol(name)
            self.locals[key_of(symbol)] = symbol
            placeholders[symbol] = value
        pending = list(definitions)
        for _ in range(len(definitions) + 1):
            failed, last_error = [], None
            for tokens in pending:
                try:
                    self.definition(tokens, placeholders)
                except AnswerError as exc:
                    if "unknown symbol" not in exc.message:
                        raise
                    failed.append(tokens)
                    last_error = exc
            if not failed:
                return placeholders
            if len(failed) == len(pending):
                raise last_error
            pending = failed
        return placeholders

    def definition(self, tokens: list, placeholders: dict) -> None:
        self.tokens, self.i = tokens, 0
        first = self.next()
        _, key, indexed = self.read_name(first)
        if self.vocab.entry(key) is not None and not indexed and not self.vocab.is_definable(key) \
                and self.peek().is_op("="):
            # \bar\alpha_t = \prod_s \alpha_s after the answer: a reminder of what a symbol of the part is
            last = tokens[-2] if len(tokens) > 1 else first
            shown = _clip(self.text[first.pos:last.pos + max(len(last.text), 1)])
            self.note(f"'{shown}' restates a symbol of the part; it was read as a remark and not used")
            return
        if indexed or (self.vocab.entry(key) is not None and not self.vocab.is_definable(key)):
            raise self.error("a definition introduces a new name, and this one is already a symbol "
                             "of the part", first)
        if key in self.locals and not isinstance(self.locals[key], sp.Symbol):
            raise self.error("this name is defined twice", first)
        self.expect("=")
        if key.sub in INDEX_LETTERS and not key.sup and self.vocab.entry(key) is None:
            self.family(key, first)  # w_j = ..., a name for each j
            return
        saved = dict(self.bound)
        for index in ("i", "j", "k"):  # w_i = ... may use an index
            self.bound.setdefault(index, self.index_symbol(index))
        try:
            value = self.expr()
        finally:
            self.bound = saved
        self.expect_end()
        if isinstance(value, Mixture):
            raise self.error("a definition must be an expression or a vector, not a distribution", first)
        if isinstance(value, sp.MatrixBase):
            self.locals[key] = column(value)
        else:
            symbol = self.locals.get(key)
            if not isinstance(symbol, sp.Symbol) or symbol in placeholders:
                symbol = sp.Symbol(key.base + (f"_{key.sub}" if key.sub else "") + "'" * len(placeholders))
            self.locals[key] = symbol
            placeholders[symbol] = value

    def family(self, key: Key, first: Token) -> None:
        """``w_j = e^{-...x^{(j)}...}``: a name for each index, read again at each use (w_i, w_2, w_j
        inside a sum over j) with the index it is used with."""
        body = self.tokens[self.i:-1]
        if not body:
            raise self.error("a definition (name = value) needs a value", first)
        try:  # it must read for an index (e_k reads only for a number k)
            self.family_value(key.sub, body, sp.Symbol(key.sub, integer=True, positive=True), first)
        except AnswerError:
            self.family_value(key.sub, body, sp.Integer(1), first)
        self.families[key._replace(sub="")] = (key.sub, body, first)
        self.i = len(self.tokens) - 1

    def family_value(self, index: str, body: list, value, tok: Token):
        """A member of a family of definitions: its body read with ``index`` standing for ``value``."""
        saved = dict(self.bound)
        self.bound[index] = value
        try:
            result = self.parse_tokens(body, tok)
        finally:
            self.bound = saved
        if isinstance(result, Mixture):
            raise self.error("a definition must be an expression or a vector, not a distribution", tok)
        return column(result)

    def skip_label(self) -> None:
        """``q(x_t | x_0) = N(...)`` or ``x_t ~ N(...)``: the answer is what follows the last
        top-level '=' or '~'; what precedes it is a label and is not interpreted."""
        depth, cut = 0, None
        for k, tok in enumerate(self.tokens):
            if tok.kind == "op" and tok.text in CLOSERS:
                depth += 1
            elif tok.kind == "op" and tok.text in (")", "]", "}"):
                depth -= 1
            elif depth == 0 and tok.is_op("=", "~", "->"):
                cut = k
        if cut is not None:
            if self.tokens[cut + 1].kind == "end":
                raise self.error(f"nothing after '{self.tokens[cut].text}'", self.tokens[cut])
            self.i = cut + 1

    def expr(self):
        with self.nested():
            value = self.term()
            while self.peek().is_op("+", "-"):
                op = self.next()
                value = combine(value, self.term(), op.text, op, self)
            return value

    def term(self, *, allow_division: bool = True):
        value = self.signed()
        while True:
            tok = self.peek()
            if tok.is_op("*"):
                self.next()
                value = multiply(value, self.signed(), tok, self)
            elif tok.is_op("/") and allow_division:
                self.next()
                value = divide(value, self.signed(), tok, self)
            elif self.starts_factor(tok) and not self.at_differential():
                value = multiply(value, self.power(), tok, self)
            else:
                return value

    def signed(self):
        with self.nested():
            tok = self.peek()
            if tok.is_op("-"):
                self.next()
                return negate(self.signed(), tok, self)
            if tok.is_op("+"):
                self.next()
                return self.signed()
            return self.power()

    def starts_factor(self, tok: Token) -> bool:
        if tok.kind in ("num", "word"):
            return True
        if tok.kind == "cmd":
            return tok.text in PRIMARY_CMDS or tok.text in ("delta", "Vert")
        if tok.kind == "op":
            if tok.text in ("(", "[", "{", "left."):
                return True
            if tok.text == "||":
                return self.in_norm == 0 and self.in_args == 0
            if tok.text == "|":  # |_{z=a} closes an evaluation; it never opens |x|
                return self.in_abs == 0 and self.in_args == 0 and not self.peek(1).is_op("_")
        return False

    def power(self):
        base = self.primary()
        while True:
            if self.peek().is_op("^"):
                hat = self.next()
                if hat is self.after_script:
                    raise self.error("a double superscript (LaTeX refuses x^{a}^{b}): write {x^{a}}^{b} or "
                                     "(x^{a})^{b}", hat)
                if self.transpose_follows():
                    base = transpose(base, hat, self)
                else:
                    braced = self.peek().is_op("{")
                    base = power(base, self.exponent(), hat, self)
                    if braced:
                        self.after_script = self.peek()
            elif self.peek().is_op("|") and self.peek(1).is_op("_") and self.in_abs == 0 and \
                    not any(self.peek() is bar for bar in self.bars):
                bar = self.next()  # f(z)|_{z=a}: evaluated at a
                base = self.evaluated_at(base, bar)
            else:
                return base

    def transposed_next(self) -> bool:
        """Is the '^' ahead followed by a transpose mark (T, \\top, {T}, {\\top})? Consumes nothing."""
        def mark(tok) -> bool:
            return (tok.kind == "cmd" and tok.text in ("top", "intercal")) or (tok.kind == "word" and tok.text == "T")
        after = self.peek(1)
        return mark(after) or (after.is_op("{") and mark(self.peek(2)) and self.peek(3).is_op("}"))

    def transpose_follows(self) -> bool:
        """After '^': is it T, \\top or {T} / {\\top}?  Consumes it if so."""
        tok = self.peek()
        if (tok.kind == "cmd" and tok.text in ("top", "intercal")) or (tok.kind == "word" and tok.text == "T"):
            self.next()
            return True
        if tok.is_op("{"):
            inner, close = self.peek(1), self.peek(2)
            if ((inner.kind == "cmd" and inner.text in ("top", "intercal")) or
                    (inner.kind == "word" and inner.text == "T")) and close.is_op("}"):
                self.i += 3
                return True
        return False

    def exponent(self, *, chain: bool = True):
        """What follows '^': a braced group, a signed primary, and (a^b^c = a^(b^c)) its own power.

        ``chain=False`` reads the limit of a sum or an integral: ``_0^1`` is 0 then 1, not 0^1."""
        with self.nested():
            tok = self.peek()
            if tok.is_op("{"):
                return self.group()
            if tok.is_op("-"):
                self.next()
                return negate(self.exponent(chain=chain), tok, self)
            if tok.is_op("+"):
                self.next()
                return self.exponent(chain=chain)
            value = self.primary()
            if chain and self.peek().is_op("^"):
                hat = self.next()
                value = power(value, self.exponent(), hat, self)
            return value

    def limit(self):
        return self.exponent(chain=False)

    def group(self):
        """``{ expr }``"""
        opened = self.expect("{")
        with self.fresh_context():
            value = self.expr()
        self.expect("}", opened)
        return value

    def argument(self):
        """The argument of \\frac or \\sqrt: a braced group or a single token (\\frac12)."""
        tok = self.peek()
        if tok.is_op("{"):
            return self.group()
        if tok.kind == "num" and len(tok.text) > 1 and tok.text.isdigit():
            # \frac12 means 1/2: a bare argument is one digit
            self.tokens[self.i:self.i + 1] = [Token("num", tok.text[0], tok.pos),
                                              Token("num", tok.text[1:], tok.pos + 1)]
        return self.primary()

    def primary(self):
        with self.nested():
            printed = self.printed_entry()
            if printed is not None:
                return printed
            tok = self.next()
            if tok.kind == "num":
                return sp.Rational(tok.text)
            if tok.kind == "op":
                return self.bracketed(tok)
            if tok.kind == "cmd":
                return self.command(tok)
            if tok.kind == "word":
                return self.word(tok)
            raise self.error("the answer ends too early" if tok.kind == "end" else f"unexpected {_describe(tok)}", tok)

    def printed_entry(self):
        """An entry of an indexed base spelled as the course's printer writes it (``x^{(i)}_{j}``,
        ``Q\\left(z \\mid x^{(i)}\\right)``, ``\\sigma_{z}^{2}``, ``\\mu_{0,j}``, ``x^{(i)}`` for data
        points named X): read and returned, or None with nothing read."""
        tok = self.peek()
        for form in self.printed.get((tok.kind, tok.text), ()):
            value = self.match_printed(form)
            if value is not None:
                return value
        return None

    def match_printed(self, form: PrintedForm):
        """``form`` at the current token, its indices read as expressions; None (nothing read) if the
        tokens are not that form."""
        pattern, k, found = form.pattern, self.i, {}
        for m, element in enumerate(pattern):
            if isinstance(element, Token):
                tok = self.tokens[k]
                if tok.kind != element.kind or tok.text != element.text:
                    return None
                k += 1
                continue
            stop, depth, begin = pattern[m + 1], 0, k  # an index runs to the token after it, brackets balanced
            while True:
                tok = self.tokens[k]
                if tok.kind == "end":
                    return None
                if depth == 0 and k > begin and tok.kind == stop.kind and tok.text == stop.text:
                    break
                if tok.kind == "op" and tok.text in CLOSERS:
                    depth += 1
                elif tok.is_op(")", "]", "}"):
                    depth -= 1
                    if depth < 0:
                        return None
                k += 1
            if k - begin > MAX_INDEX_TOKENS:
                return None
            found[element] = self.tokens[begin:k]
        if self.tokens[k].is_op("_"):  # x^{(i)}_j: a script of its own follows, not the printer's spelling
            return None
        try:
            indices = [self.parse_tokens(found[r], found[r][0]) for r in range(form.rank)]
        except AnswerError:
            return None
        if not all(isinstance(v, sp.Expr) and not has_identity(v) for v in indices):
            return None
        self.i = k
        if form.raised:
            self.after_script = self.peek()
        return form.base[tuple(indices)] if form.rank > 1 else form.base[indices[0]]

    def bracketed(self, tok: Token):
        if tok.text == "(":
            close = self.matching(self.i - 1)
            if close is not None and self.coordinates_follow(close):
                return self.vector_of(tok)
            return self.sequence(tok, ")")
        if tok.text == "[":
            return self.sequence(tok, "]")
        if tok.text == "{":
            self.i -= 1
            if self.unbrace_name():
                return self.primary()
            return self.group()
        if tok.text == "left.":
            return self.invisible_group(tok)
        if tok.text == "||":
            with self.fresh_context():
                self.in_norm = 1
                inner = self.expr()
            self.expect("||", tok)
            if self.peek().is_op("_"):  # \|v\|_2
                self.next()
                sub = self.script_text()
                if sub != "2":
                    raise self.error("only the Euclidean norm \\|v\\|_2 is accepted", tok)
            return norm(self.as_number(inner, tok), tok, self)
        if tok.text == "|":  # where an operand starts, | opens |x| (between arguments it is p(x | z))
            with self.fresh_context():
                self.in_abs = 1
                inner = self.expr()
            self.expect("|", tok)
            return abs_value(self.as_number(inner, tok), tok, self)
        raise self.error(f"unexpected {_describe(tok)}", tok)

    def coordinates_follow(self, close: int) -> bool:
        """Does ``_{j=a}^{b}`` follow the bracket closed at token ``close`` (a vector given by its
        coordinates, as the printer writes it: ``\\left(x^{(i)}_{j}\\right)_{j=1}^{d}``)?"""
        t = self.tokens[close + 1:close + 5]
        if len(t) < 4 or not (t[0].is_op("_") and t[1].is_op("{") and t[2].kind == "word" and t[3].is_op("=")):
            return False
        end = self.matching(close + 2)
        return end is not None and self.tokens[end + 1].is_op("^")

    def vector_of(self, tok: Token):
        """``(e)_{j=a}^{b}``: the vector whose coordinate j is e, read with j bound as a sum's index."""
        close = self.matching(self.i - 1)
        name = _spelled(name_key(self.tokens[close + 3].text))
        index = self.index_symbol(name)
        saved = self.bound.get(name)
        self.bound[name] = index
        try:
            with self.fresh_context():
                body = self.as_number(self.expr(), tok)
            self.expect(")", tok)
            self.expect("_")
            _, lower = self.sum_range(tok)
            self.expect("^")
            upper = self.limit()
        finally:
            if saved is None:
                self.bound.pop(name)
            else:
                self.bound[name] = saved
        for value in (body, lower, upper):
            if not isinstance(value, sp.Expr) or has_identity(value):
                raise self.error("a vector (e_j)_{j=1}^{d} takes an expression and numbers or symbols as limits", tok)
        return VectorOf(body, (index, lower, upper))

    def matching(self, k: int) -> int | None:
        """The index of the token that closes the bracket opened at token ``k`` (None if none)."""
        depth = 0
        for m in range(k, len(self.tokens)):
            tok = self.tokens[m]
            if tok.kind == "op" and tok.text in CLOSERS:
                depth += 1
            elif tok.is_op(")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return m
            elif tok.kind == "end":
                return None
        return None

    def unbrace_name(self) -> bool:
        """``{x}_{i}``, ``{\\hat{x}}_{i}``: a name in braces followed by a script is that name (as
        LaTeX sets it). Removes the braces and says so; anything else in braces is a group."""
        close = self.matching(self.i)
        if close is None or close == self.i + 1 or not self.tokens[close + 1].is_op("_", "^"):
            return False
        inside = self.tokens[self.i + 1:close]
        names = [t for t in inside if t.kind == "word" or (t.kind == "cmd" and (t.text in GREEK or
                                                                               t.text in GREEK_ALIASES))]
        shape = all(t.kind in ("word", "cmd") or t.is_op("{", "}") for t in inside)
        if len(names) != 1 or not shape or not all(t.kind != "cmd" or t.text in ACCENTS or t.text in GREEK or
                                                   t.text in GREEK_ALIASES for t in inside):
            return False
        del self.tokens[close]
        del self.tokens[self.i]
        return True

    def invisible_group(self, opened: Token):
        """``\\left. f \\right|_{z=a}`` (f evaluated at z = a) or ``\\left. f \\right.``."""
        close = self.evaluation_close(self.i)
        saved = dict(self.locals), list(self.bars)
        if close is not None:  # the variables of the evaluation may be new names: known inside
            self.bars.append(self.tokens[close])  # this bar closes the group, not a factor inside it
            for key in self.evaluation_names(close + 1):
                if not self.known(key) and not key.sup:
                    self.locals[key] = sp.Symbol(_plain(key), real=True)
        try:
            with self.fresh_context():
                value = self.expr()
            if self.peek().is_op("right."):
                self.next()
                return value
            if self.peek().is_op("|") and self.peek(1).is_op("_"):
                return self.evaluated_at(value, self.next())
        finally:
            self.locals, self.bars = saved
        raise self.error("\\left. is closed by \\right. or by \\right|_{z=a}", opened)

    def evaluation_close(self, k: int) -> int | None:
        """The index of the ``|`` of ``\\right|_{...}`` that closes the ``\\left.`` before token k
        (None when a ``\\right.`` closes it, or nothing does)."""
        depth = 0
        for m in range(k, len(self.tokens)):
            tok = self.tokens[m]
            if tok.kind == "end":
                return None
            if (tok.kind == "op" and tok.text in CLOSERS) or tok.is_op("left."):
                depth += 1
            elif tok.is_op(")", "]", "}"):
                depth -= 1
            elif tok.is_op("right.") or (tok.is_op("|") and self.tokens[m + 1].is_op("_")):
                if depth == 0:
                    return m if tok.is_op("|") else None
                depth -= 1
        return None

    def evaluation_names(self, k: int) -> list:
        """The keys of the variables assigned in ``_{\\substack{z=a \\\\ y=b}}`` starting at token k."""
        keys, m = [], k + 1
        depth = 0
        start = True
        while m < len(self.tokens) and self.tokens[m].kind != "end":
            tok = self.tokens[m]
            if tok.is_op("{"):
                depth += 1
            elif tok.is_op("}"):
                depth -= 1
                if depth <= 0:
                    break
            elif tok.is_op(";", ","):
                start = True
                m += 1
                continue
            if start and (tok.kind == "word" or (tok.kind == "cmd" and (tok.text in GREEK or tok.text in ACCENTS))):
                saved = (self.tokens, self.i)
                try:
                    self.i = m
                    _, key, _ = self.read_name(self.next())
                    keys.append(key)
                except AnswerError:
                    pass
                finally:
                    self.tokens, self.i = saved
                start = False
            m += 1
        return keys

    def evaluated_at(self, value, bar: Token):
        """After ``|``: ``_{z=a}``, ``_{\\substack{ z=a \\\\ y=b }}``: the value with z = a (and y = b)."""
        self.expect("_")
        opened = self.expect("{")
        inner = None
        if self.peek().is_cmd("substack"):
            self.next()
            inner = self.expect("{")
        variables, points = [], []
        with self.fresh_context():
            while True:
                name = self.next()
                _, key, indexed = self.read_name(name)
                var = None if indexed else self.vocab.lookup(key) if self.vocab.lookup(key) is not None \
                    else self.locals.get(key)
                if not isinstance(var, sp.Symbol):
                    raise self.error("an evaluation |_{z=a} sets a symbol of this part", name, accepted=True)
                self.expect("=")
                variables.append(var)
                points.append(self.as_number(self.expr(), name))
                if not self.peek().is_op(";", ","):
                    break
                self.next()
        if inner is not None:
            self.expect("}", inner)
        self.expect("}", opened)
        value = self.as_number(value, bar)
        if not isinstance(value, sp.Expr):
            raise self.error("only an expression can be evaluated at a point", bar)
        return sp.Subs(value, tuple(variables), tuple(points))

    def as_number(self, value, tok: Token):
        """A distribution written at a point used as a number: its density there (N(x; m, v) is the
        Gaussian density at x, \\delta(x - a) Dirac's delta); anything else unchanged."""
        if isinstance(value, Mixture):
            density = density_of(value)
            if density is not None:
                return density
        return value

    def sequence(self, opened: Token, close: str):
        """``(a)`` and ``[a]`` (brackets that group), or a vector ``(a, b)`` / ``[a, b]``; a bracketed
        list is a row until ^T."""
        with self.fresh_context():
            items = [self.expr()]
            while self.peek().is_op(","):
                self.next()
                items.append(self.expr())
        self.expect(close, opened)
        if len(items) == 1:
            return items[0]
        if len(items) > MAX_MATRIX:
            raise self.error(f"vectors longer than {MAX_MATRIX} entries are not accepted", opened)
        items = [self.as_number(item, opened) for item in items]
        for item in items:
            if not isinstance(item, sp.Expr):
                raise self.error("a vector's entries must be numbers or expressions", opened)
        return sp.Matrix([items])

    # ------------------------------------------------------------------ commands
    def command(self, tok: Token):
        name = tok.text
        if name in FRACTIONS:
            derivative = self.derivative_fraction(tok)
            if derivative is not None:
                return derivative
            num = self.argument()
            den = self.argument()
            return divide(self.as_number(num, tok), self.as_number(den, tok), tok, self)
        if name == "sqrt":
            index = None
            if self.peek().is_op("["):
                opened = self.next()
                index = self.expr()
                self.expect("]", opened)
            value = self.argument()
            return root(value, index, tok, self)
        if name in FUNCTIONS:
            return self.function(tok, name)
        if name in BIG_OPERATORS:
            return self.summation(tok, BIG_OPERATORS[name])
        if name == "int":
            return self.integral(tok)
        if name == "lim":
            return self.limit_of(tok)
        if name in ("nabla", "partial"):
            return self.derivative(tok)
        if name == "sigma" and self.peek().is_op("(") and self.vocab.entry(name_key("sigma")) is None:
            return self.function(tok, "sigmoid")  # the logistic function
        if name == "mathcal":
            word = self.braced_word()
            if word in ("N",):
                return self.normal(tok)
            if word in ("U",):
                return self.uniform(tok)
            raise self.error(f"unknown distribution \\mathcal{{{word}}} (accepted: \\mathcal{{N}}, \\mathcal{{U}})", tok)
        if name in TEXTS:
            word = self.braced_word()
            if name == "mathbb" and word in ("I", "1"):
                return self.identity_scripts(IDENTITY)
            return self.named(word, tok)
        if name in STYLES:  # \mathbf{x}: the same symbol (normally removed before parsing)
            if self.peek().is_op("{"):
                return self.group()
            return self.primary()
        if name == "begin":
            return self.matrix(tok)
        if name == "infty":
            return sp.oo
        if name == "pi" and self.vocab.lookup(name_key("pi")) is None and not self.peek().is_op("_"):
            return sp.pi
        if name == "delta" and self.vocab.entry(name_key("delta")) is None:
            return self.point_mass(tok)
        if name == "binom":
            top, bottom = self.argument(), self.argument()
            if not (isinstance(top, sp.Expr) and isinstance(bottom, sp.Expr)):
                raise self.error("\\binom takes two numbers or expressions", tok)
            return sp.binomial(top, bottom)
        if name in ACCENTS or name in GREEK or name in GREEK_ALIASES:
            return self.atom(tok)
        if name in ("top", "intercal"):
            raise self.error("a transpose must follow '^' (write x^\\top)", tok)
        if (found := measures.operator(self, name, tok)) is not None:  # \Pr(A)
            return found
        read = vectors_read.command(self, tok)  # \det J_f(x)
        if read is not None:
            return read
        raise self.error(f"unknown command \\{name}", tok, accepted=True)

    def braced_word(self) -> str:
        """The letters inside ``{...}`` after \\mathcal, \\operatorname, \\text ..."""
        if not self.peek().is_op("{"):
            tok = self.next()
            if tok.kind != "word":
                raise self.error(f"expected a name, found {_describe(tok)}", tok)
            return tok.text
        opened = self.next()
        parts = []
        while not self.peek().is_op("}"):
            tok = self.next()
            if tok.kind not in ("word", "num") and not tok.is_op("-", "_"):
                raise self.error(f"expected a name inside braces, found {_describe(tok)}", tok)
            parts.append(tok.text)
        self.expect("}", opened)
        return "".join(parts)

    def named(self, word: str, tok: Token):
        """A name written in \\operatorname{...} / \\mathrm{...}: a function, a distribution, an
        expectation or a symbol."""
        if (found := measures.operator(self, word, tok)) is not None:  # P(A), KL(q || p)
            return found
        if word in FUNCTIONS and self.vocab.entry(name_key(word)) is None:
            return self.function(tok, word)
        if word in NORMAL_NAMES:
            return self.normal(tok)
        if word in UNIFORM_NAMES:
            return self.uniform(tok)
        if word in EXPECTATION_NAMES and self.vocab.entry(name_key(word)) is None and \
                self.peek().is_op("_", "[", "(", "{"):
            return self.expectation(tok)
        return self.atom(Token("word", word, tok.pos))

    def function(self, tok: Token, name: str):
        """sqrt(x), \\exp(x), \\log^2 x, \\exp x, \\log\\frac{a}{b}: the argument is a bracket, or
        without one the factors written next to the name (see :func:`Parser.bare_argument`)."""
        exponent = None
        if self.peek().is_op("^") and name != "sqrt":  # \log^2 x is (\log x)^2
            hat = self.next()
            exponent = self.exponent(chain=False)
            if exponent == -1:
                raise self.error(f"{name}^{{-1}} would be an inverse function, which is not accepted; "
                                 f"write 1/{name}(...) for the reciprocal", hat)
        if name in VARIADIC:
            args, _ = self.call_args(tok, separators=(",",))
            args = [self.as_number(a, tok) for a in args]
            if not all(isinstance(a, sp.Expr) for a in args):
                raise self.error(f"{name} takes numbers or expressions", tok)
            value = FUNCTIONS[name](*args)
            return value if exponent is None else power(value, exponent, tok, self)
        if self.peek().is_op("(", "{", "["):
            opened = self.next()
            with self.fresh_context():
                arg = self.expr()
            self.expect(CLOSERS[opened.text], opened)
        elif self.peek().kind == "end":
            raise self.error(f"{name} needs an argument", tok)
        else:
            arg = self.bare_argument(tok)
        arg = self.as_number(arg, tok)
        if not isinstance(arg, sp.Expr):
            raise self.error(f"{name} takes a number or an expression, not a {kind_name(arg)}", tok)
        if name in ("log", "ln") and arg == 0:
            raise self.error("log(0) is undefined", tok)
        value = FUNCTIONS[name](arg)
        return value if exponent is None else power(value, exponent, tok, self)

    def bare_argument(self, tok: Token):
        """The argument of a function written without brackets, by the usual reading of LaTeX: the
        factors written next to the name, up to the next ``+``, ``-``, ``/``, explicit product
        (``*``, ``\\cdot``, ``\\times``), function name, closing bracket, comma or relation.

        ``\\log 2x`` is log(2x), ``\\log x^2`` log(x^2), ``\\log x \\log y`` log(x) log(y),
        ``\\log a + b`` log(a) + b, ``\\log x / y`` log(x)/y, ``\\log x \\cdot y`` log(x) y, and
        ``\\log \\frac{1}{K}\\sum_k p_k`` the log of the average. Where a reader could take it
        otherwise (several factors that are not all numbers, or an explicit product right after),
        a note says how it was read."""
        first = self.peek()
        factors, starts = [self.signed()], [first.pos]
        while self.starts_factor(self.peek()) and not self.at_differential() and not self.starts_function():
            starts.append(self.peek().pos)
            factors.append(self.power())
        end = self.peek()
        arg = factors[0]
        for factor in factors[1:]:
            arg = multiply(arg, factor, first, self)
        written = self.text[tok.pos:first.pos].strip()  # \log, \operatorname{log}
        inside = _clip(self.text[first.pos:end.pos])
        symbolic = [f for f in factors if not (isinstance(f, sp.Expr) and f.is_number)]
        if len(symbolic) > 1:
            head, rest = _clip(self.text[starts[0]:starts[1]]), _clip(self.text[starts[1]:end.pos])
            self.note(f"a bare {written} takes all the factors written after it: '{written} {inside}' was read "
                      f"as {written}({inside}), not {written}({head}) {rest}")
        elif end.is_op("*") and self.starts_factor(self.peek(1)):
            times = self.text[end.pos:self.peek(1).pos].strip()  # *, \cdot or \times as written
            self.note(f"an explicit {times} ends the argument of a bare {written}: '{written} {inside} {times} ...' "
                      f"was read as {written}({inside}) {times} ...; write {written}({inside} {times} ...) to "
                      "put the product inside")
        return arg

    def starts_function(self) -> bool:
        """Does a function name (\\log, \\exp, \\operatorname{log}, log( ...) start here?  It ends the
        bare argument of the function before it: \\log x \\log y is log(x) log(y)."""
        tok, nxt = self.peek(), self.peek(1)
        if tok.kind == "cmd" and tok.text in FUNCTIONS:
            return tok.text != "sqrt"
        if tok.kind == "cmd" and tok.text in TEXTS and nxt.is_op("{"):
            word = self.peek(2)
            return word.kind == "word" and word.text in FUNCTIONS and word.text != "sqrt" and self.peek(3).is_op("}")
        if tok.kind == "word" and tok.text in FUNCTIONS and tok.text != "sqrt" and nxt.is_op("("):
            return self.vocab.entry(name_key(tok.text)) is None
        return tok.is_cmd("sigma") and nxt.is_op("(") and self.vocab.entry(name_key("sigma")) is None

    def note(self, message: str) -> None:
        """Record how an ambiguous piece was read (shown with the verdict, never an error)."""
        if message not in self.notes:
            self.notes.append(" ".join(message.split()))

    def summation(self, tok: Token, kind=sp.Sum):
        """\\sum_{i=1}^{n} body (and \\prod); the body is the following product (it stops at + - and /)."""
        what = "sum" if kind is sp.Sum else "product"
        over_coordinate = vectors_read.coordinate_sum(self, tok, kind)  # \sum_{{x}_{k}=1}^{K}
        if over_coordinate is not None:
            return over_coordinate
        index_name, lower, upper = None, sp.S(1), None
        for _ in range(2):
            if self.peek().is_op("_") and index_name is None:
                self.next()
                index_name, lower = self.sum_range(tok)
            elif self.peek().is_op("^") and upper is None:
                self.next()
                upper = self.limit()
        if isinstance(index_name, list):
            return self.multiple_sum(index_name, tok, kind)
        if index_name is None:
            raise self.error(f"a {what} needs its index, as in \\{tok.text}_{{i=1}}^{{n}}", tok)
        # a limit left out is the reference's for that index (\sum_j over j = 1..K), else 1 and n
        known = self.vocab.ranges.get(index_name)
        if lower is None:
            lower = known[0] if known is not None else sp.S(1)
        if upper is None:
            upper = known[1] if known is not None else self.vocab.lookup(name_key("n"))
            if upper is None:
                raise self.error(f"a {what} needs its upper limit, as in \\{tok.text}_{{i=1}}^{{n}}", tok)
        for bound in (lower, upper):
            if not isinstance(bound, sp.Expr) or has_identity(bound):
                raise self.error(f"the limits of a {what} must be numbers or symbols", tok)
        if (upper - lower).is_number and abs(upper - lower) > MAX_SUM_TERMS:
            raise self.error(f"a {what} of more than {MAX_SUM_TERMS} terms is not accepted", tok)
        index = self.index_symbol(index_name)
        if lower.is_Integer and upper.is_Integer:
            return self.unrolled_sum(index_name, int(lower), int(upper), tok, kind)
        body = self.body_with(index_name, index)
        if isinstance(body, Mixture) and kind is sp.Sum:
            if any(c.over is not None for c in body.components):
                raise self.error("nested sums of distributions are not accepted", tok)
            return Mixture(tuple(replace(c, over=(index, lower, upper)) for c in body.components))
        body = self.as_number(body, tok)
        if isinstance(body, Mixture):
            raise self.error("a product of distributions is not accepted", tok)
        if isinstance(body, sp.MatrixBase):
            if kind is not sp.Sum:
                raise self.error("a product of vectors is not accepted", tok)
            return body.applyfunc(lambda e: sp.Sum(e, (index, lower, upper)))
        return kind(body, (index, lower, upper))

    def multiple_sum(self, ranges: list, tok: Token, kind):
        """A sum over several indices at once (``\\sum_{\\substack{...}}``), kept unevaluated."""
        saved = dict(self.bound)
        limits = []
        for name, low, high in ranges:
            index = self.index_symbol(name)
            self.bound[name] = index
            limits.append((index, low, high))
        try:
            body = self.as_number(self.term(allow_division=False), tok)
        finally:
            self.bound = saved
        if not isinstance(body, sp.Expr):
            raise self.error("a sum over several indices takes an expression", tok)
        return kind(body, *limits)  # SymPy writes the innermost index first

    def body_with(self, name: str, value):
        """The summand, read with the index ``name`` bound to ``value``."""
        saved = self.bound.get(name)
        self.bound[name] = value
        try:
            return self.term(allow_division=False)
        finally:
            if saved is None:
                self.bound.pop(name)
            else:
                self.bound[name] = saved

    def unrolled_sum(self, name: str, lower: int, upper: int, tok: Token, kind=sp.Sum):
        """A sum (or product) with numeric limits, written out: x^{(i)} then names x^{(1)}, x^{(2)} ..."""
        start, end, total = self.i, None, None
        for k in range(lower, upper + 1):
            self.i = start
            term = self.body_with(name, sp.Integer(k))
            if end is not None and self.i != end:
                raise self.error("the summand reads differently for different indices", tok)
            end = self.i
            if total is None:
                total = term
            elif kind is sp.Sum:
                total = combine(total, term, "+", tok, self)
            else:
                total = multiply(self.as_number(total, tok), self.as_number(term, tok), tok, self)
        if total is None:  # an empty sum: skip its summand
            self.body_with(name, sp.Integer(lower))
            return sp.S(0) if kind is sp.Sum else sp.S(1)
        return total

    def sum_range(self, tok: Token):
        """``_{i=1}``, ``_{i}``, ``_i``, ``_{x_1=0}``: the index's spelling and the lower limit; or,
        for ``_{\\substack{1 \\le i \\le n \\\\ 1 \\le z \\le k}}``, a list of (index, lower, upper)."""
        if not self.peek().is_op("{"):
            name = self.next()
            if name.kind != "word":
                raise self.error(f"expected the index of the sum, found {_describe(name)}", name)
            return _spelled(name_key(name.text)), None
        opened = self.next()
        if self.peek().is_cmd("substack"):
            ranges = self.index_ranges(tok)
            self.expect("}", opened)
            return ranges, None
        name = self.next()
        if name.kind not in ("word", "cmd"):
            raise self.error(f"expected the index of the sum, found {_describe(name)}", name)
        _, key, indexed = self.read_name(name)
        if indexed:
            raise self.error("the index of a sum is a plain name, as in \\sum_{i=1}^{n}", name)
        lower = None
        if self.peek().is_op("="):
            self.next()
            with self.fresh_context():
                lower = self.expr()
        self.expect("}", opened)
        return _spelled(key), lower

    def index_ranges(self, tok: Token) -> list:
        """``\\substack{1 \\le i \\le n \\\\ 1 \\le z \\le k}``: (index, lower, upper) for each row."""
        self.next()  # \substack
        opened = self.expect("{")
        close = self.matching(self.i - 1)
        if close is None:
            raise self.error("'{' is not closed", opened)
        rows, row = [], []
        for t in self.tokens[self.i:close]:
            if t.is_op(";"):
                rows.append(row)
                row = []
            else:
                row.append(t)
        rows.append(row)
        self.i = close + 1
        ranges = []
        for row in rows:
            marks = [k for k, t in enumerate(row) if t.is_op("<=", "<")]
            if len(marks) != 2:
                raise self.error("each row of \\substack is 'lower \\le index \\le upper'", tok)
            first, second = marks
            low = self.parse_tokens(row[:first], tok)
            high = self.parse_tokens(row[second + 1:], tok)
            if row[first].is_op("<"):
                low = low + 1
            if row[second].is_op("<"):
                high = high - 1
            names = row[first + 1:second]
            if not names or names[0].kind not in ("word", "cmd"):
                raise self.error("each row of \\substack is 'lower \\le index \\le upper'", tok)
            saved = (self.tokens, self.i)
            self.tokens, self.i = list(names) + [Token("end", "", names[-1].pos + 1)], 0
            try:
                _, key, _ = self.read_name(self.next())
            finally:
                self.tokens, self.i = saved
            ranges.append((_spelled(key), low, high))
        return ranges

    def index_symbol(self, name: str) -> sp.Symbol:
        """The symbol of a sum's index: the part's own symbol of that name, or a new positive integer."""
        key = _key_of_spelling(name)
        known = self.vocab.lookup(key)
        if isinstance(known, sp.Symbol):
            return known
        return sp.Symbol(name, integer=True, positive=True)

    def integral(self, tok: Token):
        """\\int_{a}^{b} body \\, dz; no limits, or only a domain (\\int_z, \\int_{x_1},
        \\int_{\\mathbb{R}}): the whole real line."""
        lower = upper = None
        lower_at = None
        for _ in range(2):
            if self.peek().is_op("_") and lower is None:
                self.next()
                lower_at = self.i
                lower = self.limit_tokens()
            elif self.peek().is_op("^") and upper is None:
                self.next()
                upper = self.limit_tokens()
        if upper is not None and lower is None:
            raise self.error("give an integral both limits or none", tok)
        if upper is None and lower is not None and not self.is_domain(lower):
            raise self.error("give an integral both limits, or only its variable (\\int_z ... dz)",
                             self.tokens[lower_at] if lower_at is not None else tok)
        if upper is not None:
            lower, upper = self.parse_tokens(lower, tok), self.parse_tokens(upper, tok)
            for end in (lower, upper):
                if not isinstance(end, sp.Expr):
                    raise self.error("the limits of an integral must be numbers or expressions", tok)
        self.in_integral += 1
        try:
            body = self.term()
        finally:
            self.in_integral -= 1
        if not self.at_differential(inside=True):
            raise self.error("an integral needs its differential, as in \\int f(z)\\, dz", self.peek())
        over_vector = vectors_read.vector_integral(self, tok, lower, upper, body)  # \int_{\mathbb{R}^d} f\, dx
        if over_vector is not None:
            return over_vector
        var = self.differential()
        body = self.as_number(body, tok)
        if isinstance(body, sp.MatrixBase):
            return body.applyfunc(lambda e: sp.Integral(e, (var, -sp.oo, sp.oo) if upper is None else
                                                        (var, lower, upper)))
        if not isinstance(body, sp.Expr):
            raise self.error(f"only expressions can be integrated, not a {kind_name(body)}", tok)
        if upper is None:
            lower, upper = -sp.oo, sp.oo
        return sp.Integral(body, (var, lower, upper))

    def limit_tokens(self) -> list:
        """The tokens of a script (``_{...}`` or one token, a sign and a token): read, not parsed."""
        tok = self.peek()
        if tok.is_op("{"):
            close = self.matching(self.i)
            if close is None:
                raise self.error("'{' is not closed", tok)
            inside = self.tokens[self.i + 1:close]
            self.i = close + 1
            return inside
        start = self.i
        if tok.is_op("-", "+"):
            self.next()
        if self.peek().kind == "cmd" and self.peek().text in (*TEXTS, "mathcal"):  # _\mathbb{R}: the style and its group
            self.next()
            if self.peek().is_op("{"):
                self.i = (self.matching(self.i) or self.i) + 1
            return self.tokens[start:self.i]
        if self.peek().kind == "cmd" and self.peek().text in ACCENTS:
            self.next()
        self.next()
        return self.tokens[start:self.i]

    def is_domain(self, tokens: list) -> bool:
        """Is the only script of an integral its domain (a variable, \\mathbb{R}, \\mathbb{R}^d)?"""
        if not tokens:
            return False
        first = tokens[0]
        if first.kind == "cmd" and first.text in ("mathbb", "mathcal", "mathrm", "Omega"):
            return True
        return all(t.kind in ("word", "cmd") or t.is_op("_", "{", "}", "^", "(", ")") for t in tokens) and \
            any(t.kind == "word" or (t.kind == "cmd" and (t.text in GREEK or t.text in GREEK_ALIASES)) for t in tokens)

    def parse_tokens(self, tokens: list, tok: Token):
        """Parse a run of tokens (a limit, a point) as one expression of its own."""
        saved = (self.tokens, self.i)
        end = tokens[-1].pos + 1 if tokens else tok.pos
        self.tokens, self.i = list(tokens) + [Token("end", "", end)], 0
        try:
            with self.fresh_context():
                value = self.expr()
            self.expect_end()
        finally:
            self.tokens, self.i = saved
        return value

    def at_differential(self, *, inside: bool = False) -> bool:
        """Inside an integral: is the next thing ``dz``, ``d z``, ``dx_1`` or ``\\mathrm{d} z``?"""
        if not (self.in_integral or inside):
            return False
        tok, nxt = self.peek(), self.peek(1)
        if tok.kind == "word" and tok.text == "d":
            return nxt.kind in ("word", "cmd") and self.vocab.lookup(name_key("d")) is None or \
                self.names_variable(nxt)
        if tok.kind == "word" and tok.text.startswith("d") and len(tok.text) > 1:
            rest = name_key(tok.text[1:])
            return self.variable_named(tok.text[1:]) is not None or self.vocab.has_base(rest.base) or \
                any(k.base == rest.base for k in self.locals)
        return tok.kind == "cmd" and tok.text in TEXTS and nxt.is_op("{") and self.peek(2).text == "d" \
            and self.peek(3).is_op("}")

    def names_variable(self, tok: Token) -> bool:
        """Does ``tok`` start the name of a symbol (an integration variable after ``d``)?"""
        if tok.kind == "cmd":
            return tok.text in GREEK or tok.text in GREEK_ALIASES or tok.text in ACCENTS
        if tok.kind != "word":
            return False
        key = name_key(tok.text)
        return self.vocab.has_base(key.base) or any(k.base == key.base for k in self.locals) or \
            tok.text in self.bound

    def variable_named(self, name: str):
        key = name_key(name)
        value = self.vocab.lookup(key)
        if value is None:
            value = self.locals.get(key)
        return value if isinstance(value, sp.Symbol) else None

    def split_d(self, k: int) -> None:
        """A word ``dz`` (``dx`` of ``dx_1``) at token k becomes the two tokens ``d`` and ``z``."""
        tok = self.tokens[k]
        if tok.kind == "word" and tok.text.startswith("d") and len(tok.text) > 1:
            self.tokens[k:k + 1] = [Token("word", "d", tok.pos),
                                    Token("word", tok.text[1:], tok.pos + 1)]

    def own(self, key: Key):
        """The answer's own definition of ``key`` where it has one that the part lets it make."""
        if key in self.locals and (self.vocab.entry(key) is None or self.vocab.is_definable(key)):
            return self.locals[key]
        return None

    def symbol_named(self, key: Key):
        """The symbol of the part (or of the answer's definitions) written ``key``, or None."""
        value = self.own(key)
        if value is None:
            value = self.vocab.lookup(key)
        if value is None:
            value = self.locals.get(key)
        if value is None and not key.sub and not key.sup and not key.decorations:
            value = self.bound.get(key.base)
        return value if isinstance(value, sp.Symbol) else None

    def differential(self) -> sp.Symbol:
        self.split_d(self.i)
        tok = self.next()
        if tok.kind == "cmd":
            self.i += 3  # {d}
        var_tok = self.next()
        _, key, _ = self.read_name(var_tok)
        var = self.symbol_named(key)
        if var is None:
            raise self.error("the variable of integration must be a symbol of this part", tok, accepted=True)
        return var

    def variable(self, tok: Token) -> sp.Symbol:
        """A symbol to differentiate by: ``\\theta`` or ``{\\theta}``."""
        opened = self.next() if self.peek().is_op("{") else None
        name_tok = self.next()
        _, key, _ = self.read_name(name_tok)
        if opened is not None:
            self.expect("}", opened)
        var = self.symbol_named(key)
        if var is None:
            raise self.error("a derivative is taken with respect to a symbol of this part", name_tok, accepted=True)
        return var

    def derivative(self, tok: Token):
        """\\nabla_\\theta f or \\partial_\\theta f: the derivative of the next factor."""
        if not self.peek().is_op("_"):
            raise self.error(f"write the variable: \\{tok.text}_{{\\theta}} f", tok)
        self.next()
        var = self.variable(tok)
        return self.differentiate(self.power(), ((var, 1),), tok)

    def d_mark(self, k: int) -> int:
        """The width of a differential sign (``d``, ``\\partial``, ``\\mathrm{d}``) at token k, else 0."""
        tok = self.tokens[k]
        if tok.is_cmd("partial") or (tok.kind == "word" and tok.text == "d"):
            return 1
        if tok.kind == "cmd" and tok.text in TEXTS and k + 3 < len(self.tokens) and self.tokens[k + 1].is_op("{") \
                and self.tokens[k + 2].kind == "word" and self.tokens[k + 2].text == "d" and self.tokens[k + 3].is_op("}"):
            return 4
        return 0

    def derivative_fraction(self, tok: Token):
        """``\\frac{d}{dx} f``, ``\\frac{d^{2}}{d x^{2}} f``, ``\\frac{\\partial^{2}}{\\partial y \\partial x} f``,
        ``\\frac{\\partial f}{\\partial z}``, ``\\frac{df}{dt}``: a derivative; None for any other fraction."""
        if not self.peek().is_op("{"):
            return None
        if (found := measures.jacobian(self, tok)) is not None:  # dNN(z)_j / dz_a
            return found
        start = self.i
        num_close = self.matching(start)
        if num_close is None or num_close == start + 1 or not self.tokens[num_close + 1].is_op("{"):
            return None
        self.split_d(start + 1)
        num_close = self.matching(start)
        width = self.d_mark(start + 1)
        if not width:
            return None
        partial = self.tokens[start + 1].is_cmd("partial")
        den_open = num_close + 1
        # the denominator: d x, d x^{2}, \partial y \partial x ... (words dx split first)
        k = den_open + 1
        while k < len(self.tokens) and not self.tokens[k].kind == "end":
            if self.tokens[k].is_op("}") and self.matching(den_open) == k:
                break
            if not self.tokens[k - 1].is_op("_", "^"):
                self.split_d(k)
            k += 1
        den_close = self.matching(den_open)
        if den_close is None:
            return None
        chunks, k = [], den_open + 1
        while k < den_close:
            mark = self.d_mark(k)
            if not mark:
                if partial:
                    raise self.error("the denominator of a partial derivative is \\partial and a symbol", tok)
                return None
            k += mark
            begin = k
            while k < den_close and not (self.d_mark(k) and not self.tokens[k - 1].is_op("_", "^") and k > begin):
                if self.tokens[k].is_op("{"):
                    k = self.matching(k)
                k += 1
            chunks.append(self.tokens[begin:k])
        if not chunks:
            return None
        variables = []
        for chunk in chunks:
            whole = self.printed_variable(chunk)  # \partial \sigma_{z}^{2}: the entry sigma^2[z], not a square
            if whole is not None:
                variables.append((whole, 1))
                continue
            order = 1
            if len(chunk) >= 2 and chunk[-2].is_op("^") and chunk[-1].kind == "num":
                order, chunk = int(chunk[-1].text), chunk[:-2]
            elif len(chunk) >= 4 and chunk[-4].is_op("^") and chunk[-3].is_op("{") and chunk[-2].kind == "num" \
                    and chunk[-1].is_op("}"):
                order, chunk = int(chunk[-2].text), chunk[:-4]
            var = self.variable_of(chunk)
            if var is None:
                if partial:
                    raise self.error("a derivative is taken with respect to a symbol of this part", chunk[0]
                                     if chunk else tok, accepted=True)
                return None
            variables.append((var, order))
        # the numerator: the sign, its order, and the operand if written there
        k = start + 1 + width
        total = None
        if self.tokens[k].is_op("^"):
            k += 1
            if self.tokens[k].kind == "num":
                total, k = int(self.tokens[k].text), k + 1
            elif self.tokens[k].is_op("{") and self.tokens[k + 1].kind == "num" and self.tokens[k + 2].is_op("}"):
                total, k = int(self.tokens[k + 1].text), k + 3
            else:
                raise self.error("the order of a derivative is a number, as in \\frac{d^{2}}{dx^{2}}", tok)
        orders = sum(order for _, order in variables)
        if total is not None and total != orders:
            raise self.error(f"the numerator of this derivative says order {total}, its denominator {orders}", tok)
        if orders > MAX_ORDER:
            raise self.error(f"derivatives of order above {MAX_ORDER} are not accepted", tok)
        operand_tokens = self.tokens[k:num_close]
        self.i = den_close + 1
        # as for a sum, an operator written in front takes the product that follows it
        operand = self.parse_tokens(operand_tokens, tok) if operand_tokens else self.term(allow_division=False)
        return self.differentiate(operand, tuple(reversed(variables)), tok)

    def name_of(self, tokens: list):
        """The key of the one name a run of tokens spells (known to the part or not), or None."""
        if not tokens or tokens[0].kind not in ("word", "cmd"):
            return None
        saved = (self.tokens, self.i)
        self.tokens, self.i = list(tokens) + [Token("end", "", tokens[-1].pos + 1)], 0
        try:
            _, key, indexed = self.read_name(self.next())
            return key if not indexed and self.peek().kind == "end" else None
        except AnswerError:
            return None
        finally:
            self.tokens, self.i = saved

    def printed_variable(self, tokens: list):
        """The entry of an indexed base that a run of tokens spells as the printer writes it, or None."""
        if not tokens:
            return None
        saved = (self.tokens, self.i)
        self.tokens, self.i = list(tokens) + [Token("end", "", tokens[-1].pos + 1)], 0
        try:
            value = self.printed_entry()
            return value if value is not None and self.peek().kind == "end" else None
        finally:
            self.tokens, self.i = saved

    def variable_of(self, tokens: list):
        """The symbol a run of tokens names (``x``, ``\\theta_0``, ``x_{t}``), or None."""
        if not tokens:
            return None
        saved = (self.tokens, self.i)
        self.tokens, self.i = list(tokens) + [Token("end", "", tokens[-1].pos + 1)], 0
        try:
            while self.peek().is_op("(", "{") and self.matching(0) == len(self.tokens) - 2:
                self.tokens = self.tokens[1:-2] + self.tokens[-1:]  # {\theta}, \left(\sigma^{2}_{z}\right)
            printed = self.printed_entry()  # \sigma_{z}^{2}, x^{(i)}_{j}: as the printer writes an entry
            if printed is not None and self.peek().kind == "end":
                return printed
            self.i = 0
            if self.peek().is_op("{"):
                self.unbrace_name()  # {p}_{z}
            first = self.peek()
            _, key, indexed = self.read_name(self.next())
            if indexed:
                self.i = 0
                value = self.primary()  # {p}_{z}, x^{(i)}: an entry of an indexed base
                return value if isinstance(value, sp.Indexed) and self.peek().kind == "end" else None
            if self.peek().kind != "end" or first.kind not in ("word", "cmd"):
                return None
            return self.symbol_named(key)
        except AnswerError:
            return None
        finally:
            self.tokens, self.i = saved

    def differentiate(self, operand, variables, tok: Token):
        operand = self.as_number(operand, tok)
        if isinstance(operand, sp.MatrixBase):
            return operand.applyfunc(lambda e: sp.Derivative(e, *variables))
        if not isinstance(operand, sp.Expr):
            raise self.error(f"cannot differentiate a {kind_name(operand)}", tok)
        return sp.Derivative(operand, *variables)

    def call_args(self, tok: Token, separators=(",", ";", "|", "||")) -> tuple[list, list[str]]:
        """``( a , b | c ; d )``, ``(q \\| p)``, ``[q \\| p]`` or SymPy's ``{\\left(a \\right)}``: the
        arguments and the separators between them."""
        braced = self.peek().is_op("{") and self.peek(1).is_op("(")
        if braced:
            outer = self.next()
        if not self.peek().is_op("(", "["):
            raise self.error(f"expected '(' after {_describe(tok)}", self.peek())
        opened = self.next()
        args, seps = [], []
        with self.fresh_context(args="|" in separators or "||" in separators):  # | separates p(x | z)
            args.append(self.expr())
            while self.peek().is_op(*separators):
                seps.append(self.next().text)
                args.append(self.expr())
        self.expect(CLOSERS[opened.text], opened)
        if braced:
            self.expect("}", outer)
        return args, seps

    def calls(self) -> bool:
        """Is a call's opening bracket next: ``(``, ``[`` or SymPy's ``{\\left(``?"""
        return self.peek().is_op("(", "[") or (self.peek().is_op("{") and self.peek(1).is_op("("))

    def variable_of_density(self):
        """``N(x; m, c)`` or ``N(x | m, c)``: the variable before ';' (or else the first '|'), read if it
        is a known expression (then the Gaussian can stand for its density at x) and otherwise skipped."""
        depth, bar, cut = 0, None, None
        for k in range(self.i + 1, len(self.tokens)):
            tok = self.tokens[k]
            if (tok.kind == "op" and tok.text in CLOSERS) or tok.is_cmd("begin"):
                depth += 1
            elif tok.is_op(")", "]", "}") or tok.is_cmd("end") or tok.kind == "end":
                depth -= 1
                if depth < 0:
                    break
            elif depth == 0 and tok.is_op(";"):
                cut = k
                break
            elif depth == 0 and tok.is_op("|") and bar is None and k > self.i + 1:
                bar = k
        cut = cut if cut is not None else bar
        if cut is None:
            return None
        tok = self.tokens[cut]
        variable_tokens = self.tokens[self.i + 1:cut]
        self.tokens[self.i + 1:cut + 1] = []
        saved = (self.tokens, self.i)
        self.tokens, self.i = variable_tokens + [Token("end", "", tok.pos)], 0
        try:
            with self.fresh_context():
                at = self.expr()
            self.expect_end()
        except AnswerError:
            at = None  # a label such as x_t that is not a symbol of the part
        finally:
            self.tokens, self.i = saved
        return at if isinstance(at, (sp.Expr, sp.MatrixBase)) else None

    def normal(self, tok: Token):
        """N(mean, cov), N(x; mean, cov) or N(x | mean, cov); I in the covariance is the identity
        (``I_d``: of dimension d)."""
        at = self.variable_of_density() if self.peek().is_op("(") else None
        args, seps = self.call_args(tok, separators=(",", ";"))
        if len(args) != 2:
            raise self.error(f"a Gaussian takes a mean and a covariance, got {len(args)} arguments", tok)
        mean, cov = (self.as_number(a, tok) for a in args)
        if not isinstance(mean, (sp.Expr, sp.MatrixBase)) or not isinstance(cov, (sp.Expr, sp.MatrixBase)):
            raise self.error("the mean and covariance of a Gaussian must be expressions", tok)
        if has_identity(mean):
            raise self.error("the identity I belongs in the covariance, not the mean", tok)
        identities = identity_symbols(cov)
        dims = {self.identity_dims[s] for s in identities if s in self.identity_dims}
        if len(dims) > 1:
            raise self.error("the covariance names identities of different sizes", tok)
        cov = cov.subs({s: 1 for s in identities})
        dim = dims.pop() if dims else None
        dim = vectors_read.density_dim(self, at, dim, identities)  # N(x; m, v I), x a vector of d coordinates
        if dim is not None and (isinstance(mean, sp.MatrixBase) or not isinstance(at, sp.Expr)):
            dim = None  # a written vector has its length already
        return as_mixture(WrittenGaussian(column(mean), cov, at=column(at) if at is not None else None, dim=dim,
                                          isotropic=bool(identities)))

    def uniform(self, tok: Token):
        if self.peek().is_op("["):
            opened = self.next()
            with self.fresh_context():
                low = self.expr()
                self.expect(",")
                high = self.expr()
            self.expect("]", opened)
            args = [low, high]
        else:
            args, _ = self.call_args(tok, separators=(",", ";"))
        if len(args) != 2 or not all(isinstance(a, sp.Expr) and not has_identity(a) for a in args):
            raise self.error("a uniform distribution takes the two ends of its interval, as in U(0, 1)", tok)
        low, high = args
        if (high - low).is_positive is False:  # decided for numbers and for signs SymPy can infer
            raise self.error(f"a uniform distribution U(low, high) needs low < high, got U({sp.sstr(low)}, "
                             f"{sp.sstr(high)})", tok)
        return as_mixture(Uniform(low, high))

    def point_mass(self, tok: Token):
        """\\delta_{a} or \\delta(a): all mass at a; \\delta_{a}(x) and \\delta(x - a), with x a
        new name (the variable), say the same at the point x, and as a number are Dirac's delta."""
        at = argument = None
        if self.peek().is_op("_"):
            self.next()
            atom = self.group() if self.peek().is_op("{") else self.primary()
            if self.calls() and not self.peek().is_op("["):  # \delta_{x_1}(x): the density's variable
                at = self.free_argument(tok)
        elif self.calls():
            split = self.point_mass_variable(tok)
            if split is not None:
                at, atom = split
            else:
                args, _ = self.call_args(tok, separators=(",",))
                if len(args) != 1:
                    raise self.error("a point mass takes one location, as in \\delta_{x_1}", tok)
                argument = atom = self.as_number(args[0], tok)
        else:
            raise self.error("write a point mass as \\delta_{a} or \\delta(a)", tok)
        if not isinstance(atom, (sp.Expr, sp.MatrixBase)):
            raise self.error("a point mass sits at an expression", tok)
        return as_mixture(WrittenPointMass(column(atom), at=at, argument=argument))

    def free_argument(self, tok: Token):
        """``(x)`` after \\delta_{a}: the variable, a symbol of the part or a new name."""
        saved = dict(self.locals)
        opened = self.peek()
        close = self.matching(self.i + (1 if opened.is_op("{") else 0))
        if close is not None:
            self.declare_free(self.tokens[self.i:close])
        try:
            args, _ = self.call_args(tok)
        finally:
            self.locals = saved
        if len(args) != 1 or not isinstance(args[0], (sp.Expr, sp.MatrixBase)):
            raise self.error("the variable of a point mass is one symbol, as in \\delta_{x_1}(x)", tok)
        return args[0]

    def declare_free(self, tokens: list) -> None:
        """Make each unknown plain name among ``tokens`` a new symbol (a variable the answer introduces)."""
        for t in tokens:
            if t.kind == "word" and len(t.text) <= 3:
                key = name_key(t.text)
                if not self.known(key) and t.text not in FUNCTIONS and self.special(key.base, key.sub) is None:
                    self.locals[key] = sp.Symbol(_plain(key), real=True)
            elif t.kind == "cmd" and (t.text in GREEK or t.text in GREEK_ALIASES):
                key = name_key(t.text)
                if not self.known(key):
                    self.locals[key] = sp.Symbol(_plain(key), real=True)

    def point_mass_variable(self, tok: Token):
        """In ``\\delta(x - a)``, ``\\delta(a - x)`` or ``\\delta(x + a)``, a name x that is not a symbol
        of the part is the variable: reads the call and returns (x, the atom), x a new symbol; else None
        (nothing read)."""
        braced = self.peek().is_op("{")
        start = self.i + (2 if braced else 1)
        close = self.matching(start - 1)
        if close is None or close - start < 3:
            return None
        inside = self.tokens[start:close]
        for name, neighbour, rest, negated in ((inside[0], inside[1], inside[1:], True),
                                               (inside[-1], inside[-2], inside[:-2], inside[-2].is_op("+"))):
            if not neighbour.is_op("-", "+") or not (name.kind == "word" or (
                    name.kind == "cmd" and (name.text in GREEK or name.text in GREEK_ALIASES))):
                continue
            key = name_key(name.text)
            if self.known(key) or self.special(key.base, key.sub) is not None or name.text in FUNCTIONS:
                continue
            var = sp.Symbol(_plain(key), real=True)
            saved = dict(self.locals)
            self.locals[key] = var  # the variable is known in the argument only
            try:
                atom = self.as_number(self.parse_tokens(rest, tok), tok)
            finally:
                self.locals = saved
            if not isinstance(atom, (sp.Expr, sp.MatrixBase)):
                return None
            self.i = close + 1 + (1 if braced else 0)
            return var, (-atom if negated else atom)
        return None

    def matrix(self, tok: Token):
        env = self.braced_word()
        if env not in ("pmatrix", "bmatrix", "matrix", "vmatrix", "Bmatrix"):
            raise self.error(f"unknown environment {env}", tok)
        rows, row = [], []
        with self.fresh_context():
            while True:
                row.append(self.expr())
                sep = self.next()
                if sep.is_op("&"):
                    continue
                rows.append(row)
                row = []
                if sep.is_op(";"):
                    if self.peek().is_cmd("end"):
                        self.next()
                        break
                    continue
                if sep.is_cmd("end"):
                    break
                raise self.error(f"expected '&', '\\\\' or \\end{{{env}}}, found {_describe(sep)}", sep)
        if self.braced_word() != env:
            raise self.error(f"\\begin{{{env}}} is closed by a different \\end", tok)
        if len({len(r) for r in rows}) != 1 or len(rows) > MAX_MATRIX or len(rows[0]) > MAX_MATRIX:
            raise self.error("the rows of a matrix must have the same length (at most 10)", tok)
        if not all(isinstance(e, sp.Expr) for r in rows for e in r):
            raise self.error("a matrix's entries must be numbers or expressions", tok)
        return sp.Matrix(rows)

    # ------------------------------------------------------------------ symbols
    def word(self, tok: Token):
        w = tok.text
        free = self.vocab.entry(name_key(w)) is None
        if w in FUNCTIONS and self.calls() and free:
            return self.function(tok, w)
        if w in BIG_OPERATORS and self.peek().is_op("_") and free:
            return self.summation(tok, BIG_OPERATORS[w])
        if w == "lim" and self.peek().is_op("_") and free:
            return self.limit_of(tok)
        if w in ("nabla", "grad") and self.peek().is_op("_"):
            return self.derivative(tok)
        if w in ("int", "integral") and free:
            return self.integral(tok)
        if w in NORMAL_NAMES and self.peek().is_op("(") and free:
            return self.normal(tok)
        if w in UNIFORM_NAMES and self.peek().is_op("(", "[") and free:
            return self.uniform(tok)
        if w in POINT_NAMES and self.peek().is_op("(", "_") and free:
            return self.point_mass(tok)
        if w in EXPECTATION_NAMES and self.peek().is_op("[", "_") and free:
            return self.expectation(tok)
        if (found := measures.operator(self, w, tok)) is not None:  # P(A), KL(q || p)
            return found
        if w in vectors_read.WORDS and free:
            read = vectors_read.word(self, tok)  # det J_f(x)
            if read is not None:
                return read
        return self.atom(tok)

    def expectation(self, tok: Token):
        """``\\mathbb{E}[f]``, ``\\mathbb{E}_{z \\sim q}[f]``, ``E_{x_0, t}\\{f\\}``, ``\\mathbb{E}_z f``: the
        expectation of f (its subscript names the measure and is not interpreted). The expectation of
        an expression without random symbols is that expression."""
        law = None
        if self.peek().is_op("_"):
            self.next()
            law = measures.law(self, self.limit_tokens())
        if self.peek().is_op("[", "(", "{"):
            opened = self.next()
            with self.fresh_context():
                body = self.expr()
            self.expect(CLOSERS[opened.text], opened)
        else:
            body = self.term(allow_division=False)
        body = self.as_number(body, tok)
        if not isinstance(body, (sp.Expr, sp.MatrixBase)):
            raise self.error(f"the expectation of a {kind_name(body)} is not accepted", tok)
        if law is not None:  # E_{z ~ p(z)}[f]: the expectation of f over z under p
            return measures.expectation(body, *law)
        if isinstance(body, sp.MatrixBase):
            return body.applyfunc(sps.Expectation)
        return sps.Expectation(body)

    def law(self, tokens: list):
        """The subscript of an expectation, when it names a density of the part: ``z \\sim p(z)``,
        ``p(z)``, ``z \\sim q_\\phi(z|x)``, ``q_\\phi(z|x)``: (z, the density); else None (a
        subscript such as ``t, x_0, x_1`` only names what is averaged)."""
        cut = next((k for k, t in enumerate(tokens) if t.is_op("~")), None)
        written = tokens[cut + 1:] if cut is not None else tokens
        try:
            density = self.parse_tokens(written, tokens[0]) if written else None
        except AnswerError:
            return None
        if not isinstance(density, sp.Expr) or not isinstance(density, sp.Function) or \
                not is_user_function(density.func) or has_formula(density.func):
            return None
        var = self.variable_of(tokens[:cut]) if cut is not None else density.args[0]
        if not isinstance(var, sp.Symbol) or var not in density.args:
            return None
        return var, density

    def limit_of(self, tok: Token):
        """``\\lim_{t \\to 1} f``, ``\\lim_{t \\to 1^-} f`` (from below), ``\\lim_{x \\to 0^+} f``; the
        body is the following product, as for a sum."""
        if not self.peek().is_op("_"):
            raise self.error("write the limit's variable and point, as in \\lim_{t \\to 1}", tok)
        self.next()
        tokens = self.limit_tokens()
        arrow = next((k for k, t in enumerate(tokens) if t.is_op("->")), None)
        if arrow is None or arrow == 0 or arrow == len(tokens) - 1:
            raise self.error("write the limit's variable and point, as in \\lim_{t \\to 1}", tok)
        var = self.variable_of(tokens[:arrow])
        saved = dict(self.locals)
        if var is None:  # a variable of the limit alone (alphabar_t -> 0 where the answer no longer has it)
            key = self.name_of(tokens[:arrow])
            if key is None:
                raise self.error("the variable of a limit is one symbol", tok, accepted=True)
            var = sp.Symbol(_plain(key), positive=True)
            self.locals[key] = var
        point, direction = tokens[arrow + 1:], "+-"
        if len(point) >= 2 and point[-2].is_op("^") and point[-1].is_op("+", "-"):
            point, direction = point[:-2], point[-1].text
        elif len(point) >= 4 and point[-4].is_op("^") and point[-3].is_op("{") and point[-2].is_op("+", "-") \
                and point[-1].is_op("}"):
            point, direction = point[:-4], point[-2].text
        try:
            target = self.as_number(self.parse_tokens(point, tok), tok)
            body = self.as_number(self.term(allow_division=False), tok)
        finally:
            self.locals = saved
        if not isinstance(target, sp.Expr) or not isinstance(body, (sp.Expr, sp.MatrixBase)):
            raise self.error("a limit is taken of an expression, at a number or a symbol", tok)
        if target.is_infinite:
            direction = "-" if target == sp.oo else "+"
        elif direction == "+-" and var.is_positive and target == 0:
            direction = "+"  # a positive variable tends to 0 from above
        if isinstance(body, sp.MatrixBase):
            return body.applyfunc(lambda e: sp.Limit(e, var, target, direction))
        return sp.Limit(body, var, target, direction)

    def read_name(self, tok: Token):
        """Decorations, base and scripts of a written name: (base token, key, is it indexed)."""
        decorations: list[str] = []
        base_tok = tok
        inner_sub = ""
        while base_tok.kind == "cmd" and base_tok.text in ACCENTS:
            decorations.append(ACCENTS[base_tok.text])
            if self.peek().is_op("{"):
                opened = self.next()
                base_tok = self.next()
                while base_tok.kind == "cmd" and base_tok.text in ACCENTS:  # \bar{\hat x}
                    decorations.append(ACCENTS[base_tok.text])
                    if self.peek().is_op("{"):
                        inner = self.next()
                        base_tok = self.next()
                        self.expect("}", inner)
                    else:
                        base_tok = self.next()
                if self.peek().is_op("_"):  # \bar{\alpha_t}
                    self.next()
                    inner_sub = self.script_text()
                self.expect("}", opened)
                break
            base_tok = self.next()
        if base_tok.kind not in ("word", "cmd") or (base_tok.kind == "cmd" and base_tok.text not in GREEK
                                                      and base_tok.text not in GREEK_ALIASES):
            raise self.error(f"expected a symbol, found {_describe(base_tok)}", base_tok)
        base = base_tok.text
        plain = name_key(base, decorations)
        if self.vocab.indexed(plain) is not None and not inner_sub and not self.scripted_name_follows(
                base, decorations) and (self.vocab.symbol(plain) is None or self.script_indexes(plain)):
            return base_tok, plain, True
        other = base.swapcase() if len(base) == 1 else None  # x^{(i)} for data points named X
        if other and not inner_sub and self.vocab.indexed(name_key(other, decorations)) \
                and not self.scripted_symbol(name_key(base, decorations)) \
                and self.script_indexes(name_key(base, decorations)):
            return base_tok, name_key(other, decorations), True
        sub, sup = inner_sub, ""
        for _ in range(2):
            if self.peek().is_op("_") and not sub:
                self.next()
                sub_tok = self.peek()
                sub = self.script_text()
                if sub_tok.kind == "word" and len(sub) > 1 and not self.known(name_key(base, decorations, sub)) \
                        and self.known(name_key(base, decorations, sub[0])):
                    # LaTeX: \alpha_tx_0 is \alpha_t x_0 (an unbraced subscript is one character)
                    self.tokens.insert(self.i, Token("word", sub[1:], sub_tok.pos + 1))
                    sub = sub[0]
            elif self.peek().is_op("^") and not sup:
                sup, sub = self.name_superscript(name_key(base, decorations, sub))
                if not sup:
                    break
        return base_tok, name_key(base, decorations, sub, sup), False

    def scripted_name_follows(self, base: str, decorations) -> bool:
        """Is the script that follows part of a symbol's name (x_0 where the part has a symbol x_0 as
        well as data points x^{(i)})?  Reads nothing."""
        if not self.peek().is_op("_", "^"):
            return False
        start = self.i
        try:
            scripts = {"sub": "", "sup": ""}
            while self.peek().is_op("_", "^") and not all(scripts.values()):
                which = "sub" if self.next().text == "_" else "sup"
                scripts[which] = self.script_text()
            sub, sup = scripts["sub"], scripts["sup"]
            return any(self.vocab.entry(name_key(base, decorations, a, b)) is not None
                       for a, b in ((sub, sup), (sub, ""), ("", sup)) if a or b)
        except AnswerError:
            return False
        finally:
            self.i = start

    def script_indexes(self, plain: Key) -> bool:
        """After a letter whose other case names the data points (x for X): does the script that
        follows pick a data point? ``x_i``, ``x[i]``, ``x^{(i)}``, ``x^i`` with i an index do; ``x^2``
        is a square when the part has a symbol x, and ``x`` alone is that symbol."""
        nxt = self.peek()
        if nxt.is_op("_", "["):
            return True
        if not nxt.is_op("^"):
            return False
        first = self.peek(1)
        inner = self.peek(2) if first.is_op("{") else first
        if first.is_op("(") or (first.is_op("{") and inner.is_op("(")):
            return True
        if first.is_op("{") and not self.peek(3).is_op("}"):
            return False
        if inner.kind == "word":
            known = self.bound.get(inner.text)
            if known is None:
                known = self.vocab.lookup(name_key(inner.text))
            return isinstance(known, sp.Basic) and bool(known.is_integer)
        if inner.kind == "num":
            return self.vocab.entry(plain) is None and plain not in self.locals
        return False

    def name_superscript(self, key: Key) -> tuple[str, str]:
        """After a name and '^': the superscript if it is part of a name of the part (``x^{(i)}``,
        ``\\sigma^{2}_{z}`` for the symbol sigma_z^2, ``F^{-1}``), with the subscript that may follow it;
        ('', sub) leaves the '^' for a power."""
        index = self.index_superscript(key)
        if index:
            self.after_script = self.peek()
            return index, key.sub
        start = self.i
        self.next()  # '^'
        try:
            sup = self.script_text()
        except AnswerError:
            self.i = start
            return "", key.sub
        sub = key.sub
        if not sub and self.peek().is_op("_"):  # \sigma^{2}_{z}: the superscript written first
            mark = self.i
            self.next()
            try:
                sub = self.script_text()
            except AnswerError:
                sub = ""
            if not self.known(name_key(key.base, key.decorations, sub, sup)):
                self.i, sub = mark, ""
        candidate = name_key(key.base, key.decorations, sub, sup)
        written_first = sub != key.sub
        function = is_user_function(self.vocab.lookup(candidate)) and self.calls()
        if self.known(candidate) and (written_first or function or not self.known(key._replace(sup=""))):
            self.after_script = self.peek()
            return sup, sub
        self.i = start
        return "", key.sub

    def scripted_symbol(self, key: Key) -> bool:
        """Does the vocabulary have ``key`` with some subscript or superscript (x_1, x^{(i)})?"""
        return any(e.key.base == key.base and e.key.decorations == key.decorations and (e.key.sub or e.key.sup)
                   for e in self.vocab.entries)

    def known(self, key: Key) -> bool:
        return self.vocab.entry(key) is not None or key in self.locals or self.vocab.vector(key) is not None

    def atom(self, tok: Token):
        """A symbol with its decorations and scripts: \\bar{\\alpha}_t, x^{(i)}, \\sigma_z, abar_t, x0;
        letters run together that name no symbol are the product of the symbols they spell, the last
        one taking the scripts (``tx_1`` is t x_1, ``tx^{(i)}`` is t x^{(i)})."""
        if tok.kind != "word" or not 1 < len(tok.text) <= MAX_SPLIT:
            return self.named_atom(tok)
        saved_tokens, saved_i = list(self.tokens), self.i
        try:
            return self.named_atom(tok)
        except AnswerError as exc:
            if not exc.message.startswith("unknown symbol") or exc.position != tok.pos:
                raise
            pieces = self.split(tok.text)
            if pieces is None:
                raise
            self.tokens, self.i = saved_tokens, saved_i - 1
            spelled, pos = [], tok.pos
            for piece in pieces:
                spelled.append(Token("word", piece, pos))
                pos += len(piece)
            self.tokens[self.i:self.i + 1] = spelled
            return self.primary()

    def split(self, word: str):
        """``word`` as a run of names of the part (each but the last a plain symbol), or None."""
        if len(word) <= 1:
            return None
        for k in range(len(word) - 1, 0, -1):
            head, rest = word[:k], word[k:]
            value = self.vocab.lookup(name_key(head))
            if value is None:
                value = self.special(head, "")
            if not isinstance(value, sp.Expr) or has_identity(value) or not (value.is_Symbol or value.is_number):
                continue
            if self.may_name(rest):
                return [head, rest]
            tail = self.split(rest)
            if tail is not None:
                return [head, *tail]
        return None

    def may_name(self, word: str) -> bool:
        """Can ``word`` (with scripts that may follow it) name something of the part?"""
        key = name_key(word)
        if self.vocab.lookup(key) is not None or key in self.locals or word in self.bound:
            return True
        bases = {e.key.base for e in self.vocab.entries if e.key.decorations == key.decorations}
        others = {key.base, key.base.swapcase()} if len(key.base) == 1 else {key.base}
        return bool(others & bases) or self.special(key.base, key.sub) is not None

    def named_atom(self, tok: Token):
        read = vectors_read.name(self, tok)  # x_{<i}; x^{(i)} beside a vector x
        if read is not None:
            return read
        base_tok, key, indexed = self.read_name(tok)
        if indexed:
            return self.indexed(self.vocab.indexed(key).obj, tok)
        cond, joint = self.vocab.conditional(key), self.vocab.joint(key)
        if (cond or joint) and (self.calls() or self.powered_call()):
            exponent = self.call_exponent()
            args, seps = self.call_args(tok)
            if "|" in seps and cond:
                value = self.apply(self.pick(cond, args), args, tok)
            elif "," in seps and joint is not None:
                value = self.apply(joint.obj, args, tok)
            else:
                plain = self.vocab.lookup(key)
                if not is_user_function(plain):
                    forms = [e.latex() for e in cond] + ([joint.latex()] if joint else [])
                    raise self.error(f"write this function as {' or '.join(forms)}", tok)
                value = self.apply(plain, args, tok)
            return value if exponent is None else power(value, exponent, tok, self)
        parameter = None
        if self.vocab.lookup(key) is None and key.sub and key not in self.locals and self.calls():
            # f_a(x): a function of the part with its parameter a written as a subscript
            head = self.vocab.lookup(key._replace(sub=""))
            if is_user_function(head):
                parameter = self.symbol_named(name_key(key.sub))
                if parameter is not None:
                    args, _ = self.call_args(tok)
                    return self.apply(head, args, tok, parameter=parameter)
        value = self.resolve(base_tok, key)
        if measures.is_network(value) and (found := measures.network_call(self, value, tok)) is not None:
            return found  # NN_phi(x)_a
        if is_user_function(value):
            order = self.primes()
            exponent = self.call_exponent()
            args, _ = self.call_args(tok)
            value = self.apply(value, args, tok)
            if order:
                value = _derivative_in_last_argument(value, order)
            return value if exponent is None else power(value, exponent, tok, self)
        return value

    def primes(self) -> int:
        """``f'(x)``, ``f''(x)``, ``f^{\\prime}(x)``: how many primes follow a function's name."""
        count = 0
        while True:
            if self.peek().is_op("'"):
                self.next()
                count += 1
            elif self.peek().is_op("^") and self.peek(1).is_cmd("prime"):
                self.i += 2
                count += 1
            elif self.peek().is_op("^") and self.peek(1).is_op("{") and self.peek(2).is_cmd("prime"):
                k = 2
                while self.peek(k).is_cmd("prime"):
                    k += 1
                if not self.peek(k).is_op("}"):
                    break
                count += k - 2
                self.i += k + 1
            else:
                break
        if count > MAX_ORDER:
            raise self.error(f"derivatives of order above {MAX_ORDER} are not accepted")
        return count

    def powered_call(self) -> bool:
        """``f^{2}{\\left(x \\right)}`` (SymPy's f(x)^2): a superscript, then a call."""
        if not self.peek().is_op("^"):
            return False
        k = self.i + 1
        if self.tokens[k].is_op("{"):
            close = self.matching(k)
            if close is None:
                return False
            k = close + 1
        else:
            k += 1
        nxt = self.tokens[k]
        return nxt.is_op("(") or (nxt.is_op("{") and self.tokens[k + 1].is_op("("))

    def call_exponent(self):
        """The power written between a function's name and its arguments, if any."""
        if not self.powered_call():
            return None
        self.next()
        braced = self.peek().is_op("{")
        value = self.exponent(chain=False)
        if braced:
            self.after_script = self.peek()
        return value

    def pick(self, entries: list, args: list):
        """Of p_theta(x | z) and p_theta(z | x): the one the reference applies to these arguments."""
        if len(entries) == 1:
            return entries[0].obj
        for e in entries:
            expected = self.vocab.arity.get(e.obj)
            if expected is not None and _same_roles(expected, args):
                return e.obj
        return entries[0].obj

    def apply(self, f, args: list, tok: Token, parameter=None):
        """``f(args)``; a missing argument named in the subscript is filled in: NN_\\theta(z) is
        NN_theta(theta, z) when the reference writes it so, and K_a(x, y) is K(x, y, a) when the
        reference applies K to a there."""
        args = [self.as_number(a, tok) for a in args]
        for a in args:
            if not isinstance(a, sp.Expr):
                raise self.error(f"the arguments of {f.__name__} must be expressions", tok)
        expected = self.vocab.arity.get(f)
        if expected is None and f.nargs is not sp.S.Naturals0 and len(f.nargs) == 1:
            expected = (None,) * next(iter(f.nargs))
        if parameter is not None:
            where = [k for k, e in enumerate(expected or ()) if e == parameter]
            at = where[0] if where and len(args) == len(expected) - 1 else len(args)
            args = [*args[:at], parameter, *args[at:]]
        if expected is not None:
            if len(args) == len(expected) - 1 and isinstance(expected[0], sp.Symbol):
                args = [expected[0], *args]
            if len(args) != len(expected):
                raise self.error(f"{f.__name__.removesuffix('_cond')} takes {len(expected)} arguments, "
                                 f"got {len(args)}", tok)
        return f(*args)

    def script_text(self) -> str:
        """The text of a subscript: ``{t-1}`` -> 't-1', ``\\theta`` -> 'theta', ``z`` -> 'z'."""
        tok = self.next()
        if tok.is_op("{"):
            parts, depth = [], 1
            while True:
                t = self.next()
                if t.kind == "end":
                    raise self.error("'{' is not closed", tok)
                if t.is_op("{"):
                    depth += 1
                elif t.is_op("}"):
                    depth -= 1
                    if depth == 0:
                        break
                if t.kind == "cmd" and t.text in TEXTS:
                    continue  # D_{\mathrm{KL}}: the letters, not their style
                parts.append(t.text)
                if len(parts) > 20:
                    raise self.error("a subscript longer than 20 tokens", tok)
            return "".join(parts)
        if tok.kind == "cmd" and tok.text in TEXTS and self.peek().is_op("{"):
            return self.script_text()  # D_\mathrm{KL}, x_\text{0}: the letters of the group, not their style
        if tok.kind in ("word", "num", "cmd"):
            return tok.text
        raise self.error(f"expected a subscript, found {_describe(tok)}", tok)

    def index_superscript(self, key: Key) -> str:
        """``^{(i)}`` (always an index) or ``^(i)`` (an index if the vocabulary has it).

        Returns the index text and consumes it, or '' and leaves the '^' for a power."""
        t1, t2, t3, t4, t5 = (self.peek(k) for k in range(1, 6))
        if t1.is_op("{") and t2.is_op("(") and t4.is_op(")") and t5.is_op("}") and t3.kind in ("word", "num"):
            self.i += 6
            return t3.text
        if t1.is_op("(") and t3.is_op(")") and t2.kind in ("word", "num"):
            if self.vocab.entry(key._replace(sup=t2.text)) is not None:
                self.i += 4
                return t2.text
        return ""

    def resolve(self, tok: Token, key: Key):
        if not key.decorations and not key.sup and _spelled(key) in self.bound:
            return self.bound[_spelled(key)]  # the index of a sum around it
        for script in ("sub", "sup"):  # x^{(i)} inside an unrolled sum over i = 1, 2, 3
            text = getattr(key, script)
            if text in self.bound and self.bound[text].is_Integer:
                key = key._replace(**{script: str(self.bound[text])})
        found = self.own(key)
        if found is not None:
            return found
        found = self.vocab.lookup(key)
        if found is not None:
            return found
        if key in self.locals:
            return self.locals[key]
        vector = self.vocab.vector(key)
        if vector is not None:
            return vector
        if not key.decorations and not key.sup:
            special = self.special(key.base, key.sub)
            if special is not None:
                return special
        family = self.families.get(key._replace(sub=""))
        if family is not None and key.sub and not key.sup:
            index, body, first = family
            return self.family_value(index, body, self.index_value(key.sub, tok), first)
        for plain in ("vec", "hat"):  # \vec x is x; \hat\mu_z (an estimate) is mu_z when only that exists
            if plain in key.decorations:
                undecorated = key._replace(decorations=key.decorations - {plain})
                if self.known(undecorated):
                    return self.resolve(tok, undecorated)
        if (found := measures.resolve(self, tok, key)) is not None:  # D_{KL}(q || p), z_a of a point
            return found
        written = self.text[tok.pos:self.peek().pos].strip()[:30] or tok.text[:30]
        raise self.error(f"unknown symbol '{written}'", tok, accepted=True)

    def index_value(self, text: str, tok: Token):
        """What the subscript of a member of a family stands for: a number, a sum's index, a symbol."""
        if text.isdigit():
            return sp.Integer(int(text))
        if text in self.bound:
            return self.bound[text]
        known = self.symbol_named(name_key(text))
        if known is None:
            raise self.error(f"the index '{text}' is neither a number nor a symbol of the part", tok)
        return known

    def special(self, base: str, sub: str):
        if sub == "" and base in self.bound:
            return self.bound[base]
        if base == "e" and not sub:
            return sp.E
        if base == "pi" and not sub:
            return sp.pi
        if base == "I":
            return self.identity(sub)
        if base == "e" and sub.isdigit() and self.vocab.dim and 1 <= int(sub) <= self.vocab.dim:
            return sp.eye(self.vocab.dim)[:, int(sub) - 1]  # unit vector e_k
        return None

    def identity(self, sub: str):
        """``I``, ``I_d``, ``I_{d \\times d}``, ``I_2``: the identity (of the size named, when the part has
        that size); None for a subscript that is no size."""
        if not sub:
            return IDENTITY
        size = sub.split("*")[0].split("x")[0] if sub.count("*") == 1 or sub.count("x") == 1 else sub
        if size and sub not in (size, f"{size}*{size}", f"{size}x{size}"):
            return None
        if size.isdigit():
            dim = sp.Integer(int(size))
        else:
            dim = self.vocab.lookup(name_key(size))
            if not isinstance(dim, sp.Symbol):
                return IDENTITY if size in ("d", "n", "D") else None
        symbol = sp.Symbol(f"{IDENTITY.name}[{dim}]", positive=True)
        self.identity_dims[symbol] = dim
        return symbol

    def identity_scripts(self, identity):
        """``\\mathbb{I}_d``, ``\\mathbb{1}``: the identity, sized by its subscript."""
        if self.peek().is_op("_"):
            self.next()
            sized = self.identity(self.script_text())
            return sized if sized is not None else identity
        return identity

    def indexed(self, base: sp.IndexedBase, tok: Token):
        """An entry of an indexed base: x^{(i)}, x^i, x_i, x_{i}, x[i]; Q_{z,i}, Q[z, i], Q(z | x^i)."""
        nxt = self.peek()
        if nxt.is_op("_"):
            self.next()
            indices = self.index_list("{", "}") if self.peek().is_op("{") else [self.primary()]
        elif nxt.is_op("["):
            indices = self.index_list("[", "]")
        elif nxt.is_op("(") and len(self.vocab.ranks.get(base, "i")) > 1:
            args, _ = self.call_args(tok)  # Q(z | x^i): the data point stands for its index
            indices = [a.indices[0] if isinstance(a, sp.Indexed) and len(a.indices) == 1 else a for a in args]
        elif nxt.is_op("^") and self.transposed_next() and vectors_read.alone(self, base) is not None:
            return vectors_read.alone(self, base)  # theta^\top: the vector itself, transposed by power()
        elif nxt.is_op("^"):
            self.next()
            if self.peek().is_op("{"):
                opened = self.next()
                inner = self.index_list("(", ")") if self.peek().is_op("(") else None
                if inner is None:
                    with self.fresh_context():
                        inner = [self.expr()]
                self.expect("}", opened)
                indices = inner
            elif self.peek().is_op("("):
                indices = self.index_list("(", ")")
            else:
                indices = [self.primary()]
            counts = self.vocab.rank_counts.get(base, {1})
            if self.peek().is_op("_") and len(indices) + 1 in counts:  # x^{(i)}_j: coordinate j of x^{(i)}
                self.next()
                indices.append(self.primary() if not self.peek().is_op("{") else self.group())
            self.after_script = self.peek()
        elif measures.bare_base(self, base):  # x in q_phi(z | x), one vector of R^d
            return base
        else:
            whole = vectors_read.alone(self, base)  # the vector x itself
            if whole is not None:
                return whole
            raise self.error(f"{base} needs an index, as in {base}^{{(i)}}", tok)
        if nxt.is_op("_") and self.peek().is_op("^") and (self.peek(1).is_op("(") or (
                self.peek(1).is_op("{") and self.peek(2).is_op("("))):
            raise self.error(f"{base} has two indices, x_{{i}} and x^{{(i)}}: write one of them", tok)
        counts = self.vocab.rank_counts.get(base)
        if counts is not None and len(indices) not in counts:
            rank = " or ".join(map(str, sorted(counts)))
            raise self.error(f"{base} takes {rank} ind{'ex' if rank == '1' else 'ices'}, got {len(indices)}", tok)
        for index in indices:
            if not isinstance(index, sp.Expr):
                raise self.error("an index must be a number or a symbol", tok)
        return base[tuple(indices)] if len(indices) > 1 else base[indices[0]]

    def index_list(self, open_text: str, close: str) -> list:
        opened = self.expect(open_text)
        items = []
        with self.fresh_context():
            items.append(self.expr())
            while self.peek().is_op(","):
                self.next()
                items.append(self.expr())
        self.expect(close, opened)
        return items


# ---------------------------------------------------------------------- values


def _same_roles(expected: tuple, args: list) -> bool:
    """Do the arguments play the reference's roles (the same symbols, or entries of the same base)?"""
    def role(a):
        if isinstance(a, sp.Indexed):
            return ("indexed", a.base)
        return ("expr", frozenset(as_expr(a).free_symbols)) if isinstance(a, sp.Basic) else ("other", None)
    return len(expected) == len(args) and all(role(e) == role(a) for e, a in zip(expected, args))


def kind_name(value) -> str:
    if isinstance(value, Mixture):
        return "distribution"
    if isinstance(value, sp.MatrixBase):
        return "vector" if 1 in value.shape else "matrix"
    return "expression"


def _clip(text: str, limit: int = 40) -> str:
    """A piece of the answer quoted in a note: stripped, and shortened in the middle if long."""
    text = text.strip()
    return text if len(text) <= limit else text[:limit // 2 - 1] + " ... " + text[-(limit // 2 - 2):]


def _describe(tok: Token) -> str:
    if tok.kind == "end":
        return "the end of the answer"
    if tok.kind == "cmd":
        return f"\\{tok.text}"
    return f"'{tok.text}'"


def _has(value, sym) -> bool:
    if isinstance(value, sp.MatrixBase):
        return any(e.has(sym) for e in value)
    return isinstance(value, sp.Basic) and value.has(sym)


def column(value):
    """A row vector becomes a column; a 1x1 matrix becomes its entry."""
    if isinstance(value, sp.MatrixBase):
        if value.shape == (1, 1):
            return value[0, 0]
        if value.rows == 1:
            return value.T
    return value


def combine(a, b, op: str, tok: Token, p: Parser):
    if isinstance(a, Mixture) != isinstance(b, Mixture) or (op == "-" and isinstance(a, Mixture)):
        a, b = p.as_number(a, tok), p.as_number(b, tok)  # N(x; m, v) + c: the density is a number
    if isinstance(a, Mixture) and isinstance(b, Mixture):
        if op == "-":
            raise p.error("distributions can be added (a mixture) but not subtracted", tok)
        return a + b
    if isinstance(a, Mixture) or isinstance(b, Mixture):
        raise p.error("cannot add a distribution and an expression", tok)
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        a, b = column(a), column(b)
        if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)):
            if a == 0 or b == 0:
                return b if a == 0 else a
            raise p.error("cannot add a vector and a scalar", tok)
        if a.shape != b.shape:
            raise p.error(f"cannot add a {a.rows}x{a.cols} and a {b.rows}x{b.cols} matrix", tok)
    return a + b if op == "+" else a - b


def multiply(a, b, tok: Token, p: Parser):
    if isinstance(a, Mixture) and isinstance(b, Mixture):
        a, b = p.as_number(a, tok), p.as_number(b, tok)  # N(x; m, v) N(y; m', v'): two densities
    if isinstance(a, Mixture) and isinstance(b, Mixture):
        raise p.error("cannot multiply two distributions", tok)
    if (isinstance(a, Mixture) and isinstance(b, sp.MatrixBase)) or (isinstance(b, Mixture) and isinstance(a, sp.MatrixBase)):
        a, b = p.as_number(a, tok), p.as_number(b, tok)  # N(x; m, v) e_1: a density times a vector
        if not isinstance(a, Mixture) and not isinstance(b, Mixture):
            return multiply(a, b, tok, p)
    if isinstance(a, Mixture) or isinstance(b, Mixture):
        dist, w = (a, b) if isinstance(a, Mixture) else (b, a)
        if not isinstance(w, sp.Expr):
            raise p.error("a distribution can only be weighted by a number or an expression", tok)
        return dist.scaled(w)
    if isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase):
        if a.cols == b.rows:
            return column(a * b) if (a * b).shape == (1, 1) else a * b
        if a.shape == b.shape and a.cols == 1:
            raise p.error("cannot multiply two column vectors: write u^\\top v", tok)
        raise p.error(f"cannot multiply a {a.rows}x{a.cols} and a {b.rows}x{b.cols} matrix", tok)
    return a * b


def divide(a, b, tok: Token, p: Parser):
    b = p.as_number(b, tok)  # a density divides as a number: N(x; m, v) / sum_j N(x; m_j, v)
    if not isinstance(b, sp.Expr):
        raise p.error(f"cannot divide by a {kind_name(b)}", tok)
    if b == 0:
        raise p.error("division by zero", tok)
    if isinstance(a, Mixture):
        return a.scaled(1 / b)
    return a * (1 / b) if isinstance(a, sp.MatrixBase) else a / b


def negate(a, tok: Token, p: Parser):
    a = p.as_number(a, tok)  # -N(x; m, v): the negated density
    if isinstance(a, Mixture):
        raise p.error("a distribution cannot be negated", tok)
    return -a


def power(base, exp, tok: Token, p: Parser):
    if not isinstance(exp, sp.Expr):
        raise p.error(f"an exponent must be a number or an expression, not a {kind_name(exp)}", tok)
    if exp.is_number and exp.is_real is not False:
        magnitude = abs(exp)
        if magnitude.is_comparable and magnitude > MAX_EXPONENT:
            raise p.error(f"exponent too large (the limit is {MAX_EXPONENT})", tok)
    if isinstance(base, sp.MatrixBase):
        base = column(base)
        if isinstance(base, sp.MatrixBase):
            raise p.error("cannot raise a vector to a power (did you mean \\|v\\|^2?)", tok)
    base = p.as_number(base, tok)
    if isinstance(base, Mixture):
        raise p.error("cannot raise a distribution to a power", tok)
    if isinstance(base, sp.Symbol) and has_identity(base):
        return base
    if _plain_number(base) and _plain_number(exp) and base.is_comparable and exp.is_comparable:
        size = abs(float(exp)) * math.log10(max(abs(float(base)), 1e-300)) if base != 0 else 0
        if abs(size) > MAX_DIGITS:
            raise p.error(f"a number with more than {MAX_DIGITS} digits", tok)
        if base == 0 and exp.is_negative:
            raise p.error("division by zero", tok)
    return base**exp


def _plain_number(value) -> bool:
    """A number made of numbers alone (no integral, sum or limit to evaluate to know its size)."""
    return value.is_number and not value.has(sp.Integral, sp.Sum, sp.Product, sp.Limit, sp.Derivative, sp.Subs,
                                             sps.Expectation)


def root(value, index, tok: Token, p: Parser):
    if not isinstance(value, sp.Expr) or (index is not None and not isinstance(index, sp.Expr)):
        raise p.error("\\sqrt takes a number or an expression", tok)
    if index is None:
        return sp.sqrt(value)
    if not (index.is_Integer and 2 <= index <= MAX_EXPONENT):
        raise p.error(f"the index of a root must be an integer from 2 to {MAX_EXPONENT}", tok)
    return sp.root(value, index)


def transpose(value, tok: Token, p: Parser):
    if isinstance(value, sp.MatrixBase):
        return value.T
    if isinstance(value, vectors_read.DotVector):
        return value.transposed()
    if isinstance(value, Mixture):
        raise p.error("cannot transpose a distribution", tok)
    return value  # a vector written as one commutative symbol: x^T y is x*y


def norm(value, tok: Token, p: Parser):
    if isinstance(value, Mixture):
        raise p.error("the norm of a distribution is not defined", tok)
    if isinstance(value, sp.MatrixBase):
        return sp.sqrt(sp.Add(*[e**2 for e in value]))
    return sp.sqrt(value**2)


def abs_value(value, tok: Token, p: Parser):
    if not isinstance(value, sp.Expr):
        raise p.error(f"|...| of a {kind_name(value)} is not accepted (write \\|v\\|)", tok)
    return sp.Abs(value)


def substitute(value, placeholders: dict, p: Parser):
    """Replace the names of definitions by their values (definitions may use each other)."""
    if not placeholders:
        return value

    def once(v):
        if isinstance(v, Mixture):
            return Mixture(tuple(replace(c, weight=once(c.weight), dist=_substituted(c.dist, once))
                                 for c in v.components))
        if isinstance(v, sp.MatrixBase):
            return v.applyfunc(once)
        return _as_evaluations(v, placeholders).subs(placeholders) if isinstance(v, sp.Basic) else v

    for _ in range(len(placeholders) + 1):
        value = once(value)
        if not any(s in _free_symbols(x) for s in placeholders for x in _parts(value)):
            return value
    raise AnswerError("the definitions refer to each other in a circle")


def _substituted(dist, once):
    """``dist`` with ``once`` applied to every SymPy value it holds (its parameters, its point)."""
    changes = {f.name: once(getattr(dist, f.name)) for f in fields(dist)
               if isinstance(getattr(dist, f.name), (sp.Basic, sp.MatrixBase))}
    return replace(dist, **changes)


def _as_evaluations(value, placeholders: dict):
    """A derivative with respect to a name the answer defines is the derivative at that name,
    evaluated at its value: d f(z)/dz with z = g is Subs(d f(z)/dz, z, g), never d f(g)/dg."""
    def rewrite(e):
        named = [v for v in e.variables if v in placeholders]
        return sp.Subs(e, tuple(named), tuple(placeholders[v] for v in named))
    return value.replace(lambda e: isinstance(e, sp.Derivative) and any(v in placeholders for v in e.variables),
                         rewrite)


def _free_symbols(value) -> set:
    if isinstance(value, sp.MatrixBase):
        return set().union(*(as_expr(e).free_symbols for e in value))
    return as_expr(value).free_symbols if isinstance(value, sp.Basic) else set()


def _parts(value) -> list:
    if isinstance(value, Mixture):
        return [x for c in value.components for x in (c.weight, *c.params)]
    return [value]


def tower_height(expr) -> int:
    """How many exponentials are stacked: exp(exp(x)) has height 2, x^(y^z) too."""
    if not isinstance(expr, sp.Basic) or expr.is_Atom:
        return 0
    inner = max((tower_height(a) for a in expr.args), default=0)
    grows = isinstance(expr, sp.exp) or (isinstance(expr, sp.Pow) and bool(expr.exp.free_symbols))
    return inner + int(grows)


def _check_towers(values) -> None:
    for v in values:
        for e in (list(v) if isinstance(v, sp.MatrixBase) else [v]):
            if tower_height(e) > MAX_TOWER:
                raise AnswerError(f"exponentials stacked more than {MAX_TOWER} deep cannot be evaluated safely")


def finalize(value, p: Parser):
    if isinstance(value, Mixture):
        _check_towers([x for c in value.components for x in (c.weight, *c.params)])
        return value
    value = column(value)
    _check_towers([value])
    if has_identity(value):
        raise AnswerError("the identity I only belongs in a covariance, as in \\mathcal{N}(m, c I)")
    return value


def _refuse(message: str):
    raise AnswerError(message)


def parse(text, vocab: Vocabulary, predefined: dict | None = None, notes: list | None = None, *,
          limit: int = MAX_CHARS):
    """Parse an answer into a SymPy expression, a Matrix, or a :class:`Mixture`.

    ``predefined`` maps a name the answer may use to its value (another quantity of the part);
    ``notes``, if given, receives one line for each ambiguous piece, saying how it was read;
    ``limit`` is the longest text accepted. Raises :class:`AnswerError` (one line, with the
    position) for anything it cannot read.
    """
    parser = None
    try:
        parser = Parser(text, vocab, predefined, limit=limit)
        value = vectors_read.dot_products(parser.parse(), _refuse)
        if notes is not None:
            notes.extend(n for n in parser.notes if n not in notes)
        return value
    except AnswerError:
        raise
    except RecursionError:
        raise AnswerError(f"the answer nests deeper than {MAX_DEPTH} levels") from None
    except (ValueError, TypeError, ArithmeticError, AttributeError, IndexError, KeyError, NotImplementedError) as exc:
        # a SymPy object refused the combination: still the user's input, reported in one line
        raise AnswerError(f"cannot build this expression ({type(exc).__name__}: {exc})".splitlines()[0][:300]) from None


def normalized(tokens: list) -> list:
    """The tokens with the styles that do not change a symbol removed: ``\\mathbf{x}_0`` is ``x_0``,
    ``\\hat{\\boldsymbol{\\mu}}`` is ``\\hat{\\mu}``; a styled group with operators keeps its braces."""
    out: list = []
    k = 0
    while k < len(tokens):
        tok = tokens[k]
        if tok.kind == "cmd" and tok.text in STYLES:
            if tokens[k + 1].is_op("{"):
                depth, m = 0, k + 1
                while m < len(tokens) and tokens[m].kind != "end":
                    if tokens[m].is_op("{"):
                        depth += 1
                    elif tokens[m].is_op("}"):
                        depth -= 1
                        if depth == 0:
                            break
                    m += 1
                inside = tokens[k + 2:m]
                plain = inside and all(t.kind in ("word", "num", "cmd") or t.is_op("{", "}") for t in inside)
                if plain and m < len(tokens) and tokens[m].is_op("}"):
                    tokens = tokens[:k] + inside + tokens[m + 1:]
                    continue
            k += 1  # \bm x, or a styled group: the style alone goes
            continue
        out.append(tok)
        k += 1
    return out


def _derivative_in_last_argument(value, order: int):
    """``f'(a)``: the derivative of f in its (last) argument, at a."""
    point = value.args[-1]
    if isinstance(point, sp.Symbol):
        return sp.Derivative(value, (point, order))
    slot = sp.Dummy("s")
    return sp.Subs(sp.Derivative(value.func(*value.args[:-1], slot), (slot, order)), slot, point)


def _spelled(key: Key) -> str:
    """How an index is named (``i``, ``x_1``): its base and its subscript."""
    return key.base + (f"_{key.sub}" if key.sub else "")


def _key_of_spelling(name: str) -> Key:
    base, _, sub = name.partition("_")
    return name_key(base, (), sub)


def _plain(key: Key) -> str:
    """A plain name for a key (the name of a new symbol the answer introduces)."""
    decorations = "".join(sorted(key.decorations))
    return key.base + decorations + (f"_{key.sub}" if key.sub else "") + (f"^{key.sup}" if key.sup else "")


def density_of(value):
    """A distribution written at a point (``N(x; m, v)``, ``\\delta(x - a)``, ``\\delta_a(x)``) as the
    value of its density there, kept unevaluated; None when some component has no point."""
    if not isinstance(value, Mixture):
        return None
    terms = []
    for c in value.components:
        at = getattr(c.dist, "at", None)
        if c.family == "normal" and at is not None:
            mean, cov = c.params
            if isinstance(cov, sp.MatrixBase):
                return None
            dim = getattr(c.dist, "dim", None)
            density = GaussianDensity(at, mean, cov) if dim is None else GaussianDensity(at, mean, cov, dim)
        elif isinstance(c.dist, WrittenPointMass) and (c.dist.argument is not None or at is not None):
            argument = c.dist.argument if c.dist.argument is not None else at - c.dist.atom
            if isinstance(argument, sp.MatrixBase):
                return None
            density = sp.DiracDelta(argument)
        else:
            return None
        if c.over is None:
            terms.append(c.weight * density)
            continue
        index, lo, hi = c.over  # the weight's factors that do not depend on the index stay outside
        inside = [f for f in sp.Mul.make_args(c.weight) if index in f.free_symbols]
        outside = [f for f in sp.Mul.make_args(c.weight) if index not in f.free_symbols]
        terms.append(sp.Mul(*outside) * sp.Sum(sp.Mul(*inside) * density, (index, lo, hi)))
    return sp.Add(*terms)
