"""paddle_sqz: SqueezeNet and small-CNN tutorials for PaddlePaddle, reproduced cleanly.

Importing the package does not import Paddle, so command-line tools can apply
environment settings (threads, math-library paths) before Paddle loads. Paddle is not
a pip requirement (see setup.py): when none is installed, importing the package says so
in one line with the pip commands, instead of a traceback deep inside a later import.
"""
import importlib.util
import sys

__version__ = "0.1.0"

NO_PADDLE = ("paddle_sqz: PaddlePaddle is not installed. CPU: pip install paddlepaddle | "
             "GPU: pip install paddlepaddle-gpu (or the CUDA build for your driver from Paddle's install page); "
             "then python -m paddle_sqz.doctor")


def paddle_installed() -> bool:
    """True when an importable ``paddle`` package exists (any build), without importing it."""
    try:
        return importlib.util.find_spec("paddle") is not None
    except (ImportError, ValueError):  # a broken or blocked entry in sys.modules
        return False


if not paddle_installed():
    print(NO_PADDLE, file=sys.stderr)
