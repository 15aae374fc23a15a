"""Tokens of an answer written in LaTeX or plain text; nothing in the input is ever executed.

>>> [t.text for t in tokenize(r"\\frac{1}{2}\\,\\bar\\alpha_t x0 ** 2")]
['frac', '{', '1', '}', '{', '2', '}', 'bar', 'alpha', '_', 't', 'x0', '^', '2', '']
>>> tokenize("x ; y")[1].kind, tokenize("a·b")[1].text
('op', '*')
>>> [t.text for t in tokenize(r"\\[\\left. f \\right|_{z=0} \\parallel\\]")]
['left.', 'f', '|', '_', '{', 'z', '=', '0', '}', '||', '']
"""

from __future__ import annotations

from dataclasses import dataclass

from derivations.answercheck.errors import AnswerError
from derivations.notation.table import ACCENTS, COMMAND_OF, PRECOMPOSED, SUBSCRIPT_DIGITS, SUPERSCRIPT_DIGITS

MAX_CHARS = 2000  # the longest answer a user may type (a printed line read back may be longer)
MAX_NUMBER_DIGITS = 30

# Commands that only space or size things: dropped.
SPACING = frozenset({",", ";", ":", "!", " ", "quad", "qquad", "displaystyle", "textstyle", "limits",
                     "nolimits", "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl",
                     "Bigr", "biggl", "biggr", "Biggl", "Biggr", "middle", "enspace", "thinspace",
                     "medspace", "thickspace", "negthinspace", "nobreak", "allowbreak", "\n"})
# Commands that stand for an operator character.
AS_OP = {"cdot": "*", "times": "*", "ast": "*", "{": "(", "}": ")", "lbrace": "(", "rbrace": ")",
         "lbrack": "[", "rbrack": "]", "langle": "(", "rangle": ")", "mid": "|", "vert": "|",
         "lvert": "|", "rvert": "|", "|": "||", "Vert": "||", "lVert": "||", "rVert": "||",
         "sim": "~", "colon": ":", "\\": ";", "cr": ";", "lparen": "(", "rparen": ")", "to": "->",
         "rightarrow": "->", "approx": "=", "equiv": "=", "parallel": "||", "Arrowvert": "||",
         "le": "<=", "leq": "<=", "leqslant": "<=", "ge": ">=", "geq": ">=", "geqslant": ">=", "lt": "<",
         "gt": ">", "in": "in", "ne": "!=", "neq": "!="}
# Math delimiters around a formula (as $...$ are): dropped.
DELIMITERS = frozenset({"[", "]", "(", ")"})
OPS = set("+-*/^_()[]{},;|=!'.<>:&~")


def _unicode_tokens() -> dict[str, tuple[str, str]]:
    """Unicode characters as the tokens their LaTeX spelling gives (from the notation's one table):
    a Greek letter or a sign with a command is that command, or the operator the command stands for."""
    out = {}
    for ch, name in COMMAND_OF.items():
        out[ch] = ("op", AS_OP[name]) if name in AS_OP else ("cmd", name)
    out.update({"Σ": ("cmd", "sum"), "⋅": ("op", "*"), "−": ("op", "-"), "–": ("op", "-"), "∣": ("op", "|"),
                "⊤": ("cmd", "top"), "ℐ": ("word", "I"), "𝒩": ("word", "N"), "√": ("cmd", "sqrt")})
    return out


UNICODE = _unicode_tokens()
PRECOMPOSED_TOKENS = {ch: (accent, letter) for ch, (letter, accent) in PRECOMPOSED.items()}


@dataclass(frozen=True)
class Token:
    """``kind`` is num, word, cmd (text without the backslash), op or end; ``pos`` a 0-based index."""

    kind: str
    text: str
    pos: int

    def is_op(self, *texts: str) -> bool:
        return self.kind == "op" and self.text in texts

    def is_cmd(self, *names: str) -> bool:
        return self.kind == "cmd" and self.text in names


def check_text(answer, limit: int = MAX_CHARS) -> str:
    """The answer as text, or an :class:`AnswerError` for bytes that are not UTF-8, control
    characters or an input longer than ``limit`` characters."""
    if isinstance(answer, (bytes, bytearray)):
        try:
            answer = bytes(answer).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise AnswerError(f"the answer is not valid UTF-8 (byte {exc.start + 1})") from None
    if not isinstance(answer, str):
        raise AnswerError(f"the answer must be text, got {type(answer).__name__}")
    for i, ch in enumerate(answer[:limit + 1]):
        if "\ud800" <= ch <= "\udfff":  # how Python carries undecodable bytes of argv
            raise AnswerError("the answer is not valid UTF-8", position=i)
    if len(answer) > limit:
        raise AnswerError(f"the answer is {len(answer)} characters long; the limit is {limit}")
    for i, ch in enumerate(answer):
        if not ch.isprintable() and ch not in " \t\n\r":
            raise AnswerError(f"control character U+{ord(ch):04X} in the answer", position=i)
    if not answer.strip():
        raise AnswerError("the answer is empty")
    return answer


#: Combining accents (x̂, α̅ as a terminal prints them): the LaTeX accent each stands for.
COMBINING_ACCENTS: dict[str, str] = {}
for _name, (_, _mark) in ACCENTS.items():
    COMBINING_ACCENTS.setdefault(_mark, _name)

#: Unicode superscript and subscript characters: the script mark, the token kind and its text.
SCRIPT_CHARACTERS: dict[str, tuple[str, str, str]] = {
    **{ch: ("^", "num", d) for ch, d in SUPERSCRIPT_DIGITS.items()},
    **{ch: ("_", "num", d) for ch, d in SUBSCRIPT_DIGITS.items()},
    **{ch: ("_", "word", letter) for ch, letter in zip("ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ", "aeoxhklmnpstijruv")},
}


def _digit(ch: str) -> bool:
    """An ASCII digit: ``str.isdigit`` also holds for ² and ₂, which are a power and a subscript here.

    >>> _digit("7"), _digit("²"), "²".isdigit()
    (True, False, True)
    """
    return "0" <= ch <= "9"


def tokenize(text: str, limit: int = MAX_CHARS) -> list[Token]:
    """Split ``text`` into tokens, ending with an ``end`` token. Spacing commands are dropped;
    ``\\left.`` and ``\\right.`` (invisible delimiters) are the tokens ``left.`` and ``right.``."""
    text = check_text(text, limit)
    out: list[Token] = []
    i, n = 0, len(text)

    def emit(kind: str, value: str, pos: int) -> None:
        out.append(Token(kind, value, pos))

    while i < n:
        ch = text[i]
        if ch in " \t\n\r$":  # $...$ around a copied formula is ignored
            i += 1
        elif ch == "\\":
            j = i + 1
            if j < n and text[j].isascii() and text[j].isalpha():
                while j < n and text[j].isascii() and text[j].isalpha():
                    j += 1
                name = text[i + 1:j]
            elif j < n:
                name, j = text[j], j + 1
            else:
                raise AnswerError("a lone backslash ends the answer", position=i)
            if name in ("left", "right") and text[j:j + 1] == ".":
                emit("op", name + ".", i)  # \left. ... \right|_{z=a}: an invisible delimiter
                j += 1
            elif name in SPACING or name in DELIMITERS:  # dropped; \[ ... \] and \( ... \) delimit a formula
                if name in ("middle", "bigl", "bigr", "Bigl", "Bigr") and text[j:j + 1] == ".":
                    j += 1
            elif name in AS_OP:
                emit("op", AS_OP[name], i)
            else:
                emit("cmd", name, i)
            i = j
        elif _digit(ch) or (ch == "." and i + 1 < n and _digit(text[i + 1])):
            j = i
            while j < n and _digit(text[j]):
                j += 1
            if j < n and text[j] == "." and j + 1 < n and _digit(text[j + 1]):
                j += 1
                while j < n and _digit(text[j]):
                    j += 1
            if j - i > MAX_NUMBER_DIGITS:
                raise AnswerError(f"a number longer than {MAX_NUMBER_DIGITS} digits", position=i)
            emit("num", text[i:j], i)
            i = j
        elif ch.isascii() and ch.isalpha():
            j = i
            while j < n and text[j].isascii() and text[j].isalpha():
                j += 1
            while j < n and _digit(text[j]):  # x0, x1: a subscript written without '_'
                j += 1
            emit("word", text[i:j], i)
            i = j
        elif ch == "*" and text[i + 1:i + 2] == "*":
            emit("op", "^", i)
            i += 2
        elif ch in "|" and text[i + 1:i + 2] == "|":
            emit("op", "||", i)
            i += 2
        elif ch == "-" and text[i + 1:i + 2] == ">":
            emit("op", "->", i)
            i += 2
        elif ch in "<>!" and text[i + 1:i + 2] == "=":
            emit("op", ch + "=", i)
            i += 2
        elif ch in OPS:
            emit("op", ch, i)
            i += 1
        elif ch in UNICODE:
            kind, value = UNICODE[ch]
            emit(kind, value, i)
            i += 1
        elif ch in SCRIPT_CHARACTERS:  # t² is t^2, x₀ is x_0, ᾱₜ is \bar\alpha_t (as the terminal prints it)
            mark, kind, value = SCRIPT_CHARACTERS[ch]
            emit("op", mark, i)
            emit(kind, value, i)
            i += 1
        elif ch in COMBINING_ACCENTS and out and (out[-1].kind == "cmd" or (out[-1].kind == "word"
                                                                          and len(out[-1].text) == 1)):
            out.insert(len(out) - 1, Token("cmd", COMBINING_ACCENTS[ch], out[-1].pos))  # x̂ is \hat x
            i += 1
        elif ch in PRECOMPOSED_TOKENS:  # ᾱ is \bar\alpha
            accent, letter = PRECOMPOSED_TOKENS[ch]
            emit("cmd", accent, i)
            emit("cmd", letter, i)
            i += 1
        else:
            raise AnswerError(f"unexpected character {ch!r}", position=i)
    out.append(Token("end", "", n))
    return out
