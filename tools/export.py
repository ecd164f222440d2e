"""Export a trained run as a Paddle inference model with its labels and preprocessing.

``python tools/export.py --run output/birds-... [--weights best|latest] [--out DIR]``

Writes ``inference.json`` + ``inference.pdiparams`` (Paddle 3), ``labels.txt`` and
``export.json`` into ``RUN/export/`` (or ``--out``). Use it with
``tools/eval.py --engine inference`` / ``tools/predict.py --engine inference``, or load it
with ``paddle.inference`` in your own program.
"""
import argparse

import _bootstrap  # noqa: F401
from paddle_sqz.cli import add_weights_arguments, run_tool


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", required=True, metavar="RUN_DIR", help="run folder written by tools/train.py")
    add_weights_arguments(parser)
    parser.add_argument("--out", metavar="DIR", help="folder to write (default RUN/export)")
    args = parser.parse_args(argv)
    from paddle_sqz.deploy.export import export_run, read_export
    folder = export_run(args.run, args.weights, args.out, allow_pickle=args.allow_pickle)
    info = read_export(folder)
    print(f"exported {info['model']} ({info['num_classes']} classes, input {info['input']['shape']}) "
          f"from {info['weights']}")
    print(f"wrote {folder}")
    return 0


if __name__ == "__main__":
    run_tool(main)
