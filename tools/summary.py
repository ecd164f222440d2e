"""Print a model's layer table and parameter totals (the tutorial's paddle.summary step).

``python tools/summary.py --cfg birds [-o model.name=squeezenet1_1]``; ``--list`` names every model.
``--table1`` prints the SqueezeNet paper's Table 1 instead (per-layer sizes, filters, parameters):
``python tools/summary.py --cfg birds --table1 --input-size 227 -o model.num_classes=1000``.
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
    parser.add_argument("--table1", action="store_true",
                        help="SqueezeNet models: the paper's Table 1 (layer, output size, s1x1/e1x1/e3x3, parameters)")
    parser.add_argument("--input-size", type=int, metavar="PX",
                        help="square input size (default: data.image_size; the paper's Table 1 uses 227)")
    args = parser.parse_args(argv)
    from paddle_sqz.models import list_models
    if args.list:
        print("\n".join(list_models()))
        return 0
    if not args.cfg:
        parser.error("give --cfg NAME_OR_PATH (or --list)")
    from paddle_sqz.config import load_config
    from paddle_sqz.models import create_model
    from paddle_sqz.models.layer_table import layer_table
    from paddle_sqz.report.tables import format_model_summary
    cfg = load_config(args.cfg, args.override)
    size = args.input_size or cfg["data"]["image_size"]
    if size < 1:
        parser.error("--input-size must be at least 1")
    if args.table1:
        from paddle_sqz.models.table1 import table1_rows
        from paddle_sqz.report.table1 import format_table1
        m = cfg["model"]
        print(format_table1(table1_rows(create_model(m["name"], m), size),
                            f"Table 1: {m['name']}, {m['num_classes']} classes, bypass {m['bypass']}, "
                            f"{m['in_channels']}x{size}x{size} input"))
        return 0
    model = create_model(cfg["model"]["name"], cfg["model"])
    print(format_model_summary(layer_table(model, (1, cfg["model"]["in_channels"], size, size))))
    return 0


if __name__ == "__main__":
    run_tool(main)
