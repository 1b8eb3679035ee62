"""Limits and thresholds of image screening, with the reasons for each value.

Read from the main Settings when it grows these fields (``getattr``), else the defaults here, so
the image package works before settings.py is extended.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ImageConfig:
    # A 40-megapixel photo is larger than any phone camera; beyond that we refuse to decode
    # rather than risk a decompression bomb eating memory.
    max_pixels: int = 40_000_000
    max_file_bytes: int = 30_000_000
    # Longest side any frame is reduced to before hashing/features: bounds time and memory.
    work_side: int = 1024
    # Animated images: every frame up to this many, else an evenly spaced sample incl. the first
    # and last (the forbidden picture can hide in any frame).
    max_frames: int = 8
    # Pixel budget over all frames of an animation, so 1000 small frames cannot DoS us.
    max_total_pixels: int = 200_000_000
    # Hamming radius for candidate search on 64-bit hashes. True copies in the benchmark come
    # within 10 bits once the stored crops and content boxes are hashed; 11 leaves a bit spare
    # and costs the multi-index no more than 10 (its 4 blocks are each probed within 2 bits).
    # Every candidate is verified geometrically before it becomes a finding.
    hash_radius: int = 11
    # Hash candidates verified per picture, nearest first: verification costs ~30 ms each, and
    # in a large bank many unrelated assets fall within the radius by chance.
    max_candidates: int = 8
    # RANSAC inliers needed to call a candidate a match; unrelated photos measured below 10.
    min_inliers: int = 15
    school_domains: tuple[str, ...] = ("pku.edu.cn",)
    # A worker process still checking one picture after this long is killed and the picture
    # reported for review (fail closed): a picture takes well under a second.
    task_seconds: float = 120.0


def image_config(settings: object) -> ImageConfig:
    values = {}
    for name in ImageConfig.__dataclass_fields__:
        value = getattr(settings, f"image_{name}", None)
        if value is not None:
            values[name] = value
    return ImageConfig(**values)


def assets_url(settings: object) -> str:
    """The asset bank: ``assets_database_url`` if settings has one, else ``<home>/assets.db``."""
    url = getattr(settings, "assets_database_url", None)
    if url:
        return url
    home = Path(settings.home)  # type: ignore[attr-defined]
    return f"sqlite:///{home / 'assets.db'}"


def cache_dir(settings: object) -> Path:
    return Path(settings.home) / "cache"  # type: ignore[attr-defined]
