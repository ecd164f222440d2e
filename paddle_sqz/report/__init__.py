"""Plots of finished runs: training curves, confusion matrices, predictions.

Import the plot functions from their modules (``report.curves``,
``report.confusion``, ``report.predictions``). They take plain data, never
live models, and draw on a bare :class:`~matplotlib.figure.Figure` with the Agg
canvas, so they need no display and leave pyplot's global state alone.
"""
import os
import warnings
from typing import Union

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..io_utils import atomic_path

PathLike = Union[str, "os.PathLike[str]"]


def new_figure(width: float, height: float) -> Figure:
    """A figure that lays itself out, so long tick labels are never clipped."""
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save_png(fig: Figure, path: PathLike) -> str:
    """Write ``fig`` to ``path`` atomically; a reader never sees half a PNG.

    The missing-glyph warnings matplotlib gives per character are silenced:
    :func:`fonts.font_for_text` has already said once what to install.
    """
    path = os.fspath(path)
    try:
        with atomic_path(path, durable=False) as tmp:  # a full disk: one error naming the PNG
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
                # a first layout pass: with fixed-aspect images one pass clips the titles
                fig.draw_without_rendering()
                fig.savefig(tmp, format="png")
    finally:
        fig.clear()
    return path
