"""The verification report: everything the solution set leaves out, part by part in the same order.

For each part: its status and what it rests on (each quantity's link to the chain that concludes
it, the named theorems it cites); every chain, general or an illustration, with how each step was
verified; every check with its claim and its full evidence (test, sample size, statistic, p-value
against alpha, or tolerance and worst error); the seed; the figures. It opens with what the
statuses mean, the named theorems with their statements and their own numeric tests, and a table of
all parts. The solution set points here as "the verification report, section <id>".
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from derivations import homeworks
from derivations.evidence import checks_tex, evidence_tex
from derivations.homework import Homework
from derivations.latex import (PREAMBLE, box_tex, chain_tex, escape, FigureFile, figures_tex, part_heading,
                               parts_by_question, planned_figures, status_table)
from derivations.notation import prose
from derivations.runner import PartResult
from derivations.status import Status
from derivations.theorems import BY_KEY as THEOREMS
from derivations.theorems import CATALOGUE, numeric_test

STATUS_MEANING = {
    "proved": "every quantity of the answer is the conclusion of a general chain whose every step "
              "SymPy verified, or verified as an instance of a named theorem (then the part is proved "
              "modulo that theorem, and lists it); every numeric check passed",
    "checked": "the evidence is numeric: a step agreed at random points only, a chain proves an instance "
               "rather than the general claim, or the answer rests on a simulation; every check passed",
    "explained": "an argument in prose; every demonstration it makes was run and passed",
    "failed": "something did not hold: the failing step, link or check is shown in the part",
    "todo": "no answer yet",
}


def status_line(result: PartResult) -> str:
    """The status, and what it rests on: steps (how many only numerically), links, checks."""
    facts = []
    if result.chains:
        n_steps = sum(len(c.steps) for c in result.chains)
        numeric = sum(s.standing is Status.CHECKED for c in result.chains for s in c.steps)
        failed = sum(s.verdict is Status.FAILED for c in result.chains for s in c.steps)
        facts.append(f"{n_steps} derivation step{'s' * (n_steps != 1)}"
                     + (f", {numeric} of them checked numerically only" if numeric else "")
                     + (f", {failed} failed" if failed else ""))
    if result.links:
        linked = sum(link.verdict is Status.PROVED for link in result.links)
        facts.append(f"{linked} of {len(result.links)} quantit{'ies' if len(result.links) != 1 else 'y'} "
                     "linked to a proved general chain")
    if result.checks:
        facts.append(f"{sum(c.passed for c in result.checks)} of {len(result.checks)} check results passed")
    detail = f" ({'; '.join(facts)})" if facts else ""
    return rf"\textbf{{Status:}} \status{{{result.status}}}{detail}." + "\n"


def links_tex(result: PartResult) -> str:
    """Each quantity of the box, the chain that concludes it, and how the runner proved the link."""
    if not result.links:
        return ""
    rows = [rf"\item {escape(link.quantity)}: " + (rf"chain ``{prose(link.chain)}''" if link.chain else "no chain")
            + rf", \status{{{link.verdict.value}}} ({escape(link.method)})" for link in result.links]
    return "\\paragraph{Links}\n\\begin{itemize}\\small\n" + "\n".join(rows) + "\n\\end{itemize}\n"


def theorems_tex(result: PartResult) -> str:
    """The named theorems the part rests on, with their statements."""
    if not result.theorems:
        return ""
    rows = [rf"\item {prose(THEOREMS[k].name)}: \[ {THEOREMS[k].statement} \]" for k in result.theorems]
    return ("\\paragraph{Proved modulo}\n\\begin{itemize}\\small\n" + "\n".join(rows) + "\n\\end{itemize}\n")


def part_tex(result: PartResult, figures: Sequence[FigureFile] | None = None) -> str:
    """One part of the report: heading, status, the box, links, theorems, chains, checks, figures.

    ``figures`` are the drawn figures of the part; ``None`` assumes all of them were drawn.
    """
    out = part_heading(result, "report")
    answer = result.answer
    if result.error:
        out.append(rf"\textcolor{{statusfailed}}{{\textbf{{Error while running this part:}}}} {escape(result.error)}" "\n")
    if answer is None:
        if not result.error:
            out.append(r"\emph{No answer has been written for this part yet.}" "\n")
        return "\n".join(out + ([status_line(result)] if result.error else [])) + "\n"
    out.append(status_line(result))
    out.append("\\begin{answerbox}\n" + box_tex(answer) + "\n\\end{answerbox}\n")
    out.append(links_tex(result))
    out.append(theorems_tex(result))
    out += [chain_tex(c, detail=True) for c in result.chains]
    out.append(checks_tex(result))
    blocks, sentence = figures_tex(f"report:{result.id}", planned_figures(result) if figures is None else figures)
    out += [sentence, blocks]
    return "\n".join(o for o in out if o)


def summary_table(results: Sequence[PartResult]) -> str:
    """All parts with their status and page, each id a link to its section."""
    return status_table(results, "report", "Summary")


def theorems_section(seed: int) -> str:
    """The named theorems: statement, and the result of each one's own numeric test at ``seed``."""
    rows = []
    for theorem in CATALOGUE:
        check = numeric_test(theorem, np.random.default_rng([seed, 0x7E0]))
        mark = r"\passmark" if check.passed else r"\failmark"
        rows.append(rf"\item[{mark}] \textbf{{{prose(theorem.name)}.}} \[ {theorem.statement} \] "
                    rf"Its numeric test, {prose(check.name)}: " + evidence_tex(check.to_json()["evidence"], check.passed))
    return ("\\section*{Named theorems}\nA step that cites one of these is proved \\emph{modulo} it: SymPy "
            "verifies that the step is an instance of the theorem (or that, after applying it, the two sides "
            "are equal), and a step may not cite a theorem for what SymPy verifies alone.\n"
            "\\begin{itemize}\n" + "\n".join(rows) + "\n\\end{itemize}\n")


def introduction(results: Sequence[PartResult], seed: int) -> str:
    counts: dict[str, int] = {}
    for r in results:
        counts[str(r.status)] = counts.get(str(r.status), 0) + 1
    tally = ", ".join(f"{n} \\status{{{s}}}" for s, n in sorted(counts.items()))
    meaning = "\n".join(rf"\item[\status{{{s}}}] {STATUS_MEANING[s]}." for s in STATUS_MEANING)
    return (
        "This report holds the evidence behind the solution set, part by part in the same order. Each "
        "derivation is a chain of SymPy expressions, every step verified on its own: symbolically where SymPy "
        "decides it (the simplification that did is named), as an instance of a named theorem, or only at "
        "random points drawn with 50-digit arithmetic (then the step is \\emph{checked}, never proved). A "
        "chain is \\emph{general} when it proves the claim in the generality the question has, otherwise an "
        "\\emph{illustration} on an instance, which can never conclude a boxed quantity. Every numeric check "
        "is a statistical test with a stated false-alarm probability $\\alpha$, or a deterministic comparison "
        "with a stated tolerance. "
        f"All random draws used seed {seed} (mixed with each part's id); rerun with "
        f"\\texttt{{derive check --seed N}}.\n\nOf the {len(results)} parts: {tally}. A status means:\n"
        "\\begin{description}\n" + meaning + "\n\\end{description}\n"
    )


def document(results: Sequence[PartResult], figures: Mapping[str, Sequence[FigureFile]] | None = None,
             *, seed: int = 0, homework: Homework | None = None) -> str:
    """The complete verification report for ``results`` (in homework order)."""
    homework = homework or homeworks.registry().homework
    title = rf"\title{{{prose(homework.title)}\\[0.5ex]\large Verification report}}"
    body = [PREAMBLE, title, r"\begin{document}", r"\maketitle", r"\thispagestyle{empty}",
            introduction(results, seed), summary_table(results), theorems_section(seed), r"\clearpage"]
    body += parts_by_question(results, homework,
                              lambda r: part_tex(r, None if figures is None else figures.get(r.id, ())))
    body.append(r"\end{document}")
    return "\n".join(body) + "\n"
