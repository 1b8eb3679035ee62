"""The image package's errors, defined in screener's one exception tree (screener/errors.py)."""

from ..errors import AssetError, ImageDecodeError

__all__ = ["AssetError", "ImageDecodeError"]
