"""Use a finished run: load its model and labels, evaluate on a list, predict images.

Everything comes from the run folder (config, ``labels.txt``, weights), and
prediction uses exactly the run's evaluation transform: no second, hand-written
preprocessing that can drift from training (the tutorial's prediction bug).
"""
import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import paddle
import paddle.nn.functional as F

from .data.image import load_image
from .data.quickdraw import QuickDrawDataset, load_class_array, match_classes
from .data.split import IMAGE_EXTENSIONS
from .data.transforms import build_transform
from .errors import SqzError
from .io_utils import atomic_write_text
from .train import build
from .train.checkpoint import load_weights
from .train.evaluate import evaluate
from .train.run_dir import RunDir


ENGINES = ("dygraph", "inference")


class LoadedRun:
    """A run's config, class names and model (eval mode, weights loaded).

    ``weights`` is ``best``, ``latest`` or the path of a compressed ``.sqz`` file
    (``tools/compress.py``), decoded to float weights of the same model.
    ``engine="inference"`` swaps the model for the run's exported Paddle Inference model
    (``RUN/export``, exported first when missing or older than the weights): same
    preprocessing, same labels, much faster on the CPU.
    """

    def __init__(self, run_path, weights: str = "best", engine: str = "dygraph"):
        if engine not in ENGINES:
            raise SqzError(f"--engine: unknown engine {engine!r}; valid: {', '.join(ENGINES)}")
        if engine == "inference" and str(weights).endswith(".sqz"):
            raise SqzError(f"--engine inference: {weights} is a compressed file; evaluate it with the "
                           "dygraph engine (the export tool exports best or latest weights)")
        self.run = RunDir.open(run_path)
        self.cfg = self.run.load_config()
        self.class_names = self.run.load_labels()
        if len(self.class_names) != self.cfg["model"]["num_classes"]:
            raise SqzError(f"{self.run.labels} lists {len(self.class_names)} classes but the run's config "
                           f"has model.num_classes={self.cfg['model']['num_classes']}")
        shown = self.cfg["data"].get("display_names") or {}
        unknown = sorted(set(shown) - set(self.class_names))
        if unknown:
            raise SqzError(f"{self.run.path}: data.display_names names {', '.join(map(repr, unknown))}, which "
                           f"{self.run.labels} does not list (classes: {', '.join(self.class_names)})")
        self.display_names = [shown.get(name, name) for name in self.class_names]  # plots, predict's output
        self._shown = dict(zip(self.class_names, self.display_names))
        paddle.set_device("cpu" if not paddle.device.is_compiled_with_cuda() else "gpu")
        self.model = build.build_model(self.cfg)
        if str(weights).endswith(".sqz"):
            from .compress.model_file import load_compressed_into
            load_compressed_into(self.model, weights, self.cfg["model"])
        else:
            load_weights(self.model, self.run.weights(weights))
        self.model.eval()
        self.transform = build_transform(self.cfg["data"], train=False)
        self.engine = engine
        if engine == "inference":
            from .deploy.export import ensure_export
            from .deploy.predictor import InferenceModel, Predictor
            self.model = InferenceModel(Predictor(ensure_export(self.run.path, weights)))

    def shown(self, name: str) -> str:
        """A class's display name (``data.display_names``), or the class name itself."""
        return self._shown.get(name, name)


def evaluate_run(run_path, list_file: Optional[str] = None, weights: str = "best",
                 out_dir: Optional[Path] = None, data_folder: Optional[str] = None,
                 engine: str = "dygraph") -> Dict[str, Any]:
    """Top-1, top-5, per-class accuracy and the confusion matrix, saved as JSON and PNG.

    List runs read ``list_file`` (default: the run's test list). Quick Draw runs read the
    test fold of their ``data.folder``, or with ``data_folder`` every drawing of another
    folder of ``<class>.npy`` files, matched to the run's classes by name (a missing
    class is an error; extra ones are listed in ``extra_classes`` and ignored).
    """
    from .report.confusion import confusion_matrix, per_class_accuracy, plot_confusion
    quickdraw = RunDir.open(run_path).load_config()["data"]["kind"] == "quickdraw"
    if quickdraw and list_file is not None:
        raise SqzError("--list: this is a Quick Draw run (data.kind: quickdraw); evaluate another "
                       "folder of <class>.npy files with --data-folder DIR")
    if not quickdraw and data_folder is not None:
        raise SqzError("--data-folder: only for Quick Draw runs (data.kind: quickdraw); this run "
                       "reads list files, evaluate another one with --list FILE")
    loaded = LoadedRun(run_path, weights, engine)
    source: Dict[str, Any]
    if quickdraw:
        dataset, source = _quickdraw_eval_set(loaded, data_folder)
    else:
        dataset = build.build_dataset(loaded.cfg, "test", list_file=list_file)
        source = {"list": str(list_file or loaded.cfg["data"]["test_list"])}
    loader, _ = build.build_loader(loaded.cfg, dataset, train=False)
    result = evaluate(loaded.model, loader)
    n = len(loaded.class_names)
    matrix = confusion_matrix(result["labels"], result["preds"], n)
    per_class = per_class_accuracy(matrix)
    out_dir = Path(out_dir) if out_dir else loaded.run.path / "eval"
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = {
        "run": str(loaded.run.path), **source,
        "weights": weights, "engine": engine, "images": int(len(result["labels"])),
        "top1": result["top1"], "top5": result["top5"], "loss": result["loss"],
        "dead_classes": [loaded.class_names[c] for c in result["dead_classes"]],
        "per_class": {name: acc for name, acc in zip(loaded.class_names, per_class)},
        "class_names": loaded.class_names, "confusion": matrix.tolist(),
    }
    json_path = out_dir / "eval.json"
    atomic_write_text(json_path, json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    png_path = plot_confusion(matrix, loaded.display_names, out_dir / "confusion.png")
    summary["files"] = [str(json_path), str(png_path)]
    return summary


def _quickdraw_eval_set(loaded: LoadedRun, data_folder: Optional[str]):
    """The test fold of the run's own folder, or every drawing of ``data_folder``; and a description."""
    names = loaded.class_names
    if data_folder is None:
        dataset = build.build_dataset(loaded.cfg, "test", classes=names)
        folder = loaded.cfg["data"]["folder"]
        return dataset, {"list": f"the test fold of {folder}", "data_folder": folder, "split": "test",
                         "extra_classes": []}
    folder = Path(data_folder).expanduser().resolve()
    match = match_classes(names, folder)  # a missing class stops here, by name
    sizes = [len(load_class_array(path)) for path in match.files]
    pairs = np.concatenate([np.stack([np.full(size, index, np.int32), np.arange(size, dtype=np.int32)], axis=1)
                            for index, size in enumerate(sizes)])
    dataset = QuickDrawDataset(folder, pairs, names, image_size=loaded.cfg["data"]["image_size"])
    return dataset, {"list": f"all drawings of {folder}", "data_folder": str(folder), "split": "all",
                     "extra_classes": list(match.extra)}


def image_paths(inputs: Sequence[str]) -> List[Path]:
    """Files as given, and the image files inside given folders (sorted)."""
    paths: List[Path] = []
    for text in inputs:
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not found:
                raise SqzError(f"{path}: no image files in this folder")
            paths.extend(found)
        elif path.is_file():
            paths.append(path)
        else:
            raise SqzError(f"{path}: no such file or folder")
    return paths


@paddle.no_grad()
def predict(loaded: LoadedRun, paths: Sequence[Path], topk: int = 3,
            batch_size: int = 32) -> List[Tuple[Path, List[Tuple[str, float]]]]:
    """Top-k (class name, probability) for each image, through the run's eval transform."""
    topk = max(1, min(topk, len(loaded.class_names)))
    results = []
    for start in range(0, len(paths), batch_size):
        chunk = list(paths[start:start + batch_size])
        x = np.stack([loaded.transform(load_image(p), None) for p in chunk])
        probs = F.softmax(loaded.model(paddle.to_tensor(x)), axis=1).numpy()
        for path, row in zip(chunk, probs):
            order = np.argsort(-row)[:topk]
            results.append((path, [(loaded.class_names[i], float(row[i])) for i in order]))
    return results
