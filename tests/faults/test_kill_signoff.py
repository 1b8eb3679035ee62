"""kill -9 of the server while a sign-off is inside its write transaction (the sign-off row is
written, the draft's status and the audit row are not yet): afterwards there is no half-written
sign-off, the draft still waits, the audit chain verifies, and signing again after the restart
works once."""

from __future__ import annotations

import httpx

from .live import (
    Server,
    audit_verify,
    check_service_tables,
    db,
    post_killed_at,
    registry,
)


def test_kill_9_inside_a_signoff(home):
    server = Server(home, pause="signoff.write")
    try:
        world = registry(server)
        with server.client(world["operator"]) as c:
            draft = c.post("/api/drafts", json={"account_id": world["account"],
                                                "title": "讲座通知", "body": "欢迎参加讲座。"})
            assert draft.status_code == 201, draft.text
            draft = draft.json()
        with db(home) as conn:
            audit_before = conn.execute("select count(*) from svc_audit").fetchone()[0]
        signoff = {"decision": "approve", "report_id": draft["report"]["id"], "comment": "可以"}
        outcome = post_killed_at(server, world["responsible"],
                                 f"/api/drafts/{draft['id']}/signoff", signoff, "signoff.write")
    finally:
        server.stop()
    assert isinstance(outcome, httpx.HTTPError)

    with db(home) as conn:
        assert conn.execute("select count(*) from svc_signoffs").fetchone()[0] == 0
        assert conn.execute("select status from svc_drafts").fetchone()[0] == "pending"
        assert conn.execute("select count(*) from svc_audit").fetchone()[0] == audit_before
    check_service_tables(home)
    assert audit_verify(home).returncode == 0

    again = Server(home)
    try:
        with again.client(world["responsible"]) as c:
            response = c.post(f"/api/drafts/{draft['id']}/signoff", json=signoff)
            assert response.status_code == 200, response.text
            assert response.json()["status"] == "approved"
            twice = c.post(f"/api/drafts/{draft['id']}/signoff", json=signoff)
            assert twice.status_code == 409  # signed once, not twice
    finally:
        again.stop()
    assert check_service_tables(home)["signoffs"] == 1
    verified = audit_verify(home)
    assert verified.returncode == 0, verified.stderr
