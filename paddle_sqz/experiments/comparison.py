"""Train several models on the same data and seed, measure each, write one report (总结对比).

Every model goes through the one training engine (:func:`trainer.train`) with the same
config, overrides and seed; only ``model.name`` differs. Each run is its own folder
``<out>/<model>-<time>/`` with its own VisualDL log, so ``visualdl --logdir <out>``
overlays the curves of all models. Then, per model:

- parameters: the number of weights of the built network;
- size: the saved best weights (``best_model.safetensors``) on disk, in KB;
- test top-1 / top-5: :func:`inference.evaluate_run` on the held-out test fold (Quick
  Draw) or test list, with the best weights (chosen on the validation split);
- epochs and training time: from ``metrics.jsonl`` (the sum of ``epoch_seconds``, the
  training compute of each epoch without its validation pass);
- inference images/s: batched forward passes in eval mode under ``no_grad`` over the
  test images (tensors prepared beforehand, so only the network is timed), after a
  warm-up; the best of ``repeats`` passes.
"""
import os
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import paddle

from .. import runtime
from ..config import load_config
from ..errors import SqzError
from ..models import list_models
from ..models.measure import count_parameters
from ..report.comparison_report import write_comparison
from ..report.curves import selection_key
from ..report.tables import format_accuracy
from ..runs import Run
from ..tasks.evaluate import evaluate_run
from ..timing import time_repeats
from ..train.trainer import train
from ..train.visualdl_views import add_hparams, run_writer

RESERVED_KEYS = ("model.name", "output.name", "output.dir")
# the settings shown in VisualDL's HParams tab: what a comparison or a sweep varies, and the
# few that tell one experiment from another (more columns push the metrics out of sight)
HPARAM_KEYS = ("model.name", "model.bypass", "model.sr", "model.pct_3x3", "train.lr", "train.epochs")
HPARAM_METRICS = ("val_top1", "top1", "top5", "parameters", "size_kb", "train_seconds", "images_per_s", "dead_classes")
TIMING_IMAGES = 8192  # at most this many test images are used to time inference


def _check_request(models: Sequence[str], overrides: Sequence[str]) -> None:
    if not models:
        raise SqzError("--models: name at least one model (tools/summary.py --list shows them)")
    duplicates = sorted({m for m in models if list(models).count(m) > 1})
    if duplicates:
        raise SqzError(f"--models: listed twice: {', '.join(duplicates)}")
    known = set(list_models())
    unknown = [m for m in models if m not in known]
    if unknown:
        raise SqzError(f"--models: unknown model(s) {', '.join(unknown)}; registered: {', '.join(sorted(known))}")
    for text in overrides:
        key = text.split("=", 1)[0].strip()
        if key in RESERVED_KEYS:
            raise SqzError(f"-o {text}: {key} is set by the comparison itself "
                           "(use --models for model.name and --out for the output folder)")


def model_configs(cfg_name: str, models: Sequence[str], overrides: Sequence[str] = (),
                  out_dir: Optional[Path] = None) -> Dict[str, Dict[str, Any]]:
    """One validated config per model, identical but for ``model.name`` and ``output.name``.

    All configs are loaded before anything trains, so a bad key or model stops at once.
    """
    _check_request(models, overrides)
    base = load_config(cfg_name, overrides)
    if out_dir is None:
        out_dir = Path(base["output"]["dir"]) / f"compare-{base['config_name']}-{time.strftime('%Y%m%d-%H%M%S')}"
    configs = {}
    for name in models:
        cfg = load_config(cfg_name, [*overrides, f"model.name={name}"])
        cfg["output"]["name"] = name
        cfg["output"]["dir"] = str(Path(out_dir).expanduser().resolve())
        configs[name] = cfg
    return configs


def _timing_batches(run: Run, max_images: int = TIMING_IMAGES) -> List[paddle.Tensor]:
    """Input tensors of the run's test images, in evaluation batches, gathered before timing."""
    loader, _ = run.source.loader(run.source.dataset("test"), run.cfg["train"]["eval_batch_size"], train=False)
    batches, count = [], 0
    for x, _ in loader:
        batches.append(x)
        count += int(x.shape[0])
        if count >= max_images:
            break
    return batches


def _synchronize() -> None:
    if paddle.device.is_compiled_with_cuda() and paddle.device.get_device().startswith("gpu"):
        paddle.device.synchronize()


@paddle.no_grad()
def inference_speed(model: paddle.nn.Layer, batches: Sequence[paddle.Tensor], repeats: int = 3,
                    warmup: int = 2) -> float:
    """Images per second of ``model(x)`` over ``batches`` (eval mode, no_grad): best of ``repeats``."""
    if not batches:
        raise SqzError("inference speed: no test images to time")
    was_training = model.training
    model.eval()

    def one_pass() -> None:
        for x in batches:
            model(x)
        _synchronize()

    images = sum(int(x.shape[0]) for x in batches)
    timing = time_repeats(one_pass, steps=1, batch=images, warmup=max(1, warmup), repeats=max(1, repeats))
    if was_training:
        model.train()
    return images / max(timing["best_s"], 1e-9)


def measure_run(run_path: Path, repeats: int = 3) -> Dict[str, Any]:
    """The comparison row of one finished run (see the module docstring for each number).

    ``repeats=0`` skips the inference timing (``images_per_s`` is then None), e.g. in sweeps.
    """
    run = Run.open(run_path)
    history = run.history
    if not history:
        raise SqzError(f"{run.dir.metrics}: the run has no finished epoch to report")
    evaluation = evaluate_run(run)
    return {
        "model": run.name,
        "arch": run.name,
        "parameters": count_parameters(run.model()),
        "size_kb": run.dir.best.stat().st_size / 1024.0,
        "top1": float(evaluation["top1"]),
        "top5": float(evaluation["top5"]),
        "test_images": int(evaluation["images"]),
        "dead_classes": len(evaluation.get("dead_classes", [])),
        "epochs": len(history),
        "best_epoch": int(max(history, key=lambda r: r[selection_key(history)])["epoch"]),
        "val_top1": float(max(r[selection_key(history)] for r in history)),
        "train_seconds": float(sum(r.get("epoch_seconds", 0.0) for r in history)),
        "images_per_s": (inference_speed(run.model(), _timing_batches(run), repeats=repeats)
                         if repeats > 0 else None),
        "run": str(run.path),
        "history": history,
    }


def _data_lines(run: Run) -> List[str]:
    source = run.source
    sizes = ", ".join(f"{len(source.dataset(split)):,} {split}" for split in source.splits)
    return [f"data: {source.describe()}; {len(run.class_names)} classes; {sizes} images (seed {run.cfg['seed']})"]


def log_hparams(row: Dict[str, Any], cfg: Dict[str, Any]) -> None:
    """The run's settings and final metrics into its own VisualDL log (the HParams tab
    then compares every model of a comparison and every point of a sweep)."""
    if not cfg["output"]["visualdl"]:
        return
    hparams = {key: cfg[key.split(".")[0]][key.split(".")[1]] for key in HPARAM_KEYS}
    hparams["seed"] = cfg["seed"]
    metrics = {("test_" + k if k in ("top1", "top5") else k): row.get(k) for k in HPARAM_METRICS}
    with run_writer(Path(row["run"])) as writer:
        add_hparams(writer, hparams, metrics)


def train_and_measure(configs: Dict[str, Dict[str, Any]], repeats: int = 3,
                      log: Callable[[str], None] = print) -> List[Dict[str, Any]]:
    """Train each config (label -> config) in turn and measure it; row ``model`` is the label."""
    rows: List[Dict[str, Any]] = []
    for number, (label, cfg) in enumerate(configs.items(), start=1):
        Path(cfg["output"]["dir"]).mkdir(parents=True, exist_ok=True)
        log(f"[{number}/{len(configs)}] training {label}")
        row = measure_run(train(cfg), repeats=repeats)
        row["model"] = label
        log_hparams(row, cfg)
        rows.append(row)
        log(f"[{number}/{len(configs)}] {label}: test "
            f"{format_accuracy(row['top1'], row['top5'], cfg['model']['num_classes'])}, "
            f"{row['parameters']:,} parameters, {row['size_kb']:.1f} KB, "
            + (f"{row['images_per_s']:,.0f} images/s inference, " if row["images_per_s"] is not None else "")
            + f"{row['train_seconds']:.0f} s training")
    return rows


def about_lines(first_run: Run, overrides: Sequence[str], wall: float, command: str,
                what: str) -> List[str]:
    """The report's header lines: command, config, data, training settings, machine, wall time."""
    cfg = first_run.cfg
    t = cfg["train"]
    about = [f"config `{cfg['config_name']}`" + (f" with `{' '.join(overrides)}`" if overrides else ""),
             *_data_lines(first_run),
             f"training: {t['epochs']} epochs, {t['optimizer']} lr {t['lr']:g}, batch {t['batch_size']}, "
             f"seed {cfg['seed']}; the best epoch on the validation split is kept and tested",
             f"machine: {os.cpu_count()} CPU threads, Paddle {paddle.__version__}, {runtime.describe()}",
             f"wall time of the whole {what} (training, testing, timing): {wall / 60:.1f} min"]
    if command:
        about.insert(0, f"command: `{command}`")
    return about


def compare_models(cfg_name: str, models: Sequence[str], overrides: Sequence[str] = (),
                   out_dir: Optional[Path] = None, command: str = "", repeats: int = 3,
                   log: Callable[[str], None] = print) -> Dict[str, Any]:
    """Train ``models`` one after the other, measure them and write the report into ``out_dir``.

    Returns ``{"out_dir", "rows", "files", "wall_seconds"}``.
    """
    start = time.perf_counter()
    configs = model_configs(cfg_name, models, overrides, out_dir)
    out = Path(next(iter(configs.values()))["output"]["dir"])
    log(f"comparing {len(models)} models into {out}")
    rows = train_and_measure(configs, repeats=repeats, log=log)
    wall = time.perf_counter() - start
    first_run = Run(rows[0]["run"])
    cfg = first_run.cfg
    t = cfg["train"]
    about = about_lines(first_run, overrides, wall, command, "comparison")
    notes = [
        "test top-1 / top-5: accuracy on the held-out test fold, never seen in training or model "
        "selection. The Quick Draw tutorial's \"Test accuracy\" is Keras `top_k_categorical_accuracy`, "
        "i.e. **top-5**.",
        "size: the saved best weights (`best_model.safetensors`) on disk.",
        "training time: the sum of the epochs' training compute (`epoch_seconds` in metrics.jsonl), "
        "without the per-epoch validation pass.",
        f"inference: batched forward passes (batch {t['eval_batch_size']}) in eval mode under no_grad "
        f"over up to {TIMING_IMAGES} test images, after a warm-up, best of {repeats} passes.",
    ]
    files = write_comparison(rows, {r["model"]: r["history"] for r in rows}, out,
                             title=f"Model comparison: {cfg['config_name']}", about=about, notes=notes,
                             plot_title=f"Test accuracy vs parameters ({len(first_run.class_names)} classes)",
                             classes=len(first_run.class_names))
    for name in files.values():
        log(f"wrote {name}")
    return {"out_dir": out, "rows": rows, "files": files, "wall_seconds": wall}
