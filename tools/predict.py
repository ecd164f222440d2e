"""Predict the class of images with a trained run (its eval transform and its labels.txt).

``python tools/predict.py --run output/birds-... photo.jpg more_photos/ [--topk 3] [--plot]``
"""
import argparse

import _bootstrap  # noqa: F401
from paddle_sqz.cli import run_tool


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", required=True, metavar="RUN_DIR", help="run folder written by tools/train.py")
    parser.add_argument("inputs", nargs="+", metavar="IMAGE_OR_FOLDER")
    parser.add_argument("--topk", type=int, default=3, help="how many classes to show per image")
    parser.add_argument("--weights", default="best", metavar="best|latest|FILE.sqz",
                        help="the run's best model, its latest checkpoint, or a compressed .sqz file")
    parser.add_argument("--engine", default="dygraph", metavar="ENGINE",
                        help="dygraph (default), or inference: the run's exported Paddle Inference model "
                             "(RUN/export, exported when missing; oneDNN on CPU, GPU when present), "
                             "same preprocessing and labels")
    parser.add_argument("--plot", action="store_true",
                        help="also save a PNG per image with its predicted name (RUN/predictions/)")
    args = parser.parse_args(argv)
    from paddle_sqz.runs import Run
    from paddle_sqz.tasks.predict import predict_run
    run = Run(args.run)
    results, written = predict_run(run, args.inputs, args.weights, args.engine, args.topk, args.plot)
    for path, top in results:
        print(f"{path}: " + ", ".join(f"{run.label(name)} {prob:.1%}" for name, prob in top))
    for png in written:
        print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    run_tool(main)
