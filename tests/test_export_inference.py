"""Export to Paddle Inference, and eval / predict through it: same predictions as dygraph."""
import json
import os

import numpy as np
import pytest

from conftest import BIRDS_SAMPLE, needs, run_folder_from, run_tool
from test_bad_input import one_line_error

pytestmark = needs(BIRDS_SAMPLE)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """One epoch on the 20 real sample photos (split 16 / 4), full-resolution letterbox at 64 px."""
    lists = tmp_path_factory.mktemp("lists")
    run_tool("split_dataset.py", "--root", BIRDS_SAMPLE, "--out", lists)
    text = (lists / "train.txt").read_text() + (lists / "test.txt").read_text()
    (lists / "all.txt").write_text(text)
    out = tmp_path_factory.mktemp("out")
    proc = run_tool("train.py", "--cfg", "birds_fullres", "-o", f"data.train_list={lists / 'train.txt'}",
                    f"data.test_list={lists / 'test.txt'}", f"data.labels={lists / 'labels.txt'}",
                    "data.pad_size=64", "data.image_size=64", "train.epochs=1", "train.batch_size=8",
                    "train.lr=1e-3", f"output.dir={out}")
    return run_folder_from(proc.stdout), lists / "all.txt"


def test_run_log_reports_the_runtime_settings(run_dir):
    log = (run_dir[0] / "train.log").read_text()
    assert "runtime:" in log and "malloc=keep-freed" in log


def test_export_writes_a_self_contained_folder(run_dir):
    run, _ = run_dir
    proc = run_tool("export.py", "--run", run, "--format", "paddle")
    folder = run / "export"
    assert sorted(p.name for p in folder.iterdir()) == ["export.json", "inference.json", "inference.pdiparams",
                                                       "labels.txt", "model.pdparams"]
    info = json.loads((folder / "export.json").read_text())
    assert info["input"]["shape"] == [None, 3, 64, 64]
    assert info["preprocess"]["pad_size"] == 64 and info["preprocess"]["image_size"] == 64
    assert info["weights"].endswith("best_model.safetensors")
    assert (folder / "labels.txt").read_text() == (run / "labels.txt").read_text()
    assert str(folder) in proc.stdout


def test_both_engines_give_the_same_predictions_on_the_sample(run_dir):
    from paddle_sqz.deploy.predictor import open_predictor
    from paddle_sqz.runs import Run
    from paddle_sqz.train.evaluate import evaluate
    run, all_list = run_dir
    run = Run(run)
    dataset, _ = run.source.eval_set(list_file=all_list)
    results = {}
    for engine in ("dygraph", "inference"):
        loader, _ = run.source.loader(dataset, 8, train=False)
        results[engine] = evaluate(open_predictor(run, engine=engine), loader)
    dy, inf = results["dygraph"], results["inference"]
    assert len(dy["labels"]) == 20
    np.testing.assert_array_equal(dy["preds"], inf["preds"])
    np.testing.assert_allclose(dy["probs"], inf["probs"], rtol=1e-4, atol=1e-5)
    assert dy["probs"].std() > 1e-3  # a trained, not a constant, model
    assert abs(dy["loss"] - inf["loss"]) < 1e-4


@pytest.mark.slow  # four tool runs; the engines' agreement stays in the default suite
def test_tools_eval_and_predict_through_the_inference_engine(run_dir, tmp_path):
    run, all_list = run_dir
    outputs = {}
    for engine in ("dygraph", "inference"):
        run_tool("eval.py", "--run", run, "--list", all_list, "--engine", engine, "--out", tmp_path / engine)
        proc = run_tool("predict.py", "--run", run, BIRDS_SAMPLE, "--topk", "1", "--engine", engine)
        outputs[engine] = [line.rsplit(" ", 1)[0] for line in proc.stdout.splitlines() if ": " in line]
    summaries = {e: json.loads((tmp_path / e / "eval.json").read_text()) for e in outputs}
    assert summaries["inference"]["engine"] == "inference"
    assert summaries["dygraph"]["confusion"] == summaries["inference"]["confusion"]
    assert len(outputs["dygraph"]) == 20 and outputs["dygraph"] == outputs["inference"]


def test_stale_export_is_made_again(run_dir):
    from paddle_sqz.deploy.export import ensure_export, read_export
    run, _ = run_dir
    folder = ensure_export(run)
    before = read_export(folder)["weights_mtime_ns"]
    weights = run / "best_model.safetensors"
    os.utime(weights, ns=(before + 10**9, before + 10**9))  # as if training went on
    assert read_export(ensure_export(run))["weights_mtime_ns"] == before + 10**9


def test_export_refuses_a_foreign_out_folder(run_dir, tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    proc = run_tool("export.py", "--run", run_dir[0], "--out", tmp_path, check=False)
    one_line_error(proc, str(tmp_path), "not an exported model folder")
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_cpu_config_uses_onednn_and_gpu_request_fails_cleanly(run_dir):
    import paddle
    from paddle_sqz.deploy.export import ensure_export
    from paddle_sqz.deploy.predictor import PaddleInferenceBackend
    from paddle_sqz.errors import SqzError
    folder = ensure_export(run_dir[0])
    config = PaddleInferenceBackend(folder, "cpu", threads=2).config
    assert config.mkldnn_enabled() and not config.use_gpu() and config.cpu_math_library_num_threads() == 2
    if not paddle.is_compiled_with_cuda():
        with pytest.raises(SqzError, match="--device: 'gpu' asked for"):
            PaddleInferenceBackend(folder, "gpu")
        assert not PaddleInferenceBackend(folder, "auto").config.use_gpu()
