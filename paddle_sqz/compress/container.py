"""The ``.sqz`` file: one self-checking file per compressed model.

Layout (little-endian)::

    b"PSQZ" | version u16 | header length u32 | header (zlib JSON) | payload | CRC-32 u32

The header lists every tensor (name, shape, how it is coded) and where its
streams sit in the payload; the CRC-32 covers every byte before it. Any
truncation, edited byte, foreign file or future version is refused with a
:class:`SqzError` naming the file, before a single weight is decoded.
"""
import json
import struct
import zlib
from pathlib import Path
from typing import Any, Dict, List, Tuple

from ..errors import SqzError
from ..io_utils import PathLike, atomic_write_bytes, os_error_cause

MAGIC = b"PSQZ"
VERSION = 1
_PREFIX = struct.Struct("<4sHI")  # magic, version, header length
_CRC = struct.Struct("<I")
MAX_HEADER = 64 * 2 ** 20  # inflated header bytes; a real one is a few kB per tensor


def pack(header: Dict[str, Any], payload: bytes) -> bytes:
    """The whole file as bytes: prefix, compressed JSON header, payload, checksum."""
    head = zlib.compress(json.dumps(header, separators=(",", ":"), sort_keys=True).encode(), 9)
    body = _PREFIX.pack(MAGIC, VERSION, len(head)) + head + payload
    return body + _CRC.pack(zlib.crc32(body))


def unpack(data: bytes, where: str) -> Tuple[Dict[str, Any], bytes]:
    """``(header, payload)`` of a file's bytes, after checking magic, version, length and CRC."""
    if len(data) < _PREFIX.size + _CRC.size:
        raise SqzError(f"{where}: too short ({len(data)} bytes) to be a .sqz file (truncated?)")
    magic, version, head_len = _PREFIX.unpack_from(data)
    if magic != MAGIC:
        raise SqzError(f"{where}: not a paddle_sqz compressed model (magic {magic!r}, expected {MAGIC!r})")
    if version != VERSION:
        raise SqzError(f"{where}: .sqz format version {version}; this paddle_sqz reads version {VERSION}")
    (stored,) = _CRC.unpack_from(data, len(data) - _CRC.size)
    if zlib.crc32(data[:-_CRC.size]) != stored:
        raise SqzError(f"{where}: checksum mismatch: the file is truncated or was modified")
    start = _PREFIX.size
    if start + head_len > len(data) - _CRC.size:
        raise SqzError(f"{where}: header length {head_len} runs past the end of the file")
    try:
        inflater = zlib.decompressobj()
        text = inflater.decompress(data[start:start + head_len], MAX_HEADER)
        if inflater.unconsumed_tail:
            raise ValueError(f"larger than {MAX_HEADER} bytes")
        header = json.loads(text)
    except (zlib.error, ValueError, RecursionError) as exc:
        raise SqzError(f"{where}: unreadable header ({exc})") from None
    if not isinstance(header, dict):
        raise SqzError(f"{where}: header is not a JSON object")
    return header, data[start + head_len:-_CRC.size]


def write(path: PathLike, header: Dict[str, Any], payload: bytes) -> int:
    """Write atomically (a crash never leaves half a file); returns the file size in bytes."""
    data = pack(header, payload)
    atomic_write_bytes(path, data)
    return len(data)


def read(path: PathLike) -> Tuple[Dict[str, Any], bytes]:
    """``(header, payload)`` of a ``.sqz`` file; a missing or damaged file names itself."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SqzError(f"{path}: file not found") from None
    except OSError as exc:
        raise SqzError(f"{path}: cannot read ({os_error_cause(exc)})") from None
    return unpack(data, str(path))


def blob(payload: bytes, ref: List[int], where: str) -> bytes:
    """The bytes of one stream, ``ref = [offset, length]``, checked against the payload."""
    try:
        offset, length = int(ref[0]), int(ref[1])
    except (TypeError, ValueError, IndexError, OverflowError, KeyError):
        raise SqzError(f"{where}: stream reference {ref!r} is not [offset, length]") from None
    if offset < 0 or length < 0 or offset + length > len(payload):
        raise SqzError(f"{where}: stream [{offset}, +{length}] outside the {len(payload)}-byte payload")
    return payload[offset:offset + length]
