"""Geometric verification: a candidate is a match only if local features agree on one plane.

ORB keypoints of the asset and of the query are matched (ratio test), and a RANSAC homography
must explain at least ``min_inliers`` of them with a sane shape (convex, not degenerate). Hashes
nominate; this decides, which is what keeps false matches at zero. ORB is not mirror-invariant,
so the mirrored query is tried too.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

_ORB_FEATURES = 1000
_RATIO = 0.8


@dataclass(frozen=True, slots=True)
class Features:
    points: np.ndarray  # float32 (n, 2)
    descriptors: np.ndarray  # uint8 (n, 32)
    width: int
    height: int

    def to_bytes(self) -> tuple[bytes, bytes]:
        return self.points.astype(np.float32).tobytes(), self.descriptors.astype(
            np.uint8).tobytes()

    @classmethod
    def from_bytes(cls, points: bytes, descriptors: bytes, width: int, height: int) -> Features:
        # Plain arrays from raw bytes: nothing executable is ever deserialized.
        return cls(np.frombuffer(points, dtype=np.float32).reshape(-1, 2),
                   np.frombuffer(descriptors, dtype=np.uint8).reshape(-1, 32), width, height)


@dataclass(frozen=True, slots=True)
class Verification:
    """Why a candidate is a match: ``method`` "orb" (RANSAC inliers of ``matches`` key point
    matches) or "shape" (ink agreement of the whole graphic, see shape.py); where the asset is
    in the query: ``quad`` (its corners) and ``region`` (their upright box), clipped."""

    inliers: int
    matches: int
    mirrored: bool
    region: tuple[int, int, int, int]  # x0, y0, x1, y1 of the asset in the query
    quad: tuple[tuple[int, int], ...] = ()
    method: str = "orb"
    agreement: float = 0.0  # shape: share of the seen template where ink and paper agree

    @property
    def score(self) -> float:
        return self.agreement if self.method == "shape" else min(1.0, self.inliers / 100)


def features_of(rgb: np.ndarray, n_features: int = _ORB_FEATURES) -> Features:
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    # Equalised contrast makes brightness/contrast edits and greyscale copies look alike to ORB.
    grey = cv2.equalizeHist(grey)
    orb = cv2.ORB_create(nfeatures=n_features, scaleFactor=1.2, nlevels=8, fastThreshold=10)
    keypoints, descriptors = orb.detectAndCompute(grey, None)
    if descriptors is None:
        return Features(np.empty((0, 2), np.float32), np.empty((0, 32), np.uint8),
                        rgb.shape[1], rgb.shape[0])
    points = np.asarray([k.pt for k in keypoints], dtype=np.float32)
    return Features(points, descriptors, rgb.shape[1], rgb.shape[0])


def mirrored(features: Features, rgb: np.ndarray) -> Features:
    return features_of(np.ascontiguousarray(rgb[:, ::-1]))


def _matched(asset: Features, query: Features,
             min_inliers: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Points of the ratio-tested ORB matches (asset's, query's); None below ``min_inliers``."""
    if len(asset.descriptors) < min_inliers or len(query.descriptors) < min_inliers:
        return None
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    pairs = matcher.knnMatch(asset.descriptors, query.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < _RATIO * p[1].distance]
    if len(good) < min_inliers:
        return None
    return (asset.points[[m.queryIdx for m in good]].reshape(-1, 1, 2),
            query.points[[m.trainIdx for m in good]].reshape(-1, 1, 2))


def homography(asset: Features, query: Features,
               min_inliers: int) -> tuple[np.ndarray, int, int] | None:
    """The RANSAC homography (asset pixel -> query pixel) of ratio-tested ORB matches, with its
    inliers and the number of matches; None below ``min_inliers``."""
    matched = _matched(asset, query, min_inliers)
    if matched is None:
        return None
    src, dst = matched
    found, mask = cv2.findHomography(src, dst, cv2.RANSAC, 6.0)
    if found is None or mask is None or int(mask.sum()) < min_inliers:
        return None
    return found, int(mask.sum()), len(src)


def similarity(asset: Features, query: Features,
               min_inliers: int) -> tuple[np.ndarray, int, int] | None:
    """As ``homography``, but a turn, a scale and a shift only (3x3): fewer degrees of freedom
    than a homography, so matches between alike parts of a symmetric graphic (the corners of
    an octagon) cannot fold it."""
    matched = _matched(asset, query, min_inliers)
    if matched is None:
        return None
    src, dst = matched
    found, mask = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC,
                                              ransacReprojThreshold=6.0)
    if found is None or mask is None or int(mask.sum()) < min_inliers:
        return None
    return np.vstack([found, [0.0, 0.0, 1.0]]), int(mask.sum()), len(src)


def verify(asset: Features, query: Features, min_inliers: int,
           is_mirror: bool = False) -> Verification | None:
    fitted = homography(asset, query, min_inliers)
    if fitted is None:
        return None
    found, inliers, n_good = fitted
    corners = np.float32([[0, 0], [asset.width, 0], [asset.width, asset.height],
                          [0, asset.height]]).reshape(-1, 1, 2)
    quad = cv2.perspectiveTransform(corners, found).reshape(-1, 2)
    if not _sane(quad, asset, query):
        return None
    quad = np.clip(quad, 0, [query.width, query.height])
    if is_mirror:
        quad[:, 0] = query.width - quad[:, 0]
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    return Verification(inliers, n_good, is_mirror, (int(x0), int(y0), int(x1), int(y1)),
                        tuple((int(round(x)), int(round(y))) for x, y in quad))


def _sane(quad: np.ndarray, asset: Features, query: Features) -> bool:
    """A real copy maps the asset to a convex quadrilateral of reasonable size; RANSAC on noise
    produces twisted or collapsed ones."""
    if not cv2.isContourConvex(quad.astype(np.float32).reshape(-1, 1, 2)):
        return False
    area = cv2.contourArea(quad.astype(np.float32))
    if area < 0.005 * query.width * query.height or area < 400:
        return False
    sides = np.linalg.norm(quad - np.roll(quad, 1, axis=0), axis=1)
    return sides.min() > 0.1 * sides.max()
