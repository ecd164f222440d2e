"""AlexNet as torchvision builds it (one tower, 64-192-384-256-256 filters), the paper's size baseline.

The paper's Table 2 compares against Caffe's two-tower AlexNet (grouped convolutions,
about 61 M parameters, 240 MB); torchvision's single-tower variant has 61,100,840
parameters at 1000 classes, close enough for the "50x smaller" ratio.
"""
import paddle
import paddle.nn as nn

from ..errors import SqzError
from .registry import register_model
from .squeezenet import ARGS as SQUEEZENET_ARGS


class AlexNet(nn.Layer):
    """Five convs with three max-pools, a 6x6 adaptive average pool, three fully connected layers."""

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5, in_channels: int = 3):
        super().__init__()
        if num_classes < 1:
            raise SqzError(f"model.num_classes: must be at least 1, got {num_classes}")
        self.features = nn.Sequential(
            nn.Conv2D(in_channels, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(),
            nn.MaxPool2D(kernel_size=3, stride=2),
            nn.Conv2D(64, 192, kernel_size=5, padding=2), nn.ReLU(),
            nn.MaxPool2D(kernel_size=3, stride=2),
            nn.Conv2D(192, 384, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2D(384, 256, kernel_size=3, padding=1), nn.ReLU(),
            nn.Conv2D(256, 256, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2D(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2D(6)
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(),
            nn.Dropout(dropout), nn.Linear(4096, 4096), nn.ReLU(),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        return self.classifier(paddle.flatten(self.avgpool(self.features(x)), 1))


@register_model(family="alexnet", input_size=224, in_channels=3,
                args={"dropout": SQUEEZENET_ARGS["dropout"]})
def alexnet(num_classes: int = 1000, dropout: float = 0.5, in_channels: int = 3) -> AlexNet:
    """torchvision-style AlexNet: 61,100,840 parameters at 1000 classes."""
    return AlexNet(num_classes, dropout, in_channels)
