"""The SqueezeNet paper's Table 2 from the package's own files: sizes and accuracy per step.

Every size is the byte count of a file actually written (``.sqz``), except the
fp32 baselines, which are parameters x 4 bytes (the paper's convention). Every
accuracy is measured on weights decoded back from that file.
"""
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import paddle

from ..compress.model_file import load_compressed, save_compressed
from ..compress.pruning import fp32_bytes, prune, state_of
from ..models import build_model, list_models
from ..published import ALEXNET_PARAMS
from ..runs import Run
from ..tasks.compress_run import RunEvaluator, pruned_run_state



def alexnet_fp32() -> Dict[str, Any]:
    """AlexNet's float32 size: measured from a registered ``alexnet`` if there is one."""
    if "alexnet" in list_models():
        model = build_model("alexnet", num_classes=1000)
        return {"bytes": fp32_bytes(model), "how": "registered alexnet model, parameters x 4 bytes"}
    return {"bytes": ALEXNET_PARAMS * 4,
            "how": f"no alexnet registered: {ALEXNET_PARAMS:,} parameters x 4 bytes (computed)"}


def _row(model: str, step: str, result: Dict[str, Any], alexnet: int, fp32: int, **extra) -> Dict[str, Any]:
    return {"model": model, "step": step, "bytes": int(result["bytes"]),
            "sparsity": float(result.get("sparsity", 0.0)), "bits": int(result.get("bits", 32)),
            "vs_fp32": fp32 / result["bytes"], "vs_alexnet": alexnet / result["bytes"],
            "file": result.get("path", ""), **extra}


def alexnet_row(alexnet: Dict[str, Any]) -> Dict[str, Any]:
    """The reference bar: AlexNet's float32 size (1x by definition)."""
    return _row("AlexNet (reference)", "fp32", {"bytes": alexnet["bytes"]}, alexnet["bytes"], alexnet["bytes"])


def random_init_rows(out_dir: Path, sparsities: Sequence[float], bits_list: Sequence[int],
                     alexnet: int, name: str = "squeezenet1_0", num_classes: int = 1000,
                     seed: int = 0) -> List[Dict[str, Any]]:
    """Sizes of a randomly initialised model (no accuracy: there is nothing to be accurate on)."""
    paddle.seed(seed)
    model = build_model(name, num_classes=num_classes)
    label, fp32 = f"{name} {num_classes} classes (random init)", fp32_bytes(model)
    rows = [_row(label, "fp32", {"bytes": fp32}, alexnet, fp32)]
    model_cfg = {"name": name, "num_classes": num_classes}
    for sparsity in sparsities:
        pruned, _ = prune(state_of(model), sparsity)
        for bits in (32, *bits_list):
            path = out_dir / f"{name}_{num_classes}_s{round(sparsity * 100)}_{_bits_name(bits)}.sqz"
            result = save_compressed(path, pruned, model_cfg, bits)
            rows.append(_row(label, _step(sparsity, bits), result, alexnet, fp32, codecs=result["codecs"]))
    return rows


def trained_rows(run_path, out_dir: Path, sparsity: float, bits_list: Sequence[int], alexnet: int,
                 finetune_epochs: int = 0, finetune_lr: Optional[float] = None,
                 scope: str = "layer", rounds: int = 1) -> List[Dict[str, Any]]:
    """Sizes and test top-1/top-5 of a trained run at each step, from the decoded files."""
    run = Run.open(run_path)
    evaluate = RunEvaluator(run)
    label = f"{run.name} trained, {len(run.class_names)} classes ({run.path.name})"
    original, fp32 = state_of(run.model()), fp32_bytes(run.model())
    rows = [_row(label, "fp32", {"bytes": fp32}, alexnet, fp32, **evaluate(original))]
    pruned, finetune_run = pruned_run_state(run, sparsity, scope, finetune_epochs, out_dir, finetune_lr, rounds)
    if finetune_epochs and finetune_run is not None:
        no_ft, _ = prune(original, sparsity, scope)
        rows.append(_row(label, f"pruned {sparsity:.0%}, no fine-tuning", {"bytes": fp32, "sparsity": sparsity},
                         alexnet, fp32, note="float32 dense, for the accuracy only", **evaluate(no_ft)))
    for bits in (32, *bits_list):
        path = out_dir / f"model_s{round(sparsity * 100)}_{_bits_name(bits)}.sqz"
        result = save_compressed(path, pruned, run.cfg["model"], bits, finetune_epochs=finetune_epochs,
                                 prune_rounds=rounds)
        _, decoded = load_compressed(path)
        tuned = f"{rounds} x {finetune_epochs}" if rounds > 1 else f"{finetune_epochs}"
        step = _step(sparsity, bits) + (f" + {tuned} ep. fine-tuning" if finetune_epochs else "")
        rows.append(_row(label, step, result, alexnet, fp32, codecs=result["codecs"], **evaluate(decoded)))
    return rows


def _bits_name(bits: int) -> str:
    return "fp32" if bits == 32 else f"{bits}bit"


def _step(sparsity: float, bits: int) -> str:
    what = f"pruned {sparsity:.0%}" if sparsity else "not pruned"
    return f"{what}, float32 (sparse)" if bits == 32 else f"{what}, {bits}-bit k-means"

