from __future__ import annotations

import pytest

from screener import Draft, Finding, Platform, Report
from screener.model import FINDING_KEYS


def test_draft_without_id_gets_a_stable_content_id():
    a = Draft(title="t", body="b")
    assert a.id == Draft(title="t", body="b").id != Draft(title="t", body="c").id
    assert Draft(title="t", body="b", platform="weibo").platform is Platform.WEIBO


def test_bad_platform_and_span_are_refused():
    with pytest.raises(ValueError):
        Draft(title="", body="x", platform="tiktok")
    with pytest.raises(ValueError):
        Finding("terms", "illegal", "block", "body", 5, 2, "", "", 1.0, "", "")


def test_report_dict_has_the_documented_keys():
    finding = Finding("terms", "illegal", "block", "body", 0, 2, "代孕", "代孕", 1.0, "a", "e")
    data = Report("d1", "block", (finding,), "lex-1").to_dict()
    assert set(data) == {"draft_id", "verdict", "findings", "scores", "lexicon_version",
                         "model_version", "timings", "created_at"}
    assert tuple(data["findings"][0]) == FINDING_KEYS
