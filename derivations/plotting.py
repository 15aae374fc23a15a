"""Shared matplotlib set-up for the answers' figures: Agg backend, one style, atomic saving.

Section modules define ``draw(path, rng)`` functions that build a figure with
:func:`new_figure` and write it with :func:`save`.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: figures are files

import matplotlib.pyplot as plt  # noqa: E402

from derivations.fileio import atomic_write  # noqa: E402

STYLE = {"font.size": 9, "axes.titlesize": 9, "axes.labelsize": 9, "legend.fontsize": 8,
         "figure.dpi": 100, "savefig.bbox": "tight", "axes.grid": True, "grid.alpha": 0.3}


def new_figure(ncols: int = 1, nrows: int = 1, *, width: float = 6.0, height: float = 3.0):
    """A figure and its axes, in the document's style (sizes in inches)."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False)
    return fig, axes


def save(fig, path: str | Path) -> Path:
    """Write ``fig`` as PDF to ``path`` atomically and close it."""
    buf = io.BytesIO()
    with plt.rc_context(STYLE):
        fig.savefig(buf, format="pdf")
    plt.close(fig)
    return atomic_write(path, buf.getvalue())
