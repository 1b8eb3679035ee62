"""kill -9 of a live ``screener serve`` while submissions are in flight, and while one is inside
its write transaction: afterwards every stored draft has its one report, every submission that
was answered 201 is stored, the audit chain verifies, and the restarted server takes the same
submissions again."""

from __future__ import annotations

import threading
import time

import httpx

from .live import (
    Server,
    audit_verify,
    check_service_tables,
    db,
    post_killed_at,
    registry,
)


def _submitter(server: Server, token: str, account: int, prefix: str, accepted: list,
               failed: list, stop: threading.Event) -> None:
    with server.client(token, timeout=30) as c:
        n = 0
        while not stop.is_set():
            title = f"{prefix}-{n}"
            n += 1
            try:
                response = c.post("/api/drafts", json={"account_id": account, "title": title,
                                                       "body": "欢迎参加力学前沿讲座。"})
            except httpx.HTTPError:
                failed.append(title)
                return  # the server is gone
            if response.status_code == 201:
                accepted.append((response.json()["id"], title))
            else:
                failed.append((title, response.status_code, response.text))


def test_kill_9_while_submissions_are_in_flight(home):
    server = Server(home)
    try:
        world = registry(server)
        accepted: list = []
        failed: list = []
        stop = threading.Event()
        threads = [threading.Thread(target=_submitter, args=(
            server, world["operator"], world["account"], f"t{k}", accepted, failed, stop))
            for k in range(4)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 120
        while len(accepted) < 12:
            assert time.monotonic() < deadline and not failed, failed
            time.sleep(0.01)
        server.kill9()  # four requests are somewhere between parse, screen and commit
        stop.set()
        for t in threads:
            t.join(timeout=60)
    finally:
        server.stop()
    assert all(isinstance(f, str) for f in failed), failed  # only cut connections, no errors

    counts = check_service_tables(home)
    with db(home) as conn:
        stored = dict(conn.execute("select id, title from svc_drafts").fetchall())
    for draft_id, title in accepted:  # nothing answered 201 was lost
        assert stored.get(draft_id) == title
    # a cut request either committed whole (draft, report, audit) or left nothing
    assert len(stored) - len(accepted) <= len(failed)
    assert counts["reports"] == counts["drafts"] == len(stored)
    verified = audit_verify(home)
    assert verified.returncode == 0 and "审计日志完好：" in verified.stdout, verified.stderr

    again = Server(home)  # restarting on the same folder works and takes the lost ones again
    try:
        with again.client(world["operator"]) as c:
            for title in [f for f in failed if f not in stored.values()]:
                response = c.post("/api/drafts", json={"account_id": world["account"],
                                                       "title": title, "body": "讲座。"})
                assert response.status_code == 201, response.text
    finally:
        again.stop()
    counts = check_service_tables(home)
    with db(home) as conn:
        titles = [t for (t,) in conn.execute("select title from svc_drafts")]
    assert len(titles) == len(set(titles))  # nothing stored twice
    assert audit_verify(home).returncode == 0


def test_kill_9_inside_the_submission_transaction(home):
    server = Server(home, pause="submit.write")
    try:
        world = registry(server)
        with db(home) as conn:
            audit_before = conn.execute("select count(*) from svc_audit").fetchone()[0]
        # the draft row and its audit row are written, its report is not yet
        outcome = post_killed_at(server, world["operator"], "/api/drafts", {
            "account_id": world["account"], "title": "半途", "body": "讲座通知。"}, "submit.write")
    finally:
        server.stop()
    assert isinstance(outcome, httpx.HTTPError)  # the client saw no answer

    with db(home) as conn:
        assert conn.execute("select count(*) from svc_drafts").fetchone()[0] == 0
        assert conn.execute("select count(*) from svc_reports").fetchone()[0] == 0
        assert conn.execute("select count(*) from svc_audit").fetchone()[0] == audit_before
    check_service_tables(home)
    assert audit_verify(home).returncode == 0

    again = Server(home)
    try:
        with again.client(world["operator"]) as c:
            response = c.post("/api/drafts", json={"account_id": world["account"],
                                                   "title": "半途", "body": "讲座通知。"})
            assert response.status_code == 201, response.text
    finally:
        again.stop()
    assert check_service_tables(home)["drafts"] == 1
    assert audit_verify(home).returncode == 0
