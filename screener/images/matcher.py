"""Finding the bank asset behind a picture: hash candidates, then geometric verification.

Candidates come from two sources. Hashes (whole picture trimmed and turned, sliding windows)
looked up in the multi-index; and, while the bank is small enough, a vote of ORB descriptor
matches over all active assets, which catches what hashes miss (a few degrees of rotation, a heavy
crop inside a poster). Either way each candidate must pass ``verify``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import cv2
import numpy as np

from .bank import Asset, AssetBank
from .config import ImageConfig
from .hashing import hashes_of, query_windows
from .index import MultiIndex
from .verify import Features, Verification, features_of, verify

# Beyond this many stored descriptors the vote costs more than it is worth; hashes alone then.
_VOTE_LIMIT_DESCRIPTORS = 2_000_000
_VOTE_TOP = 4
_VOTE_MIN = 8


@dataclass(frozen=True, slots=True)
class Match:
    asset: Asset
    distance: int  # best hash distance seen for this asset (64 if found by the vote only)
    via: str  # which variant or window nominated it
    verification: Verification


class BankIndex:
    """A read-only snapshot of the active bank, ready for queries."""

    def __init__(self, bank: AssetBank) -> None:
        self.config: ImageConfig = bank.config
        active, rows, self.features = bank.active_index_rows()
        self.assets = {a.id: a for a in active}
        self.owner = np.asarray([r[0] for r in rows], dtype=np.int64)
        self.index = MultiIndex([r[2] for r in rows], self.config.hash_radius)
        ids = sorted(self.features)
        stacked = [self.features[i].descriptors for i in ids]
        self._vote_owner = np.concatenate(
            [np.full(len(d), i) for i, d in zip(ids, stacked, strict=True)]) if ids else None
        total = sum(len(d) for d in stacked)
        self._vote = None
        if ids and total <= _VOTE_LIMIT_DESCRIPTORS:
            self._vote = cv2.BFMatcher(cv2.NORM_HAMMING)
            self._vote_descriptors = np.concatenate(stacked)

    def __len__(self) -> int:
        return len(self.assets)

    def hash_candidates(self, rgb: np.ndarray) -> dict[int, tuple[int, str]]:
        """Asset id -> (best hash distance, what nominated it), for every asset with a stored
        hash within ``hash_radius`` of a hash of the picture or of one of its windows."""
        labels, values = [], []
        for label, pixels, _box in query_windows(rgb):
            if min(pixels.shape[:2]) < 16:
                continue
            for algo, value in hashes_of(np.ascontiguousarray(pixels)).items():
                labels.append(f"{algo} {label}")
                values.append(value)
        best: dict[int, tuple[int, str]] = {}
        if not values:
            return best
        radius = self.config.hash_radius
        for label, value, rows in zip(labels, values, self.index.search_many(values, radius),
                                      strict=True):
            distances = np.bitwise_count((self.index.hashes[rows] ^ value).view(np.uint64))
            for asset_id, distance in zip(self.owner[rows].tolist(), distances.tolist(),
                                          strict=True):
                if distance < best.get(asset_id, (65, ""))[0]:
                    best[asset_id] = (distance, label)
        return best

    def vote_candidates(self, query: Features) -> list[int]:
        if self._vote is None or len(query.descriptors) == 0:
            return []
        pairs = self._vote.knnMatch(query.descriptors, self._vote_descriptors, k=2)
        votes = Counter(int(self._vote_owner[p[0].trainIdx]) for p in pairs
                        if len(p) == 2 and p[0].distance < 0.8 * p[1].distance)
        return [a for a, n in votes.most_common(_VOTE_TOP) if n >= _VOTE_MIN]

    def match(self, rgb: np.ndarray) -> list[Match]:
        if not self.assets:
            return []
        candidates = self.hash_candidates(rgb)
        query = features_of(rgb)
        flipped = features_of(np.ascontiguousarray(rgb[:, ::-1]))
        for asset_id in self.vote_candidates(query) + self.vote_candidates(flipped):
            candidates.setdefault(asset_id, (64, "feature vote"))
        matches = []
        for asset_id, (distance, via) in sorted(candidates.items()):
            asset_features = self.features[asset_id]
            result = verify(asset_features, query, self.config.min_inliers) or verify(
                asset_features, flipped, self.config.min_inliers, is_mirror=True)
            if result is not None:
                matches.append(Match(self.assets[asset_id], distance, via, result))
        return matches
