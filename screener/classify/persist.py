"""Saving and loading models as plain JSON and numpy arrays, checked against a manifest.

A model folder holds three files:

* ``vocabulary.json``: the feature strings, in index order;
* ``weights.npz``: idf, coefficients, intercepts and calibration (float arrays only, read with
  ``allow_pickle=False``, so a replaced file can at worst hold wrong numbers, never run code);
* ``manifest.json``: format versions, library versions, training summary, and the sha256 of the
  two other files. A file whose hash does not match is refused (``ModelTamperedError``).

The hashes catch a file replaced or damaged on its own; they are not a signature, since whoever
can rewrite the folder can rewrite the manifest too. The folder is versioned in git for that.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
import threading
import warnings
import zipfile
from importlib import metadata
from pathlib import Path

import numpy as np

from .errors import ModelFormatError, ModelMissingError, ModelTamperedError, ModelVersionWarning
from .features import FEATURES_VERSION
from .model import ClassifierModel

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
VOCABULARY = "vocabulary.json"
WEIGHTS = "weights.npz"
_ARRAYS = ("idf", "coef", "intercept", "calibration")
# Versions that could change what training produces; scoring itself uses numpy only.
TRACKED = ("scikit-learn", "numpy", "scipy")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in TRACKED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def save_model(model: ClassifierModel, folder: Path, info: dict) -> dict:
    """Write the model files and a manifest describing them; returns the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    vocab_text = json.dumps({"features": list(model.features)}, ensure_ascii=False)
    (folder / VOCABULARY).write_text(vocab_text + "\n", encoding="utf-8")
    # Fixed array order and no timestamps inside the zip: the same model gives the same bytes.
    with zipfile.ZipFile(folder / WEIGHTS, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in _ARRAYS:
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(entry, "w") as handle:
                np.lib.format.write_array(handle, np.ascontiguousarray(getattr(model, name)),
                                          allow_pickle=False)
    manifest = {
        "format": FORMAT_VERSION,
        "features_version": FEATURES_VERSION,
        "classes": list(model.classes),
        "files": {name: sha256_of(folder / name) for name in (VOCABULARY, WEIGHTS)},
        "versions": library_versions(),
        **info,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                   encoding="utf-8")
    return manifest


def read_manifest(folder: Path, manifest_sha256: str | None = None) -> dict:
    """The manifest, checked against ``manifest_sha256`` when the model registry recorded one
    (a registered model's manifest may not change after registration)."""
    path = folder / MANIFEST
    if not path.is_file():
        raise ModelMissingError(str(folder), "这里没有分类模型（缺少 manifest.json）；"
                                "请用 `screener train` 训练一个")
    try:
        data = path.read_bytes()
        if manifest_sha256 is not None:
            actual = hashlib.sha256(data).hexdigest()
            if actual != manifest_sha256:
                raise ModelTamperedError(str(path), f"sha256 {actual[:16]}… 与登记时的"
                                         f"（{manifest_sha256[:16]}…）不同：模型在登记后被改动过；"
                                         "拒绝加载")
        manifest = json.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFormatError(str(path), f"无法读取 manifest（{exc}）") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise ModelFormatError(str(path), f"模型格式 {manifest.get('format')!r} 不是 "
                               f"{FORMAT_VERSION}；请用 `screener train` 重新训练")
    if manifest.get("features_version") != FEATURES_VERSION:
        raise ModelFormatError(str(path), f"模型的特征格式是 "
                               f"{manifest.get('features_version')!r}，而本软件提取的是格式 "
                               f"{FEATURES_VERSION}；请用 `screener train` 重新训练")
    return manifest


def _verified_bytes(folder: Path, name: str, manifest: dict) -> bytes:
    path = folder / name
    expected = manifest.get("files", {}).get(name)
    if not expected:
        raise ModelFormatError(str(folder / MANIFEST), f"没有记录 {name} 的 sha256")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelMissingError(str(path), "模型文件缺失；请用 `screener train` 重新训练") \
            from None
    except OSError as exc:
        raise ModelFormatError(str(path), exc.strerror or str(exc)) from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ModelTamperedError(str(path), f"sha256 {actual[:16]}… 与 manifest 记录的"
                                 f"（{expected[:16]}…）不符：文件在训练后被改动过；拒绝加载")
    return data


def _warn_versions(folder: Path, manifest: dict) -> None:
    trained = manifest.get("versions", {})
    installed = library_versions()
    differ = [f"{name} {trained.get(name)}（已安装 {installed[name]}）"
              for name in TRACKED if trained.get(name) != installed[name]]
    if differ:
        warnings.warn(ModelVersionWarning(
            f"{folder} 中的分类模型是用 {'、'.join(differ)} 训练的。评分只用 numpy，得分不变，"
            "但模型卡记载的是旧版本；运行 `screener train` 用已安装的版本重新训练。"), stacklevel=3)


def load_model(folder: Path, manifest_sha256: str | None = None) -> ClassifierModel:
    manifest = read_manifest(folder, manifest_sha256)
    vocab_bytes = _verified_bytes(folder, VOCABULARY, manifest)
    weight_bytes = _verified_bytes(folder, WEIGHTS, manifest)
    _warn_versions(folder, manifest)
    try:
        features = json.loads(vocab_bytes.decode("utf-8"))["features"]
        with np.load(io.BytesIO(weight_bytes), allow_pickle=False) as archive:
            arrays = {name: archive[name].astype(np.float64) for name in _ARRAYS}
        model = ClassifierModel(tuple(features), classes=tuple(manifest["classes"]),
                                metadata=manifest, **arrays)
    except (KeyError, ValueError, TypeError, UnicodeDecodeError, OSError,
            zipfile.BadZipFile) as exc:
        raise ModelFormatError(str(folder), f"模型文件格式错误（{exc}）") from None
    size, classes = len(model.features), len(model.classes)
    if (model.idf.shape != (size,) or model.coef.shape != (classes, size)
            or model.intercept.shape != (classes,) or model.calibration.shape != (classes, 2)):
        raise ModelFormatError(str(folder), "数组形状与词表不符")
    return model


class ModelCache:
    """Loads a model folder once per process, on first use, and reloads it if it is retrained."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: dict[tuple[Path, str | None], tuple[float, ClassifierModel]] = {}

    def get(self, folder: Path, manifest_sha256: str | None = None) -> ClassifierModel:
        folder = folder.resolve()
        try:
            stamp = (folder / MANIFEST).stat().st_mtime
        except OSError:
            stamp = -1.0  # load_model reports the missing manifest properly
        key = (folder, manifest_sha256)
        with self._lock:
            cached = self._loaded.get(key)
            if cached and cached[0] == stamp:
                return cached[1]
            model = load_model(folder, manifest_sha256)
            self._loaded[key] = (stamp, model)
            return model


MODELS = ModelCache()
