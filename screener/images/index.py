"""Hamming-radius search over 64-bit hashes that stays sub-linear as the bank grows.

Multi-index hashing (Norouzi, Punjani & Fleet 2012): split each hash into ``m`` disjoint blocks.
If two hashes differ in at most ``r`` bits, some block differs in at most ``r // m`` bits
(pigeonhole), so probing every block with each value within ``r // m`` bits of the query's block
finds every hash within ``r``; exact distances are then checked on that short list only.

The block width follows the bank size (about log2(n) bits, Norouzi's rule): narrow blocks on a
large bank put thousands of hashes in every bucket, wide blocks on a small one need thousands of
probes. Each block is a counting sort: ``order`` lists rows by block value and ``offsets[v]`` is
where value ``v`` starts, so a probe costs two array reads instead of a binary search. Below
``LINEAR_BELOW`` hashes a scan is faster, so the index scans.

``linear_search`` is the reference the index is tested and benchmarked against: both return the
same rows, in increasing order.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np

HASH_BITS = 64
# Offsets tables cost 4 bytes x 2**bits per block: 22 bits is 16 MB, the widest we allow.
_MAX_BLOCK_BITS = 22
_MIN_BLOCK_BITS = 8
# Below this many hashes a picture's lookup takes about a millisecond either way and runs of
# benchmarks/bench_images.py disagree on which is faster; the scan is the simpler, so it scans.
# From 100,000 hashes up the blocks win every run (3x at 100k, 10x at 1M for a picture).
LINEAR_BELOW = 16_384
_PROBE_COST = 8


def _as_uint(values: np.ndarray | list[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).view(np.uint64)


def _popcount(values: np.ndarray) -> np.ndarray:
    return np.bitwise_count(values.view(np.uint64))


def linear_search(hashes: np.ndarray, query: int, radius: int) -> np.ndarray:
    """Indices of hashes within ``radius`` bits of ``query`` (numpy scan, the reference)."""
    distances = np.bitwise_count(_as_uint(hashes) ^ _as_uint([query])[0])
    return np.flatnonzero(distances <= radius)


def _split(m: int) -> list[int]:
    base, extra = divmod(HASH_BITS, m)
    return [base + (1 if i < extra else 0) for i in range(m)]


def _probes(width: int, radius: int) -> int:
    return sum(math.comb(width, k) for k in range(min(radius, width) + 1))


def block_widths(n: int, radius: int) -> list[int]:
    """Block widths summing to 64 that make a search at ``radius`` cheapest on ``n`` hashes.

    A search costs a bucket lookup per probe plus one distance per hash sharing a probed
    bucket (n * probes / 2**width for uniform hashes); the cheapest split wins. A probe is a few
    scattered reads and a distance one contiguous read: measured, a probe costs about eight.
    """
    best: tuple[float, list[int]] | None = None
    for m in range(math.ceil(HASH_BITS / _MAX_BLOCK_BITS), HASH_BITS // _MIN_BLOCK_BITS + 1):
        widths = _split(m)
        cost = sum(_probes(w, radius // m) * (_PROBE_COST + n / 2 ** w) for w in widths)
        if best is None or cost < best[0]:
            best = (cost, widths)
    return best[1]


_MASKS: dict[tuple[int, int], np.ndarray] = {}


def _masks(width: int, radius: int) -> np.ndarray:
    """Every ``width``-bit XOR mask with at most ``radius`` bits set (cached)."""
    key = (width, radius)
    if key not in _MASKS:
        masks = [0]
        for flips in range(1, min(radius, width) + 1):
            for bits in combinations(range(width), flips):
                masks.append(sum(1 << bit for bit in bits))
        _MASKS[key] = np.asarray(masks, dtype=np.int64)
    return _MASKS[key]


class _Block:
    """One block: rows sorted by the block's value, with their hashes in the same order so the
    exact-distance check reads contiguous memory."""

    __slots__ = ("hashes", "offsets", "order", "shift", "width")

    def __init__(self, unsigned: np.ndarray, shift: int, width: int) -> None:
        self.shift, self.width = shift, width
        keys = self._keys(unsigned)
        self.order = np.argsort(keys, kind="stable")
        self.hashes = unsigned[self.order]
        counts = np.bincount(keys, minlength=1 << width)
        self.offsets = np.zeros((1 << width) + 1, dtype=np.int64)
        np.cumsum(counts, out=self.offsets[1:])

    def _keys(self, unsigned: np.ndarray) -> np.ndarray:
        mask = np.uint64((1 << self.width) - 1)
        return ((unsigned >> np.uint64(self.shift)) & mask).astype(np.int64)

    def within(self, queries: np.ndarray, block_radius: int,
               radius: int) -> tuple[np.ndarray, np.ndarray]:
        """(query number, row) for every stored hash within ``radius`` bits of a query among
        those whose block is within ``block_radius`` bits of that query's block."""
        probes = self._keys(queries)[:, None] ^ _masks(self.width, block_radius)[None, :]
        lo = self.offsets[probes].ravel()
        lengths = self.offsets[probes + 1].ravel() - lo
        total = int(lengths.sum())
        if not total:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty
        # Concatenate the ranges [lo, lo + length) without a Python loop.
        ends = np.cumsum(lengths)
        positions = np.arange(total) - np.repeat(ends - lengths - lo, lengths)
        owner = np.repeat(np.arange(probes.size) // probes.shape[1], lengths)
        keep = np.bitwise_count(self.hashes[positions] ^ queries[owner]) <= radius
        return owner[keep], self.order[positions[keep]]


class MultiIndex:
    """Immutable index over a fixed array of hashes; rebuild it when the bank changes.

    ``radius`` is the search radius the blocks are sized for; any radius gives exact results,
    other radii just run slower. ``linear_below``: bank size under which it scans instead.
    """

    def __init__(self, hashes: np.ndarray | list[int], radius: int = 11,
                 linear_below: int = LINEAR_BELOW) -> None:
        self.hashes = np.asarray(hashes, dtype=np.int64)
        self._unsigned = _as_uint(self.hashes)
        self._blocks: list[_Block] = []
        if len(self.hashes) >= max(1, linear_below):
            shift = 0
            for width in block_widths(len(self.hashes), radius):
                self._blocks.append(_Block(self._unsigned, shift, width))
                shift += width

    def __len__(self) -> int:
        return len(self.hashes)

    def search(self, query: int, radius: int) -> np.ndarray:
        """Rows within ``radius`` bits of ``query``, increasing (same as ``linear_search``)."""
        return self.search_many([query], radius)[0]

    def search_many(self, queries: list[int] | np.ndarray, radius: int) -> list[np.ndarray]:
        """``search`` for several queries at once (one vectorised pass per block)."""
        unsigned = _as_uint(queries)
        if not len(self.hashes):
            return [np.empty(0, dtype=np.int64) for _ in unsigned]
        if not self._blocks:
            return [np.flatnonzero(np.bitwise_count(self._unsigned ^ q) <= radius)
                    for q in unsigned]
        block_radius = radius // len(self._blocks)
        found = [block.within(unsigned, block_radius, radius) for block in self._blocks]
        owner = np.concatenate([f[0] for f in found])
        rows = np.concatenate([f[1] for f in found])
        # One (query, row) pair once, even when several blocks nominated it.
        pairs = np.unique(owner * len(self.hashes) + rows)
        owner, rows = np.divmod(pairs, len(self.hashes))
        bounds = np.searchsorted(owner, np.arange(len(unsigned) + 1))
        return [rows[bounds[i]:bounds[i + 1]] for i in range(len(unsigned))]
