"""Train several models on the same data and seed and compare them (the Quick Draw tutorial's 总结对比).

    python tools/compare.py --cfg quickdraw --models qd_simple_cnn qd_k1k3 qd_gap \\
        qd_lenet qd_lenet_k1k3 qd_lenet_gap -o data.folder=DIR model.num_classes=N [--out DIR]

Writes comparison.md, comparison.csv, accuracy_vs_params.png, val_top1.png and
val_loss.png into the output folder, which also holds one run folder per model
(view the curves together with ``visualdl --logdir OUT``).
"""
import argparse
import shlex
import sys

import _bootstrap  # noqa: F401  (sys.path and runtime settings before Paddle loads)
from paddle_sqz.cli import run_tool

QUICKDRAW_MODELS = ("qd_simple_cnn", "qd_k1k3", "qd_gap", "qd_lenet", "qd_lenet_k1k3", "qd_lenet_gap")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cfg", default="quickdraw", help="shipped config name or YAML path (default: quickdraw)")
    parser.add_argument("--models", nargs="+", default=list(QUICKDRAW_MODELS), metavar="NAME",
                        help="registered models to train, in table order (default: the six Quick Draw CNNs)")
    parser.add_argument("-o", "--override", action="extend", nargs="+", default=[], metavar="KEY=VALUE",
                        help="override config keys for every model, e.g. -o train.epochs=5 data.folder=DIR")
    parser.add_argument("--out", metavar="DIR",
                        help="output folder (default: <output.dir>/compare-<config>-<time>)")
    parser.add_argument("--repeats", type=int, default=3, help="timed inference passes per model (best is kept)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    from paddle_sqz.experiments.comparison import compare_models
    from paddle_sqz.report.comparison_report import markdown_table
    command = "python tools/compare.py " + " ".join(shlex.quote(a) for a in (argv if argv is not None
                                                                              else sys.argv[1:]))
    result = compare_models(args.cfg, args.models, args.override, args.out, command=command,
                            repeats=args.repeats)
    print()
    print(markdown_table(result["rows"]), end="")
    print(f"\n{len(result['rows'])} models in {result['wall_seconds'] / 60:.1f} min; "
          f"report in {result['out_dir']}")
    return 0


if __name__ == "__main__":
    run_tool(main)
