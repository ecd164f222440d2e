"""Print a model's layer table and parameter totals (the tutorial's paddle.summary step).

``python tools/summary.py --cfg birds [-o model.name=squeezenet1_1]``; ``--list`` names every model.
"""
import argparse

import _bootstrap  # noqa: F401
from paddle_sqz.cli import run_tool


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cfg", help="shipped config name or YAML path")
    parser.add_argument("-o", "--override", action="extend", nargs="+", default=[], metavar="KEY=VALUE",
                        help="override config keys, e.g. -o model.name=squeezenet1_1")
    parser.add_argument("--list", action="store_true", help="list the registered models and exit")
    args = parser.parse_args(argv)
    from paddle_sqz.models import list_models
    if args.list:
        print("\n".join(list_models()))
        return 0
    if not args.cfg:
        parser.error("give --cfg NAME_OR_PATH (or --list)")
    from paddle_sqz.config import load_config
    from paddle_sqz.engine.build import build_model
    from paddle_sqz.report.tables import model_summary
    cfg = load_config(args.cfg, args.override)
    size = cfg["data"]["image_size"]
    print(model_summary(build_model(cfg), (1, cfg["model"]["in_channels"], size, size)))
    return 0


if __name__ == "__main__":
    run_tool(main)
