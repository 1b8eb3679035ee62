"""Every evasion the term stage must undo, and every false positive it must not make.

Each row: the text an operator might write, and the findings a reviewer expects, as
(start, end, original text, canonical term) with offsets into the original text.
"""

from __future__ import annotations

import pytest

from screener import Draft

ZWSP, ZWJ, RLO, VS16 = "\u200b", "\u200d", "\u202e", "\ufe0f"

EVASIONS = [
    # plain
    ("他们提供代孕服务", [(4, 6, "代孕", "代孕")]),
    # full-width forms and other NFKC compatibility forms
    ("请加ｖｘ详聊", [(1, 4, "加ｖｘ", "加vx")]),
    ("请加𝐯𝐱详聊", [(1, 4, "加𝐯𝐱", "加vx")]),
    ("本文件为秘密★一年", [(4, 7, "秘密★", "秘密★")]),
    # letter case
    ("请加VX详聊", [(1, 4, "加VX", "加vx")]),
    ("想看SEX视频", [(2, 5, "SEX", "sex")]),
    # traditional characters
    ("這是內部資料請勿外傳", [(2, 6, "內部資料", "内部资料")]),
    ("代孕與加微信", [(0, 2, "代孕", "代孕"), (3, 6, "加微信", "加微信")]),
    # zero-width, bidi-control and variation-selector characters
    (f"提供代{ZWSP}孕服务", [(2, 5, f"代{ZWSP}孕", "代孕")]),
    (f"提供代{ZWJ}{RLO}孕服务", [(2, 6, f"代{ZWJ}{RLO}孕", "代孕")]),
    (f"加v{VS16}x", [(0, 4, f"加v{VS16}x", "加vx")]),
    # spaces, punctuation, symbols and emoji between the characters
    ("提供代 孕服务", [(2, 5, "代 孕", "代孕")]),
    ("提供代*孕服务", [(2, 5, "代*孕", "代孕")]),
    ("提供代❤孕服务", [(2, 5, "代❤孕", "代孕")]),
    ("提供代😀😀孕服务", [(2, 6, "代😀😀孕", "代孕")]),
    ("提供代\u3000孕服务", [(2, 5, "代\u3000孕", "代孕")]),
    ("内 部 资 料", [(0, 7, "内 部 资 料", "内部资料")]),
    # Cyrillic / Greek look-alikes of Latin letters
    ("请加vх", [(1, 4, "加vх", "加vx")]),  # Cyrillic х
    ("请加Vχ", [(1, 4, "加Vχ", "加vx")]),  # Greek chi
    ("ѕех", [(0, 3, "ѕех", "sex")]),  # Cyrillic ѕ е х
    # pinyin spellings (whole Latin tokens)
    ("提供daiyun服务", [(2, 8, "daiyun", "代孕")]),
    ("提供 dai yun 服务", [(3, 10, "dai yun", "代孕")]),
    ("提供DaiYun服务", [(2, 8, "DaiYun", "代孕")]),
    ("提供dàiyùn服务", [(2, 8, "dàiyùn", "代孕")]),
    ("daiyun!", [(0, 6, "daiyun", "代孕")]),
    # several evasions at once
    (f"加Ｖ{ZWSP}х", [(0, 4, f"加Ｖ{ZWSP}х", "加vx")]),
]

NOT_FINDINGS = [
    # word-boundary sensitive terms straddling two words
    "新时代孕育了一代新人",
    "这段舞台独白很精彩",
    # the allow-list suppresses a hit inside a longer benign phrase
    "请到办证大厅办理",
    # noise-skipping must not join across a paragraph break or a clause
    "代\n\n孕",
    "他是新时代，孕育希望",
    "新时代。孕妇学校开课",
    "Mr Dai. Yun said hello",
    # pinyin must be a whole Latin token
    "holidaiyunx",
    "xdaiyun",
    "daiyuns",
    # Latin terms must be whole tokens too
    "Sussex University",
    "sexy",
    # protected names are for account names, not post bodies
    "北京大学工学院举办讲座",
]


@pytest.mark.parametrize(("text", "expected"), EVASIONS)
def test_evasions_are_undone_with_offsets_into_the_original(test_screener, text, expected):
    report = test_screener.screen(Draft(title="", body=text))
    found = [(f.start, f.end, f.text, f.term) for f in report.findings]
    assert found == expected
    for finding in report.findings:
        assert text[finding.start:finding.end] == finding.text


@pytest.mark.parametrize("text", NOT_FINDINGS)
def test_benign_text_is_not_flagged(test_screener, text):
    report = test_screener.screen(Draft(title="", body=text))
    assert [(f.text, f.term) for f in report.findings] == []
    assert report.verdict == "pass"


def test_allow_phrase_only_covers_its_own_span(test_screener):
    report = test_screener.screen(Draft(title="", body="办证大厅门口有人办证"))
    assert [(f.start, f.end) for f in report.findings] == [(8, 10)]


def test_longest_match_wins(test_settings, tmp_path):
    lexicons = tmp_path / "lex"
    lexicons.mkdir()
    (lexicons / "c.txt").write_text("# category: commercial\n加微信\n加微信购买\n",
                                    encoding="utf-8")
    from screener import Screener, load_settings

    screener = Screener(load_settings(home=test_settings.home, lexicon_dir=lexicons))
    report = screener.screen(Draft(title="", body="请加微信购买"))
    assert [(f.start, f.end, f.term) for f in report.findings] == [(1, 6, "加微信购买")]


def test_explanation_names_the_undone_normalizations(test_screener):
    report = test_screener.screen(Draft(title="", body="提供代❤孕和 dai yun 以及內部資料"))
    explanations = {f.text: f.explanation for f in report.findings}
    details = {f.text: f.detail for f in report.findings}
    # for people: the evasion by its Chinese name, the term, the article's words
    assert "插入空格/符号" in explanations["代❤孕"] and "“代孕”" in explanations["代❤孕"]
    assert "拼音" in explanations["dai yun"] and "人工复核" in explanations["dai yun"]
    assert "繁体" in explanations["內部資料"] and "涉密信息" in explanations["內部資料"]
    # for programs and --explain: the technical account
    assert "emoji skipped" in details["代❤孕"]
    assert "jieba word-boundary check passed" in details["代❤孕"]
    assert "pinyin spelling 'daiyun'" in details["dai yun"]
    assert "traditional characters" in details["內部資料"]


def test_title_and_body_are_separate_fields(test_screener):
    report = test_screener.screen(Draft(title="加vx", body="正文代孕"))
    assert [(f.field, f.start, f.end) for f in report.findings] == [("title", 0, 3),
                                                                     ("body", 2, 4)]


def test_account_names_are_checked_for_protected_names(test_screener):
    found = test_screener.screen_account_name("ＰＫＵ工学院 北大学生会")
    assert [(f.text, f.term, f.category) for f in found] == [
        ("ＰＫＵ", "pku", "protected_name"), ("北大", "北大", "protected_name")]
    assert all(f.article.startswith("第二条") for f in found)


def test_partly_overlapping_terms_are_both_reported(test_settings, tmp_path):
    lexicons = tmp_path / "lex"
    lexicons.mkdir()
    (lexicons / "u.txt").write_text("# category: unhealthy\n同城约\n约炮\n", encoding="utf-8")
    from screener import Screener, load_settings

    screener = Screener(load_settings(home=test_settings.home, lexicon_dir=lexicons))
    report = screener.screen(Draft(title="", body="同城约🔥炮"))
    assert [(f.start, f.end, f.term) for f in report.findings] == [(0, 3, "同城约"),
                                                                   (2, 5, "约炮")]
