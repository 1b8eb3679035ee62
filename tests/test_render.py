from __future__ import annotations

import io

from rich.console import Console

from screener import Draft
from screener.render import print_report, visible


def test_invisible_and_control_characters_are_made_visible():
    assert visible("代\u200b孕") == "代⟨U+200B⟩孕"
    assert visible("a\x1b[31mb") == "a␛[31mb"
    assert visible("x\u202ey") == "x⟨U+202E⟩y"
    assert visible("一\n二") == "一 ⏎ 二"


def test_text_report_shows_the_hidden_character_and_the_article(test_screener):
    draft = Draft(title="", body="提供代\u200b孕\x1b[2J服务")
    report = test_screener.screen(draft)
    buffer = io.StringIO()
    print_report(Console(file=buffer, width=200, color_system=None), report, draft, "d.json")
    text = buffer.getvalue()
    assert "代⟨U+200B⟩孕 → 代孕" in text
    assert "\x1b" not in text and "␛[2J" in text
    assert "第十一条（内容）" in text and "拦截" in text
