"""Entropy coding of integer streams: every codec is tried and the smallest result kept.

Which coder wins depends on the stream (Huffman on skewed index distributions,
LZMA on long runs), so instead of guessing, :func:`encode_stream` measures all of
them and records the winner's id in the stream; :func:`codec_sizes` reports what
each would have cost, for the compression report.
"""
import bz2
import lzma
import zlib
from typing import Dict, Optional, Tuple

import numpy as np

from ..errors import SqzError
from . import huffman

CODECS = ("raw", "zlib", "bz2", "lzma", "huffman")


def _as_bytes(symbols: np.ndarray) -> bytes:
    """Symbols in the narrowest unsigned little-endian type that holds them."""
    top = int(symbols.max()) if len(symbols) else 0
    dtype = "<u1" if top < 1 << 8 else "<u2" if top < 1 << 16 else "<u4"
    return bytes([np.dtype(dtype).itemsize]) + symbols.astype(dtype).tobytes()


def _from_bytes(data: bytes, count: int) -> np.ndarray:
    width = {1: "<u1", 2: "<u2", 4: "<u4"}.get(data[0] if data else 0)
    if width is None or len(data) - 1 != count * np.dtype(width).itemsize:
        raise SqzError("integer stream has the wrong length or width")
    return np.frombuffer(data, width, offset=1).astype(np.int64)


def _encode_with(codec: str, symbols: np.ndarray) -> bytes:
    if codec == "huffman":
        return huffman.encode(symbols)
    raw = _as_bytes(symbols)
    if codec == "raw":
        return raw
    if codec == "zlib":
        return zlib.compress(raw, 6)
    if codec == "bz2":
        return bz2.compress(raw, 9)
    return lzma.compress(raw, preset=6)


def codec_sizes(symbols: np.ndarray) -> Dict[str, int]:
    """Bytes each codec needs for ``symbols`` (for the report's codec comparison)."""
    symbols = np.asarray(symbols, np.int64).reshape(-1)
    return {codec: len(_encode_with(codec, symbols)) for codec in CODECS}


def encode_stream(symbols: np.ndarray, tally: Optional[Dict[str, int]] = None) -> Tuple[str, bytes]:
    """The smallest encoding of ``symbols`` (non-negative ints): ``(codec name, bytes)``.

    ``tally`` (optional) accumulates what every codec would have cost, to compare them.
    """
    symbols = np.asarray(symbols, np.int64).reshape(-1)
    if len(symbols) and symbols.min() < 0:
        raise ValueError("encode_stream takes non-negative integers")
    best = None
    for codec in CODECS:
        data = _encode_with(codec, symbols)
        if tally is not None:
            tally[codec] = tally.get(codec, 0) + len(data)
        if best is None or len(data) < len(best[1]):
            best = (codec, data)
    return best


def decode_stream(codec: str, data: bytes, count: int) -> np.ndarray:
    """Inverse of :func:`encode_stream`; a damaged stream raises :class:`SqzError`."""
    if codec == "huffman":
        return huffman.decode(data, count)
    if codec not in CODECS:
        raise SqzError(f"unknown codec {codec!r}; known: {', '.join(CODECS)}")
    limit = 1 + 4 * count  # the longest stream of count symbols: decompress no further (no zip bombs)
    try:
        raw = data if codec == "raw" else _DECOMPRESSORS[codec]().decompress(data, limit + 1)
    except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        raise SqzError(f"{codec} stream is damaged ({exc})") from None
    return _from_bytes(raw, count)


_DECOMPRESSORS = {"zlib": zlib.decompressobj, "bz2": bz2.BZ2Decompressor, "lzma": lzma.LZMADecompressor}


def positions_to_gaps(flat_keep: np.ndarray) -> np.ndarray:
    """Kept positions as gaps (>= 1) from the previous kept one: small, skewed numbers to code."""
    positions = np.flatnonzero(flat_keep)
    return np.diff(positions, prepend=-1)


def gaps_to_positions(gaps: np.ndarray, size: int) -> np.ndarray:
    """Inverse of :func:`positions_to_gaps`, refusing positions outside a tensor of ``size``."""
    positions = np.cumsum(gaps) - 1
    if len(positions) and (gaps.min() < 1 or positions[-1] >= size):
        raise SqzError("sparse positions fall outside the tensor")
    return positions
