"""Contact routes: every way a post sends readers elsewhere, with spans into the original."""

from __future__ import annotations

import pytest

from screener import Draft
from screener.details.contacts import find_contacts

CONTACTS = [
    ("电话：13812345678", "phone", "13812345678", "13812345678"),
    ("电话：138-1234-5678 咨询", "phone", "138-1234-5678", "13812345678"),
    ("电话 138 1234 5678 2023年", "phone", "138 1234 5678", "13812345678"),
    ("拨打一三八一二三四五六七八", "phone", "一三八一二三四五六七八", "13812345678"),
    ("拨打幺三八幺二三四五六七八", "phone", "幺三八幺二三四五六七八", "13812345678"),
    ("拨打壹叁捌壹贰叁肆伍陆柒捌", "phone", "壹叁捌壹贰叁肆伍陆柒捌", "13812345678"),
    ("拨打①③⑧①②③④⑤⑥⑦⑧", "phone", "①③⑧①②③④⑤⑥⑦⑧", "13812345678"),
    ("拨打𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "phone", "𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "13812345678"),
    ("拨打１３８１２３４５６７８", "phone", "１３８１２３４５６７８", "13812345678"),
    ("值班电话 010-62751234", "phone", "010-62751234", "01062751234"),
    ("加微信 abc_12345 详聊", "wechat", "微信 abc_12345", "abc_12345"),
    ("vx: yuqing2023", "wechat", "vx: yuqing2023", "yuqing2023"),
    ("QQ：123456789", "qq", "QQ：123456789", "123456789"),
    ("扣扣 987654321", "qq", "扣扣 987654321", "987654321"),
    ("来信 foo.bar@163.com", "email", "foo.bar@163.com", "foo.bar@163.com"),
    ("详见 https://example.com/a?b=1", "link", "https://example.com/a?b=1",
     "https://example.com/a?b=1"),
    ("点击 https://t.cn/A6abcd 领取", "short_link", "https://t.cn/A6abcd", "https://t.cn/A6abcd"),
    ("点 dwz.cn/xyz", "short_link", "dwz.cn/xyz", "dwz.cn/xyz"),
]


@pytest.mark.parametrize(("text", "kind", "shown", "value"), CONTACTS)
def test_contact_routes_are_found_with_their_spans(text, kind, shown, value):
    found = find_contacts(text)
    assert [(c.kind, text[c.start:c.end], c.value) for c in found] == [(kind, shown, value)]


@pytest.mark.parametrize("text", [
    "联系 yuqing@pku.edu.cn",
    "见 https://www.pku.edu.cn/news/1.htm",
    "coe.pku.edu.cn 发布",
    "今天是二〇二三年十一月一日",
    "第一二三四五期",
    "学号 20012101",
    "2023年12月1日",
])
def test_own_addresses_and_ordinary_numbers_are_not_contacts(text):
    assert find_contacts(text) == []


def test_a_contact_in_a_post_that_sells_nothing_is_information(matching_screener):
    draft = Draft(title="讲座通知", body="报名请发邮件至 lecture@163.com")
    report = matching_screener.screen(draft)
    assert str(report.verdict) == "pass"
    [finding] = report.findings
    assert (finding.category, str(finding.severity), finding.text) == \
        ("contact", "info", "lecture@163.com")
    assert "电子邮箱" in finding.explanation and "不影响结论" in finding.explanation


def test_a_contact_in_a_post_that_sells_is_commercial(matching_screener):
    report = matching_screener.screen(Draft(title="", body="特价优惠，电话 13812345678"))
    [finding] = [f for f in report.findings if f.stage == "contacts"]
    assert (finding.category, str(finding.severity)) == ("commercial", "review")
    assert str(report.verdict) == "review"
    assert "商业经营活动" in finding.explanation


def test_info_findings_print_and_serialize(matching_screener):
    from io import StringIO

    from rich.console import Console

    from screener.render import print_report, report_json

    draft = Draft(title="", body="报名邮箱 lecture@163.com")
    report = matching_screener.screen(draft)
    assert '"severity": "info"' in report_json(report, "x.json")
    console = Console(file=StringIO(), width=120)
    print_report(console, report, draft, "x.json")
    assert "仅提示" in console.file.getvalue()
