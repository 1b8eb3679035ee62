"""Finding the bank asset behind a picture: hash candidates, then geometric verification.

Candidates come from two sources. Hashes (whole picture trimmed and turned, sliding windows)
looked up in the multi-index, nearest first and at most ``max_candidates`` of them; and, while the
bank is small, a vote of ORB descriptor matches over all active assets, which catches what hashes
miss (a few degrees of rotation, a heavy crop inside a poster). Either way each candidate must
pass ``verify``; verification is the costly part, which is why the hash list is capped.
"""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

import cv2
import numpy as np

from .bank import Asset, AssetBank
from .config import ImageConfig
from .hashing import query_hashes
from .index import MultiIndex
from .verify import Features, Verification, features_of, verify

# The vote matches every query descriptor against every stored one: about 20 ms per 1,000
# stored descriptors and query side. Past this many (about 30 assets) hashes carry on alone.
_VOTE_LIMIT_DESCRIPTORS = 30_000
_VOTE_TOP = 4
_VOTE_MIN = 8


@dataclass(frozen=True, slots=True)
class Match:
    asset: Asset
    distance: int  # best hash distance seen for this asset (64 if found by the vote only)
    via: str  # which variant or window nominated it
    verification: Verification


@contextmanager
def _timed(timings: dict[str, float] | None, part: str):
    began = time.perf_counter()
    yield
    if timings is not None:
        timings[part] = timings.get(part, 0.0) + time.perf_counter() - began


class BankIndex:
    """A read-only snapshot of the active bank, ready for queries.

    ``owner[i]`` is the asset id of ``hashes[i]``; ``features`` the ORB features by asset id.
    """

    def __init__(self, config: ImageConfig, assets: list[Asset], owner: np.ndarray,
                 hashes: np.ndarray, features: dict[int, Features], *,
                 vote: bool | None = None) -> None:
        self.config = config
        self.assets = {a.id: a for a in assets}
        self.owner = np.asarray(owner, dtype=np.int64)
        self.index = MultiIndex(hashes, config.hash_radius)
        self.features = features
        ids = sorted(features)
        stacked = [features[i].descriptors for i in ids]
        total = sum(len(d) for d in stacked)
        self._vote = None
        if ids and (total <= _VOTE_LIMIT_DESCRIPTORS if vote is None else vote):
            self._vote = cv2.BFMatcher(cv2.NORM_HAMMING)
            self._vote_owner = np.concatenate(
                [np.full(len(d), i) for i, d in zip(ids, stacked, strict=True)])
            self._vote_descriptors = np.concatenate(stacked)

    @classmethod
    def of(cls, bank: AssetBank) -> BankIndex:
        active, rows, features = bank.active_index_rows()
        return cls(bank.config, active, np.asarray([r[0] for r in rows], dtype=np.int64),
                   np.asarray([r[2] for r in rows], dtype=np.int64), features)

    def __len__(self) -> int:
        return len(self.assets)

    def hash_candidates(self, rgb: np.ndarray, timings: dict[str, float] | None = None
                        ) -> dict[int, tuple[int, str]]:
        """Asset id -> (best hash distance, what nominated it), nearest first, for every asset
        with a stored hash within ``hash_radius`` of a hash of the picture or of one of its
        windows."""
        with _timed(timings, "hashing"):
            labels, values = query_hashes(rgb)
        best: dict[int, tuple[int, str]] = {}
        with _timed(timings, "lookup"):
            radius = self.config.hash_radius
            for label, value, rows in zip(labels, values,
                                          self.index.search_many(values, radius), strict=True):
                distances = np.bitwise_count((self.index.hashes[rows] ^ value).view(np.uint64))
                for asset_id, distance in zip(self.owner[rows].tolist(), distances.tolist(),
                                              strict=True):
                    if distance < best.get(asset_id, (65, ""))[0]:
                        best[asset_id] = (distance, label)
        return dict(sorted(best.items(), key=lambda item: (item[1][0], item[0])))

    def vote_candidates(self, query: Features) -> list[int]:
        if self._vote is None or len(query.descriptors) == 0:
            return []
        pairs = self._vote.knnMatch(query.descriptors, self._vote_descriptors, k=2)
        votes = Counter(int(self._vote_owner[p[0].trainIdx]) for p in pairs
                        if len(p) == 2 and p[0].distance < 0.8 * p[1].distance)
        return [a for a, n in votes.most_common(_VOTE_TOP) if n >= _VOTE_MIN]

    def match(self, rgb: np.ndarray, timings: dict[str, float] | None = None) -> list[Match]:
        """Verified matches. ``timings``, if given, accumulates seconds spent on hashing,
        lookup and verification (features, vote and RANSAC)."""
        if not self.assets:
            return []
        nearest = list(self.hash_candidates(rgb, timings).items())
        candidates = dict(nearest[:self.config.max_candidates])
        with _timed(timings, "verification"):
            query = features_of(rgb)
            flipped = features_of(np.ascontiguousarray(rgb[:, ::-1]))
            # Mirrored copies are the hashes' job (the mirror is hashed); voting the flipped
            # query as well doubled the vote's cost and found nothing more in the benchmark.
            for asset_id in self.vote_candidates(query):
                candidates.setdefault(asset_id, (64, "feature vote"))
            matches = []
            for asset_id, (distance, via) in sorted(candidates.items()):
                asset_features = self.features.get(asset_id)
                if asset_features is None:
                    continue
                result = verify(asset_features, query, self.config.min_inliers) or verify(
                    asset_features, flipped, self.config.min_inliers, is_mirror=True)
                if result is not None:
                    matches.append(Match(self.assets[asset_id], distance, via, result))
        return matches
