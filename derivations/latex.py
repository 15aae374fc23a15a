"""LaTeX building blocks of the two documents (:mod:`derivations.solutions`, the solution set, and
:mod:`derivations.report`, the verification report): the preamble, part headings, the answer box
typeset from a part's quantities, derivations as ``align*`` chains with each step's reason beside it
(``\\tag*``), numbers, and figures.

Formulas come from the notation's LaTeX printer (:func:`derivations.notation.latex`); one too wide
for the page is broken between the terms of a sum or the factors of a product by
:mod:`derivations.latex_breaking`. Prose (titles, summaries, explanations, reasons, check names,
captions) is LaTeX written once by the sections and passed through
:func:`derivations.notation.text`, which escapes what would break the document outside math.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

import sympy as sp

from derivations.answer import Quantity
from derivations.chain import ChainResult, StepResult
from derivations.latex_breaking import LINE, formula, formula_width, math_lines
from derivations.notation import escape, prose
from derivations.runner import PartResult
from derivations.status import Status
from derivations.theorems import BY_KEY as THEOREMS

STATUS_MEANING = {
    "proved": "every derivation step verified symbolically by SymPy, and every numeric check passed",
    "checked": "the evidence is numeric: a step agreed at random points only (marked $^\\dagger$), "
               "or the answer rests on a simulation; every check passed",
    "explained": "an argument in prose; every demonstration it makes was run and passed",
    "failed": "something did not hold: the failing step or check is shown in the part",
    "todo": "no answer in the registry yet",
}

PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
\usepackage[margin=2.5cm]{geometry}
\usepackage{amsmath,amssymb,mathtools}
\usepackage{graphicx}
\usepackage{longtable,booktabs,array}
\usepackage[table]{xcolor}
\usepackage{float}
\usepackage[font=small,labelfont=bf]{caption}
\usepackage[protrusion=true,expansion=false]{microtype}
\usepackage[colorlinks,linkcolor=blue!50!black,urlcolor=blue!50!black,bookmarksnumbered]{hyperref}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.3ex plus 0.2ex}
\makeatletter
\renewcommand\subsection{\@startsection{subsection}{2}{\z@}{-2.2ex plus -0.6ex minus -0.2ex}{0.8ex plus 0.2ex}%
  {\normalfont\large\bfseries}}
\makeatother
\emergencystretch=2em
% Figures float to the top or bottom of a page rather than to pages of their own, and displays keep
% tight margins: the solution set is meant to be short.
\renewcommand{\topfraction}{0.85}\renewcommand{\bottomfraction}{0.7}\renewcommand{\textfraction}{0.1}
\renewcommand{\floatpagefraction}{0.75}
\AtBeginDocument{\setlength{\abovedisplayskip}{5pt plus 2pt minus 2pt}%
  \setlength{\belowdisplayskip}{5pt plus 2pt minus 2pt}}
% Relations in running text may shrink (5mu down to 2mu) like spaces do, so that a line holding a
% long inline formula, breakable only at its relations, can still fit the measure.
\thickmuskip=5mu plus 5mu minus 3mu
\definecolor{answerframe}{rgb}{0.25,0.35,0.6}
\definecolor{answerback}{rgb}{0.94,0.96,1.0}
\definecolor{reasoncolor}{rgb}{0.3,0.3,0.3}
\definecolor{statusproved}{rgb}{0.0,0.45,0.15}
\definecolor{statuschecked}{rgb}{0.05,0.3,0.6}
\definecolor{statusexplained}{rgb}{0.4,0.3,0.5}
\definecolor{statusfailed}{rgb}{0.75,0.0,0.0}
\definecolor{statustodo}{rgb}{0.5,0.5,0.5}
\newcommand{\status}[1]{\textcolor{status#1}{\textsf{#1}}}
\newcommand{\reason}[1]{\textcolor{reasoncolor}{\small #1}}
\newcommand{\numonly}{\ensuremath{^\dagger}}
\newcommand{\passmark}{\textcolor{statusproved}{\ensuremath{\checkmark}}}
\newcommand{\failmark}{\textcolor{statusfailed}{\ensuremath{\times}}}
\newsavebox{\answersavebox}
\newenvironment{answerbox}{\par\smallskip\noindent
  \begin{lrbox}{\answersavebox}\begin{minipage}{\dimexpr\linewidth-2\fboxsep-2\fboxrule\relax}%
  \textbf{Answer.}\enspace\ignorespaces}
  {\end{minipage}\end{lrbox}%
  \fcolorbox{answerframe}{answerback}{\usebox{\answersavebox}}\par\smallskip}
\author{derived line by line with SymPy, and checked numerically}
\date{}
"""

# --------------------------------------------------------------------------- text


def bookmark(text: str) -> str:
    """A plain string for a PDF bookmark (no math, only the characters that must be escaped)."""
    return "".join({"\\": "/", "{": "(", "}": ")", "$": "", "&": r"\&", "%": r"\%", "#": r"\#",
                    "_": r"\_", "^": r"\^{}", "~": "-"}.get(ch, ch) for ch in str(text))


# --------------------------------------------------------------------------- derivations

_REL = {"=": "=", "<=": r"\le", ">=": r"\ge"}


def _reason_tag(step: StepResult) -> str:
    text = prose(step.reason)
    if step.theorem:
        name = THEOREMS[step.theorem].name
        if name.lower() not in step.reason.lower():
            text += f" ({prose(name)})"
    if step.standing is Status.CHECKED:
        text += r"\numonly"
    elif step.verdict is Status.FAILED:
        text = r"\textcolor{statusfailed}{\textbf{fails:}} " + text
    return rf"\tag*{{\reason{{{text}}}}}"


def chain_tex(result: ChainResult, *, detail: bool = True) -> str:
    r"""A chain as an ``align*`` block, each step's reason beside it (``\tag*``).

    A short left-hand side stays on the first row; a long one gets a row of its own
    (``\MoveEqLeft``), and the right-hand sides then use the full width. With ``detail`` the
    heading carries the chain's verdict and a list says how each step was verified (the report);
    without, the chain reads as a solution (a theorem a step rests on is named in its reason).
    """
    start = result.chain.start
    start_w = formula_width(start)
    short = start_w <= 30
    budget = LINE - start_w - 4 if short else LINE - 8
    rows: list[str] = []
    if short:
        lhs_first = formula(start) + " "
    else:
        start_lines = math_lines(start, LINE - 4)
        rows.append(r"\MoveEqLeft[2] " + start_lines[0])
        rows += [r"&\qquad {}" + line for line in start_lines[1:]]
        lhs_first = ""
    for k, step in enumerate(result.steps):
        lines = math_lines(step.rhs, budget)
        first = (lhs_first if (short and k == 0) else "") + f"&{_REL[step.relation]} {lines[0]} "
        rows.append(first + _reason_tag(step))
        rows += [r"&\qquad {}" + line for line in lines[1:]]
    body = " \\\\\n".join(rows)
    verdict = result.verdict.value
    kind = "Derivation" if result.chain.general else f"Illustration ({escape(result.chain.scope)})"
    head = rf"\textbf{{{kind}: {prose(result.chain.title)}}}"
    out = (head + (rf" (\status{{{verdict}}})" if detail else "") + "\n"
           "\\begin{align*}\n" + body + "\n\\end{align*}\n")
    if detail:
        out += steps_tex(result)
    bad = result.first_failure
    if bad is not None:
        out += failure_tex(bad)
    for step in result.steps:
        if step.hint_error:
            out += (rf"\textcolor{{statusfailed}}{{\textbf{{Step {step.index}: its simplification raised}}}} "
                    f"{escape(step.hint_error)}.\n")
    return out


def steps_tex(result: ChainResult) -> str:
    """How each step of a chain was verified, one line each (the report)."""
    items = []
    for step in result.steps:
        how = escape(step.method)
        if step.theorem:
            how = f"proved modulo a named theorem: {how}"
        if step.printed_verified is False:
            how += "; but " + escape(step.printed_reason or "a printed line did not read back")
        elif step.printed_verified:
            how += "; both printed lines read back equal"
        items.append(rf"\item[{step.index}.] {prose(step.reason)}: \status{{{step.standing.value}}}, {how}")
    return "\\begin{itemize}\\small\n" + "\n".join(items) + "\n\\end{itemize}\n"


def failure_tex(step: StepResult) -> str:
    """What a failed step's checker found: the counterexample and both sides' values there."""
    where = ", ".join(f"${formula(sp.Symbol(k))} = {tex_number(v)}$" for k, v in (step.counterexample or {}).items())
    text = rf"\textcolor{{statusfailed}}{{\textbf{{Step {step.index} fails}}}} ({escape(step.method)})"
    if where:
        text += f": at {where}"
    if step.values:
        text += rf" the left side is {escape(step.values[0])} and the right side {escape(step.values[1])}"
    return text + ".\n"


# --------------------------------------------------------------------------- evidence


def tex_number(value: Any) -> str:
    r"""A number in math mode: integers with thin spaces, small or large floats in powers of ten.

    >>> [tex_number(v) for v in (20000, 0.4312, 1e-6, 3.2e-12, 12.5, 1e6, 1e-4, -2.5e-7)]
    ['20\\,000', '0.431', '10^{-6}', '3.2 \\times 10^{-12}', '12.5', '10^{6}', '10^{-4}', '-2.5 \\times 10^{-7}']
    """
    if isinstance(value, bool):
        return r"\text{yes}" if value else r"\text{no}"
    if isinstance(value, int):
        return f"{value:,}".replace(",", r"\,")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return r"\infty" if value > 0 else (r"-\infty" if value < 0 else r"\text{nan}")
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
            mantissa, exponent = f"{value:.1e}".split("e")
            mantissa = mantissa.rstrip("0").rstrip(".")
            power = f"10^{{{int(exponent)}}}"
            return {"1": power, "-1": "-" + power}.get(mantissa, f"{mantissa} \\times {power}")
        return f"{value:.3g}"
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return tex_number(value[0])
    if isinstance(value, (list, tuple)):
        shown = ", ".join(tex_number(v) for v in value[:4])
        more = r", \ldots" if len(value) > 4 else ""
        return f"({shown}{more})"
    if isinstance(value, str):
        return rf"\text{{{escape(value)}}}"
    return rf"\text{{{escape(str(value))}}}"


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class FigureFile:
    """A figure of a part as the document uses it: its file beside the .tex, or why it is missing."""

    filename: str
    caption: str
    error: str | None = None


def figure_filename(part_id: str, filename: str, taken: set[str] | None = None) -> str:
    """A safe, unique file name for a part's figure (letters, digits and dashes, ``.pdf``).

    >>> figure_filename("3b.vii", "fig-3b.vii-ess.pdf")
    'fig-3b-vii-ess.pdf'
    >>> figure_filename("4", "em step.pdf")
    'fig-4-em-step.pdf'
    """
    stem = filename[:-4] if filename.lower().endswith(".pdf") else filename
    safe = re.sub(r"[^A-Za-z0-9-]+", "-", stem).strip("-") or "figure"
    pid = re.sub(r"[^A-Za-z0-9-]+", "-", part_id)
    if not safe.startswith(f"fig-{pid}"):
        safe = f"fig-{pid}-{safe}"
    name, k = safe, 2
    while taken is not None and f"{name}.pdf" in taken:
        name, k = f"{safe}-{k}", k + 1
    if taken is not None:
        taken.add(f"{name}.pdf")
    return f"{name}.pdf"


def planned_figures(result: PartResult) -> list[FigureFile]:
    """The figures a part would draw, under the names :func:`figure_filename` gives them."""
    if result.answer is None:
        return []
    taken: set[str] = set()
    return [FigureFile(figure_filename(result.id, f.filename, taken), f.caption) for f in result.answer.figures]


def figures_tex(part_id: str, figures: Sequence[FigureFile]) -> tuple[str, str]:
    """The figure environments of a part and a sentence that refers to them."""
    blocks, refs = [], []
    for k, fig in enumerate(figures, start=1):
        if fig.error:
            blocks.append(rf"\textcolor{{statusfailed}}{{\textbf{{Figure not drawn:}}}} {escape(fig.error)}" "\n")
            continue
        label = f"fig:{part_id}:{k}"
        refs.append(rf"Figure~\ref{{{label}}}")
        blocks.append("\\begin{figure}[!htb]\n\\centering\n"
                      rf"\includegraphics[width=0.66\linewidth,height=0.18\textheight,keepaspectratio]{{{fig.filename}}}"
                      f"\n\\caption{{{prose(fig.caption)}}}\\label{{{label}}}\n\\end{{figure}}\n")
    sentence = ""
    if refs:
        sentence = ("See " + (", ".join(refs[:-1]) + " and " + refs[-1] if len(refs) > 1 else refs[0]) + ".\n")
    return "\n".join(blocks), sentence


# --------------------------------------------------------------------------- parts and document


def status_table(results, label: str, heading: str) -> str:
    """All parts with their status and page, each id a link to its ``label:ID`` section (a document's
    table at a glance; in small type, like a table of contents)."""
    rows = "\n".join(rf"\hyperref[{label}:{r.id}]{{{r.id}}} & {prose(r.title)} & \status{{{r.status}}} & "
                     rf"\pageref{{{label}:{r.id}}} \\" for r in results)
    return (f"\\section*{{{heading}}}\n{{\\small\n"
            "\\begin{longtable}{@{}l>{\\raggedright\\arraybackslash}p{0.62\\linewidth}ll@{}}\n"
            "\\toprule\n\\textbf{Part} & \\textbf{Question, in brief} & \\textbf{Status} & \\textbf{Page} \\\\\n"
            "\\midrule\n\\endhead\n\\bottomrule\n\\endfoot\n" + rows + "\n\\end{longtable}\n}\n")


def parts_by_question(results, homework, part_tex) -> list[str]:
    """Each part's text (``part_tex(result)``) in order, a heading before each question's first part."""
    body, question = [], None
    for r in results:
        q = homework.by_id[r.id].question
        if q != question:
            name = prose(homework.questions.get(q, ""))
            body.append(rf"\section*{{Question {q}: {name}}}\addcontentsline{{toc}}{{section}}{{Question {q}: {name}}}")
            question = q
        body.append(part_tex(r))
    return body


def part_heading(result: PartResult, label: str, *, level: str = "subsection") -> list[str]:
    """The heading of a part (id, title, status at the right), its label and its contents entry."""
    heading = rf"\boldmath {result.id}\quad {prose(result.title)}\hfill\status{{{result.status}}}"
    return [f"% ==== part {result.id} ====",
            rf"\{level}*{{\texorpdfstring{{{heading}}}{{{bookmark(result.id + ' ' + result.title)}}}}}",
            rf"\phantomsection\label{{{label}:{result.id}}}"
            rf"\addcontentsline{{toc}}{{{level}}}{{{result.id}\quad {prose(result.title)}}}"]


def quantity_tex(q: Quantity) -> str:
    """One quantity of the box, typeset from its object: ``lhs = value`` on display lines, or the
    chosen option of a choice."""
    if q.kind == "choice":
        chosen = sorted(q.value.correct)
        return " ".join(rf"Option {k}: {prose(q.value.options[k - 1])}." for k in chosen)
    lines = math_lines(q.value, LINE - 12)
    head = "" if q.lhs is None else (q.lhs if isinstance(q.lhs, str) else formula(q.lhs)) + f" {q.relation} "
    body = (" \\\\\n&\\quad ".join(lines)) if len(lines) > 1 else lines[0]
    if len(lines) > 1:
        return "\\begin{align*}\n" + head + "&" + body + "\n\\end{align*}"
    return rf"\[ {head}{body} \]"


def box_tex(answer) -> str:
    """The answer box: every quantity typeset from its object, then the prose around them."""
    parts = [quantity_tex(q) for q in answer.quantities]
    if answer.summary.strip():
        parts.append(prose(answer.summary.strip()))
    return "\n".join(parts)


def part_at_line(tex: str, line: int) -> str | None:
    """The part whose fragment contains ``line`` (1-based) of ``tex``, from its ``% ==== part`` mark."""
    found = None
    for text in tex.splitlines()[:line]:
        if text.startswith("% ==== part "):
            found = text.split()[3]
    return found


def check_balanced(tex: str) -> None:
    """Raise ValueError if braces of ``tex`` do not balance."""
    depth = 0
    for i, ch in enumerate(re.sub(r"\\[{}]", "", tex)):
        depth += (ch == "{") - (ch == "}")
        if depth < 0:
            raise ValueError(f"unbalanced '}}' near character {i}")
    if depth:
        raise ValueError(f"{depth} unclosed '{{'")
