"""Dead classes: a logit that is 0 on every image behind a final ReLU is found and named."""
import numpy as np
import paddle
import paddle.nn as nn

from paddle_sqz.train.evaluate import dead_classes_warning, evaluate
from paddle_sqz.report.tables import format_eval_summary


def _relu_head(bias):
    """A 3-class linear head followed by ReLU, as SqueezeNet's conv10 + ReLU."""
    linear = nn.Linear(4, 3)
    linear.weight.set_value(np.eye(4, 3, dtype="float32"))
    linear.bias.set_value(np.asarray(bias, dtype="float32"))
    return nn.Sequential(linear, nn.ReLU())


def _batches():
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.random((5, 4)).astype("float32")  # non-negative features, as after a ReLU
        yield paddle.to_tensor(x), paddle.to_tensor(rng.integers(0, 3, 5))


def test_evaluate_finds_a_class_that_is_zero_on_every_image():
    assert evaluate(_relu_head([0.0, -5.0, 0.0]), list(_batches()))["dead_classes"] == [1]
    assert evaluate(_relu_head([0.0, 0.0, 0.0]), list(_batches()))["dead_classes"] == []


def test_a_head_without_relu_never_reports_dead_classes():
    linear = _relu_head([0.0, -5.0, 0.0])[0]  # negative logits, but never exactly 0
    assert evaluate(linear, list(_batches()))["dead_classes"] == []


def test_warning_and_eval_summary_name_the_dead_class():
    line = dead_classes_warning([1], ["cat", "dog", "owl"], "val")
    assert line.startswith("warning: 1 of 3 classes output 0 for every val image (dog)")
    summary = {"class_names": ["cat", "dog"], "images": 4, "list": "t.txt", "top1": 0.5, "top5": 1.0,
               "loss": 0.7, "per_class": {"cat": 1.0, "dog": 0.0}, "confusion": [[2, 0], [2, 0]],
               "dead_classes": ["dog"]}
    text = format_eval_summary(summary)
    assert "\ndog  0.00%   dead: logit 0 on every image\n" in text
    assert "\ncat  100.00%\n" in text
