"""Image matching benchmark: robustness per transform, time split, hash recall in a large bank,
lookup at scale against a numpy linear scan.

Real photographs shipped with scikit-image and scikit-learn; half registered in a fresh bank,
half never registered. Every transform is applied to all of them: recall counts registered
pictures found as their own asset; a false match is any match of an unregistered picture, or of a
registered one to the wrong asset.

1. Small bank (the 6 registered photos), the whole matcher: recall, false matches, hash recall
   (the true asset among the hash candidates, without the ORB vote), and the time per picture
   split into hashing, lookup and verification; OCR time on a sample of the same pictures.
2. Large bank: the 6 photos plus ``--distractors`` hashes, half from real-looking distractor
   assets (crops, turns, collages of other scikit-image pictures, each with its ORB features),
   half random. Per transform: hash recall, assets within the radius, candidates passed to ORB
   (at most ``max_candidates``), full-pipeline recall with the vote off, and false matches.
3. Lookup: the multi-index against the numpy linear scan at each of ``--sizes`` hashes, in the
   same run: one picture's batch of hashes, and single hashes; the ratio is printed.
4. Flat graphics: 30 emblems, seals, badges, line-art icons and logos drawn by code
   (tests/images/flat_graphics.py, glyphs from the Noto CJK font) registered as emblems, under
   every transform above plus a change of colour; 300 other flat graphics as distractors, most of
   them near misses (the same ring with other glyphs, the same frame with one star more or
   fewer, the same badge with another centre, the same seal with other glyphs, the same frame
   with another icon, the same letters on another shape). Table A: the distractors as queries
   (whole) must match nothing; table B: registered in the bank too, they must not be found for
   the 30. Queries run in ``--workers`` forked processes. The set is drawn from
   ``--flat-seed``: seeds 17 and 2026 were looked at while the shape rule and its placements
   were made, 2027-2032 were measured and then their misses and false matches looked at, so
   the default (2033) is a set nobody has looked at.

    python benchmarks/bench_images.py [--quick] [--distractors N] [--sizes 10000,100000,1000000]
        [--only photos|flat] [--flat-distractors N] [--flat-seed 2033] [--workers 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screener.images.bank import Asset, AssetBank  # noqa: E402
from screener.images.config import ImageConfig  # noqa: E402
from screener.images.decode import decode_bytes  # noqa: E402
from screener.images.hashing import asset_hashes, query_hashes, trim_borders  # noqa: E402
from screener.images.index import (  # noqa: E402
    LINEAR_BELOW,
    MultiIndex,
    block_widths,
    linear_search,
)
from screener.images.matcher import BankIndex  # noqa: E402
from screener.images.ocr import OcrEngine  # noqa: E402
from screener.images.verify import features_of  # noqa: E402

REGISTERED = ("astronaut", "coffee", "rocket", "immunohistochemistry", "china", "camera")
UNREGISTERED = ("chelsea", "hubble_deep_field", "retina", "flower", "coins", "moon")
# Distractor sources: scikit-image pictures used nowhere above ("cat" is chelsea again).
DISTRACTOR_SOURCES = ("brick", "cell", "clock", "colorwheel", "grass", "gravel", "horse", "logo",
                      "page", "text", "shepp_logan_phantom", "binary_blobs", "microaneurysms")


def photo(name: str) -> Image.Image:
    if name in ("china", "flower"):
        from sklearn.datasets import load_sample_images

        images = load_sample_images()
        index = [Path(f).stem for f in images.filenames].index(name)
        array = images.images[index]
    else:
        import skimage.data

        array = getattr(skimage.data, name)()
    image = Image.fromarray(array)
    return image.convert("RGB")


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def crop_sides(image: Image.Image, t: float, b: float, left: float, r: float) -> Image.Image:
    w, h = image.size
    return image.crop((int(w * left), int(h * t), w - int(w * r), h - int(h * b)))


def caption(image: Image.Image) -> Image.Image:
    out = image.copy()
    draw = ImageDraw.Draw(out)
    w, h = out.size
    draw.rectangle((0, int(h * 0.8), w, h), fill=(0, 0, 0))
    draw.text((10, int(h * 0.83)), "(c) somebody else 2026 - do not repost", fill=(255, 255, 255))
    draw.text((w // 3, h // 3), "WATERMARK", fill=(255, 255, 255))
    return out


def framed(image: Image.Image) -> Image.Image:
    w, h = image.size
    screen = Image.new("RGB", (w + 80, h + 260), (245, 245, 245))
    draw = ImageDraw.Draw(screen)
    draw.rectangle((0, 0, w + 80, 90), fill=(30, 30, 30))
    draw.text((20, 30), "12:34  WeChat  Moments", fill=(255, 255, 255))
    draw.text((20, h + 200), "Like  Comment  Share", fill=(40, 40, 40))
    screen.paste(image, (40, 120))
    return screen


def poster(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    return flat_graphics_module().busy_poster(image, rng)


def colour_change(image: Image.Image) -> Image.Image:
    """Every hue turned by a third of the circle (a red emblem printed blue, a blue logo
    green); lightness and saturation kept."""
    hue, saturation, value = image.convert("HSV").split()
    hue = hue.point(lambda h: (h + 85) % 256)
    return Image.merge("HSV", (hue, saturation, value)).convert("RGB")


TRANSFORMS = {
    "identity": lambda im, rng: im,
    "jpeg q30": lambda im, rng: jpeg(im, 30),
    "resize 50%": lambda im, rng: im.resize((im.width // 2, im.height // 2)),
    "resize 150%": lambda im, rng: im.resize((im.width * 3 // 2, im.height * 3 // 2)),
    "crop 20% each side": lambda im, rng: crop_sides(im, 0.2, 0.2, 0.2, 0.2),
    "crop random <=20%": lambda im, rng: crop_sides(im, *rng.uniform(0, 0.2, 4)),
    "mirror": lambda im, rng: ImageOps.mirror(im),
    "rotate 5 deg": lambda im, rng: im.rotate(5, expand=True, fillcolor=(255, 255, 255)),
    "rotate -3 deg crop": lambda im, rng: crop_sides(im.rotate(-3), 0.05, 0.05, 0.05, 0.05),
    "rotate 90": lambda im, rng: im.rotate(90, expand=True),
    "rotate 180": lambda im, rng: im.rotate(180),
    "rotate 270": lambda im, rng: im.rotate(270, expand=True),
    "greyscale": lambda im, rng: ImageOps.grayscale(im).convert("RGB"),
    "brightness +40%": lambda im, rng: ImageEnhance.Brightness(im).enhance(1.4),
    "contrast -40%": lambda im, rng: ImageEnhance.Contrast(im).enhance(0.6),
    "caption/watermark": lambda im, rng: caption(im),
    "screenshot frame": lambda im, rng: framed(im),
    "border": lambda im, rng: ImageOps.expand(im, border=40, fill=(0, 0, 0)),
    "in a poster": lambda im, rng: poster(im, rng),
    "crop+mirror+jpeg": lambda im, rng: jpeg(ImageOps.mirror(crop_sides(im, .1, .15, .1, .05)),
                                             40),
    "colour change": lambda im, rng: colour_change(im),
}


def queries(rng: np.random.Generator, config: ImageConfig):
    """(transform, photo name, decoded picture) for every transform and photo."""
    for label, transform in TRANSFORMS.items():
        for name in REGISTERED + UNREGISTERED:
            buffer = io.BytesIO()
            transform(photo(name), rng).save(buffer, "PNG")
            yield label, name, decode_bytes(buffer.getvalue(), name, config).first


def small_bank(folder: str, config: ImageConfig) -> tuple[AssetBank, dict[str, int]]:
    bank = AssetBank(f"sqlite:///{folder}/assets.db", config)
    ids = {}
    for name in REGISTERED:
        path = Path(folder) / f"{name}.png"
        photo(name).save(path)
        ids[name] = bank.add(path, kind="copyright", title=name).asset.id
    return bank, ids


class Tally:
    """Per-transform counts; ``row`` prints one line, ``total`` the overall line."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, float]] = {}

    def add(self, label: str, **counts: float) -> None:
        row = self.rows.setdefault(label, {})
        for key, value in counts.items():
            row[key] = row.get(key, 0) + value

    def overall(self, key: str) -> float:
        return sum(row.get(key, 0) for row in self.rows.values())

    def worst(self, key: str) -> float:
        """The lowest per-transform share of registered pictures with ``key``."""
        return min(row[key] / row["registered"] for row in self.rows.values())


def robustness(config: ImageConfig, ocr_samples: int) -> None:
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as folder:
        bank, ids = small_bank(folder, config)
        index = BankIndex.of(bank)
        tally, timings_all, sampled = Tally(), {}, []
        for label, name, rgb in queries(rng, config):
            timings: dict[str, float] = {}
            hits = {m.asset.id for m in index.match(rgb, timings)}
            nominated = list(index.hash_candidates(rgb))[:config.max_candidates]
            own = ids.get(name)
            tally.add(label, registered=own is not None, found=own in hits,
                      hashed=own is not None and own in nominated,
                      false=len(hits - {own}), queries=1,
                      **{part: seconds for part, seconds in timings.items()})
            for part, seconds in timings.items():
                timings_all[part] = timings_all.get(part, 0.0) + seconds
            if len(sampled) < ocr_samples and name == REGISTERED[len(sampled) % 6]:
                sampled.append(rgb)
        print(f"small bank ({len(REGISTERED)} registered, {len(UNREGISTERED)} never registered):"
              f" whole matcher")
        print(f"{'transform':<22} {'recall':>7} {'false':>6} {'hash recall':>12} "
              f"{'hash ms':>8} {'lookup ms':>10} {'verify ms':>10}")
        for label, row in tally.rows.items():
            print(f"{label:<22} {row['found'] / row['registered']:>7.0%} {row['false']:>6.0f} "
                  f"{row['hashed'] / row['registered']:>12.0%} "
                  + " ".join(f"{row.get(p, 0) * 1000 / row['queries']:>{w}.1f}"
                             for p, w in (("hashing", 8), ("lookup", 10),
                                          ("verification", 10))))
        n = tally.overall("queries")
        print(f"{'overall':<22} {tally.overall('found') / tally.overall('registered'):>7.0%} "
              f"{tally.overall('false'):>6.0f} "
              f"{tally.overall('hashed') / tally.overall('registered'):>12.0%}  "
              f"(worst transform {tally.worst('found'):.0%})")
        ocr_ms = ocr_time(sampled)
        split = {p: timings_all.get(p, 0) * 1000 / n for p in ("hashing", "lookup",
                                                                 "verification")}
        print("time per picture: " + ", ".join(f"{p} {ms:.0f} ms" for p, ms in split.items())
              + f", OCR {ocr_ms:.0f} ms (rapidocr, {len(sampled)} pictures, uncached; a "
              f"picture seen before is read from the cache)")


def ocr_time(pictures: list[np.ndarray]) -> float:
    if not pictures:
        return float("nan")
    engine = OcrEngine()
    engine.read(pictures[0])  # model load
    began = time.perf_counter()
    for rgb in pictures:
        engine.read(rgb)
    return (time.perf_counter() - began) * 1000 / len(pictures)


def distractor_picture(rng: np.random.Generator, sources: list[np.ndarray]) -> np.ndarray:
    """A real-looking picture that is none of the query photos: a crop of one source, turned,
    mirrored, re-lit and resized, or a collage of two to four such tiles."""
    def tile(side: int) -> Image.Image:
        source = sources[int(rng.integers(len(sources)))]
        h, w = source.shape[:2]
        ch, cw = int(h * rng.uniform(0.4, 1)), int(w * rng.uniform(0.4, 1))
        y, x = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
        image = Image.fromarray(source[y:y + ch, x:x + cw]).rotate(
            90 * int(rng.integers(4)), expand=True)
        if rng.random() < 0.5:
            image = ImageOps.mirror(image)
        image = ImageEnhance.Brightness(image).enhance(rng.uniform(0.7, 1.3))
        return image.resize((side, int(side * rng.uniform(0.6, 1.4))))

    side = int(rng.integers(160, 320))
    parts = int(rng.choice([1, 1, 2, 3, 4]))
    if parts == 1:
        return np.asarray(tile(side))
    canvas = Image.new("RGB", (side * 2, side * 2), tuple(int(c) for c in rng.integers(0, 255, 3)))
    for number in range(parts):
        canvas.paste(tile(side), ((number % 2) * side, (number // 2) * side))
    return np.asarray(canvas)


def large_bank(config: ImageConfig, small: BankIndex, n_hashes: int,
               rng: np.random.Generator) -> BankIndex:
    """The small bank's assets plus ``n_hashes`` distractor hashes (half real-looking)."""
    import skimage.data

    sources = [np.asarray(Image.fromarray(getattr(skimage.data, name)()).convert("RGB"))
               for name in DISTRACTOR_SOURCES]
    owner, hashes = [small.owner], [small.index.hashes]
    features = dict(small.features)
    assets = list(small.assets.values())
    next_id = max(small.assets) + 1
    real_target = n_hashes // 2
    made = 0
    began = time.perf_counter()
    while made < real_target:
        rgb = distractor_picture(rng, sources)
        values = [v for _, v in asset_hashes(rgb)]
        owner.append(np.full(len(values), next_id))
        hashes.append(np.asarray(values, dtype=np.int64))
        features[next_id] = features_of(trim_borders(rgb))
        assets.append(_asset(next_id, "distractor"))
        next_id, made = next_id + 1, made + len(values)
    real_assets = next_id - max(small.assets) - 1
    noise = n_hashes - made
    # Random hashes, 22 per pretend asset like a real one; they have no features to verify.
    noise_owner = next_id + np.arange(noise) // 22
    owner.append(noise_owner)
    hashes.append(rng.integers(-2**63, 2**63 - 1, size=noise, dtype=np.int64))
    assets.extend(_asset(int(i), "noise") for i in np.unique(noise_owner))
    print(f"large bank: {len(REGISTERED)} assets + {real_assets:,} real-looking distractor "
          f"assets ({made:,} hashes) + {noise:,} random hashes; built in "
          f"{time.perf_counter() - began:.0f} s")
    return BankIndex(config, assets, np.concatenate(owner), np.concatenate(hashes), features,
                     vote=False)


def _asset(asset_id: int, title: str) -> Asset:
    return Asset(asset_id, "", "copyright", title, "", "", "", "", "", "active", 0, 0)


def large_bank_recall(config: ImageConfig, n_hashes: int) -> None:
    rng = np.random.default_rng(11)
    with tempfile.TemporaryDirectory() as folder:
        bank, ids = small_bank(folder, config)
        index = large_bank(config, BankIndex.of(bank), n_hashes, rng)
    tally = Tally()
    for label, name, rgb in queries(np.random.default_rng(7), config):
        own = ids.get(name)
        nominated = list(index.hash_candidates(rgb))
        passed = nominated[:config.max_candidates]
        hits = {m.asset.id for m in index.match(rgb)}
        tally.add(label, registered=own is not None, queries=1,
                  hashed=own is not None and own in passed, within=len(nominated),
                  passed=len(passed), found=own in hits, false=len(hits - {own}))
    print(f"{'transform':<22} {'hash recall':>12} {'within r':>9} {'to ORB':>7} "
          f"{'recall':>7} {'false':>6}   (per picture; vote off)")
    for label, row in tally.rows.items():
        print(f"{label:<22} {row['hashed'] / row['registered']:>12.0%} "
              f"{row['within'] / row['queries']:>9.1f} "
              f"{row['passed'] / row['queries']:>7.1f} {row['found'] / row['registered']:>7.0%} "
              f"{row['false']:>6.0f}")
    n = tally.overall("queries")
    print(f"{'overall':<22} {tally.overall('hashed') / tally.overall('registered'):>12.0%} "
          f"{tally.overall('within') / n:>9.1f} {tally.overall('passed') / n:>7.1f} "
          f"{tally.overall('found') / tally.overall('registered'):>7.0%} "
          f"{tally.overall('false'):>6.0f}   (worst hash recall {tally.worst('hashed'):.0%})")


def _per_hash(run, rounds: int, n: int) -> float:
    began = time.perf_counter()
    for _ in range(rounds):
        run()
    return (time.perf_counter() - began) * 1000 / rounds / n


def lookup(config: ImageConfig, sizes: tuple[int, ...]) -> None:
    rng = np.random.default_rng(0)
    # One picture's worth of query hashes, from a real picture, plus near copies of stored ones.
    _, picture = query_hashes(np.asarray(photo("astronaut")))
    for size in sizes:
        values = rng.integers(-2**63, 2**63 - 1, size=size, dtype=np.int64)
        near = [int(values[i]) ^ int(rng.integers(0, 1 << 20)) for i in range(10)]
        _lookup_at(values, picture[:len(picture) - 10] + near, config.hash_radius)
    print(f"(the matcher scans instead below {LINEAR_BELOW:,} hashes, where the scan is faster)")


def _lookup_at(values: np.ndarray, batch: list[int], radius: int) -> None:
    began = time.perf_counter()
    # The blocks at every size (the matcher itself scans below LINEAR_BELOW hashes).
    index = MultiIndex(values, radius, linear_below=0)
    build = time.perf_counter() - began
    expected = [linear_search(values, q, radius) for q in batch]
    assert [list(f) for f in index.search_many(batch, radius)] == [list(e) for e in expected]
    linear = _per_hash(lambda: [linear_search(values, q, radius) for q in batch], 3, len(batch))
    for label, run in (("a picture's batch", lambda: index.search_many(batch, radius)),
                       ("one hash at a time", lambda: [index.search(q, radius) for q in batch])):
        mih = _per_hash(run, 3, len(batch))
        print(f"lookup {len(values):>9,} hashes r={radius} ({label:<18}): multi-index "
              f"{mih:7.3f} ms/hash, numpy linear scan {linear:7.3f} ms/hash, "
              f"ratio {linear / mih:5.1f}x  (blocks {block_widths(len(values), radius)}, "
              f"build {build:.2f} s)")


# Seeds 17 (the shape rule's thresholds) and 2026 (this benchmark's set until the placements
# were reworked on its misses) have been looked at: the default is a set drawn from neither.
FLAT_SEED = 2033


@functools.cache
def flat_graphics_module():
    """The emblem generator the image tests use (tests/images/flat_graphics.py)."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "tests" / "images" / "flat_graphics.py"
    spec = importlib.util.spec_from_file_location("flat_graphics", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


_FLAT: dict[str, object] = {}  # the index and the pictures, inherited by forked workers


def _ink(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L").resize((128, 128), Image.Resampling.BOX)) < 200


def _looks_alike(one: Image.Image, other: Image.Image) -> bool:
    """The same picture at 128 x 128 px, up to a pen width: ink of either that lies more than
    a pixel from the other's ink covers under 1 % (two line icons left alone by a crop that
    took their different frames, drawn with pens 12 and 13 px wide, are one picture)."""
    a, b = _ink(one), _ink(other)
    near = np.ones((3, 3), np.uint8)
    grown_a = cv2.dilate(a.astype(np.uint8), near).astype(bool)
    grown_b = cv2.dilate(b.astype(np.uint8), near).astype(bool)
    return float(((a & ~grown_b) | (b & ~grown_a)).mean()) < 0.01


_TURNED_OVER = (Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.FLIP_TOP_BOTTOM,
                Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180,
                Image.Transpose.ROTATE_270, Image.Transpose.TRANSPOSE,
                Image.Transpose.TRANSVERSE)


def _turned_over(one: Image.Image, other: Image.Image) -> bool:
    """``other`` mirrored or given quarter turns is ``one`` (see ``_looks_alike``): the
    matcher finds copies mirrored and turned, so such a graphic is a copy, and the generator
    draws the odd one (a badge whose frame and centre both come out symmetric, flipped)."""
    return any(_looks_alike(one, other.transpose(turn)) for turn in _TURNED_OVER)


def _flat_query(job: tuple[str, int, str, int]) -> tuple[str, str, int, list[int], float,
                                                         list[int]]:
    """Match one transformed graphic: (transform, set, number, asset ids matched, seconds,
    the matched ids whose own graphic, transformed alike, looks the same as the query: a near
    miss whose difference the transform cut off or hid is the same picture; or whose own
    graphic is the query's turned over)."""
    label, which, number, seed = job
    graphic = _FLAT[which][number]
    buffer = io.BytesIO()
    query = TRANSFORMS[label](graphic, np.random.default_rng(seed))
    query.save(buffer, "PNG")
    rgb = decode_bytes(buffer.getvalue(), "query", _FLAT["config"]).first
    began = time.perf_counter()
    hits = [m.asset.id for m in _FLAT["index"].match(rgb)]
    seconds = time.perf_counter() - began
    alike = []
    for asset_id in hits:
        own = _FLAT["by_id"].get(asset_id)
        if own is not None and own is not graphic:
            other = TRANSFORMS[label](own, np.random.default_rng(seed))
            if (other.size == query.size and _looks_alike(other, query)) or _turned_over(
                    graphic, own):
                alike.append(asset_id)
    return label, which, number, hits, seconds, alike


def _run_flat(jobs: list, workers: int) -> list:
    import multiprocessing

    results = []
    began = time.perf_counter()

    def progress(result) -> None:
        results.append(result)
        if len(results) % 500 == 0 or len(results) == len(jobs):
            print(f"  {len(results)}/{len(jobs)} queries ({time.perf_counter() - began:.0f} s)",
                  file=sys.stderr, flush=True)

    if workers <= 1:
        for job in jobs:
            progress(_flat_query(job))
        return results
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for result in pool.imap(_flat_query, jobs, chunksize=8):
            progress(result)
    return results


def flat_graphics_tables(config: ImageConfig, n_distractors: int, transforms: list[str],
                         distractor_transforms: list[str], workers: int,
                         seed: int = FLAT_SEED, tables: str = "AB") -> None:
    """30 generated emblems, seals, badges, icons and logos registered as emblems; every
    transform of each must find it and nothing else. ``n_distractors`` other graphics (near
    misses first: the same ring with other glyphs, the same frame with another number of
    stars...) must match nothing, as queries under every transform that shows them whole
    (table A) and, registered in the bank with the 30, must not be found for the 30 (table B).
    """
    graphics = flat_graphics_module()
    specs, others = graphics.collection(30, n_distractors, seed=seed)
    _FLAT["asset"] = [graphics.draw(spec) for spec in specs]
    _FLAT["distractor"] = [graphics.draw(spec) for spec in others]
    _FLAT["config"] = config
    near = sum(not spec.name.startswith("other") for spec in others)
    with tempfile.TemporaryDirectory() as folder:
        bank = AssetBank(f"sqlite:///{folder}/flat.db", config)
        ids = []
        _FLAT["by_id"] = {}
        for number, image in enumerate(_FLAT["asset"]):
            path = Path(folder) / f"asset{number}.png"
            image.save(path)
            ids.append(bank.add(path, kind="emblem", title=specs[number].name).asset.id)
            _FLAT["by_id"][ids[-1]] = image
        _FLAT["index"] = BankIndex.of(bank)
        print(f"flat graphics: {len(ids)} registered ({len(_FLAT['index'].flat)} verified by "
              f"shape); {len(others)} distractors, {near} of them near misses")
        jobs = [(label, "asset", n, 1000 * k + n) for k, label in enumerate(transforms)
                for n in range(len(ids))]
        jobs += [(label, "distractor", n, 7000 * k + n)
                 for k, label in enumerate(distractor_transforms) for n in range(len(others))]
        if "A" in tables:
            results = _run_flat(jobs, workers)
            _flat_report("A. bank of the 30", results, ids, others, transforms,
                         distractor_transforms)
        if "B" not in tables:
            return
        for number, image in enumerate(_FLAT["distractor"]):
            path = Path(folder) / f"distractor{number}.png"
            image.save(path)
            added = bank.add(path, kind="emblem", title=others[number].name).asset.id
            _FLAT["by_id"][added] = image
        _FLAT["index"] = BankIndex.of(bank)
        results = _run_flat([job for job in jobs if job[1] == "asset"], workers)
        _flat_report(f"B. bank of the 30 and the {len(others)} distractors (vote "
                     f"{'on' if _FLAT['index']._vote is not None else 'off'})", results, ids,
                     others, transforms, [])


def _flat_report(title: str, results: list, ids: list[int], others: list,
                 transforms: list[str], distractor_transforms: list[str]) -> None:
    """Recall and false matches per transform. A match that is not the query's own asset is
    false, unless the matched graphic, transformed alike, is the same picture as the query
    (a near miss differing only in a part the crop removed) or the query's graphic turned
    over (mirrored, quarter turns): those are counted apart. Recall
    is the own asset found; "twin only" counts queries whose own asset was missed while one
    that looks the same in view was found; the assets missed are named after the line."""
    print(f"\n{title}")
    print(f"{'transform':<22} {'recall':>7} {'false':>6} {'same in view':>12} {'twin only':>9} "
          f"{'ms':>6}" + (f" {'distractors matched':>20}" if distractor_transforms else ""))
    found = total = false = alike_total = 0
    worst = 1.0
    for label in transforms:
        rows = [r for r in results if r[0] == label and r[1] == "asset"]
        hit = sum(ids[r[2]] in r[3] for r in rows)
        wrong = sum(len(set(r[3]) - {ids[r[2]]} - set(r[5])) for r in rows)
        alike = sum(len(set(r[5])) for r in rows)
        missed = [r for r in rows if ids[r[2]] not in r[3]]
        twin_only = sum(bool(r[5]) for r in missed)
        line = (f"{label:<22} {hit / len(rows):>7.0%} {wrong:>6} {alike:>12} {twin_only:>9} "
                f"{1000 * statistics.mean(r[4] for r in rows):>6.0f}")
        if label in distractor_transforms:
            matched = [r for r in results if r[0] == label and r[1] == "distractor" and r[3]]
            distinct = [r for r in matched if set(r[3]) - set(r[5])]
            line += f" {len(distinct):>20}"
            wrong += len(distinct)
            alike += len(matched) - len(distinct)
            for r in distinct[:3]:
                line += f"  [{others[r[2]].name} -> asset {r[3]}]"
        if missed:
            line += "  missed: " + ", ".join(f"asset {r[2]}" for r in missed)
        print(line)
        found, total, false = found + hit, total + len(rows), false + wrong
        alike_total += alike
        worst = min(worst, hit / len(rows))
    print(f"{'overall':<22} {found / total:>7.1%} {false:>6} {alike_total:>12}  (worst "
          f"transform {worst:.0%})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true",
                        help="reduced sizes: 10k distractors, lookup at 10k and 100k, 3 OCR; "
                             "flat graphics: 100 distractors, 8 transforms")
    parser.add_argument("--distractors", type=int, default=None,
                        help="distractor hashes in the large bank (default 100,000)")
    parser.add_argument("--sizes", default=None,
                        help="comma-separated bank sizes for the lookup (default 10k,100k,1M)")
    parser.add_argument("--only", choices=("photos", "flat"), default=None,
                        help="run only the photograph tables or only the flat graphics ones")
    parser.add_argument("--flat-distractors", type=int, default=None,
                        help="unrelated flat graphics (default 300; 100 with --quick)")
    parser.add_argument("--workers", type=int, default=2,
                        help="processes for the flat graphics queries (default 2)")
    parser.add_argument("--flat-seed", type=int, default=FLAT_SEED,
                        help=f"seed of the flat graphics set (default {FLAT_SEED}, never looked "
                             "at while the matcher was made)")
    parser.add_argument("--flat-tables", default="AB", choices=("A", "B", "AB"),
                        help="A: the 30 registered, queried with the distractors; B: the "
                             "distractors registered too (default both)")
    args = parser.parse_args()
    config = ImageConfig()
    distractors = args.distractors or (10_000 if args.quick else 100_000)
    sizes = tuple(int(s) for s in (args.sizes or (
        "10000,100000" if args.quick else "10000,100000,1000000")).split(","))
    if args.only != "flat":
        robustness(config, 3 if args.quick else 12)
        print()
        large_bank_recall(dataclasses.replace(config), distractors)
        print()
        lookup(config, sizes)
    if args.only != "photos":
        quick = ["identity", "jpeg q30", "crop 20% each side", "crop random <=20%",
                 "caption/watermark", "in a poster", "crop+mirror+jpeg", "colour change"]
        # Distractors are seen whole: a crop of a near miss that cuts its difference off is a
        # crop of the asset too (table B counts such pictures apart).
        whole = [label for label in TRANSFORMS if "crop" not in label]
        print()
        flat_graphics_tables(config, args.flat_distractors or (100 if args.quick else 300),
                             quick if args.quick else list(TRANSFORMS),
                             [label for label in (quick if args.quick else whole)
                              if "crop" not in label], args.workers, args.flat_seed,
                             args.flat_tables)


if __name__ == "__main__":
    main()
