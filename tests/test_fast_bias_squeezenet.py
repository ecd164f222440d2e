"""The tiled conv bias on SqueezeNet (1x1, padded 3x3, strided 7x7 / 3x3 convs): same outputs and gradients."""
import numpy as np
import paddle
import paddle.nn as nn
import paddle.nn.functional as F
import pytest

from paddle_sqz.models.fast_bias import use_fast_conv_bias, use_fast_cpu_forward, use_pooled_stem
from paddle_sqz.models import build_model


@pytest.mark.parametrize("stem", [False, True], ids=["fast_bias", "fast_bias+pooled_stem"])
@pytest.mark.parametrize("name,bypass,convs", [("squeezenet1_1", "none", 26), ("squeezenet1_0", "complex", 30)])
def test_squeezenet_with_fast_bias_matches_the_reference(name, bypass, convs, stem):
    paddle.seed(5)
    plain = build_model(name, num_classes=4, bypass=bypass)
    paddle.seed(5)
    fast = build_model(name, num_classes=4, bypass=bypass)
    padded = [layer for layer in fast.sublayers() if isinstance(layer, nn.Conv2D) and layer._padding == 1]
    assert len(padded) == 8  # every Fire's expand 3x3
    if stem:
        assert use_fast_cpu_forward(fast) == convs and not use_pooled_stem(fast)  # once only
    else:
        assert use_fast_conv_bias(fast) == convs
    for layer in fast.sublayers():  # non-zero biases, so a dropped or misplaced bias shows
        if isinstance(layer, nn.Conv2D):
            layer.bias.set_value(paddle.uniform(layer.bias.shape, min=-0.1, max=0.1, seed=len(layer.bias.shape)))
    plain.set_state_dict(fast.state_dict())
    x, y = paddle.randn([3, 3, 67, 67]), paddle.to_tensor([0, 2, 3])
    paddle.seed(9)  # the same dropout mask in both
    out_plain = plain(x)
    paddle.seed(9)
    out_fast = fast(x)
    np.testing.assert_array_equal(out_fast.numpy(), out_plain.numpy())
    F.cross_entropy(out_plain, y).backward()
    F.cross_entropy(out_fast, y).backward()
    grads = 0
    for (key, a), b in zip(plain.named_parameters(), fast.parameters()):
        assert a.grad is not None and float(a.grad.abs().sum()) > 0, key
        np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=key)
        grads += 1
    assert grads == 2 * convs


def test_pooled_stem_leaves_other_models_alone():
    model = build_model("qd_simple_cnn", num_classes=14, in_channels=1)
    assert not use_pooled_stem(model)
