"""Fixtures for the classifier tests: one set of resources, the shipped model, a small corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screener.classify import BUNDLE, load_model
from screener.settings import REPO_ROOT

CORPUS = REPO_ROOT / "data" / "samples" / "corpus"
SHIPPED = REPO_ROOT / "models" / BUNDLE


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="session")
def resources(tmp_path_factory):
    from screener.pipeline import build_resources
    from screener.settings import load_settings

    return build_resources(load_settings(home=tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def shipped_dir() -> Path:
    return SHIPPED


@pytest.fixture(scope="session")
def shipped_model():
    return load_model(SHIPPED)


@pytest.fixture(scope="session")
def heldout() -> list[dict]:
    return read(CORPUS / "heldout.jsonl")


@pytest.fixture(scope="session")
def small_corpus() -> Path:
    """A few drafts of every kind: enough to train on in a second or two."""
    per_kind: dict[str, list[dict]] = {}
    for record in read(CORPUS / "train.jsonl"):
        per_kind.setdefault(record["kind"], []).append(record)
    return [r for kind in sorted(per_kind) for r in per_kind[kind][:6]]


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory, small_corpus, resources) -> Path:
    from screener.classify.cli import train

    data = tmp_path_factory.mktemp("data")
    (data / "train.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in small_corpus), encoding="utf-8")
    out = tmp_path_factory.mktemp("models")
    train(out, data, seed=3, cross_validate=False, resources=resources)
    return out / BUNDLE
