"""Limits and thresholds of image screening, as the image code reads them.

They are the ``images`` section of the settings tree (``screener.settings.ImageSettings``, where
each value's reason is written and where it can be changed: ``SCREENER_IMAGES__MAX_PIXELS`` ...);
``image_config`` reads that section into this plain, fast dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..settings import ImageSettings

_DEFAULTS = ImageSettings()  # the values and the reasons for them live in the settings tree


@dataclass(frozen=True, slots=True)
class ImageConfig:
    max_pixels: int = _DEFAULTS.max_pixels
    max_file_bytes: int = _DEFAULTS.max_file_bytes
    work_side: int = _DEFAULTS.work_side
    max_frames: int = _DEFAULTS.max_frames
    max_total_pixels: int = _DEFAULTS.max_total_pixels
    hash_radius: int = _DEFAULTS.hash_radius
    max_candidates: int = _DEFAULTS.max_candidates
    min_inliers: int = _DEFAULTS.min_inliers
    school_domains: tuple[str, ...] = _DEFAULTS.school_domains
    task_seconds: float = _DEFAULTS.task_seconds


def image_config(settings: object) -> ImageConfig:
    """The ``images`` section of ``settings`` as the image code's config."""
    section = settings.images  # type: ignore[attr-defined]
    return ImageConfig(**{name: getattr(section, name)
                          for name in ImageConfig.__dataclass_fields__})


def assets_url(settings: object) -> str:
    """The asset bank's database (``images.assets_database_url``, else ``<home>/assets.db``)."""
    return settings.assets_database_url  # type: ignore[attr-defined]


def cache_dir(settings: object) -> Path:
    return settings.cache_dir  # type: ignore[attr-defined]
