"""The reviewer's pages without a browser: login cookie, CSRF, the print sheet, and marking
overlapping findings and hidden characters."""

from __future__ import annotations

from screener_service.highlight import highlight


def _finding(start, end, category="illegal"):
    return {"start": start, "end": end, "category": category, "article": "第十一条（内容）",
            "explanation": "x<script>"}


def test_overlapping_findings_and_hidden_characters():
    text = "同城约\u200b炮<b>"
    html = str(highlight(text, [(0, _finding(0, 3, "unhealthy")), (1, _finding(2, 5))]))
    assert html.count('<a id="f-0">') == 1 and html.count('<a id="f-1">') == 1
    assert 'class="finding cat-illegal cat-unhealthy"' in html  # the shared character
    assert "⟨U+200B⟩" in html
    assert "<b>" not in html and "&lt;b&gt;" in html and "<script>" not in html


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
    assert "具体负责人签字" in sheet and draft["content_hash"] in sheet
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
    assert f'<code id="lexicon-version">{version}</code>' in page
    assert "紫微星云贷" in page and "新名目" in page
    assert f'src="/assets/{asset["id"]}/image"' in page and "颐和园" in page
    assert w.page("maintainer", "GET", f"/assets/{asset['id']}/image").status_code == 200
