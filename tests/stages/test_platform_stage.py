"""Other platforms (第十六条): each platform's limits on a title, a body and the pictures of a
post are checked at screening, as findings for review, never a refusal or a crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from screener import Draft, Platform, Screener
from screener.ingest import parse_draft
from screener.settings import load_settings
from tests.fixtures.core import TEST_LEXICONS, make_settings
from tests.fixtures.images import image_bytes, sample_photos


@pytest.fixture(scope="module")
def screener(tmp_path_factory, shared_cache) -> Screener:
    """The platform stage alone, on the test lexicons."""
    home = tmp_path_factory.mktemp("home-platform")
    return Screener(make_settings(home, TEST_LEXICONS, shared_cache), stages=("platform",))


def _limits(findings):
    return [f for f in findings if f.category == "platform_limit"]


def test_a_title_over_the_platforms_limit_is_marked_where_the_cut_falls(screener):
    title = "力学系" * 9  # 27 characters: over 小红书's 20, within WeChat's 64
    report = screener.screen(Draft(title=title, body="讲座。", platform="xiaohongshu"))
    [finding] = _limits(report.findings)
    assert (finding.field, finding.start, finding.end) == ("title", 20, 27)
    assert title[finding.start:finding.end] == finding.text
    assert finding.article == "第十六条（其他平台）" and str(finding.severity) == "review"
    assert "小红书" in finding.explanation and "20" in finding.explanation
    assert str(report.verdict) == "review"
    wechat = screener.screen(Draft(title=title, body="讲座。", platform="wechat"))
    assert _limits(wechat.findings) == []


def test_body_and_pictures_over_the_limits(screener, tmp_path):
    pictures = []
    for index in range(10):
        path = tmp_path / f"{index}.png"
        path.write_bytes(image_bytes(sample_photos()["flower"]))
        pictures.append(str(path))
    draft = Draft(title="", body="好" * 2_100, platform="weibo", images=tuple(pictures))
    found = {f.field: f for f in _limits(screener.screen(draft).findings)}
    assert set(found) == {"body", "draft"}
    assert found["body"].start == 2_000 and found["body"].end == 2_020
    assert "10 张" in found["draft"].explanation and "9 张" in found["draft"].explanation


@pytest.mark.parametrize("platform", list(Platform))
def test_every_platform_screens_a_short_draft_without_a_limit_finding(screener, platform):
    report = screener.screen(Draft(title="通知", body="讲座。", platform=platform))
    assert _limits(report.findings) == []


def test_an_unknown_platform_checks_nothing(screener):
    report = screener.screen(Draft(title="标" * 500, body="好" * 50_000))
    assert _limits(report.findings) == []


def test_the_limits_are_settings(home, test_lexicons, monkeypatch):
    monkeypatch.setenv("SCREENER_PLATFORMS__DOUYIN__TITLE_CHARS", "5")
    settings = load_settings(home=home, lexicon_dir=test_lexicons)
    assert settings.platforms.douyin.title_chars == 5
    screener = Screener(settings, stages=("platform",))
    report = screener.screen(Draft(title="六个字的标题", body="", platform="douyin"))
    assert [f.start for f in _limits(report.findings)] == [5]


def test_old_platform_values_stay_valid_and_new_ones_parse(test_settings):
    for name in ("wechat", "weibo", "other", "douyin", "bilibili", "xiaohongshu",
                 "wechat_channels", "kuaishou"):
        text = json.dumps({"title": "t", "body": "b", "platform": name})
        assert str(parse_draft(text, "d.json", ".json", test_settings).platform) == name


def test_the_cli_reports_a_limit_as_a_finding(home, test_lexicons, tmp_path):
    path = tmp_path / "douyin.json"
    path.write_text(json.dumps({"title": "工学院开放日活动精彩回顾" * 3, "body": "欢迎参观。",
                                "platform": "douyin"}, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "SCREENER_HOME": str(home), "SCREENER_LEXICONS": str(test_lexicons)}
    result = subprocess.run([sys.executable, "-m", "screener.cli", "screen", "--format", "json",
                             str(path)], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 10, result.stderr
    [line] = [json.loads(x) for x in result.stdout.splitlines()]
    [finding] = [f for f in line["findings"] if f["category"] == "platform_limit"]
    assert (finding["field"], finding["start"], finding["article"]) == (
        "title", 30, "第十六条（其他平台）")
