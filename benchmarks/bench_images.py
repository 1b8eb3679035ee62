"""Image matching benchmark: robustness per transform, hashing/OCR time, lookup at scale.

Real photographs shipped with scikit-image and scikit-learn; half registered in a fresh bank,
half never registered. Every transform is applied to all of them: recall counts registered
pictures found as their own asset; a false match is any match of an unregistered picture, or of a
registered one to the wrong asset.

    python benchmarks/bench_images.py [--quick]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screener.images.bank import AssetBank  # noqa: E402
from screener.images.config import ImageConfig  # noqa: E402
from screener.images.decode import decode_bytes  # noqa: E402
from screener.images.hashing import hashes_of  # noqa: E402
from screener.images.index import MultiIndex, linear_search  # noqa: E402
from screener.images.matcher import BankIndex  # noqa: E402

REGISTERED = ("astronaut", "coffee", "rocket", "immunohistochemistry", "china", "camera")
UNREGISTERED = ("chelsea", "hubble_deep_field", "retina", "flower", "coins", "moon")


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
    w, h = image.size
    canvas = Image.new("RGB", (int(w * 1.8), int(h * 1.7)), (200, 30, 40))
    draw = ImageDraw.Draw(canvas)
    for _ in range(25):
        x, y = rng.integers(0, canvas.size[0]), rng.integers(0, canvas.size[1])
        draw.ellipse((x, y, x + 60, y + 60), fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
    draw.text((30, 20), "College open day - all welcome", fill=(255, 255, 255))
    small = image.resize((int(w * 0.9), int(h * 0.9)))
    canvas.paste(small, (int(w * 0.6), int(h * 0.5)))
    return canvas


TRANSFORMS = {
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
}


def robustness(config: ImageConfig) -> None:
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as folder:
        bank = AssetBank(f"sqlite:///{folder}/assets.db", config)
        ids = {}
        for name in REGISTERED:
            path = Path(folder) / f"{name}.png"
            photo(name).save(path)
            ids[name] = bank.add(path, kind="copyright", title=name).asset.id
        index = BankIndex(bank)
        print(f"{'transform':<22} {'recall':>8} {'false':>6} {'ms/query':>9}")
        found_total = registered_total = false_total = 0
        worst = 1.0
        for label, transform in TRANSFORMS.items():
            found = false = 0
            began = time.perf_counter()
            for name in REGISTERED + UNREGISTERED:
                image = transform(photo(name), rng)
                buffer = io.BytesIO()
                image.save(buffer, "PNG")
                decoded = decode_bytes(buffer.getvalue(), name, config)
                hits = {m.asset.id for m in index.match(decoded.first)}
                if name in ids:
                    found += ids[name] in hits
                    false += len(hits - {ids[name]})
                else:
                    false += len(hits)
            elapsed = (time.perf_counter() - began) * 1000 / (len(REGISTERED) * 2)
            recall = found / len(REGISTERED)
            worst = min(worst, recall)
            found_total, registered_total = found_total + found, registered_total + len(REGISTERED)
            false_total += false
            print(f"{label:<22} {recall:>8.0%} {false:>6} {elapsed:>9.0f}")
        print(f"{'overall':<22} {found_total / registered_total:>8.0%} {false_total:>6}  "
              f"(worst transform {worst:.0%})")


def timing(config: ImageConfig, sizes: tuple[int, ...]) -> None:
    image = np.asarray(photo("astronaut"))
    began = time.perf_counter()
    for _ in range(20):
        hashes_of(image)
    print(f"hashing (pHash+dHash, 512x512): {(time.perf_counter() - began) * 50:.1f} ms/image")
    from screener.images.ocr import OcrEngine

    engine = OcrEngine()
    engine.read(image)  # model load
    began = time.perf_counter()
    for _ in range(3):
        engine.read(image)
    print(f"OCR (rapidocr, 512x512): {(time.perf_counter() - began) * 1000 / 3:.0f} ms/image")
    rng = np.random.default_rng(0)
    for size in sizes:
        values = rng.integers(-2**63, 2**63 - 1, size=size, dtype=np.int64)
        began = time.perf_counter()
        index = MultiIndex(values)
        build = time.perf_counter() - began
        queries = [int(values[i]) ^ int(rng.integers(0, 1 << 20)) for i in range(50)]
        for radius in (8, 12):
            began = time.perf_counter()
            for q in queries:
                a = index.search(q, radius)
            mih = (time.perf_counter() - began) * 1000 / len(queries)
            began = time.perf_counter()
            for q in queries:
                b = linear_search(values, q, radius)
            linear = (time.perf_counter() - began) * 1000 / len(queries)
            assert sorted(a) == sorted(b)
            print(f"lookup {size:>9,} hashes r={radius:>2}: multi-index {mih:7.3f} ms, "
                  f"numpy linear scan {linear:7.3f} ms (build {build:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="robustness table only")
    args = parser.parse_args()
    config = ImageConfig()
    robustness(config)
    if not args.quick:
        timing(config, (10_000, 100_000, 1_000_000))


if __name__ == "__main__":
    main()
