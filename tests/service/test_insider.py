"""What a hostile insider broke, kept out: self-approval through an edit, framing and missing
headers, third-party script on /docs, log-in and log-out CSRF, files left by refused requests,
two 500s, hidden characters rendered raw, text injection and server paths in messages, absurd
dates, Latin-1 form fields, a unit head's scope from the token, and an audit chain anyone with
the database could rewrite."""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import pytest
from PIL import Image
from screener_service import audit
from screener_service.db import read
from screener_service.headers import CSP
from screener_service.pagesession import SESSION_COOKIE

from tests.fixtures.images import image_bytes, sample_photos
from tests.fixtures.service import PASSWORD, World, auth, login_form

RLO = "\u202e"


def _png(size=(64, 64), seed=0) -> bytes:
    import numpy as np

    rng = np.random.default_rng(seed)
    out = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(out, "PNG")
    return out.getvalue()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# -- 1. self-approval ------------------------------------------------------------------------
def test_nobody_signs_off_text_they_edited_and_the_sheet_names_every_editor(world: World):
    """李老师 is both 具体负责人 and operator of the account: edits 张同学's draft with the
    operator token, then tries to approve it with the responsible token."""
    person = world.ids["person_responsible"]
    world.call("admin", "POST", f"/api/accounts/{world.ids['account']}/roles",
               json={"person_id": person, "role": "operator"})
    world.tokens["responsible_as_operator"] = world.call(
        "admin", "POST", "/api/tokens", json={"role": "operator", "person_id": person}
    ).json()["token"]
    draft = world.submit()
    edited = world.call("responsible_as_operator", "PUT", f"/api/drafts/{draft['id']}",
                        json={"title": "讲座通知", "body": "欢迎参加力学前沿讲座，地点改到二楼。"})
    assert edited.status_code == 200, edited.text
    refused = world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
                         json={"decision": "approve", "report_id": edited.json()["report"]["id"]})
    assert refused.status_code == 403 and "edited" in refused.json()["error"]["message"]
    assert draft["id"] not in [i["id"] for i in
                               world.call("responsible", "GET", "/api/queue").json()["items"]]
    # the record and the print sheet name both writers
    names = [(e["name"], e["revisions"]) for e in edited.json()["editors"]]
    assert names == [("张同学", [1]), ("李老师", [2])]
    sheet = world.page("admin", "GET", f"/drafts/{draft['id']}/print").text
    editors = re.search(r'id="editors">(.*?)</td>', sheet).group(1)
    assert "张同学" in editors and "李老师" in editors


# -- 4. headers on every answer ------------------------------------------------------------------
def test_every_answer_carries_the_security_headers(world: World, monkeypatch):
    draft = world.submit()
    answers = {
        "page": world.page("responsible", "GET", f"/drafts/{draft['id']}"),
        "login page": world.client.get("/login"),
        "api": world.call("responsible", "GET", f"/api/drafts/{draft['id']}"),
        "api 401": world.client.get("/api/me"),
        "api 404": world.call("admin", "GET", "/api/drafts/999999"),
        "page 403": world.page("operator", "POST", f"/drafts/{draft['id']}/signoff", data={}),
        "413": world.client.post("/api/drafts", content=b"x" * 20_000_001,
                                 headers={**auth(world.tokens["operator"]),
                                          "content-type": "application/json"}),
        "static": world.client.get("/static/style.css"),
        "picture": world.call("responsible", "GET", "/api/drafts/1/images/0"),
    }
    from screener_service.queries import drafts

    monkeypatch.setattr(drafts, "read_draft", lambda *a, **k: 1 / 0)
    answers["500"] = world.call("responsible", "GET", f"/api/drafts/{draft['id']}")
    assert answers["500"].status_code == 500
    for what, response in answers.items():
        headers = response.headers
        assert headers["content-security-policy"] == CSP, what
        assert "frame-ancestors 'none'" in CSP and "http" not in CSP and "*" not in CSP
        assert headers["x-frame-options"] == "DENY", what
        assert headers["x-content-type-options"] == "nosniff", what
        assert headers["referrer-policy"] == "no-referrer", what
    for what in ("page", "api", "api 404", "500"):
        assert answers[what].headers["cache-control"] == "no-store", what


# -- 5. /docs without a CDN, and off by a setting -------------------------------------------
def test_docs_run_only_the_services_own_files(client):
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources)
    assert "<script>" not in page.text  # no inline script (the CSP allows none)
    for source in sources:
        assert client.get(source).status_code == 200, source
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    assert len(bundle.content) > 500_000 and "SwaggerUIBundle" in bundle.text


def test_redoc_runs_only_the_services_own_files(client):
    page = client.get("/redoc")
    assert page.status_code == 200
    assert not re.search(r"https?://|//[a-z]", page.text)  # nothing named on another host
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert "/docs/assets/redoc.standalone.js" in sources
    assert all(s.startswith("/") and not s.startswith("//") for s in sources)
    assert "<script>" not in page.text and "<style" not in page.text  # nothing inline
    for source in sources:
        assert client.get(source).status_code == 200, source
    assert "Redoc.init" in client.get("/static/redoc.js").text
    # Its policy differs from every other page's by one thing: an empty inline <style> element.
    policy = page.headers["content-security-policy"]
    empty = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"  # sha256 of nothing
    assert policy == CSP.replace("style-src 'self'", f"style-src 'self' {empty}")
    assert client.get("/docs").headers["content-security-policy"] == CSP


def test_docs_can_be_turned_off(service_screener, service_config):
    from fastapi.testclient import TestClient
    from screener_service import create_app

    app = create_app(screener=service_screener,
                     config=service_config.model_copy(update={"api_docs": False}))
    with TestClient(app) as plain:
        assert plain.get("/docs").status_code == 404
        assert plain.get("/docs/assets/swagger-ui-bundle.js").status_code == 404
        assert plain.get("/redoc").status_code == 404
        assert plain.get("/docs/assets/redoc.standalone.js").status_code == 404
        assert plain.get("/openapi.json").status_code == 200  # programs still read it


# -- 6. log-in and log-out CSRF ----------------------------------------------------------------
def test_a_cross_site_form_cannot_log_a_victim_in_or_out(world: World, raw_db, service_config):
    client = world.client
    client.cookies.clear()
    # another site posts the attacker's user name and password: no log-in cookie, no value
    forged = client.post("/login", data={"username": world.usernames["operator"],
                                         "password": PASSWORD}, follow_redirects=False)
    assert forged.status_code == 403 and SESSION_COOKIE not in forged.cookies
    # ... nor with a value taken from the attacker's own log-in page
    _, attackers_csrf = login_form(client)
    client.cookies.clear()
    forged = client.post("/login", data={"username": world.usernames["operator"],
                                         "password": PASSWORD, "csrf": attackers_csrf},
                         follow_redirects=False)
    assert forged.status_code == 403 and SESSION_COOKIE not in forged.cookies
    with raw_db(service_config.database_url) as db:
        assert db.execute("select count(*) from svc_sessions").fetchone()[0] == 0
    # a cross-site log-out leaves the victim logged in
    world.session("responsible")
    out = world.page("responsible", "POST", "/logout", data={})
    assert out.status_code == 403
    assert world.page("responsible", "GET", "/").status_code == 200


# -- 8. refused requests leave no files -------------------------------------------------------
def test_refused_submissions_leave_no_file(world: World, service_config):
    uploads = service_config.upload_dir
    before = _files(uploads)
    pictures = [("images", (f"{i}.png", _png(seed=i), "image/png")) for i in range(3)]
    for _ in range(3):  # repeated: nothing piles up
        too_long = world.call("operator", "POST", "/api/drafts", files=pictures, data={
            "account_id": str(world.ids["account"]), "title": "长", "body": "讲" * 100_001})
        assert too_long.status_code == 413, too_long.text
        bad_third = world.call("operator", "POST", "/api/drafts", data={
            "account_id": str(world.ids["account"]), "title": "图", "body": "讲座。"},
            files=[*pictures[:2], ("images", ("bad.png", b"not a picture", "image/png"))])
        assert bad_third.status_code == 422
        other = world.call("operator", "POST", "/api/drafts", files=pictures, data={
            "account_id": str(world.ids["other_account"]), "title": "图", "body": "讲座。"})
        assert other.status_code == 403
    assert _files(uploads) == before


def test_refused_html_uploads_leave_no_inline_picture(world: World, shipped_screener):
    import base64

    inline = Path(shipped_screener.settings.home) / "cache" / "inline"
    before = _files(inline)
    data = base64.b64encode(_png(seed=7)).decode()
    html = (f'<html><title>通知</title><body><p>讲座</p><img src="data:image/png;base64,{data}">'
            '<img src="pictures/local.png"></body></html>')
    for _ in range(3):
        refused = world.call("operator", "POST", "/api/drafts",
                             data={"account_id": str(world.ids["account"])},
                             files={"file": ("notice.html", html.encode(), "text/html")})
        assert refused.status_code == 422, refused.text
        assert "/tmp" not in refused.text and "upload.html" not in refused.text
    assert _files(inline) == before


def test_refused_assets_leave_no_file_and_a_thin_picture_is_a_422(own_world: World):
    settings = own_world.client.app.state.services.settings
    config = own_world.client.app.state.config
    folders = (settings.upload_dir / "assets", config.upload_dir)
    before = [_files(f) for f in folders]
    for size in ((1, 300), (300, 1), (1, 1)):
        thin = own_world.call("maintainer", "POST", "/api/assets", data={"title": "线"},
                              files={"image": ("thin.png", _png(size), "image/png")})
        assert thin.status_code == 422, thin.text
        assert "每边至少要有 16 像素" in thin.json()["error"]["message"]
        assert str(settings.home) not in thin.text and "upload" not in thin.text.lower() \
            .replace("upload thin", "")
    assert [_files(f) for f in folders] == before
    kept = own_world.add_asset(image_bytes(sample_photos()["china"]))
    assert (settings.upload_dir / "assets").is_dir() and kept["id"]


# -- 10. a finding comment keyed "²" ------------------------------------------------------------
def test_a_superscript_digit_is_no_finding_number(world: World):
    draft = world.submit(title="代写论文", body="专业代写论文，包过。")
    answer = world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
                        json={"decision": "changes", "report_id": draft["report"]["id"],
                              "finding_comments": {"²": "删掉"}})
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "finding_comments"
    page = world.page("responsible", "POST", f"/drafts/{draft['id']}/signoff",
                      data={"csrf": world.csrf("responsible"), "decision": "changes",
                            "report_id": str(draft["report"]["id"]), "fc-²": "删掉"},
                      headers={"accept": "text/html"})
    assert page.status_code == 422


# -- 11. hidden characters outside title and body ----------------------------------------------
def test_hidden_characters_are_shown_on_every_page(own_world: World):
    w = own_world
    name = f"photo{RLO}gnp.exe.png"
    draft = w.call("operator", "POST", "/api/drafts",
                   data={"account_id": str(w.ids["account"]), "title": "通知", "body": "讲座。"},
                   files={"images": (name, _png(seed=3), "image/png")}).json()
    w.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
           json={"decision": "changes", "report_id": draft["report"]["id"],
                 "comment": f"改{RLO}一下", "finding_comments": {}})
    refused = w.call("maintainer", "POST", "/api/lexicon/terms",  # a term: refused outright
                     json={"terms": [f"紫微{RLO}星贷"], "category": "illegal", "reason": "新"})
    assert refused.status_code == 422
    added = w.call("maintainer", "POST", "/api/lexicon/terms",
                   json={"terms": ["紫微星贷"], "category": "illegal", "reason": f"新{RLO}名目"})
    assert added.status_code == 201, added.text
    pages = [w.page("responsible", "GET", f"/drafts/{draft['id']}").text,
             w.page("responsible", "GET", f"/drafts/{draft['id']}/print").text,
             w.page("maintainer", "GET", "/").text]
    for page in pages:
        assert RLO not in page
    assert "photo⟨U+202E⟩gnp.exe.png" in pages[0] and "改⟨U+202E⟩一下" in pages[0]
    assert "新⟨U+202E⟩名目" in pages[2]


# -- 12. text injection, server paths, dates, Latin-1 fields, a unit head's scope -------------
def test_the_login_page_shows_no_text_from_the_link(client):
    lure = "令牌已过期，请致电 010-12345678 或访问 evil.example 领取新令牌"
    page = client.get("/login", params={"error": lure, "reason": lure})
    assert page.status_code == 200 and "致电" not in page.text and "evil" not in page.text
    assert "您已退出登录" in client.get("/login?reason=logged_out").text


def test_errors_name_no_server_path(world: World, service_config, shipped_screener):
    """Refused uploads and the registry's calendar notes name the upload or the file, never
    the server's folders (temporary folders, the state folder, the shipped calendar's place)."""
    answers = [
        world.call("operator", "POST", "/api/drafts", data={"account_id": str(world.ids[
            "account"])}, files={"file": ("a.html", b'<img src="../../etc/passwd">', "text/html")}),
        world.call("operator", "POST", "/api/drafts", data={"account_id": str(world.ids[
            "account"])}, files={"file": ("a.html", b'<img src="x/missing.png">', "text/html")}),
        world.call("operator", "POST", "/api/drafts", data={"account_id": str(world.ids[
            "account"])}, files={"file": ("a.docx", b"PK\x03\x04 not a zip", "application/zip")}),
        # a role dated in a year the holiday calendar lacks: the note names the calendar
        world.call("admin", "POST", f"/api/accounts/{world.ids['account']}/roles",
                   json={"person_id": world.ids["person_maintainer"], "role": "operator",
                         "effective_on": "2023-03-01"}),
    ]
    assert "节假日日历（holidays_cn.toml）未收录 2023 年" in json.dumps(answers[-1].json(),
                                                              ensure_ascii=False)
    folders = [str(shipped_screener.settings.home), str(service_config.upload_dir), "/tmp/",
               str(Path(__file__).resolve().parents[2])]
    for response in answers:
        for folder in folders:
            assert folder not in response.text, (folder, response.text[:300])


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-05-04"])
def test_absurd_dates_are_refused_at_once(world: World, day):
    started = time.perf_counter()
    answer = world.call("admin", "POST", "/api/accounts", json={
        "platform": "wechat", "name": "力学系老账号", "unit_id": world.ids["unit"],
        "opened_on": day})
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "opened_on"
    assert time.perf_counter() - started < 2


def test_multipart_text_must_be_utf8(world: World):
    body = (b"--b\r\nContent-Disposition: form-data; name=\"account_id\"\r\n\r\n"
            + str(world.ids["account"]).encode() + b"\r\n--b\r\nContent-Disposition: "
            b"form-data; name=\"title\"\r\n\r\n\xb4\xfa\xd0\xb4\r\n--b--\r\n")  # GBK 代写
    answer = world.client.post("/api/drafts", content=body,
                               headers={**auth(world.tokens["operator"]),
                                        "content-type": "multipart/form-data; boundary=b"})
    assert answer.status_code == 422 and "UTF-8" in answer.json()["error"]["message"]


def test_a_unit_heads_scope_comes_from_the_registry(world: World):
    """A unit-head token made out for the other unit reads nothing of it: the registry makes
    王主任 第一责任人 of 力学系's account only."""
    token = world.call("admin", "POST", "/api/tokens", json={
        "role": "unit_head", "person_id": world.ids["person_head"],
        "unit_id": world.ids["other_unit"]}).json()["token"]
    world.tokens["wrong_unit"] = token
    me = world.call("wrong_unit", "GET", "/api/me").json()
    assert me["accounts"] == [world.ids["account"]]
    assert world.call("wrong_unit", "GET",
                      f"/api/accounts/{world.ids['other_account']}").status_code == 403
    units = world.call("wrong_unit", "GET", "/api/units").json()["items"]
    assert [u["id"] for u in units] == [world.ids["unit"]]


# -- 13. the audit chain keyed, anchored, cross-checked; authentication events -----------------
def test_a_rewritten_chain_does_not_verify_without_the_key(world: World, service_config, raw_db):
    """Rewriting a row and recomputing every later hash (the attack that passed before) fails:
    the chain is an HMAC with a key outside the database."""
    world.submit()
    with raw_db(service_config.database_url) as db:
        rows = db.execute("select id, at, actor, action, subject, details, prev_hash, hash "
                          "from svc_audit order by id").fetchall()
        prev = rows[4][6]
        for row_id, at, actor, action, subject, details, _, _ in rows[4:]:
            if row_id == rows[4][0]:
                details = json.dumps({"name": "forged"})
            digest = audit.chain_hash(prev, audit.canonical(row_id, at, actor, action, subject,
                                                            details))
            db.execute("update svc_audit set details = ?, prev_hash = ?, hash = ? where id = ?",
                       (details, prev, digest, row_id))
            prev = digest
    result = world.call("admin", "GET", "/api/audit/verify").json()
    assert result["ok"] is False and result["row"] == rows[4][0]


def test_audit_verify_cross_checks_drafts_and_sign_offs(world: World, service_config, raw_db):
    draft = world.submit()
    world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
               json={"decision": "approve", "report_id": draft["report"]["id"]})
    assert world.call("admin", "GET", "/api/audit/verify").json()["ok"] is True
    with raw_db(service_config.database_url) as db:  # the text changed behind the log's back
        db.execute("update svc_drafts set body = ? where id = ?", ("改过的正文。", draft["id"]))
    result = world.call("admin", "GET", "/api/audit/verify").json()
    assert result["ok"] is False and any("内容哈希" in line for line in result["unaudited"])
    with raw_db(service_config.database_url) as db:
        db.execute("update svc_drafts set body = ? where id = ?", (draft["body"], draft["id"]))
        db.execute("update svc_signoffs set decision = 'reject'")  # a sign-off rewritten
        db.execute("update svc_drafts set status = 'published'")  # published without a row
    problems = world.call("admin", "GET", "/api/audit/verify").json()["unaudited"]
    assert any("签发" in p for p in problems) and any("状态是" in p for p in problems)


def test_authentication_events_are_audited(world: World):
    world.login("operator", password="wrong password 1")
    world.session("operator")
    world.page("operator", "POST", "/logout", data={"csrf": world.csrf("operator")})
    rows = world.call("admin", "GET", "/api/audit", params={"limit": 200}).json()["items"]
    actions = [r["action"] for r in rows if r["action"].startswith("auth.")]
    assert actions == ["auth.login_failed", "auth.login", "auth.logout"]
    assert all(PASSWORD not in json.dumps(r) and "wrong password" not in json.dumps(r)
               for r in rows)
    with read(world.client.app.state.engine) as conn:
        audit.verify(conn)


def test_the_signed_head_file_is_outside_the_database(world: World, service_config):
    head = json.loads((service_config.audit_dir / audit.HEAD_FILE).read_text())
    assert head["rows"] == world.call("admin", "GET", "/api/audit").json()["total"]
    daily = list(service_config.audit_dir.glob("head-*.json"))
    assert len(daily) == 1
    forged = dict(head, rows=head["rows"] + 5)
    (service_config.audit_dir / "head-1999-01-01.json").write_text(json.dumps(forged))
    result = world.call("admin", "GET", "/api/audit/verify").json()
    assert result["ok"] is False and "not signed" in result["problem"]
    assert "不是用本服务器的密钥签名的" in result["problem_zh"]


def test_the_server_secret_is_private_and_never_in_the_database(world, service_config, raw_db):
    secret = service_config.secret_file
    assert secret.stat().st_mode & 0o077 == 0
    value = secret.read_text().strip()
    with raw_db(service_config.database_url) as db:
        assert value not in db.dump()
