"""Tokens are shown once, when created, and nowhere else: not in any later answer of any
endpoint (nor their sha256), not in the logs, not in the audit log, not in the database file.
The same holds for passwords (never shown, logged or stored: only an argon2 hash) and for
session cookies (set once by the log-in answer; the database keeps their sha256). A live
``screener serve``'s output is checked in tests/faults/test_token_logs.py."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from screener_service.auth import hash_token
from screener_service.pagesession import SESSION_COOKIE

from tests.fixtures.service import PASSWORD

from .test_authz_complete import RULES, full_world

LOGGERS = ("", "service", "screener", "uvicorn", "uvicorn.error", "fastapi", "starlette")


def _secrets(tokens: dict[str, str]) -> dict[str, str]:
    out = {}
    for who, raw in tokens.items():
        out[f"{who} token"] = raw
        out[f"{who} token hash"] = hash_token(raw)
    return out


def _a_full_workflow(client, world) -> list:
    """Every kind of call, including refused and failing ones; returns the responses."""
    answers = []

    def call(who, method, url, **kwargs):
        response = world.call(who, method, url, **kwargs)
        answers.append(response)
        return response

    draft = world.submit(title="讲座通知", body="欢迎参加讲座。")
    call("operator", "PUT", f"/api/drafts/{draft['id']}", json={"title": "讲座通知",
                                                                "body": "欢迎参加力学讲座。"})
    report = call("responsible", "GET", f"/api/drafts/{draft['id']}").json()["report"]["id"]
    call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
         json={"decision": "approve", "report_id": report})
    call("operator", "POST", f"/api/drafts/{draft['id']}/publish")
    call("maintainer", "GET", "/api/drafts")  # refused
    call("operator", "POST", "/api/drafts", json={"account_id": "x"})  # invalid
    bad = client.get("/api/me", headers={"Authorization": "Bearer scr_wrong"})
    answers.append(bad)
    # the creation answer carries the token: that is its one showing, not checked below
    revoked = world.call("admin", "POST", "/api/tokens", json={"role": "admin", "label": "t"})
    world.tokens["revoked"] = revoked.json()["token"]
    call("admin", "POST", f"/api/tokens/{revoked.json()['id']}/revoke")
    call("revoked", "GET", "/api/me")  # 401
    answers.append(world.login("responsible", password="not the password"))  # refused
    login = world.login("responsible")
    answers.append(login)
    world.sessions["responsible"] = login.cookies[SESSION_COOKIE]
    for url in ("/", f"/drafts/{draft['id']}", f"/drafts/{draft['id']}/print"):
        answers.append(world.page("responsible", "GET", url))
        # a token sent as the page's cookie opens nothing
        answers.append(client.get(url, headers={"Cookie": f"{SESSION_COOKIE}="
                                                          f"{world.tokens['revoked']}"}))
    answers.append(world.page("responsible", "POST", f"/drafts/{draft['id']}/signoff",
                              data={"csrf": world.csrf("responsible"), "report_id": "1",
                                    "decision": "approve"}))
    answers.append(world.page("responsible", "POST", "/logout",
                              data={"csrf": world.csrf("responsible")}))
    # and every GET of the API, as admin (who may read everything)
    for rule in RULES:
        if rule.method == "GET":
            url, kwargs = rule.request(world, "own", "admin")
            answers.append(call("admin", "GET", url, **kwargs))
    return answers


def test_tokens_are_never_returned_logged_or_stored(client, app, caplog, capfd):
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    world = full_world(client, app)
    answers = _a_full_workflow(client, world)
    secrets = _secrets(world.tokens)
    assert len(secrets) >= 2 * 7
    secrets["password"] = PASSWORD
    for who, cookie in world.sessions.items():
        secrets[f"{who} session"] = cookie
        secrets[f"{who} session hash"] = hashlib.sha256(cookie.encode()).hexdigest()

    for response in answers:
        for what, value in secrets.items():
            assert value not in response.text, (what, response.request.url)
        # the cookie set by /login is the session's one showing
        assert all(value not in header for what, value in secrets.items()
                   for name, header in response.headers.items() if name != "set-cookie")
    listed = world.call("admin", "GET", "/api/tokens", params={"limit": 200}).json()["items"]
    assert listed and all("token" not in item and "token_hash" not in item for item in listed)

    captured = capfd.readouterr()
    logs = caplog.text + captured.out + captured.err
    assert caplog.records  # the capture works: the service did log something
    for what, value in secrets.items():
        assert value not in logs, what

    database = Path(app.state.engine.url.database)
    stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    for who, raw in world.tokens.items():
        assert raw.encode() not in stored, who  # only the hash is kept
    for who, cookie in world.sessions.items():
        assert cookie.encode() not in stored, who
    assert PASSWORD.encode() not in stored
    with app.state.engine.connect() as conn:
        rows = conn.exec_driver_sql("select actor, action, subject, details from svc_audit")
        audit_text = "\n".join(" ".join(map(str, row)) for row in rows)
    assert "token.create" in audit_text and "token.revoke" in audit_text
    for what, value in secrets.items():
        assert value not in audit_text, what
    assert hashlib.sha256(b"").hexdigest() not in audit_text
