"""Classifier scores and evidence as the CLI shows them (shipped lexicons and models)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from screener.policy import THRESHOLDS
from screener.settings import REPO_ROOT

AD = REPO_ROOT / "data" / "samples" / "ad.json"


def _run(home, *args):
    env = {**os.environ, "SCREENER_HOME": str(home)}
    for name in ("SCREENER_LEXICONS", "SCREENER_MODELS"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "screener.cli", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_json_carries_scores_and_explain_adds_evidence_spans(home):
    plain = json.loads(_run(home, "screen", "-f", "json", str(AD)).stdout)
    assert set(plain["scores"]) == {"confidential", "commercial", "major_news"}
    # An advert for surrogacy with a discount and a WeChat id: commercial at review level.
    assert plain["scores"]["commercial"] >= THRESHOLDS["commercial"]["review"]
    assert all("evidence" not in f for f in plain["findings"])

    explained = json.loads(_run(home, "screen", "-f", "json", "--explain", str(AD)).stdout)
    body = json.loads(AD.read_text(encoding="utf-8"))["body"]
    [finding] = [f for f in explained["findings"] if f["stage"] == "classify"]
    assert finding["category"] == "commercial" and finding["evidence"]
    for item in finding["evidence"]:
        for field, start, end in item["spans"]:
            assert field == "body" and 0 <= start < end <= len(body)


def test_text_shows_scores_and_explain_shows_evidence(home):
    plain = _run(home, "screen", str(AD)).stdout
    assert re.search(r"分类模型得分：商业 (0\.\d\d|1\.00)", plain)
    explained = _run(home, "screen", "--explain", str(AD)).stdout
    assert "<lexicon:commercial>" in explained and "body[" in explained
