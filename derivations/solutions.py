"""The solution set: a short document a course would publish, in the homework's own notation.

It opens with a notation table and a table of all parts with their status. Each part then has its
answer in a box (typeset from the part's quantities), the reasoning as a grader would write it, the
derivation as a few displayed lines in the homework's notation with each line's reason (the general
chains only; illustrations live in the verification report), the figures that explain it, and one
sentence of evidence pointing to the verification report, which carries every step's verification
and every check's statistics.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from derivations import homeworks
from derivations.evidence import sentence
from derivations.homework import Homework
from derivations.latex import (PREAMBLE, box_tex, chain_tex, escape, FigureFile, figures_tex, part_heading,
                               parts_by_question, planned_figures, status_table)
from derivations.notation import prose
from derivations.runner import PartResult
from derivations.status import Status

STATUS_WORDS = {
    "proved": "every boxed formula is the conclusion of a derivation whose every line SymPy verified "
              "(or, where named, an instance of a standard theorem)",
    "checked": "the answer rests on numerical evidence (a simulation, or a derivation proved only for an "
               "instance or only at random points)",
    "explained": "an argument in words, with its demonstrations run",
    "failed": "something did not hold (see the verification report)",
    "todo": "not answered yet",
}


def part_tex(result: PartResult, figures: Sequence[FigureFile] | None = None) -> str:
    """One part of the solution set. ``figures``: the part's drawn figures (None: all of them)."""
    out = part_heading(result, "part")
    answer = result.answer
    if result.error:
        out.append(r"\emph{This part could not be built: see the verification report.}" "\n")
    if answer is None:
        if not result.error:
            out.append(r"\emph{No answer has been written for this part yet.}" "\n")
        return "\n".join(out) + "\n"
    out.append("\\begin{answerbox}\n" + box_tex(answer) + "\n\\end{answerbox}\n")
    if answer.explanation:
        out.append(prose(answer.explanation.strip()) + "\n")
    blocks, refs = figures_tex(result.id, planned_figures(result) if figures is None else figures)
    shown = shown_chains(result)
    out += [chain_tex(c, detail=False) for c in shown]
    more = sum(1 for c in result.chains if c.chain.general) - len(shown)
    if more:
        out.append(rf"{_count_words(more)} further derivation{'s' if more > 1 else ''} of this part "
                   rf"{'are' if more > 1 else 'is'} in the verification report, section {result.id}." "\n")
    if refs:
        out.append(refs)
    out.append(blocks)
    evidence = sentence(result.checks, result.id)
    if evidence:
        out.append(rf"{{\small\textit{{Evidence.}} {evidence}\par}}" "\n")
    return "\n".join(o for o in out if o)


#: Derivations printed for a part none of whose quantities is linked to a chain (a simulation, a
#: verdict argued in prose): the solution set stays short; the report has them all.
UNLINKED_SHOWN = 2


def shown_chains(result: PartResult) -> list:
    """The derivations the solution set prints: those that conclude a boxed quantity when the part has
    such links, else its first :data:`UNLINKED_SHOWN` general chains (the rest are in the verification
    report)."""
    general = [c for c in result.chains if c.chain.general]
    linked = {link.chain for link in result.links if link.chain}
    concluding = [c for c in general if c.chain.title in linked]
    return concluding or general[:UNLINKED_SHOWN]


def _count_words(k: int) -> str:
    return ("One", "Two", "Three", "Four", "Five", "Six")[k - 1] if k <= 6 else str(k)


def notation_table(homework: Homework) -> str:
    """The homework's symbols and what they mean."""
    if not homework.notation:
        return ""
    rows = "\n".join(rf"${symbol}$ & {prose(meaning)} \\" for symbol, meaning in homework.notation)
    return ("\\section*{Notation}\n{\\small\n\\begin{longtable}{@{}>{\\raggedright\\arraybackslash}p{0.36\\linewidth}"
            ">{\\raggedright\\arraybackslash}p{0.58\\linewidth}@{}}\n\\toprule\n" + rows
            + "\n\\bottomrule\n\\end{longtable}\n}\n")


def summary_table(results: Sequence[PartResult]) -> str:
    """All parts with their status and page, each id a link to its answer."""
    return status_table(results, "part", "The answers at a glance")


def introduction(results: Sequence[PartResult]) -> str:
    present = [s for s in STATUS_WORDS if any(str(r.status) == s for r in results)]
    meaning = "; ".join(rf"\status{{{s}}}: {STATUS_WORDS[s]}" for s in present)
    numeric = any(s.standing is Status.CHECKED for r in results for c in r.chains for s in c.steps)
    return ("Each part gives the answer in a box, the reasoning, the derivation line by line with the reason "
            "for each line, and one sentence on the numerical evidence; the companion verification report "
            "gives, part by part, how every line was verified and the statistics of every check. "
            f"A status says what the answer rests on: {meaning}."
            + (r" A line marked $^\dagger$ was checked at random points, not proved." if numeric else "") + "\n")


def document(results: Sequence[PartResult], figures: Mapping[str, Sequence[FigureFile]] | None = None,
             *, homework: Homework | None = None) -> str:
    """The complete solution set for ``results`` (in homework order)."""
    homework = homework or homeworks.registry().homework
    title = rf"\title{{{prose(homework.title)}\\[0.5ex]\large {escape('Solutions')}}}"
    body = [PREAMBLE, title, r"\begin{document}", r"\maketitle", r"\thispagestyle{empty}",
            introduction(results), notation_table(homework), summary_table(results)]
    body += parts_by_question(results, homework,
                              lambda r: part_tex(r, None if figures is None else figures.get(r.id, ())))
    body.append(r"\end{document}")
    return "\n".join(body) + "\n"
