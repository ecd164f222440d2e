"""Weights and checkpoints as checksummed .safetensors: exact round trip, every fault refused by name, no pickle read."""
import json
import struct

import numpy as np
import paddle
import pytest

from paddle_sqz.errors import SqzError
from paddle_sqz.models import build_model
from paddle_sqz.train.checkpoint import (load_checkpoint, load_weights, read_weights, save_checkpoint,
                                         save_pdparams, save_weights)
from paddle_sqz.train.run_dir import RunDir
from paddle_sqz.train.safe_weights import load_safetensors


def _model(classes=4, seed=0):
    paddle.seed(seed)
    return build_model("squeezenet1_1", num_classes=classes)


def _header(path):
    (length,) = struct.unpack("<Q", path.read_bytes()[:8])
    return length, json.loads(path.read_bytes()[8:8 + length])


def test_loading_restores_the_model_exactly_and_writes_no_pickle(tmp_path):
    source, target = _model(seed=0), _model(seed=1)
    save_weights(tmp_path / "w.safetensors", source.state_dict())
    assert [p.name for p in tmp_path.iterdir()] == ["w.safetensors"]
    x = paddle.randn([2, 3, 64, 64])
    source.eval(), target.eval()
    assert not np.allclose(source(x).numpy(), target(x).numpy())
    load_weights(target, tmp_path / "w.safetensors")
    np.testing.assert_array_equal(source(x).numpy(), target(x).numpy())


def test_shape_mismatch_names_file_and_key(tmp_path):
    save_weights(tmp_path / "w.safetensors", _model(classes=4).state_dict())
    with pytest.raises(SqzError, match=r"w\.safetensors: classifier\.1\.weight has shape \[4, 512, 1, 1\].*num_classes"):
        load_weights(_model(classes=5), tmp_path / "w.safetensors")


def test_one_flipped_byte_anywhere_in_the_tensors_is_refused(tmp_path):
    path = tmp_path / "w.safetensors"
    save_weights(path, _model().state_dict())
    length, _ = _header(path)
    good = path.read_bytes()
    rng = np.random.default_rng(0)
    for offset in rng.integers(8 + length, len(good), size=20):
        bad = bytearray(good)
        bad[offset] ^= 0x10
        path.write_bytes(bytes(bad))
        with pytest.raises(SqzError, match=r"w\.safetensors: (checksum mismatch|tensor .* NaN)"):
            load_weights(_model(), path)


def test_an_edited_header_value_or_removed_checksum_is_refused(tmp_path):
    path = tmp_path / "c.safetensors"
    save_checkpoint(path, {"model": _model().state_dict(), "optimizer": {}, "epoch": 3, "best": {}, "seed": 0})
    data = path.read_bytes()
    edited = data.replace(b'\\"epoch\\": 3', b'\\"epoch\\": 9')
    assert edited != data
    path.write_bytes(edited)
    with pytest.raises(SqzError, match="c.safetensors: checksum mismatch"):
        load_checkpoint(path)
    path.write_bytes(data.replace(b'"sha256"', b'"sha257"'))
    with pytest.raises(SqzError, match="c.safetensors: checksum mismatch"):
        load_checkpoint(path)


def test_nan_and_inf_weights_are_refused_with_the_tensor_name(tmp_path):
    state = {k: v.numpy() for k, v in _model().state_dict().items()}
    key = sorted(state)[3]
    for bad in (np.nan, np.inf):
        state[key] = state[key].copy()
        state[key].flat[0] = bad
        save_weights(tmp_path / "w.safetensors", state)
        with pytest.raises(SqzError, match=f"w.safetensors: tensor '{key}' holds NaN or infinite"):
            load_weights(_model(), tmp_path / "w.safetensors")


def test_a_foreign_safetensors_file_and_a_renamed_pickle_are_refused(tmp_path):
    from safetensors.numpy import save_file
    save_file({"a": np.ones(2, np.float32)}, str(tmp_path / "foreign.safetensors"))
    with pytest.raises(SqzError, match="foreign.safetensors: not written by paddle_sqz"):
        load_safetensors(tmp_path / "foreign.safetensors")
    paddle.save({"a": paddle.ones([2])}, str(tmp_path / "evil.safetensors"))
    with pytest.raises(SqzError, match="evil.safetensors: not a readable .safetensors file"):
        load_safetensors(tmp_path / "evil.safetensors")
    with pytest.raises(SqzError, match="missing.safetensors: file not found"):
        load_safetensors(tmp_path / "missing.safetensors")


def test_checkpoint_round_trip_keeps_every_tensor_and_value(tmp_path):
    net = _model()
    optimizer = paddle.optimizer.Adam(parameters=net.parameters())
    net(paddle.randn([1, 3, 64, 64])).mean().backward()
    optimizer.step()
    state = {"model": net.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 2, "seed": 7,
             "best": {"eval_top1": 0.25, "epoch": 1}, "scaler": {"scale": np.array([32768.0], np.float32),
                                                                "incr_count": 3, "use_dynamic_loss_scaling": True}}
    save_checkpoint(tmp_path / "c.safetensors", state)
    back = load_checkpoint(tmp_path / "c.safetensors")
    assert (back["epoch"], back["seed"], back["best"]) == (2, 7, {"eval_top1": 0.25, "epoch": 1})
    assert back["scaler"]["incr_count"] == 3 and back["scaler"]["use_dynamic_loss_scaling"] is True
    np.testing.assert_array_equal(back["scaler"]["scale"], [32768.0])
    assert set(back["optimizer"]) == set(state["optimizer"]) and len(back["optimizer"]) > 0
    for key, value in state["optimizer"].items():
        np.testing.assert_array_equal(back["optimizer"][key], value.numpy(), err_msg=key)
    for key, value in state["model"].items():
        np.testing.assert_array_equal(back["model"][key], value.numpy(), err_msg=key)
    assert set(read_weights(tmp_path / "c.safetensors")) == set(state["model"])
    with pytest.raises(SqzError, match="a weights file, not a checkpoint"):
        save_weights(tmp_path / "w.safetensors", net.state_dict())
        load_checkpoint(tmp_path / "w.safetensors")


def test_a_pickle_is_read_only_when_allowed(tmp_path):
    net = _model()
    save_pdparams(tmp_path / "w.pdparams", net.state_dict())
    with pytest.raises(SqzError, match=r"w\.pdparams is a Python pickle: loading it runs any code.*--allow-pickle"):
        load_weights(_model(seed=1), tmp_path / "w.pdparams")
    target = _model(seed=1)
    load_weights(target, tmp_path / "w.pdparams", allow_pickle=True)
    for key, value in net.state_dict().items():
        np.testing.assert_array_equal(target.state_dict()[key].numpy(), value.numpy())


def test_run_folder_reads_only_safe_files_unless_told(tmp_path):
    (tmp_path / "config.yaml").write_text("seed: 0\n")
    run = RunDir.open(tmp_path)
    assert run.best.name == "best_model.safetensors" and run.checkpoint.suffix == ".safetensors"
    paddle.save(_model().state_dict(), str(tmp_path / "best_model.pdparams"))
    with pytest.raises(SqzError, match="best_model.safetensors: no best weights"):
        run.weights("best")  # a pickle beside it is never a fallback
    with pytest.raises(SqzError, match="--weights: .*best_model.pdparams is a Python pickle.*--allow-pickle"):
        run.weights(str(tmp_path / "best_model.pdparams"))
    assert run.weights(str(tmp_path / "best_model.pdparams"), allow_pickle=True).is_file()
