"""tools/benchmark.py end to end in quick mode: every section measured, JSON complete (speeds not asserted)."""
import importlib.util
import json

import pytest

from conftest import run_tool


@pytest.mark.slow
def test_quick_benchmark_writes_every_measurement(tiny_demo, tmp_path):
    out = tmp_path / "bench.json"
    proc = run_tool("benchmark.py", "--quick", "--list", tiny_demo / "train.txt", "--json", out, cwd=tmp_path,
                    timeout=120)
    report = json.loads(out.read_text())
    sections = [row["section"] for row in report["rows"]]
    onnx = importlib.util.find_spec("onnxruntime") is not None and importlib.util.find_spec("paddle2onnx") is not None
    torch = importlib.util.find_spec("torch") is not None and importlib.util.find_spec("torchvision") is not None
    deploy_rows = 2 * (2 + 2 * onnx + torch)  # dygraph, Paddle Inference, ORT fp32 + int8, PyTorch; 2 batch sizes
    for section, count in (("train step", 2), ("train.py epoch", 2), ("tutorial loop", 4), ("eval engine", 6),
                           ("deploy engine", deploy_rows)):
        assert sections.count(section) == count, sections
    for row in report["rows"]:
        assert row["images_per_s"] > 0 and row["ms_per_batch"] > 0 and row["peak_rss_mb"] > 50, row
    assert set(report["ratios"]) == {
        "train_step_squeezenet1_1_package_vs_vision", "train_py_epoch_vs_raw_step", "train_py_epoch_vs_tutorial_loop",
        "package_eval_vs_tutorial_eval", "inference_vs_dygraph_eval", "inference_vs_plain_dygraph_eval",
        "inference_vs_dygraph_batch1_latency", "fastest_engine_vs_paddle_inference",
        "lowest_latency_vs_paddle_inference_batch1",
        *(["onnxruntime_int8_vs_fp32", "onnxruntime_int8_file_vs_fp32"] if onnx else []),
        *(["fastest_engine_vs_pytorch_eager", "lowest_latency_vs_pytorch_eager_batch1"] if torch else [])}
    assert all(isinstance(v, bool) for v in report["targets"].values())
    assert len(report["targets"]) == 4 + 2 + 2 * onnx + 2 * torch
    assert ("skipped_torch" in report["deploy"]) == (not torch)
    if onnx:
        assert report["deploy"]["file_bytes"]["onnxruntime-int8"] < report["deploy"]["file_bytes"]["onnxruntime"]
    listed = len((tiny_demo / "train.txt").read_text().splitlines())
    assert 0 < report["settings"]["train_images"] < listed  # the list less its validation share
    # the baseline really ran without the package's settings, the package with them
    assert "malloc" not in report["machine"]["runtime_plain"] and "MKL_DEBUG" not in report["machine"]["runtime_plain"]
    assert "malloc=keep-freed" in report["machine"]["runtime_package"]
    assert "| train step | paddle.vision squeezenet1_1, plain process |" in proc.stdout
    assert not (tmp_path / "datasets").exists()  # --list given: no demo data generated


def test_missing_list_is_one_line_error(tmp_path):
    proc = run_tool("benchmark.py", "--quick", "--list", tmp_path / "train.txt", check=False)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert proc.returncode == 2 and len(errors) == 1 and "train.txt not found" in errors[0]
