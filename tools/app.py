"""A web demo of a trained run: upload or pick an image, see the top-k class names with probabilities.

``python tools/app.py --run output/birds-... [--engine onnxruntime] [--port 7860]``

Opens http://127.0.0.1:7860 (``--host 0.0.0.0`` to reach it from another machine or an
AI Studio app). Reads the run's export (made when missing) or ``--export DIR``; needs
``pip install 'paddle_sqz[app]'`` (and ``[onnx]`` for the onnxruntime engines).
"""
import argparse

import _bootstrap  # noqa: F401
from paddle_sqz.cli import run_tool
from paddle_sqz.deploy.engines import ENGINES


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", metavar="RUN_DIR", help="run folder written by tools/train.py")
    parser.add_argument("--export", metavar="EXPORT_DIR", help="an export folder (tools/export.py) instead of a run")
    parser.add_argument("--weights", default="best", metavar="best|latest|FILE.sqz")
    parser.add_argument("--engine", choices=[e for e in ENGINES if e != "dygraph"], default="inference",
                        help="inference (default), onnxruntime, onnxruntime-int8 or lite")
    parser.add_argument("--topk", type=int, default=5)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    args = parser.parse_args(argv)
    from paddle_sqz.tasks.app import launch
    print(f"serving on http://{args.host}:{args.port} (Ctrl+C stops)", flush=True)
    launch(args.run, args.export, args.engine, args.weights, args.topk, args.host, args.port)
    return 0


if __name__ == "__main__":
    run_tool(main)
