"""The LSH index of the bank's passages: which passages a draft window may have been taken from.

Every passage's MinHash signature is cut into ``b`` bands of ``r`` values (datasketch's choice
for the Jaccard threshold, ``minhash.Scheme``); a passage is a candidate for a window when they
agree on a whole band. Each band is a sorted array of 64-bit band keys with the passages in
that order, so a lookup is a binary search and the whole index is a handful of NumPy arrays:

* saved to ``<home>/cache/sources/`` as ``.npz`` (``np.load(allow_pickle=False)``: data, never
  code) under the bank's stamp, so a command or a worker starting up loads it in milliseconds
  instead of reading every signature from the database;
* kept up to date in a long-running process: when the bank's stamp moves, only the passages of
  the sources added since are read, retired sources are dropped, and the bands are sorted again.

Candidates are ranked by the share of equal MinHash values (the estimated Jaccard similarity)
of their best window; exact alignment (``align.py``) decides what is reported.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .bank import IndexRows, SourceBank
from .minhash import NUM_PERM, SCHEME, Scheme

# A band bucket holding more passages than this is a shared boilerplate sentence or a text too
# short to tell apart (one shingle): it says nothing about where a window came from.
BUCKET_CAP = 500
# Above this many sources added at once, reading the whole bank again is quicker.
FOLLOW_LIMIT = 5000
_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Candidate:
    source_id: int
    similarity: float  # best estimated Jaccard similarity of a window and a passage
    window: int  # that window


class PassageIndex:
    def __init__(self, rows: IndexRows, scheme: Scheme, stamp: int) -> None:
        self.scheme = scheme
        self.stamp = stamp
        self.passage_ids = rows.passage_ids
        self.source_ids = rows.source_ids
        self.signatures = rows.signatures
        keys = scheme.keys(self.signatures)
        order = np.argsort(keys, axis=0, kind="stable")
        self.keys = np.ascontiguousarray(np.take_along_axis(keys, order, axis=0).T)
        self.order = np.ascontiguousarray(order.T.astype(np.int32))

    @classmethod
    def empty(cls) -> PassageIndex:
        """The index of a bank without sources (nothing to load, nothing to import)."""
        index = cls.__new__(cls)
        index.scheme, index.stamp = None, 0  # type: ignore[assignment]
        index.passage_ids = index.source_ids = np.zeros(0, np.int64)
        index.signatures = np.zeros((0, NUM_PERM), np.uint32)
        index.keys = np.zeros((0, 0), np.uint64)
        index.order = np.zeros((0, 0), np.int32)
        return index

    def __len__(self) -> int:
        return int(self.passage_ids.size)

    @property
    def sources(self) -> int:
        return int(np.unique(self.source_ids).size)

    # -- querying -----------------------------------------------------------------------------
    def candidates(self, windows: np.ndarray, *, limit: int, floor: float = 0.0
                   ) -> list[Candidate]:
        """The sources of the passages that share a band with one of ``windows``
        (signatures), best first, at most ``limit``; ``floor``: least estimated similarity."""
        if len(self) == 0 or windows.size == 0:
            return []
        query = self.scheme.keys(windows)
        found_w: list[np.ndarray] = []
        found_p: list[np.ndarray] = []
        for band in range(self.scheme.bands):
            keys = self.keys[band]
            lo = np.searchsorted(keys, query[:, band], "left")
            hi = np.searchsorted(keys, query[:, band], "right")
            for w in np.flatnonzero((hi > lo) & (hi - lo <= BUCKET_CAP)).tolist():
                rows = self.order[band, lo[w]:hi[w]]
                found_p.append(rows)
                found_w.append(np.full(rows.size, w, dtype=np.int32))
        if not found_p:
            return []
        pairs = np.unique(np.stack([np.concatenate(found_w),
                                    np.concatenate(found_p).astype(np.int32)]), axis=1)
        similarity = (self.signatures[pairs[1]] == windows[pairs[0]]).mean(axis=1)
        best: dict[int, Candidate] = {}
        for (w, p), sim in zip(pairs.T.tolist(), similarity.tolist(), strict=True):
            if sim < floor:
                continue
            source = int(self.source_ids[p])
            if source not in best or sim > best[source].similarity:
                best[source] = Candidate(source, sim, w)
        ranked = sorted(best.values(), key=lambda c: (-c.similarity, c.source_id))
        return ranked[:limit]

    # -- following the bank -------------------------------------------------------------------
    def followed(self, bank: SourceBank, stamp: int) -> PassageIndex:
        """This index brought up to ``stamp``: passages of sources added since, minus retired
        sources' (everything read again if too much changed)."""
        added, retired = bank.changes_since(self.stamp)
        if len(added) > FOLLOW_LIMIT:
            return PassageIndex(bank.index_rows(), self.scheme, stamp)
        keep = ~np.isin(self.source_ids, np.fromiter(retired | added, np.int64))
        new = bank.passages_of(added - retired)
        rows = IndexRows(np.concatenate([self.passage_ids[keep], new.passage_ids]),
                         np.concatenate([self.source_ids[keep], new.source_ids]),
                         np.concatenate([self.signatures[keep], new.signatures]))
        return PassageIndex(rows, self.scheme, stamp)

    # -- the cache file -----------------------------------------------------------------------
    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                scheme = self.scheme
                np.savez(out, format=np.array([_FORMAT]), scheme=np.array([SCHEME]),
                         stamp=np.array([self.stamp], np.int64),
                         threshold=np.array([scheme.threshold]), a=scheme.a, b=scheme.b,
                         bands=np.array([scheme.bands, scheme.rows]),
                         passage_ids=self.passage_ids,
                         source_ids=self.source_ids, signatures=self.signatures,
                         keys=self.keys, order=self.order)
            os.replace(temporary, path)
        except OSError:
            Path(temporary).unlink(missing_ok=True)  # a cache that cannot be written is skipped

    @classmethod
    def load(cls, path: Path, threshold: float) -> PassageIndex | None:
        """The index saved at ``path``, or None if there is none or it is not usable."""
        try:
            with np.load(path, allow_pickle=False) as data:
                if (int(data["format"][0]) != _FORMAT or str(data["scheme"][0]) != SCHEME
                        or float(data["threshold"][0]) != threshold):
                    return None
                index = cls.__new__(cls)
                bands, rows = (int(v) for v in data["bands"])
                index.scheme = Scheme(data["a"], data["b"], bands, rows, threshold)
                index.stamp = int(data["stamp"][0])
                index.passage_ids = data["passage_ids"]
                index.source_ids = data["source_ids"]
                index.signatures = data["signatures"]
                index.keys = data["keys"]
                index.order = data["order"]
        except (OSError, KeyError, ValueError, IndexError, EOFError, zipfile.BadZipFile):
            return None  # missing, truncated or not ours: rebuilt from the bank
        n, b = index.passage_ids.size, index.scheme.bands
        if (index.signatures.shape != (n, NUM_PERM) or index.keys.shape != (b, n)
                or index.order.shape != (b, n) or index.source_ids.shape != (n,)
                or index.scheme.a.shape != (NUM_PERM,) or index.scheme.b.shape != (NUM_PERM,)
                or b * index.scheme.rows > NUM_PERM
                or (n and (index.order.min() < 0 or index.order.max() >= n))):
            return None  # damaged: rebuilt from the bank
        return index


def cache_path(cache_dir: Path, url: str, threshold: float) -> Path:
    digest = hashlib.sha256(f"{url}\x00{SCHEME}\x00{threshold}".encode()).hexdigest()[:16]
    return Path(cache_dir) / "sources" / f"index-{digest}.npz"


def open_index(bank: SourceBank, cache_dir: Path, threshold: float,
               current: PassageIndex | None = None) -> PassageIndex:
    """The index of ``bank`` as it is now: ``current`` if still up to date, else followed from
    it or from the cache file, else built from the bank; the cache file is rewritten when it
    changed."""
    stamp = bank.stamp()
    if current is not None and current.stamp == stamp:
        return current
    if stamp == 0:
        return PassageIndex.empty()
    path = cache_path(cache_dir, bank.url, threshold)
    base = (current if current is not None and current.scheme is not None
            and current.stamp < stamp else None)
    if base is None:
        cached = PassageIndex.load(path, threshold)
        if cached is not None and cached.stamp == stamp:
            return cached
        base = cached if cached is not None and cached.stamp < stamp else None
    index = (base.followed(bank, stamp) if base is not None
             else PassageIndex(bank.index_rows(), Scheme.from_datasketch(threshold), stamp))
    index.save(path)
    return index
