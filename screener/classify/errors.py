"""The classifier's errors, defined in screener's one exception tree (screener/errors.py)."""

from ..errors import (
    ModelError,
    ModelFormatError,
    ModelMissingError,
    ModelTamperedError,
    ModelVersionWarning,
)

__all__ = ["ModelError", "ModelFormatError", "ModelMissingError", "ModelTamperedError",
           "ModelVersionWarning"]
