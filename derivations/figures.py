"""Drawing every part's figures beside the answers document.

Each :class:`derivations.answer.Figure` names a ``draw(path, rng)`` function of its section's
``figures`` module, resolved here, when figures are drawn; it is drawn into the
directory of the .tex, under the safe name :func:`derivations.latex.figure_filename` gives it,
with a generator seeded from the part's seed (so a figure is reproducible on its own). A figure
that cannot be drawn is reported in the document and makes its part ``failed``: the document never
refers to a file that is not there.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from derivations import homeworks
from derivations.latex import FigureFile, figure_filename
from derivations.registry import Registry
from derivations.runner import PartResult, part_seed


def figure_rng(part_id: str, seed: int, index: int) -> np.random.Generator:
    """The generator figure ``index`` of ``part_id`` draws with, independent of the checks' stream."""
    return np.random.default_rng([part_seed(part_id, seed), 0xF16, index])


def draw_all(results: Sequence[PartResult], directory: str | Path, seed: int, *,
             progress: bool = True, registry: Registry | None = None) -> dict[str, list[FigureFile]]:
    """Draw the figures of every part that has an answer; return them by part id."""
    registry = registry or homeworks.registry()
    import matplotlib.pyplot as plt  # deferred: matplotlib only when figures are drawn

    from derivations import plotting  # noqa: F401  (selects the Agg backend before anything draws)

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    drawn: dict[str, list[FigureFile]] = {}
    for result in results:
        if result.answer is None:
            continue
        files = []
        for k, fig in enumerate(result.answer.figures):
            name = figure_filename(result.id, fig.filename, taken)
            start = time.perf_counter()
            try:
                draw = draw_function(registry, result.id, fig)
            except Exception as exc:  # a figure whose function cannot be found is reported like any failure
                draw = _raiser(f"{type(exc).__name__}: {exc}")
            error = _draw(draw, directory / name, figure_rng(result.id, seed, k))
            plt.close("all")
            files.append(FigureFile(name, fig.caption, error))
            if error is not None:
                result.status = "failed"
                result.error = result.error or f"figure {fig.filename}: {error}"
            if progress:
                verdict = "drawn" if error is None else f"FAILED ({error})"
                print(f"        {result.id:<7} {name} {verdict} {time.perf_counter() - start:5.2f}s",
                      file=sys.stderr, flush=True)
        drawn[result.id] = files
    return drawn


def draw_function(registry: Registry, part_id: str, fig) -> Callable:
    """The function that draws ``fig``: named in the figures module of the part's section package."""
    if callable(fig.draw):
        return fig.draw
    module = importlib.import_module(f"{registry.section_package(part_id)}.figures")
    return getattr(module, fig.draw)


def _draw(draw: Callable, path: Path, rng: np.random.Generator) -> str | None:
    """Run one draw function; the error as one line, or None if it wrote a non-empty file."""
    path.unlink(missing_ok=True)  # a stale file must not pass for a new one
    try:
        draw(path, rng)
    except Exception as exc:  # a broken figure is reported, never a traceback
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    if not path.exists() or path.stat().st_size == 0:
        return "the draw function wrote no file"
    return None


def _raiser(message: str) -> Callable:
    def draw(path, rng):
        raise LookupError(message)
    return draw
