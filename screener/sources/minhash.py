"""MinHash signatures of shingle sets and the LSH band layout, as datasketch defines them.

datasketch is the reference: the bank's signatures are computed by its ``MinHash`` (the
32-bit affine permutation scheme, seeded so that every process computes the same ones), and
its ``MinHashLSH`` optimizer chooses the bands for the Jaccard threshold. Both are fixed by
``Scheme`` (permutations, bands), which the index keeps in its cache file.

A draft's windows are signed by ``Scheme.sign``: the same affine32 MinHash (datasketch's
permutations and its MurmurHash3 pre-mix) evaluated for all windows in one NumPy expression;
``tests/sources/test_minhash.py`` holds it equal to datasketch's value for value. This is what
keeps ``import datasketch`` (which loads SciPy for the optimizer: measured 1.6-2.5 s on the
shared machine) out of a command that screens with an up-to-date index. The band tables are
sorted NumPy arrays (``index.py``), not datasketch's in-memory ``MinHashLSH``, which keeps a
Python set per bucket (``benchmarks/bench_sources.py`` measures its build time and memory for
the same 100,000 passages) and can be saved only as a pickle.

``SCHEME`` names everything a stored signature depends on; signatures made under another
scheme are recomputed from the stored text (``bank.py``), never compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..normalize.tables import TABLE_VERSION

NUM_PERM = 64
SEED = 12
SHINGLE = 5  # characters per shingle
SCHEME = f"minhash-affine32-p{NUM_PERM}-s{SEED}-k{SHINGLE}-fold{TABLE_VERSION}"
_MAX = np.uint32(0xFFFFFFFF)
# MurmurHash3's 32-bit finalizer, which datasketch applies before its permutations.
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35),
         np.uint32(16))


def _identity(value):
    return value  # shingles arrive already hashed to 32 bits (text.shingles)


def bank_signatures(sets: Iterable[np.ndarray]) -> np.ndarray:
    """One datasketch MinHash per set of 32-bit shingle hashes, as stored in the bank."""
    from datasketch import MinHash  # loads SciPy: only processes that add sources pay it

    rows = [np.asarray(m.hashvalues, dtype=np.uint32) for m in MinHash.generator(
        (s.tolist() for s in sets), num_perm=NUM_PERM, seed=SEED, hashfunc=_identity,
        scheme="affine32")]
    return np.vstack(rows) if rows else np.zeros((0, NUM_PERM), dtype=np.uint32)


@dataclass(frozen=True)
class Scheme:
    """datasketch's permutations (``a``, ``b``) and its bands for one threshold."""

    a: np.ndarray  # uint32, NUM_PERM
    b: np.ndarray  # uint32, NUM_PERM
    bands: int
    rows: int
    threshold: float

    @classmethod
    def from_datasketch(cls, threshold: float) -> Scheme:
        from datasketch import MinHash, MinHashLSH

        a, b = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations
        lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        return cls(np.asarray(a, np.uint32), np.asarray(b, np.uint32), lsh.b, lsh.r, threshold)

    def sign(self, sets: Sequence[np.ndarray]) -> np.ndarray:
        """(len(sets), NUM_PERM) signatures, equal to ``bank_signatures(sets)``."""
        out = np.full((len(sets), NUM_PERM), _MAX, dtype=np.uint32)
        sizes = np.array([s.size for s in sets], dtype=np.int64)
        if not sizes.sum():
            return out
        values = np.concatenate([np.asarray(s, np.uint32) for s in sets])
        s1, m1, s2, m2, s3 = _FMIX
        with np.errstate(over="ignore"):
            h = values ^ (values >> s1)
            h = h * m1
            h = h ^ (h >> s2)
            h = h * m2
            h = h ^ (h >> s3)
            permuted = h[:, None] * self.a[None, :] + self.b[None, :]
        nonempty = np.flatnonzero(sizes)
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))[nonempty]
        out[nonempty] = np.minimum.reduceat(permuted, starts, axis=0)
        return out

    def keys(self, sigs: np.ndarray) -> np.ndarray:
        return band_keys(sigs, self.bands, self.rows)


_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xC2B2AE3D27D4EB4F)


def band_keys(sigs: np.ndarray, b: int, r: int) -> np.ndarray:
    """(n, b) 64-bit keys: the ``r`` values of each band folded into one number. Two
    signatures share a key where they agree on the whole band (barring a 2**-64 collision)."""
    sigs = np.asarray(sigs, dtype=np.uint32).reshape(-1, NUM_PERM)
    keys = np.zeros((sigs.shape[0], b), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(b):
            h = np.full(sigs.shape[0], np.uint64(band + 1) * _K2, dtype=np.uint64)
            for row in range(r):
                h = (h ^ sigs[:, band * r + row].astype(np.uint64)) * _K1
                h ^= h >> np.uint64(32)
            keys[:, band] = h
    return keys
