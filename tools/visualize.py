"""Plot a run: accuracy / loss curves (train and eval) and a grid of test images, predicted vs true.

``python tools/visualize.py --run output/birds-...``  (PNG files in the run folder)
"""
import argparse

import _bootstrap  # noqa: F401
from paddle_sqz.cli import run_tool


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", required=True, metavar="RUN_DIR")
    parser.add_argument("--grid", type=int, default=16, help="test images in the prediction grid (0: none)")
    args = parser.parse_args(argv)
    from paddle_sqz.tasks.visualize import visualize_run
    for path in visualize_run(args.run, args.grid):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    run_tool(main)
