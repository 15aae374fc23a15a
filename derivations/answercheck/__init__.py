"""``derive verify``: check a user's own answer against a part's reference answer.

The answer is read by a parser of our own (:mod:`.parser`, over the whitelist of :mod:`.lexer` and
the part's :mod:`.vocabulary`): nothing the user typed is ever evaluated as Python. The comparison
(:mod:`.compare`) proves equality with SymPy when it can and otherwise evaluates both sides at
points Hypothesis draws, shrinking any counterexample.

The names below are imported on first use: the ``derive`` command line registers ``verify``
without paying for SymPy.
"""

import importlib

_HOME = {"AnswerError": "errors", "VerifyResult": "verdict", "quantities": "verdict", "verify": "verdict",
         "verify_quantity": "verdict"}

__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'derivations.answercheck' has no attribute {name!r}")
    return getattr(importlib.import_module(f"derivations.answercheck.{_HOME[name]}"), name)
