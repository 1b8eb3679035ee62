"""Training with a real corpus: reproducible files, thresholds from the real validation split,
real held-out figures in the cards; and the shipped cards agree with the policy table."""

from __future__ import annotations

import json
import re

from screener.classify import BUNDLE
from screener.corpus.local import Record, split_of, write_corpus
from screener.policy import THRESHOLDS
from screener.settings import REPO_ROOT

ADS = ["{n}月特惠，{x}两居首付{m}万起，详询热线 400-123-{k:04d}",
       "暑期{x}辅导班{n}折优惠，报名电话 010-8888{k:04d}",
       "新店开业全场{n}折，{x}买一送一，地址中山路{k}号"]
NEWS = ["{x}大学{n}年研究生招生简章发布", "{x}中学第{n}届科技节开幕", "{x}地区高考报名{n}日开始"]
DEATHS = ["{x}一工厂发生爆炸致{n}人死亡", "著名学者{x}今日病逝 享年{m}岁",
          "{x}高速{n}车相撞致{m}人受伤"]
PLACES = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸", "东", "西", "南", "北"]


def _corpus(folder):
    records = []
    for i in range(150):
        x, n, m, k = PLACES[i % len(PLACES)], 2 + i % 9, 10 + i % 40, i
        for source, label, kind, templates, field in (
                ("sms", "commercial", "sms.ad", ADS, "body"),
                ("thucnews", "none", "news.edu", NEWS, "title"),
                ("thucnews", "major_news", "news.society.death", DEATHS, "title")):
            text = templates[i % 3].format(x=x, n=n, m=m, k=k)
            rid = f"{source}:{label}:{i}"
            records.append(Record(rid, source, text, field, label, kind, split_of(rid), "test"))
    records.sort(key=lambda r: (r.source, r.id))
    write_corpus(folder, records, {})
    return folder


def test_training_with_a_real_corpus_is_reproducible(tmp_path, small_corpus, resources):
    from screener.classify.cli import train

    data = tmp_path / "data"
    data.mkdir()
    (data / "train.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in small_corpus), encoding="utf-8")
    corpus = _corpus(tmp_path / "corpus")
    outputs = []
    for name in ("a", "b"):
        out = tmp_path / name
        report = train(out, data, seed=5, corpus_dir=corpus, cross_validate=False,
                       resources=resources)
        outputs.append(out)
    a, b = outputs
    for rel in (f"{BUNDLE}/vocabulary.json", f"{BUNDLE}/weights.npz", f"{BUNDLE}/manifest.json",
                "commercial.md", "major_news.md", "confidential.md"):
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    real = report["real"]
    assert real["corpus_sha256"] and real["test"]["records"] > 0
    assert set(real["chosen_on_validation"]) == {"confidential", "commercial", "major_news"}
    card = (a / "major_news.md").read_text(encoding="utf-8")
    assert "## Real held-out figures (test split)" in card and real["corpus_sha256"] in card
    assert "News false alarms" in card and "**Target** recall ≥ 0.8" in card
    manifest = json.loads((a / BUNDLE / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["real"]["corpus_sha256"] == real["corpus_sha256"]


def test_shipped_cards_and_manifest_hold_the_policy_thresholds():
    manifest = json.loads((REPO_ROOT / "models" / BUNDLE / "manifest.json")
                          .read_text(encoding="utf-8"))
    assert manifest["thresholds"] == THRESHOLDS
    for name, limits in THRESHOLDS.items():
        card = (REPO_ROOT / "models" / f"{name}.md").read_text(encoding="utf-8")
        found = re.search(r"`review` = ([0-9.]+), `block` = ([0-9.]+)", card)
        assert found, name
        assert (float(found.group(1)), float(found.group(2))) == \
            (limits["review"], limits["block"]), name
