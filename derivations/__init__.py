r"""SymPy side of the checker: derivation chains, the answer registry, the CLI and LaTeX output.

From a notebook, :func:`verify` checks an answer and :func:`show` runs a part; both return objects
that print as ``derive verify`` and ``derive show`` do and render typeset in Jupyter
(:mod:`derivations.notebook`). Importing this package loads neither SymPy nor any part.

>>> from derivations import verify, show
>>> v = verify("8a", r"\mathcal{N}(\sqrt{\bar\alpha_t}\,x_0, (1-\bar\alpha_t)I)")
>>> print(v)
8a [forward marginal q(x_t | x_0)]: correct
  read as:
       ⎛  ____               ⎞
      𝒩⎝╲╱ α̅ₜ ⋅x₀, (1 - α̅ₜ) I⎠
  SymPy proved the difference is zero (symbolic, every parameter)
>>> v.correct, v.exit_code
(True, 0)
>>> part = show("8a")
>>> str(part).splitlines()[0]
'8a  Forward marginal q(x_t | x_0) of DDPM'
"""

__all__ = ["verify", "show"]


def verify(part_id: str, answer, quantity: str | None = None, seed: int = 0):
    """Check a user's own answer to ``part_id``; returns a :class:`~derivations.notebook.VerdictView`
    of the :class:`~derivations.answercheck.VerifyResult` (``status``, ``correct``, ``exit_code``,
    ``report()``, ``to_json()``, ``counterexample``, ``values``, ``answer``, ``notes``).

    ``answer`` is LaTeX or plain text (or an option's number or letter for a choice). Input that
    cannot be read raises :class:`~derivations.answercheck.AnswerError` (a ``ValueError``).
    """
    from derivations.notebook import verify as _verify

    return _verify(part_id, answer, quantity=quantity, seed=seed)


def show(part_id: str, seed: int = 0):
    """Run one part (derivations and checks); returns a :class:`~derivations.notebook.PartView`
    that prints as ``derive show`` does (``.tex()`` gives ``derive show --latex``)."""
    from derivations.notebook import show as _show

    return _show(part_id, seed=seed)
