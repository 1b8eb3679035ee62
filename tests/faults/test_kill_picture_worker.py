"""kill -9 of a picture worker of a live ``screener serve`` in the middle of a draft's pictures,
and of the whole server: the job is taken up again (by the replacement worker, or after the
restart) and ends with exactly one complete report for the revision; the audit chain verifies.
"""

from __future__ import annotations

import json
import os
import signal
import time

from tests.fixtures.images import image_bytes, sample_photos
from tests.service.test_picture_jobs import NEWS, poster

from .live import Server, audit_verify, db, registry

LEASE = "4"  # seconds: a server killed outright leaves jobs that are free again this soon


def _pictures() -> list[tuple[str, tuple[str, bytes, str]]]:
    """Six different pictures that carry text (each read by OCR), and a photograph."""
    lines = NEWS["body"].split("\n")
    texts = [f"第{n + 1}页\n" + "\n".join(lines[n % len(lines):] + lines[:n % len(lines)])
             for n in range(6)]
    files = [poster(text) for text in texts] + [image_bytes(sample_photos()["flower"])]
    return [("images", (f"{n}.png", data, "image/png")) for n, data in enumerate(files)]


def _submit(server: Server, world: dict) -> dict:
    with server.client(world["operator"]) as c:
        began = time.monotonic()
        response = c.post("/api/drafts", files=_pictures(),
                          data={"account_id": str(world["account"]), "title": "学院简讯",
                                "body": "本周学院举办了多场学术活动，欢迎大家关注。"})
        answered = time.monotonic() - began
    assert response.status_code == 201, response.text
    draft = response.json()
    assert draft["picture_screening"]["total"] == 7 and not draft["picture_screening"]["complete"]
    assert answered < 30, answered
    return draft


def _job(home, draft_id: int):
    with db(home) as conn:
        return conn.execute("select status, done, total, worker, attempts from "
                            "svc_picture_jobs where draft_id = ? order by id desc",
                            (draft_id,)).fetchone()


def _wait_mid_job(server: Server, draft_id: int, attempt: int = 1,
                  timeout: float = 600) -> str:
    """The worker that has checked some of the pictures but not all, at ``attempt``; as the
    API shows it."""
    deadline = time.monotonic() + timeout
    while True:
        status, done, total, worker, attempts = _job(server.home, draft_id)
        if status == "running" and 1 <= done < total and attempts == attempt:
            with server.client(server.admin) as c:
                shown = c.get(f"/api/drafts/{draft_id}").json()["picture_screening"]
            assert shown["status"] == "running" and 1 <= shown["done"] <= total, shown
            return worker
        assert status in ("queued", "running"), (status, done, total)
        assert time.monotonic() < deadline, "the pictures were never half done"
        time.sleep(0.05)


def _wait_complete(server: Server, draft_id: int, timeout: float = 900) -> dict:
    deadline = time.monotonic() + timeout
    with server.client(server.admin) as c:
        while True:
            draft = c.get(f"/api/drafts/{draft_id}").json()
            if draft["picture_screening"]["complete"]:
                return draft
            assert time.monotonic() < deadline, draft["picture_screening"]
            time.sleep(0.2)


def _once(home, draft_id: int, draft: dict) -> None:
    """One text report and one complete report for revision 1; the draft points at the
    complete one, which has every picture checked and the major news on the pictures."""
    with db(home) as conn:
        rows = conn.execute("select id from svc_reports where draft_id = ? and revision = 1",
                            (draft_id,)).fetchall()
        screened = conn.execute("select count(*) from svc_audit where action = 'draft.screen' "
                                "and subject = ?", (f"draft:{draft_id}",)).fetchone()[0]
    assert len(rows) == 2 and screened == 2
    assert draft["report"]["id"] == rows[-1][0]
    fields = {f["field"] for f in draft["report"]["findings"]}
    assert {f"image:{n}" for n in range(6)} <= fields, fields
    assert draft["route"] == "dean" and draft["picture_screening"]["status"] == "done"


def test_kill_9_of_a_worker_mid_draft(home):
    server = Server(home, picture_workers=1,
                    SCREENER_SERVICE__PICTURE_LEASE_SECONDS="600")  # no lease expiry here
    try:
        world = registry(server)
        draft = _submit(server, world)
        worker = _wait_mid_job(server, draft["id"])
        os.kill(int(worker.rsplit(":", 1)[1]), signal.SIGKILL)
        done = _wait_complete(server, draft["id"])
        _once(home, draft["id"], done)
        *_, last_worker, attempts = _job(home, draft["id"])
        assert attempts == 2 and last_worker != worker
        with db(home) as conn:
            released = conn.execute("select actor, details from svc_audit where action = "
                                    "'picture_job.release'").fetchall()
        assert len(released) == 1 and worker in released[0][1]
    finally:
        server.stop()
    assert audit_verify(home).returncode == 0


def test_kill_9_of_the_whole_server_mid_draft(home):
    server = Server(home, picture_workers=1, SCREENER_SERVICE__PICTURE_LEASE_SECONDS=LEASE)
    try:
        world = registry(server)
        draft = _submit(server, world)
        _wait_mid_job(server, draft["id"])
    finally:
        server.kill9()  # the server and its workers, at once
    status, done, total, _, _ = _job(home, draft["id"])
    assert status == "running" and done < total  # as the kill left it
    admin = server.admin
    server = Server(home, picture_workers=1, SCREENER_SERVICE__PICTURE_LEASE_SECONDS=LEASE)
    server.admin = admin  # shown once, at the first start
    try:
        finished = _wait_complete(server, draft["id"])
        _once(home, draft["id"], finished)
        assert _job(home, draft["id"])[-1] == 2
    finally:
        server.stop()
    assert audit_verify(home).returncode == 0


def test_pictures_that_keep_killing_workers_end_as_findings_for_review(home):
    """Workers killed on the same draft again and again (as a picture that crashes the OCR
    would): the first attempt in the worker, the second with each picture in a child process
    of its own, then no more tries: every picture not checked is a stage_error finding and the
    report is complete; the draft waits for a person, nothing hangs."""
    server = Server(home, picture_workers=1, SCREENER_SERVICE__PICTURE_ATTEMPTS="2",
                    SCREENER_SERVICE__PICTURE_LEASE_SECONDS="600")
    try:
        world = registry(server)
        draft = _submit(server, world)
        for attempt in (1, 2):
            worker = _wait_mid_job(server, draft["id"], attempt)
            os.kill(int(worker.rsplit(":", 1)[1]), signal.SIGKILL)
        done = _wait_complete(server, draft["id"])
        errors = [f for f in done["report"]["findings"] if f["category"] == "stage_error"]
        assert [f["field"] for f in errors] == [f"image:{n}" for n in range(7)]
        assert all("多次中断" in f["explanation"] for f in errors), errors[0]
        assert "/uploads/" not in json.dumps(done["report"], ensure_ascii=False)
        assert done["verdict"] in ("review", "block") and done["picture_screening"]["complete"]
        assert _job(home, draft["id"])[-1] == 3
    finally:
        server.stop()
    assert audit_verify(home).returncode == 0
