"""Deep Compression of a trained run into one small ``.sqz`` file, then its test accuracy.

``python tools/compress.py --run output/qd14-... --sparsity 0.33 --bits 6``

Prunes the smallest weights (per layer or globally), optionally fine-tunes the
survivors for a few epochs with the pruned ones held at zero, shares weights by
k-means (2^bits centroids per tensor) or a linear grid, entropy-codes indices and
sparse positions, and writes ``RUN/compressed/model_<bits>bit.sqz``. The file is
then evaluated like any weights: ``tools/eval.py --run RUN --weights FILE.sqz``.
"""
import argparse

import _bootstrap  # noqa: F401
from paddle_sqz.cli import run_tool


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", required=True, metavar="RUN_DIR", help="run folder written by tools/train.py")
    parser.add_argument("--sparsity", type=float, default=0.33, help="fraction of weights set to zero (0.33)")
    parser.add_argument("--bits", type=int, default=6, help="bits per shared weight index; 32 = keep float32 (6)")
    parser.add_argument("--method", choices=("kmeans", "linear"), default="kmeans", help="weight sharing")
    parser.add_argument("--scope", choices=("layer", "global"), default="layer", help="pruning threshold scope")
    parser.add_argument("--bias-bits", type=int, default=8, help="bits for biases (never pruned); 32 = float32")
    parser.add_argument("--finetune-epochs", type=int, default=0, help="retrain the pruned model this many epochs")
    parser.add_argument("--prune-rounds", type=int, default=1,
                        help="reach --sparsity in this many prune + fine-tune rounds (1)")
    parser.add_argument("--finetune-lr", type=float, help="learning rate of the fine-tuning (default the run's)")
    parser.add_argument("--out", metavar="FILE.sqz", help="default RUN/compressed/model_<bits>bit.sqz")
    parser.add_argument("--no-eval", action="store_true", help="skip the test-set evaluation")
    args = parser.parse_args(argv)
    from paddle_sqz.tasks.compress_run import compress_run
    from paddle_sqz.tasks.evaluate import evaluate_run
    result = compress_run(args.run, args.sparsity, args.bits, args.method, args.scope, args.bias_bits,
                          args.finetune_epochs, args.finetune_lr, args.out, args.prune_rounds)
    print(f"wrote {result['path']}: {result['bytes']:,} bytes ({result['fp32_bytes'] / result['bytes']:.1f}x "
          f"smaller than float32 {result['fp32_bytes']:,}), sparsity {result['sparsity']:.2%}, "
          f"{result['bits']}-bit; streams " + ", ".join(f"{k} {v:,}" for k, v in result["streams"].items()))
    if not args.no_eval:
        summary = evaluate_run(args.run, weights=result["path"],
                               out_dir=f"{result['path'][:-len('.sqz')]}_eval")
        from paddle_sqz.report.tables import format_accuracy
        accuracy = format_accuracy(summary["top1"], summary["top5"], len(summary["class_names"]))
        print(f"test {accuracy} on {summary['images']} images")
    return 0


if __name__ == "__main__":
    run_tool(main)
