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
from dataclasses import replace

import sympy as sp

from derivations.symbolic.distributions import Gaussian, Mixture, PointMass, Uniform, as_mixture
from derivations.symbolic.functions import sigmoid
from derivations.symbolic.values import as_expr
from derivations.answercheck.errors import AnswerError
from derivations.answercheck.lexer import Token, tokenize
from derivations.answercheck.vocabulary import (ACCENTS, GREEK, GREEK_ALIASES, Key, Vocabulary, is_user_function,
                                                key_of, name_key)

MAX_DEPTH = 40  # nested brackets, fractions, exponents, signs
MAX_EXPONENT = 100  # largest literal exponent
MAX_DIGITS = 1000  # largest number a power of numbers may produce
MAX_SUM_TERMS = 50  # largest explicit range of a sum with numeric bounds
MAX_SPLIT = 12  # longest run of letters split into known symbols ("tx" -> t x)
MAX_MATRIX = 10
MAX_DEFINITIONS = 8
MAX_TOWER = 2  # exp(exp(x)) at most: a taller tower of exponentials overflows any evaluation
PARSE_SECONDS = 2.0

IDENTITY = sp.Symbol("I_identity", positive=True)  # the identity matrix; only in a covariance


FUNCTIONS = {"sqrt": sp.sqrt, "exp": sp.exp, "log": sp.log, "ln": sp.log, "sin": sp.sin,
             "cos": sp.cos, "tanh": sp.tanh, "sigmoid": sigmoid, "abs": sp.Abs, "Abs": sp.Abs}
FRACTIONS = ("frac", "dfrac", "tfrac", "cfrac")
STYLES = ("mathbf", "boldsymbol", "bm", "mathit", "mathnormal", "mathsf", "vb", "pmb")
TEXTS = ("operatorname", "mathrm", "text", "textrm", "textit", "mathtt", "textsf", "mathbb")
NORMAL_NAMES = ("N", "Normal", "Gaussian", "normal", "gaussian")
UNIFORM_NAMES = ("U", "Unif", "Uniform", "unif", "uniform")
POINT_NAMES = ("delta", "Dirac", "dirac")
PRIMARY_CMDS = set(FRACTIONS) | set(STYLES) | set(TEXTS) | set(ACCENTS) | set(GREEK) | set(GREEK_ALIASES) | {
    "sqrt", "exp", "log", "ln", "sin", "cos", "tanh", "sum", "mathcal", "begin", "infty", "pi", "int",
    "nabla", "partial"}
CLOSERS = {"(": ")", "[": "]", "{": "}"}


class Parser:
    """Parses one answer; see :func:`parse`."""

    def __init__(self, text: str, vocab: Vocabulary, predefined: dict | None = None):
        self.predefined = dict(predefined or {})
        self.text = text
        self.vocab = vocab
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0
        self.deadline = time.monotonic() + PARSE_SECONDS
        self.bound: dict[str, sp.Symbol] = {}
        self.locals: dict[Key, object] = {}  # names defined in a where-clause
        self.in_integral = 0
        self.notes: list[str] = []  # how ambiguous pieces were read
        self.in_norm = self.in_abs = self.in_args = 0

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

    def expect_end(self) -> None:
        if self.peek().kind != "end":
            tok = self.peek()
            if tok.is_op(")", "]", "}"):
                raise self.error(f"unbalanced '{tok.text}': nothing opened it", tok)
            raise self.error(f"unexpected {_describe(tok)}", tok)

    def is_where(self, k: int) -> int:
        """Length of a 'where'/'with'/'and' marker at token k (\\text{where} included), else 0."""
        tok = self.tokens[k]
        if tok.kind == "word" and tok.text in ("where", "with", "and"):
            return 1
        if tok.kind == "cmd" and tok.text in TEXTS and self.tokens[k + 1].is_op("{"):
            j = k + 2
            while self.tokens[j].kind == "word" and self.tokens[j].text in ("where", "with", "and"):
                j += 1
            if j > k + 2 and self.tokens[j].is_op("}"):
                return j + 1 - k
        return 0

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
        definitions = [seg + [Token("end", "", end_tok.pos)] for seg in segments[1:] if seg]
        if len(definitions) > MAX_DEFINITIONS:
            raise self.error(f"more than {MAX_DEFINITIONS} definitions", self.tokens[cuts[0][0]])
        return main, definitions

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
        if indexed or self.vocab.entry(key) is not None:
            raise self.error("a definition introduces a new name, and this one is already a symbol "
                             "of the part", first)
        if key in self.locals and not isinstance(self.locals[key], sp.Symbol):
            raise self.error("this name is defined twice", first)
        self.expect("=")
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
            if tok.text in ("(", "[", "{"):
                return True
            if tok.text == "||":
                return self.in_norm == 0 and self.in_args == 0
            if tok.text == "|":
                return self.in_abs == 0 and self.in_args == 0
        return False

    def power(self):
        base = self.primary()
        while self.peek().is_op("^"):
            hat = self.next()
            if self.transpose_follows():
                base = transpose(base, hat, self)
            else:
                base = power(base, self.exponent(), hat, self)
        return base

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
            self.tokens[self.i:self.i + 1] = [Token("num", tok.text[0], tok.pos, tok.space_before),
                                              Token("num", tok.text[1:], tok.pos + 1)]
        return self.primary()

    def primary(self):
        with self.nested():
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

    def bracketed(self, tok: Token):
        if tok.text == "(":
            return self.sequence(tok, ")")
        if tok.text == "[":
            return self.sequence(tok, "]")
        if tok.text == "{":
            self.i -= 1
            return self.group()
        if tok.text == "||":
            with self.fresh_context():
                self.in_norm = 1
                inner = self.expr()
            self.expect("||", tok)
            if self.peek().is_op("_"):  # \|v\|_2
                self.next()
                sub = self.next()
                if sub.text != "2":
                    raise self.error("only the Euclidean norm \\|v\\|_2 is accepted", sub)
            return norm(inner, tok, self)
        if tok.text == "|" and self.in_args == 0:
            with self.fresh_context():
                self.in_abs = 1
                inner = self.expr()
            self.expect("|", tok)
            return abs_value(inner, tok, self)
        raise self.error(f"unexpected {_describe(tok)}", tok)

    def sequence(self, opened: Token, close: str):
        """``(a)``, or a vector ``(a, b)`` / ``[a, b]``; a bracketed list is a row until ^T."""
        with self.fresh_context():
            items = [self.expr()]
            while self.peek().is_op(","):
                self.next()
                items.append(self.expr())
        self.expect(close, opened)
        if len(items) == 1 and close == ")":
            return items[0]
        if len(items) > MAX_MATRIX:
            raise self.error(f"vectors longer than {MAX_MATRIX} entries are not accepted", opened)
        for item in items:
            if not isinstance(item, sp.Expr):
                raise self.error("a vector's entries must be numbers or expressions", opened)
        return sp.Matrix([items])

    # ------------------------------------------------------------------ commands
    def command(self, tok: Token):
        name = tok.text
        if name in FRACTIONS and self.peek().is_op("{") and self.peek(1).is_cmd("partial"):
            return self.partial_fraction(tok)
        if name in FRACTIONS:
            num = self.argument()
            den = self.argument()
            return divide(num, den, tok, self)
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
        if name == "sum":
            return self.summation(tok)
        if name == "int":
            return self.integral(tok)
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
                return IDENTITY
            return self.named(word, tok)
        if name in STYLES:  # \mathbf{x}: the same symbol
            if self.peek().is_op("{"):
                opened = self.next()
                value = self.atom(self.next())
                self.expect("}", opened)
                return value
            return self.atom(self.next())
        if name == "begin":
            return self.matrix(tok)
        if name == "infty":
            return sp.oo
        if name == "pi" and self.vocab.lookup(name_key("pi")) is None:
            return sp.pi
        if name == "delta" and self.vocab.entry(name_key("delta")) is None:
            return self.point_mass(tok)
        if name in ACCENTS or name in GREEK or name in GREEK_ALIASES:
            return self.atom(tok)
        if name in ("top", "intercal"):
            raise self.error("a transpose must follow '^' (write x^\\top)", tok)
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
        """A name written in \\operatorname{...} / \\mathrm{...}: a function, a distribution or a symbol."""
        if word in FUNCTIONS:
            return self.function(tok, word)
        if word in NORMAL_NAMES:
            return self.normal(tok)
        if word in UNIFORM_NAMES:
            return self.uniform(tok)
        return self.atom(Token("word", word, tok.pos, tok.space_before))

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
        if self.peek().is_op("(", "{"):
            opened = self.next()
            with self.fresh_context():
                arg = self.expr()
            self.expect(CLOSERS[opened.text], opened)
        elif self.peek().kind == "end":
            raise self.error(f"{name} needs an argument", tok)
        else:
            arg = self.bare_argument(tok)
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

    def summation(self, tok: Token):
        """\\sum_{i=1}^{n} body; the body is the following product (it stops at + - and /)."""
        index_name, lower, upper = None, sp.S(1), None
        for _ in range(2):
            if self.peek().is_op("_") and index_name is None:
                self.next()
                index_name, lower = self.sum_range(tok)
            elif self.peek().is_op("^") and upper is None:
                self.next()
                upper = self.limit()
        if index_name is None:
            raise self.error("a sum needs its index, as in \\sum_{i=1}^{n}", tok)
        if upper is None:
            n = self.vocab.lookup(name_key("n"))
            if n is None:
                raise self.error("a sum needs its upper limit, as in \\sum_{i=1}^{n}", tok)
            upper = n
        for bound in (lower, upper):
            if not isinstance(bound, sp.Expr) or bound.has(IDENTITY):
                raise self.error("the limits of a sum must be numbers or symbols", tok)
        if (upper - lower).is_number and abs(upper - lower) > MAX_SUM_TERMS:
            raise self.error(f"a sum of more than {MAX_SUM_TERMS} terms is not accepted", tok)
        index = self.index_symbol(index_name)
        if lower.is_Integer and upper.is_Integer:
            return self.unrolled_sum(index_name, int(lower), int(upper), tok)
        body = self.body_with(index_name, index)
        if isinstance(body, Mixture):
            if any(c.over is not None for c in body.components):
                raise self.error("nested sums of distributions are not accepted", tok)
            return Mixture(tuple(replace(c, over=(index, lower, upper)) for c in body.components))
        if isinstance(body, sp.MatrixBase):
            return body.applyfunc(lambda e: sp.Sum(e, (index, lower, upper)))
        return sp.Sum(body, (index, lower, upper))

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

    def unrolled_sum(self, name: str, lower: int, upper: int, tok: Token):
        """A sum with numeric limits, written out: x^{(i)} then names x^{(1)}, x^{(2)} ..."""
        start, end, total = self.i, None, None
        for k in range(lower, upper + 1):
            self.i = start
            term = self.body_with(name, sp.Integer(k))
            if end is not None and self.i != end:
                raise self.error("the summand reads differently for different indices", tok)
            end = self.i
            total = term if total is None else combine(total, term, "+", tok, self)
        if total is None:  # an empty sum: skip its summand
            self.body_with(name, sp.Integer(lower))
            return sp.S(0)
        return total

    def sum_range(self, tok: Token):
        """``_{i=1}``, ``_{i}`` or ``_i``: the index name and the lower limit."""
        if not self.peek().is_op("{"):
            name = self.next()
            if name.kind != "word":
                raise self.error(f"expected the index of the sum, found {_describe(name)}", name)
            return name.text, sp.S(1)
        opened = self.next()
        name = self.next()
        if name.kind != "word":
            raise self.error(f"expected the index of the sum, found {_describe(name)}", name)
        lower = sp.S(1)
        if self.peek().is_op("="):
            self.next()
            with self.fresh_context():
                lower = self.expr()
        self.expect("}", opened)
        return name.text, lower

    def index_symbol(self, name: str) -> sp.Symbol:
        known = self.vocab.lookup(name_key(name))
        if isinstance(known, sp.Symbol) and known.is_integer:
            return known
        return sp.Symbol(name, integer=True, positive=True)

    def integral(self, tok: Token):
        """\\int_{a}^{b} body \\, dz (no limits: the whole real line)."""
        lower = upper = None
        for _ in range(2):
            if self.peek().is_op("_") and lower is None:
                self.next()
                lower = self.limit()
            elif self.peek().is_op("^") and upper is None:
                self.next()
                upper = self.limit()
        if (lower is None) != (upper is None):
            raise self.error("give an integral both limits or none", tok)
        self.in_integral += 1
        try:
            body = self.term()
        finally:
            self.in_integral -= 1
        if not self.at_differential(inside=True):
            raise self.error("an integral needs its differential, as in \\int f(z)\\, dz", self.peek())
        var = self.differential()
        if not isinstance(body, sp.Expr):
            raise self.error(f"only expressions can be integrated, not a {kind_name(body)}", tok)
        if lower is None:
            lower, upper = -sp.oo, sp.oo
        return sp.Integral(body, (var, lower, upper))

    def at_differential(self, *, inside: bool = False) -> bool:
        """Inside an integral: is the next thing ``dz``, ``d z`` or ``\\mathrm{d} z``?"""
        if not (self.in_integral or inside):
            return False
        tok, nxt = self.peek(), self.peek(1)
        if tok.kind == "word" and tok.text == "d":
            return nxt.kind in ("word", "cmd")
        if tok.kind == "word" and tok.text.startswith("d") and len(tok.text) > 1:
            return self.variable_named(tok.text[1:]) is not None
        return tok.kind == "cmd" and tok.text in TEXTS and nxt.is_op("{") and self.peek(2).text == "d" \
            and self.peek(3).is_op("}")

    def variable_named(self, name: str):
        key = name_key(name)
        value = self.vocab.lookup(key)
        if value is None:
            value = self.locals.get(key)
        return value if isinstance(value, sp.Symbol) else None

    def differential(self) -> sp.Symbol:
        tok = self.next()
        if tok.kind == "word" and tok.text != "d":
            var = self.variable_named(tok.text[1:])
        else:
            if tok.kind == "cmd":
                self.i += 3  # {d}
            var_tok = self.next()
            _, key, _ = self.read_name(var_tok)
            var = self.vocab.lookup(key) or self.locals.get(key)
        if not isinstance(var, sp.Symbol):
            raise self.error("the variable of integration must be a symbol of this part", tok, accepted=True)
        return var

    def variable(self, tok: Token) -> sp.Symbol:
        """A symbol to differentiate by: ``\\theta`` or ``{\\theta}``."""
        opened = self.next() if self.peek().is_op("{") else None
        name_tok = self.next()
        _, key, _ = self.read_name(name_tok)
        if opened is not None:
            self.expect("}", opened)
        var = self.vocab.lookup(key)
        if var is None:
            var = self.locals.get(key)
        if not isinstance(var, sp.Symbol):
            raise self.error("a derivative is taken with respect to a symbol of this part", name_tok, accepted=True)
        return var

    def derivative(self, tok: Token):
        """\\nabla_\\theta f or \\partial_\\theta f: the derivative of the next factor."""
        if not self.peek().is_op("_"):
            raise self.error(f"write the variable: \\{tok.text}_{{\\theta}} f", tok)
        self.next()
        var = self.variable(tok)
        return self.differentiate(self.power(), var, tok)

    def partial_fraction(self, tok: Token):
        """\\frac{\\partial f}{\\partial \\theta} or \\frac{\\partial}{\\partial \\theta} f."""
        opened = self.next()
        self.next()  # \partial
        operand = None
        if not self.peek().is_op("}"):
            with self.fresh_context():
                operand = self.expr()
        self.expect("}", opened)
        opened = self.expect("{")
        if not self.next().is_cmd("partial"):
            raise self.error("the denominator of a partial derivative is \\partial and a symbol", tok)
        var = self.variable(tok)
        self.expect("}", opened)
        if operand is None:
            operand = self.power()
        return self.differentiate(operand, var, tok)

    def differentiate(self, operand, var, tok: Token):
        if not isinstance(operand, sp.Expr):
            raise self.error(f"cannot differentiate a {kind_name(operand)}", tok)
        return sp.Derivative(operand, var)

    def call_args(self, tok: Token) -> tuple[list, list[str]]:
        """``( a , b | c ; d )`` or ``(q \\| p)``: the arguments and the separators between them."""
        if not self.peek().is_op("("):
            raise self.error(f"expected '(' after {_describe(tok)}", self.peek())
        opened = self.next()
        args, seps = [], []
        with self.fresh_context(args=True):
            args.append(self.expr())
            while self.peek().is_op(",", ";", "|", "||"):
                seps.append(self.next().text)
                args.append(self.expr())
        self.expect(")", opened)
        return args, seps

    def variable_of_density(self):
        """``N(x; m, c)`` or ``N(x | m, c)``: the variable before ';' or '|', read if it is a known
        expression (then the Gaussian can stand for its density at x) and otherwise skipped."""
        depth = 0
        for k in range(self.i + 1, len(self.tokens)):
            tok = self.tokens[k]
            if (tok.kind == "op" and tok.text in CLOSERS) or tok.is_cmd("begin"):
                depth += 1
            elif tok.is_op(")", "]", "}") or tok.is_cmd("end"):
                depth -= 1
                if depth < 0:
                    return
            elif depth == 0 and tok.is_op(","):
                return
            elif depth == 0 and tok.is_op(";", "|"):
                variable_tokens = self.tokens[self.i + 1:k]
                self.tokens[self.i + 1:k + 1] = []
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
        return None

    def normal(self, tok: Token):
        """N(mean, cov), N(x; mean, cov) or N(x | mean, cov); I in the covariance is the identity."""
        at = self.variable_of_density() if self.peek().is_op("(") else None
        args, seps = self.call_args(tok)
        if len(args) != 2:
            raise self.error(f"a Gaussian takes a mean and a covariance, got {len(args)} arguments", tok)
        mean, cov = args
        if not isinstance(mean, (sp.Expr, sp.MatrixBase)) or not isinstance(cov, (sp.Expr, sp.MatrixBase)):
            raise self.error("the mean and covariance of a Gaussian must be expressions", tok)
        if _has(mean, IDENTITY):
            raise self.error("the identity I belongs in the covariance, not the mean", tok)
        cov = cov.subs(IDENTITY, 1)
        return as_mixture(Gaussian(column(mean), cov, at=column(at) if at is not None else None))

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
            args, _ = self.call_args(tok)
        if len(args) != 2 or not all(isinstance(a, sp.Expr) and not a.has(IDENTITY) for a in args):
            raise self.error("a uniform distribution takes the two ends of its interval, as in U(0, 1)", tok)
        low, high = args
        if (high - low).is_positive is False:  # decided for numbers and for signs SymPy can infer
            raise self.error(f"a uniform distribution U(low, high) needs low < high, got U({sp.sstr(low)}, "
                             f"{sp.sstr(high)})", tok)
        return as_mixture(Uniform(low, high))

    def point_mass(self, tok: Token):
        """\\delta_{a} or \\delta(a): all mass at a."""
        if self.peek().is_op("_"):
            self.next()
            atom = self.group() if self.peek().is_op("{") else self.primary()
        elif self.peek().is_op("("):
            args, _ = self.call_args(tok)
            if len(args) != 1:
                raise self.error("a point mass takes one location, as in \\delta_{x_1}", tok)
            atom = args[0]
        else:
            raise self.error("write a point mass as \\delta_{a} or \\delta(a)", tok)
        if not isinstance(atom, (sp.Expr, sp.MatrixBase)):
            raise self.error("a point mass sits at an expression", tok)
        return as_mixture(PointMass(column(atom)))

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
        if w in FUNCTIONS and self.peek().is_op("(") and self.vocab.entry(name_key(w)) is None:
            return self.function(tok, w)
        if w == "sum" and self.peek().is_op("_"):
            return self.summation(tok)
        if w in ("nabla", "grad") and self.peek().is_op("_"):
            return self.derivative(tok)
        if w in ("int", "integral") and self.vocab.entry(name_key(w)) is None:
            return self.integral(tok)
        if w in NORMAL_NAMES and self.peek().is_op("(") and self.vocab.entry(name_key(w)) is None:
            return self.normal(tok)
        if w in UNIFORM_NAMES and self.peek().is_op("(", "[") and self.vocab.entry(name_key(w)) is None:
            return self.uniform(tok)
        if w in POINT_NAMES and self.peek().is_op("(", "_") and self.vocab.entry(name_key(w)) is None:
            return self.point_mass(tok)
        return self.atom(tok)

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
                while base_tok.kind == "cmd" and (base_tok.text in ACCENTS or base_tok.text in STYLES):  # \bar{\hat x}
                    if base_tok.text in ACCENTS:
                        decorations.append(ACCENTS[base_tok.text])
                    base_tok = self.next()
                if self.peek().is_op("_"):  # \bar{\alpha_t}
                    self.next()
                    inner_sub = self.script_text()
                self.expect("}", opened)
                break
            base_tok = self.next()
        if base_tok.kind == "cmd" and base_tok.text in STYLES:
            if self.peek().is_op("{"):
                opened = self.next()
                base_tok = self.next()
                self.expect("}", opened)
            else:
                base_tok = self.next()
        if base_tok.kind not in ("word", "cmd") or (base_tok.kind == "cmd" and base_tok.text not in GREEK
                                                      and base_tok.text not in GREEK_ALIASES):
            raise self.error(f"expected a symbol, found {_describe(base_tok)}", base_tok)
        base = base_tok.text
        if self.vocab.indexed(name_key(base, decorations)) is not None:
            return base_tok, name_key(base, decorations), True
        other = base.swapcase() if len(base) == 1 else None  # x^{(i)} for data points named X
        if other and self.peek().is_op("_", "^", "[") and self.vocab.indexed(name_key(other, decorations)) \
                and not self.scripted_symbol(name_key(base, decorations)):
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
                sup = self.index_superscript(name_key(base, decorations, sub))
                if not sup:
                    break
        return base_tok, name_key(base, decorations, sub, sup), False

    def scripted_symbol(self, key: Key) -> bool:
        """Does the vocabulary have ``key`` with some subscript or superscript (x_1, x^{(i)})?"""
        return any(e.key.base == key.base and e.key.decorations == key.decorations and (e.key.sub or e.key.sup)
                   for e in self.vocab.entries)

    def known(self, key: Key) -> bool:
        return self.vocab.entry(key) is not None or key in self.locals or self.vocab.vector(key) is not None

    def atom(self, tok: Token):
        """A symbol with its decorations and scripts: \\bar{\\alpha}_t, x^{(i)}, \\sigma_z, abar_t, x0."""
        base_tok, key, indexed = self.read_name(tok)
        if indexed:
            return self.indexed(self.vocab.indexed(key).obj, tok)
        cond, joint = self.vocab.conditional(key), self.vocab.joint(key)
        if (cond or joint) and self.peek().is_op("("):
            args, seps = self.call_args(tok)
            if "|" in seps and cond:
                return self.apply(self.pick(cond, args), args, tok)
            if "," in seps and joint is not None:
                return self.apply(joint.obj, args, tok)
            plain = self.vocab.lookup(key)
            if not is_user_function(plain):
                forms = [e.latex() for e in cond] + ([joint.latex()] if joint else [])
                raise self.error(f"write this function as {' or '.join(forms)}", tok)
            return self.apply(plain, args, tok)
        value = self.resolve(base_tok, key)
        if is_user_function(value):
            args, _ = self.call_args(tok)
            return self.apply(value, args, tok)
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

    def apply(self, f, args: list, tok: Token):
        """``f(args)``; a missing first argument named in the subscript is filled in:
        NN_\\theta(z) is NN_theta(theta, z) when the reference writes it so."""
        for a in args:
            if not isinstance(a, sp.Expr):
                raise self.error(f"the arguments of {f.__name__} must be expressions", tok)
        expected = self.vocab.arity.get(f)
        if expected is None and f.nargs is not sp.S.Naturals0 and len(f.nargs) == 1:
            expected = (None,) * next(iter(f.nargs))
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
                parts.append(t.text)
                if len(parts) > 20:
                    raise self.error("a subscript longer than 20 tokens", tok)
            return "".join(parts)
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
        for script in ("sub", "sup"):  # x^{(i)} inside an unrolled sum over i = 1, 2, 3
            text = getattr(key, script)
            if text in self.bound and self.bound[text].is_Integer:
                key = key._replace(**{script: str(self.bound[text])})
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
            if tok.kind == "word" and 1 < len(tok.text) <= MAX_SPLIT:
                parts = self.split(tok.text, key.sub)
                if parts is not None:
                    return sp.Mul(*parts)
        written = self.text[tok.pos:self.peek().pos].strip()[:30] or tok.text[:30]
        raise self.error(f"unknown symbol '{written}'", tok, accepted=True)

    def special(self, base: str, sub: str):
        if sub == "" and base in self.bound:
            return self.bound[base]
        if base == "e" and not sub:
            return sp.E
        if base == "pi" and not sub:
            return sp.pi
        if base == "I" and (not sub or sub in ("d", "2", "n")):
            return IDENTITY
        if base == "e" and sub.isdigit() and self.vocab.dim and 1 <= int(sub) <= self.vocab.dim:
            return sp.eye(self.vocab.dim)[:, int(sub) - 1]  # unit vector e_k
        return None

    def split(self, word: str, sub: str):
        """Letters run together (``tx_1``): known symbols, the last one taking the subscript."""
        whole = self.vocab.lookup(name_key(word, (), sub))
        if whole is not None:
            return [whole]
        if not sub:
            special = self.special(word, "")
            if special is not None:
                return [special]
        for k in range(len(word) - 1, 0, -1):
            head = self.vocab.lookup(name_key(word[:k])) or self.special(word[:k], "")
            if head is None or is_user_function(head) or head is IDENTITY:
                continue
            rest = self.split(word[k:], sub)
            if rest is not None:
                return [head, *rest]
        return None

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
        else:
            raise self.error(f"{base} needs an index, as in {base}^{{(i)}}", tok)
        rank = len(self.vocab.ranks[base]) if base in self.vocab.ranks else None
        if rank is not None and len(indices) != rank:
            raise self.error(f"{base} takes {rank} ind{'ex' if rank == 1 else 'ices'}, got {len(indices)}", tok)
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
        raise p.error("cannot multiply two distributions", tok)
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
    if not isinstance(b, sp.Expr):
        raise p.error(f"cannot divide by a {kind_name(b)}", tok)
    if b == 0:
        raise p.error("division by zero", tok)
    if isinstance(a, Mixture):
        return a.scaled(1 / b)
    return a * (1 / b) if isinstance(a, sp.MatrixBase) else a / b


def negate(a, tok: Token, p: Parser):
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
    if isinstance(base, Mixture):
        raise p.error("cannot raise a distribution to a power", tok)
    if base is IDENTITY:
        return IDENTITY
    if base.is_number and exp.is_number and base.is_comparable and exp.is_comparable:
        size = abs(float(exp)) * math.log10(max(abs(float(base)), 1e-300)) if base != 0 else 0
        if abs(size) > MAX_DIGITS:
            raise p.error(f"a number with more than {MAX_DIGITS} digits", tok)
        if base == 0 and exp.is_negative:
            raise p.error("division by zero", tok)
    return base**exp


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
        return v.subs(placeholders) if isinstance(v, (sp.Basic, sp.MatrixBase)) else v

    for _ in range(len(placeholders) + 1):
        value = once(value)
        if not any(s in _free_symbols(x) for s in placeholders for x in _parts(value)):
            return value
    raise AnswerError("the definitions refer to each other in a circle")


def _substituted(dist, once):
    """``dist`` with ``once`` applied to its parameters (and to the point of a density)."""
    out = dist.with_params(*(once(x) for x in dist.params))
    at = getattr(dist, "at", None)
    return replace(out, at=once(at)) if at is not None else out


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
    if _has(value, IDENTITY):
        raise AnswerError("the identity I only belongs in a covariance, as in \\mathcal{N}(m, c I)")
    return value


def parse(text, vocab: Vocabulary, predefined: dict | None = None, notes: list | None = None):
    """Parse an answer into a SymPy expression, a Matrix, or a :class:`Mixture`.

    ``predefined`` maps a name the answer may use to its value (another quantity of the part);
    ``notes``, if given, receives one line for each ambiguous piece, saying how it was read.
    Raises :class:`AnswerError` (one line, with the position) for anything it cannot read.
    """
    parser = None
    try:
        parser = Parser(text, vocab, predefined)
        value = parser.parse()
        if notes is not None:
            notes.extend(n for n in parser.notes if n not in notes)
        return value
    except AnswerError:
        raise
    except RecursionError:
        raise AnswerError(f"the answer nests deeper than {MAX_DEPTH} levels") from None
    except (ValueError, TypeError, ArithmeticError) as exc:
        # a SymPy object refused the combination: still the user's input, reported in one line
        raise AnswerError(f"cannot build this expression ({type(exc).__name__}: {exc})".splitlines()[0]) from None
