"""A full disk and a read-only state folder: one clear line saying what could not be written and
where, a non-zero exit from the command line, 503 with a JSON error from the service, nothing
half-written, and the service working again once there is room.

A full disk is simulated with RLIMIT_FSIZE (set on the child, or on the running server with
prlimit; SIGXFSZ ignored so that writes fail with EFBIG instead of killing the process). A
read-only folder is chmod a-w; as root, whom chmod does not stop, the child runs as ``nobody``.
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import signal
import stat
from pathlib import Path

import httpx
import pytest

from .live import Server, audit_verify, check_service_tables, registry, run


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()


def _one_clear_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    return lines[0]


def _full_disk(limit: int):
    def limit_writes() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    return limit_writes


def _ignore_sigxfsz() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def test_lexicon_change_on_a_full_disk(home):
    seeded = run(home, "lexicon", "add", "测试违禁甲", "-c", "illegal", "--reason", "seed")
    assert seeded.returncode == 0, seeded.stderr
    full = run(home, "lexicon", "add", "测试违禁乙", "-c", "illegal", "--reason", "full",
               preexec_fn=_full_disk(0))
    assert full.returncode != 0
    line = _one_clear_line(full.stderr)
    assert "screener.db" in line and ("无法写入" in line or "无法打开" in line), line
    assert "磁盘已满" in line, line
    room = run(home, "lexicon", "add", "测试违禁乙", "-c", "illegal", "--reason", "room")
    assert room.returncode == 0, room.stderr  # nothing half-written stands in the way


@pytest.mark.skipif(not hasattr(resource, "prlimit"), reason="needs Linux prlimit")
def test_service_answers_503_while_the_disk_is_full(home):
    server = Server(home, preexec_fn=_ignore_sigxfsz)
    try:
        world = registry(server)
        with server.client(world["operator"]) as c:
            assert c.post("/api/drafts", json={"account_id": world["account"], "title": "甲",
                                               "body": "讲座。"}).status_code == 201
            no_limit = (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
            resource.prlimit(server.process.pid, resource.RLIMIT_FSIZE,
                             (0, resource.RLIM_INFINITY))
            try:
                refused = c.post("/api/drafts", json={"account_id": world["account"],
                                                      "title": "乙", "body": "讲座。"})
                picture = c.post("/api/drafts", data={"account_id": str(world["account"]),
                                                      "title": "丙", "body": "讲座。"},
                                 files={"images": ("a.png", PNG, "image/png")})
                alive = c.get("/healthz")
            finally:
                resource.prlimit(server.process.pid, resource.RLIMIT_FSIZE, no_limit)
            for response in (refused, picture):
                assert response.status_code == 503, response.text
                error = response.json()["error"]
                assert error["code"] == "unavailable" and "cannot write" in error["message"]
                assert "\n" not in error["message"]
            # which file failed is in the server's log; a client learns no server path
            assert str(home) not in refused.text and str(home) not in picture.text
            assert alive.status_code == 200  # reading still works
            again = c.post("/api/drafts", json={"account_id": world["account"], "title": "乙",
                                                "body": "讲座。"})
            assert again.status_code == 201, again.text
    finally:
        server.stop()
    assert check_service_tables(home)["drafts"] == 2
    assert audit_verify(home).returncode == 0


def _without_root_override() -> tuple[str, ...]:
    """A command prefix under which chmod binds: as root, drop the capabilities that let root
    write anywhere (setpriv, util-linux); nothing for other users."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: chmod cannot make a folder read-only")
    return ("setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--")


def _read_only(home: Path) -> None:
    for path in [home, *home.rglob("*")]:
        if not path.is_symlink():
            path.chmod(stat.S_IMODE(path.stat().st_mode) & ~0o222)


def _writable(home: Path) -> None:
    for path in [home, *home.rglob("*")]:
        if not path.is_symlink():
            path.chmod(stat.S_IMODE(path.stat().st_mode) | 0o200)


def test_read_only_state_folder(home):
    owner = _without_root_override()
    try:
        _read_only_checks(home, owner)
    finally:
        _writable(home)  # so that pytest can clean up


def _read_only_checks(home, owner):
    seeded = run(home, "lexicon", "add", "测试违禁甲", "-c", "illegal", "--reason", "seed",
                 prefix=owner)
    assert seeded.returncode == 0, seeded.stderr
    initialised = run(home, "init", module="screener_service.cli", prefix=owner)
    assert initialised.returncode == 0, initialised.stderr
    _read_only(home)

    change = run(home, "lexicon", "add", "测试违禁乙", "-c", "illegal", "--reason", "ro",
                 prefix=owner)
    assert change.returncode != 0
    line = _one_clear_line(change.stderr)
    assert "screener.db" in line and "只读" in line, line

    unit = run(home, "accounts", "add-unit", "力学系", module="screener_service.cli",
               prefix=owner)
    assert unit.returncode != 0
    line = _one_clear_line(unit.stderr)
    assert "screener.db" in line and "只读" in line, line


def test_service_answers_503_when_its_upload_folder_is_read_only(home):
    owner = _without_root_override()
    server = Server(home, prefix=owner)
    try:
        world = registry(server)
        uploads = home / "uploads"
        uploads.mkdir(exist_ok=True)
        uploads.chmod(0o555)
        with server.client(world["operator"]) as c:
            response = c.post("/api/drafts", data={"account_id": str(world["account"]),
                                                   "title": "丙", "body": "讲座。"},
                              files={"images": ("a.png", PNG, "image/png")})
            assert response.status_code == 503, response.text
            message = response.json()["error"]["message"]
            assert str(home) not in message and "\n" not in message
            uploads.chmod(0o755)
            response = c.post("/api/drafts", data={"account_id": str(world["account"]),
                                                   "title": "丙", "body": "讲座。"},
                              files={"images": ("a.png", PNG, "image/png")})
            assert response.status_code == 201, response.text
    except httpx.HTTPError:
        raise AssertionError(server.err.text[-3000:]) from None
    finally:
        server.stop()
