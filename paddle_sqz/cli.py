"""What every ``tools/*.py`` shares: one-line errors and a non-zero exit code."""
import sys
from typing import Callable, Optional, Sequence

from .errors import SqzError


def run_tool(main: Callable[[Optional[Sequence[str]]], int], argv: Optional[Sequence[str]] = None) -> None:
    """Run ``main(argv)``; a :class:`SqzError` becomes ``error: ...`` on stderr and exit code 2."""
    try:
        code = main(argv)
    except SqzError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except ModuleNotFoundError as exc:
        if exc.name != "paddle":
            raise
        sys.exit(2)  # importing paddle_sqz already printed the one line with the pip commands
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(code or 0)
