"""Plots of a finished run: the tutorial's curves and a grid of test predictions.

The grid also goes into the run's VisualDL log (Image tab, tag ``predictions/test_grid``,
at the run's last epoch), beside the curves the trainer logged.
"""
from pathlib import Path
from typing import List

from ..deploy.predictor import open_predictor
from ..errors import SqzError
from ..report.curves import plot_curves
from ..report.predictions import plot_grid
from ..runs import Run
from ..train.visualdl_views import add_image_file, run_writer
from .predict import softmax


def visualize_run(run, grid_images: int = 16) -> List[Path]:
    """Write ``curves.png`` (and ``predictions_grid.png`` when ``grid_images`` > 0); return the paths."""
    run = Run.open(run)
    if not run.history:
        raise SqzError(f"{run.dir.metrics}: no epochs recorded yet")
    written = [Path(plot_curves(run.history, run.path / "curves.png", title=run.path.name,
                                num_classes=len(run.class_names)))]
    if grid_images > 0:
        grid = prediction_grid(run, grid_images)
        written.append(grid)
        if run.cfg["output"]["visualdl"]:
            with run_writer(run.path) as writer:
                add_image_file(writer, "predictions/test_grid", grid, step=len(run.history))
    return written


def prediction_grid(run: Run, count: int) -> Path:
    """Test images spread over the test split, each titled with its predicted and true class."""
    thumbs, x, labels = run.source.examples(count)
    probs = softmax(open_predictor(run)(x))
    names = run.display_names
    return Path(plot_grid(thumbs, [names[int(label)] for label in labels], [names[int(i)] for i in probs.argmax(1)],
                          [float(p.max()) for p in probs], run.path / "predictions_grid.png"))
