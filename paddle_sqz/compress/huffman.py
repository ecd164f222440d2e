"""Canonical, length-limited Huffman coding of small-integer symbol arrays, in numpy.

Deep Compression codes its weight indices and sparse gaps with Huffman codes; a
general-purpose byte compressor cannot exploit a skewed distribution over more
than 256 symbols as well. Codes are canonical (only each symbol's code length is
stored) and at most ``MAX_BITS`` long, so decoding is one table look-up per
symbol over a precomputed ``MAX_BITS``-bit window of the bit stream.
"""
import heapq
import zlib
from typing import Tuple

import numpy as np

from ..errors import SqzError

MAX_BITS = 16
MAX_ALPHABET = 1 << 28  # code-length table entries read at most (no zip bomb)


def code_lengths(counts: np.ndarray, max_bits: int = MAX_BITS) -> np.ndarray:
    """Huffman code length per symbol (0 for absent symbols), none longer than ``max_bits``.

    Over-long codes are avoided by raising the rarest counts to a floor (doubled
    until the tree is shallow enough): only symbols rarer than about 2^-max_bits
    get shorter codes than ideal, so the common ones keep their optimal lengths.
    """
    counts = np.asarray(counts, dtype=np.int64)
    present = np.flatnonzero(counts)
    lengths = np.zeros(len(counts), np.uint8)
    if len(present) <= 1:  # one symbol (or none): a 1-bit code keeps the table valid
        lengths[present[0] if len(present) else 0] = 1
        return lengths
    work = counts[present].copy()
    floor = max(1, int(work.sum()) >> max_bits)
    while True:
        depth = _tree_depths(np.maximum(work, floor))
        if depth.max() <= max_bits:
            lengths[present] = depth
            return lengths
        floor *= 2


def _tree_depths(weights: np.ndarray) -> np.ndarray:
    """Depth of every leaf of the Huffman tree over ``weights`` (ties broken by order)."""
    heap = [(int(w), i, [i]) for i, w in enumerate(weights)]
    heapq.heapify(heap)
    depth = np.zeros(len(weights), np.int64)
    tie = len(weights)
    while len(heap) > 1:
        w1, _, a = heapq.heappop(heap)
        w2, _, b = heapq.heappop(heap)
        depth[a] += 1
        depth[b] += 1
        heapq.heappush(heap, (w1 + w2, tie, a + b))
        tie += 1
    return depth


def canonical_codes(lengths: np.ndarray) -> np.ndarray:
    """The canonical code of each symbol (by length, then symbol value)."""
    codes = np.zeros(len(lengths), np.int64)
    order = sorted((int(n), s) for s, n in enumerate(lengths) if n)
    code, prev = 0, order[0][0] if order else 0
    for n, symbol in order:
        code <<= n - prev
        codes[symbol] = code
        code += 1
        prev = n
    return codes


def encode(symbols: np.ndarray) -> bytes:
    """``symbols`` (non-negative ints) -> table of code lengths + bit stream."""
    symbols = np.asarray(symbols, dtype=np.int64).reshape(-1)
    alphabet = int(symbols.max()) + 1 if len(symbols) else 1
    lengths = code_lengths(np.bincount(symbols, minlength=alphabet))
    codes = canonical_codes(lengths)
    n, c = lengths[symbols].astype(np.int32), codes[symbols].astype(np.int32)
    shifts = np.arange(MAX_BITS - 1, -1, -1, dtype=np.int32)  # left-align every code in MAX_BITS bits
    bits = (((c << (MAX_BITS - n))[:, None] >> shifts) & 1).astype(np.uint8)
    keep = np.arange(MAX_BITS)[None, :] < n[:, None]
    stream = np.packbits(bits[keep]).tobytes()
    table = zlib.compress(lengths.tobytes(), 9)
    return len(table).to_bytes(4, "little") + table + stream


def decode(blob: bytes, count: int) -> np.ndarray:
    """Inverse of :func:`encode`; ``count`` symbols. A damaged stream raises :class:`SqzError`."""
    lengths, stream = _split(blob)
    codes = canonical_codes(lengths)
    # look-up table over every MAX_BITS-bit window: symbol and its code length
    lut_symbol = np.full(1 << MAX_BITS, -1, np.int64)
    lut_length = np.zeros(1 << MAX_BITS, np.int64)
    for symbol in np.flatnonzero(lengths):
        n = int(lengths[symbol])
        start = int(codes[symbol]) << (MAX_BITS - n)
        lut_symbol[start:start + (1 << (MAX_BITS - n))] = symbol
        lut_length[start:start + (1 << (MAX_BITS - n))] = n
    bits = np.unpackbits(np.frombuffer(stream, np.uint8)).astype(np.int64)
    bits = np.concatenate([bits, np.zeros(MAX_BITS, np.int64)])
    windows = np.zeros(len(bits) - MAX_BITS, np.int64)
    for j in range(MAX_BITS):
        windows = (windows << 1) | bits[j:len(bits) - MAX_BITS + j]
    step, symbol_at = lut_length[windows].tolist(), lut_symbol[windows]
    starts, pos, end = [], 0, len(windows)
    for _ in range(count):
        if pos >= end or step[pos] == 0:
            raise SqzError("Huffman stream ends early or holds an invalid code")
        starts.append(pos)
        pos += step[pos]
    return symbol_at[np.asarray(starts, np.int64)] if starts else np.zeros(0, np.int64)


def _split(blob: bytes) -> Tuple[np.ndarray, bytes]:
    try:
        size = int.from_bytes(blob[:4], "little")
        lengths = np.frombuffer(zlib.decompressobj().decompress(blob[4:4 + size], MAX_ALPHABET), np.uint8)
    except zlib.error as exc:
        raise SqzError(f"Huffman table is damaged ({exc})") from None
    used = lengths[lengths > 0].astype(np.float64)
    if len(used) == 0 or used.max() > MAX_BITS or np.sum(2.0 ** -used) > 1.0:
        raise SqzError("Huffman table is damaged (code lengths out of range)")
    return lengths, blob[4 + size:]
