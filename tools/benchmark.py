"""Measure the package's speed against plain Paddle and the tutorial's loop, side by side in one run.

``python tools/benchmark.py [--list datasets/x/train.txt] [--batch 32] [--size 224] [--json out.json]``

(a) training step: paddle_sqz's SqueezeNet vs paddle.vision's in a plain process;
(b) tools/train.py's training epoch vs the raw step (what the input pipeline costs);
(c) the tutorial-style loop vs the package's pipeline on the same list files;
(d) evaluation in dygraph vs the exported Paddle Inference model, and batch-1 latency.
Each measurement runs in its own process, after warm-up, as the median of repeats.
``--quick`` uses tiny sizes (a smoke test in well under a minute).
"""
import argparse
from pathlib import Path

import _bootstrap  # noqa: F401
from paddle_sqz.cli import run_tool


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", metavar="TRAIN_TXT", help="train list (test.txt, labels.txt beside it); "
                        "default: the demo data set (datasets/demo)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--size", type=int, default=224, help="input size in pixels")
    parser.add_argument("--pad", type=int, default=32, help="letterbox size before resizing (the tutorial's 32); "
                        "0: letterbox at --size")
    parser.add_argument("--steps", type=int, default=3, help="training steps per timed repeat")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3, help="epochs of the pipelines (the first is warm-up)")
    parser.add_argument("--models", nargs="+", default=["squeezenet1_1", "squeezenet1_0"],
                        choices=["squeezenet1_1", "squeezenet1_0"])
    parser.add_argument("--pipeline-model", default="squeezenet1_1", choices=["squeezenet1_1", "squeezenet1_0"])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: batch 4, 32 px, 1 step, 2 epochs")
    parser.add_argument("--json", metavar="FILE", default="benchmark.json", help="where to write the report")
    args = parser.parse_args(argv)
    for name in ("batch", "size", "steps", "repeats", "epochs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.quick:
        args.batch, args.size, args.steps, args.warmup, args.repeats, args.epochs = 4, 32, 1, 1, 2, 2
        args.models, args.pad = ["squeezenet1_1"], 0
    from paddle_sqz.experiments.benchmark.runner import benchmark, format_table, write_report
    report = benchmark(args.models, args.batch, args.size, args.steps, args.warmup, args.repeats, args.epochs,
                       args.pad or None, args.list, args.pipeline_model)
    print(format_table(report))
    write_report(report, Path(args.json))
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    run_tool(main)
