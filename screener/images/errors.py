"""The image package's errors, defined in screener's one exception tree (screener/errors.py)."""

from ..errors import AssetError, ImageDecodeError, OcrError

__all__ = ["AssetError", "ImageDecodeError", "OcrError"]
