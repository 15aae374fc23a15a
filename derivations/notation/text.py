"""LaTeX prose in both directions: read as Unicode in a terminal, and made safe for the document.

Section modules write their prose (summaries, explanations, reasons, titles, check names, captions)
once, in LaTeX. :func:`unicode_text` reads it for the terminal with a small scanner over the
symbol table of :mod:`derivations.notation.table` (commands to characters, accents to combining
marks, ``\\frac{a}{b}`` to ``(a)/(b)``); :func:`prose` keeps it safe for the document (a bare ``_`` or
``%`` in text is escaped, math is kept); :func:`escape` sets arbitrary text (an error message, a
value) in text mode.

>>> unicode_text(r"$q(x_t\\mid x_0)=\\mathcal{N}(\\sqrt{\\bar\\alpha_t}\\,x_0, 1-\\bar\\alpha_t)$")
'q(x_t | x_0) = 𝒩(√(ᾱ_t) x_0, 1-ᾱ_t)'
>>> unicode_text(r"$\\frac{a}{b} \\le \\sqrt{2}$ and \\emph{never} $\\hat x$")
'(a)/(b) ≤ √(2) and never x̂'
"""

from __future__ import annotations

import unicodedata

from derivations.notation.table import (ACCENTS, ALPHABETS, COMBINING, COMMAND_OF, OPERATOR_NAMES,
                                        SUBSCRIPT_DIGITS, SUPERSCRIPT_DIGITS, UNICODE_OF, styled_letter)

# --------------------------------------------------------------------------- LaTeX to Unicode

#: Commands that only space, size or style: what they become in the terminal.
_SPACING = {"quad": " ", "qquad": "  ", ",": " ", ";": " ", ":": " ", "!": "", " ": " ", "enspace": " ",
            "left": "", "right": "", "middle": "", "bigl": "", "bigr": "", "Bigl": "", "Bigr": "",
            "big": "", "Big": "", "biggl": "", "biggr": "", "displaystyle": "", "noindent": "",
            "par": "\n", "smallskip": "\n", "medskip": "\n", "centering": "", "hfill": " "}
#: Commands whose argument is shown as it is (their braces then go as grouping braces do).
_STYLES = frozenset("emph textbf textit textsf texttt text textrm mathrm operatorname mathbf boldsymbol "
                    "mathit mathsf bm underline".split())
_ESCAPED = {"%": "%", "&": "&", "_": "_", "#": "#", "$": "$", "{": "{", "}": "}"}
_MACROS = {"KL": "KL", "E": "𝔼", "ELBO": "ELBO"}
_FRACTIONS = ("frac", "dfrac", "tfrac")
_SCRIPT_EQUALS = "\ue010"  # an = inside a script, kept unspaced


def unicode_text(text: str) -> str:
    """Readable Unicode for LaTeX prose: commands to characters, ``$`` and grouping braces removed.

    Meant for the terminal; a command it does not know is left as written.

    >>> unicode_text(r"$\\det\\Sigma$ and $\\max_i x_i$, $2\\log x\\sinh y$")
    'det Σ and max_i x_i, 2 log x sinh y'
    """
    out = _Scanner(str(text)).render()
    out = " = ".join(piece.strip(" \t") for piece in out.split("=")) if "=" in out else out
    out = out.replace(_SCRIPT_EQUALS, "=")
    lines = [" ".join(line.replace("\t", " ").split(" ")).strip() for line in out.split("\n")]
    return unicodedata.normalize("NFC", "\n".join(_squeeze(line) for line in lines).strip())


def _squeeze(line: str) -> str:
    while "  " in line:
        line = line.replace("  ", " ")
    return line


class _Scanner:
    """One pass over LaTeX prose; ``render`` returns its Unicode reading."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.out: list[str] = []
        self.space_if_word = False  # an operator name was written: space it off a following word

    def render(self) -> str:
        while self.pos < len(self.text):
            self.step()
        return "".join(self.out)

    def emit(self, piece: str) -> None:
        if not piece:
            return
        if self.space_if_word and piece[0].isalnum():
            self.out.append(" ")
        self.space_if_word = False
        self.out.append(piece)

    def previous_char(self) -> str:
        joined = "".join(self.out[-3:])
        return joined[-1] if joined else ""

    def step(self) -> None:
        ch = self.text[self.pos]
        if ch == "\\":
            self.command()
            return
        self.pos += 1
        if ch in "_^" and self.text[self.pos:self.pos + 1] == "{":
            self.script(ch)
            return
        if ch in "${}":
            return  # math delimiters and grouping braces
        if ch == "~":
            self.emit(" ")
        elif ch == "&":
            return
        else:
            self.emit(ch)

    def script(self, mark: str) -> None:
        """A sub- or superscript group: one character as it is (``x_t``), more in braces (``x_{t-1}``),
        where an ``=`` is not spaced as a relation is (``∑_{i=1}^n``)."""
        group = self.argument() or ""
        shown = group if len(group) <= 1 else "{" + group.replace("=", _SCRIPT_EQUALS) + "}"
        self.emit(mark + shown)

    def read_name(self) -> str:
        """The command after a backslash: letters, or one other character."""
        start = self.pos
        if start < len(self.text) and self.text[start].isalpha():
            while self.pos < len(self.text) and self.text[self.pos].isalpha():
                self.pos += 1
            return self.text[start:self.pos]
        self.pos += 1
        return self.text[start:self.pos]

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1

    def argument(self) -> str | None:
        """The next argument rendered: a braced group, a command, or one character."""
        self.skip_spaces()
        if self.pos >= len(self.text):
            return None
        if self.text[self.pos] == "{":
            end = _closing_brace(self.text, self.pos)
            if end is None:
                return None
            inner = self.text[self.pos + 1:end]
            self.pos = end + 1
            return _Scanner(inner).render()
        if self.text[self.pos] == "\\":
            sub = _Scanner(self.text[self.pos:])
            sub.command()
            self.pos += sub.pos
            return "".join(sub.out)
        self.pos += 1
        return self.text[self.pos - 1]

    def command(self) -> None:
        start = self.pos
        self.pos += 1  # the backslash
        name = self.read_name()
        if name == "\\":
            self.emit("\n")
        elif name in ("[", "]", "(", ")"):
            return  # display and inline math delimiters
        elif name in ("begin", "end"):
            self.argument()
            self.emit(" ")
        elif name in _SPACING:
            self.emit(_SPACING[name])
        elif name in _ESCAPED:
            self.emit(_ESCAPED[name])
        elif name == "mid":
            self.emit(" | ")
        elif name in _STYLES:
            return  # the group that follows is shown as it is
        elif name in ALPHABETS:
            self.styled(name, start)
        elif name in _FRACTIONS:
            self.fraction(start)
        elif name == "sqrt":
            self.root(start)
        elif name in ACCENTS:
            self.accent(name, start)
        elif name in OPERATOR_NAMES:
            self.operator(name)
        elif name in UNICODE_OF:
            self.emit(UNICODE_OF[name])
        elif name in _MACROS:
            self.emit(_MACROS[name])
        else:
            self.emit(self.text[start:self.pos])  # unknown: left as written

    def styled(self, name: str, start: int) -> None:
        arg = self.argument()
        if arg is None:
            self.emit(self.text[start:self.pos])
        else:
            self.emit("".join(styled_letter(name, ch) if len(arg) == 1 else ch for ch in arg))

    def fraction(self, start: int) -> None:
        num, den = self.argument(), self.argument()
        if num is None or den is None:
            self.emit(self.text[start:self.pos])
        else:
            self.emit(f"({num})/({den})")

    def root(self, start: int) -> None:
        arg = self.argument()
        self.emit(self.text[start:self.pos] if arg is None else f"√({arg})")

    def accent(self, name: str, start: int) -> None:
        arg = self.argument()
        if arg is None:
            self.emit(self.text[start:self.pos])
        elif len(arg) == 1:
            self.emit(arg + COMBINING[ACCENTS[name][0]])
        else:
            self.emit(arg)

    def operator(self, name: str) -> None:
        before = self.previous_char()
        self.emit((" " if before.isalnum() or before == ")" else "") + name)
        self.space_if_word = True


def _closing_brace(text: str, start: int) -> int | None:
    """Index of the brace closing the one at ``start`` (escaped braces skipped), or None."""
    depth, i = 0, start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return i
        i += 1
    return None


# --------------------------------------------------------------------------- text into the document

_TEXT_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\^{}", "|": r"$|$", "<": r"$<$", ">": r"$>$",
}
#: Unicode a pdflatex document cannot set, as LaTeX (Latin-1 letters are set as they are).
_AS_LATEX = {
    **{ch: rf"\ensuremath{{\{name}}}" for ch, name in COMMAND_OF.items() if name.isalpha() and not ch.isascii()},
    "‖": r"\ensuremath{\|}", "ᵀ": r"\ensuremath{^\top}", "√": r"\ensuremath{\surd}", "−": r"\ensuremath{-}",
    "ℝ": r"\ensuremath{\mathbb{R}}", "𝔼": r"\ensuremath{\mathbb{E}}", "𝒩": r"\ensuremath{\mathcal{N}}",
    **{ch: rf"\ensuremath{{_{d}}}" for ch, d in SUBSCRIPT_DIGITS.items()},
    **{ch: rf"\ensuremath{{^{d}}}" for ch, d in SUPERSCRIPT_DIGITS.items()},
    "–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''", "…": r"\ldots{}", "\u00a0": "~",
}


def latex_chars(text: str) -> str:
    """Replace the Unicode that pdflatex cannot set by LaTeX; Latin-1 letters stay (utf8 input).

    >>> latex_chars("α ≤ 2 … ‖x‖")
    '\\\\ensuremath{\\\\alpha} \\\\ensuremath{\\\\le} 2 \\\\ldots{} \\\\ensuremath{\\\\|}x\\\\ensuremath{\\\\|}'
    """
    return "".join(_AS_LATEX.get(ch, ch if ord(ch) < 0x250 else "?") for ch in text)


def escape(text: str) -> str:
    r"""Escape plain text for LaTeX text mode (``->``, ``<=``, ``>=``, ``||`` set as math).

    >>> escape("sigma_2^2 = 2 x 50%")
    'sigma\\_2\\^{}2 = 2 x 50\\%'
    """
    marks = {"->": r"$\to$", "<=": r"$\le$", ">=": r"$\ge$", "||": r"$\|$"}
    out, i, text = [], 0, str(text)
    while i < len(text):
        pair = text[i:i + 2]
        if pair in marks:
            out.append(marks[pair])
            i += 2
            continue
        out.append(_TEXT_ESCAPES.get(text[i], text[i]))
        i += 1
    return latex_chars("".join(out))


def prose(text: str) -> str:
    r"""LaTeX written by a section module, made safe: outside math and environments, a bare
    ``_ ^ # %`` or ``&`` is escaped (a plain-text slip must not break the document); math,
    environments (``align*``, ``tabular``, ...) and commands are kept as written.

    >>> prose(r"Bayes' rule for $p(z\mid x)$ with x_0 & 5% of \emph{it}")
    "Bayes' rule for $p(z\\mid x)$ with x\\_0 \\& 5\\% of \\emph{it}"
    >>> prose(r"\begin{align*} a &= b \end{align*} & done")
    '\\begin{align*} a &= b \\end{align*} \\& done'
    """
    text, out, i = str(text), [], 0
    while i < len(text):
        span = _verbatim_span(text, i)
        if span is not None:
            out.append(text[i:span])
            i = span
            continue
        ch = text[i]
        if ch == "\\":
            out.append(text[i:i + 2])
            i += 2
            continue
        out.append({"_": r"\_", "#": r"\#", "&": r"\&", "%": r"\%", "^": r"\^{}"}.get(ch, ch))
        i += 1
    return latex_chars("".join(out))


def _verbatim_span(text: str, i: int) -> int | None:
    """End of a math span (``$...$``, ``$$...$$``, ``\\[...\\]``, ``\\(...\\)``) or environment at ``i``."""
    if text.startswith("$$", i):
        end = text.find("$$", i + 2)
        return None if end < 0 else end + 2
    if text[i] == "$" and (i == 0 or text[i - 1] != "\\"):
        j = i + 1
        while j < len(text):
            if text[j] == "$" and text[j - 1] != "\\":
                return j + 1
            j += 1
        return None
    for opener, closer in (("\\[", "\\]"), ("\\(", "\\)")):
        if text.startswith(opener, i):
            end = text.find(closer, i + 2)
            return None if end < 0 else end + 2
    if text.startswith("\\begin{", i):
        close = text.find("}", i + 7)
        if close < 0:
            return None
        env = text[i + 7:close]
        end = text.find(f"\\end{{{env}}}", close)
        return None if end < 0 else end + len(f"\\end{{{env}}}")
    return None
