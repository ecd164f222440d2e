"""ONNX export and every engine of the one Predictor: same top-1, logits within 1e-4 (int8:
top-1 agreeing on >= 90% of images, logits within 0.1 of fp32's) on real drawings and photos."""
import json

import numpy as np
import pytest

from conftest import BIRDS_SAMPLE, needs, run_tool
from deploy_runs import QD14, engine_outputs, quickdraw_test_batch, train_birds, train_quickdraw
from test_bad_input import one_line_error

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed (pip install 'paddle_sqz[onnx]')")
pytest.importorskip("onnxruntime")
pytest.importorskip("paddle2onnx")

FP32_ENGINES = ("inference", "onnxruntime")
INT8_TOP1_AGREEMENT = 0.9
INT8_LOGIT_TOLERANCE = 0.1


@pytest.fixture(scope="module")
def qd_run(tmp_path_factory):
    if not QD14.exists():
        pytest.skip(f"{QD14} not present")
    run = train_quickdraw(tmp_path_factory.mktemp("qd"))
    run_tool("export.py", "--run", run, "--format", "paddle", "onnx", "--int8", "--calib-images", "64")
    return run


@pytest.fixture(scope="module")
def birds_run(tmp_path_factory):
    if not BIRDS_SAMPLE.exists():
        pytest.skip(f"{BIRDS_SAMPLE} not present")
    run = train_birds(tmp_path_factory.mktemp("lists"), tmp_path_factory.mktemp("out"))
    run_tool("export.py", "--run", run, "--format", "paddle", "onnx", "--int8", "--calib-images", "16")
    return run


def assert_engines_agree(outputs):
    reference = outputs["dygraph"]
    assert reference.std() > 1e-3  # a trained model, not a constant one
    for engine in FP32_ENGINES:
        np.testing.assert_allclose(outputs[engine], reference, atol=1e-4, rtol=0, err_msg=engine)
        np.testing.assert_array_equal(outputs[engine].argmax(1), reference.argmax(1), err_msg=engine)
    int8 = outputs["onnxruntime-int8"]
    assert (int8.argmax(1) == reference.argmax(1)).mean() >= INT8_TOP1_AGREEMENT
    assert np.abs(int8 - reference).max() <= INT8_LOGIT_TOLERANCE
    assert not np.array_equal(int8, reference)  # really another (quantized) model


@pytest.mark.slow  # int8 calibration
def test_export_writes_onnx_with_a_free_batch_and_a_small_int8_file(qd_run):
    folder = qd_run / "export"
    info = json.loads((folder / "export.json").read_text())
    assert info["formats"]["onnx"] == {"file": "model.onnx", "opset": 13}
    assert info["formats"]["onnx_int8"]["calibration_images"] == 64
    assert info["formats"]["onnx_int8"]["calibration_split"] == "train"
    model = onnx.load(str(folder / "model.onnx"))
    assert model.opset_import[0].version == 13
    batch = model.graph.input[0].type.tensor_type.shape.dim[0]
    assert batch.dim_param and not batch.dim_value  # any batch size
    int8 = onnx.load(str(folder / "model_int8.onnx"))
    assert any(node.op_type == "DequantizeLinear" for node in int8.graph.node)
    assert (folder / "model_int8.onnx").stat().st_size <= 0.3 * (folder / "model.onnx").stat().st_size


def test_every_engine_agrees_on_quickdraw14_drawings(qd_run):
    from paddle_sqz.deploy.predictor import export_predictor
    x, _ = quickdraw_test_batch(qd_run)
    outputs = engine_outputs(qd_run, qd_run / "export", ("dygraph", *FP32_ENGINES, "onnxruntime-int8"), x)
    assert_engines_agree(outputs)
    for batch in (1, 3):  # the batch dimension is really free
        np.testing.assert_allclose(export_predictor(qd_run / "export", "onnxruntime")(x[:batch]),
                                   outputs["dygraph"][:batch], atol=1e-4, rtol=0)


@pytest.mark.slow  # a second trained run; quickdraw14 agreement stays in the default
def test_every_engine_agrees_on_the_bird_photos_with_the_exports_preprocessing(birds_run):
    from paddle_sqz.data.image import load_image
    from paddle_sqz.deploy.predictor import export_predictor
    from paddle_sqz.runs import Run
    photos = sorted(p for p in BIRDS_SAMPLE.rglob("*.jpg"))
    assert len(photos) == 20
    exported = export_predictor(birds_run / "export", "onnxruntime")
    x = np.stack([exported.transform(load_image(p), None) for p in photos])
    # the export's preprocessing is the run's evaluation transform, pixel for pixel
    run = Run(birds_run)
    np.testing.assert_array_equal(x, np.stack([run.transform(load_image(p), None) for p in photos]))
    assert exported.class_names == run.class_names
    assert_engines_agree(engine_outputs(birds_run, birds_run / "export",
                                        ("dygraph", *FP32_ENGINES, "onnxruntime-int8"), x))


@pytest.mark.slow  # tool runs; the engines' agreement stays in the default suite
def test_tools_eval_and_predict_on_onnxruntime(birds_run, tmp_path):
    from paddle_sqz.deploy.predictor import open_predictor
    from paddle_sqz.tasks.evaluate import evaluate_run
    from paddle_sqz.tasks.predict import image_paths, predict
    run_tool("eval.py", "--run", birds_run, "--engine", "onnxruntime", "--out", tmp_path / "ort")
    proc = run_tool("predict.py", "--run", birds_run, BIRDS_SAMPLE, "--topk", "1", "--engine", "onnxruntime-int8")
    summary = json.loads((tmp_path / "ort" / "eval.json").read_text())
    reference = evaluate_run(birds_run, out_dir=tmp_path / "dygraph")
    assert summary["engine"] == "onnxruntime" and summary["confusion"] == reference["confusion"]
    lines = [line.rsplit(" ", 1)[0] for line in proc.stdout.splitlines() if ": " in line]
    from paddle_sqz.runs import Run
    run = Run(birds_run)  # the tool prints display names (data.display_names) beside class names
    expected = [f"{path}: {run.label(top[0][0])}"
                for path, top in predict(open_predictor(run), image_paths([BIRDS_SAMPLE]), 1)]
    assert len(lines) == 20, proc.stdout
    assert np.mean([a == b for a, b in zip(lines, expected)]) >= INT8_TOP1_AGREEMENT, (lines[:2], expected[:2])


@pytest.mark.slow  # exports to every format
def test_a_compressed_sqz_file_exports_to_every_format(qd_run, tmp_path):
    sqz = tmp_path / "model.sqz"
    run_tool("compress.py", "--run", qd_run, "--sparsity", "0.5", "--bits", "4", "--out", sqz, "--no-eval")
    out = tmp_path / "export"
    run_tool("export.py", "--run", qd_run, "--weights", sqz, "--out", out, "--format", "paddle", "onnx", "lite",
             "--int8", "--calib-images", "32")
    assert json.loads((out / "export.json").read_text())["weights"] == str(sqz)
    assert (out / "lite" / "inference.pdmodel").is_file()
    x, _ = quickdraw_test_batch(qd_run, 64)
    decoded = engine_outputs(qd_run, out, ("dygraph", *FP32_ENGINES, "onnxruntime-int8"), x, str(sqz))
    original = engine_outputs(qd_run, out, ("dygraph",), x)["dygraph"]
    assert not np.allclose(decoded["dygraph"], original, atol=1e-3)  # the .sqz weights, not the run's
    assert_engines_agree(decoded)


@pytest.mark.slow  # tool runs
def test_opset_below_13_and_int8_without_onnx_are_refused(qd_run, tmp_path):
    proc = run_tool("export.py", "--run", qd_run, "--format", "onnx", "--opset", "11", "--out", tmp_path / "e",
                    check=False)
    one_line_error(proc, "--opset", "13")
    proc = run_tool("export.py", "--run", qd_run, "--format", "paddle", "--int8", "--out", tmp_path / "e",
                    check=False)
    one_line_error(proc, "--int8", "--format onnx")
    assert not (tmp_path / "e").exists()


def test_the_engine_names_tools_offer_are_the_predictors_engines():
    from paddle_sqz.deploy.engines import ENGINES
    from paddle_sqz.deploy.predictor import EXPORT_ENGINES
    assert list(ENGINES) == ["dygraph", *EXPORT_ENGINES]


def test_missing_onnx_extra_names_the_pip_command(monkeypatch):
    from paddle_sqz.deploy import onnx_export
    from paddle_sqz.errors import SqzError
    monkeypatch.setattr(onnx_export, "MISSING", "paddle2onnx")  # as when it is not installed
    with pytest.raises(SqzError, match=r"pip install 'paddle_sqz\[onnx\]'"):
        onnx_export.require_onnx()
