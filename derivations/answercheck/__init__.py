"""``derive verify``: check a user's own answer against a part's reference answer.

The answer is read by a parser of our own (:mod:`.parser`, over the whitelist of :mod:`.lexer` and
the part's :mod:`.vocabulary`): nothing the user typed is ever evaluated as Python. The comparison
(:mod:`.compare`) proves equality with SymPy when it can and otherwise evaluates both sides at
points Hypothesis draws, shrinking any counterexample.
"""

from derivations.answercheck.errors import AnswerError
from derivations.answercheck.verdict import VerifyResult, quantities, verify, verify_quantity

__all__ = ["AnswerError", "VerifyResult", "quantities", "verify", "verify_quantity"]
