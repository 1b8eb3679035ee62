"""The reviewer's pages without a browser: login cookie, CSRF, the print sheet, marking
overlapping findings and hidden characters, and a draft whose findings fill several pages of
its list."""

from __future__ import annotations

import json
import re
import unicodedata
from html.parser import HTMLParser

from screener_service.highlight import Span, highlight, visible_text
from screener_service.reviewpage import LINE_LIMIT, pictures, review_lines

from screener.i18n import translations
from screener.settings import REPO_ROOT


def test_overlapping_findings_and_hidden_characters():
    text = "同城约\u200b炮<b>"
    marked = highlight(text, [Span(0, 3, 0, "unhealthy", "block"),
                              Span(2, 5, 1, "illegal", "review")],
                       tooltips={"illegal": "违法<script>"})
    html = str(marked.html)
    assert html.count('id="f-0"') == 1 and html.count('id="f-1"') == 1
    # the shared character belongs to both, drawn as the worse of the two
    assert 'class="mark cat-illegal cat-unhealthy sev-block" href="#finding-0" ' \
           'data-findings="0,1"' in html
    assert "⟨U+200B⟩" in html
    assert "<b>" not in html and "&lt;b&gt;" in html and "<script>" not in html
    assert marked.marked == {0, 1} and marked.left_out == 0


def test_one_page_marks_the_most_severe_spans_and_counts_the_rest():
    text = "x" * 100
    spans = [Span(i, i + 1, i, "commercial", "review") for i in range(50)]
    spans.append(Span(90, 95, 50, "illegal", "block"))
    marked = highlight(text, spans, limit=10)
    assert marked.left_out == 41 and 50 in marked.marked and len(marked.marked) == 10


def test_login_csrf_and_print(world):
    draft = world.submit()
    client = world.client
    client.cookies.clear()
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    bad = world.login("responsible", password="not the password")
    assert bad.status_code == 401 and "用户名或密码不正确" in bad.text
    assert "待我签发" in world.page("responsible", "GET", "/").text

    forged = world.page("responsible", "POST", f"/drafts/{draft['id']}/signoff",
                        data={"decision": "approve", "report_id": draft["report"]["id"],
                              "csrf": "0" * 32}, headers={"accept": "text/html"})
    assert forged.status_code == 403 and "CSRF" in forged.text
    assert world.call("admin", "GET", f"/api/drafts/{draft['id']}").json()["status"] == \
        "pending"

    sheet = world.page("responsible", "GET", f"/drafts/{draft['id']}/print").text
    assert "具体负责人" in sheet and "签字" in sheet and draft["content_hash"] in sheet
    out = world.page("responsible", "POST", "/logout", data={"csrf": world.csrf("responsible")})
    assert out.status_code == 303


def test_the_maintainer_sees_the_lexicon_and_the_bank(own_world, photos):
    from tests.fixtures.images import image_bytes

    w = own_world
    w.call("maintainer", "POST", "/api/lexicon/terms",
           json={"terms": ["紫微星云贷"], "category": "illegal", "reason": "新名目"})
    asset = w.call("maintainer", "POST", "/api/assets", data={"title": "颐和园"},
                   files={"image": ("a.png", image_bytes(photos["china"]), "image/png")}).json()
    version = w.call("maintainer", "GET", "/api/lexicon").json()["version"]
    page = w.page("maintainer", "GET", "/").text
    assert version in page
    assert "紫微星云贷" in page and "新名目" in page
    assert f'src="/assets/{asset["id"]}/image"' in page and "颐和园" in page
    assert w.page("maintainer", "GET", f"/assets/{asset['id']}/image").status_code == 200


def test_every_hidden_character_of_the_basic_plane_is_written_out_and_no_other():
    every = "".join(chr(cp) for cp in range(0x10000)) + "\U0001F600\U000E0001\U000F0000"
    expected = []
    for ch in every:
        cp = ord(ch)
        hidden = ch not in "\n\t\r" and (
            cp < 0x20 or 0x7F <= cp < 0xA0 or 0xFE00 <= cp <= 0xFE0F
            or ch in "\u115f\u1160\u3164\uffa0\u2800"
            or unicodedata.category(ch) in ("Cf", "Cs", "Co", "Cn"))
        expected.append(f"⟨U+{cp:04X}⟩" if hidden else ch)
    assert visible_text(every) == "".join(expected)
    marked = str(highlight("报名\u202e加\r我", []).html)
    assert marked == '报名<span class="hidden-char">⟨U+202E⟩</span>加' \
                     '<span class="hidden-char">⟨U+000D⟩</span>我'


HIT = "加vx咨询。"  # one commercial finding (review) a sentence


class _Page(HTMLParser):
    """What a browser takes from a draft page: the findings' lines, the marks' links and the
    fields the sign-off form sends (those inside it and those tied to it by form="signoff")."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.lines: list[int] = []
        self.marked: set[int] = set()
        self.fields: dict[str, str] = {}
        self._in_lines = self._in_form = False
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "ol" and a.get("id") == "finding-lines":
            self._in_lines = True
        elif tag == "li" and self._in_lines and (a.get("id") or "").startswith("finding-"):
            self.lines.append(int(a["id"].removeprefix("finding-")))
        elif tag == "a" and "mark" in (a.get("class") or "").split():
            self.marked.update(int(i) for i in a["data-findings"].split(","))
        elif tag == "form" and a.get("id") == "signoff":
            self._in_form = True
        ours = self._in_form or a.get("form") == "signoff"
        if tag == "input" and ours and a.get("name") and a.get("type") != "submit":
            self.fields[a["name"]] = a.get("value") or ""
        elif tag == "textarea" and ours:
            self.fields[a["name"]] = ""
        elif tag == "select" and ours:
            self._select = a["name"]
        elif tag == "option" and self._select and self._select not in self.fields:
            self.fields[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "ol":
            self._in_lines = False
        elif tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None


def _long_blocked_draft(world):
    """More commercial hits than a page lists, then a blocking one (代孕) after them all."""
    ad = json.loads((REPO_ROOT / "data/samples/ad.json").read_text(encoding="utf-8"))
    draft = world.submit(title="社团招新", body=HIT * (LINE_LIMIT + 60) + ad["body"])
    findings = draft["report"]["findings"]
    blocking = [i for i, f in enumerate(findings) if f["severity"] == "block"]
    assert blocking and min(blocking) >= LINE_LIMIT and len(findings) <= 2 * LINE_LIMIT
    return draft, blocking


def test_a_long_list_of_findings_is_paged_the_most_severe_first_and_each_is_on_a_page(world):
    draft, blocking = _long_blocked_draft(world)
    total = len(draft["report"]["findings"])
    url = f"/drafts/{draft['id']}"
    first = world.page("responsible", "GET", url).text
    page = _Page(first)
    assert len(page.lines) == LINE_LIMIT and set(blocking) <= set(page.lines)
    assert f"本页列出全部 {total} 项发现中的 {LINE_LIMIT} 项（从最严重的开始）；" \
           f"其余 {total - LINE_LIMIT} 项在列表的其他页。" in first
    assert f"检查发现（{total}；本页列出 {LINE_LIMIT} 项，第 1 页，共 2 页）" in first
    assert f'href="{url}?page=2#summary"' in first and "拦截 1" in first
    second = world.page("responsible", "GET", f"{url}?page=2")
    assert second.status_code == 200
    other = _Page(second.text)
    assert f'href="{url}?page=1#summary"' in second.text
    # every finding is listed once, and every mark on a page leads to a line of that page
    assert sorted(page.lines + other.lines) == list(range(total))
    assert page.marked and page.marked <= set(page.lines)
    assert other.marked and other.marked <= set(other.lines)
    # an old link past the last page shows the last; a page that is no number is refused
    assert _Page(world.page("responsible", "GET", f"{url}?page=9").text).lines == other.lines
    for bad in ("0", "x", "²", "-1"):
        refused = world.page("responsible", "GET", f"{url}?page={bad}",
                             headers={"accept": "text/html"})
        assert refused.status_code == 422 and "页码须为从 1 开始的整数" in refused.text
    # the sheet that is signed lists every finding
    sheet = world.page("responsible", "GET", f"{url}/print").text
    assert len(re.findall(r'<tr class="sev-\w+" id="row-\d+"', sheet)) == total


def test_a_paged_draft_is_signed_off_from_its_page_as_a_browser_sends_the_form(world):
    draft, blocking = _long_blocked_draft(world)
    url = f"/drafts/{draft['id']}"
    form = _Page(world.page("responsible", "GET", f"{url}?page=2").text).fields
    assert form["page"] == "2" and len(form) <= 500  # the form's field limit
    # approving the blocked draft with no why: refused on the same page of the list
    refused = world.page("responsible", "POST", f"{url}/signoff",
                         data={**form, "decision": "approve"})
    assert refused.status_code == 422 and "批准被拦截的稿件须写明理由" in refused.text
    assert "第 2 页，共 2 页" in refused.text
    done = world.page("responsible", "POST", f"{url}/signoff",
                      data={**form, "decision": "approve", "comment": "招新广告，已核实。"})
    assert done.status_code == 303, done.text[:300]
    assert world.call("admin", "GET", f"/api/drafts/{draft['id']}").json()["status"] == \
        "approved"


def test_a_picture_whose_findings_are_on_another_page_says_so():
    text = "x" * (LINE_LIMIT + 1)
    findings = [{"field": "body", "start": i, "end": i + 1, "category": "commercial",
                 "severity": "review", "term": "x"} for i in range(LINE_LIMIT)]
    findings.append({"field": "image:0", "start": 0, "end": 0, "category": "copyright",
                     "severity": "info", "term": "asset 3: 颐和园"})
    draft = {"id": 1, "title": "", "body": text, "report": {"findings": findings},
             "images": [{"name": "a.png", "sha256": "0" * 64}]}
    tr = translations("zh_CN")
    shown = {n: review_lines(draft, tr, page=n) for n in (1, 2)}
    assert [shown[n]["listing"]["unlisted"] for n in (1, 2)] == [1, LINE_LIMIT]
    first, second = (pictures(draft, shown[n]["lines"], "/{draft}/{index}")[0] for n in (1, 2))
    assert first["elsewhere"] == 1 and not first["matches"]
    assert second["elsewhere"] == 0 and second["matches"][0]["asset_id"] == 3
