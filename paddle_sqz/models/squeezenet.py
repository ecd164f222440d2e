"""SqueezeNet v1.0 / v1.1 (Iandola et al., 2016) with the paper's bypass macro-architectures.

Follows torchvision's conventions, as the source tutorial does: max-pooling with
``ceil_mode=True`` and an unpadded v1.1 conv1 (Paddle's own ``paddle.vision`` model
and PaddleClas use floor pooling and pad v1.1's conv1; the outputs' sizes differ).
"""
import math
from typing import List, Optional, Sequence, Tuple

import paddle
import paddle.nn as nn

from ..errors import SqzError
from .registry import ModelArg, register_model

BYPASS_CHOICES = ("none", "simple", "complex")
ARGS = {
    "dropout": ModelArg("float", 0.5, "dropout before the classifier conv (SqueezeNet, AlexNet)"),
    "bypass": ModelArg("str", "none", "SqueezeNet macro-architecture (the paper's section 6)", BYPASS_CHOICES),
}

# (squeeze, expand1x1, expand3x3) for fire2..fire9; v1.0 and v1.1 share them.
FIRE_PLANES: List[Tuple[int, int, int]] = [
    (16, 64, 64), (16, 64, 64), (32, 128, 128), (32, 128, 128),
    (48, 192, 192), (48, 192, 192), (64, 256, 256), (64, 256, 256),
]
# Initialisation of bypassed Fires (see SqueezeNet._init_weights, which says how they were chosen):
# their expand convs start at this fraction of Kaiming's scale, 1x1 conv shortcuts at variance
# SHORTCUT_GAIN / fan_in.
BRANCH_SCALE = 0.25
SHORTCUT_GAIN = 0.5
# conv10's initial bias (see SqueezeNet._init_weights): keeps every class alive behind the final ReLU.
FINAL_BIAS = 1.0
# Where the max-pools sit: after conv1 and after the fire module with this number.
POOL_AFTER = {"1_0": (4, 8), "1_1": (3, 5)}
CONV1 = {"1_0": dict(out_channels=96, kernel_size=7, stride=2),
         "1_1": dict(out_channels=64, kernel_size=3, stride=2)}


class Fire(nn.Layer):
    """Squeeze (1x1) then expand (1x1 and 3x3 side by side, concatenated on channels).

    ``shortcut`` adds the paper's bypass: ``"identity"`` (input + output, channel
    counts must match), ``"conv"`` (a 1x1 convolution of the input added) or ``"none"``.
    """

    def __init__(self, in_channels: int, squeeze: int, expand1x1: int, expand3x3: int,
                 shortcut: str = "none"):
        super().__init__()
        out_channels = expand1x1 + expand3x3
        self.in_channels, self.out_channels = in_channels, out_channels
        self.squeeze = nn.Conv2D(in_channels, squeeze, kernel_size=1)
        self.expand1x1 = nn.Conv2D(squeeze, expand1x1, kernel_size=1)
        self.expand3x3 = nn.Conv2D(squeeze, expand3x3, kernel_size=3, padding=1)
        self.relu = nn.ReLU()
        if shortcut == "identity" and in_channels != out_channels:
            raise ValueError(f"identity bypass needs equal channels, got {in_channels} -> {out_channels}")
        if shortcut not in ("none", "identity", "conv"):
            raise ValueError(f"unknown shortcut {shortcut!r}")
        self.shortcut = shortcut
        self.bypass = nn.Conv2D(in_channels, out_channels, kernel_size=1) if shortcut == "conv" else None

    def forward(self, x):
        s = self.relu(self.squeeze(x))
        out = paddle.concat([self.relu(self.expand1x1(s)), self.relu(self.expand3x3(s))], axis=1)
        if self.shortcut == "identity":
            out = out + x
        elif self.shortcut == "conv":
            out = out + self.bypass(x)
        return out


def _uniform(gain: float, conv: nn.Conv2D) -> nn.initializer.Uniform:
    """Uniform initialiser with variance ``gain / fan_in`` (gain 2: Kaiming for a ReLU layer)."""
    fan_in = conv.weight.shape[1] * conv.weight.shape[2] * conv.weight.shape[3]
    bound = math.sqrt(3.0 * gain / fan_in)
    return nn.initializer.Uniform(-bound, bound)


def _shortcut_for(fire_number: int, in_channels: int, out_channels: int, bypass: str) -> str:
    """The paper's wiring: identity around fire3/5/7/9; complex adds 1x1 convs elsewhere."""
    if bypass == "none":
        return "none"
    if in_channels == out_channels:
        return "identity" if fire_number % 2 == 1 else "none"
    return "conv" if bypass == "complex" else "none"


class SqueezeNet(nn.Layer):
    """SqueezeNet: conv1, pool, fire2..fire9 with two more pools, dropout, conv10, ReLU, GAP."""

    def __init__(self, version: str = "1_0", num_classes: int = 1000, dropout: float = 0.5,
                 bypass: str = "none", in_channels: int = 3,
                 planes: Optional[Sequence[Tuple[int, int, int]]] = None):
        """``planes``: (s1x1, e1x1, e3x3) of fire2..fire9 (default: the paper's, see squeezenet_meta)."""
        super().__init__()
        if version not in POOL_AFTER:
            raise SqzError(f"model.version: unknown SqueezeNet version {version!r}; valid: 1_0, 1_1")
        if bypass not in BYPASS_CHOICES:
            raise SqzError(f"model.bypass: unknown bypass {bypass!r}; valid: {', '.join(BYPASS_CHOICES)}")
        if num_classes < 1:
            raise SqzError(f"model.num_classes: must be at least 1, got {num_classes}")
        self.version, self.num_classes, self.bypass = version, num_classes, bypass
        conv1 = CONV1[version]
        layers = [nn.Conv2D(in_channels, **conv1), nn.ReLU(), self._pool()]
        channels = conv1["out_channels"]
        planes = FIRE_PLANES if planes is None else list(planes)
        if len(planes) != len(FIRE_PLANES):
            raise SqzError(f"model: SqueezeNet needs {len(FIRE_PLANES)} fire modules, got {len(planes)}")
        for number, (s, e1, e3) in enumerate(planes, start=2):
            layers.append(Fire(channels, s, e1, e3, _shortcut_for(number, channels, e1 + e3, bypass)))
            channels = e1 + e3
            if number in POOL_AFTER[version]:
                layers.append(self._pool())
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Conv2D(channels, num_classes, kernel_size=1), nn.ReLU(),
            nn.AdaptiveAvgPool2D(1))
        self._init_weights()

    @property
    def final_conv(self) -> nn.Conv2D:
        """conv10, the classifier conv (not a registered attribute: it would be saved twice)."""
        return self.classifier[1]

    @staticmethod
    def _pool():
        return nn.MaxPool2D(kernel_size=3, stride=2, ceil_mode=True)

    def _init_weights(self):
        """Kaiming-uniform convs, a small normal conv10 with a positive bias, zero biases elsewhere.

        With Paddle's default initialisation and the final ReLU, training often
        sticks at loss ln(num_classes); Kaiming plus a small conv10 is torchvision's
        remedy. torchvision also zeroes conv10's bias; then, as the features are
        non-negative with a large common part, each class's conv10 output starts with
        a random sign shared by most positions and images, and a class whose sign is
        negative is 0 after the ReLU everywhere: it gets no gradient and is never
        predicted. On quickdraw14 0 to 5 of the 14 classes were dead at initialisation
        and stayed dead (0 to 4 after 10 epochs, each costing about 7 points of
        top-1). A bias of ``FINAL_BIAS`` (1.0) starts every class in the ReLU's active
        range; a constant shift of all logits leaves the softmax and the initial loss
        unchanged. With it the seed that had 5 dead classes reached 71.9% validation
        top-1 in 3 epochs instead of 50.1%.

        Without batch norm a bypass adds its input to a Fire output of the same size,
        so four identity shortcuts (and four more 1x1 conv ones in the complex
        variant) multiply the activations' scale instead of keeping it: at 64 px the
        features before conv10 had 9x (simple) and 70x (complex) the RMS of the vanilla
        network's, and the complex one started at loss 11.7 instead of ln(14) = 2.64, so
        a bypass comparison measured the initialisation, not the architecture. As ResNets
        start the last layer of a residual branch small or at zero (zero would stay dead
        behind the Fire's ReLU), the expand convs of a bypassed Fire start at
        ``BRANCH_SCALE`` of their Kaiming size and a 1x1 conv shortcut, which no ReLU
        follows, at variance ``SHORTCUT_GAIN / fan_in``. On quickdraw14 (3 epochs,
        validation top-1, seed 0, conv10's bias still 0) branch scales 1 / 0.5 / 0.25
        gave simple bypass 64.2 / 61.1 / 76.7% and complex bypass 48.3 / 62.8 / 73.7%
        (vanilla: 69.2%). This scaling leaves the vanilla network unchanged.
        """
        for layer in self.sublayers():
            if not isinstance(layer, nn.Conv2D):
                continue
            if layer is self.final_conv:
                init = nn.initializer.Normal(mean=0.0, std=0.01)
            else:
                init = _uniform(2.0, layer)
            init(layer.weight)
            if layer.bias is not None:
                nn.initializer.Constant(FINAL_BIAS if layer is self.final_conv else 0.0)(layer.bias)
        for fire in self.sublayers():
            if isinstance(fire, Fire) and fire.shortcut != "none":
                for conv in (fire.expand1x1, fire.expand3x3):
                    _uniform(2.0 * BRANCH_SCALE ** 2, conv)(conv.weight)
                if fire.bypass is not None:
                    _uniform(SHORTCUT_GAIN, fire.bypass)(fire.bypass.weight)

    def forward(self, x):
        return paddle.flatten(self.classifier(self.features(x)), 1)


@register_model(family="squeezenet", input_size=224, in_channels=3, args=ARGS)
def squeezenet1_0(num_classes: int = 1000, dropout: float = 0.5, bypass: str = "none",
                  in_channels: int = 3) -> SqueezeNet:
    """SqueezeNet v1.0: 7x7/2 conv1 with 96 filters (1,248,424 parameters at 1000 classes)."""
    return SqueezeNet("1_0", num_classes, dropout, bypass, in_channels)


@register_model(family="squeezenet", input_size=224, in_channels=3, args=ARGS)
def squeezenet1_1(num_classes: int = 1000, dropout: float = 0.5, bypass: str = "none",
                  in_channels: int = 3) -> SqueezeNet:
    """SqueezeNet v1.1: 3x3/2 conv1 with 64 filters, earlier pools, about 2.4x fewer FLOPs."""
    return SqueezeNet("1_1", num_classes, dropout, bypass, in_channels)
