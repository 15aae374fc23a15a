"""The course's notation, in one place: the symbol table, the printers (LaTeX, Unicode, plain text)
and the reading of LaTeX prose. The answer reader builds its vocabulary from the same table, so
what the documents print and what ``derive verify`` reads are two directions of one notation.

The names are imported on first use, so reading prose (``unicode_text``) costs no SymPy import.
"""

import importlib

_HOME = {"ConditionalTable": "printers", "DataPoints": "printers", "Prefix": "printers", "latex": "printers", "plain": "printers", "pretty": "printers",
         "pretty_form": "printers", "escape": "text", "latex_chars": "text", "prose": "text",
         "unicode_text": "text"}

__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'derivations.notation' has no attribute {name!r}")
    return getattr(importlib.import_module(f"derivations.notation.{_HOME[name]}"), name)
