"""tools/benchmark.py's logic: start the workers side by side, collect rows, ratios and targets.

Plain baselines run in processes without the package's settings (no MKL switch, no
allocator tuning, per-channel conv bias): what a user gets from ``paddle.vision`` or the
tutorial's code. The package's processes get no environment variable from the user
either: what they apply they detect themselves (``paddle_sqz/runtime.py``).
"""
import json
import math
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

from ...data.demo import ensure_demo_dataset
from ...data.labels import read_labels
from ...errors import SqzError
from ...io_utils import atomic_write_text
MARK = "BENCH_RESULT "  # the line a worker prints its result on
# the folder the package is imported from (a checkout or site-packages): workers import the same code
PACKAGE_PARENT = Path(__file__).resolve().parents[3]
_USER_SETTINGS = ("MKL_DEBUG_CPU_TYPE", "PADDLE_SQZ_NO_TUNING", "PADDLE_SQZ_MALLOC")


def _env(package: bool) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _USER_SETTINGS}
    env["PYTHONPATH"] = os.pathsep.join([str(PACKAGE_PARENT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    if not package:
        env["PADDLE_SQZ_NO_TUNING"] = "1"
    return env


def run_worker(kind: str, args: Dict[str, Any], package: bool, timeout: float = 3600) -> Dict[str, Any]:
    """One worker process; its ``BENCH_RESULT`` line, or an error with the worker's last output."""
    cmd = [sys.executable, "-m", "paddle_sqz.experiments.benchmark.workers", kind, json.dumps({**args, "package_settings": package})]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(package), timeout=timeout, cwd=os.getcwd())
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARK)]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise SqzError(f"benchmark worker {kind} failed (exit {proc.returncode}): {tail}")
    return json.loads(lines[-1][len(MARK):])


def _row(section: str, name: str, images_per_s: float, ms_per_batch: float, rss: float, **extra) -> Dict[str, Any]:
    return {"section": section, "name": name, "images_per_s": images_per_s, "ms_per_batch": ms_per_batch,
            "peak_rss_mb": rss, **extra}


def _epoch_row(section: str, name: str, seconds: List[float], images: int, batch: int, rss: float,
               warmup: int = 1) -> Dict[str, Any]:
    timed = seconds[warmup:] or seconds
    median = statistics.median(timed)
    return _row(section, name, images / median, 1000.0 * median / max(1, math.ceil(images / batch)), rss,
                repeats_s=[round(s, 3) for s in timed])


def resolve_lists(train_list: Optional[str]) -> Dict[str, str]:
    """The user's train list with ``test.txt`` and ``labels.txt`` beside it, or the demo data set."""
    if train_list is None:
        root = Path("datasets/demo").resolve()
        ensure_demo_dataset(root)
        train = root / "train.txt"
    else:
        train = Path(train_list).expanduser().resolve()
    lists = {"train_list": train, "test_list": train.with_name("test.txt"), "labels": train.with_name("labels.txt")}
    for key, path in lists.items():
        if not path.is_file():
            raise SqzError(f"--list: {path} not found ({key}; test.txt and labels.txt must sit beside the "
                           "train list, as tools/split_dataset.py writes them)")
    return {k: str(v) for k, v in lists.items()}


def benchmark(models: List[str], batch: int, size: int, steps: int, warmup: int, repeats: int, epochs: int,
              pad_size: Optional[int], train_list: Optional[str], pipeline_model: str) -> Dict[str, Any]:
    """Every measurement, in one run; returns the JSON-ready report."""
    lists = resolve_lists(train_list)
    classes = len(read_labels(lists["labels"]))
    common = {"batch": batch, "size": size, "steps": steps, "warmup": warmup, "repeats": repeats, "classes": classes}
    rows, ratios, runtimes = [], {}, {}
    steps_pkg = {}
    for model in models:  # (a) training step, plain paddle.vision vs the package
        plain = run_worker("train_step", {**common, "model": model, "source": "vision"}, package=False)
        pkg = run_worker("train_step", {**common, "model": model, "source": "package"}, package=True)
        runtimes["plain"], runtimes["package"] = plain["runtime"], pkg["runtime"]
        rows.append(_row("train step", f"paddle.vision {model}, plain process", plain["images_per_s"],
                         plain["ms_per_batch"], plain["peak_rss_mb"]))
        rows.append(_row("train step", f"paddle_sqz {model}", pkg["images_per_s"], pkg["ms_per_batch"],
                         pkg["peak_rss_mb"]))
        ratios[f"train_step_{model}_package_vs_vision"] = pkg["images_per_s"] / plain["images_per_s"]
        steps_pkg[model] = pkg
    if pipeline_model not in steps_pkg:
        steps_pkg[pipeline_model] = run_worker("train_step", {**common, "model": pipeline_model,
                                                              "source": "package"}, package=True)
    overrides = [f"data.train_list={lists['train_list']}", f"data.test_list={lists['test_list']}",
                 f"data.labels={lists['labels']}", f"model.name={pipeline_model}", f"model.num_classes={classes}",
                 f"data.image_size={size}", f"data.pad_size={'null' if pad_size is None else pad_size}",
                 f"train.batch_size={batch}", f"train.eval_batch_size={batch}", f"train.epochs={epochs}",
                 "train.log_interval=1000"]
    pipe = run_worker("pipeline", {"config": "birds", "overrides": overrides}, package=True)
    tut = run_worker("tutorial", {**common, "model": pipeline_model, "epochs": epochs, "pad_size": pad_size or size,
                                  "train_list": lists["train_list"], "test_list": lists["test_list"]}, package=False)
    raw = steps_pkg[pipeline_model]
    e2e = _epoch_row("train.py epoch", f"tools/train.py training epoch, {pipeline_model}", pipe["train_s"],
                     pipe["train_images"], batch, pipe["peak_rss_mb"])
    rows.append(_row("train.py epoch", f"raw step, {pipeline_model} (from train step)", raw["images_per_s"],
                     raw["ms_per_batch"], raw["peak_rss_mb"]))
    rows.append(e2e)
    ratios["train_py_epoch_vs_raw_step"] = e2e["images_per_s"] / raw["images_per_s"]
    tut_train = _epoch_row("tutorial loop", "tutorial-style loop, training epoch", tut["train_s"],
                           tut["train_images"], batch, tut["peak_rss_mb"])
    tut_eval = _epoch_row("tutorial loop", "tutorial-style loop, evaluation (no no_grad)", tut["eval_s"],
                          tut["eval_images"], batch, tut["peak_rss_mb"])
    pkg_eval = _epoch_row("tutorial loop", "paddle_sqz evaluation", pipe["eval_s"], pipe["eval_images"], batch,
                          pipe["peak_rss_mb"], warmup=0)
    rows += [tut_train, dict(e2e, section="tutorial loop", name="paddle_sqz training epoch"), tut_eval, pkg_eval]
    ratios["train_py_epoch_vs_tutorial_loop"] = e2e["images_per_s"] / tut_train["images_per_s"]
    ratios["package_eval_vs_tutorial_eval"] = pkg_eval["images_per_s"] / tut_eval["images_per_s"]
    plain_eval = run_worker("inference", {**common, "model": pipeline_model, "engines": "dygraph"}, package=False)
    inf = run_worker("inference", {**common, "model": pipeline_model, "engines": "both"}, package=True)
    for key, name in ((f"dygraph_b{batch}", f"dygraph eval, batch {batch}, plain process"),
                      ("dygraph_b1", "dygraph eval, batch 1 (latency), plain process")):
        r = plain_eval[key]
        rows.append(_row("eval engine", name, r["images_per_s"], r["ms_per_batch"], r["peak_rss_mb"]))
    for key, name in ((f"dygraph_b{batch}", f"dygraph eval, batch {batch}"),
                      ("inference_b%d" % batch, f"Paddle Inference (oneDNN), batch {batch}"),
                      ("dygraph_b1", "dygraph eval, batch 1 (latency)"),
                      ("inference_b1", "Paddle Inference (oneDNN), batch 1 (latency)")):
        r = inf[key]
        rows.append(_row("eval engine", name, r["images_per_s"], r["ms_per_batch"], r["peak_rss_mb"]))
    ratios["inference_vs_dygraph_eval"] = inf[f"inference_b{batch}"]["images_per_s"] / inf[f"dygraph_b{batch}"]["images_per_s"]
    ratios["inference_vs_plain_dygraph_eval"] = (inf[f"inference_b{batch}"]["images_per_s"]
                                                 / plain_eval[f"dygraph_b{batch}"]["images_per_s"])
    ratios["inference_vs_dygraph_batch1_latency"] = inf["dygraph_b1"]["ms_per_batch"] / inf["inference_b1"]["ms_per_batch"]
    targets = {"train_step_1_1_at_least_2x": ratios.get("train_step_squeezenet1_1_package_vs_vision", 0) >= 2.0,
               "train_py_at_least_0.95x_raw": ratios["train_py_epoch_vs_raw_step"] >= 0.95,
               "train_py_at_least_2x_tutorial": ratios["train_py_epoch_vs_tutorial_loop"] >= 2.0,
               "inference_at_least_5x_dygraph": ratios["inference_vs_dygraph_eval"] >= 5.0}
    return {"settings": {"models": models, "pipeline_model": pipeline_model, "batch": batch, "size": size,
                         "pad_size": pad_size, "steps": steps, "warmup": warmup, "repeats": repeats, "epochs": epochs,
                         **lists, "train_images": pipe["train_images"], "eval_images": pipe["eval_images"]},
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                        "runtime_plain": runtimes.get("plain", ""), "runtime_package": runtimes.get("package", "")},
            "rows": rows, "ratios": ratios, "targets": targets}


def format_table(report: Dict[str, Any]) -> str:
    """Markdown: one line per measurement, then the ratios and targets."""
    lines = ["| section | measurement | images/s | ms/batch | peak RSS (MB) |", "|---|---|---:|---:|---:|"]
    for r in report["rows"]:
        lines.append(f"| {r['section']} | {r['name']} | {r['images_per_s']:.1f} | {r['ms_per_batch']:.1f} | "
                     f"{r['peak_rss_mb']:.0f} |")
    lines += ["", "| ratio | value |", "|---|---:|"]
    lines += [f"| {k} | {v:.2f}x |" for k, v in report["ratios"].items()]
    lines += ["", "targets: " + ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in report["targets"].items())]
    return "\n".join(lines)


def write_report(report: Dict[str, Any], path: Path) -> None:
    atomic_write_text(path, json.dumps(report, indent=2) + "\n")
