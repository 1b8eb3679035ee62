"""Verifying flat graphics (emblems, logos, seals, icons, line art) without key points.

ORB finds few corners on a flat graphic and many alike ones on its rings and strokes, so RANSAC
verifies an unrelated emblem that shares a ring or a frame. Here a candidate is verified by its
whole shape instead:

1. the asset is kept as a small grey *template* (its trimmed picture, longest side
   ``TEMPLATE_SIDE``), stored in the bank at registration;
2. the hash that nominated the asset says which part of the query (box and turn) looks like
   which crop of the asset: that places the template on the query;
3. the placement is refined by ECC (enhanced correlation coefficient; an affine warp: small
   rotations, scale, shear), which uses every edge of the graphic rather than corners, over
   the query's own pixels only (not the padding around it), from a quarter size up;
4. both are cut into ink and paper (Otsu, dark is ink) and compared pixel by pixel after the
   warp. Thin slivers along strokes (JPEG, resampling, a pixel of misalignment) are opened
   away; what remains are real differences: a glyph, a star, a stroke the other lacks. A uniform
   block over the picture's edge (a caption bar), of a colour (in Lab) that is neither the
   graphic's ink nor its paper, or a band in its ink across the whole of it, is an occlusion,
   not a difference; a uniform area inside the graphic is not (that is a missing star).

What of the template lies outside the query is cut off, not compared: so the region taken from
the query always has room for the whole template, lest a near miss be judged through a window
that hides its difference.

A match needs the shapes to agree nearly everywhere they are both seen; see ``_decide``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from .hashing import Part, reduced, trim_box

TEMPLATE_SIDE = 256
# Flat graphics: the three commonest grey levels (each with its neighbours within
# _PEAK_WIDTH) cover at least _FLAT_SHARE of the template; the rest, eroded twice (edges are
# thin, texture is not), at most _MAX_TEXTURE. Generated emblems measured 0.86-1.0 (JPEG at
# quality 30 the lowest), the benchmark's registered photographs 0.21-0.41, the Moon 0.87.
_PEAKS, _PEAK_WIDTH = 3, 5
_FLAT_SHARE = 0.8
_MAX_TEXTURE = 0.02
_MARGIN = 0.3  # around a window, so that ECC can pull in what the window cut off
_PAD = 0.2  # around the placed query: room for the search
_SCALES = (0.84, 0.92, 1.0, 1.09, 1.19)
_TURNS = {
    "identity": lambda a: a,
    "mirror": lambda a: a[:, ::-1],
    "rot90": lambda a: np.rot90(a, 1),
    "rot180": lambda a: np.rot90(a, 2),
    "rot270": lambda a: np.rot90(a, 3),
}


@dataclass(frozen=True, slots=True)
class Template:
    """The graphic of an asset (see ``template_box``; a flat asset's ORB features see the same
    box), in grey, longest side ``TEMPLATE_SIDE``; ``hash_box`` is where, in the template's
    pixels, the picture the hashes were computed from lies (trimmed of up to two frames, at
    hashing size)."""

    grey: np.ndarray  # uint8 (h, w)
    hash_box: tuple[float, float, float, float]

    @property
    def flat(self) -> bool:
        """True for a flat graphic (verified by shape), False for a photograph (by ORB): a
        few grey levels cover most of it, and what lies between them is only the thin rim of
        its edges, not areas of texture."""
        histogram = np.bincount(self.grey.ravel(), minlength=256)
        on_peak = np.zeros(256, bool)
        remaining = histogram.astype(np.int64)
        for _ in range(_PEAKS):
            level = int(remaining.argmax())
            low, high = max(0, level - _PEAK_WIDTH), min(256, level + _PEAK_WIDTH + 1)
            on_peak[low:high] = True
            remaining[low:high] = 0
        if histogram[on_peak].sum() < _FLAT_SHARE * self.grey.size:
            return False
        between = (~on_peak[self.grey]).astype(np.uint8)
        texture = cv2.erode(between, np.ones((3, 3), np.uint8), iterations=2)
        return float(texture.mean()) <= _MAX_TEXTURE

    def to_bytes(self) -> bytes:
        return self.grey.astype(np.uint8).tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, width: int, height: int,
                   hash_box: tuple[float, float, float, float]) -> Template:
        # Plain pixels from raw bytes: nothing executable is ever deserialized.
        return cls(np.frombuffer(data, dtype=np.uint8).reshape(height, width), hash_box)


def template_box(rgb: np.ndarray) -> tuple[int, int, int, int]:
    """x0, y0, x1, y1 of the graphic in an asset picture: the picture less the plain
    background it is drawn on. One border only: the next one in is the graphic's own frame
    (a badge's square), and a template without it is the badge's centre, which any other frame
    around the same centre matches. (A graphic registered with its frame touching the
    picture's edges still loses that frame: it cannot be told from a border.)"""
    return trim_box(rgb, frames=1)


def template_of(rgb: np.ndarray) -> Template:
    """The template of an asset picture (the decoder's working copy, as registered)."""
    x0, y0, x1, y1 = template_box(rgb)
    grey = cv2.cvtColor(np.ascontiguousarray(rgb[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    factor = TEMPLATE_SIDE / max(h, w)
    size = (max(8, round(w * factor)), max(8, round(h * factor)))
    small = reduced(rgb)
    back = rgb.shape[1] / small.shape[1]
    hx0, hy0, hx1, hy1 = (v * back for v in trim_box(small))
    hash_box = ((hx0 - x0) * size[0] / w, (hy0 - y0) * size[1] / h,
                (hx1 - x0) * size[0] / w, (hy1 - y0) * size[1] / h)
    return Template(cv2.resize(grey, size, interpolation=cv2.INTER_AREA), hash_box)


@dataclass(frozen=True, slots=True)
class ShapeCheck:
    agreement: float  # share of the seen template area where ink and paper agree
    seen: float  # share of the template seen in the query (not cropped off, not occluded)
    differing: float  # share of the template area that differs after opening
    largest: float  # largest differing blob, share of the template area
    warp: np.ndarray  # 2x3: template pixel -> query pixel
    mirrored: bool
    quad: tuple[tuple[int, int], ...]  # the template's corners in the query

    @property
    def region(self) -> tuple[int, int, int, int]:
        xs, ys = [p[0] for p in self.quad], [p[1] for p in self.quad]
        return min(xs), min(ys), max(xs), max(ys)


def layers(rgb: np.ndarray) -> np.ndarray:
    """The query as placement sees it: grey (what is aligned and compared, like the template)
    and CIE Lab beside it (what tells a caption bar's black from a dark blue graphic's ink)."""
    rgb = np.ascontiguousarray(rgb)
    return np.dstack([cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)])


@dataclass(frozen=True)
class Placement:
    """The query around a candidate place of the template, turned and scaled to the template,
    padded (``region``: its layers, see ``layers``); ``guess`` the 2x3 warp template pixel ->
    region pixel; ``back`` maps region pixels to the query's pixels."""

    region: np.ndarray
    guess: np.ndarray
    back: Callable[[np.ndarray], np.ndarray]
    mirrored: bool
    # Placed by key points (eight or more agreeing): refined whatever its first correlation,
    # which a few pixels off on thin strokes can put near zero.
    by_points: bool = False


def _unturn(turn: str, points: np.ndarray, rw: int, rh: int) -> np.ndarray:
    """Points of a turned region (``rw`` x ``rh`` before turning) in the unturned region."""
    x, y = points[:, 0], points[:, 1]
    if turn == "mirror":
        return np.stack([rw - x, y], axis=1)
    if turn == "rot90":  # turned counter-clockwise: (x, y) came from (rw - y, x)
        return np.stack([rw - y, x], axis=1)
    if turn == "rot180":
        return np.stack([rw - x, rh - y], axis=1)
    if turn == "rot270":  # turned clockwise: (x, y) came from (y, rh - x)
        return np.stack([y, rh - x], axis=1)
    return points


def place(template: Template, query: np.ndarray, part: Part,
          crop: tuple[float, float, float, float]) -> Placement:
    """Place the template where the hash says: ``part`` of the query (box and turn) looks like
    the ``crop`` of the asset; then a coarse search of position and scale."""
    hx0, hy0, hx1, hy1 = template.hash_box
    hw, hh = hx1 - hx0, hy1 - hy0
    t, b, left, r = crop
    ax0, ay0, ax1, ay1 = hx0 + left * hw, hy0 + t * hh, hx1 - r * hw, hy1 - b * hh
    x0, y0, x1, y1 = part.box
    h, w = query.shape[:2]
    # Room for the whole template where the crop puts it, and then some: what of the template
    # falls outside the region counts as cut off, and a near miss cut where the picture is not
    # (a circle's logo seen through a rectangle's window) would differ only out of sight.
    th, tw = template.grey.shape
    beyond = max(max(ax0, tw - ax1) / max(1.0, ax1 - ax0), max(ay0, th - ay1) / max(1.0, ay1 - ay0))
    share = max(_MARGIN, beyond + 0.1)
    mx, my = int((x1 - x0) * share), int((y1 - y0) * share)
    ex0, ey0 = max(0, x0 - mx), max(0, y0 - my)
    ex1, ey1 = min(w, x1 + mx), min(h, y1 + my)
    region = _TURNS[part.turn](query[ey0:ey1, ex0:ex1])
    # The part's box inside the (turned) region.
    bx0, by0, bx1, by1 = x0 - ex0, y0 - ey0, x1 - ex0, y1 - ey0
    rh, rw = ey1 - ey0, ex1 - ex0
    if part.turn == "mirror":
        bx0, bx1 = rw - bx1, rw - bx0
    elif part.turn == "rot90":  # counter-clockwise: (x, y) -> (y, rw - x)
        bx0, by0, bx1, by1 = by0, rw - bx1, by1, rw - bx0
    elif part.turn == "rot180":
        bx0, by0, bx1, by1 = rw - bx1, rh - by1, rw - bx0, rh - by0
    elif part.turn == "rot270":  # clockwise: (x, y) -> (rh - y, x)
        bx0, by0, bx1, by1 = rh - by1, bx0, rh - by0, bx1
    # One scale for both axes: copies keep the aspect ratio, while the nearest stored crop
    # may be off by a tenth on one axis only (a crop of 15% matched to one of 20%), which
    # would squash the placement more than ECC can undo.
    fx = fy = float(np.sqrt((ax1 - ax0) / max(1, bx1 - bx0) * (ay1 - ay0) / max(1, by1 - by0)))
    size = (max(8, round(region.shape[1] * fx)), max(8, round(region.shape[0] * fy)))
    scaled = cv2.resize(np.ascontiguousarray(region), size, interpolation=cv2.INTER_AREA)
    pad = _pad_of(template)
    padded = _padded(scaled, pad)
    guess = np.float32([[1, 0, bx0 * fx - ax0 + pad], [0, 1, by0 * fy - ay0 + pad]])

    def back(points: np.ndarray) -> np.ndarray:
        unscaled = np.stack([(points[:, 0] - pad) / fx, (points[:, 1] - pad) / fy], axis=1)
        return _unturn(part.turn, unscaled, rw, rh) + [ex0, ey0]

    return Placement(padded, _search(template.grey, padded[..., 0], (ax0, ay0, ax1, ay1), guess),
                     back, part.turn == "mirror")


def _pad_of(template: Template) -> int:
    return max(8, int(_PAD * max(template.grey.shape)))


def _padded(region: np.ndarray, pad: int) -> np.ndarray:
    edge = np.concatenate([region[0], region[-1], region[:, 0], region[:, -1]])
    return cv2.copyMakeBorder(region, pad, pad, pad, pad, cv2.BORDER_CONSTANT,
                              value=[int(v) for v in np.median(edge, axis=0)])


def place_mapped(template: Template, query_layers: np.ndarray, mapping: np.ndarray,
                 mirrored: bool) -> Placement | None:
    """Place the template where ``mapping`` (3x3, template pixel -> query pixel, of the
    mirrored query when ``mirrored``: from key points) puts it. None when the mapping folds or
    is tiny."""
    th, tw = template.grey.shape
    query = query_layers[:, ::-1] if mirrored else query_layers
    corners = np.float32([[0, 0], [tw, 0], [tw, th], [0, th]]).reshape(-1, 1, 2)
    quad = cv2.perspectiveTransform(corners, mapping).reshape(-1, 2)
    if not cv2.isContourConvex(quad.reshape(-1, 1, 2)) or cv2.contourArea(quad) < 256:
        return None
    h, w = query.shape[:2]
    x0, y0 = np.floor(quad.min(axis=0)).astype(int)
    x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
    mx, my = int((x1 - x0) * _MARGIN), int((y1 - y0) * _MARGIN)
    ex0, ey0, ex1, ey1 = max(0, x0 - mx), max(0, y0 - my), min(w, x1 + mx), min(h, y1 + my)
    if ex1 - ex0 < 8 or ey1 - ey0 < 8:
        return None
    factor = float(np.sqrt(tw * th / cv2.contourArea(quad)))
    region = np.ascontiguousarray(query[ey0:ey1, ex0:ex1])
    size = (max(8, round(region.shape[1] * factor)), max(8, round(region.shape[0] * factor)))
    scaled = cv2.resize(region, size, interpolation=cv2.INTER_AREA)
    pad = _pad_of(template)
    # template -> query -> region: shift by the region's corner, scale, shift by the pad
    into = np.float64([[factor, 0, pad - ex0 * factor], [0, factor, pad - ey0 * factor],
                       [0, 0, 1]])
    mapped = cv2.perspectiveTransform(corners, into @ mapping).reshape(-1, 2)
    # The affine nearest the mapping at all four corners (least squares), not the one exact at
    # three: a homography's slight perspective, extrapolated to corners a crop cut off, would
    # shear it past what ECC undoes.
    source = np.hstack([corners.reshape(-1, 2), np.ones((4, 1), np.float32)])
    warp = np.linalg.lstsq(source, mapped, rcond=None)[0].T

    def back(points: np.ndarray) -> np.ndarray:
        out = (points - pad) / factor + [ex0, ey0]
        return np.stack([w - out[:, 0], out[:, 1]], axis=1) if mirrored else out

    region, warp, back = _upright(_padded(scaled, pad), warp.astype(np.float32), back)
    return Placement(region, warp, back, mirrored, by_points=True)


def _angle(warp: np.ndarray) -> float:
    return float(np.degrees(np.arctan2(warp[1, 0], warp[0, 0])))


def _upright(region: np.ndarray, warp: np.ndarray, back: Callable[[np.ndarray], np.ndarray]
             ) -> tuple[np.ndarray, np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """The region turned by the quarter turns that bring ``warp`` nearest upright: key points
    may match a graphic turned a quarter (a copy turned 90 degrees, or a four-fold badge
    matched on its other corners), and ECC and the plausibility test allow small angles only."""
    rh, rw = region.shape[:2]
    turns = {"rot90": np.float32([[0, 1, 0], [-1, 0, rw]]),  # (x, y) -> (y, rw - x)
             "rot180": np.float32([[-1, 0, rw], [0, -1, rh]]),
             "rot270": np.float32([[0, -1, rh], [1, 0, 0]])}  # (x, y) -> (rh - y, x)
    best, best_angle = None, abs(_angle(warp))
    for turn, forward in turns.items():
        turned = forward @ np.vstack([warp, [0, 0, 1]])
        if abs(_angle(turned)) < best_angle - 1:
            best, best_angle = (turn, turned), abs(_angle(turned))
    if best is None:
        return region, warp, back
    turn, turned = best

    def turned_back(points: np.ndarray) -> np.ndarray:
        return back(_unturn(turn, points, rw, rh))

    return (np.ascontiguousarray(_TURNS[turn](region)), turned.astype(np.float32),
            turned_back)


def _search(template: np.ndarray, region: np.ndarray, rect: tuple[float, ...],
            guess: np.ndarray) -> np.ndarray:
    """Position and scale of the template in ``region`` by normalized cross-correlation of its
    visible part (the hash's crop, less a tenth each side) at half size, near ``guess``."""
    ax0, ay0, ax1, ay1 = rect
    inset_x, inset_y = (ax1 - ax0) * 0.1, (ay1 - ay0) * 0.1
    th, tw = template.shape
    px0, py0 = max(0, int(ax0 + inset_x)), max(0, int(ay0 + inset_y))
    px1, py1 = min(tw, int(ax1 - inset_x)), min(th, int(ay1 - inset_y))
    if px1 - px0 < 16 or py1 - py0 < 16:
        return guess
    patch = cv2.GaussianBlur(template[py0:py1, px0:px1], (5, 5), 1.2)
    image = cv2.pyrDown(cv2.GaussianBlur(region, (5, 5), 1.2))
    best = (-2.0, guess)
    for scale in _SCALES:
        small = cv2.resize(patch, None, fx=scale / 2, fy=scale / 2,
                           interpolation=cv2.INTER_AREA)
        if small.shape[0] >= image.shape[0] or small.shape[1] >= image.shape[1] or min(
                small.shape) < 8 or small.std() < 1:
            continue
        scores = cv2.matchTemplate(image, small, cv2.TM_CCOEFF_NORMED)
        _, score, _, (lx, ly) = cv2.minMaxLoc(scores)
        if score > best[0]:
            # patch's corner (px0, py0) lands at 2 * (lx, ly) in the region
            best = (score, np.float32([[scale, 0, 2 * lx - scale * px0],
                                       [0, scale, 2 * ly - scale * py0]]))
    return best[1]


def refine(template: np.ndarray, region: np.ndarray, warp: np.ndarray,
           mask: np.ndarray | None = None) -> np.ndarray | None:
    """ECC on a three-level pyramid, affine, over the region's pixels not masked out; None if
    it does not converge or the warp is not a plausible copy (see ``_plausible``). The quarter
    size first: thin parallel strokes (a badge's double frame) give the full size a narrow
    basin, where a guess a few pixels off locks one stroke onto its neighbour."""
    criteria = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 50, 1e-4)
    pyramid = [(template, region, mask)]
    for _ in range(_LEVELS - 1):
        smaller_t, smaller_r, smaller_m = pyramid[-1]
        if min(smaller_t.shape) < 64:
            break
        pyramid.append((cv2.pyrDown(smaller_t), cv2.pyrDown(smaller_r), None if smaller_m is None
                        else cv2.resize(smaller_m, ((smaller_r.shape[1] + 1) // 2,
                                                    (smaller_r.shape[0] + 1) // 2),
                                        interpolation=cv2.INTER_NEAREST)))
    current = warp.copy()
    current[:, 2] /= 2 ** (len(pyramid) - 1)
    try:
        for level, (t, r, m) in reversed(list(enumerate(pyramid))):
            _, current = cv2.findTransformECC(t.astype(np.float32), r.astype(np.float32),
                                              current, cv2.MOTION_AFFINE, criteria, m, 3)
            if level:
                current[:, 2] *= 2
    except cv2.error:
        return None
    return current if _plausible(current) else None


_LEVELS = 3


def _plausible(warp: np.ndarray) -> bool:
    linear = warp[:, :2]
    scales = np.linalg.svd(linear, compute_uv=False)
    angle = abs(np.degrees(np.arctan2(linear[1, 0], linear[0, 0])))
    return bool(scales.min() > 0.7 and scales.max() < 1.45 and angle <= 15
                and np.linalg.det(linear) > 0 and scales.max() / scales.min() < 1.25)


def _ink(grey: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    values = grey[mask] if mask is not None else grey.ravel()
    if values.size == 0 or int(values.max()) - int(values.min()) < 24:
        return np.zeros(grey.shape, bool)
    threshold, _ = cv2.threshold(values.reshape(-1, 1), 0, 255,
                                 cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return grey <= threshold


_NEAR = np.ones((3, 3), np.uint8)
_MARGIN_SEEN = 24  # template pixels beyond the template where occlusions are judged too
_MAX_HIDDEN = 0.35  # more of the template hidden is no occlusion we can see past: judged whole
_WINDOW = 16  # pixels of the template: about a glyph of a seal's ring
_MIN_CONTRAST = 16  # grey levels between the query's ink and paper: below, nothing is seen


def compare(template: Template, aligned: np.ndarray, valid: np.ndarray,
            margin: int = 0) -> tuple[dict[str, float], np.ndarray]:
    """Ink against ink where the query (its layers, aligned) covers the template: what one
    has and the other lacks even a pixel away, grouped in blobs. Also returns the occluded
    part of the template. ``aligned`` and ``valid`` may reach ``margin`` pixels beyond the
    template on every side: occlusions are judged there too."""
    th, tw = template.grey.shape
    window = (slice(margin, margin + th), slice(margin, margin + tw))
    lab = aligned[..., 1:].astype(np.float32)
    around, grey_around = valid, aligned[..., 0].astype(np.float32)
    aligned, valid = aligned[window][..., 0], valid[window]
    area = valid.size
    ink_t = _ink(template.grey)
    ink_tone, paper_tone = _tones(aligned, ink_t, valid)
    # Ink in the query is what is nearer the graphic's own ink tone there than its paper tone:
    # a threshold of the query's own (Otsu) shifts with a caption bar's black or a poster's
    # colours and thins or thickens every stroke.
    ink_around = around & (np.abs(grey_around - ink_tone) < np.abs(grey_around - paper_tone))
    if abs(ink_tone - paper_tone) < _MIN_CONTRAST:
        ink_around = np.zeros_like(around)
    ink_q = ink_around[window]
    near_t = cv2.dilate(ink_t.astype(np.uint8), _NEAR).astype(bool)
    near_q = cv2.dilate(ink_q.astype(np.uint8), _NEAR).astype(bool)
    # Computed once: the occlusions and the outline's continuation both tell colours apart.
    colours = _colours(lab[window], ink_t, valid)
    occluded = _occluded(ink_t, ink_q, valid, lab, around, margin, colours)
    across = np.zeros_like(around)
    if margin and ink_q.any():
        across = _across(ink_around, around, margin)
        occluded = occluded | _inner(across, margin, valid)
        if (occluded & valid).sum() > _MAX_HIDDEN * valid.sum():
            occluded, across = np.zeros_like(valid), np.zeros_like(across)
    seen = valid & ~occluded
    continued = (_continued(ink_t, ink_around & ~across, seen, lab, around, margin, colours)
                 if margin and ink_q.any() and colours is not None else 0.0)
    missing = ink_t & ~near_q & seen
    extra = ink_q & ~near_t & seen
    differ = (missing | extra).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(differ, connectivity=8)
    sizes = stats[1:, cv2.CC_STAT_AREA] if count > 1 else np.zeros(1, int)
    edges_t = cv2.morphologyEx(ink_t.astype(np.uint8), cv2.MORPH_GRADIENT, _NEAR).astype(bool)
    ink_seen = max(1, int((ink_t & seen).sum()))
    # Differences gathered in one place (a glyph, a star) rather than specks spread thin.
    dense = cv2.boxFilter(differ.astype(np.float32), -1, (_WINDOW, _WINDOW), normalize=False)
    h, w = valid.shape
    centre = seen[h // 4: h - h // 4, w // 4: w - w // 4]
    return {"agreement": float(((ink_t == ink_q) & seen).sum() / max(1, seen.sum())),
            "seen": float(seen.sum() / area),
            "centre": float(centre.mean()) if centre.size else 0.0,
            "dense": float(dense.max()),
            "differing": float(differ.sum() / ink_seen),
            "largest": float(sizes.max() / ink_seen),
            "structure": float((edges_t & seen).sum() / max(1, edges_t.sum())),
            "continued": continued}, occluded


def _tones(aligned: np.ndarray, ink_t: np.ndarray, valid: np.ndarray) -> tuple[float, float]:
    """The query's grey where the template has ink, and where it has paper (medians)."""
    ink = aligned[ink_t & valid]
    paper = aligned[~ink_t & valid]
    return (float(np.median(ink)) if ink.size else 0.0,
            float(np.median(paper)) if paper.size else 255.0)


def _colours(lab: np.ndarray, ink_t: np.ndarray, valid: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, float] | None:
    """The query's Lab colour where the template has ink and where it has paper (medians),
    and how far another colour must lie from both to be neither; None if either is unseen."""
    if not (ink_t & valid).any() or not (~ink_t & valid).any():
        return None
    ink_colour = np.median(lab[ink_t & valid], axis=0)
    paper_colour = np.median(lab[~ink_t & valid], axis=0)
    return (ink_colour, paper_colour,
            max(20.0, 0.25 * float(np.linalg.norm(ink_colour - paper_colour))))


def _occluded(ink_t: np.ndarray, ink_q: np.ndarray, valid: np.ndarray, lab: np.ndarray,
              around: np.ndarray, margin: int,
              colours: tuple[np.ndarray, np.ndarray, float] | None) -> np.ndarray:
    """Solid blocks of the query over the edge of what is seen: of a colour that is neither
    the graphic's ink nor its paper (a caption bar, a sticker over a corner), or a band of ink
    across the whole of it (a bar in the graphic's own colour, see ``_band``). Text on them is
    closed over first. A solid block of the graphic's own colours that is no band (another
    shape) is a difference, not an occlusion. Colours are told apart in Lab, not grey: a black
    bar and a dark blue graphic are nearly the same grey. A block is judged whole, with what
    lies ``margin`` beyond the template (``lab`` and ``around`` reach that far): a caption bar
    that overlaps the graphic by a few rows is solid there, not a sliver."""
    window = (slice(margin, margin + valid.shape[0]), slice(margin, margin + valid.shape[1]))
    if colours is None:
        return np.zeros_like(valid)
    ink_colour, paper_colour, tolerance = colours
    # Anti-aliased edges and JPEG ringing are in between too: only what lies away from every
    # edge of either picture counts.
    boundary = np.zeros(around.shape, bool)
    boundary[window] = cv2.morphologyEx((ink_t | ink_q).astype(np.uint8), cv2.MORPH_GRADIENT,
                                        np.ones((5, 5), np.uint8)).astype(bool)
    foreign = (around & ~boundary
               & (np.linalg.norm(lab - ink_colour, axis=2) > tolerance)
               & (np.linalg.norm(lab - paper_colour, axis=2) > tolerance))
    edge = np.zeros(around.shape, bool)
    edge[window] = valid & ~cv2.erode(valid.astype(np.uint8), _NEAR, iterations=3,
                                      borderType=cv2.BORDER_CONSTANT,
                                      borderValue=0).astype(bool)
    occluded = np.zeros(around.shape, np.uint8)
    closed = cv2.morphologyEx(foreign.astype(np.uint8), cv2.MORPH_CLOSE,
                              np.ones((7, 7), np.uint8))
    solid = cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones((15, 15), np.uint8))
    count, labels, _, _ = cv2.connectedComponentsWithStats(solid)
    for label in range(1, count):
        blob = labels == label
        if (blob & edge).any():
            occluded[blob] = 1
    occluded = occluded[window]
    occluded[_band(ink_q, ink_t, valid)] = 1
    occluded = cv2.dilate(occluded, np.ones((11, 11), np.uint8)).astype(bool)
    return (occluded if (occluded & valid).sum() <= _MAX_HIDDEN * valid.sum()
            else np.zeros_like(valid))


def _edge_runs(full: np.ndarray, width: np.ndarray, shape: tuple[int, int],
               axis: int) -> list[np.ndarray]:
    """Masks of the runs of at least 8 ``full`` lines (rows for ``axis`` 1, columns for 0)
    that start at the first or the last line with anything seen (``width`` > 0)."""
    seen = np.flatnonzero(width > 0)
    runs = []
    if len(seen) == 0:
        return runs
    for run in (range(seen[0], seen[-1] + 1), range(seen[-1], seen[0] - 1, -1)):
        lines = []
        for line in run:
            if not full[line]:
                break
            lines.append(line)
        if len(lines) >= 8:
            mask = np.zeros(shape, bool)
            if axis == 1:
                mask[lines, :] = True
            else:
                mask[:, lines] = True
            runs.append(mask)
    return runs


def _across(ink_around: np.ndarray, around: np.ndarray, margin: int) -> np.ndarray:
    """Rows (or columns) from an edge of the query inward that are ink from one side of the
    canvas to the other, beyond the template on both sides: a bar laid across the whole
    picture in the graphic's own ink colour (a black caption bar on a black seal), which no
    part of a graphic the template's size can be. In the canvas's pixels."""
    closed = cv2.morphologyEx(ink_around.astype(np.uint8), cv2.MORPH_CLOSE,
                              np.ones((7, 7), np.uint8)).astype(bool) & around
    wide = np.zeros(around.shape, bool)
    for axis in (1, 0):  # rows, then columns
        width = around.sum(axis=axis)
        # The line reaches past the template at both of its ends.
        size, reach = around.shape[axis], max(1, margin // 2)
        ends = (around.take(range(reach), axis=axis).any(axis=axis)
                & around.take(range(size - reach, size), axis=axis).any(axis=axis))
        full = (closed.sum(axis=axis) >= 0.95 * np.maximum(width, 1)) & (width > 0) & ends
        for run in _edge_runs(full, width, around.shape, axis):
            wide |= run
    return wide & around


def _inner(across: np.ndarray, margin: int, valid: np.ndarray) -> np.ndarray:
    """``across`` in the template's pixels, dilated like the other occlusions."""
    inner = across[margin:margin + valid.shape[0], margin:margin + valid.shape[1]]
    return cv2.dilate(inner.astype(np.uint8), np.ones((11, 11), np.uint8)).astype(bool) & valid


_RIM = (4, 10)  # template pixels beyond its edge: past anti-aliasing and a refinement's slip


def _continued(ink_t: np.ndarray, ink_around: np.ndarray, seen: np.ndarray, lab: np.ndarray,
               around: np.ndarray, margin: int,
               colours: tuple[np.ndarray, np.ndarray, float]) -> float:
    """How much of the graphic's outline along the template's own edges the query carries on
    beyond them in the graphic's own colour, in template pixels over the template's longest
    side. The template is the asset less the plain paper it is drawn on, so where its ink meets
    its edge the asset's paper begins: a copy shows paper there, or a poster's other colours,
    or nothing (a crop). A fill that goes on is another graphic of which the asset would be a
    window (a circle logo cropped to its middle is not a banner with the same letters). Only
    where the template's edge is ``seen``: a caption bar over it goes on beyond it too."""
    th, tw = ink_t.shape
    ink_colour, _, tolerance = colours
    same = ink_around & (np.linalg.norm(lab - ink_colour, axis=2) <= tolerance)
    near, far = _RIM
    carried = 0
    for side in range(4):
        # Each side turned to the top: the template's first lines, the canvas's rows above.
        turned_t, turned_seen, turned_same, turned_around = (
            np.rot90(a, side) for a in (ink_t, seen, same, around))
        width = turned_t.shape[1]
        on_edge = (turned_t[:2] & turned_seen[:2]).any(axis=0)
        beyond = slice(margin - far, margin - near)
        columns = slice(margin, margin + width)
        strip_seen = turned_around[beyond, columns].all(axis=0)
        strip_ink = turned_same[beyond, columns].mean(axis=0) >= 0.8
        carried += int((on_edge & strip_seen & strip_ink).sum())
    return carried / max(th, tw)


def _band(ink_q: np.ndarray, ink_t: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Rows (or columns) of solid ink across the whole seen width, from an edge inward, lying
    mostly on the template's paper: a bar laid over the graphic in its own ink colour. (Solid
    rows over the template's ink, such as a near miss's other shape, are a difference.) Judged
    by the rows, not by the solid area they belong to: a bar over line art touches its strokes,
    and strokes drawn close together close into one area with it."""
    band = np.zeros(valid.shape, bool)
    closed = cv2.morphologyEx(ink_q.astype(np.uint8), cv2.MORPH_CLOSE,
                              np.ones((7, 7), np.uint8)).astype(bool) & valid
    for axis in (1, 0):  # rows, then columns
        width = valid.sum(axis=axis)
        full = (closed.sum(axis=axis) >= 0.9 * np.maximum(width, 1)) & (width > 0)
        for run in _edge_runs(full, width, valid.shape, axis):
            area = run & valid
            if (area & ink_t).sum() <= 0.35 * area.sum():
                band |= area
    return band


def check(template: Template, query_rgb: np.ndarray, part: Part,
          crop: tuple[float, float, float, float]) -> tuple[dict[str, float], np.ndarray] | None:
    """Place by ``part`` and ``crop``, refine and compare (the figures and the warp)."""
    placement = place(template, layers(query_rgb), part, crop)
    return judge(template, placement.region, placement.guess)


def judge(template: Template, region: np.ndarray, guess: np.ndarray
          ) -> tuple[dict[str, float], np.ndarray] | None:
    """Compare the template with ``region`` at ``guess`` and at its ECC refinement, keep the
    better; when part of the template is occluded, refine again without the occluded pixels
    (a caption bar pulls an unmasked ECC off)."""
    th, tw = template.grey.shape
    blurred_t = cv2.GaussianBlur(template.grey, (5, 5), 1.2)
    blurred_r = cv2.GaussianBlur(region[..., 0], (5, 5), 1.2)
    inside = np.zeros(region.shape[:2], np.uint8)
    pad = _pad_of(template)
    inside[pad:-pad, pad:-pad] = 255

    margin = _MARGIN_SEEN

    def measure(warp):
        # The template's pixels shifted by the margin: the canvas reaches beyond the template.
        wide = warp.copy()
        wide[:, 2] -= warp[:, :2] @ np.float32([margin, margin])
        size = (tw + 2 * margin, th + 2 * margin)
        aligned = cv2.warpAffine(region, wide, size,
                                 flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderValue=0)
        valid = cv2.warpAffine(inside, wide, size,
                               flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP, borderValue=0)
        figures, occluded = compare(template, aligned,
                                    cv2.erode(valid, np.ones((3, 3), np.uint8)) > 0, margin)
        return figures, occluded, warp

    # The pad is no part of the query: ECC fitting it (the edge colour carried outward where
    # a crop cut through the graphic) pulls the warp off by pixels.
    tried = [measure(warp) for warp in (guess, refine(blurred_t, blurred_r, guess, inside))
             if warp is not None and _plausible(warp)]
    if not tried:
        return None
    figures, occluded, warp = min(tried, key=lambda item: item[0]["differing"])
    if occluded.any():
        # The occluded template pixels, in region coordinates, masked out of another ECC.
        hidden = cv2.warpAffine(occluded.astype(np.uint8) * 255, warp,
                                (region.shape[1], region.shape[0]), flags=cv2.INTER_NEAREST)
        again = refine(blurred_t, blurred_r, warp, mask=cv2.bitwise_and(inside, 255 - hidden))
        if again is not None:
            second = measure(again)
            if second[0]["differing"] < figures["differing"]:
                figures, warp = second[0], second[2]
    return figures, warp


# What a copy of the graphic leaves. Chosen on generated emblems (30, and 100 other graphics
# most of them near misses, seed 17 of tests/images/flat_graphics.py, every placement the
# matcher tries recorded) as the loosest rule with no false match; benchmarks/bench_images.py
# measures it on another set (seed 2026). A true copy differs from the template in specks
# spread thin: at most 32 differing pixels in any 16x16 window of the template (most copies
# 20 or fewer); a near miss in a glyph, a star or a stroke gathered in one place (37 and more).
_MIN_SEEN = 0.3  # share of the template seen (not cropped off, not occluded)
_MIN_CENTRE = 0.9  # share of its central quarter seen: no crop we accept hides the centre
_MIN_STRUCTURE = 0.15  # share of the template's ink edges seen
_MAX_DENSE = 32  # differing pixels in any 16x16 window
_MAX_LARGEST = 0.01  # the largest differing blob, share of the seen ink
_MAX_DIFFERING = 0.06  # all differing pixels, share of the seen ink
# Outline carried on beyond the template, share of its longest side: copies 0 (seeds 2028-2030),
# a circle logo cropped to its middle against the banner with its letters 0.67-0.72.
_MAX_CONTINUED = 0.06
# A placement whose plain correlation with the template is below this is not refined.
_MIN_CORRELATION = 0.2


def decide(figures: dict[str, float]) -> bool:
    return (figures["seen"] >= _MIN_SEEN and figures["centre"] >= _MIN_CENTRE
            and figures["structure"] >= _MIN_STRUCTURE and figures["dense"] <= _MAX_DENSE
            and figures["largest"] <= _MAX_LARGEST and figures["differing"] <= _MAX_DIFFERING
            and figures["continued"] <= _MAX_CONTINUED)


def _correlation(template: Template, placement: Placement) -> float:
    """Normalized correlation of the template with the region at the placement's guess, over
    what the region covers, at a quarter of the size: a quick look before the costly
    refinement."""
    th, tw = template.grey.shape
    small = (max(8, tw // 4), max(8, th // 4))
    warp = placement.guess.astype(np.float32).copy()
    warp[:, 2] /= 4  # both sides a quarter the size: the linear part stays
    region = cv2.resize(placement.region[..., 0], None, fx=0.25, fy=0.25,
                        interpolation=cv2.INTER_AREA)
    pad = _pad_of(template) // 4
    inside = np.zeros(region.shape, np.uint8)
    inside[pad:region.shape[0] - pad, pad:region.shape[1] - pad] = 1
    aligned = cv2.warpAffine(region, warp, small, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
    covered = cv2.warpAffine(inside, warp, small,
                             flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP).astype(bool)
    if covered.sum() < 16:
        return 0.0
    ours = cv2.resize(template.grey, small, interpolation=cv2.INTER_AREA)
    a, b = aligned[covered].astype(np.float32), ours[covered].astype(np.float32)
    a, b = a - a.mean(), b - b.mean()
    norm = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / norm) if norm > 0 else 0.0


def verify_shape(template: Template, placements: list[Placement]
                 ) -> tuple[dict[str, float], tuple[tuple[int, int], ...], bool] | None:
    """The first placement whose comparison says "the same graphic": its figures, the
    template's corners in the query and whether the query is mirrored; None if none does.
    Placements that land where an earlier one was refined to are not judged again."""
    th, tw = template.grey.shape
    corners = np.float32([[0, 0], [tw, 0], [tw, th], [0, th]])
    judged_at: list[np.ndarray] = []
    for placement in placements:
        start = placement.back(cv2.transform(corners.reshape(-1, 1, 2),
                                              placement.guess).reshape(-1, 2))
        if any(np.abs(start - quad).max() < 0.04 * np.linalg.norm(quad[2] - quad[0])
               for quad in judged_at):
            continue
        if not placement.by_points and _correlation(template, placement) < _MIN_CORRELATION:
            continue
        judged = judge(template, placement.region, placement.guess)
        if judged is None:
            continue
        figures, warp = judged
        quad = placement.back(cv2.transform(corners.reshape(-1, 1, 2), warp).reshape(-1, 2))
        judged_at.append(quad)
        if not decide(figures):
            continue
        corners_in_query = tuple((int(round(x)), int(round(y))) for x, y in quad)
        return figures, corners_in_query, placement.mirrored
    return None
