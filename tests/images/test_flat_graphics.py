"""Flat graphics (emblems, seals, badges, icons) are verified by their shape: found under what
operators do to a picture, and never confused with a graphic that shares a ring, a frame or a
stroke with them."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from screener.images.bank import AssetBank
from screener.images.decode import decode_bytes
from screener.images.matcher import BankIndex
from screener.images.shape import template_of

from . import flat_graphics as graphics


def _rgb(image: Image.Image, config) -> np.ndarray:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return decode_bytes(buffer.getvalue(), "query.png", config).first


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def _crop(image: Image.Image, share: float) -> Image.Image:
    w, h = image.size
    return image.crop((int(w * share), int(h * share), w - int(w * share),
                       h - int(h * share)))


def _recoloured(image: Image.Image) -> Image.Image:
    hue, saturation, value = image.convert("HSV").split()
    return Image.merge("HSV", (hue.point(lambda v: (v + 85) % 256), saturation, value)).convert(
        "RGB")


def _poster(image: Image.Image) -> Image.Image:
    canvas = Image.new("RGB", (900, 800), (200, 30, 40))
    draw = ImageDraw.Draw(canvas)
    for x in range(0, 900, 150):
        draw.ellipse((x, 20, x + 60, 80), fill=(250, 210, 0))
    canvas.paste(image.resize((380, 380)), (300, 260))
    return canvas


def _caption(image: Image.Image) -> Image.Image:
    out = image.copy()
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, int(out.height * 0.8), out.width, out.height), fill=(0, 0, 0))
    draw.text((10, int(out.height * 0.85)), "(c) reposted", fill=(255, 255, 255))
    return out


TRANSFORMS = {
    "jpeg q30": lambda im: _jpeg(im, 30),
    "half size": lambda im: im.resize((im.width // 2, im.height // 2)),
    "crop 20% each side": lambda im: _crop(im, 0.2),
    "mirror": ImageOps.mirror,
    "rotate 5 degrees": lambda im: im.rotate(5, expand=True, fillcolor=(255, 255, 255)),
    "rotate 90": lambda im: im.rotate(90, expand=True),
    "colour change": _recoloured,
    "in a poster": _poster,
    "caption bar": _caption,
}
FAMILIES = ("ring_seal", "star_frame", "square_seal", "line_icon")


@pytest.fixture(scope="module")
def emblems():
    rng = np.random.default_rng(4)
    specs = [graphics.random_spec(rng, family, family) for family in FAMILIES]
    return specs, rng


@pytest.fixture(scope="module")
def emblem_index(tmp_path_factory, emblems, config):
    specs, _ = emblems
    folder = tmp_path_factory.mktemp("emblems")
    bank = AssetBank(f"sqlite:///{folder}/assets.db", config)
    ids = []
    for spec in specs:
        graphics.draw(spec).save(folder / f"{spec.name}.png")
        ids.append(bank.add(folder / f"{spec.name}.png", kind="emblem", title=spec.name).asset.id)
    return BankIndex.of(bank), ids


def test_emblems_are_verified_by_shape_and_photographs_by_key_points(emblems, photos, config):
    specs, _ = emblems
    assert all(template_of(_rgb(graphics.draw(spec), config)).flat for spec in specs)
    assert not template_of(_rgb(photos["china"], config)).flat
    assert not template_of(_rgb(photos["flower"], config)).flat


@pytest.mark.parametrize("name", TRANSFORMS)
def test_each_emblem_is_found_after(name, emblems, emblem_index, config):
    specs, _ = emblems
    index, ids = emblem_index
    for spec, asset_id in zip(specs, ids, strict=True):
        picture = TRANSFORMS[name](graphics.draw(spec))
        matches = index.match(_rgb(picture, config))
        assert [m.asset.id for m in matches] == [asset_id], spec.name
        assert matches[0].verification.method == "shape"


def test_near_misses_share_a_ring_or_a_frame_and_never_match(emblems, emblem_index, config):
    specs, rng = emblems
    index, _ = emblem_index
    misses = [miss for spec in specs for miss in graphics.near_misses(spec, rng)]
    assert {m.name for m in misses} >= {"same ring, other ring text",
                                        "same frame, one star more",
                                        "same frame, one star fewer", "same seal, other glyphs",
                                        "same frame, other icon"}
    for miss in misses:
        for picture in (graphics.draw(miss), _jpeg(graphics.draw(miss), 40)):
            assert index.match(_rgb(picture, config)) == [], miss.name


def test_the_region_is_where_the_emblem_is_in_a_poster(emblems, emblem_index, config):
    specs, _ = emblems
    index, ids = emblem_index
    match, = index.match(_rgb(_poster(graphics.draw(specs[0])), config))
    x0, y0, x1, y1 = match.verification.region  # pasted at (300, 260), 380 px on a side
    assert abs(x0 - 300) <= 15 and abs(y0 - 260) <= 15
    assert abs(x1 - 680) <= 15 and abs(y1 - 640) <= 15
