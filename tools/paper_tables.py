"""The SqueezeNet paper's size comparison, measured: AlexNet, SqueezeNet v1.0 / v1.1, bypass variants.

    python tools/paper_tables.py [--out output/paper_tables] [--input-size 224] [--num-classes 1000]

Per network: parameters, the fp32 weights file written by paddle.save (measured on disk),
multiply-adds per image counted by forward hooks, and the ratios to AlexNet (the paper's
"50x fewer parameters"). Writes sizes.md and sizes.csv and prints the table.
"""
import argparse
import shlex
import sys

import _bootstrap  # noqa: F401  (sys.path and runtime settings before Paddle loads)
from paddle_sqz.cli import run_tool


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="output/paper_tables", metavar="DIR", help="output folder")
    parser.add_argument("--input-size", type=int, default=224, metavar="PX",
                        help="square RGB input for counting multiply-adds (the paper's Caffe models: 227)")
    parser.add_argument("--num-classes", type=int, default=1000, help="classifier outputs (ImageNet: 1000)")
    args = parser.parse_args(argv)
    if args.input_size < 32 or args.num_classes < 1:
        parser.error("--input-size must be at least 32 and --num-classes at least 1")
    import paddle
    from paddle_sqz.experiments.size_table import measure_entries
    from paddle_sqz.report.size_table import write_size_table
    rows = measure_entries(num_classes=args.num_classes, input_size=args.input_size)
    command = "python tools/paper_tables.py " + " ".join(shlex.quote(a) for a in (argv if argv is not None
                                                                                   else sys.argv[1:]))
    about = [f"command: `{command.strip()}`", f"{args.num_classes} classes, multiply-adds at "
             f"3x{args.input_size}x{args.input_size}, counted by forward hooks on every Conv2D and Linear "
             "(out elements x in channels x kernel area; biases, ReLU, pools not counted); FLOPs = 2 x MACs",
             "fp32 file: `paddle.save(model.state_dict())` written to a temporary folder and measured "
             f"on disk, MB = 2^20 bytes; Paddle {paddle.__version__}"]
    files = write_size_table(rows, args.out, about)
    print(open(files["markdown"], encoding="utf-8").read())
    print(f"wrote {files['markdown']} and {files['csv']}")
    return 0


if __name__ == "__main__":
    run_tool(main)
