"""Errors in a user's answer: one line naming the problem and where it is.

>>> str(AnswerError("unknown symbol 'q'", position=4, text="x + q"))
"unknown symbol 'q' at position 5: x + >>>q"
"""

from __future__ import annotations

_SHOWN = 40  # characters of context shown before the position


class AnswerError(ValueError):
    """The user's input cannot be read as an answer (exit code 2 in the CLI).

    ``position`` is the 0-based character index of the problem in the input (None when the whole
    input is at fault); ``accepted`` is a one-line list of what may be written instead.
    """

    def __init__(self, message: str, *, position: int | None = None, text: str | None = None,
                 accepted: str = ""):
        self.message = message
        self.position = position
        self.text = text
        self.accepted = accepted
        super().__init__(self.line())

    def with_context(self, *, text: str | None = None, accepted: str | None = None) -> "AnswerError":
        """The same error, with the input text and the accepted symbols filled in if missing."""
        return AnswerError(self.message, position=self.position,
                           text=self.text if self.text is not None else text,
                           accepted=self.accepted or accepted or "")

    def line(self) -> str:
        out = self.message
        if self.position is not None:
            out += f" at position {self.position + 1}"
            if self.text is not None and _printable(self.text):
                start = max(0, self.position - _SHOWN)
                before = self.text[start:self.position]
                after = self.text[self.position:self.position + 12]
                out += f": {'...' if start else ''}{before}>>>{after}"
        if self.accepted:
            out += f" (accepted: {self.accepted})"
        return " ".join(out.split())  # one line, whatever the input held

    def __str__(self) -> str:
        return self.line()


def _printable(text: str) -> bool:
    return all(ch.isprintable() or ch == " " for ch in text)
