"""Compiling the answers document with pdflatex, and reading its log.

:func:`compile_pdf` runs ``pdflatex`` twice (a third time if the log asks for it) in a temporary
directory, so a failed run leaves nothing half-written beside the .tex; the figures are found
beside the .tex through ``TEXINPUTS``. The PDF is moved into place atomically. A failure becomes a
:class:`LatexError` whose message is one line: the first error of the log, its line in the .tex,
the part that line belongs to, and the input near it. An undefined reference is an error too.

>>> first_error("./answers.tex:57: Undefined control sequence.\\nl.57 \\\\badmacro\\n")
(57, 'Undefined control sequence.', '\\\\badmacro')
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from derivations.fileio import atomic_write
from derivations.latex import part_at_line

INSTALL_HINT = ("pdflatex is not installed: install TeX Live (Debian/Ubuntu: "
                "apt-get install texlive-latex-base texlive-latex-recommended), or leave out --pdf")

_FILE_LINE_ERROR = re.compile(r"^(?:\./)?(?P<file>[^\s:]+\.(?:tex|sty|cls|def|cfg|aux)):(?P<line>\d+): (?P<msg>.*)$",
                              re.M)
_BANG_ERROR = re.compile(r"^! (?P<msg>.*)$", re.M)
_CONTEXT = re.compile(r"^l\.(?P<line>\d+) (?P<near>.*)$", re.M)
_UNDEFINED = re.compile(r"Reference `(?P<label>[^']+)' on page \d+ undefined on input line (?P<line>\d+)")
_OVERFULL = re.compile(r"^Overfull \\hbox \((?P<pt>[\d.]+)pt too wide\) .*?lines? (?P<line>\d+)", re.M)
_PAGES = re.compile(r"Output written on .*?\((?P<pages>\d+) pages?")


class LatexError(Exception):
    """pdflatex is missing or failed; the message is one line."""


@dataclass
class CompileReport:
    """What a successful compilation produced."""

    pdf: Path
    pages: int
    runs: int
    overfull: list[tuple[int, float, str | None]] = field(default_factory=list)  # (line, points, part)


def first_error(log: str) -> tuple[int | None, str, str]:
    """The first error of a pdflatex log: (line or None, message, input near it)."""
    m = _FILE_LINE_ERROR.search(log)
    bang = _BANG_ERROR.search(log)
    if m is None and bang is None:
        tail = [ln for ln in log.strip().splitlines() if ln.strip()][-1:] or ["no error message in the log"]
        return None, tail[0].strip(), ""
    if m is not None and (bang is None or m.start() < bang.start()):
        line, msg, after = int(m["line"]), m["msg"].strip(), m.end()
    else:
        line, msg, after = None, bang["msg"].strip(), bang.end()
    context = _CONTEXT.search(log, after)
    near = ""
    if context is not None:
        near = context["near"].strip()[-60:]
        line = line if line is not None else int(context["line"])
    return line, msg, near


def _env() -> dict:
    env = dict(os.environ)
    env.update(max_print_line="100000", error_line="254", half_error_line="238")
    return env


def compile_pdf(tex_path: str | Path, pdf_path: str | Path | None = None, *, timeout: float = 300) -> CompileReport:
    """Compile ``tex_path`` into ``pdf_path`` (default: beside it); raise :class:`LatexError`."""
    exe = shutil.which("pdflatex")
    if exe is None:
        raise LatexError(INSTALL_HINT)
    tex_path = Path(tex_path).resolve()
    pdf_path = Path(pdf_path) if pdf_path is not None else tex_path.with_suffix(".pdf")
    tex = tex_path.read_text(encoding="utf-8")
    env = _env()
    # The job's own directory first: a stale answers.aux beside the .tex must not shadow the fresh one.
    env["TEXINPUTS"] = f".{os.pathsep}{tex_path.parent}{os.pathsep}{env.get('TEXINPUTS', '')}"
    with tempfile.TemporaryDirectory(prefix="derive-latex-") as tmp:
        job = Path(tmp) / tex_path.name
        job.write_text(tex, encoding="utf-8")
        log, runs = "", 0
        while runs < 2 or (runs < 3 and "Rerun to get" in log):
            runs += 1
            log = _run(exe, job, env, timeout)
            built = job.with_suffix(".pdf")
            if not built.exists() or _FILE_LINE_ERROR.search(log) or _BANG_ERROR.search(log):
                raise LatexError(_describe(tex, tex_path.name, log))
        undefined = _UNDEFINED.search(log)
        if undefined is not None:
            line = int(undefined["line"])
            raise LatexError(f"{tex_path.name}:{line}{_part(tex, line)}: undefined reference "
                             f"'{undefined['label']}'")
        atomic_write(pdf_path, built.read_bytes())
    pages = _PAGES.search(log)
    overfull = [(int(m["line"]), float(m["pt"]), part_at_line(tex, int(m["line"]))) for m in _OVERFULL.finditer(log)]
    return CompileReport(pdf_path, int(pages["pages"]) if pages else 0, runs, overfull)


def _run(exe: str, job: Path, env: dict, timeout: float) -> str:
    cmd = [exe, "-interaction=nonstopmode", "-halt-on-error", "-file-line-error", "-no-shell-escape", job.name]
    try:
        subprocess.run(cmd, cwd=job.parent, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise LatexError(f"pdflatex did not finish within {timeout:.0f} s") from None
    logfile = job.with_suffix(".log")
    return logfile.read_text(encoding="utf-8", errors="replace") if logfile.exists() else ""


def _part(tex: str, line: int | None) -> str:
    pid = part_at_line(tex, line) if line is not None else None
    return f" (part {pid})" if pid else ""


def _describe(tex: str, name: str, log: str) -> str:
    """One line: where the first error is, in which part, what it says, and the input near it."""
    line, msg, near = first_error(log)
    where = f"{name}:{line}" if line is not None else name
    text = f"pdflatex failed at {where}{_part(tex, line)}: {msg}"
    if near:
        text += f" (near: {near})"
    return " ".join(text.split())
