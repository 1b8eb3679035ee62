"""Pictures checked in worker processes: the same findings as in one process, identical pictures
checked once, and a worker that dies or hangs costs its own picture only (fail closed)."""

from __future__ import annotations

import dataclasses
import os
import signal
import threading
import time

import pytest
from PIL import Image, ImageDraw, ImageFont

from screener.images.bank import AssetBank
from screener.images.config import assets_url, image_config
from screener.images.picture import PictureTask
from screener.images.pool import InProcess, PicturePool
from screener.model import Draft
from screener.stages.images import checker_setup, screen_pictures

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def caption(text: str, path, size=(560, 120)) -> str:
    image = Image.new("RGB", size, (255, 255, 255))
    ImageDraw.Draw(image).text((20, 30), text, font=ImageFont.truetype(CJK_FONT, 40),
                               fill=(0, 0, 0))
    image.save(path)
    return str(path)


def qr(payload: str, path) -> str:
    import qrcode

    qrcode.make(payload, box_size=8, border=4).get_image().convert("RGB").save(path)
    return str(path)


@pytest.fixture(scope="module")
def pictures(tmp_path_factory, photos, resources):
    """A bank asset pasted into a picture, a caption with a lexicon term, a QR code to a shop,
    a photo without text; the asset registered in the module's bank."""
    folder = tmp_path_factory.mktemp("pool-pictures")
    photos["china"].save(folder / "asset.png")
    AssetBank(assets_url(resources.settings), image_config(resources.settings)).add(
        folder / "asset.png", kind="copyright", title="Temple", owner="Agency")
    photos["china"].crop((40, 30, 600, 400)).save(folder / "pasted.jpg", quality=60)
    photos["flower"].save(folder / "flower.jpg", quality=90)
    return [str(folder / "pasted.jpg"), caption("扫码购买优惠课程", folder / "caption.png"),
            qr("https://shop.example.com/buy", folder / "qr.png"), str(folder / "flower.jpg")]


@pytest.fixture(scope="module")
def pool():
    pool = PicturePool(2)
    yield pool
    pool.close()


def _dicts(findings):
    return [f.to_dict(explain=True) for f in findings]


def test_the_pool_finds_what_one_process_finds(resources, pictures, pool):
    draft = Draft(title="t", body="b", images=tuple(pictures))
    serial = screen_pictures(draft, resources, runner=InProcess(1))
    pooled = screen_pictures(draft, resources, runner=pool)
    assert _dicts(pooled) == _dicts(serial)
    assert {f.category for f in pooled} == {"copyright", "commercial"}
    assert {f.field for f in pooled} == {"image:0", "image:1", "image:2"}


class Counting:
    """A runner that records what it was asked to check."""

    def __init__(self, runner) -> None:
        self.runner, self.tasks = runner, []

    def run(self, setup, tasks):
        self.tasks.extend(tasks)
        return self.runner.run(setup, tasks)


def test_identical_pictures_in_a_draft_are_checked_once(resources, pictures, pool, tmp_path):
    copy = tmp_path / "same-caption.png"
    copy.write_bytes(open(pictures[1], "rb").read())
    counting = Counting(pool)
    draft = Draft(title="t", body="b", images=(pictures[1], str(copy), pictures[3], pictures[1]))
    findings = screen_pictures(draft, resources, runner=counting)
    assert len(counting.tasks) == 2  # the caption (three times) and the flower
    hits = [f for f in findings if f.term == "扫码购买"]
    assert [f.field for f in hits] == ["image:0", "image:1", "image:3"]
    assert [f.location.image for f in hits] == [0, 1, 3]
    assert "图片2第1行文字" in hits[1].explanation


def _busy_worker(pool: PicturePool, timeout: float = 60.0) -> tuple[int, str]:
    """(pid, picture key) of a worker holding a picture."""
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        for pid, key in pool.workers():
            if key is not None:
                return pid, key
        time.sleep(0.005)
    raise AssertionError("no worker took a picture")


def _screen_in_thread(resources, draft, pool):
    out: dict = {}
    thread = threading.Thread(
        target=lambda: out.setdefault("findings", screen_pictures(draft, resources, runner=pool)))
    thread.start()
    return thread, out


def _stopped_worker(pool: PicturePool, resources, pictures) -> int:
    """Warm the pool up, then stop one of its workers (SIGSTOP): it will take a picture and
    never finish it."""
    screen_pictures(Draft(title="t", body="b", images=tuple(pictures[:2])), resources,
                    runner=pool)
    pid = pool.workers()[0][0]
    os.kill(pid, signal.SIGSTOP)
    return pid


def test_a_worker_killed_mid_draft_costs_only_its_picture(resources, pictures, pool):
    stopped = _stopped_worker(pool, resources, pictures)
    draft = Draft(title="t", body="b", images=tuple(pictures))
    thread, out = _screen_in_thread(resources, draft, pool)
    pid, _ = _busy_worker(pool)
    while pid != stopped:  # the other worker may be first; the stopped one takes one too
        pid, _ = _busy_worker(pool)
    os.kill(stopped, signal.SIGKILL)
    thread.join(timeout=120)
    assert not thread.is_alive()
    findings = out["findings"]
    errors = [f for f in findings if f.category == "stage_error"]
    assert len(errors) == 1 and "stopped" in errors[0].explanation
    lost = int(errors[0].field.split(":")[1])
    # Every other picture was checked as usual.
    expected = {0: "copyright", 1: "commercial", 2: "commercial"}
    for number, category in expected.items():
        if number != lost:
            assert any(f.field == f"image:{number}" and f.category == category
                       for f in findings), number
    # The pool replaced the worker and goes on.
    again = screen_pictures(draft, resources, runner=pool)
    assert not [f for f in again if f.category == "stage_error"]
    assert stopped not in [pid for pid, _ in pool.workers()]


def test_a_picture_that_never_finishes_is_given_up(resources, pictures, pool):
    stopped = _stopped_worker(pool, resources, pictures)
    setup = checker_setup(resources.settings)
    setup = dataclasses.replace(setup, config=dataclasses.replace(setup.config, task_seconds=2.0))

    tasks = [PictureTask(f"k{n}", path, path) for n, path in enumerate(pictures)]
    began = time.monotonic()
    results = pool.run(setup, tasks)
    assert time.monotonic() - began < 60
    given_up = [r for r in results if r.problem]
    assert len(given_up) == 1 and "longer than 2 s" in given_up[0].problem
    assert all(r.frames for r in results if not r.problem)
    assert stopped not in [pid for pid, _ in pool.workers()]
