"""One measurement per process: ``python -m paddle_sqz.experiments.benchmark.workers KIND JSON_ARGS``.

Each kind runs in its own process so that settings applied before Paddle loads (the
package's, or none for the plain baselines) and peak memory belong to that measurement
alone. The result is printed as one ``BENCH_RESULT {json}`` line.
"""
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict

from ... import runtime

runtime.configure()  # before Paddle loads; a no-op for the plain baselines (PADDLE_SQZ_NO_TUNING=1)

import numpy as np  # noqa: E402
import paddle  # noqa: E402
import paddle.nn.functional as F  # noqa: E402

from ...config import load_config  # noqa: E402
from ...deploy import onnx_export  # noqa: E402
from ...deploy.predictor import OnnxRuntimeBackend, PaddleInferenceBackend  # noqa: E402
from ...errors import SqzError  # noqa: E402
from ...models import build_model  # noqa: E402
from ...models.fast_bias import use_fast_cpu_forward  # noqa: E402
from ...timing import peak_rss_mb, time_repeats  # noqa: E402
from ...train.evaluate import evaluate  # noqa: E402
from ...train.trainer import Trainer  # noqa: E402
from .runner import MARK  # noqa: E402
from .tutorial_loop import run as tutorial_run  # noqa: E402


def _package_model(name: str, classes: int, fast_bias: bool):
    model = build_model(name, num_classes=classes)
    if fast_bias:
        use_fast_cpu_forward(model)  # what the trainer applies on the CPU
    return model


def _vision_model(name: str, classes: int):
    return getattr(paddle.vision.models, name)(num_classes=classes)


def train_step(a: Dict[str, Any]) -> Dict[str, Any]:
    """Training steps on one fixed random batch: the model and optimizer alone, no data loading."""
    paddle.seed(0)
    model = (_vision_model(a["model"], a["classes"]) if a["source"] == "vision"
             else _package_model(a["model"], a["classes"], fast_bias=True))
    optimizer = paddle.optimizer.Adam(learning_rate=1e-4, parameters=model.parameters())
    x = paddle.randn([a["batch"], 3, a["size"], a["size"]])
    y = paddle.randint(0, a["classes"], [a["batch"]])

    def step():
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        optimizer.clear_grad()
        float(loss)
    return time_repeats(step, a["steps"], a["batch"], a["warmup"], a["repeats"])


def pipeline(a: Dict[str, Any]) -> Dict[str, Any]:
    """The package's trainer (tools/train.py's code) on list files; epoch 1 is warm-up."""
    with tempfile.TemporaryDirectory() as out:
        cfg = load_config(a["config"], a["overrides"] + [f"output.dir={out}", "output.visualdl=false"])
        trainer = Trainer(cfg)
        trainer.fit()
        eval_s = []
        for _ in range(2):
            start = time.perf_counter()
            evaluate(trainer.net, trainer.test_loader)
            eval_s.append(time.perf_counter() - start)
    return {"train_s": [r["epoch_seconds"] for r in trainer.history], "eval_s": eval_s,
            "train_images": len(trainer.train_set), "eval_images": len(trainer.test_set),
            "peak_rss_mb": peak_rss_mb()}


def tutorial(a: Dict[str, Any]) -> Dict[str, Any]:
    """The tutorial-style loop (see tutorial_loop.py) with the plain model formulation."""
    paddle.seed(0)
    model = _package_model(a["model"], a["classes"], fast_bias=False)
    return tutorial_run(model, a["train_list"], a["test_list"], a["pad_size"], a["size"], a["batch"], a["epochs"])


def inference(a: Dict[str, Any]) -> Dict[str, Any]:
    """Evaluation forward passes: dygraph (eval mode, no_grad) and, with ``engines="both"``, the exported model."""
    paddle.seed(0)
    model = _package_model(a["model"], a["classes"], fast_bias=False)
    model.eval()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        spec = paddle.static.InputSpec([None, 3, a["size"], a["size"]], "float32", "image")
        paddle.jit.save(model, str(Path(folder) / "inference"), input_spec=[spec])
        predictor = PaddleInferenceBackend(folder, "auto") if a["engines"] == "both" else None
        for batch in (a["batch"], 1):
            x = np.random.default_rng(0).standard_normal((batch, 3, a["size"], a["size"])).astype(np.float32)
            tensor = paddle.to_tensor(x)

            def dygraph():
                with paddle.no_grad():
                    model(tensor).numpy()
            steps = a["steps"] if batch > 1 else a["steps"] * 4
            results[f"dygraph_b{batch}"] = time_repeats(dygraph, steps, batch, a["warmup"], a["repeats"])
            if predictor is not None:
                results[f"inference_b{batch}"] = time_repeats(lambda: predictor(x), steps, batch, a["warmup"],
                                                              a["repeats"])
    return results


def deploy_engines(a: Dict[str, Any]) -> Dict[str, Any]:
    """Paddle Inference, ONNX Runtime fp32 and ONNX Runtime int8 on one exported model, batch and batch 1.

    Random weights and inputs: speed and file size only (accuracy: tools/export.py --int8 on a
    trained run, then tools/eval.py --engine onnxruntime-int8). int8 is calibrated on random
    batches here. Engines whose extra is missing are left out of the result.
    """
    paddle.seed(0)
    model = _package_model(a["model"], a["classes"], fast_bias=False)
    model.eval()
    rng = np.random.default_rng(0)
    results: Dict[str, Any] = {"files": {}}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = paddle.static.InputSpec([None, 3, a["size"], a["size"]], "float32", "image")
        paddle.jit.save(model, str(folder / "inference"), input_spec=[spec])
        engines = {"inference": PaddleInferenceBackend(folder, "cpu")}
        results["files"]["inference"] = (folder / "inference.pdiparams").stat().st_size
        try:
            onnx_export.require_onnx()
        except SqzError as exc:
            results["skipped_onnx"] = str(exc)
        else:
            fp32 = onnx_export.paddle_to_onnx(folder / "inference.json", folder / "inference.pdiparams",
                                              folder / onnx_export.ONNX_FILE)
            int8 = folder / onnx_export.ONNX_INT8_FILE
            onnx_export.quantize_onnx(fp32, int8, (rng.standard_normal((8, 3, a["size"], a["size"]), np.float32)
                                                   for _ in range(4)))
            engines["onnxruntime"] = OnnxRuntimeBackend(fp32)
            engines["onnxruntime-int8"] = OnnxRuntimeBackend(int8)
            results["files"].update({"onnxruntime": fp32.stat().st_size, "onnxruntime-int8": int8.stat().st_size})
        for batch in (a["batch"], 1):
            x = rng.standard_normal((batch, 3, a["size"], a["size"])).astype(np.float32)
            steps = a["steps"] * 4 if batch > 1 else a["steps"] * 16
            for name, run in engines.items():
                results[f"{name}_b{batch}"] = time_repeats(lambda: run(x), steps, batch, a["warmup"], a["repeats"])
    return results


def torch_eager(a: Dict[str, Any]) -> Dict[str, Any]:
    """torchvision's SqueezeNet in PyTorch eager mode (channels-last, no_grad), batch and batch 1."""
    import torch  # optional: the PyTorch rows run only when torch is installed
    import torchvision
    torch.manual_seed(0)
    torch.set_num_threads(a["threads"])
    model = getattr(torchvision.models, a["model"])(num_classes=a["classes"]).eval()
    model = model.to(memory_format=torch.channels_last)
    results = {"torch": torch.__version__}
    for batch in (a["batch"], 1):
        x = torch.randn(batch, 3, a["size"], a["size"]).to(memory_format=torch.channels_last)

        def forward():
            with torch.no_grad():
                model(x).numpy()
        steps = a["steps"] * 4 if batch > 1 else a["steps"] * 16
        results[f"torch_b{batch}"] = time_repeats(forward, steps, batch, a["warmup"], a["repeats"])
    return results


KINDS: Dict[str, Callable[[Dict[str, Any]], Dict[str, Any]]] = {
    "train_step": train_step, "pipeline": pipeline, "tutorial": tutorial, "inference": inference,
    "deploy_engines": deploy_engines, "torch_eager": torch_eager}


def main(argv) -> None:
    kind, args = argv[0], json.loads(argv[1])
    result = KINDS[kind](args)
    result["runtime"] = runtime.describe()
    print(MARK + json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
