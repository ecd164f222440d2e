"""Download Quick Draw ``numpy_bitmap`` class files (resumable; skips complete files).

    python datasets/download_quickdraw.py --classes apple "house plant" cat
    python datasets/download_quickdraw.py --classes-file my_classes.txt --out datasets/quickdraw

The tutorial does not publish its 100 class names, so you choose them: the 345
names are listed at https://github.com/googlecreativelab/quickdraw-dataset
(categories.txt). Interrupted downloads resume from ``<class>.npy.part``.
"""
import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from paddle_sqz.cli import run_tool  # noqa: E402
from paddle_sqz.data.download import DEFAULT_BASE, download_classes, read_classes_file  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "quickdraw"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--classes", nargs="+", metavar="NAME",
                       help="class names; quote names with spaces (\"house plant\")")
    which.add_argument("--classes-file", metavar="FILE",
                       help="a text file with one class name per line (# comments allowed)")
    parser.add_argument("--out", default=str(DEFAULT_OUT),
                        help="output folder (default: datasets/quickdraw in the repository)")
    parser.add_argument("--base", default=DEFAULT_BASE, help="base URL of the numpy_bitmap files")
    args = parser.parse_args(argv)
    classes = args.classes or read_classes_file(args.classes_file)
    paths = download_classes(classes, args.out, base=args.base)
    print(f"{len(paths)} class files in {Path(args.out).resolve()}")
    return 0


if __name__ == "__main__":
    run_tool(main)
