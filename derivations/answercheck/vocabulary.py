"""The symbols an answer may use, and every way of spelling them.

A symbol of a reference answer is known by a *key* (base letter, decorations, subscript,
superscript index), so that ``\\bar{\\alpha}_t``, ``\\bar\\alpha_t``, ``\\overline{\\alpha}_{t}``,
``alphabar_t`` and ``abar_t`` all find the SymPy symbol named ``alphabar_t``.

>>> import sympy as sp
>>> a = sp.Symbol("alphabar_t", positive=True)
>>> v = Vocabulary([a, sp.Symbol("x_0")])
>>> v.lookup(name_key("abar", sub="t")) is a, v.lookup(name_key("x0")).name
(True, 'x_0')
>>> v.accepted()
'\\\\bar{\\\\alpha}_{t} (alphabar_t, abar_t); x_{0} (x_0)'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, NamedTuple

import sympy as sp
from sympy.core.function import FunctionClass, UndefinedFunction
from sympy.printing.conventions import split_super_sub
from sympy.stats.rv import RandomSymbol

from derivations.notation.printers import Prefix, function_stem, latex as course_latex
from derivations.notation.table import (CONDITIONAL_SUFFIXES, DECORATION_OF, DECORATIONS, GREEK_ALIASES,
                                        GREEK_NAMES)

# the reader's Greek letters, spellings and accents are the notation's (one table for both directions)
GREEK = GREEK_NAMES
ACCENTS = DECORATION_OF
_BRACKETS = str.maketrans("", "", "{}()\\ ")
_BRACES = str.maketrans("", "", "{}")




def is_user_function(obj) -> bool:
    """A function named in a reference: undefined (``sp.Function("f")``) or a class of the course's own
    (a density, a network, a subclass made for printing); not one of SymPy's."""
    return isinstance(obj, UndefinedFunction) or (
        isinstance(obj, FunctionClass) and not (obj.__module__ or "").startswith("sympy"))


def has_formula(cls) -> bool:
    """Does a function class of the course say what it computes (a ``doit`` or a rewrite as exp)?
    ``GaussianDensity`` and ``Sigmoid`` do; ``NN_theta`` and ``p_theta_cond`` are unknown functions."""
    if isinstance(cls, UndefinedFunction):
        return False
    for klass in getattr(cls, "__mro__", ()):
        if (klass.__module__ or "").startswith("sympy"):
            break
        if "doit" in vars(klass) or "_eval_rewrite_as_exp" in vars(klass):
            return True
    return False


def applied_functions(expr) -> set:
    """Every application of a named (non-SymPy) function inside ``expr``."""
    if not isinstance(expr, sp.Basic):
        return set()
    return {f for f in expr.atoms(sp.Function) if is_user_function(f.func)}


def unknown_functions(expr) -> set:
    """Every application of a function with no formula (a network, a density left abstract)."""
    return {f for f in applied_functions(expr) if not has_formula(f.func)}


_stem = function_stem

#: The indices of a sample entry printed to learn how the course's printer writes an indexed base:
#: each prints as itself, one word the reader's lexer keeps whole.
SLOTS = tuple(sp.Symbol(f"slot{c}", integer=True) for c in "abcdef")


def printed_entry(base: sp.IndexedBase, rank: int) -> str | None:
    """The LaTeX the course's printer writes for an entry of ``base`` with ``rank`` indices, the
    indices written as :data:`SLOTS` (None for more indices than that). The reader learns the printed
    spelling here, from the printer itself, so the two cannot drift apart.

    >>> from derivations.notation import ConditionalTable, DataPoints
    >>> printed_entry(DataPoints("X"), 2), printed_entry(ConditionalTable("Q"), 2)
    ('x^{(slota)}_{slotb}', 'Q\\\\left(slota \\\\mid x^{(slotb)}\\\\right)')
    >>> printed_entry(sp.IndexedBase("sigma^2"), 1), printed_entry(sp.IndexedBase("mu_0"), 1)
    ('\\\\sigma_{slota}^{2}', '\\\\mu_{0,slota}')
    """
    if not 1 <= rank <= len(SLOTS):
        return None
    return course_latex(base[SLOTS[:rank]] if rank > 1 else base[SLOTS[0]])


class Key(NamedTuple):
    base: str
    decorations: frozenset
    sub: str
    sup: str


def _canon_script(text: str) -> str:
    text = text.translate(_BRACKETS)
    return GREEK_ALIASES.get(text, text)


def name_key(base: str, decorations: Iterable[str] = (), sub: str = "", sup: str = "") -> Key:
    """The key of a written name: decorations peeled off the base, digits moved to the subscript.

    >>> name_key("alphabar", sub="{t}")
    Key(base='alpha', decorations=frozenset({'bar'}), sub='t', sup='')
    >>> name_key("x", sub="hat") == name_key("xhat") == name_key("x", ["hat"])
    True
    """
    decos = set(decorations)
    sub, sup = _canon_script(sub), _canon_script(sup)
    if sub in DECORATIONS:
        decos.add(sub)
        sub = ""
    stripped = True
    while stripped:
        stripped = False
        for deco in DECORATIONS:
            if base.endswith(deco) and len(base) > len(deco):
                base, stripped = base[: -len(deco)].rstrip("_"), True
                decos.add(deco)
    digits = len(base) - len(base.rstrip("0123456789"))
    if digits and digits < len(base) and not sub:
        base, sub = base[:-digits], base[-digits:]
    base = GREEK_ALIASES.get(base, base)
    return Key(base, frozenset(decos), sub, sup)


#: Names written in more than one way: (base, subscript) -> the key's (base, subscript).
NAME_SPELLINGS = {("D", "KL"): ("KL", ""), ("D", "kl"): ("KL", ""), ("KLD", ""): ("KL", "")}


def spellings(key: Key) -> list:
    """``key`` and the other ways of writing it: a capital Greek subscript for its small letter and
    back (the homework writes q_\\Phi and q_\\phi for one function), D_{KL} for KL."""
    out = [key]
    if key.sub in GREEK_NAMES:
        other = key.sub[0].swapcase() + key.sub[1:]
        if other in GREEK_NAMES:
            out.append(key._replace(sub=other))
    alias = NAME_SPELLINGS.get((key.base, key.sub))
    if alias is not None:
        out.append(key._replace(base=alias[0], sub=alias[1]))
    return out


def key_of(obj) -> Key:
    """The key of a SymPy symbol, indexed base or undefined function, from its name."""
    name = str(obj.label) if isinstance(obj, sp.IndexedBase) else obj.name if hasattr(obj, "name") else str(obj)
    base, sups, subs = split_super_sub(name)
    return name_key(base, (), "".join(subs), "".join(sups))


def plain_name(obj) -> str:
    if isinstance(obj, sp.IndexedBase):
        return str(obj.label)
    return obj.__name__ if is_user_function(obj) else obj.name


@dataclass(frozen=True)
class Entry:
    """One accepted symbol: the SymPy object and how to write it."""

    obj: object
    key: Key
    kind: str  # symbol | indexed | function
    indices: tuple = ("i",)  # how the reference indexes an indexed base

    @property
    def listed(self) -> bool:
        """Is this a name to list for the user? A course function that says what it computes (the
        Gaussian density, the sigmoid, a squared norm) is written in its notation, not by name."""
        return not (self.kind == "function" and has_formula(self.obj))

    def latex(self) -> str:
        if self.kind == "indexed":
            head = sp.latex(sp.Symbol(plain_name(self.obj)))
            if len(self.indices) == 1:
                return head + f"^{{({self.indices[0]})}}"
            return head + "_{" + ",".join(map(str, self.indices)) + "}"
        if self.kind == "function":
            stem, suffix = _stem(plain_name(self.obj))
            args = "(\\cdot \\mid \\cdot)" if suffix in CONDITIONAL_SUFFIXES else "(\\cdot, \\cdot)" if suffix else "(\\cdot)"
            return sp.latex(sp.Symbol(stem)) + args
        return sp.latex(self.obj)

    def plain(self) -> list[str]:
        stem, suffix = _stem(plain_name(self.obj))
        args = "(a | b)" if suffix in CONDITIONAL_SUFFIXES else "(a, b)" if suffix else "(...)"
        if self.kind == "indexed":
            out = [f"{stem}[{', '.join(map(str, self.indices))}]"]
            if len(self.indices) == 2:  # Q(z | x^i) for Q[z, i]
                out.append(f"{stem}({self.indices[0]} | x^{self.indices[1]})")
            return out
        out = [stem + (args if self.kind == "function" else "")]
        if self.key.base == "alpha" and "bar" in self.key.decorations:
            out.append("abar" + (f"_{self.key.sub}" if self.key.sub else ""))
        if self.key.base == "epsilon":
            out.append("eps" + (f"_{self.key.sub}" if self.key.sub else ""))
        return out

    def printed(self) -> str:
        """An indexed base's entry as the course's printer writes it, with the reference's indices
        (``x^{(i)}`` for data points named X, ``Q\\left(z \\mid x^{(i)}\\right)``); '' for other kinds."""
        if self.kind != "indexed":
            return ""
        indices = tuple(sp.Symbol(name) for name in self.indices)
        return course_latex(self.obj[indices] if len(indices) > 1 else self.obj[indices[0]])

    def describe(self) -> str:
        """The LaTeX spellings (the printer's among them) and the plain ones, for a list of accepted symbols."""
        written, printed = self.latex(), self.printed()
        if re.search(r"\^\{[^{}]*\}\^", written):  # sigma^2 indexed: no double superscript offered
            written = ""
        forms = [f for f in (written, printed) if f]
        if len(forms) == 2 and forms[0].translate(_BRACES) == forms[1].translate(_BRACES):
            forms = forms[:1]  # {\mu}_{z,j} is \mu_{z,j}
        return f"{' or '.join(forms)} ({', '.join(self.plain())})"


class Vocabulary:
    """The symbols of one reference answer, looked up by :class:`Key`.

    ``dim`` is the length of the answer's vectors (for e_1, e_2), ``arity`` maps an undefined
    function to the arguments the reference applies it to (so ``NN_\theta(z)`` can stand for
    ``NN_theta(theta, z)``) and ``indices`` an indexed base to the indices the reference uses.
    A function named ``p_theta_cond`` is what ``p_\theta(x | z)`` means.
    """

    def __init__(self, symbols: Iterable, *, dim: int | None = None, arity: dict | None = None,
                 indices: dict | None = None, definable: Iterable = (), ranges: dict | None = None,
                 more_ranks: dict | None = None):
        self.entries: list[Entry] = []
        self._by_key: dict[Key, Entry] = {}
        self._indexed: dict[Key, Entry] = {}
        self._cond: dict[Key, list[Entry]] = {}
        self._joint: dict[Key, Entry] = {}
        self.dim = dim
        self.arity = dict(arity or {})
        self.ranks = dict(indices or {})  # indexed base -> the indices the reference uses
        # indexed base -> every number of indices the reference uses (x^{(i)} beside x^{(i)}_j)
        self.rank_counts = {b: {len(ix)} | set((more_ranks or {}).get(b, ())) for b, ix in self.ranks.items()}
        self._definable = {key_of(obj) for obj in definable}  # bound symbols an answer may define
        self.ranges = dict(ranges or {})  # index name -> (lower, upper) of the reference's sums over it
        self.prefixes: dict = {}  # x_{<i}: read by vectors_read, spelled like the vector x beside it
        for obj in symbols:
            if isinstance(obj, Prefix):  # listed and printed, never looked up by the letter of the vector
                self.prefixes[key_of(obj)] = obj
                self.entries.append(Entry(obj, key_of(obj), "indexed", tuple(map(str, self.ranks.get(obj, ("i",))))))
                continue
            if isinstance(obj, sp.IndexedBase):
                kind = "indexed"
            elif is_user_function(obj):
                kind = "function"
            elif isinstance(obj, (sp.Symbol, RandomSymbol)):
                kind = "symbol"
            else:
                raise TypeError(f"a quantity's symbols must be SymPy symbols, got {obj!r}")
            entry = Entry(obj, key_of(obj), kind, tuple(map(str, self.ranks.get(obj, ("i",)))))
            stem, suffix = _stem(obj.__name__) if kind == "function" else ("", "")
            if suffix:
                entry = Entry(obj, key_of(sp.Function(stem)), kind)
                if suffix in CONDITIONAL_SUFFIXES:
                    self._cond.setdefault(entry.key, []).append(entry)
                else:
                    self._joint[entry.key] = entry
                self.entries.append(entry)
                continue
            table = self._indexed if kind == "indexed" else self._by_key  # x beside data points x^{(i)}
            if entry.key in table and table[entry.key].obj != obj:
                raise ValueError(f"symbols {plain_name(obj)} and {plain_name(table[entry.key].obj)} "
                                 "are spelled the same way")
            table[entry.key] = entry
            self.entries.append(entry)

    def entry(self, key: Key) -> Entry | None:
        """The entry spelled ``key``, trying the usual variants (x_i for x^{(i)}, abar for alphabar,
        q_\\Phi for q_\\phi, D_{KL} for KL)."""
        for variant in spellings(key):
            found = self._entry(variant)
            if found is not None:
                return found
        return None

    def _entry(self, key: Key) -> Entry | None:
        found = self._by_key.get(key) or self._indexed.get(key)
        if found is not None:
            return found
        variants = []
        if key.sup and not key.sub:
            variants.append(key._replace(sub=key.sup, sup=""))
        if key.sub and not key.sup:
            variants.append(key._replace(sup=key.sub, sub=""))
        for v in variants:
            if v in self._by_key:
                return self._by_key[v]
        if len(key.base) == 1 and key.base.isalpha() and key.decorations:  # abar_t for alphabar_t
            hits = [e for e in self.entries if e.key._replace(base=key.base) == key
                    and e.key.base in GREEK and e.key.base.startswith(key.base)]
            if len(hits) == 1:
                return hits[0]
        return None

    def is_definable(self, key: Key) -> bool:
        """May an answer define ``key`` (a symbol the reference only binds, as the z of z = g)?"""
        return key in self._definable

    def conditional(self, key: Key) -> list[Entry]:
        """The functions written ``key`` when called with a bar: p_\\theta(x | z)."""
        for variant in spellings(key):
            if variant in self._cond:
                return self._cond[variant]
        return []

    def joint(self, key: Key) -> Entry | None:
        """The function written ``key`` when called with two arguments: p_\\theta(x, z)."""
        for variant in spellings(key):
            if variant in self._joint:
                return self._joint[variant]
        return None

    def vector(self, key: Key):
        """``\\hat{x}`` for the column of xhat_1, xhat_2, ... when the part has those and no xhat."""
        if key.sub or key.sup or key in self._by_key:
            return None
        parts = []
        for k in range(1, 10):
            e = self._by_key.get(key._replace(sub=str(k)))
            if e is None or e.kind != "symbol":
                break
            parts.append(e.obj)
        return sp.Matrix(parts) if len(parts) >= 2 else None

    def aliases(self) -> list[tuple[str, str]]:
        """Extra spellings: a vector for its coordinates, unit vectors e_k. (LaTeX, plain) pairs."""
        out, seen = [], set()
        for e in self.entries:
            key = e.key._replace(sub="")
            vec = self.vector(key) if e.kind == "symbol" and e.key.sub == "1" else None
            if vec is not None and key not in seen:
                seen.add(key)
                head = sp.latex(sp.Symbol(plain_name(e.obj)[: -len("_1")]))
                out.append((head, f"{plain_name(e.obj)[:-2]} = [{', '.join(map(str, vec))}]"))
        if self.dim:
            units = ", ".join(f"e_{k}" for k in range(1, self.dim + 1))
            out.append((units, f"{units} (unit vectors of length {self.dim})"))
        return out

    def printed(self) -> list[tuple[str, sp.IndexedBase, int]]:
        """How the course's printer writes the entries of each indexed base, for each number of
        indices the reference uses: (LaTeX with the indices written as :data:`SLOTS`, base, rank)."""
        out = []
        for e in self.entries:
            if e.kind != "indexed":
                continue
            for rank in sorted(self.rank_counts.get(e.obj, {len(e.indices)})):
                text = printed_entry(e.obj, rank)
                if text is not None:
                    out.append((text, e.obj, rank))
        return out

    def lookup(self, key: Key):
        e = self.entry(key)
        return None if e is None else e.obj

    def has_base(self, base: str) -> bool:
        return any(e.key.base == base for e in self.entries)

    def indexed(self, key: Key) -> Entry | None:
        """An indexed base written ``key`` (decorations only, no scripts), if there is one."""
        return self._indexed.get(key._replace(sub="", sup=""))

    def symbol(self, key: Key) -> Entry | None:
        """The symbol or function written exactly ``key`` (not an indexed base), if there is one."""
        return self._by_key.get(key)

    def accepted(self) -> str:
        """The accepted symbols on one line, LaTeX first and plain text in parentheses."""
        described = [e.describe() for e in self.entries if e.listed] + [f"{a} ({b})" for a, b in self.aliases()]
        return "; ".join(described) or "no symbols (a number)"
