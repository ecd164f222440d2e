"""Train a grid of SqueezeNet metaparameter settings and plot size vs accuracy (the paper's Figure 3, Table 3).

    python tools/sweep.py --cfg squeezenet_quickdraw --sweep sr -o data.folder=../shared/data/quickdraw14
    python tools/sweep.py --cfg squeezenet_quickdraw --sweep pct_3x3 -o data.folder=DIR model.sr=0.5
    python tools/sweep.py --cfg squeezenet_quickdraw --sweep bypass --seeds 0 1 -o data.folder=DIR

Sweeps: sr (model.sr in 0.125 0.25 0.5 0.75 1.0), pct_3x3 (model.pct_3x3 in 0.01 ... 0.99),
bypass (model.bypass none simple complex); --values replaces the paper's values. Writes
sweep.md, sweep.csv, sweep_<sweep>.png, val_top1.png and val_loss.png into the output folder,
which also holds one run folder per point (``visualdl --logdir OUT`` shows them all).
``--report OUT`` draws the report of a finished sweep again, without training.
"""
import argparse
import shlex
import sys

import _bootstrap  # noqa: F401  (sys.path and runtime settings before Paddle loads)
from paddle_sqz.cli import run_tool


def main(argv=None) -> int:
    from paddle_sqz.experiments.sweeps import SWEEPS
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cfg", default="squeezenet_quickdraw", help="shipped config name or YAML path")
    parser.add_argument("--sweep", choices=sorted(SWEEPS), help="which grid to train")
    parser.add_argument("--report", metavar="DIR",
                        help="draw the report of a finished sweep in DIR again (no training)")
    parser.add_argument("--values", nargs="+", metavar="V", help="values of the swept key (default: the paper's)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0], help="seeds per value (default: 0)")
    parser.add_argument("-o", "--override", action="extend", nargs="+", default=[], metavar="KEY=VALUE",
                        help="override config keys for every run, e.g. -o train.epochs=3 data.folder=DIR")
    parser.add_argument("--out", metavar="DIR", help="output folder (default: <output.dir>/sweep-<sweep>-<time>)")
    parser.add_argument("--repeats", type=int, default=0,
                        help="timed inference passes per run, best kept (default 0: no timing, sweeps compare accuracy)")
    args = parser.parse_args(argv)
    if args.repeats < 0:
        parser.error("--repeats must be 0 or more")
    if not args.report and not args.sweep:
        parser.error("--sweep is required (or --report DIR to redraw a finished sweep)")
    from paddle_sqz.experiments.sweeps import rereport, run_sweep
    if args.report:
        for path in rereport(args.report).values():
            print(f"wrote {path}")
        return 0
    command = "python tools/sweep.py " + " ".join(shlex.quote(a) for a in (argv if argv is not None
                                                                            else sys.argv[1:]))
    result = run_sweep(args.cfg, args.sweep, args.values, args.seeds, args.override, args.out,
                       command=command, repeats=args.repeats)
    print()
    print((result["out_dir"] / "sweep.md").read_text(encoding="utf-8"))
    print(f"{len(result['rows'])} runs in {result['wall_seconds'] / 60:.1f} min; report in {result['out_dir']}")
    return 0


if __name__ == "__main__":
    run_tool(main)
