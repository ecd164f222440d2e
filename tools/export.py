"""Export a trained run for deployment: Paddle Inference, ONNX (+ int8), Paddle Lite.

``python tools/export.py --run output/birds-... [--format paddle onnx lite] [--int8 [--calib-images 256]]``

Writes into ``RUN/export/`` (or ``--out``): ``inference.json`` + ``inference.pdiparams``
(Paddle 3, always); ``model.onnx`` (opset 13, any batch size) and with ``--int8``
``model_int8.onnx`` calibrated on the run's own training images; ``lite/inference.pdmodel``
(the legacy program Paddle Lite reads) and, when ``paddle_lite_opt`` is installed,
``lite/model_arm.nb`` + ``lite/model_x86.nb``; ``labels.txt`` and ``export.json`` (classes,
preprocessing, formats, the exact paddle_lite_opt commands). Default formats: every one
that is installed. ``--weights FILE.sqz`` exports a Deep Compression file.
Then: ``tools/eval.py`` / ``tools/predict.py`` / ``tools/app.py`` with
``--engine inference|onnxruntime|onnxruntime-int8|lite``.

ONNX needs ``pip install 'paddle_sqz[onnx]'``; Paddle Lite wheels exist for Python <= 3.10
only (README, "Deploy").
"""
import argparse

import _bootstrap  # noqa: F401
from paddle_sqz.cli import add_weights_arguments, run_tool


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", required=True, metavar="RUN_DIR", help="run folder written by tools/train.py")
    add_weights_arguments(parser)
    parser.add_argument("--format", nargs="+", choices=("paddle", "onnx", "lite"), dest="formats",
                        help="formats to write (default: all that are installed)")
    parser.add_argument("--int8", action="store_true", help="also write model_int8.onnx (ONNX Runtime static int8)")
    parser.add_argument("--calib-images", type=int, default=256,
                        help="training images that calibrate the int8 activation ranges (256)")
    parser.add_argument("--opset", type=int, default=13, help="ONNX opset, at least 13 (13)")
    parser.add_argument("--out", metavar="DIR", help="folder to write (default RUN/export)")
    args = parser.parse_args(argv)
    from paddle_sqz.deploy.export import export_run, read_export, summary_lines
    folder = export_run(args.run, args.weights, args.out, args.formats, args.int8, args.calib_images, args.opset,
                        allow_pickle=args.allow_pickle)
    for line in summary_lines(read_export(folder), folder):
        print(line)
    return 0


if __name__ == "__main__":
    run_tool(main)
