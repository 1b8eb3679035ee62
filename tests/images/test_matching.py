"""One test per class of what operators do to a picture; the unregistered photo never matches."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

from screener.images.matcher import BankIndex
from tests.fixtures.images import as_rgb


def _jpeg(im, quality):
    buffer = io.BytesIO()
    im.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def _crop(im, t, b, left, r):
    w, h = im.size
    return im.crop((int(w * left), int(h * t), w - int(w * r), h - int(h * b)))


def _caption(im):
    out = im.copy()
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, int(im.height * 0.8), im.width, im.height), fill=(0, 0, 0))
    draw.text((10, int(im.height * 0.85)), "(c) reposted without permission", fill="white")
    return out


def _screenshot(im):
    screen = Image.new("RGB", (im.width + 60, im.height + 240), (240, 240, 240))
    ImageDraw.Draw(screen).rectangle((0, 0, im.width + 60, 80), fill=(20, 20, 20))
    screen.paste(im, (30, 110))
    return screen


def _poster(im):
    canvas = Image.new("RGB", (int(im.width * 1.8), int(im.height * 1.7)), (190, 20, 30))
    draw = ImageDraw.Draw(canvas)
    rng = np.random.default_rng(1)
    for _ in range(20):
        x, y = (int(v) for v in rng.integers(0, canvas.width, 2))
        draw.ellipse((x, y, x + 50, y + 50), fill=(255, 220, 0))
    canvas.paste(im.resize((int(im.width * 0.8), int(im.height * 0.8))), (300, 250))
    return canvas


TRANSFORMS = {
    "jpeg_q30": lambda im: _jpeg(im, 30),
    "resize": lambda im: im.resize((im.width // 2, im.height // 2)),
    "crop_20_each_side": lambda im: _crop(im, 0.2, 0.2, 0.2, 0.2),
    "crop_uneven": lambda im: _crop(im, 0.05, 0.18, 0.2, 0.0),
    "mirror": ImageOps.mirror,
    "rotate_4_degrees": lambda im: im.rotate(4, expand=True, fillcolor=(255, 255, 255)),
    "rotate_90": lambda im: im.rotate(90, expand=True),
    "rotate_180": lambda im: im.rotate(180),
    "rotate_270": lambda im: im.rotate(270, expand=True),
    "greyscale": lambda im: ImageOps.grayscale(im).convert("RGB"),
    "brightness_contrast": lambda im: ImageEnhance.Contrast(
        ImageEnhance.Brightness(im).enhance(1.4)).enhance(0.6),
    "caption_over_picture": _caption,
    "screenshot_frame": _screenshot,
    "border": lambda im: ImageOps.expand(im, border=50, fill=(0, 0, 0)),
    "inside_poster": _poster,
}


@pytest.fixture(scope="module")
def index(china_bank):
    return BankIndex.of(china_bank[0])


@pytest.mark.parametrize("name", TRANSFORMS)
def test_registered_photo_is_found_after(name, index, china_bank, photos, config):
    bank, asset_id = china_bank
    transform = TRANSFORMS[name]
    matches = index.match(as_rgb(transform(photos["china"]), config))
    assert [m.asset.id for m in matches] == [asset_id]
    assert matches[0].verification.inliers >= config.min_inliers
    assert index.match(as_rgb(transform(photos["flower"]), config)) == []


def test_region_points_at_the_asset_inside_a_poster(index, photos, config):
    poster = _poster(photos["china"])
    rgb = as_rgb(poster, config)
    scale = poster.width / rgb.shape[1]  # the decoder works on a reduced copy
    match, = index.match(rgb)
    x0, y0, x1, y1 = (v * scale for v in match.verification.region)
    assert abs(x0 - 300) < 25 and abs(y0 - 250) < 25
    assert abs((x1 - x0) - photos["china"].width * 0.8) < 40


def test_mirror_is_reported(index, photos, config):
    match, = index.match(as_rgb(ImageOps.mirror(photos["china"]), config))
    assert match.verification.mirrored


@pytest.fixture(scope="module")
def crowded(china_bank, config):
    """China among 60,000 other hashes (random, and those of 40 textured pictures with their
    ORB features), with the ORB vote off: only the hashes can nominate it."""
    import cv2

    from screener.images.bank import Asset
    from screener.images.hashing import asset_hashes
    from screener.images.verify import features_of

    small = BankIndex.of(china_bank[0])
    rng = np.random.default_rng(3)
    owner, hashes, features = [small.owner], [small.index.hashes], dict(small.features)
    assets = list(small.assets.values())
    for number in range(40):
        # Blurred colour noise at a random scale: structure at every size, like a photo.
        side = int(rng.integers(8, 64))
        noise = rng.integers(0, 256, (side, side, 3), dtype=np.uint8)
        rgb = cv2.resize(noise, (320, 240), interpolation=cv2.INTER_CUBIC)
        values = [v for _, v in asset_hashes(rgb)]
        owner.append(np.full(len(values), 1000 + number))
        hashes.append(np.asarray(values, dtype=np.int64))
        features[1000 + number] = features_of(rgb)
        assets.append(Asset(1000 + number, "", "copyright", f"texture {number}", "", "", "", "",
                            "", "active", 0, 0))
    owner.append(2000 + np.arange(60_000) // 162)
    hashes.append(rng.integers(-2**63, 2**63 - 1, size=60_000, dtype=np.int64))
    return BankIndex(config, assets, np.concatenate(owner), np.concatenate(hashes), features,
                     vote=False)


@pytest.mark.parametrize("name", ["crop_uneven", "inside_poster", "screenshot_frame",
                                  "rotate_4_degrees", "caption_over_picture"])
def test_hashes_alone_nominate_the_asset_among_many(name, crowded, china_bank, photos, config):
    _, asset_id = china_bank
    rgb = as_rgb(TRANSFORMS[name](photos["china"]), config)
    nearest = list(crowded.hash_candidates(rgb))[:config.max_candidates]
    assert asset_id in nearest
    assert [m.asset.id for m in crowded.match(rgb)] == [asset_id]
    assert crowded.match(as_rgb(TRANSFORMS[name](photos["flower"]), config)) == []


def test_flat_pictures_nominate_nothing():
    from screener.images.hashing import query_hashes

    flat = np.full((300, 400, 3), 200, dtype=np.uint8)
    gradient = np.repeat(np.linspace(0, 255, 300, dtype=np.uint8)[:, None], 400, axis=1)
    assert query_hashes(flat) == ([], [])
    labels, _ = query_hashes(np.stack([gradient] * 3, axis=2))
    assert not [label for label in labels if label.startswith("dhash")]


def test_a_content_box_finds_the_photo_inside_a_poster(photos):
    from screener.images.hashing import content_box, reduced

    poster = _poster(photos["china"])  # pasted at (300, 250), 80% size
    small = reduced(np.asarray(poster))  # as the matcher sees it
    scale = poster.width / small.shape[1]
    truth = np.asarray([300, 250, 300 + photos["china"].width * 0.8,
                        250 + photos["china"].height * 0.8])
    boxes = {content_box(small, cell, opened) for cell in (4, 8) for opened in (False, True)}
    errors = [np.abs(np.asarray(box) * scale - truth).max() for box in boxes - {None}]
    assert min(errors) <= 2 * scale  # two pixels of the reduced copy


def test_a_panel_is_the_plain_paper_a_logo_was_pasted_on():
    """A logo on its own white paper, pasted into a red poster whose dots touch the paper: the
    textured area takes the dots in, the panel is the paper to the pixel."""
    from screener.images.hashing import panel_boxes

    poster = Image.new("RGB", (256, 240), (200, 30, 40))
    draw = ImageDraw.Draw(poster)
    draw.rectangle((80, 70, 199, 189), fill=(255, 255, 255))
    draw.ellipse((88, 78, 191, 181), outline=(20, 50, 140), width=3)
    for x, y in ((60, 100), (200, 150), (120, 50)):  # touching the paper's edges
        draw.ellipse((x, y, x + 20, y + 20), fill=(90, 200, 90))
    boxes = panel_boxes(np.asarray(poster))
    assert len(boxes) >= 1
    assert max(abs(a - b) for a, b in zip(boxes[0], (80, 70, 200, 190), strict=True)) <= 2
    # The picture's own background is no panel; nor is a plain picture.
    assert panel_boxes(np.asarray(Image.new("RGB", (256, 240), (255, 255, 255)))) == []


def test_a_flat_graphic_stores_finer_crops_and_its_motif_trimmed():
    from screener.images.hashing import asset_hashes
    from screener.images.matcher import crop_fractions

    icon = Image.new("RGB", (300, 300), (255, 255, 255))
    draw = ImageDraw.Draw(icon)
    draw.ellipse((20, 20, 279, 279), outline=(0, 100, 130), width=8)
    draw.line((110, 150, 190, 150), fill=(0, 100, 130), width=10)
    draw.line((150, 110, 150, 190), fill=(0, 100, 130), width=10)
    rgb = np.asarray(icon)
    photo_like = [v for v, _ in asset_hashes(rgb)]
    flat = [v for v, _ in asset_hashes(rgb, flat=True)]
    assert sum(v.split(":")[1].startswith("crop") for v in photo_like) == 162
    assert sum(v.split(":")[1].startswith("crop") for v in flat) == 512
    # A fifth off each side leaves the cross alone on white: stored trimmed, with the
    # fractions of the icon it keeps (the cross, 90 px of the ring's 259, starts 85 px in).
    trimmed = [crop_fractions(v) for v in flat if ":trim(" in v]
    assert any(all(abs(f - 85 / 259) < 0.03 for f in fractions) for fractions in trimmed)
    assert crop_fractions("phash:crop(0, 0.1, 0.2, 0)") == (0.0, 0.1, 0.2, 0.0)
    assert crop_fractions("phash:window") is None
