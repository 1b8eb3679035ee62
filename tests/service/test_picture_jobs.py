"""The picture stage in the background: a submission is answered with its text findings, its
pictures are screened by a worker (here: the worker's own function, in this process), and
nothing is signed off or published on an incomplete report; a result for an older revision or
from a worker that lost its job is thrown away; a draft whose pictures keep killing workers
ends with stage_error findings. Killing real workers: tests/faults/test_kill_picture_worker.py.
"""

from __future__ import annotations

import json
import textwrap
import time

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw, ImageFont
from screener_service import create_app
from screener_service.db import audit_log, picture_jobs, read, reports
from screener_service.picture_workers import Lease, screen_job, work_once
from screener_service.usecases import picture_jobs as jobs
from screener_service.usecases.drafts import complete_pictures
from sqlalchemy import func, select

from screener.images.pool import InProcess
from screener.settings import REPO_ROOT
from tests.fixtures.images import image_bytes, sample_photos
from tests.fixtures.service import build_world

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
NEWS = json.loads((REPO_ROOT / "data/samples/flagged/major_news_obituary.json")
                  .read_text(encoding="utf-8"))
CLEAN = "本周学院举办了多场学术活动，欢迎大家关注。"


def poster(text: str) -> bytes:
    """The text typeset on a picture, as an operator's scanned notice would carry it."""
    lines = [piece for paragraph in text.split("\n") if paragraph.strip()
             for piece in textwrap.wrap(paragraph, 18)]
    image = Image.new("RGB", (760, 60 + 56 * len(lines)), (255, 252, 245))
    draw, font = ImageDraw.Draw(image), ImageFont.truetype(CJK_FONT, 36)
    for number, line in enumerate(lines):
        draw.text((30, 30 + 56 * number), line, font=font, fill=(20, 20, 20))
    return image_bytes(image)


@pytest.fixture
def background(service_config, service_screener):
    """An app whose submissions queue their pictures for the workers."""
    config = service_config.model_copy(update={"picture_workers": 1, "picture_attempts": 2})
    app = create_app(screener=service_screener, config=config)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield build_world(client, app)


@pytest.fixture(scope="module")
def runner():
    return InProcess(threads=1)


def services(world):
    return world.client.app.state.services


def actions(world, draft_id: int) -> list[str]:
    with read(services(world).engine) as conn:
        return list(conn.execute(select(audit_log.c.action).where(
            audit_log.c.subject == f"draft:{draft_id}").order_by(audit_log.c.id)).scalars())


def submit_news(world) -> dict:
    """A clean text with two pictures: a flower, and the obituary typeset (第十三条)."""
    return world.submit(title="学院简讯", body=CLEAN,
                        pictures=(image_bytes(sample_photos()["flower"]), poster(NEWS["body"])))


def test_the_answer_has_the_text_findings_and_the_pictures_follow(background, runner):
    world = background
    draft = submit_news(world)
    # answered at once: the text is screened, the pictures are queued
    assert draft["picture_screening"] == {
        "complete": False, "status": "queued", "stage": "queued", "stage_label": "排队等待检查",
        "done": 0, "total": 2, "attempts": 0}
    assert not [f for f in draft["report"]["findings"] if f["field"].startswith("image:")]
    assert draft["route"] == "responsible" and draft["verdict"] == "pass"
    # the API and the page show where it is
    shown = world.call("responsible", "GET", f"/api/drafts/{draft['id']}").json()
    assert shown["picture_screening"]["done"] == 0
    page = world.page("responsible", "GET", f"/drafts/{draft['id']}")
    assert 'id="picture-progress"' in page.text and "图片检查进行中" in page.text
    assert "已检查 <b class=\"done\">0</b> / <b class=\"total\">2</b> 张" in page.text
    assert 'id="signoff"' not in page.text and "图片检查尚未完成" in page.text
    # not in anyone's queue until complete; sign-off and publishing are refused
    for who in ("responsible", "admin"):
        queue = world.call(who, "GET", "/api/queue").json()
        assert draft["id"] not in [i["id"] for i in queue["items"]]
    refused = world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
                         json={"decision": "approve", "comment": "",
                               "report_id": draft["report"]["id"]})
    assert refused.status_code == 409, refused.text
    assert "图片检查尚未完成（已检查 0/2 张" in refused.json()["error"]["message_zh"]
    refused = world.call("operator", "POST", f"/api/drafts/{draft['id']}/publish")
    assert refused.status_code == 409 and "暂不能发布" in refused.json()["error"]["message_zh"]

    assert work_once(services(world), runner, "worker-a")
    assert not work_once(services(world), runner, "worker-a")  # the queue is empty

    done = world.call("admin", "GET", f"/api/drafts/{draft['id']}").json()
    assert done["picture_screening"]["complete"] and done["picture_screening"]["done"] == 2
    assert done["report"]["id"] != draft["report"]["id"]
    pictures = [f for f in done["report"]["findings"] if f["field"] == "image:1"]
    assert "major_news" in {f["category"] for f in pictures}, done["report"]["findings"]
    # verdict recomputed over text and pictures; the draft goes to the dean's office (第十三条)
    assert done["route"] == "dean" and done["verdict"] != "pass"
    assert done["id"] in [i["id"] for i in world.call("admin", "GET", "/api/queue")
                          .json()["items"]]
    # every change audited: the progress after each picture and before the report too
    assert actions(world, draft["id"]) == [
        "draft.submit", "draft.screen", "picture_job.queue", "picture_job.start",
        "picture_job.progress", "picture_job.progress", "picture_job.progress",
        "draft.screen", "picture_job.done"]
    page = world.page("admin", "GET", f"/drafts/{draft['id']}")
    assert "图片检查已完成（共 2 张）" in page.text and 'id="signoff"' in page.text
    signed = world.call("admin", "POST", f"/api/drafts/{draft['id']}/signoff",
                        json={"decision": "approve", "comment": "讣告已经学校审定，同意发布",
                              "report_id": done["report"]["id"]})
    assert signed.status_code == 200, signed.text
    published = world.call("operator", "POST", f"/api/drafts/{draft['id']}/publish")
    assert published.status_code == 200, published.text


def test_an_edit_while_the_pictures_run_discards_the_older_result(background, runner):
    world = background
    draft = submit_news(world)
    svc = services(world)
    older = jobs.claim(svc.engine, "worker-a", 60)
    assert older.revision == 1
    edited = world.call("operator", "PUT", f"/api/drafts/{draft['id']}",
                        json={"title": "学院简讯（修改）", "body": CLEAN})
    assert edited.status_code == 200, edited.text
    assert edited.json()["picture_screening"]["total"] == 2
    lease = Lease(svc, older)
    try:
        report = screen_job(svc, older, runner, lease)
    finally:
        lease.stop()
    assert complete_pictures(svc, older, report) is None  # the job was discarded by the edit
    assert work_once(svc, runner, "worker-b")
    done = world.call("admin", "GET", f"/api/drafts/{draft['id']}").json()
    assert done["revision"] == 2 and done["picture_screening"]["complete"]
    with read(svc.engine) as conn:
        stored = conn.execute(select(reports.c.revision, func.count()).where(
            reports.c.draft_id == draft["id"]).group_by(reports.c.revision)).all()
    assert sorted(stored) == [(1, 1), (2, 2)]  # revision 1 kept only its text report
    assert "picture_job.discard" in actions(world, draft["id"])


def test_a_worker_whose_lease_ran_out_stores_nothing(background, runner):
    """Exactly once in effect: the job is taken up again; the first worker's late result is
    refused."""
    world = background
    draft = submit_news(world)
    svc = services(world)
    slow = jobs.claim(svc.engine, "worker-slow", 0.01)
    time.sleep(0.05)
    assert work_once(svc, runner, "worker-fast")
    lease = Lease(svc, slow)
    try:
        late = screen_job(svc, slow, runner, lease)
    finally:
        lease.stop()
    assert complete_pictures(svc, slow, late) is None
    with read(svc.engine) as conn:
        complete = conn.execute(select(func.count()).select_from(reports).where(
            reports.c.draft_id == draft["id"])).scalar_one()
        job = conn.execute(select(picture_jobs).where(picture_jobs.c.draft_id == draft["id"])
                           ).one()
    assert complete == 2 and job.status == "done" and job.attempts == 2
    assert job.worker == "worker-fast"


def test_pictures_that_keep_killing_workers_end_as_findings_for_review(background, runner):
    world = background
    draft = submit_news(world)
    svc = services(world)
    for attempt in (1, 2):  # two workers died on it (their jobs released by the server)
        claim = jobs.claim(svc.engine, f"worker-{attempt}", 60)
        assert claim.attempt == attempt
        assert jobs.release(svc.engine, f"worker-{attempt}", "system:picture-workers") == 1
    assert work_once(svc, runner, "worker-3")
    done = world.call("responsible", "GET", f"/api/drafts/{draft['id']}").json()
    assert done["picture_screening"]["complete"]
    errors = [f for f in done["report"]["findings"] if f["category"] == "stage_error"]
    assert [f["field"] for f in errors] == ["image:0", "image:1"]
    assert all("多次中断" in f["explanation"] and "须由人工查看" in f["explanation"]
               for f in errors)
    assert done["verdict"] == "review"
    assert actions(world, draft["id"]).count("picture_job.release") == 2


def test_a_draft_without_pictures_queues_nothing(background):
    plain = background.submit(title="学院简讯", body=CLEAN)
    assert plain["picture_screening"] is None
    assert plain["id"] in [i["id"] for i in background.call("responsible", "GET", "/api/queue")
                           .json()["items"]]


def test_with_no_workers_the_pictures_are_screened_in_the_request(world):
    at_once = world.submit(title="学院简讯", body=CLEAN, pictures=(poster(NEWS["body"]),))
    assert at_once["picture_screening"] is None
    assert at_once["route"] == "dean"  # the picture's text was read within the request
