"""Predict the class of images with a trained run (its eval transform and its labels.txt).

``python tools/predict.py --run output/birds-... photo.jpg more_photos/ [--topk 3] [--plot]``
"""
import argparse

import _bootstrap  # noqa: F401
from paddle_sqz.cli import run_tool
from paddle_sqz.deploy.engines import ENGINES


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", required=True, metavar="RUN_DIR", help="run folder written by tools/train.py")
    parser.add_argument("inputs", nargs="+", metavar="IMAGE_OR_FOLDER")
    parser.add_argument("--topk", type=int, default=3, help="how many classes to show per image")
    parser.add_argument("--weights", default="best", metavar="best|latest|FILE.sqz",
                        help="the run's best model, its latest checkpoint, or a compressed .sqz file")
    parser.add_argument("--engine", choices=ENGINES, default="dygraph",
                        help="dygraph (default); inference: the run's export on Paddle Inference (oneDNN on CPU, "
                             "GPU when present); onnxruntime / onnxruntime-int8: model.onnx / model_int8.onnx on "
                             "ONNX Runtime (pip install 'paddle_sqz[onnx]'); lite: the .nb on Paddle Lite. "
                             "RUN/export is made when missing; same preprocessing and labels on every engine")
    parser.add_argument("--plot", action="store_true",
                        help="also save a PNG per image with its predicted name (RUN/predictions/)")
    args = parser.parse_args(argv)
    from paddle_sqz.tasks.predict import predict_run
    results, written = predict_run(args.run, args.inputs, args.weights, args.engine, args.topk, args.plot)
    for path, top in results:
        print(f"{path}: " + ", ".join(f"{name} {prob:.1%}" for name, prob in top))
    for png in written:
        print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    run_tool(main)
