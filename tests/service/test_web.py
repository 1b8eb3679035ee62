"""The reviewer's pages without a browser: login cookie, CSRF, the print sheet, and marking
overlapping findings and hidden characters."""

from __future__ import annotations

from screener_service.highlight import Span, highlight


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
