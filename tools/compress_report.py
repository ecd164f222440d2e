"""The paper's Table 2 from the package's own files: size and accuracy at each compression step.

``python tools/compress_report.py --run output/qd14-... --finetune-epochs 2 --out output/compression``

Rows for SqueezeNet v1.0 at 1000 classes (random initialisation: sizes only) at
each ``--random-sparsity`` and for the trained ``--run`` (test top-1/top-5 of the
weights decoded from each file): fp32, pruned, then each of ``--bits``. Writes
compression.md, compression.csv and compression_sizes.png (log scale) into ``--out``.
"""
import argparse

import _bootstrap  # noqa: F401
from paddle_sqz.cli import run_tool


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", metavar="RUN_DIR", help="a trained run (omit for the sizes-only rows)")
    parser.add_argument("--out", required=True, metavar="DIR", help="where the report and .sqz files go")
    parser.add_argument("--sparsity", type=float, default=0.33, help="pruning of the trained model (0.33)")
    parser.add_argument("--random-sparsity", type=float, nargs="*", default=[0.33, 0.67],
                        help="pruning levels for the 1000-class random-init rows (0.33 0.67)")
    parser.add_argument("--bits", type=int, nargs="+", default=[8, 6, 4], help="bit widths (8 6 4)")
    parser.add_argument("--trained-bits", type=int, nargs="+", help="bit widths for the trained run "
                        "(default --bits)")
    parser.add_argument("--scope", choices=("layer", "global"), default="layer",
                        help="pruning threshold of the trained model: per layer or one global (layer)")
    parser.add_argument("--finetune-epochs", type=int, default=0, help="fine-tune the pruned trained model")
    parser.add_argument("--prune-rounds", type=int, default=1,
                        help="reach --sparsity in this many prune + fine-tune rounds (1)")
    parser.add_argument("--finetune-lr", type=float, help="its learning rate (default the run's)")
    args = parser.parse_args(argv)
    from pathlib import Path
    from paddle_sqz.report.compression import write_report
    from paddle_sqz.experiments.table2 import alexnet_fp32, alexnet_row, random_init_rows, trained_rows
    out = Path(args.out)
    alexnet = alexnet_fp32()
    rows = [alexnet_row(alexnet)]
    rows += random_init_rows(out / "sqz_files", args.random_sparsity, args.bits, alexnet["bytes"])
    if args.run:
        rows += trained_rows(args.run, out / "sqz_files", args.sparsity, args.trained_bits or args.bits,
                             alexnet["bytes"], args.finetune_epochs, args.finetune_lr, args.scope,
                             args.prune_rounds)
    notes = ["sizes are the byte counts of the .sqz files written (header, codebooks, coded streams and "
             "checksum included); fp32 rows are parameters x 4 bytes; 1 MB = 10^6 bytes",
             "the 1000-class rows use random initial weights (no ImageNet training here): their sizes are "
             "real, they have no accuracy",
             "sparsity = fraction of weights set to zero; biases are never pruned and use 8-bit codebooks",
             f"pruning threshold: per layer for the random-init rows, {args.scope} for the trained model"]
    for path in write_report(rows, out, alexnet, notes):
        print(f"wrote {path}")
    print((out / "compression.md").read_text())
    return 0


if __name__ == "__main__":
    run_tool(main)
