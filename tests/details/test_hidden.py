"""Hidden characters in a title or body: each run is a finding naming every character."""

from __future__ import annotations

import pytest

from screener import Draft
from screener.details.hidden import hidden_runs

HIDDEN = [
    ("\u202e\u0000\u0007标题", 0, 3, ["从右至左强制 U+202E", "空字符 U+0000", "响铃符 U+0007"]),
    ("代\u200b孕", 1, 2, ["零宽空格 U+200B"]),
    ("a\u200db", 1, 2, ["零宽连字 U+200D"]),
    ("标题\u2066内容\u2069", 2, 3, ["从左至右隔离 U+2066"]),
    ("软\u00ad连字", 1, 2, ["软连字符 U+00AD"]),
    ("空白\u3164名字", 2, 3, ["朝鲜文填充符 U+3164"]),
    ("转义\x1b[31m", 2, 3, ["转义符 U+001B"]),
]


@pytest.mark.parametrize(("text", "start", "end", "names"), HIDDEN)
def test_hidden_characters_are_named(text, start, end, names):
    runs = list(hidden_runs(text))
    assert (runs[0].start, runs[0].end) == (start, end)
    assert all(name in runs[0].explanation() for name in names)


@pytest.mark.parametrize("text", [
    "普通文本\t带制表符\n和换行\r\n",
    "❤\ufe0f 表情",
    "👨\u200d👩\u200d👧 一家",
    "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f 旗帜",
    "\ufeff文件开头的字节序标记",
])
def test_emoji_parts_and_ordinary_whitespace_are_not_hidden(text):
    assert list(hidden_runs(text)) == []


def test_a_title_of_control_characters_no_longer_passes(shipped_screener):
    report = shipped_screener.screen(Draft(title="\u202e\u0000\u0007标题", body="正文"))
    [finding] = [f for f in report.findings if f.category == "hidden_text"]
    assert (finding.field, finding.start, finding.end) == ("title", 0, 3)
    assert str(finding.severity) == "review" and str(report.verdict) != "pass"
    assert "U+202E" in finding.explanation and "空字符" in finding.explanation
