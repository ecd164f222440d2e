"""Evaluate a finished run on any engine: top-1, top-5, per-class accuracy, confusion matrix."""
import json
from pathlib import Path
from typing import Any, Dict, Optional

from ..deploy.predictor import open_predictor
from ..io_utils import atomic_write_text
from ..report.confusion import confusion_matrix, per_class_accuracy, plot_confusion
from ..runs import Run
from ..train.evaluate import evaluate


def evaluate_run(run, list_file: Optional[str] = None, weights: str = "best",
                 out_dir: Optional[Path] = None, data_folder: Optional[str] = None,
                 engine: str = "dygraph", allow_pickle: bool = False) -> Dict[str, Any]:
    """Evaluate ``run`` (a :class:`Run` or its folder) and save ``eval.json`` and ``confusion.png``.

    List runs read ``list_file`` (default: the run's test list). Quick Draw runs read the
    test fold of their ``data.folder``, or with ``data_folder`` every drawing of another
    folder of ``<class>.npy`` files, matched to the run's classes by name (a missing
    class is an error; extra ones are listed in ``extra_classes`` and ignored).
    """
    run = Run.open(run, allow_pickle=allow_pickle)
    dataset, source = run.source.eval_set(list_file=list_file, data_folder=data_folder)  # before any weights
    predictor = open_predictor(run, weights, engine)
    loader, _ = run.source.loader(dataset, run.cfg["train"]["eval_batch_size"], train=False)
    result = evaluate(predictor, loader)
    names = run.class_names
    matrix = confusion_matrix(result["labels"], result["preds"], len(names))
    out_dir = Path(out_dir) if out_dir else run.path / "eval"
    summary = {
        "run": str(run.path), **source,
        "weights": weights, "engine": engine, "images": int(len(result["labels"])),
        "top1": result["top1"], "top5": result["top5"], "loss": result["loss"],
        "dead_classes": [names[c] for c in result["dead_classes"]],
        "per_class": dict(zip(names, per_class_accuracy(matrix))),
        "class_names": names, "confusion": matrix.tolist(),
    }
    json_path = out_dir / "eval.json"
    atomic_write_text(json_path, json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    png_path = plot_confusion(matrix, run.display_names, out_dir / "confusion.png")
    summary["files"] = [str(json_path), str(png_path)]
    return summary
