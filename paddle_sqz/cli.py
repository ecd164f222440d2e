"""What every ``tools/*.py`` shares: one-line errors and a non-zero exit code."""
import sys
from typing import Callable, Optional, Sequence

from .errors import SqzError
from .io_utils import os_error_cause, os_error_path

PICKLE_FLAG_HELP = ("also read .pdparams weights (Python pickles: a pickle can run any code its author "
                    "put in it; use only for a file you made yourself or fully trust)")


def run_tool(main: Callable[[Optional[Sequence[str]]], int], argv: Optional[Sequence[str]] = None) -> None:
    """Run ``main(argv)``; a :class:`SqzError` or an OS error becomes ``error: ...`` on stderr and exit code 2.

    An OS error (disk full, read-only folder, permission denied) that reached here
    unconverted still gets one line naming its file and cause, never a traceback.
    """
    try:
        code = main(argv)
    except SqzError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{os_error_path(exc, 'a file')}: {os_error_cause(exc)}")
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(code or 0)


def _fail(message: str) -> None:
    one_line = message.replace("\r", " ").replace("\n", " ")  # whatever the message held
    print(f"error: {one_line}", file=sys.stderr)
    sys.exit(2)
