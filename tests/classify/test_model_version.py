"""The model version is computed one way and spelled one way wherever a report is stored: the
re-screening archive and the review service name the same bundle with the same string."""

from __future__ import annotations

import hashlib
import shutil

from screener.classify import BUNDLE, model_version
from screener.rescreen import import_paths, rescreen


def test_it_is_the_digest_of_the_manifest(test_settings, tmp_path):
    manifest = test_settings.model_dir / BUNDLE / "manifest.json"
    digest = hashlib.sha256(manifest.read_bytes()).hexdigest()[:16]
    assert model_version(test_settings) == f"m-{digest}"
    assert model_version(test_settings.model_copy(update={"model_dir": tmp_path})) == "m-none"
    copy = tmp_path / "models"
    shutil.copytree(test_settings.model_dir / BUNDLE, copy / BUNDLE)
    moved = test_settings.model_copy(update={"model_dir": copy})
    assert model_version(moved) == model_version(test_settings)  # the content, not the place
    (copy / BUNDLE / "manifest.json").write_bytes(manifest.read_bytes() + b" ")
    assert model_version(moved) != model_version(test_settings)


def test_the_archive_and_the_service_store_the_same_spelling(test_settings, tmp_path,
                                                            write_jsonl, world):
    import_paths([write_jsonl(tmp_path / "a.jsonl", [{"id": "p1", "body": "新学期讲座通知"}])],
                 test_settings)
    archived = rescreen(test_settings, stages=("terms",)).to_dict()["model_version"]
    served = world.submit()["report"]["model_version"]
    assert archived == served == model_version(test_settings)
