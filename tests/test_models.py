"""Every registered model builds, runs forward and backward; SqueezeNet matches the paper."""
import math

import numpy as np
import paddle
import paddle.nn.functional as F
import pytest

from paddle_sqz.errors import SqzError
from paddle_sqz.models import ModelArg, build_model, list_models, model_args, model_info, register_model
from paddle_sqz.models.squeezenet import Fire


def n_params(model) -> int:
    return sum(int(np.prod(p.shape)) for p in model.parameters())


@pytest.mark.parametrize("name,classes,expected", [
    ("squeezenet1_0", 1000, 1_248_424), ("squeezenet1_1", 1000, 1_235_496),
    ("squeezenet1_0", 4, 737_476), ("squeezenet1_1", 4, 724_548)])
def test_squeezenet_parameter_counts_match_the_paper(name, classes, expected):
    assert n_params(build_model(name, num_classes=classes)) == expected
    assert n_params(build_model(name, num_classes=classes, bypass="simple")) == expected


def test_v10_per_layer_parameters_match_the_paper():
    model = build_model("squeezenet1_0", num_classes=1000)
    fires = [layer for layer in model.features if isinstance(layer, Fire)]
    assert n_params(model.features[0]) == 14_208
    assert [n_params(f) for f in fires] == [11_920, 12_432, 45_344, 49_440, 104_880, 111_024, 188_992, 197_184]
    assert n_params(model.final_conv) == 513_000
    assert not any(key.startswith("final_conv") for key in model.state_dict())  # saved once only


def test_complex_bypass_adds_1x1_convs_where_channels_differ():
    model = build_model("squeezenet1_0", num_classes=4, bypass="complex")
    shortcuts = [f.shortcut for f in model.features if isinstance(f, Fire)]
    assert shortcuts == ["conv", "identity"] * 4
    extra = 96 * 128 + 128 + 128 * 256 + 256 + 256 * 384 + 384 + 384 * 512 + 512
    assert n_params(model) == 737_476 + extra
    assert model(paddle.randn([1, 3, 64, 64])).shape == [1, 4]


def test_simple_bypass_output_is_fire_plus_input():
    paddle.seed(1)
    plain = Fire(128, 16, 64, 64)
    bypassed = Fire(128, 16, 64, 64, shortcut="identity")
    bypassed.set_state_dict(plain.state_dict())
    x = paddle.randn([2, 128, 9, 9])
    np.testing.assert_allclose(bypassed(x).numpy(), (plain(x) + x).numpy(), rtol=1e-6, atol=1e-6)


def test_simple_bypass_wires_fire3_5_7_9():
    model = build_model("squeezenet1_1", num_classes=4, bypass="simple")
    assert [f.shortcut for f in model.features if isinstance(f, Fire)] == ["none", "identity"] * 4


@pytest.mark.parametrize("name", list_models())
def test_every_registered_model_runs_forward_and_backward(name):
    """At the input size and channels its registry entry declares: a new model is tested by registering it."""
    info = model_info(name)
    model = build_model(name, num_classes=5, in_channels=info.in_channels)
    x = paddle.randn([2, info.in_channels, info.input_size, info.input_size])
    out = model(x)
    assert out.shape == [2, 5]
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters() if not p.stop_gradient)


def test_unknown_model_and_options_are_named():
    with pytest.raises(SqzError, match="unknown model 'squeezenet2'.*squeezenet1_0"):
        build_model("squeezenet2")
    with pytest.raises(SqzError, match="model.bypass"):
        build_model("squeezenet1_0", bypass="diagonal")


def test_initialisation_starts_at_ln_c_and_leaves_it():
    """A small final conv (std 0.01) starts the loss at about ln(C); training then moves it down."""
    paddle.seed(0)
    model = build_model("squeezenet1_1", num_classes=4, dropout=0.0)
    assert abs(float(model.final_conv.weight.std()) - 0.01) < 0.002
    rng = np.random.default_rng(0)
    labels = np.array([0, 1, 2, 3] * 4)
    images = rng.normal(0, 1, (16, 3, 48, 48)).astype("float32")
    for i, c in enumerate(labels):  # a learnable signal: the class shifts one colour channel
        images[i, c % 3] += 1.0 if c < 3 else -1.0
    x, y = paddle.to_tensor(images), paddle.to_tensor(labels)
    opt = paddle.optimizer.Adam(learning_rate=1e-4, parameters=model.parameters())
    losses = []
    for _ in range(40):
        loss = F.cross_entropy(model(x), y)
        losses.append(float(loss))
        loss.backward()
        opt.step()
        opt.clear_grad()
    assert abs(losses[0] - math.log(4)) < 0.2
    assert losses[-1] < 0.75 * math.log(4)


def _start_of_training(bypass: str, seed: int):
    """(RMS of the features before conv10, loss) of a fresh quickdraw-sized SqueezeNet on sparse strokes."""
    rng = np.random.default_rng(seed)
    x = paddle.to_tensor((rng.random((32, 1, 64, 64)) < 0.1).astype("float32"))
    y = paddle.to_tensor(rng.integers(0, 14, 32))
    paddle.seed(seed)
    model = build_model("squeezenet_meta", num_classes=14, in_channels=1, layout="1_1", bypass=bypass, dropout=0.0)
    features = model.features(x)
    return float((features ** 2).mean().sqrt()), float(F.cross_entropy(model(x), y))


def test_bypass_variants_start_like_the_vanilla_network():
    """No batch norm: un-scaled shortcuts blew the features up 9x (simple) / 70x (complex) and the
    complex variant's first loss to 4-16 instead of ln(14); the bypass-aware initialisation keeps
    every variant's first loss at ln(C) and its features within 5x the vanilla ones."""
    for seed in (0, 1):
        vanilla_rms, vanilla_loss = _start_of_training("none", seed)
        assert abs(vanilla_loss - math.log(14)) < 0.05
        for bypass in ("simple", "complex"):
            rms, loss = _start_of_training(bypass, seed)
            assert abs(loss - math.log(14)) < 0.15, (bypass, seed, loss)
            assert rms < 5.0 * vanilla_rms, (bypass, seed, rms, vanilla_rms)


def test_no_class_starts_dead_behind_the_final_relu():
    """With conv10's bias at 0 some classes' conv10 outputs start negative on every image (0 to 5 of
    14 on quickdraw14): dead behind the ReLU. The positive initial bias keeps every class alive."""
    rng = np.random.default_rng(0)
    x = paddle.to_tensor((rng.random((64, 1, 64, 64)) < 0.1).astype("float32"))
    for bypass in ("none", "simple", "complex"):
        for seed in range(4):
            paddle.seed(seed)
            model = build_model("squeezenet_meta", num_classes=14, in_channels=1, layout="1_1", bypass=bypass)
            model.eval()
            assert float(model.final_conv.bias.min()) > 0
            logits = model(x).numpy()
            assert (logits > 0).any(axis=0).all(), (bypass, seed, np.flatnonzero(~(logits > 0).any(axis=0)))


def test_registry_declarations_match_the_builders_and_feed_the_config():
    from paddle_sqz.config.schema import SCHEMA
    for name in list_models():
        info = model_info(name)
        assert {"num_classes", "in_channels"} <= set(info.args) and info.summary
        assert all(f"model.{arg}" in SCHEMA for arg in info.args)
    assert SCHEMA["model.sr"].default == model_args()["sr"].default == 0.125
    with pytest.raises(ValueError, match="differ from the declared"):
        @register_model(family="test", input_size=8, in_channels=1, args={"width": ModelArg("int", 1, "w")})
        def undeclared_argument(num_classes=2, in_channels=1, depth=3):
            """Declares width but takes depth."""
