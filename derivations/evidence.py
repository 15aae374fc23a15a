"""The evidence of a part's numeric checks, in two lengths: every field of every check for the
verification report, and one sentence for the solution set.

>>> from numerics.stattests import CheckResult
>>> ks = CheckResult("draws follow F", True, {"test": "one-sample Kolmogorov-Smirnov", "n": 20000,
...                  "statistic": 0.004, "p_value": 0.68, "alpha": 1e-6})
>>> tol = CheckResult("closed form", True, {"test": "deterministic tolerance", "max_abs_error": 3e-12,
...                   "rtol": 1e-9, "atol": 1e-12})
>>> sentence([ks, tol], "8c")
'Two numeric checks agree with it, among them a Kolmogorov--Smirnov test on $20\\\\,000$ draws ($p = 0.68$); verification report, section 8c.'
>>> sentence([tol], "6")
'A deterministic comparison agrees with it (largest error $3 \\\\times 10^{-12}$); verification report, section 6.'
"""

from __future__ import annotations

from typing import Any, Sequence

from derivations.latex import tex_number
from derivations.notation import escape, prose
from derivations.render import EVIDENCE_KEYS, evidence_fields

#: How the solution set names each kind of test, by the start of its ``test`` field.
TEST_NAMES = (
    ("one-sample Kolmogorov-Smirnov", "a Kolmogorov--Smirnov test"),
    ("two-sample", "a two-sample Kolmogorov--Smirnov test"),
    ("two-sided z-test on the sample mean", "a $z$-test of the mean"),
    ("z-tests on first and second central moments", "$z$-tests of the mean and covariance"),
    ("one-sided z-test", "a one-sided $z$-test"),
    ("one-sided paired z-tests", "paired $z$-tests"),
    ("exact binomial", "an exact binomial test"),
    ("Pearson chi-square", "a chi-square test"),
    ("importance sampling", "an importance-sampling $z$-test"),
)
_NUMBERS = ("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten")


def _count(n: int, noun: str) -> str:
    word = _NUMBERS[n] if n < len(_NUMBERS) else str(n)
    return f"{word} {noun}{'s' if n != 1 else ''}"


def _test_name(test: str) -> str | None:
    for prefix, name in TEST_NAMES:
        if test.startswith(prefix):
            return name
    return None


def sentence(results: Sequence, part_id: str) -> str:
    """One sentence of evidence for the solution set: how many checks agree, the largest statistical
    test among them (its sample size and p-value) or the largest deterministic error, and where the
    details are. Empty when the part has no check."""
    if not results:
        return ""
    where = f"; verification report, section {part_id}."
    failed = [r for r in results if not r.passed]
    if failed:
        which = ("Its numeric check" if len(results) == 1 else
                 f"{_count(len(failed), 'numeric check')} of {len(results)}")
        return rf"{which} did \emph{{not}} pass ({prose(failed[0].name)}){where}"
    evidence = [r.to_json()["evidence"] for r in results]
    statistical = [e for e in evidence if "p_value" in e and _test_name(str(e.get("test", "")))]
    errors = [float(e["max_abs_error"]) for e in evidence if isinstance(e.get("max_abs_error"), (int, float))]
    head = _count(len(results), "numeric check") + " agree with it"
    if len(results) == 1:
        head = "A deterministic comparison agrees with it" if errors and not statistical else \
            "A numeric check agrees with it"
    if statistical:
        best = max(statistical, key=lambda e: _size(e.get("n")))
        size = _size(best.get("n"))
        detail = _test_name(str(best["test"])) + (f" on ${tex_number(size)}$ draws" if size else "")
        detail += f" ($p = {tex_number(float(best['p_value']))}$)"
        return f"{head}, {'among them ' if len(results) > 1 else 'by '}{detail}{where}"
    if errors:
        return f"{head} (largest error ${tex_number(max(errors))}$){where}"
    return f"{head}{where}"


def _size(n: Any) -> int:
    if isinstance(n, (list, tuple)):
        return int(sum(_size(v) for v in n))
    return int(n) if isinstance(n, (int, float)) and not isinstance(n, bool) else 0


# --------------------------------------------------------------------------- the report's evidence


def evidence_tex(evidence: dict, passed: bool) -> str:
    """The evidence of one check in one line: test, sample size, statistic, p-value vs alpha."""
    labels = {key: tex for key, _, tex in EVIDENCE_KEYS}
    fields = dict(evidence_fields(evidence))
    items = []
    p, alpha = fields.pop("p_value", None), fields.pop("alpha", None)
    for key, value in fields.items():
        if key in labels and not isinstance(value, (str, list, tuple)):
            items.append(f"${labels[key]} = {tex_number(value)}$")
        else:  # in text mode, so that a long value can break across lines
            items.append(f"{escape(key.replace('_', ' '))}~$=$ {_value_text(value)}")
    if p is not None and alpha is not None:
        rel = r"\ge" if p >= alpha else "<"
        items.append(rf"$p = {tex_number(p)} {rel} \alpha = {tex_number(alpha)}$")
    elif p is not None:
        items.append(f"$p = {tex_number(p)}$")
    test = escape(evidence.get("test", "check"))
    return test + (": " + ", ".join(items) if items else "")


def _value_text(value: Any) -> str:
    r"""A value of the evidence in text mode: numbers as math, strings escaped, lists shortened.

    >>> _value_text([0.5, 2, 3e-9, 4, 5])
    '($0.5$, $2$, $3 \\times 10^{-9}$, $4$, \\ldots)'
    """
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            return _value_text(value[0])
        shown = [_value_text(v) for v in value[:4]]
        return "(" + ", ".join(shown + ([r"\ldots"] if len(value) > 4 else [])) + ")"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"${tex_number(value)}$"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return escape(str(value))


def checks_tex(result) -> str:
    """Each check's claim, then the evidence of its results (matched by name), one line each."""
    if not result.checks and not (result.answer and result.answer.checks):
        return ""
    claims = list(result.answer.checks) if result.answer else []
    remaining = list(result.checks)
    items = []
    for check in claims:
        mine = [c for c in remaining if c.name == check.name or c.name.startswith(check.name)
                or check.name.startswith(c.name)]
        remaining = [c for c in remaining if c not in mine]
        items.append(rf"\item \textbf{{{prose(check.name)}.}} {prose(check.claim)}" + _results(mine))
    if remaining:
        items.append(r"\item \textbf{Results.}" + _results(remaining))
    head = (rf"\paragraph{{Checks}} (seed {result.seed}; each Monte Carlo check is a test at the stated "
            r"$\alpha$, each deterministic one a comparison at the stated tolerance)")
    return head + "\n\\begin{itemize}\n" + "\n".join(items) + "\n\\end{itemize}\n"


def _results(results) -> str:
    if not results:
        return ""
    marks = {True: r"\item[\passmark] ", False: r"\item[\failmark] "}
    lines = [marks[bool(c.passed)] + (rf"\emph{{{prose(c.name)}}}: " if len(results) > 1 else "")
             + evidence_tex(c.to_json()["evidence"], c.passed) for c in results]
    return "\n\\begin{itemize}\\small\n" + "\n".join(lines) + "\n\\end{itemize}"
