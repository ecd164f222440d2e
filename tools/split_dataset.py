"""Split a one-folder-per-class image folder into train.txt, test.txt and labels.txt.

Example: ``python tools/split_dataset.py --root datasets/bird_photos`` (see datasets/README.md).
Labels follow the sorted class-folder names; the same folder and seed give identical files.
"""
import argparse

import _bootstrap  # noqa: F401  (puts the repo on sys.path so this runs uninstalled)
from paddle_sqz.cli import run_tool


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default="datasets/bird_photos",
                        help="folder with one sub-folder of images per class (default: %(default)s)")
    parser.add_argument("--out", help="where to write the three files (default: the root folder)")
    parser.add_argument("--train-ratio", type=float, default=0.7,
                        help="share of each class used for training, rounded half up (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="shuffling seed (default: %(default)s)")
    args = parser.parse_args(argv)
    from paddle_sqz.data.split import split_class_folders
    result = split_class_folders(args.root, out_dir=args.out, train_ratio=args.train_ratio, seed=args.seed)
    if result["descended_into"]:
        print(f"class folders found in {result['descended_into']}")
    classes = result["classes"]
    width = max(len("class"), *(len(c["name"]) for c in classes))
    print(f"{'class':<{width}}  label  train  test")
    for c in classes:
        print(f"{c['name']:<{width}}  {c['label']:>5}  {c['train']:>5}  {c['test']:>4}")
    total_train, total_test = sum(c["train"] for c in classes), sum(c["test"] for c in classes)
    print(f"{'total':<{width}}  {'':>5}  {total_train:>5}  {total_test:>4}")
    skipped = result["skipped"]
    if skipped:
        shown = ", ".join(skipped[:8]) + (f", ... ({len(skipped) - 8} more)" if len(skipped) > 8 else "")
        print(f"skipped {len(skipped)} entries that are not class folders or images: {shown}")
    for path in result["files"].values():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    run_tool(main)
