"""Classifiers for confidential, commercial and major-news drafts, with exact evidence.

Scoring (``load_model``, ``score_draft``) needs numpy only; training (``screener.classify.train``)
imports scikit-learn and is never loaded when drafts are merely screened.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..settings import default_settings
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
        settings = default_settings()
    return Path(settings.model_dir)


def model_version(settings: object | None = None) -> str:
    """The classifier bundle in force, as every stored report names it: ``m-`` and 16 hex digits
    of the sha256 of its manifest (which pins every model file by sha256), ``m-none`` when there
    is none (the classify stage then fails closed and says so in the report)."""
    manifest = models_dir(settings) / BUNDLE / "manifest.json"
    try:
        return "m-" + hashlib.sha256(manifest.read_bytes()).hexdigest()[:16]
    except OSError:
        return "m-none"


__all__ = [
    "BUNDLE", "CLASSES", "MODELS", "ClassScore", "ClassifierModel", "ModelError",
    "ModelFormatError", "ModelMissingError", "ModelTamperedError", "ModelVersionWarning",
    "load_model", "model_version", "models_dir", "save_model",
]
