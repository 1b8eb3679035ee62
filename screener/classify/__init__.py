"""Classifiers for confidential, commercial and major-news drafts, with exact evidence.

Scoring (``load_model``, ``score_draft``) needs numpy only; training (``screener.classify.train``)
imports scikit-learn and is never loaded when drafts are merely screened.
"""

from __future__ import annotations

from pathlib import Path

from .errors import (
    ModelError,
    ModelFormatError,
    ModelMissingError,
    ModelTamperedError,
    ModelVersionWarning,
)
from .model import CLASSES, ClassifierModel, ClassScore
from .persist import MODELS, load_model, save_model

BUNDLE = "classify"  # sub-folder of the models folder that holds the classifier files


def models_dir(settings: object | None = None) -> Path:
    """The models folder: the ``model_dir`` setting (which $SCREENER_MODELS sets)."""
    if settings is None:
        from ..settings import default_settings

        settings = default_settings()
    return Path(settings.model_dir)


__all__ = [
    "BUNDLE", "CLASSES", "MODELS", "ClassScore", "ClassifierModel", "ModelError",
    "ModelFormatError", "ModelMissingError", "ModelTamperedError", "ModelVersionWarning",
    "load_model", "models_dir", "save_model",
]
