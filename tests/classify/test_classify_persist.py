"""Saved models: deterministic, round-trip exactly, refuse tampering, warn on other versions."""

from __future__ import annotations

import json
import shutil
import warnings

import numpy as np
import pytest

from screener.classify import (
    ModelFormatError,
    ModelMissingError,
    ModelTamperedError,
    ModelVersionWarning,
    load_model,
)
from screener.classify.train import featurize, fit_model, predict


def test_training_is_deterministic(small_corpus, resources):
    corpus = featurize(small_corpus, resources)
    first, second = fit_model(corpus, seed=3), fit_model(corpus, seed=3)
    assert first.features == second.features
    for name in ("idf", "coef", "intercept", "calibration"):
        assert np.array_equal(getattr(first, name), getattr(second, name))


def test_same_data_and_seed_give_the_same_files(small_model_dir, small_corpus, resources,
                                                tmp_path):
    from screener.classify.persist import save_model

    again = fit_model(featurize(small_corpus, resources), seed=3)
    manifest = save_model(again, tmp_path, {})
    shipped = json.loads((small_model_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"] == shipped["files"]


def test_saved_model_round_trips(small_model_dir, small_corpus, resources, heldout):
    trained = fit_model(featurize(small_corpus, resources), seed=3)
    loaded = load_model(small_model_dir)
    sample = featurize(heldout[:40], resources)
    assert np.array_equal(predict(trained, sample), predict(loaded, sample))


def copy_of(folder, tmp_path):
    target = tmp_path / "classify"
    shutil.copytree(folder, target)
    return target


@pytest.mark.parametrize("name", ["weights.npz", "vocabulary.json"])
def test_tampered_file_is_refused(small_model_dir, tmp_path, name):
    folder = copy_of(small_model_dir, tmp_path)
    data = bytearray((folder / name).read_bytes())
    data[len(data) // 2] ^= 0x01
    (folder / name).write_bytes(bytes(data))
    tampered = "与 manifest 记录的.*不符：文件在训练后被改动过；拒绝加载"
    with pytest.raises(ModelTamperedError, match=tampered):
        load_model(folder)


def test_missing_files_are_reported(small_model_dir, tmp_path):
    with pytest.raises(ModelMissingError):
        load_model(tmp_path)
    folder = copy_of(small_model_dir, tmp_path)
    (folder / "weights.npz").unlink()
    with pytest.raises(ModelMissingError):
        load_model(folder)


def test_other_library_versions_warn(small_model_dir, tmp_path):
    folder = copy_of(small_model_dir, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["versions"]["scikit-learn"] = "0.24.2"
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.warns(ModelVersionWarning, match="scikit-learn 0.24.2"):
        load_model(folder)


def test_other_feature_format_is_refused(small_model_dir, tmp_path):
    folder = copy_of(small_model_dir, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["features_version"] = 999
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelFormatError, match="特征格式是 999.*请用 `screener train` 重新训练"):
        load_model(folder)


def test_shipped_model_loads_quietly_and_fast(shipped_dir):
    import time

    began = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ModelVersionWarning)
        load_model(shipped_dir)
    assert time.perf_counter() - began < 0.5  # budget 150 ms; slack for slow CI machines
