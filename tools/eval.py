"""Evaluate a trained run: top-1, top-5, per-class accuracy and a confusion matrix (JSON + PNG).

``python tools/eval.py --run output/birds-... [--list other_test.txt] [--weights best|latest|FILE.sqz]``

A Quick Draw run is evaluated on the test fold of its data folder, or with
``--data-folder DIR`` on every drawing of another folder of ``<class>.npy`` files
(classes matched by file name; a missing class is an error, extra ones are ignored).
"""
import argparse

import _bootstrap  # noqa: F401
from paddle_sqz.cli import add_engine_argument, add_weights_arguments, run_tool


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", required=True, metavar="RUN_DIR", help="run folder written by tools/train.py")
    parser.add_argument("--list", metavar="FILE", help="list file to evaluate (default: the run's test list)")
    parser.add_argument("--data-folder", metavar="DIR",
                        help="Quick Draw runs: evaluate every drawing of this folder of <class>.npy files "
                             "(default: the test fold of the run's data.folder)")
    add_weights_arguments(parser)
    add_engine_argument(parser)
    parser.add_argument("--out", metavar="DIR", help="where to write eval.json and confusion.png (default RUN/eval)")
    args = parser.parse_args(argv)
    from paddle_sqz.tasks.evaluate import evaluate_run
    from paddle_sqz.report.tables import format_eval_summary
    summary = evaluate_run(args.run, args.list, args.weights, args.out, data_folder=args.data_folder,
                           engine=args.engine, allow_pickle=args.allow_pickle)
    extra = summary.get("extra_classes") or []
    if extra:
        print(f"ignored {len(extra)} class(es) of {summary['data_folder']} that the run was not trained on: "
              + ", ".join(extra))
    print(format_eval_summary(summary))
    for path in summary["files"]:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    run_tool(main)
