"""Lexicon suggestions from feedback: phrases reviewers reported missed, terms they dismiss;
each with its count and its false-alarm rate on the clean reference corpus. Nothing is
published."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from screener.cli import app
from screener.feedback import store_for
from screener.feedback.rows import missed_row
from screener.feedback.store import make_row, row_key
from screener.learning.suggest import ngrams, suggest
from screener.lexicon import store_for as lexicon_store

MISSED = [  # our own phrasing of the adverts a reviewer would flag
    ("考研辅导", "签订包过协议，不过全额退款。", "包过协议"),
    ("四级冲刺", "本班提供包过协议，名额有限。", "提供包过协议"),
    ("资格证培训", "购买包过协议，考前押题。", None),
    ("网课", "代刷网课，价格优惠。", "代刷网课"),
]


def _missed(settings) -> None:
    rows = [missed_row(category="commercial", title=t, body=b, reviewer="李老师",
                       report_ref=f"report:{n}", draft_ref=f"draft:{n}", model_version="m",
                       lexicon_version="l", span=span or "")
            for n, (t, b, span) in enumerate(MISSED)]
    # a text reviewers judged a false alarm that holds the phrase: counted against it
    rows.append(make_row(origin="signoff", judgement="false_alarm", category="commercial",
                         title="新闻", body="警方提醒：所谓包过协议多为骗局。", reviewer="李老师",
                         key=row_key("fa", 1), stage="classify"))
    for n in range(3):  # a lexicon term dismissed three times, confirmed once
        rows.append(make_row(origin="signoff", judgement="false_alarm", category="commercial",
                             title=f"通知{n}", body="加微信群了解讲座安排", reviewer="李老师",
                             key=row_key("term", n), stage="terms", term="加微信", span="加微信"))
    rows.append(make_row(origin="signoff", judgement="confirmed", category="commercial",
                         title="广告", body="加微信购买", reviewer="李老师", key=row_key("t", 9),
                         stage="terms", term="加微信", span="加微信"))
    store_for(settings).add(rows)


def test_ngrams_skip_numbers_and_short_latin():
    found = ngrams("加vx 13800138000 报名wechat")
    assert "报名" in found and "wechat" in found and "加vx" in found
    assert not any(g.isdigit() for g in found) and "vx" not in found


def test_suggestions_from_missed_and_dismissed_findings(test_settings):
    _missed(test_settings)
    found = suggest(test_settings, min_count=2)
    top = found.additions[0]
    assert (top.term, top.category, top.missed, top.dismissed) == ("包过协议", "commercial", 3, 1)
    assert top.clean_texts > 0 and top.clean_hits == 0
    # of the n-grams found in the same three texts only the longest is proposed
    assert not {"包过", "过协议", "协议"} & {a.term for a in found.additions}
    assert "代刷网课" not in {a.term for a in found.additions}  # one text: under --min-count
    (dismissed,) = found.dismissals
    assert (dismissed.term, dismissed.dismissed, dismissed.confirmed) == ("加微信", 3, 1)
    assert dismissed.dismissal_rate == 0.75
    assert found.missed_texts == {"commercial": 4, "illegal": 0}


def test_a_phrase_the_lexicon_already_matches_is_not_proposed(test_settings):
    from screener.lexicon.maintain import Who, add_terms

    _missed(test_settings)
    add_terms(test_settings, ["包过协议"], "commercial", Who("t", "test"))
    assert "包过协议" not in {a.term for a in suggest(test_settings).additions}


def test_the_command_only_suggests(test_settings, monkeypatch):
    _missed(test_settings)
    monkeypatch.setenv("SCREENER_HOME", str(test_settings.home))
    monkeypatch.setenv("SCREENER_LEXICONS", str(test_settings.lexicon_dir))
    before = lexicon_store(test_settings).latest_seq()
    result = CliRunner().invoke(app, ["lexicon", "suggest"])
    assert result.exit_code == 0, result.output
    assert "包过协议  类别 commercial  漏报文本 3 篇" in result.output
    assert "加微信  类别 commercial  判为误报 3 篇、属实 1 篇" in result.output
    assert "词库未改动" in result.output
    data = json.loads(CliRunner().invoke(app, ["lexicon", "suggest", "--json"]).stdout)
    assert data["add"][0]["term"] == "包过协议" and data["dismissed"][0]["term"] == "加微信"
    assert lexicon_store(test_settings).latest_seq() == before
