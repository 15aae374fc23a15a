"""The course's notation, in one place: the symbol table, the printers (LaTeX, Unicode, plain text)
and the reading of LaTeX prose. The answer reader builds its vocabulary from the same table, so
what the documents print and what ``derive verify`` reads are two directions of one notation.
"""

from derivations.notation.printers import DataPoints, Prefix, latex, plain, pretty, pretty_form
from derivations.notation.prose import escape, latex_chars, prose, unicode_text

__all__ = ["DataPoints", "Prefix", "escape", "latex", "latex_chars", "plain", "pretty", "pretty_form", "prose",
           "unicode_text"]
