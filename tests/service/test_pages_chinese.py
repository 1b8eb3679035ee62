"""No English sentence reaches a page: every page a reviewer, operator or the dean's office opens
(the queue, drafts with every kind of finding, the print sheet, the error pages, a refused
sign-off, the confirmation before 退回) is scanned for the technical phrases the reviewers
complained of and for any run of English words; and the API's errors keep their English code
beside a Chinese message."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

from PIL import Image

from screener.settings import REPO_ROOT

# What the issue found on the pages, and codes that must show as their Chinese names.
TECHNICAL = ("matched lexicon term", "word-boundary", "review threshold", "NFKC", "RANSAC",
             "<lexicon:", "lexicon term", "classifier score", "inliers", "hash distance",
             "image:0", "image:1", "wechat", "weibo", "allow 44", ".txt:", "pending",
             "approved", "changes_requested", "rejected", "commercial", "illegal",
             "confidential", "major_news", "stage_error", "personal_info", "hidden_text",
             "Forbidden", "Not Found", "not found", "Internal", "Unauthorized", "could not",
             "finding", "draft", "token", "verdict", "BLOCK", "REVIEW", "PASS")
# Three English words in a row (an English sentence or a phrase of one).
SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,;:'’-]+[A-Za-z]{2,}){2,}")
# The rule's own words quote these names (第二条).
ALLOWED = ("Peking University",)


class Visible(HTMLParser):
    """The text a person sees or hears: text outside script and style, and the attributes a
    browser shows or reads aloud."""

    SHOWN = ("title", "alt", "placeholder", "aria-label", "value")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        kind = dict(attrs).get("type", "text")
        for name, value in attrs:
            # a value is seen in a text box or on a button, not behind an option or a tick box
            shown = name != "value" or (tag == "input" and kind in (
                "text", "search", "submit", "button", "reset"))
            if name in self.SHOWN and value and shown:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def english_in(html: str) -> list[str]:
    text = visible(html)
    for allowed in ALLOWED:
        text = text.replace(allowed, "")
    found = [text[max(0, i - 30):i + 40] for phrase in TECHNICAL
             if (i := text.find(phrase)) >= 0]
    found += SENTENCE.findall(text)
    return found


def _truncated_jpeg() -> bytes:
    """A JPEG whose header reads but whose data stops two thirds in (a review finding)."""
    buffer = io.BytesIO()
    Image.effect_noise((200, 150), 60).convert("RGB").save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()
    return data[:len(data) * 2 // 3]


def _drafts(world) -> dict[str, dict]:
    ad = (REPO_ROOT / "data/samples/ad.json").read_text(encoding="utf-8")
    import json

    body = json.loads(ad)["body"]
    made = {
        "terms": world.submit(title="二手书\u202e交流", body=body + " dai yun 內部資料"),
        "classify": world.submit(title="考研辅导", body="考研辅导班火热招生，名师授课，包过退款，"
                                 "咨询电话13812345678，报名立减五百元，名额有限欲报从速。"),
        "personal": world.submit(title="获奖名单", body="张三 身份证号 11010519491231002X，"
                                 "李四 13912345678，王五 13812345678。"),
        "contact": world.submit(title="讲座通知", body="报名请发邮件至 lecture@163.com"),
        "dean": world.submit(title="讣告", body="沉痛悼念我院退休教授王某某先生。"),
    }
    picture = world.call("operator", "POST", "/api/drafts",
                         data={"account_id": str(world.ids["account"]), "title": "海报",
                               "body": "见图。"},
                         files=[("images", ("poster.jpg", _truncated_jpeg(), "image/jpeg"))])
    assert picture.status_code == 201, picture.text
    made["picture"] = picture.json()
    edited = world.call("operator", "PUT", f"/api/drafts/{made['contact']['id']}",
                        json={"title": "讲座通知", "body": "报名请发邮件至 lecture@pku.edu.cn"})
    assert edited.status_code == 200
    return made


def test_no_english_sentence_reaches_a_page(world):
    made = _drafts(world)
    categories = {f["category"] for d in made.values() for f in d["report"]["findings"]}
    assert {"illegal", "confidential", "commercial", "contact", "personal_info",
            "hidden_text", "stage_error", "major_news"} <= categories, categories
    client = world.client
    pages = {}
    client.cookies.clear()
    pages["login"] = client.get("/login").text
    pages["login refused"] = world.login("responsible", password="not the password").text
    pages["logged out"] = client.get("/login?reason=logged_out").text
    html = {"accept": "text/html"}
    for who in ("responsible", "admin", "operator", "unit_head"):
        pages[f"{who}: queue"] = world.page(who, "GET", "/").text
        pages[f"{who}: all"] = world.page(who, "GET", "/?mine=false").text
        for name, draft in made.items():
            pages[f"{who}: {name}"] = world.page(who, "GET", f"/drafts/{draft['id']}").text
            pages[f"{who}: {name} sheet"] = world.page(who, "GET",
                                                       f"/drafts/{draft['id']}/print").text
        pages[f"{who}: 404"] = world.page(who, "GET", "/drafts/999999", headers=html).text
        pages[f"{who}: no such page"] = world.page(who, "GET", "/nowhere", headers=html).text
        pages[f"{who}: bad filter"] = world.page(who, "GET", "/?verdict=maybe",
                                                 headers=html).text
    pages["maintainer"] = world.page("maintainer", "GET", "/").text
    for name, url in (("lexicon", "/lexicon?q=代孕"), ("term", "/lexicon/term?term=代孕"),
                      ("preview", "/lexicon/preview?terms=讲座&category=illegal"),
                      ("diff", "/lexicon/diff?from=0&to=0"), ("bank", "/assets")):
        pages[f"maintainer: {name}"] = world.page("maintainer", "GET", url).text
    for who in ("admin", "unit_head"):
        pages[f"{who}: statistics"] = world.page(who, "GET", "/statistics").text
    pages["statistics: bad date"] = world.page("admin", "GET", "/statistics?since=x",
                                               headers=html).text
    terms = made["terms"]
    form = {"csrf": world.csrf("responsible"), "report_id": terms["report"]["id"],
            "comment": ""}
    signoff = f"/drafts/{terms['id']}/signoff"
    pages["refused sign-off"] = world.page("responsible", "POST", signoff,
                                           data={**form, "decision": "approve"}).text
    pages["confirm rejection"] = world.page("responsible", "POST", signoff,
                                            data={**form, "decision": "reject"}).text
    pages["batch refused"] = world.page("responsible", "POST", "/queue/approve",
                                        data={"csrf": form["csrf"]}).text
    pages["forged form"] = world.page("responsible", "POST", signoff, headers=html,
                                      data={**form, "csrf": "0" * 32}).text
    client.cookies.clear()
    pages["picture without log-in"] = client.get(f"/drafts/{terms['id']}/images/0",
                                                 headers=html).text
    assert "批准被拦截的稿件须写明理由" in pages["refused sign-off"]
    assert "确定退回" in pages["confirm rejection"]
    found = {name: english_in(html) for name, html in pages.items()}
    assert {name: phrases for name, phrases in found.items() if phrases} == {}


def test_api_errors_keep_an_english_code_and_add_a_chinese_message(world):
    draft = world.submit()
    refused = [
        world.call("operator", "POST", f"/api/drafts/{draft['id']}/signoff",
                   json={"decision": "approve", "report_id": draft["report"]["id"]}),
        world.call("responsible", "GET", "/api/drafts/999999"),
        world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
                   json={"decision": "reject", "report_id": draft["report"]["id"]}),
        world.call("operator", "POST", "/api/drafts", json={"title": "x"}),
        world.call("responsible", "GET", "/api/drafts", params={"limit": 100000}),
        world.client.get("/api/queue"),
    ]
    for response in refused:
        error = response.json()["error"]
        assert re.fullmatch(r"[a-z_0-9]+", error["code"]), error
        assert re.search(r"[\u4e00-\u9fff]", error["message_zh"]), error
        assert not SENTENCE.search(error["message_zh"].replace("Authorization: Bearer", "")), \
            error
