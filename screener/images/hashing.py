"""Perceptual hashes, and the variants that make them survive what operators do to a picture.

One 64-bit pHash misses crops, mirrors, rotations and frames. So:

* borders are trimmed before hashing (screenshot frames, letterboxing);
* the query is also hashed mirrored and rotated by 90/180/270;
* the asset is also hashed after crops of up to 20% per side (stored once, at registration);
* windows of the query at a few scales are hashed, to find an asset inside a poster or collage.

These only nominate candidates; verify.py decides with local features.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import imagehash
import numpy as np
from PIL import Image

ALGOS = ("phash", "dhash")
_FUNCS = {"phash": imagehash.phash, "dhash": imagehash.dhash}
# Uniform border: pixels within this grey-level difference of the corner colour.
_BORDER_TOLERANCE = 24
# pHash reads a 32x32 reduction and dHash 9x8: a query reduced to this side first hashes the
# same (a half-size window is still 128 px) while border trimming and the 30-odd reductions of
# the windows stop costing a full-resolution pass each.
HASH_SIDE = 256


def to_int(bits: np.ndarray) -> int:
    value = 0
    for bit in bits.flatten():
        value = (value << 1) | int(bit)
    # Stored as signed 64-bit (SQLite and numpy int64); the bit pattern is what matters.
    return value - (1 << 64) if value >= 1 << 63 else value


def hashes_of(rgb: np.ndarray) -> dict[str, int]:
    image = Image.fromarray(rgb)
    return {algo: to_int(_FUNCS[algo](image).hash) for algo in ALGOS}


def trim_borders(rgb: np.ndarray) -> np.ndarray:
    """Cut uniform borders (frames, letterbox bars), peeling up to two nested frames."""
    for _ in range(2):
        grey = rgb.astype(np.int16).mean(axis=2)
        corner = np.median([grey[0, 0], grey[0, -1], grey[-1, 0], grey[-1, -1]])
        content = np.abs(grey - corner) > _BORDER_TOLERANCE
        rows, cols = np.flatnonzero(content.mean(axis=1) > 0.02), np.flatnonzero(
            content.mean(axis=0) > 0.02)
        if len(rows) == 0 or len(cols) == 0:
            return rgb
        top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        if (bottom - top) < rgb.shape[0] * 0.2 or (right - left) < rgb.shape[1] * 0.2:
            return rgb  # "content" is a small object on a plain picture: not a frame
        if (top, bottom, left, right) == (0, rgb.shape[0], 0, rgb.shape[1]):
            return rgb
        rgb = rgb[top:bottom, left:right]
    return rgb


def orientations(rgb: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    """The picture as an operator may have turned it: identity, mirror, quarter turns."""
    yield "identity", rgb
    yield "mirror", rgb[:, ::-1]
    yield "rot90", np.rot90(rgb, 1)
    yield "rot180", np.rot90(rgb, 2)
    yield "rot270", np.rot90(rgb, 3)


# (top, bottom, left, right) fractions removed from the asset; the query's crop is matched by
# the nearest of these. Corners plus centre of the 0..20% range keep the list short.
ASSET_CROPS = [(0, 0, 0, 0), (0.1, 0.1, 0.1, 0.1), (0.2, 0.2, 0.2, 0.2)] + [
    (t, b, lft, r) for t in (0, 0.2) for b in (0, 0.2) for lft in (0, 0.2) for r in (0, 0.2)
    if (t, b, lft, r) not in ((0, 0, 0, 0), (0.2, 0.2, 0.2, 0.2))
]


def crop(rgb: np.ndarray, fractions: tuple[float, float, float, float]) -> np.ndarray:
    h, w = rgb.shape[:2]
    t, b, left, r = fractions
    return rgb[int(h * t): h - int(h * b), int(w * left): w - int(w * r)]


def asset_hashes(rgb: np.ndarray) -> list[tuple[str, int]]:
    """(variant, hash) pairs stored for a bank asset."""
    base = trim_borders(rgb)
    out = []
    for fractions in ASSET_CROPS:
        for algo, value in hashes_of(crop(base, fractions)).items():
            out.append((f"{algo}:crop{fractions}", value))
    return out


def query_windows(rgb: np.ndarray) -> Iterator[tuple[str, np.ndarray, tuple[int, int, int, int]]]:
    """Parts of a query to hash: the whole (trimmed, in every orientation) and sliding windows
    at scales 1/2 and 2/3 (an asset in a poster or collage). Yields (label, pixels, box)."""
    h, w = rgb.shape[:2]
    trimmed = trim_borders(rgb)
    for label, turned in orientations(trimmed):
        yield label, turned, (0, 0, w, h)
    for scale in (0.5, 0.67):
        wh, ww = int(h * scale), int(w * scale)
        step_y, step_x = max(1, wh // 2), max(1, ww // 2)
        for y in range(0, h - wh + 1, step_y):
            for x in range(0, w - ww + 1, step_x):
                window = trim_borders(rgb[y:y + wh, x:x + ww])
                yield f"window{scale}", window, (x, y, x + ww, y + wh)


def query_hashes(rgb: np.ndarray) -> tuple[list[str], list[int]]:
    """(labels, hashes) of every part of a query ``query_windows`` yields, both algorithms,
    computed on a copy reduced to ``HASH_SIDE``."""
    h, w = rgb.shape[:2]
    factor = HASH_SIDE / max(h, w)
    if factor < 1:
        rgb = cv2.resize(rgb, (max(1, round(w * factor)), max(1, round(h * factor))),
                         interpolation=cv2.INTER_AREA)
    labels, values = [], []
    for label, pixels, _box in query_windows(rgb):
        if min(pixels.shape[:2]) < 16:
            continue
        for algo, value in hashes_of(np.ascontiguousarray(pixels)).items():
            labels.append(f"{algo} {label}")
            values.append(value)
    return labels, values
