"""Train a model from a config: ``python tools/train.py --cfg birds [-o train.epochs=5] [--resume RUN_DIR]``."""
import argparse

import _bootstrap  # noqa: F401  (sys.path and runtime settings before Paddle loads)
from paddle_sqz.cli import run_tool


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cfg", help="shipped config name (birds, birds_fullres, demo, ...) or a YAML path")
    parser.add_argument("-o", "--override", action="extend", nargs="+", default=[], metavar="KEY=VALUE",
                        help="override a config key, e.g. -o train.epochs=5 (repeatable)")
    parser.add_argument("--resume", metavar="RUN_DIR", help="continue a stopped run from its latest checkpoint")
    args = parser.parse_args(argv)
    if bool(args.cfg) == bool(args.resume):
        parser.error("give either --cfg NAME_OR_PATH or --resume RUN_DIR")
    from paddle_sqz.config import load_config
    from paddle_sqz.train.trainer import resume_config, train
    cfg = resume_config(args.resume, args.override) if args.resume else load_config(args.cfg, args.override)
    run_path = train(cfg, resume=args.resume)
    if run_path:
        print(f"run folder: {run_path}")
    return 0


if __name__ == "__main__":
    run_tool(main)
