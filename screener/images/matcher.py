"""Finding the bank asset behind a picture: hash candidates, then verification.

Candidates come from two sources. Hashes (whole picture trimmed and turned, sliding windows)
looked up in the multi-index, nearest first and at most ``max_candidates`` of them; and, while the
bank is small, a vote of ORB descriptor matches over all active assets, which catches what hashes
miss (a few degrees of rotation, a heavy crop inside a poster). Either way each candidate must
be verified; verification is the costly part, which is why the hash list is capped.

Photographs are verified by ORB key points and RANSAC (verify.py). Flat graphics (emblems,
logos, seals, icons, line art: assets whose template is mostly plain colour) are not: their
rings and strokes give RANSAC alike corners to agree on, so unrelated emblems that share a ring
passed. They are verified by their whole shape (shape.py), placed where the nominating hash or
the key points put them.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

import cv2
import numpy as np

from .bank import Asset, AssetBank
from .config import ImageConfig
from .hashing import Part, query_parts
from .index import MultiIndex
from .shape import Placement, Template, layers, place, place_mapped, verify_shape
from .verify import Features, Verification, features_of, homography, similarity, verify

# The vote looks the query's descriptors up in an LSH index of all stored ones (FLANN): about
# 16 ms a picture at 9,000 stored descriptors where the exhaustive matcher took 100 ms. Past
# this many (a few hundred assets) hashes carry on alone.
_VOTE_LIMIT_DESCRIPTORS = 300_000
_LSH = {"algorithm": 6, "table_number": 6, "key_size": 12, "multi_probe_level": 1}
_VOTE_TOP = 4
_VOTE_MIN = 8
# A query key point votes for every graphic whose stored key point is about as near as the
# nearest (Lowe's ratio, 0.8), if those are at most _VOTE_SHARED graphics and some neighbour
# is clearly farther. Kept to the single nearest, a ring or frame that near misses share voted
# for nobody, and in a bank of many similar emblems the copy's own points were too few to
# nominate it.
_VOTE_NEIGHBOURS = 8
_VOTE_SHARED = 4
_VOTE_RATIO = 0.8
# Shape verification tries the nearest hash parts of a flat asset (distinct places) and where
# key points put it, if at least this many agree (a placement only; the shape decides).
_SHAPE_PARTS = 2
_SHAPE_PARTS_TIED = 5
_PLACEMENT_INLIERS = 8
_MIRRORED = {"identity": "mirror", "mirror": "identity"}
_FRACTIONS = re.compile(r":(?:crop|trim)\(([-\d.e]+), ([-\d.e]+), ([-\d.e]+), ([-\d.e]+)\)$")

Crop = tuple[float, float, float, float]


def crop_fractions(variant: str) -> Crop | None:
    """The (top, bottom, left, right) fractions of the asset a stored hash variant
    ("phash:crop(0, 0.1, 0, 0)", "dhash:trim(0.23, 0.2, 0.21, 0.2)") was computed from;
    None if it names none."""
    found = _FRACTIONS.search(variant)
    return None if found is None else tuple(float(v) for v in found.groups())


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

    ``owner[i]`` is the asset id of ``hashes[i]`` and ``crops[i]`` the fractions of the asset
    it was computed from (see ``crop_fractions``; NaN unknown); ``features`` the ORB features
    and ``templates`` the shape templates by asset id.
    """

    def __init__(self, config: ImageConfig, assets: list[Asset], owner: np.ndarray,
                 hashes: np.ndarray, features: dict[int, Features], *,
                 vote: bool | None = None, templates: dict[int, Template] | None = None,
                 crops: np.ndarray | None = None) -> None:
        self.config = config
        self.assets = {a.id: a for a in assets}
        self.owner = np.asarray(owner, dtype=np.int64)
        self.index = MultiIndex(hashes, config.hash_radius)
        self.features = features
        self.crops = (np.full((len(self.owner), 4), np.nan) if crops is None
                      else np.asarray(crops, dtype=np.float64).reshape(len(self.owner), 4))
        self.flat = {asset_id: template for asset_id, template in (templates or {}).items()
                     if template.flat}
        ids = sorted(features)
        stacked = [features[i].descriptors for i in ids]
        total = sum(len(d) for d in stacked)
        self._vote = None
        if ids and total and (total <= _VOTE_LIMIT_DESCRIPTORS if vote is None else vote):
            self._vote = cv2.FlannBasedMatcher(_LSH, {"checks": 50})
            self._vote_owner = np.concatenate(
                [np.full(len(d), i) for i, d in zip(ids, stacked, strict=True)])
            self._vote.add([np.concatenate(stacked)])
            self._vote.train()

    @classmethod
    def of(cls, bank: AssetBank) -> BankIndex:
        active, rows, features, templates = bank.active_index_rows()
        return cls(bank.config, active, np.asarray([r[0] for r in rows], dtype=np.int64),
                   np.asarray([r[2] for r in rows], dtype=np.int64), features,
                   templates=templates,
                   crops=np.asarray([crop_fractions(r[1]) or (np.nan,) * 4 for r in rows]))

    def __len__(self) -> int:
        return len(self.assets)

    def lookup(self, rgb: np.ndarray, timings: dict[str, float] | None = None
               ) -> dict[int, list[tuple[int, Part, Crop | None]]]:
        """Asset id -> [(hash distance, query part, asset crop)], nearest first, for every
        asset with a stored hash within ``hash_radius`` of a hash of a part of the picture;
        assets ordered by their nearest distance."""
        with _timed(timings, "hashing"):
            parts, values = query_parts(rgb)
        found: dict[int, list[tuple[int, Part, Crop | None]]] = {}
        with _timed(timings, "lookup"):
            radius = self.config.hash_radius
            for part, value, rows in zip(parts, values,
                                         self.index.search_many(values, radius), strict=True):
                distances = np.bitwise_count((self.index.hashes[rows] ^ value).view(np.uint64))
                for asset_id, distance, crop in zip(self.owner[rows].tolist(),
                                                    distances.tolist(),
                                                    self.crops[rows].tolist(), strict=True):
                    known = None if np.isnan(crop[0]) else tuple(crop)
                    found.setdefault(asset_id, []).append((distance, part, known))
        for hits in found.values():
            hits.sort(key=lambda hit: hit[0])
        return dict(sorted(found.items(), key=lambda item: (item[1][0][0], item[0])))

    def hash_candidates(self, rgb: np.ndarray, timings: dict[str, float] | None = None
                        ) -> dict[int, tuple[int, str]]:
        """Asset id -> (best hash distance, what nominated it), nearest first (see lookup)."""
        return {asset_id: (hits[0][0], hits[0][1].label)
                for asset_id, hits in self.lookup(rgb, timings).items()}

    def vote_candidates(self, query: Features) -> list[int]:
        if self._vote is None or len(query.descriptors) == 0:
            return []
        votes: Counter[int] = Counter()
        for neighbours in self._vote.knnMatch(query.descriptors, k=_VOTE_NEIGHBOURS):
            if len(neighbours) < 2:
                continue
            near = neighbours[0].distance / _VOTE_RATIO
            owners = {int(self._vote_owner[m.trainIdx]) for m in neighbours
                      if m.distance <= near}
            if len(owners) <= _VOTE_SHARED and neighbours[-1].distance > near:
                votes.update(owners)
        return [a for a, n in votes.most_common(_VOTE_TOP) if n >= _VOTE_MIN]

    def match(self, rgb: np.ndarray, timings: dict[str, float] | None = None) -> list[Match]:
        """Verified matches. ``timings``, if given, accumulates seconds spent on hashing,
        lookup and verification (features, vote, RANSAC and shapes)."""
        if not self.assets:
            return []
        found = self.lookup(rgb, timings)
        candidates = {asset_id: (hits[0][0], hits[0][1].label)
                      for asset_id, hits in list(found.items())[:self.config.max_candidates]}
        with _timed(timings, "verification"):
            query = features_of(rgb)
            flipped = features_of(np.ascontiguousarray(rgb[:, ::-1]))
            # Mirrored copies are mostly the hashes' job (the mirror is hashed), but a mirrored
            # crop of a flat graphic lands between the stored crops and no hash finds it; the
            # flipped query votes too (about 16 ms more a picture).
            for asset_id in self.vote_candidates(query) + self.vote_candidates(flipped):
                candidates.setdefault(asset_id, (64, "feature vote"))
            shown = layers(rgb) if self.flat else None
            matches = []
            for asset_id, (distance, via) in sorted(candidates.items()):
                asset_features = self.features.get(asset_id)
                if asset_features is None:
                    continue
                if asset_id in self.flat:
                    result = self._verify_shape(asset_id, shown, found.get(asset_id, []),
                                                query, flipped)
                else:
                    result = self._verify_photo(asset_features, rgb, found.get(asset_id, []),
                                                query, flipped)
                if result is not None:
                    matches.append(Match(self.assets[asset_id], distance, via, result))
        return matches

    def _verify_photo(self, asset: Features, rgb: np.ndarray,
                      hits: list[tuple[int, Part, Crop | None]], query: Features,
                      flipped: Features) -> Verification | None:
        """ORB and RANSAC on the whole picture; failing that, on the part the nearest hash
        came from: on a busy poster the picture's key points go to its text and QR codes,
        and the pasted photo gets too few of them."""
        least = self.config.min_inliers
        result = verify(asset, query, least) or verify(asset, flipped, least, is_mirror=True)
        if result is not None or not hits:
            return result
        h, w = rgb.shape[:2]
        x0, y0, x1, y1 = hits[0][1].box
        if (x1 - x0) * (y1 - y0) > 0.8 * w * h:
            return None
        mx, my = (x1 - x0) // 6, (y1 - y0) // 6
        x0, y0, x1, y1 = max(0, x0 - mx), max(0, y0 - my), min(w, x1 + mx), min(h, y1 + my)
        part = np.ascontiguousarray(rgb[y0:y1, x0:x1])
        result = verify(asset, features_of(part), least) or verify(
            asset, features_of(np.ascontiguousarray(part[:, ::-1])), least, is_mirror=True)
        return None if result is None else _shifted(result, x0, y0)

    def _verify_shape(self, asset_id: int, shown: np.ndarray,
                      hits: list[tuple[int, Part, Crop | None]], query: Features,
                      flipped: Features) -> Verification | None:
        template = self.flat[asset_id]
        placements: list[Placement] = []
        # Where the key points put it (rotated, cropped, in a poster), then where the nearest
        # hashes do; most verify at the first placement.
        asset_features = self.features[asset_id]
        to_features = np.diag([asset_features.width / template.grey.shape[1]] * 2 + [1.0])
        for features, mirrored in ((query, False), (flipped, True)):
            for fit in (similarity, homography):
                fitted = fit(asset_features, features, _PLACEMENT_INLIERS)
                placed = None if fitted is None else place_mapped(
                    template, shown, fitted[0] @ to_features, mirrored)
                if placed is not None:
                    placements.append(placed)
                    break
        tried: set[tuple] = set()
        last = None
        for distance, part, crop in hits:
            # Parts as near as the last one taken are taken too: a symmetric frame hashes
            # alike turned or not, and the turn that fits may come third among equals.
            if len(tried) >= _SHAPE_PARTS and (distance != last
                                               or len(tried) >= _SHAPE_PARTS_TIED):
                break
            if crop is None or (part.box, part.turn) in tried:
                continue
            tried.add((part.box, part.turn))
            last = distance
            placements.append(place(template, shown, part, crop))
            # A graphic symmetric but for its glyphs hashes alike mirrored or not, and the
            # other side may never come near: its placement is tried as well.
            other = _MIRRORED.get(part.turn)
            if other and (part.box, other) not in tried:
                tried.add((part.box, other))
                top, bottom, left, right = crop
                placements.append(place(template, shown, dataclasses.replace(part, turn=other),
                                        (top, bottom, right, left)))
        verified = verify_shape(template, placements)
        if verified is None:
            return None
        figures, quad, mirrored = verified
        h, w = shown.shape[:2]
        clipped = tuple((min(max(x, 0), w), min(max(y, 0), h)) for x, y in quad)
        xs, ys = [x for x, _ in clipped], [y for _, y in clipped]
        return Verification(0, 0, mirrored, (min(xs), min(ys), max(xs), max(ys)), clipped,
                            method="shape", agreement=figures["agreement"])


def _shifted(result: Verification, dx: int, dy: int) -> Verification:
    x0, y0, x1, y1 = result.region
    return dataclasses.replace(result, region=(x0 + dx, y0 + dy, x1 + dx, y1 + dy),
                               quad=tuple((x + dx, y + dy) for x, y in result.quad))
