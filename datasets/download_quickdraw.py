"""Download Quick Draw ``numpy_bitmap`` class files (resumable; skips complete files).

    python datasets/download_quickdraw.py --classes apple "house plant" cat
    python datasets/download_quickdraw.py --classes-file datasets/quickdraw_100_classes.txt \
        --max-per-class 4000          # the tutorial's setting: 100 classes x 3.1 MB

``--max-per-class N`` fetches only the first N drawings of each class (what the
tutorial trains on) instead of whole files of 80-250 MB. The tutorial does not name
its 100 classes; ``quickdraw_100_classes.txt`` is this project's documented choice
(see datasets/README.md). Interrupted downloads resume from their ``.part`` file.
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
    parser.add_argument("--max-per-class", type=int, metavar="N",
                        help="fetch only the first N drawings of each class (tutorial: 4000)")
    parser.add_argument("--base", default=DEFAULT_BASE, help="base URL of the numpy_bitmap files")
    args = parser.parse_args(argv)
    classes = args.classes or read_classes_file(args.classes_file)
    paths = download_classes(classes, args.out, base=args.base, max_per_class=args.max_per_class)
    megabytes = sum(p.stat().st_size for p in paths) / 1e6
    print(f"{len(paths)} class files ({megabytes:.1f} MB) in {Path(args.out).resolve()}")
    return 0


if __name__ == "__main__":
    run_tool(main)
