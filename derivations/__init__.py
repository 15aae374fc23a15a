"""SymPy side of the checker: derivation chains, the answer registry, the CLI and LaTeX output."""


def verify(part_id: str, answer, *, quantity: str | None = None, seed: int = 0):
    """Check a user's own answer to ``part_id``; returns a :class:`~derivations.answercheck.Verdict`.

    ``answer`` is LaTeX or plain text (or an option's number or letter for a choice). Input that
    cannot be read raises :class:`~derivations.answercheck.AnswerError` (a ``ValueError``).
    """
    from derivations.answercheck import verify as _verify

    return _verify(part_id, answer, quantity=quantity, seed=seed)
