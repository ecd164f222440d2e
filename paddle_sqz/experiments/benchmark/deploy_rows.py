"""The deployment section of tools/benchmark.py: every CPU inference engine side by side.

Paddle dygraph, Paddle Inference, ONNX Runtime fp32 and int8 (``[onnx]`` extra) and, when
torch is installed, torchvision's SqueezeNet in PyTorch eager mode (channels-last); file
sizes; ratios of the fastest engine to Paddle Inference and PyTorch; the issue's targets.
"""
import importlib.util
import os
from typing import Any, Dict, List, Tuple


ENGINE_NAMES = {"dygraph": "Paddle dygraph (no_grad)", "inference": "Paddle Inference (oneDNN)",
                "onnxruntime": "ONNX Runtime fp32", "onnxruntime-int8": "ONNX Runtime int8 (static, QDQ)",
                "torch": "PyTorch eager, channels-last (torchvision)"}


def torch_available() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("torch", "torchvision"))


def deploy_section(run_worker, common: Dict[str, Any], model: str,
                   dygraph: Dict[str, Any]) -> Tuple[List[Dict[str, Any]], Dict[str, float], Dict[str, bool], Dict]:
    """(rows, ratios, targets, extra report fields); ``dygraph`` is the inference worker's result.

    Ratios are at the benchmark's batch size (speed) and batch 1 (latency); which engine was
    fastest is in the extra fields (``fastest_engine``, ``lowest_latency_engine``)."""
    batch = common["batch"]
    results = {f"dygraph_b{b}": dygraph[f"dygraph_b{b}"] for b in (batch, 1)}
    engines = run_worker("deploy_engines", {**common, "model": model}, package=True)
    results.update({k: v for k, v in engines.items() if k.endswith(("_b1", f"_b{batch}"))})
    extra: Dict[str, Any] = {"file_bytes": engines["files"]}
    if "skipped_onnx" in engines:
        extra["skipped_onnx"] = engines["skipped_onnx"]
    if torch_available():
        torch_result = run_worker("torch_eager", {**common, "model": model, "threads": os.cpu_count() or 1},
                                  package=False)
        extra["torch"] = torch_result["torch"]
        results.update({k: v for k, v in torch_result.items() if k.startswith("torch_b")})
    else:
        extra["skipped_torch"] = "torch/torchvision not installed: PyTorch rows skipped"
    rows = []
    for b in (batch, 1):
        for engine, name in ENGINE_NAMES.items():
            r = results.get(f"{engine}_b{b}")
            if r is not None:
                rows.append({"section": "deploy engine", "name": f"{name}, batch {b}" + (" (latency)" if b == 1 else ""),
                             "images_per_s": r["images_per_s"], "ms_per_batch": r["ms_per_batch"],
                             "peak_rss_mb": r["peak_rss_mb"], "engine": engine, "batch": b})
    package_engines = [e for e in ("dygraph", "inference", "onnxruntime", "onnxruntime-int8") if f"{e}_b{batch}" in results]
    fastest = max(package_engines, key=lambda e: results[f"{e}_b{batch}"]["images_per_s"])
    lowest = min(package_engines, key=lambda e: results[f"{e}_b1"]["ms_per_batch"])
    speed = lambda e: results[f"{e}_b{batch}"]["images_per_s"]  # noqa: E731
    latency = lambda e: results[f"{e}_b1"]["ms_per_batch"]  # noqa: E731
    extra.update({"fastest_engine": fastest, "lowest_latency_engine": lowest})
    ratios = {"fastest_engine_vs_paddle_inference": speed(fastest) / speed("inference"),
              "lowest_latency_vs_paddle_inference_batch1": latency("inference") / latency(lowest)}
    targets = {"fastest_engine_at_least_2x_paddle_inference": speed(fastest) >= 2 * speed("inference"),
               "lowest_batch1_latency_below_paddle_inference": latency(lowest) < latency("inference")}
    if "onnxruntime-int8" in package_engines:
        ratios["onnxruntime_int8_vs_fp32"] = speed("onnxruntime-int8") / speed("onnxruntime")
        ratios["onnxruntime_int8_file_vs_fp32"] = (engines["files"]["onnxruntime-int8"]
                                                   / engines["files"]["onnxruntime"])
        targets["int8_at_least_1.5x_ort_fp32"] = ratios["onnxruntime_int8_vs_fp32"] >= 1.5
        targets["int8_file_at_most_0.3x_fp32"] = ratios["onnxruntime_int8_file_vs_fp32"] <= 0.3
    if "torch_b1" in results:
        ratios["fastest_engine_vs_pytorch_eager"] = speed(fastest) / speed("torch")
        ratios["lowest_latency_vs_pytorch_eager_batch1"] = latency("torch") / latency(lowest)
        targets["fastest_engine_at_least_2x_pytorch_eager"] = speed(fastest) >= 2 * speed("torch")
        targets["lowest_batch1_latency_below_pytorch_eager"] = latency(lowest) < latency("torch")
    return rows, ratios, targets, extra
