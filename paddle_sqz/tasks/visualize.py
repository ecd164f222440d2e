"""Plots of a finished run: the tutorial's curves and a grid of test predictions.

The grid also goes into the run's VisualDL log (Image tab, tag ``predictions/test_grid``,
at the run's last epoch), beside the curves the trainer logged.
"""
from pathlib import Path
from typing import List

import numpy as np

from ..data.image import load_image
from ..data.listfile import read_list
from ..errors import SqzError
from ..train.history import read_history
from ..train.run_dir import RunDir
from ..train.visualdl_views import add_image_file, run_writer


def visualize_run(run_path, grid_images: int = 16) -> List[Path]:
    """Write ``curves.png`` (and ``predictions_grid.png`` when ``grid_images`` > 0); return the paths."""
    from ..report.curves import plot_curves
    run = RunDir.open(run_path)
    history = read_history(run.metrics)
    if not history:
        raise SqzError(f"{run.metrics}: no epochs recorded yet")
    written = [Path(plot_curves(history, run.path / "curves.png", title=run.path.name))]
    if grid_images > 0:
        grid = _prediction_grid(run, grid_images)
        written.append(grid)
        if run.load_config()["output"]["visualdl"]:
            with run_writer(run.path) as writer:
                add_image_file(writer, "predictions/test_grid", grid, step=len(history))
    return written


def _prediction_grid(run: RunDir, count: int) -> Path:
    from ..report.predictions import plot_grid
    from ..runs import LoadedRun, predict
    loaded = LoadedRun(run.path)
    if loaded.cfg["data"]["kind"] == "quickdraw":
        return _drawing_grid(run, loaded, count)
    items = read_list(loaded.cfg["data"]["test_list"], root=loaded.cfg["data"]["root"])
    picks = [items[i] for i in np.linspace(0, len(items) - 1, min(count, len(items))).round().astype(int)]
    results = predict(loaded, [Path(p) for p, _ in picks], topk=1)
    thumbs = [np.asarray(load_image(p).resize((128, 128))) for p, _ in picks]
    true_names = [loaded.class_names[label] for _, label in picks]
    pred_names = [top[0][0] for _, top in results]
    probs = [top[0][1] for _, top in results]
    return Path(plot_grid(thumbs, true_names, pred_names, probs, run.path / "predictions_grid.png"))


def _drawing_grid(run: RunDir, loaded, count: int) -> Path:
    """Quick Draw runs: drawings spread over the test fold of the run's data folder."""
    import paddle

    from ..report.predictions import plot_grid
    from ..train import build
    dataset = build.build_dataset(loaded.cfg, "test", classes=loaded.class_names)
    picks = np.linspace(0, len(dataset) - 1, min(count, len(dataset))).round().astype(int)
    x, y = dataset.batch(picks)  # pixels 0..1, (N, 1, S, S), S = data.image_size
    mean = np.asarray(loaded.cfg["data"]["mean"], np.float32).reshape(1, -1, 1, 1)
    std = np.asarray(loaded.cfg["data"]["std"], np.float32).reshape(1, -1, 1, 1)
    with paddle.no_grad():
        probs = paddle.nn.functional.softmax(loaded.model(paddle.to_tensor((x - mean) / std)), axis=1).numpy()
    thumbs = [(image[0] * 255).astype(np.uint8) for image in x]
    names = loaded.class_names
    return Path(plot_grid(thumbs, [names[int(label)] for label in y], [names[int(i)] for i in probs.argmax(1)],
                          [float(p.max()) for p in probs], run.path / "predictions_grid.png"))
