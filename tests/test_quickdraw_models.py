"""The six Quick Draw CNNs match the tutorial's Keras parameter counts and train."""
import numpy as np
import paddle
import pytest

import paddle_sqz.models.quickdraw_cnns  # noqa: F401  (registers the qd_* builders)
from paddle_sqz.errors import SqzError
from paddle_sqz.models import build_model, list_models

# Keras model.summary() totals at 100 classes, 28x28x1 input (docs/REFERENCE.md).
TUTORIAL_PARAMS = {
    "qd_simple_cnn": 110_052,
    "qd_k1k3": 106_236,
    "qd_gap": 29_796,
    "qd_lenet": 203_172,
    "qd_lenet_k1k3": 201_993,
    "qd_lenet_gap": 10_160,
}


def count_params(model) -> int:
    return sum(int(np.prod(p.shape)) for p in model.parameters())


def test_all_registered():
    assert set(TUTORIAL_PARAMS) <= set(list_models())


@pytest.mark.parametrize("name,expected", sorted(TUTORIAL_PARAMS.items()))
def test_parameter_count_at_100_classes(name, expected):
    assert count_params(build_model(name, num_classes=100)) == expected


@pytest.mark.parametrize("name", sorted(TUTORIAL_PARAMS))
def test_logits_shape_and_backward(name):
    paddle.seed(0)
    model = build_model(name, num_classes=7)
    x = paddle.rand([2, 1, 28, 28])
    logits = model(x)
    assert tuple(logits.shape) == (2, 7)
    # logits, not probabilities: rows need not sum to one
    loss = paddle.nn.functional.cross_entropy(logits, paddle.to_tensor([1, 3], dtype="int64"))
    loss.backward()
    grads = [p.grad for p in model.parameters()]
    assert all(g is not None for g in grads)
    assert any(float(g.abs().sum()) > 0 for g in grads)


def test_biases_start_at_zero_like_keras():
    model = build_model("qd_lenet", num_classes=10)
    biases = [p for p in model.parameters() if len(p.shape) == 1]
    assert biases and all(float(b.abs().sum()) == 0 for b in biases)


def test_bad_num_classes_is_a_user_error():
    with pytest.raises(SqzError, match="num_classes"):
        build_model("qd_gap", num_classes=0)
