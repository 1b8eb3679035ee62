"""Candidate models: trained on the shipped data plus feedback, never on held-out feedback,
compared with the model in force on the same held-out texts; the same data give the same
candidate."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from screener.classify import CLASSES, registry_for
from screener.classify.registry import check_files
from screener.cli import app
from screener.feedback import examples, read_import, store_for
from screener.learning import candidate as candidate_module
from screener.learning.candidate import train_candidate
from tests.fixtures.learning import ADVERTS, NOTICES, feedback_lines


def _import(settings, tmp_path, text: str) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(text, encoding="utf-8")
    parsed = read_import(path, settings, reviewer="test")
    assert not parsed.bad
    store_for(settings).add(list(parsed.rows))


def _train(settings, small_data):
    return train_candidate(settings, by="test", data_dir=small_data, synthetic_only=True)


def test_the_same_data_give_the_same_candidate(test_settings, small_data, tmp_path):
    _import(test_settings, tmp_path, feedback_lines())
    first = _train(test_settings, small_data)
    second = _train(test_settings, small_data)
    assert first.new and not second.new
    assert second.entry.version == first.entry.version  # the manifest pins every file by sha256
    assert second.entry.number == first.entry.number == 1
    registry = registry_for(test_settings)
    assert [e.version for e in registry.versions()] == [first.entry.version]
    check_files(registry.get(1))  # the files on disk are the ones the version names
    assert registry.in_force().number == 0  # trained, not promoted
    # new feedback, new candidate
    _import(test_settings, tmp_path, feedback_lines(adverts=[("线上刷单兼职", "日结工资，"
                                                             "手机就能做，加群了解。")],
                                                    notices=[]))
    third = _train(test_settings, small_data)
    assert third.new and third.entry.number == 2 and third.entry.version != first.entry.version


def test_held_out_feedback_is_never_trained_on(test_settings, small_data, tmp_path,
                                               monkeypatch):
    many = [(f"{t}（第{i}期）", b) for i in range(6) for t, b in ADVERTS]
    clean = [(f"{t}（{i}）", b) for i in range(6) for t, b in NOTICES]
    # a feedback text that repeats a synthetic held-out draft must not be trained on either
    held_draft = json.loads((small_data / "heldout.jsonl").read_text(encoding="utf-8")
                            .splitlines()[0])
    repeated = json.dumps({"title": held_draft["title"], "body": held_draft["body"],
                           "label": "none"}, ensure_ascii=False)
    _import(test_settings, tmp_path, feedback_lines(many, clean) + repeated + "\n")
    every = examples(store_for(test_settings).rows(),
                     test_settings.learning.feedback_holdout_percent)
    held = {e.id for e in every if e.split == "heldout"}
    assert 0 < len(held) < len(every)
    trained_on: list[dict] = []
    real_run = candidate_module.run_training

    def spy(*args, feedback=None, **kwargs):
        trained_on.extend(feedback or [])
        return real_run(*args, feedback=feedback, **kwargs)

    monkeypatch.setattr(candidate_module, "run_training", spy)
    made = _train(test_settings, small_data)
    trained_ids = {r["id"] for r in trained_on}
    assert trained_ids and not trained_ids & held
    assert all(r["weight"] == test_settings.learning.feedback_weight for r in trained_on)
    assert held_draft["title"] not in {r["title"] for r in trained_on}
    summary = made.entry.summary["feedback"]
    assert summary["heldout"] == len(held)
    assert summary["left_out_repeating_heldout"] == (
        0 if f"feedback:{_hash(held_draft)[:16]}" in held else 1)
    assert summary["train"] == len(trained_ids)
    # the held-out feedback is exactly what the comparison scored as feedback
    assert made.comparison["sets"]["feedback"] == len(held)


def _hash(draft: dict) -> str:
    from screener.feedback import text_hash

    return text_hash(draft["title"], draft["body"])


def test_model_train_json_compares_both_models_on_the_same_texts(test_settings, small_data,
                                                                  tmp_path, monkeypatch):
    _import(test_settings, tmp_path, feedback_lines())
    monkeypatch.setenv("SCREENER_HOME", str(test_settings.home))
    monkeypatch.setenv("SCREENER_LEXICONS", str(test_settings.lexicon_dir))
    result = CliRunner().invoke(app, ["model", "train", "--json", "--synthetic-only",
                                      "--data", str(small_data), "--by", "王老师"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.splitlines()[-1])
    assert data["current"] == registry_for(test_settings).shipped().version
    assert data["candidate"].startswith("m-") and data["candidate"] != data["current"]
    for model in ("current", "candidate"):
        figures = data["metrics"][model]
        assert set(figures["thresholds"]) == set(CLASSES)
        for name in CLASSES:
            assert set(figures["all"][name]) >= {"precision", "recall", "f1", "positives"}
        # both scored on the same texts
        assert figures["all"]["texts"] == data["metrics"]["current"]["all"]["texts"]
    for item in data["changed"]:
        assert item["current"] != item["candidate"]
        assert set(item["scores"]) == {"current", "candidate"}
    shown = CliRunner().invoke(app, ["model", "show", data["candidate"]])
    assert shown.exit_code == 0 and "模型卡：候选模型 1" in shown.output
    assert "王老师" == registry_for(test_settings).versions()[0].created_by


@pytest.mark.parametrize("text", ["", "   "])
def test_promotion_needs_a_reason(test_settings, eager_copy, text):
    from screener.errors import ModelError

    eager_copy(test_settings)
    with pytest.raises(ModelError, match="请写明理由"):
        registry_for(test_settings).promote("1", by="t", reason=text)
