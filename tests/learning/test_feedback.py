"""Feedback: imported labelled texts (bad lines named and skipped, idempotent), and how rows
become training examples."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from screener.cli import app
from screener.feedback import examples, signoff_rows, store_for
from screener.feedback.rows import missed_row
from screener.feedback.store import make_row, row_key
from tests.fixtures.learning import feedback_lines


@pytest.fixture
def cli(home, test_lexicons, monkeypatch):
    monkeypatch.setenv("SCREENER_HOME", str(home))
    monkeypatch.setenv("SCREENER_LEXICONS", str(test_lexicons))
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


BAD = [
    ("{\"title\": \"x\", \"body\": \"y\", \"label\": \"gossip\"}", "label 'gossip' 不是"),
    ("not json", "不是有效的 JSON"),
    ("[1, 2]", "不是 JSON 对象"),
    ("{\"title\": \"\", \"body\": \"  \", \"label\": \"none\"}", "标题和正文都是空的"),
    ("{\"title\": \"t\", \"body\": \"b\"}", "缺少 label"),
    ("{\"title\": 3, \"body\": \"b\", \"label\": \"none\"}", "title 和 body 必须是字符串"),
    ("{\"title\": \"t\", \"body\": \"b\", \"label\": \"none\", \"id\": 7}", "未知字段 'id'"),
]


def test_import_names_bad_lines_skips_them_and_is_idempotent(cli, tmp_path, test_settings):
    good = feedback_lines()
    path = tmp_path / "labels.jsonl"
    first_good = good.splitlines()[0]
    lines = good.splitlines() + [b for b, _ in BAD] + ["", first_good]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("feedback", "import", str(path))
    assert result.exit_code == 30, result.output  # some lines were bad
    for number, (_, reason) in enumerate(BAD, start=len(good.splitlines()) + 1):
        assert f"{path}:{number}: {reason}" in result.output
    assert f"{path}:{len(lines)}: 与第 1 行重复" in result.output
    assert "新增反馈 10 条" in result.output
    rows = store_for(test_settings).rows()
    assert len(rows) == 10
    assert {r["category"] for r in rows} == {"commercial", "none"}
    assert all(r["origin"] == "import" and r["judgement"] == "confirmed" for r in rows)
    again = cli("feedback", "import", str(path))
    assert "新增反馈 0 条，已有（此前导入过）10 条" in again.output
    assert len(store_for(test_settings).rows()) == 10
    # the same text with another label is another judgement
    (tmp_path / "relabel.jsonl").write_text(json.dumps(
        {**json.loads(first_good), "label": "none"}, ensure_ascii=False) + "\n", encoding="utf-8")
    relabel = cli("feedback", "import", str(tmp_path / "relabel.jsonl"))
    assert relabel.exit_code == 0 and "新增反馈 1 条" in relabel.output
    summary = cli("feedback", "summary", "--json")
    data = json.loads(summary.output)
    assert data["rows"] == 11 and data["texts"] == 10
    assert data["totals"]["commercial"]["imported"] == 6


def test_a_file_that_is_not_utf8_is_refused_whole(cli, tmp_path, test_settings):
    path = tmp_path / "gbk.jsonl"
    path.write_bytes(json.dumps({"title": "通知", "body": "讲座", "label": "none"},
                                ensure_ascii=False).encode("gb18030"))
    result = cli("feedback", "import", str(path))
    assert result.exit_code == 30 and "不是 UTF-8" in result.output
    assert store_for(test_settings).rows() == []


def _row(title, category, judgement, origin="signoff", n=0):
    return make_row(origin=origin, judgement=judgement, category=category, title=title,
                    body="", reviewer="t", key=row_key(title, category, judgement, n))


def test_rows_become_one_labelled_example_per_text():
    rows = [
        _row("广告一", "commercial", "confirmed"),
        _row("误报一", "commercial", "false_alarm"),
        _row("漏报一", "major_news", "missed", "missed"),
        # a later judgement on the same class wins; another class stays as it was
        _row("改判", "commercial", "confirmed", n=1), _row("改判", "confidential", "confirmed"),
        _row("改判", "commercial", "false_alarm", n=2),
        # an imported "none" clears every class
        _row("清白", "commercial", "confirmed", n=3), _row("清白", "none", "confirmed", "import"),
        # a lexicon matter only: nothing for the classifiers
        _row("违法", "illegal", "confirmed"),
    ]
    found = {e.title: e for e in examples(rows, holdout_percent=0)}
    assert set(found) == {"广告一", "误报一", "漏报一", "改判", "清白"}
    assert found["广告一"].labels == ("commercial",)
    assert found["误报一"].labels == ()
    assert found["漏报一"].labels == ("major_news",)
    assert found["改判"].labels == ("confidential",) and found["改判"].rows == 3
    assert found["清白"].labels == ()
    assert {e.split for e in found.values()} == {"train"}
    everything_held = examples(rows, holdout_percent=100)
    assert {e.split for e in everything_held} == {"heldout"}


def test_the_held_out_slice_is_chosen_by_the_text_alone():
    rows = [_row(f"文本{i}", "commercial", "confirmed", n=i) for i in range(400)]
    first = {e.text_hash: e.split for e in examples(rows, 20)}
    again = {e.text_hash: e.split for e in examples(list(reversed(rows)), 20)}
    assert first == again
    held = sum(split == "heldout" for split in first.values())
    assert 50 <= held <= 110  # about 20 % of 400


def test_a_sign_off_judges_each_finding():
    findings = [
        {"stage": "terms", "category": "commercial", "field": "body", "start": 0, "end": 3,
         "text": "加微信", "term": "加微信"},
        {"stage": "classify", "category": "major_news", "field": "draft", "start": 0, "end": 0,
         "text": "", "term": ""},
        {"stage": "images", "category": "stage_error", "field": "image:0", "start": 0, "end": 0,
         "text": "", "term": ""},
        {"stage": "details", "category": "contact", "severity": "info", "field": "body",
         "start": 0, "end": 3, "text": "加微信", "term": ""},
    ]
    common = dict(findings=findings, title="标题", body="加微信领取", reviewer="李老师",
                  signoff_ref="signoff:1", report_ref="report:1", draft_ref="draft:1",
                  model_version="m-1", lexicon_version="lex-0")
    approved = signoff_rows(decision="approve", **common)
    assert [(r["category"], r["judgement"]) for r in approved] == \
        [("commercial", "false_alarm"), ("major_news", "false_alarm")]  # none: error, info
    assert approved[0]["span"] == "加微信" and approved[0]["span_start"] == 0
    assert approved[0]["term"] == "加微信" and approved[1]["span_start"] is None
    rejected = signoff_rows(decision="reject", judgements={"1": "false_alarm"}, **common)
    assert [r["judgement"] for r in rejected] == ["confirmed", "false_alarm"]
    missed = missed_row(category="illegal", title="标题", body="出售发票一张", reviewer="李老师",
                        report_ref="report:1", draft_ref="draft:1", model_version="m-1",
                        lexicon_version="lex-0", span="出售发票")
    assert (missed["field"], missed["span_start"], missed["span_end"]) == ("body", 0, 4)
