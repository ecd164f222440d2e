"""The six small CNNs of the Quick Draw compression tutorial (Keras), rebuilt in Paddle.

Input is NCHW float ``(N, 1, 28, 28)`` (pixels / 255); every model returns logits
(the tutorial's final ``softmax`` is left to the loss). Parameter counts at 100
classes equal the tutorial's Keras summaries.

Notation: ``c16k3`` = conv, 16 filters, 3x3, Keras 'same' padding (``v`` = 'valid');
``P`` = MaxPool 2x2 (floor); ``GAP`` = global average pool; ``dN`` = dense; ``C`` =
num_classes. Every conv and dense except the last is followed by ReLU.

=============  ==============================================  =======  ===============================
builder        layers                                          params   tutorial section (function)
=============  ==============================================  =======  ===============================
qd_simple_cnn  c16k3 P c32k3 P c64k3 P flatten(576) d128 dC    110,052  简单的 CNN 模型 (build_model)
qd_k1k3        c16k3 P c32k3 P c24k1 c64k3 P flatten d128 dC   106,236  先 1 后 3 (one2three_model)
qd_gap         c16k3 P c32k3 P c64k3 P GAP(64) dC              29,796   GAP (gap_model)
qd_lenet       c6k5 P c16k5v P flatten(400) d300 d200 dC       203,172  在 LeNet 上 (lenet)
qd_lenet_k1k3  c6k5 P c3k1 c16k5v P flatten d300 d200 dC       201,993  在 LeNet 上 (lenet_one2three)
qd_lenet_gap   c6k5 P c16k5v P GAP(16) d64 dC                  10,160   在 LeNet 上 (lenet_gap)
=============  ==============================================  =======  ===============================

Faithful details: the tutorial's LeNets use ReLU (not the original LeNet-5's tanh /
sigmoid) and max-pooling, so these do too; Keras ``padding='same'`` is padding 1 for
3x3 and 2 for 5x5, and Keras pools floor (7 -> 3). Weights start as in Keras:
Glorot-uniform kernels, zero biases.

Keras flattens NHWC, Paddle flattens NCHW: the counts match, but a Keras dense
layer after ``Flatten`` needs its input rows permuted (HWC -> CHW) before its
weights can be loaded here, and conv kernels need HWIO -> OIHW transposes.
The flatten models need 28x28 input; the GAP models accept any size >= 28.
"""
from typing import Callable, List

import paddle.nn as nn

from ..errors import SqzError
from .registry import register_model


def _conv(in_channels: int, out_channels: int, kernel: int, same: bool = True) -> List[nn.Layer]:
    """A convolution + ReLU; ``same`` pads like Keras ``padding='same'`` for odd kernels."""
    conv = nn.Conv2D(in_channels, out_channels, kernel, padding=kernel // 2 if same else 0,
                     weight_attr=nn.initializer.XavierUniform(),
                     bias_attr=nn.initializer.Constant(0.0))
    return [conv, nn.ReLU()]


def _dense(in_features: int, out_features: int, relu: bool = True) -> List[nn.Layer]:
    """A Keras-initialised dense layer, with ReLU unless it is the logits layer."""
    linear = nn.Linear(in_features, out_features, weight_attr=nn.initializer.XavierUniform(),
                       bias_attr=nn.initializer.Constant(0.0))
    return [linear, nn.ReLU()] if relu else [linear]


def _pool() -> nn.Layer:
    return nn.MaxPool2D(kernel_size=2, stride=2)


class QuickDrawCNN(nn.Layer):
    """``features`` (convs and pools) then ``head`` (flatten or GAP, dense layers) -> logits."""

    def __init__(self, features: List[nn.Layer], head: List[nn.Layer], num_classes: int):
        super().__init__()
        self.num_classes = num_classes
        self.features = nn.Sequential(*features)
        self.head = nn.Sequential(*head)

    def forward(self, x):
        return self.head(self.features(x))


def _check(num_classes: int, in_channels: int) -> None:
    if num_classes < 1:
        raise SqzError(f"model.num_classes: must be at least 1, got {num_classes}")
    if in_channels < 1:
        raise SqzError(f"model.in_channels: must be at least 1, got {in_channels}")


def _simple_features(in_channels: int, k1k3: bool) -> List[nn.Layer]:
    """Three 3x3 'same' convs (16, 32, 64), each pooled: 28 -> 14 -> 7 -> 3."""
    middle = _conv(32, 24, 1) + _conv(24, 64, 3) if k1k3 else _conv(32, 64, 3)
    return (_conv(in_channels, 16, 3) + [_pool()] + _conv(16, 32, 3) + [_pool()]
            + middle + [_pool()])


def _lenet_features(in_channels: int, k1k3: bool) -> List[nn.Layer]:
    """5x5 'same' conv 6, pool, 5x5 'valid' conv 16, pool: 28 -> 14 -> 10 -> 5."""
    second = _conv(6, 3, 1) + _conv(3, 16, 5, same=False) if k1k3 else _conv(6, 16, 5, same=False)
    return _conv(in_channels, 6, 5) + [_pool()] + second + [_pool()]


def _simple_head(num_classes: int) -> List[nn.Layer]:
    """Flatten the 3x3x64 features, dense 128, dense C (the simple CNN and its 1x1-then-3x3 variant)."""
    return [nn.Flatten()] + _dense(64 * 3 * 3, 128) + _dense(128, num_classes, relu=False)


def _lenet_head(num_classes: int) -> List[nn.Layer]:
    """Flatten the 5x5x16 features, dense 300, dense 200, dense C (LeNet and its 1x1-then-3x3 variant)."""
    return [nn.Flatten()] + _dense(16 * 5 * 5, 300) + _dense(300, 200) + _dense(200, num_classes, relu=False)


def _gap_head(num_classes: int) -> List[nn.Layer]:
    """Global average pooling of the 64 feature maps, dense C (the simple CNN's GAP variant)."""
    return _gap() + _dense(64, num_classes, relu=False)


def _lenet_gap_head(num_classes: int) -> List[nn.Layer]:
    """Global average pooling of the 16 feature maps, dense 64, dense C (LeNet's GAP variant)."""
    return _gap() + _dense(16, 64) + _dense(64, num_classes, relu=False)


def _cnn(num_classes: int, head: Callable[[int], List[nn.Layer]], features: Callable[[], List[nn.Layer]],
         in_channels: int) -> QuickDrawCNN:
    """Check the arguments, then build the head before the features (the creation order seeds the weights)."""
    _check(num_classes, in_channels)
    head_layers = head(num_classes)
    return QuickDrawCNN(features(), head_layers, num_classes)


def _gap() -> List[nn.Layer]:
    return [nn.AdaptiveAvgPool2D(1), nn.Flatten()]


# (name, summary, head, feature builder, 1x1-then-3x3): the tutorial's six models
MODELS = (
    ("qd_simple_cnn", "The tutorial's simple CNN (110,052 parameters at 100 classes).",
     _simple_head, _simple_features, False),
    ("qd_k1k3", "Simple CNN with a 1x1 squeeze to 24 channels before the last 3x3 (106,236 at 100).",
     _simple_head, _simple_features, True),
    ("qd_gap", "Simple CNN with global average pooling instead of flatten + dense 128 (29,796 at 100).",
     _gap_head, _simple_features, False),
    ("qd_lenet", "The tutorial's LeNet, ReLU and max-pool as in its code (203,172 at 100).",
     _lenet_head, _lenet_features, False),
    ("qd_lenet_k1k3", "LeNet with a 1x1 squeeze to 3 channels before the second conv (201,993 at 100).",
     _lenet_head, _lenet_features, True),
    ("qd_lenet_gap", "LeNet convs, global average pooling, dense 64, dense C (10,160 at 100).",
     _lenet_gap_head, _lenet_features, False),
)


def _make_builder(name: str, summary: str, head, features, k1k3: bool) -> Callable[..., QuickDrawCNN]:
    """A registered builder ``name(num_classes=100, in_channels=1)`` for one row of :data:`MODELS`."""
    def builder(num_classes: int = 100, in_channels: int = 1) -> QuickDrawCNN:
        return _cnn(num_classes, head, lambda: features(in_channels, k1k3=k1k3), in_channels)
    builder.__name__ = builder.__qualname__ = name
    builder.__doc__ = summary
    return register_model(family="quickdraw_cnn", input_size=28, in_channels=1)(builder)


for _row in MODELS:
    globals()[_row[0]] = _make_builder(*_row)
