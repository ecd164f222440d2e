"""paddle_sqz: SqueezeNet and small-CNN tutorials for PaddlePaddle, reproduced cleanly.

Importing the package does not import Paddle, so command-line tools can apply
environment settings (threads, math-library paths) before Paddle loads.
"""

__version__ = "0.1.0"
