"""Fixtures for the re-screening tests: archives built from the sample corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from screener.settings import REPO_ROOT

CORPUS = REPO_ROOT / "data" / "samples" / "corpus" / "train.jsonl"


def _corpus_posts(count: int) -> list[dict]:
    posts = []
    with CORPUS.open(encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            if i >= count:
                break
            d = json.loads(line)
            posts.append({"id": d["id"], "title": d["title"], "body": d["body"],
                          "platform": d["platform"], "account": f"acct{i % 3}",
                          "published_at": f"2024-{1 + i % 9:02d}-01"})
    return posts


@pytest.fixture
def corpus_posts():
    return _corpus_posts


@pytest.fixture
def write_jsonl():
    def write(path: Path, posts: list[dict]) -> Path:
        path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts),
                        encoding="utf-8")
        return path

    return write


@pytest.fixture
def archive_file(tmp_path, write_jsonl) -> Path:
    return write_jsonl(tmp_path / "archive.jsonl", _corpus_posts(120))
