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
from ...deploy.predictor import PaddleInferenceBackend  # noqa: E402
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


KINDS: Dict[str, Callable[[Dict[str, Any]], Dict[str, Any]]] = {
    "train_step": train_step, "pipeline": pipeline, "tutorial": tutorial, "inference": inference}


def main(argv) -> None:
    kind, args = argv[0], json.loads(argv[1])
    result = KINDS[kind](args)
    result["runtime"] = runtime.describe()
    print(MARK + json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
