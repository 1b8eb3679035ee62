"""Perceptual hashes, and the variants that make them survive what operators do to a picture.

One 64-bit pHash misses crops, mirrors, rotations and frames. So:

* both sides are hashed on a copy reduced to 256 px (same result, a fraction of the time);
* borders are trimmed before hashing (screenshot frames, letterboxing);
* the query is also hashed mirrored and rotated by 90/180/270;
* the asset is also hashed after crops of 0, 10 or 20% of each side (a flat graphic also 5%),
  and a crop that leaves plain paper round what remains also trimmed (stored once, at
  registration);
* the largest textured area of the query, its sides snapped to straight edges, is hashed: the
  photo inside a poster or a screenshot; so are plain panels (a logo on its own paper in a
  poster), trimmed;
* windows of the query at two scales are hashed, to find an asset inside a collage;
* flat windows and near-constant hashes are dropped: they are equally close to every plain
  picture in the bank and only nominate noise.

These only nominate candidates; verify.py decides with local features.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
import scipy.fftpack
from PIL import Image

ALGOS = ("phash", "dhash")
# Uniform border: pixels within this grey-level difference of the corner colour.
_BORDER_TOLERANCE = 24
# pHash reads a 32x32 reduction and dHash 9x8: a query reduced to this side first hashes the
# same (a half-size window is still 128 px) while border trimming and the 30-odd reductions of
# the windows stop costing a full-resolution pass each.
HASH_SIDE = 256
# Windows move by 1/_WINDOW_STEPS of their side: an asset pasted into a poster is then at most
# 1/8 of its side away from some window, which the stored crops of the asset absorb.
_WINDOW_STEPS = 4
# A window this flat (grey-level spread of its 32x32 reduction) is sky, paper or a plain
# background: its hash bits are noise and match every other flat picture in the bank.
_MIN_SPREAD = 12.0
# Likewise a hash with nearly all bits equal (dHash of a smooth gradient): it sits within the
# radius of every other such hash, so it nominates noise.
_MIN_BITS, _MAX_BITS = 10, 54
_CONTENT_RIM = 2  # pixels at HASH_SIDE
# Panels: plain pixels (every channel within _PANEL_GRADIENT of its 3x3 neighbours) of one
# colour bin, an area at least _PANEL_MIN_AREA of the picture, a box of at most
# _PANEL_MAX_AREA (not the picture's own background) and sides at least _PANEL_MIN_SIDE of
# the picture's, covering _PANEL_FRAMED of its box's rim.
_PANEL_GRADIENT = 12
_PANEL_BIN = 32
_PANEL_MIN_AREA = 0.02
_PANEL_MAX_AREA = 0.8
_PANEL_MIN_SIDE = 0.15
_PANEL_FRAMED = 0.9
_PANELS = 3
_NEAR3 = np.ones((3, 3), np.uint8)


def to_int(bits: np.ndarray) -> int:
    value = int.from_bytes(np.packbits(np.asarray(bits, dtype=bool).flatten()).tobytes(), "big")
    # Stored as signed 64-bit (SQLite and numpy int64); the bit pattern is what matters.
    return value - (1 << 64) if value >= 1 << 63 else value


def hashes_of(rgb: np.ndarray) -> dict[str, int]:
    return _luma_hashes(np.asarray(Image.fromarray(rgb).convert("L")))


def _luma_hashes(luma: np.ndarray) -> dict[str, int]:
    """imagehash's pHash and dHash, bit for bit (the bank stores them), from a picture already
    in PIL's grey ("L"): a query's many windows are cut from one conversion, not converted each
    (that halved hashing's time)."""
    image = Image.fromarray(np.ascontiguousarray(luma), "L")
    pixels = np.asarray(image.resize((32, 32), Image.Resampling.LANCZOS))
    low = scipy.fftpack.dct(scipy.fftpack.dct(pixels, axis=0), axis=1)[:8, :8]
    steps = np.asarray(image.resize((9, 8), Image.Resampling.LANCZOS))
    return {"phash": to_int(low > np.median(low)), "dhash": to_int(steps[:, 1:] > steps[:, :-1])}


def grey_of(rgb: np.ndarray) -> np.ndarray:
    return rgb.astype(np.int16).mean(axis=2)


def trim_box(rgb: np.ndarray, grey: np.ndarray | None = None,
             frames: int = 2) -> tuple[int, int, int, int]:
    """x0, y0, x1, y1 of ``rgb`` without its uniform borders (frames, letterbox bars), peeling
    up to ``frames`` nested frames. ``grey`` (``grey_of(rgb)``) may be passed when many windows
    of one picture are trimmed."""
    if grey is None:
        grey = grey_of(rgb)
    h, w = grey.shape[:2]
    x0, y0, x1, y1 = 0, 0, w, h
    for _ in range(frames):
        part = grey[y0:y1, x0:x1]
        corner = np.median([part[0, 0], part[0, -1], part[-1, 0], part[-1, -1]])
        content = np.abs(part - corner) > _BORDER_TOLERANCE
        rows, cols = np.flatnonzero(content.mean(axis=1) > 0.02), np.flatnonzero(
            content.mean(axis=0) > 0.02)
        if len(rows) == 0 or len(cols) == 0:
            break
        top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        ph, pw = part.shape
        if (bottom - top) < ph * 0.2 or (right - left) < pw * 0.2:
            break  # "content" is a small object on a plain picture: not a frame
        if (top, bottom, left, right) == (0, ph, 0, pw):
            break
        x0, y0, x1, y1 = x0 + int(left), y0 + int(top), x0 + int(right), y0 + int(bottom)
    return x0, y0, x1, y1


def trim_borders(rgb: np.ndarray, grey: np.ndarray | None = None) -> np.ndarray:
    """``rgb`` without its uniform borders (see ``trim_box``)."""
    x0, y0, x1, y1 = trim_box(rgb, grey)
    return rgb[y0:y1, x0:x1]


def orientations(rgb: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    """The picture as an operator may have turned it: identity, mirror, quarter turns."""
    yield "identity", rgb
    yield "mirror", rgb[:, ::-1]
    yield "rot90", np.rot90(rgb, 1)
    yield "rot180", np.rot90(rgb, 2)
    yield "rot270", np.rot90(rgb, 3)


# (top, bottom, left, right) fractions removed from the asset; the query's crop is matched by
# the nearest of these. Every side at 0, 10 and 20% (81 crops, 162 hashes an asset): with only
# the corners of that range, uneven crops fell outside the radius among distractors.
ASSET_CROPS = [(t, b, lft, r) for t in (0, 0.1, 0.2) for b in (0, 0.1, 0.2)
               for lft in (0, 0.1, 0.2) for r in (0, 0.1, 0.2)]
# A flat graphic's hash moves further with a small crop than a photograph's (a badge's frame
# half cut off changes its low frequencies): a crop of 3-6% of each side was 12 bits from every
# crop above and 1 from the nearest of these. 256 crops, 512 hashes a flat asset.
FLAT_CROPS = [(t, b, lft, r) for t in (0, 0.05, 0.1, 0.2) for b in (0, 0.05, 0.1, 0.2)
              for lft in (0, 0.05, 0.1, 0.2) for r in (0, 0.05, 0.1, 0.2)]


def crop(rgb: np.ndarray, fractions: tuple[float, float, float, float]) -> np.ndarray:
    h, w = rgb.shape[:2]
    t, b, left, r = fractions
    return rgb[int(h * t): h - int(h * b), int(w * left): w - int(w * r)]


def reduced(rgb: np.ndarray) -> np.ndarray:
    """The picture with its longest side at most ``HASH_SIDE``; assets and queries alike."""
    h, w = rgb.shape[:2]
    factor = HASH_SIDE / max(h, w)
    if factor >= 1:
        return rgb
    return cv2.resize(rgb, (max(1, round(w * factor)), max(1, round(h * factor))),
                      interpolation=cv2.INTER_AREA)


def asset_hashes(rgb: np.ndarray, flat: bool = False) -> list[tuple[str, int]]:
    """(variant, hash) pairs stored for a bank asset: ``crop(t, b, l, r)`` for each of
    ASSET_CROPS (FLAT_CROPS for a flat graphic) and, where a crop leaves plain paper round
    what remains (a badge's frame cut away, the motif inside a ring), ``trim(t, b, l, r)``
    for that crop trimmed as a query is, with the fractions it then keeps."""
    base = trim_borders(reduced(rgb))
    h, w = base.shape[:2]
    out, trimmed = [], set()
    for fractions in FLAT_CROPS if flat else ASSET_CROPS:
        part = crop(base, fractions)
        for algo, value in hashes_of(part).items():
            out.append((f"{algo}:crop{fractions}", value))
        x0, y0, x1, y1 = trim_box(part)
        if (x0, y0, x1, y1) == (0, 0, part.shape[1], part.shape[0]) or min(x1 - x0,
                                                                            y1 - y0) < 16:
            continue
        t, _, left, _ = fractions
        top, left = int(h * t) + y0, int(w * left) + x0
        kept = (round(top / h, 3), round(1 - (top + y1 - y0) / h, 3),
                round(left / w, 3), round(1 - (left + x1 - x0) / w, 3))
        if kept not in trimmed:
            trimmed.add(kept)
            for algo, value in hashes_of(part[y0:y1, x0:x1]).items():
                out.append((f"{algo}:trim{kept}", value))
    return out


def content_box(rgb: np.ndarray, cell: int, opened: bool) -> tuple[int, int, int, int] | None:
    """The bounding box of the largest connected textured area: the photo inside a poster or
    a screenshot, whose surroundings are flat colour, thin text and shapes. None when that area
    is most of the picture (nothing to cut) or too small to be a picture."""
    grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY).astype(np.float32)
    gh, gw = grey.shape[0] // cell, grey.shape[1] // cell
    if gh < 4 or gw < 4:
        return None
    blocks = grey[:gh * cell, :gw * cell].reshape(gh, cell, gw, cell)
    textured = (blocks.std(axis=(1, 3)) > _MIN_SPREAD).astype(np.uint8)
    if opened:
        # Opening removes thin textured lines (outlines of shapes, text) that would join the
        # photo's area to its neighbours; a photo is textured through and through. It also
        # eats into a photo's own flat parts, hence both boxes are tried.
        textured = cv2.morphologyEx(textured, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(textured, connectivity=4)
    if count < 2:
        return None
    x, y, bw, bh, _ = stats[1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))]
    share = bw * bh / (gw * gh)
    if not 0.1 <= share <= 0.9:
        return None
    return _snap(grey, (int(x * cell), int(y * cell), int((x + bw) * cell),
                        int((y + bh) * cell)), 3 * cell)


def _snap(grey: np.ndarray, box: tuple[int, int, int, int],
          reach: int) -> tuple[int, int, int, int]:
    """Move each side of a block-aligned box to the strongest straight edge within ``reach``
    pixels: a pasted photo's border is one, and blocks only find it to within a block."""
    x0, y0, x1, y1 = box
    h, w = grey.shape
    rows = np.abs(np.diff(grey[:, x0:x1], axis=0)).mean(axis=1)  # rows[i]: edge above i + 1
    cols = np.abs(np.diff(grey[y0:y1, :], axis=1)).mean(axis=0)

    def best(profile: np.ndarray, at: int, limit: int) -> int:
        lo, hi = max(1, at - reach), min(limit - 1, at + reach)
        if hi <= lo:
            return at
        return lo + int(np.argmax(profile[lo - 1:hi]))

    top, bottom = best(rows, y0, h), best(rows, y1, h)
    left, right = best(cols, x0, w), best(cols, x1, w)
    if bottom - top < (y1 - y0) // 2 or right - left < (x1 - x0) // 2:
        return box
    return left, top, right, bottom


def panel_boxes(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes of plain rectangles with something drawn on them: a logo pasted into a poster on
    its own paper. ``content_box`` looks for texture and a flat graphic has little; its
    box takes in the poster's shapes that touch the paper, and then the paper is not trimmed.
    A panel is the bounding box of one area of one plain colour that runs nearly all round
    that box; the largest ``_PANELS`` of them."""
    h, w = rgb.shape[:2]
    smooth = np.ones((h, w), bool)
    for channel in cv2.split(np.ascontiguousarray(rgb)):
        smooth &= cv2.morphologyEx(channel, cv2.MORPH_GRADIENT, _NEAR3) <= _PANEL_GRADIENT
    code = (rgb // _PANEL_BIN).astype(np.int32)
    code = (code[..., 0] * 64 + code[..., 1] * 8 + code[..., 2])
    code[~smooth] = -1
    colours, counts = np.unique(code[code >= 0], return_counts=True)
    boxes = []
    for colour in colours[counts >= _PANEL_MIN_AREA * h * w]:
        count, labels, stats, _ = cv2.connectedComponentsWithStats(
            (code == colour).astype(np.uint8), connectivity=4)
        for label in range(1, count):
            x, y, bw, bh, area = stats[label]
            if (area < _PANEL_MIN_AREA * h * w or bw * bh > _PANEL_MAX_AREA * h * w
                    or bw < _PANEL_MIN_SIDE * w or bh < _PANEL_MIN_SIDE * h):
                continue
            if _framing(labels[y:y + bh, x:x + bw] == label) >= _PANEL_FRAMED:
                boxes.append((int(bw * bh), (int(x), int(y), int(x + bw), int(y + bh))))
    return [box for _, box in sorted(boxes, reverse=True)[:_PANELS]]


def _framing(mask: np.ndarray) -> float:
    """Share of the rim of ``mask``'s box that the mask covers: paper all round what is drawn
    on it. (Not its holes filled: a logo's circle that nearly touches its paper's edges cuts
    the paper in two after reduction.)"""
    rim = np.concatenate([mask[0], mask[-1], mask[1:-1, 0], mask[1:-1, -1]])
    return float(rim.mean())


@dataclass(frozen=True, slots=True)
class Part:
    """A hashed part of a query: the whole picture as turned (``turn``: identity, mirror,
    rot90, rot180, rot270, applied to the box's pixels before hashing), the textured area of a
    poster ("content") or a window; ``box`` is x0, y0, x1, y1 after trimming its borders."""

    label: str
    turn: str
    box: tuple[int, int, int, int]

    def scaled(self, factor: float) -> Part:
        return Part(self.label, self.turn, tuple(round(v * factor) for v in self.box))


def _trimmed(rgb: np.ndarray, grey: np.ndarray,
             box: tuple[int, int, int, int]) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    x0, y0, x1, y1 = box
    tx0, ty0, tx1, ty1 = trim_box(rgb[y0:y1, x0:x1], grey[y0:y1, x0:x1])
    inner = (x0 + tx0, y0 + ty0, x0 + tx1, y0 + ty1)
    return rgb[inner[1]:inner[3], inner[0]:inner[2]], inner


def query_windows(rgb: np.ndarray) -> Iterator[tuple[Part, np.ndarray]]:
    """Parts of a query to hash: the whole (trimmed, in every orientation) and sliding windows
    at scales 1/2 and 2/3 (an asset in a poster or collage). Yields (part, pixels)."""
    h, w = rgb.shape[:2]
    grey = grey_of(rgb)
    trimmed, box = _trimmed(rgb, grey, (0, 0, w, h))
    for label, turned in orientations(trimmed):
        yield Part(label, label, box), turned
    boxes = {content_box(rgb, cell, opened) for cell in (4, 8) for opened in (False, True)}
    for content in sorted(boxes - {None}):
        pixels, inner = _trimmed(rgb, grey, _inset(content))
        yield Part("content", "identity", inner), pixels
    for panel in panel_boxes(rgb):
        pixels, inner = _trimmed(rgb, grey, panel)
        yield Part("panel", "identity", inner), pixels
    for scale in (0.5, 0.67):
        wh, ww = int(h * scale), int(w * scale)
        step_y, step_x = max(1, wh // _WINDOW_STEPS), max(1, ww // _WINDOW_STEPS)
        for y in range(0, h - wh + 1, step_y):
            for x in range(0, w - ww + 1, step_x):
                pixels, inner = _trimmed(rgb, grey, (x, y, x + ww, y + wh))
                yield Part(f"window{scale}", "identity", inner), pixels


def _inset(box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """A content box less the rim ``_snap`` put it on: the pixels of a pasted picture's own
    edge, half poster and half picture after reduction. Left in, its four corners are four
    different greys and the picture's plain paper inside is not trimmed as a border."""
    x0, y0, x1, y1 = box
    rim = _CONTENT_RIM if min(x1 - x0, y1 - y0) > 8 * _CONTENT_RIM else 0
    return x0 + rim, y0 + rim, x1 - rim, y1 - rim


_TURN = {"identity": lambda a: a, "mirror": lambda a: a[:, ::-1],
         "rot90": lambda a: np.rot90(a, 1), "rot180": lambda a: np.rot90(a, 2),
         "rot270": lambda a: np.rot90(a, 3)}


def query_parts(rgb: np.ndarray) -> tuple[list[Part], list[int]]:
    """The hashes of every part of a query ``query_windows`` yields, both algorithms, computed
    on a copy reduced to ``HASH_SIDE``, and for each the part it came from (``label`` prefixed
    with the algorithm, ``box`` in the coordinates of ``rgb``)."""
    small = reduced(rgb)
    factor = rgb.shape[1] / small.shape[1]
    luma = np.asarray(Image.fromarray(np.ascontiguousarray(small)).convert("L"))
    grey = cv2.cvtColor(np.ascontiguousarray(small), cv2.COLOR_RGB2GRAY)
    parts, values = [], []
    for part, pixels in query_windows(small):
        x0, y0, x1, y1 = part.box
        if min(pixels.shape[:2]) < 16 or _flat_grey(grey[y0:y1, x0:x1]):
            continue
        hashed = _luma_hashes(_TURN[part.turn](luma[y0:y1, x0:x1]))
        for algo in ALGOS:
            value = hashed[algo]
            if _MIN_BITS <= (value & (2**64 - 1)).bit_count() <= _MAX_BITS:
                parts.append(Part(f"{algo} {part.label}", part.turn, part.box).scaled(factor))
                values.append(value)
    return parts, values


def query_hashes(rgb: np.ndarray) -> tuple[list[str], list[int]]:
    """(labels, hashes) of every part of a query (``query_parts`` without the boxes)."""
    parts, values = query_parts(rgb)
    return [part.label for part in parts], values


def _flat(rgb: np.ndarray) -> bool:
    return _flat_grey(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY))


def _flat_grey(grey: np.ndarray) -> bool:
    small = cv2.resize(np.ascontiguousarray(grey), (32, 32), interpolation=cv2.INTER_AREA)
    return float(small.std()) < _MIN_SPREAD
