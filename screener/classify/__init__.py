"""Classifiers for confidential, commercial and major-news drafts, with exact evidence.

Scoring (``load_model``, ``score_draft``) needs numpy only; training (``screener.classify.train``)
imports scikit-learn and is never loaded when drafts are merely screened.
"""

from __future__ import annotations

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
from .registry import BUNDLE, ModelRef, ModelRegistry, registry_for


def models_dir(settings: object | None = None) -> Path:
    """The models folder: the ``model_dir`` setting (which $SCREENER_MODELS sets)."""
    if settings is None:
        settings = default_settings()
    return Path(settings.model_dir)


def model_in_force(settings: object | None = None) -> ModelRef:
    """The classifier bundle in force: the one the model registry's newest promotion names, else
    the shipped one (version 0, the ``model_dir`` setting)."""
    return registry_for(settings if settings is not None else default_settings()).in_force()


def model_version(settings: object | None = None) -> str:
    """The classifier bundle in force, as every stored report names it: ``m-`` and 16 hex digits
    of the sha256 of its manifest (which pins every model file by sha256), ``m-none`` when there
    is none (the classify stage then fails closed and says so in the report)."""
    return model_in_force(settings).version


__all__ = [
    "BUNDLE", "CLASSES", "MODELS", "ClassScore", "ClassifierModel", "ModelError",
    "ModelFormatError", "ModelMissingError", "ModelRef", "ModelRegistry", "ModelTamperedError",
    "ModelVersionWarning", "load_model", "model_in_force", "model_version", "models_dir",
    "registry_for", "save_model",
]
