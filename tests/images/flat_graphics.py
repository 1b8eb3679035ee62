"""Flat graphics drawn by code: seals, star emblems, badges, square seals, line-art icons, logos.

Each graphic is a ``Spec`` (a family and its parameters) drawn by ``draw``; ``near_misses``
changes one visible part of a spec and keeps the rest (the same ring with other glyphs, the
same frame with another number of stars), which is what an unrelated emblem that shares a
ring, a frame or a stroke with a protected one looks like. Glyphs are rendered from the
installed Noto CJK font. Used by the image tests and by benchmarks/bench_images.py.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
CJK_SERIF = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"
# Common characters of college names, mottos and seals (typed here, no third-party text).
GLYPHS = ("北京大学工学院研究生会中国科技创新团委实验室计算机电子信息材料能源环境机械航空"
          "数学物理化学生命医学人文社会经济管理法律教育艺术体育图书馆档案出版青年志愿者"
          "协会联合党支部宣传办公室委员会国际交流合作中心基金")
COLOURS = ((170, 20, 30), (20, 50, 140), (0, 110, 60), (30, 30, 30), (150, 90, 0),
           (110, 20, 110), (200, 60, 0), (0, 100, 130))
FAMILIES = ("ring_seal", "star_frame", "badge", "square_seal", "line_icon", "logo")
ICONS = ("book", "house", "gear", "flame", "mountain", "wave", "torch", "atom", "leaf", "bulb")
SIDE = 480


@dataclass(frozen=True)
class Spec:
    family: str
    colour: tuple[int, int, int]
    params: dict = field(default_factory=dict, hash=False, compare=False)
    name: str = ""

    def but(self, name: str, **changes) -> Spec:
        return dataclasses.replace(self, params={**self.params, **changes}, name=name)


@lru_cache(maxsize=64)
def _font(size: int, serif: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(CJK_SERIF if serif else CJK_FONT, size)


def _glyph(char: str, size: int, colour, angle: float = 0.0, serif: bool = True) -> Image.Image:
    """One glyph on a transparent square, turned by ``angle`` degrees (counter-clockwise)."""
    tile = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text((size, size), char, font=_font(size, serif), fill=colour,
                              anchor="mm")
    return tile.rotate(angle, resample=Image.Resampling.BICUBIC) if angle else tile


def _paste(canvas: Image.Image, tile: Image.Image, centre: tuple[float, float]) -> None:
    x, y = centre
    canvas.alpha_composite(tile, (int(x - tile.width / 2), int(y - tile.height / 2)))


def _star_points(cx: float, cy: float, outer: float, points: int = 5,
                 turn: float = -90.0) -> list[tuple[float, float]]:
    inner = outer * 0.4
    out = []
    for k in range(points * 2):
        radius = outer if k % 2 == 0 else inner
        angle = math.radians(turn + k * 180 / points)
        out.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return out


def _polygon(cx, cy, radius, sides, turn=-90.0) -> list[tuple[float, float]]:
    return [(cx + radius * math.cos(math.radians(turn + k * 360 / sides)),
             cy + radius * math.sin(math.radians(turn + k * 360 / sides))) for k in range(sides)]


def _ring_text(canvas, text: str, radius: float, size: int, colour, start: float = 200,
               end: float = 340) -> None:
    """Glyphs along an arc (degrees, clockwise from the x axis, y down), upright outward."""
    c = SIDE / 2
    steps = max(1, len(text) - 1)
    for k, char in enumerate(text):
        angle = start + (end - start) * k / steps
        x = c + radius * math.cos(math.radians(angle))
        y = c + radius * math.sin(math.radians(angle))
        _paste(canvas, _glyph(char, size, colour, angle=-(angle + 90)), (x, y))


def ring_seal(spec: Spec, canvas: Image.Image) -> None:
    p, colour, c = spec.params, spec.colour, SIDE / 2
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((12, 12, SIDE - 12, SIDE - 12), outline=colour, width=p["ring"])
    if p["inner_ring"]:
        draw.ellipse((70, 70, SIDE - 70, SIDE - 70), outline=colour, width=4)
    _ring_text(canvas, p["text"], SIDE / 2 - 42 - p["ring"] / 2, 40, colour)
    if p["centre"] == "star":
        draw.polygon(_star_points(c, c - 10, 72), fill=colour)
    else:
        for k, char in enumerate(p["centre"]):
            offset = (k - (len(p["centre"]) - 1) / 2) * 64
            _paste(canvas, _glyph(char, 60, colour), (c + offset, c - 10))
    if p["bottom"]:
        for k, char in enumerate(p["bottom"]):
            offset = (k - (len(p["bottom"]) - 1) / 2) * 38
            _paste(canvas, _glyph(char, 32, colour, serif=False), (c + offset, c + 110))


def star_frame(spec: Spec, canvas: Image.Image) -> None:
    p, colour, c = spec.params, spec.colour, SIDE / 2
    draw = ImageDraw.Draw(canvas)
    frame = p["frame"]
    if frame == "circle":
        draw.ellipse((20, 20, SIDE - 20, SIDE - 20), outline=colour, width=14)
    elif frame == "square":
        draw.rectangle((24, 24, SIDE - 24, SIDE - 24), outline=colour, width=14)
    elif frame == "shield":
        draw.line([(40, 40), (SIDE - 40, 40), (SIDE - 40, 250), (c, SIDE - 24), (40, 250),
                   (40, 40)], fill=colour, width=14, joint="curve")
    else:
        draw.polygon(_polygon(c, c, SIDE / 2 - 24, 6), outline=colour, width=14)
    if p["centre"] == "star":
        draw.polygon(_star_points(c, c - 50, 70), fill=colour)
    else:
        _paste(canvas, _glyph(p["centre"], 110, colour), (c, c - 45))
    n, layout = p["stars"], p["layout"]
    for k in range(n):
        if layout == "arc":
            share = k / (n - 1) if n > 1 else 0.5
            x, y = c - 130 + 260 * share, c + 150 - 60 * math.sin(math.pi * share)
        elif layout == "row":
            x, y = c - 140 + 280 * (k + 0.5) / n, c + 110
        else:
            angle = math.radians(-90 + 360 * k / n)
            x, y = c + 120 * math.cos(angle), c + 20 + 120 * math.sin(angle)
        draw.polygon(_star_points(x, y, p["star_size"]), fill=colour)


def badge(spec: Spec, canvas: Image.Image) -> None:
    p, colour, c = spec.params, spec.colour, SIDE / 2
    draw = ImageDraw.Draw(canvas)
    for k in range(p["nested"]):
        draw.polygon(_polygon(c, c, SIDE / 2 - 20 - 34 * k, p["sides"], p["turn"]),
                     outline=colour, width=10 - 2 * k)
    inner = p["inner"]
    if inner == "cross":
        draw.rectangle((c - 18, c - 80, c + 18, c + 80), fill=colour)
        draw.rectangle((c - 80, c - 18, c + 80, c + 18), fill=colour)
    elif inner == "dots":
        for k in range(p["dots"]):
            angle = math.radians(360 * k / p["dots"])
            x, y = c + 70 * math.cos(angle), c + 70 * math.sin(angle)
            draw.ellipse((x - 16, y - 16, x + 16, y + 16), fill=colour)
    else:
        _paste(canvas, _glyph(inner, 130, colour), (c, c))


def square_seal(spec: Spec, canvas: Image.Image) -> None:
    p, colour = spec.params, spec.colour
    draw = ImageDraw.Draw(canvas)
    text_colour = colour
    if p["yin"]:  # white glyphs cut out of a solid seal
        draw.rectangle((30, 30, SIDE - 30, SIDE - 30), fill=colour)
        text_colour = (255, 255, 255)
    else:
        draw.rectangle((30, 30, SIDE - 30, SIDE - 30), outline=colour, width=p["border"])
    # Seals read right to left, top to bottom.
    cells = [(SIDE * 0.68, SIDE * 0.32), (SIDE * 0.68, SIDE * 0.68), (SIDE * 0.32, SIDE * 0.32),
             (SIDE * 0.32, SIDE * 0.68)]
    for char, centre in zip(p["glyphs"], cells, strict=False):
        _paste(canvas, _glyph(char, 150, text_colour), centre)


def _icon(draw: ImageDraw.ImageDraw, kind: str, colour, width: int) -> None:
    c = SIDE / 2
    if kind == "book":
        draw.line([(c, 150), (c, 340)], fill=colour, width=width)
        draw.line([(c, 150), (110, 130), (110, 320), (c, 340), (370, 320), (370, 130), (c, 150)],
                  fill=colour, width=width, joint="curve")
    elif kind == "house":
        draw.line([(120, 230), (c, 120), (360, 230)], fill=colour, width=width)
        draw.rectangle((150, 230, 330, 360), outline=colour, width=width)
        draw.rectangle((215, 280, 265, 360), outline=colour, width=width)
    elif kind == "gear":
        draw.ellipse((170, 170, 310, 310), outline=colour, width=width)
        for k in range(8):
            a = math.radians(45 * k)
            draw.line([(c + 70 * math.cos(a), c + 70 * math.sin(a)),
                       (c + 110 * math.cos(a), c + 110 * math.sin(a))], fill=colour,
                      width=width * 2)
    elif kind == "flame":
        draw.arc((150, 150, 330, 380), 200, 340, fill=colour, width=width)
        draw.line([(160, 250), (c, 110), (320, 250)], fill=colour, width=width)
        draw.arc((200, 240, 280, 350), 180, 360, fill=colour, width=width)
    elif kind == "mountain":
        draw.line([(90, 350), (190, 170), (250, 270), (300, 200), (390, 350), (90, 350)],
                  fill=colour, width=width, joint="curve")
        draw.ellipse((300, 110, 350, 160), outline=colour, width=width)
    elif kind == "wave":
        for row in range(3):
            y = 190 + 50 * row
            points = [(100 + x, y + 22 * math.sin(x / 30)) for x in range(0, 281, 10)]
            draw.line(points, fill=colour, width=width, joint="curve")
    elif kind == "torch":
        draw.polygon([(200, 230), (280, 230), (255, 380), (225, 380)], outline=colour,
                     width=width)
        draw.arc((190, 110, 290, 250), 180, 360, fill=colour, width=width)
        draw.line([(190, 180), (c, 100), (290, 180)], fill=colour, width=width)
    elif kind == "atom":
        for angle in (0, 60, 120):
            ellipse = Image.new("L", (SIDE, SIDE), 0)
            ImageDraw.Draw(ellipse).ellipse((100, 190, 380, 290), outline=255, width=width)
            mask = ellipse.rotate(angle, resample=Image.Resampling.BICUBIC)
            draw.bitmap((0, 0), mask, fill=colour)
        draw.ellipse((c - 18, c - 18, c + 18, c + 18), fill=colour)
    elif kind == "leaf":
        draw.arc((120, 120, 380, 380), 180, 270, fill=colour, width=width)
        draw.arc((100, 100, 360, 360), 0, 90, fill=colour, width=width)
        draw.line([(140, 340), (340, 140)], fill=colour, width=width)
    else:  # bulb
        draw.ellipse((160, 110, 320, 270), outline=colour, width=width)
        draw.rectangle((205, 270, 275, 350), outline=colour, width=width)
        draw.line([(205, 300), (275, 300)], fill=colour, width=width)


def line_icon(spec: Spec, canvas: Image.Image) -> None:
    p, colour = spec.params, spec.colour
    draw = ImageDraw.Draw(canvas)
    if p["frame"] == "circle":
        draw.ellipse((20, 20, SIDE - 20, SIDE - 20), outline=colour, width=p["stroke"])
    elif p["frame"] == "rounded":
        draw.rounded_rectangle((24, 24, SIDE - 24, SIDE - 24), 60, outline=colour,
                               width=p["stroke"])
    _icon(draw, p["icon"], colour, p["stroke"])


def logo(spec: Spec, canvas: Image.Image) -> None:
    p, colour = spec.params, spec.colour
    draw = ImageDraw.Draw(canvas)
    if p["shape"] == "circle":
        draw.ellipse((30, 30, SIDE - 30, SIDE - 30), fill=colour)
    elif p["shape"] == "rounded":
        draw.rounded_rectangle((30, 90, SIDE - 30, SIDE - 90), 50, fill=colour)
    else:
        draw.polygon([(30, 120), (SIDE - 30, 120), (SIDE - 70, SIDE / 2), (SIDE - 30, 360),
                      (30, 360), (70, SIDE / 2)], fill=colour)
    for k in range(p["stripes"]):
        y = 300 + 16 * k
        draw.rectangle((110, y, SIDE - 110, y + 6), fill=(255, 255, 255))
    font = ImageFont.truetype(CJK_FONT, p["size"])
    draw.text((SIDE / 2, 210), p["letters"], font=font, fill=(255, 255, 255), anchor="mm")


DRAW = {"ring_seal": ring_seal, "star_frame": star_frame, "badge": badge,
        "square_seal": square_seal, "line_icon": line_icon, "logo": logo}


def draw(spec: Spec) -> Image.Image:
    canvas = Image.new("RGBA", (SIDE, SIDE), (255, 255, 255, 255))
    DRAW[spec.family](spec, canvas)
    return canvas.convert("RGB")


def _glyphs(rng: np.random.Generator, n: int) -> str:
    return "".join(GLYPHS[int(i)] for i in rng.choice(len(GLYPHS), n, replace=False))


def random_spec(rng: np.random.Generator, family: str | None = None, name: str = "") -> Spec:
    family = family or FAMILIES[int(rng.integers(len(FAMILIES)))]
    colour = COLOURS[int(rng.integers(len(COLOURS)))]
    pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
    if family == "ring_seal":
        params = {"ring": int(rng.integers(8, 20)), "inner_ring": bool(rng.random() < 0.5),
                  "text": _glyphs(rng, int(rng.integers(5, 9))),
                  "centre": "star" if rng.random() < 0.5 else _glyphs(rng, 2),
                  "bottom": _glyphs(rng, int(rng.integers(3, 6))) if rng.random() < 0.6 else ""}
    elif family == "star_frame":
        params = {"frame": pick(("circle", "square", "shield", "hexagon")),
                  "stars": int(rng.integers(3, 8)), "layout": pick(("arc", "row", "ring")),
                  "centre": "star" if rng.random() < 0.5 else _glyphs(rng, 1),
                  "star_size": int(rng.integers(22, 36))}
    elif family == "badge":
        params = {"sides": int(rng.integers(3, 9)), "nested": int(rng.integers(1, 4)),
                  "turn": float(pick((-90.0, -45.0, 0.0, -60.0))),
                  "inner": pick(("cross", "dots", _glyphs(rng, 1))),
                  "dots": int(rng.integers(3, 9))}
    elif family == "square_seal":
        params = {"glyphs": _glyphs(rng, 4), "yin": bool(rng.random() < 0.5),
                  "border": int(rng.integers(10, 22))}
    elif family == "line_icon":
        # Always framed: an icon alone would be a crop of the same icon in a frame.
        params = {"icon": pick(ICONS), "frame": pick(("circle", "rounded")),
                  "stroke": int(rng.integers(8, 16))}
    else:
        letters = "".join(chr(ord("A") + int(i)) for i in rng.integers(0, 26, int(
            rng.integers(2, 5))))
        params = {"letters": letters, "shape": pick(("circle", "rounded", "banner")),
                  "stripes": int(rng.integers(0, 4)), "size": int(rng.integers(90, 130))}
    return Spec(family, colour, params, name or family)


def near_misses(spec: Spec, rng: np.random.Generator) -> list[Spec]:
    """Graphics that share most of ``spec`` (ring, frame, strokes, colour) and differ in one
    visible part: what must never match it."""
    p, f = spec.params, spec.family
    out: list[Spec] = []
    if f == "ring_seal":
        out.append(spec.but("same ring, other ring text", text=_glyphs(rng, len(p["text"]))))
        centre = _glyphs(rng, 2) if p["centre"] == "star" else "star"
        out.append(spec.but("same ring, other centre", centre=centre))
        if p["centre"] != "star":
            out.append(spec.but("same ring, other centre glyphs", centre=_glyphs(rng, 2)))
    elif f == "star_frame":
        out.append(spec.but("same frame, one star more", stars=p["stars"] + 1))
        out.append(spec.but("same frame, one star fewer", stars=max(1, p["stars"] - 1)))
        centre = _glyphs(rng, 1) if p["centre"] == "star" else "star"
        out.append(spec.but("same frame and stars, other centre", centre=centre))
    elif f == "badge":
        inner = "cross" if p["inner"] != "cross" else "dots"
        out.append(spec.but("same badge, other centre", inner=inner))
        out.append(spec.but("same centre, other sides", sides=p["sides"] % 7 + 3))
    elif f == "square_seal":
        glyphs = p["glyphs"][:2] + _glyphs(rng, 2)
        out.append(spec.but("same seal, two other glyphs", glyphs=glyphs))
        out.append(spec.but("same seal, other glyphs", glyphs=_glyphs(rng, 4)))
    elif f == "line_icon":
        others = [i for i in ICONS if i != p["icon"]]
        out.append(spec.but("same frame, other icon", icon=others[int(rng.integers(len(
            others)))]))
    else:
        out.append(spec.but("same shape, other letters",
                            letters=p["letters"][:-1] + chr((ord(p["letters"][-1]) - 64) % 26
                                                            + 65)))
        out.append(spec.but("same letters, other shape",
                            shape="circle" if p["shape"] != "circle" else "banner"))
    return out


def _ink_box(image: Image.Image) -> np.ndarray:
    """The ink of a picture, cut to its bounding box and drawn at 64x64."""
    ink = np.asarray(image.convert("L")) < 200
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if len(rows) == 0:
        return np.zeros((64, 64), bool)
    cut = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    return np.asarray(Image.fromarray(cut).resize((64, 64), Image.Resampling.NEAREST))


def _signatures(spec: Spec, crops: bool) -> list[np.ndarray]:
    """The graphic's ink (and, with ``crops``, that of its crops of 10% and 20% off each
    side: what the benchmark's crops leave), mirrored and turned every way."""
    image = draw(spec)
    pictures = [image]
    if crops:
        for share in (0.1, 0.2):
            side = int(SIDE * share)
            pictures.append(image.crop((side, side, SIDE - side, SIDE - side)))
    out = []
    for picture in pictures:
        ink = _ink_box(picture)
        out.extend(np.rot90(turned, k) for turned in (ink, ink[:, ::-1]) for k in range(4))
    return out


# Pen widths: two graphics that differ only in these are the same emblem drawn with another pen
# (a ring 13 px wide or 15 px wide), whatever their ink at 64 x 64 px says.
PEN_WIDTHS = frozenset({"ring", "border", "stroke"})


def design(spec: Spec) -> tuple:
    """What a reader tells graphics apart by: the family and every part but the pen widths."""
    return spec.family, tuple(sorted((k, v) for k, v in spec.params.items()
                                     if k not in PEN_WIDTHS))


def _same_graphic(ink: np.ndarray, others: list[np.ndarray]) -> bool:
    """Drawn alike (up to a mirror or a quarter turn, or as a crop of the other): then it is
    the same graphic, not a distractor. A share of 1% of 64x64 differing is a star or a
    glyph's worth."""
    return any((ink != other).mean() < 0.01 for other in others)


def collection(n_assets: int = 30, n_distractors: int = 300,
               seed: int = 17) -> tuple[list[Spec], list[Spec]]:
    """``n_assets`` graphics spread over the families, and ``n_distractors`` others: the near
    misses of every asset first, then unrelated graphics of every family. No two are drawn
    alike (up to a mirror or a quarter turn) or differ only in pen width."""
    rng = np.random.default_rng(seed)
    assets: list[Spec] = []
    drawn: list[np.ndarray] = []
    designs: set[tuple] = set()
    k = 0
    while len(assets) < n_assets:
        spec = random_spec(rng, FAMILIES[k % len(FAMILIES)], f"asset {len(assets)}")
        k += 1
        if design(spec) not in designs and not _same_graphic(_signatures(spec, False)[0],
                                                             drawn):
            assets.append(spec)
            designs.add(design(spec))
            drawn.extend(_signatures(spec, True))
    # Two rounds of near misses (other glyphs, other counts each time), then other graphics.
    candidates = [miss for _ in range(2) for asset in assets for miss in near_misses(asset, rng)]
    distractors: list[Spec] = []
    k = 0
    while len(distractors) < n_distractors:
        if candidates:
            spec = candidates.pop(0)
        else:
            spec = random_spec(rng, FAMILIES[k % len(FAMILIES)], f"other {k}")
            k += 1
        if design(spec) not in designs and not _same_graphic(_signatures(spec, False)[0],
                                                             drawn):
            distractors.append(spec)
            designs.add(design(spec))
            drawn.extend(_signatures(spec, True))
    return assets, distractors


def busy_poster(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """``image`` at nine tenths of its size on a red poster with coloured dots and a line of
    text, as the image benchmark pastes a picture into a poster."""
    w, h = image.size
    canvas = Image.new("RGB", (int(w * 1.8), int(h * 1.7)), (200, 30, 40))
    draw = ImageDraw.Draw(canvas)
    for _ in range(25):
        x, y = rng.integers(0, canvas.size[0]), rng.integers(0, canvas.size[1])
        draw.ellipse((x, y, x + 60, y + 60), fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
    draw.text((30, 20), "College open day - all welcome", fill=(255, 255, 255))
    canvas.paste(image.resize((int(w * 0.9), int(h * 0.9))), (int(w * 0.6), int(h * 0.5)))
    return canvas
