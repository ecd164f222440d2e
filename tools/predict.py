"""Predict the class of images with a trained run (its eval transform and its labels.txt).

``python tools/predict.py --run output/birds-... photo.jpg more_photos/ [--topk 3] [--out results.csv]``

Every readable image is predicted; each unreadable one is reported on its own line, and
the exit status is 1 when some failed (2 when nothing could be done).
"""
import argparse
import sys

import _bootstrap  # noqa: F401
from paddle_sqz.cli import add_engine_argument, add_weights_arguments, run_tool


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", required=True, metavar="RUN_DIR", help="run folder written by tools/train.py")
    parser.add_argument("inputs", nargs="+", metavar="IMAGE_OR_FOLDER")
    parser.add_argument("--topk", type=int, default=3, help="how many classes to show per image")
    add_weights_arguments(parser)
    add_engine_argument(parser)
    parser.add_argument("--out", metavar="FILE.csv|FILE.json",
                        help="also write every image's path, top-k names and probabilities (or its error)")
    parser.add_argument("--plot", action="store_true",
                        help="also save a PNG per image with its predicted name (RUN/predictions/)")
    args = parser.parse_args(argv)
    from paddle_sqz.runs import Run
    from paddle_sqz.tasks.predict import predict_run
    run = Run(args.run, allow_pickle=args.allow_pickle)
    results, failures, written = predict_run(run, args.inputs, args.weights, args.engine, args.topk, args.plot,
                                             args.out)
    for path, top in results:
        print(f"{path}: " + ", ".join(f"{run.label(name)} {prob:.1%}" for name, prob in top))
    for path in written:
        print(f"wrote {path}")
    for _, message in failures:
        print(f"failed: {message}", file=sys.stderr)
    if failures:
        print(f"{len(failures)} of {len(results) + len(failures)} images could not be read", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    run_tool(main)
