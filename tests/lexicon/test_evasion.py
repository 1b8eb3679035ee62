"""Evasions real evaders use, against the shipped lexicon: each row is the text an operator
might write and what the reviewer must see: (original text of the finding, canonical term,
severity, what the explanation names). Offsets always point into the original text."""

from __future__ import annotations

import pytest

from screener import Draft

RLO, PDF = "\u202e", "\u202c"

EVASIONS = [
    # punctuation between single characters
    ("提供代、孕服务", "代、孕", "代孕", "block", "插入符号"),
    ("网. 络. 赌. 博", "网. 络. 赌. 博", "网络赌博", "block", "插入符号"),
    ("招生计划出、售、枪、支公布", "出、售、枪、支", "出售枪支", "block", "插入符号"),
    ("欢迎裸、聊", "裸、聊", "裸聊", "block", "插入符号"),
    ("可以替、考", "替、考", "替考", "block", "插入符号"),
    # one character a line
    ("通知\n代\n孕\n服务", "代\n孕", "代孕", "block", "竖排"),
    ("\n网\n络\n赌\n博\n", "网\n络\n赌\n博", "网络赌博", "block", "竖排"),
    ("\n约\n炮\n", "约\n炮", "约炮", "block", "竖排"),
    ("\n冰\n毒\n", "冰\n毒", "冰毒", "block", "竖排"),
    ("\n假\n证\n", "假\n证", "假证", "block", "竖排"),
    # a foreign letter between characters
    ("提供代α孕服务", "代α孕", "代孕", "block", "插入外文字母"),
    ("约β炮", "约β炮", "约炮", "block", "插入外文字母"),
    ("出售冰δ毒", "冰δ毒", "冰毒", "block", "插入外文字母"),
    ("代λ考", "代λ考", "代考", "block", "插入外文字母"),
    ("裸γ聊", "裸γ聊", "裸聊", "block", "插入外文字母"),
    # mixed hanzi and pinyin
    ("提供代yun服务", "代yun", "代孕", "review", "汉字拼音混写"),
    ("提供dai孕服务", "dai孕", "代孕", "review", "汉字拼音混写"),
    ("约pao吗", "约pao", "约炮", "review", "汉字拼音混写"),
    ("可以代kao", "代kao", "代考", "review", "汉字拼音混写"),
    ("luo聊吗", "luo聊", "裸聊", "review", "汉字拼音混写"),
    # tone digits
    ("dai4yun4 咨询", "dai4yun4", "代孕", "review", "声调数字"),
    ("yue1pao4", "yue1pao4", "约炮", "review", "声调数字"),
    ("ti4kao3 咨询", "ti4kao3", "替考", "review", "声调数字"),
    ("luo3liao2", "luo3liao2", "裸聊", "review", "声调数字"),
    ("dai4kao3", "dai4kao3", "代考", "review", "声调数字"),
    # homophones
    ("参与网络堵博", "网络堵博", "网络赌博", "review", "谐音"),
    ("网上堵博平台", "网上堵博", "网上赌博", "review", "谐音"),
    ("线上堵场开业", "线上堵场", "线上赌场", "review", "谐音"),
    ("出售枪枝", "出售枪枝", "出售枪支", "review", "谐音"),
    ("提供论文带写", "论文带写", "论文代写", "review", "谐音"),
    # look-alike characters
    ("欢迎加徽信咨询", "加徽信", "加微信", "review", "形近字"),
    ("请私柳下单", "私柳下单", "私聊下单", "review", "形近字"),
    ("请扫吗购买", "扫吗购买", "扫码购买", "review", "谐音"),  # 吗 is both
    ("联系客服徽信", "客服徽信", "客服微信", "review", "形近字"),
    ("私柳咨询价格", "私柳咨询价格", "私聊咨询价格", "review", "形近字"),
    ("有意者私柳", "有意者私柳", "有意者私聊", "review", "形近字"),
    # emoji and symbols standing for a word
    ("请➕微信", "➕微信", "加微信", "review", "符号代字"),
    ("加🐧详聊", "加🐧详聊", "加qq详聊", "review", "符号代字"),
    ("出售🔫支", "出售🔫支", "出售枪支", "block", "符号代字"),
    ("➕vx", "➕vx", "加vx", "review", "符号代字"),
    ("🔫支出售", "🔫支出售", "枪支出售", "block", "符号代字"),
    # digits for letters
    ("免费p0rn", "p0rn", "porn", "block", "数字替代字母"),
    ("d4iyun 咨询", "d4iyun", "代孕", "review", "数字替代字母"),
    ("yuep4o", "yuep4o", "约炮", "review", "数字替代字母"),
    ("t1kao", "t1kao", "替考", "review", "数字替代字母"),
    ("b4nzheng", "b4nzheng", "办证", "review", "数字替代字母"),
    # filler characters (terms marked fillers)
    ("提供代的孕服务", "代的孕", "代孕", "block", "插入虚字"),
    ("约了炮", "约了炮", "约炮", "block", "插入虚字"),
    ("专业代的考", "代的考", "代考", "block", "插入虚字"),
    ("出售假的证", "假的证", "假证", "block", "插入虚字"),
    ("裸了聊", "裸了聊", "裸聊", "block", "插入虚字"),
    # written backwards after U+202E
    (f"服务{RLO}孕代{PDF}咨询", "孕代", "代孕", "block", "反向"),
    (f"{RLO}博赌络网", "博赌络网", "网络赌博", "block", "反向"),
    (f"{RLO}炮约", "炮约", "约炮", "block", "反向"),
    (f"{RLO}支枪售出{PDF}", "支枪售出", "出售枪支", "block", "反向"),
    (f"{RLO}毒冰", "毒冰", "冰毒", "block", "反向"),
    # plain pinyin asks for review, never blocks
    ("联系daiyun", "daiyun", "代孕", "review", "拼音"),
]


@pytest.mark.parametrize(("text", "found", "term", "severity", "named"), EVASIONS)
def test_evasions_are_found_with_offsets_into_the_original(shipped_screener, text, found, term,
                                                            severity, named):
    report = shipped_screener.screen(Draft(title="", body=text))
    hits = [f for f in report.findings if f.stage == "terms"]
    assert [(f.text, f.term) for f in hits] == [(found, term)]
    hit = hits[0]
    assert text[hit.start:hit.end] == hit.text
    assert str(hit.severity) == severity
    assert named in hit.explanation


GUARDS = [
    # names, as authors and speakers are written
    "主讲人 Dai Yun 教授",
    "作者 Jia Zheng, Wei Li",
    "报告人：DAI Yun（北京大学）",
    "Luo Liao, Yue Pao and Ti Kao",
    "Daiyun 同学获奖",
    # addresses, links, handles, acronyms
    "yuqing@pku.edu.cn",
    "来信请寄 daiyun@163.com",
    "https://daiyun.example.com",
    "详见 www.yuepao.cn",
    "@daiyun2023",
    "DY",
    "JZ 课题组",
    # real clause boundaries and words around look-alike / homophone guesses
    "新时代，孕育新希望",
    "新时代的孕育",
    "对口支援交流活动",
    "带考生参观校园",
    "包裹已送达",
    "时代\n\n孕育",
    "参加微信群讨论",
    "最终以二比一逆转取胜",  # a score, not a homophone of a term holding a numeral
]


@pytest.mark.parametrize("text", GUARDS)
def test_names_addresses_and_words_raise_nothing(matching_screener, text):
    report = matching_screener.screen(Draft(title="", body=text))
    assert [f for f in report.findings
            if f.stage == "terms" or str(f.severity) != "info"] == []


def test_fillers_only_for_terms_marked_so(test_settings, tmp_path):
    from screener import Screener, load_settings

    lexicons = tmp_path / "lex"
    lexicons.mkdir()
    (lexicons / "u.txt").write_text("# category: unhealthy\n裸聊 | fillers\n约炮\n",
                                    encoding="utf-8")
    screener = Screener(load_settings(home=test_settings.home, lexicon_dir=lexicons),
                        stages=("terms",))
    found = screener.screen(Draft(title="", body="裸的聊和约的炮")).findings
    assert [(f.text, f.term) for f in found] == [("裸的聊", "裸聊")]


def test_evasion_passes_can_be_left_out(shipped_screener):
    normalized = shipped_screener.resources.normalizer("提供代、孕服务")
    matcher = shipped_screener.resources.matcher
    assert matcher.find(normalized, evasions=False) == []
    assert [h.entry.term for h in matcher.find(normalized)] == ["代孕"]


def test_a_big_lexicon_guesses_only_for_longer_terms(shipped_screener):
    """Above ``evasion_short_terms`` two-character terms, their homophones and look-alikes are
    not guessed at (they would flood ordinary text); pinyin mixed in still reads."""
    from screener.lexicon.matcher import TermMatcher

    resources = shipped_screener.resources
    big = TermMatcher(resources.lexicon, cache_dir=resources.settings.cache_dir,
                      evasion_short_terms=0)

    def terms(text):
        return [h.entry.term for h in big.find(resources.normalizer(text))]

    assert terms("提供带考服务") == []
    assert terms("提供代yun服务") == ["代孕"]
    assert terms("参与网络堵博") == ["网络赌博"]
    assert terms("欢迎加徽信咨询") == ["加微信"]
