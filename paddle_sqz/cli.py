"""What every ``tools/*.py`` shares: one-line errors and a non-zero exit code."""
import argparse
import sys
from typing import Callable, Optional, Sequence

from .deploy.engines import ENGINES
from .errors import SqzError
from .io_utils import os_error_cause, os_error_path

WEIGHTS_HELP = ("best (default), latest (the last checkpoint), or a weights file: .safetensors, a compressed "
                ".sqz from tools/compress.py, or .pdparams with --allow-pickle")
PICKLE_HELP = ("allow --weights FILE.pdparams: such a file is a Python pickle, and loading it runs any code its "
               "author put in it; use only for a file you made yourself or fully trust")


def add_engine_argument(parser: argparse.ArgumentParser) -> None:
    """``--engine``, the same choices and help in every tool that runs a model."""
    parser.add_argument("--engine", choices=ENGINES, default="dygraph",
                        help="dygraph (default); inference: the run's export on Paddle Inference (oneDNN on CPU, "
                             "GPU when present); onnxruntime / onnxruntime-int8: model.onnx / model_int8.onnx on "
                             "ONNX Runtime (pip install 'paddle_sqz[onnx]'); lite: the .nb on Paddle Lite. "
                             "RUN/export is made when missing; same preprocessing and labels on every engine")


def add_weights_arguments(parser: argparse.ArgumentParser) -> None:
    """``--weights`` and ``--allow-pickle``, the same in every tool that loads a run's model."""
    parser.add_argument("--weights", default="best", metavar="best|latest|FILE", help=WEIGHTS_HELP)
    parser.add_argument("--allow-pickle", action="store_true", help=PICKLE_HELP)


def run_tool(main: Callable[[Optional[Sequence[str]]], int], argv: Optional[Sequence[str]] = None) -> None:
    """Run ``main(argv)``; a :class:`SqzError` or an OS error becomes ``error: ...`` on stderr and exit code 2.

    An OS error (disk full, read-only folder, permission denied) that reached here
    unconverted still gets one line naming its file and cause, never a traceback.
    """
    try:
        code = main(argv)
    except SqzError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{os_error_path(exc, 'a file')}: {os_error_cause(exc)}")
    except ModuleNotFoundError as exc:
        if exc.name != "paddle":
            raise
        sys.exit(2)  # importing paddle_sqz already printed the one line with the pip commands
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(code or 0)


def _fail(message: str) -> None:
    one_line = message.replace("\r", " ").replace("\n", " ")  # whatever the message held
    print(f"error: {one_line}", file=sys.stderr)
    sys.exit(2)
