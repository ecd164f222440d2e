"""Weights as .safetensors: written beside .pdparams, preferred when loading, checked by name."""
import numpy as np
import paddle
import pytest

from paddle_sqz.train.checkpoint import load_weights, save_weights
from paddle_sqz.train.run_dir import RunDir
from paddle_sqz.train.safe_weights import load_safetensors
from paddle_sqz.errors import SqzError
from paddle_sqz.models import build_model


def _model(classes=4, seed=0):
    paddle.seed(seed)
    return build_model("squeezenet1_1", num_classes=classes)


def test_both_files_written_atomically_and_hold_the_same_weights(tmp_path):
    model = _model()
    save_weights(tmp_path / "best_model.pdparams", model.state_dict())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best_model.pdparams", "best_model.safetensors"]
    arrays = load_safetensors(tmp_path / "best_model.safetensors")
    pickled = paddle.load(str(tmp_path / "best_model.pdparams"))
    assert list(arrays) and set(arrays) == set(pickled)
    for key, value in pickled.items():
        np.testing.assert_array_equal(arrays[key], value.numpy())


def test_loading_safetensors_restores_the_model_exactly(tmp_path):
    source, target = _model(seed=0), _model(seed=1)
    save_weights(tmp_path / "w.pdparams", source.state_dict())
    x = paddle.randn([2, 3, 64, 64])
    source.eval(), target.eval()
    assert not np.allclose(source(x).numpy(), target(x).numpy())
    load_weights(target, tmp_path / "w.safetensors")
    np.testing.assert_array_equal(source(x).numpy(), target(x).numpy())


def test_shape_mismatch_names_file_and_key(tmp_path):
    save_weights(tmp_path / "w.pdparams", _model(classes=4).state_dict())
    with pytest.raises(SqzError, match=r"w\.safetensors: classifier\.1\.weight has shape \[4, 512, 1, 1\].*num_classes"):
        load_weights(_model(classes=5), tmp_path / "w.safetensors")


def test_a_pickle_renamed_to_safetensors_is_refused_by_name(tmp_path):
    fake = tmp_path / "evil.safetensors"
    paddle.save({"a": paddle.ones([2])}, str(fake))
    with pytest.raises(SqzError, match="evil.safetensors: not a readable .safetensors file"):
        load_safetensors(fake)
    with pytest.raises(SqzError, match="missing.safetensors: file not found"):
        load_safetensors(tmp_path / "missing.safetensors")


def test_run_folder_prefers_safetensors_and_falls_back_to_pdparams(tmp_path):
    (tmp_path / "config.yaml").write_text("seed: 0\n")
    run = RunDir.open(tmp_path)
    save_weights(run.best, _model().state_dict())
    assert run.weights("best") == run.best_safe
    run.best_safe.unlink()
    assert run.weights("best") == run.best  # a run saved before safetensors support
