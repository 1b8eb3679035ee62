"""Hamming-radius search over 64-bit hashes that stays fast as the bank grows.

Multi-index hashing (Norouzi et al.): split each hash into four 16-bit chunks. If two hashes
differ in at most r bits, some chunk differs in at most r // 4 bits (pigeonhole), so probing each
chunk table with every value within r // 4 bits finds all candidates; exact distances are then
checked on that short list. ``linear_search`` is the reference it is tested and benchmarked
against.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

CHUNKS = 4
CHUNK_BITS = 16


def _as_uint(values: np.ndarray | list[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).view(np.uint64)


def linear_search(hashes: np.ndarray, query: int, radius: int) -> np.ndarray:
    """Indices of hashes within ``radius`` bits of ``query`` (numpy scan, the reference)."""
    distances = np.bitwise_count(_as_uint(hashes) ^ _as_uint([query])[0])
    return np.flatnonzero(distances <= radius)


_MASKS: dict[int, np.ndarray] = {}


def _masks(radius: int) -> np.ndarray:
    """Every 16-bit XOR mask with at most ``radius`` bits set (cached; 697 masks at radius 3)."""
    if radius not in _MASKS:
        masks = [0]
        for flips in range(1, radius + 1):
            for bits in combinations(range(CHUNK_BITS), flips):
                masks.append(sum(1 << bit for bit in bits))
        _MASKS[radius] = np.asarray(masks, dtype=np.int64)
    return _MASKS[radius]


class MultiIndex:
    """Immutable index over a fixed array of hashes; rebuild it when the bank changes."""

    def __init__(self, hashes: np.ndarray | list[int]) -> None:
        self.hashes = np.asarray(hashes, dtype=np.int64)
        unsigned = _as_uint(self.hashes)
        self._order = []
        self._sorted = []
        for chunk in range(CHUNKS):
            keys = ((unsigned >> np.uint64(chunk * CHUNK_BITS)) & np.uint64(0xFFFF)).astype(
                np.int64)
            order = np.argsort(keys, kind="stable")
            self._order.append(order)
            self._sorted.append(keys[order])

    def __len__(self) -> int:
        return len(self.hashes)

    def search(self, query: int, radius: int) -> np.ndarray:
        if not len(self.hashes):
            return np.empty(0, dtype=np.int64)
        unsigned = int(_as_uint([query])[0])
        masks = _masks(radius // CHUNKS)
        found = []
        for chunk in range(CHUNKS):
            probes = ((unsigned >> (chunk * CHUNK_BITS)) & 0xFFFF) ^ masks
            keys = self._sorted[chunk]
            lo = np.searchsorted(keys, probes, side="left")
            lengths = np.searchsorted(keys, probes, side="right") - lo
            total = int(lengths.sum())
            if total:
                # Concatenate the ranges [lo, lo+length) without a Python loop.
                starts = np.repeat(lo - np.cumsum(lengths) + lengths, lengths)
                found.append(self._order[chunk][starts + np.arange(total)])
        if not found:
            return np.empty(0, dtype=np.int64)
        candidates = np.concatenate(found)
        distances = np.bitwise_count(_as_uint(self.hashes[candidates]) ^ np.uint64(unsigned))
        candidates = np.unique(candidates[distances <= radius])
        return candidates
