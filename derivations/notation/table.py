"""The one table of the course's symbols: Greek letters, accents, operator names, relation and
operator signs, calligraphic and blackboard letters, with their LaTeX and their Unicode.

Everything that reads or writes notation is built from it: the answer reader's vocabulary and
lexer (:mod:`derivations.answercheck`), the Unicode rendering of LaTeX prose for the terminal
(:mod:`derivations.notation.text`) and the escaping of Unicode in the LaTeX document.

>>> UNICODE_OF["alpha"], UNICODE_OF["le"], COMMAND_OF["≤"]
('α', '≤', 'le')
>>> DECORATION_OF["overline"], COMBINING["bar"]
('bar', '̄')
"""

from __future__ import annotations

import unicodedata

#: Greek letters: LaTeX name (without the backslash) and character.
GREEK: tuple[tuple[str, str], ...] = tuple(zip(
    ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau "
     "upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split(),
    "αβγδεζηθικλμνξοπρστυφχψωΓΔΘΛΞΠΣΥΦΨΩ"))
GREEK_NAMES: tuple[str, ...] = tuple(name for name, _ in GREEK)

#: Variant letters and the letter each stands for, with the variant's own character.
GREEK_VARIANTS: dict[str, tuple[str, str]] = {
    "varepsilon": ("epsilon", "ε"), "vartheta": ("theta", "ϑ"), "varphi": ("phi", "φ"),
    "varsigma": ("sigma", "ς"), "varrho": ("rho", "ϱ"), "varpi": ("pi", "ϖ")}

#: Plain-text spellings a reader accepts for a Greek name (``eps_t`` for epsilon_t).
SPELLINGS: dict[str, str] = {"eps": "epsilon", "lamda": "lambda"}

#: The name a Greek spelling stands for: variants and plain spellings to the letter's name.
GREEK_ALIASES: dict[str, str] = {**{v: base for v, (base, _) in GREEK_VARIANTS.items()}, **SPELLINGS}

#: LaTeX accents: the decoration each puts on a symbol, and its combining Unicode character.
ACCENTS: dict[str, tuple[str, str]] = {
    "bar": ("bar", "\u0304"), "overline": ("bar", "\u0305"), "hat": ("hat", "\u0302"),
    "widehat": ("hat", "\u0302"), "tilde": ("tilde", "\u0303"), "widetilde": ("tilde", "\u0303"),
    "dot": ("dot", "\u0307"), "ddot": ("ddot", "\u0308"), "vec": ("vec", "\u20d7"),
    "check": ("check", "\u030c"), "breve": ("breve", "\u0306")}
DECORATION_OF: dict[str, str] = {name: deco for name, (deco, _) in ACCENTS.items()}
#: The decorations a symbol's name may end in (``alphabar``, ``xhat``), longest first.
DECORATIONS: tuple[str, ...] = tuple(sorted(set(DECORATION_OF.values()), key=lambda d: (-len(d), d)))
COMBINING: dict[str, str] = {}
for _deco, _ch in ACCENTS.values():
    COMBINING.setdefault(_deco, _ch)

#: Names LaTeX sets upright as operators (``\log x``).
OPERATOR_NAMES: tuple[str, ...] = tuple(
    "log ln exp sin cos tan cot sec csc sinh cosh tanh coth arcsin arccos arctan det dim ker "
    "min max sup inf lim liminf limsup arg deg gcd Pr tr".split())

#: Signs: LaTeX command (without the backslash) and its character.
SIGNS: dict[str, str] = {
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼",
    "simeq": "≃", "equiv": "≡", "propto": "∝", "to": "→", "rightarrow": "→", "Rightarrow": "⇒",
    "iff": "⇔", "mapsto": "↦", "infty": "∞", "in": "∈", "cdot": "·", "times": "×", "pm": "±",
    "sum": "∑", "prod": "∏", "int": "∫", "partial": "∂", "nabla": "∇", "ldots": "…", "dots": "…",
    "cdots": "⋯", "vdots": "⋮", "ddots": "⋱", "top": "ᵀ", "mid": "|", "vert": "|", "lvert": "|",
    "rvert": "|", "|": "‖", "Vert": "‖", "lVert": "‖", "rVert": "‖", "parallel": "‖", "langle": "⟨",
    "rangle": "⟩", "emptyset": "∅", "subset": "⊂", "cup": "∪", "cap": "∩", "forall": "∀",
    "exists": "∃", "surd": "√", "checkmark": "✓", "ell": "ℓ",
    **{f"dots{kind}": "…" for kind in "bcimo"}}

#: Calligraphic, script and blackboard letters: the Unicode style each command names.
ALPHABETS: dict[str, str] = {"mathcal": "SCRIPT", "mathscr": "SCRIPT", "mathbb": "DOUBLE-STRUCK"}

#: Characters with a LaTeX spelling: Greek letters and signs (the first command of each sign).
UNICODE_OF: dict[str, str] = {**dict(GREEK), **{v: ch for v, (_, ch) in GREEK_VARIANTS.items()}, **SIGNS}
COMMAND_OF: dict[str, str] = {}
for _name, _ch in UNICODE_OF.items():
    COMMAND_OF.setdefault(_ch, _name)
COMMAND_OF["ϵ"] = "epsilon"
COMMAND_OF["ϕ"] = "phi"

#: Superscript and subscript digits, and precomposed letters with an accent.
SUPERSCRIPT_DIGITS: dict[str, str] = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4"}
SUBSCRIPT_DIGITS: dict[str, str] = {ch: str(k) for k, ch in enumerate("₀₁₂₃₄₅₆₇₈₉")}
PRECOMPOSED: dict[str, tuple[str, str]] = {"ᾱ": ("alpha", "bar")}


def styled_letter(style_command: str, char: str) -> str:
    """``\\mathcal{U}`` as 𝒰, ``\\mathbb{P}`` as ℙ, ``\\mathbb{1}`` as 𝟙; the plain character if
    Unicode has no such one.

    >>> styled_letter("mathcal", "N"), styled_letter("mathbb", "E"), styled_letter("mathcal", "7")
    ('𝒩', '𝔼', '7')
    """
    style = ALPHABETS[style_command]
    try:
        what = unicodedata.name(char).replace("LATIN ", "").replace(" LETTER", "")  # CAPITAL U, DIGIT ONE
    except ValueError:
        return char
    for name in (f"MATHEMATICAL {style} {what}", f"{style} {what}"):
        try:
            return unicodedata.lookup(name)
        except KeyError:
            continue
    return char

#: Name endings of undefined functions that stand for a conditional density p(a | b) or a joint
#: p(a, b): the printers write them so, and the answer reader reads them so.
CONDITIONAL_SUFFIXES: tuple[str, ...] = ("_cond", "_post")
JOINT_SUFFIXES: tuple[str, ...] = ("_joint",)
