"""Reading the small text files users write by hand (list files, labels), with errors they can act on.

Windows editors often save GBK or UTF-16; the error says where the first bad byte is,
which line it is on and what to do (save as UTF-8, or name the encoding).
"""
import codecs
from pathlib import Path

from ..errors import SqzError
from ..io_utils import os_error_cause

MAX_BYTES = 256 * 2 ** 20  # a list of a million photos is ~60 MB; anything larger is not a list


def read_text(path: Path, what: str, encoding: str = "utf-8") -> str:
    """The text of ``path`` (a leading UTF-8 byte-order mark dropped); every fault is one line naming the file."""
    try:
        codec = codecs.lookup(encoding).name
    except (LookupError, TypeError, ValueError):
        raise SqzError(f"data.encoding: unknown text encoding {encoding!r} (e.g. utf-8, gbk, utf-16)") from None
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SqzError(f"{path}: {path.stat().st_size} bytes is too large for a {what}")
        data = path.read_bytes()
    except FileNotFoundError:
        raise SqzError(f"{path}: {what} not found") from None
    except IsADirectoryError:
        raise SqzError(f"{path}: is a folder, expected a {what}") from None
    except OSError as exc:
        raise SqzError(f"{path}: cannot read {what} ({os_error_cause(exc)})") from None
    try:
        return data.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        hint = ("save it as UTF-8 (e.g. Notepad: Save as, Encoding UTF-8), or set data.encoding to its encoding "
                "(gbk for most Chinese Windows editors)" if codec == "utf-8"
                else "check data.encoding, or save the file as UTF-8")
        raise SqzError(f"{path}:{line}: not {encoding} text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                       f"{hint}") from None
