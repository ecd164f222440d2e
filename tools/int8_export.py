"""int8 deployment of a trained run: Paddle PTQ, Paddle Inference export, accuracy and speed.

``python tools/int8_export.py --run output/qd14-... [--calib-batches 8] [--threads 2]``

Writes ``RUN/int8/{fp32,int8}/inference.pdmodel`` (+ ``.pdiparams``) and
``RUN/int8/int8.json`` / ``int8.md``: test top-1/top-5, images/s at batch 64 and
batch-1 latency of the fp32 and the int8 program, both on oneDNN.
"""
import argparse
import os

os.environ.setdefault("FLAGS_enable_pir_api", "0")  # the PIR export of a quantized model does not load

import _bootstrap  # noqa: E402,F401
from paddle_sqz.cli import run_tool  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", required=True, metavar="RUN_DIR", help="run folder written by tools/train.py")
    parser.add_argument("--calib-batches", type=int, default=8, help="training batches for calibration (8)")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads of the predictors (2)")
    parser.add_argument("--out", metavar="DIR", help="default RUN/int8")
    args = parser.parse_args(argv)
    import json
    from pathlib import Path
    from paddle_sqz.deploy.int8 import int8_report
    from paddle_sqz.io_utils import atomic_write_text
    report = int8_report(args.run, args.out, args.calib_batches, threads=args.threads)
    lines = [f"| model | test top-1 | test top-5 | images/s (batch {report['rows'][0]['batch']}) | "
             "latency batch 1 (ms) | params file (bytes) |", "|---|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['model']} | {r['top1']:.2%} | {r['top5']:.2%} | {r['images_per_s']:,.0f} | "
              f"{r['latency_ms']:.2f} | {r['params_bytes']:,} |" for r in report["rows"]]
    table = "\n".join(lines) + "\n"
    out = Path(report["out_dir"])
    atomic_write_text(out / "int8.json", json.dumps(report, indent=2) + "\n")
    atomic_write_text(out / "int8.md", f"Paddle {report['paddle']}, oneDNN, {report['threads']} threads, "
                                       f"PTQ calibrated on {report['calibration_batches']} training batches\n\n"
                                       + table)
    print(table, end="")
    print(f"wrote {out / 'int8.json'} and {out / 'int8.md'}")
    return 0


if __name__ == "__main__":
    run_tool(main)
