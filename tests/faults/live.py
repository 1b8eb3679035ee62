"""A real ``screener serve`` (and other screener commands) as child processes, for the fault
tests: started on a free loopback port, killed with SIGKILL, restarted on the same state folder,
and the database inspected afterwards with plain sqlite3 (not through the code under test)."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

PAUSED = Path(__file__).with_name("paused.py")  # runs a command that stops at a checkpoint


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command_env(home: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "SCREENER_HOME": str(home), **extra}
    env.pop("SCREENER_DATABASE_URL", None)
    return env


def command(module: str, pause: str | None) -> list[str]:
    """``python -m module``, or through the test entry point that stops at ``pause``."""
    return [sys.executable, str(PAUSED), pause, module] if pause else [sys.executable, "-m",
                                                                       module]


def screener(home: Path, *args: str, pause: str | None = None, module: str = "screener.cli",
             **popen) -> subprocess.Popen:
    return subprocess.Popen([*command(module, pause), *args],
                            env=command_env(home), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, **popen)


def run(home: Path, *args: str, module: str = "screener.cli", timeout: float = 300,
        prefix: tuple[str, ...] = (), **popen) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", module, *args], env=command_env(home),
                          capture_output=True, text=True, timeout=timeout, **popen)


def audit_verify(home: Path) -> subprocess.CompletedProcess:
    return run(home, "audit", "verify", module="screener_service.cli")


class Lines:
    """Collects a pipe's lines in a thread, so the child never blocks on a full pipe."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self._cond = threading.Condition()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream) -> None:
        for line in stream:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()

    def wait_for(self, text: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines:
                    if text in line:
                        return line
                left = deadline - time.monotonic()
                assert left > 0, f"{text!r} never appeared in:\n" + "\n".join(self.lines[-30:])
                self._cond.wait(left)

    @property
    def text(self) -> str:
        with self._cond:
            return "\n".join(self.lines)


def wait_paused(process: subprocess.Popen, errors: Lines, point: str, timeout: float = 120):
    """Wait until the child reports it stopped at ``point`` (it then waits to be killed)."""
    deadline = time.monotonic() + timeout
    while f"paused at {point}" not in errors.text:
        assert process.poll() is None, f"exited {process.returncode}:\n{errors.text[-3000:]}"
        assert time.monotonic() < deadline, f"never paused at {point}:\n{errors.text[-3000:]}"
        time.sleep(0.02)


def kill9(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def kill9_unless_done(process: subprocess.Popen) -> bool:
    """kill -9 unless the process has ended by itself meanwhile (it may, between a look and the
    kill); True when the kill landed."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)
    return process.returncode == -signal.SIGKILL


class Server:
    """``screener serve`` on 127.0.0.1; the admin token comes from its first start. Pictures
    are screened within the request unless ``picture_workers`` is given."""

    def __init__(self, home: Path, *, pause: str | None = None, preexec_fn=None,
                 prefix: tuple[str, ...] = (), picture_workers: int = 0,
                 **env: str) -> None:
        self.home = home
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [*prefix, *command("screener_service.cli", pause), "serve", "--host", "127.0.0.1",
             "--port", str(self.port)],
            env=command_env(home, SCREENER_SERVICE__PICTURE_WORKERS=str(picture_workers), **env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=preexec_fn)
        self.out = Lines(self.process.stdout)
        self.err = Lines(self.process.stderr)
        self.admin: str | None = None
        deadline = time.monotonic() + 180
        while True:
            assert self.process.poll() is None, f"serve exited:\n{self.err.text[-3000:]}"
            assert time.monotonic() < deadline, f"serve did not start:\n{self.err.text[-3000:]}"
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        tokens = [line for line in self.out.lines if line.startswith("scr_")]
        self.admin = tokens[0] if tokens else None

    def client(self, token: str, timeout: float = 120) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {token}"},
                            timeout=timeout)

    def kill9(self) -> None:
        kill9(self.process)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9()


def post_killed_at(server: Server, token: str, url: str, body: dict, point: str):
    """POST ``body`` from another thread, kill -9 the server once it pauses at ``point`` (inside
    the write transaction) and return what the client got: an answer, or the transport error."""
    outcome: list = []

    def post() -> None:
        try:
            with server.client(token) as c:
                outcome.append(c.post(url, json=body))
        except httpx.HTTPError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=post)
    thread.start()
    wait_paused(server.process, server.err, point)
    server.kill9()
    thread.join(timeout=60)
    return outcome[0]


def registry(server: Server) -> dict:
    """One unit, an operator and a 具体负责人 on one account, and their tokens."""
    with server.client(server.admin) as c:
        def post(url, payload):
            response = c.post(url, json=payload)
            assert response.status_code in (200, 201), response.text
            return response.json()

        unit = post("/api/units", {"name": "力学与工程科学系"})["id"]
        person = {"kind": "staff", "unit_id": unit}
        operator = post("/api/people", {**person, "name": "张同学", "kind": "student"})["id"]
        responsible = post("/api/people", {**person, "name": "李老师"})["id"]
        account = post("/api/accounts", {"platform": "wechat", "name": "力学系学生会",
                                         "unit_id": unit, "opened_on": "2019-09-01"})["id"]
        post(f"/api/accounts/{account}/roles", {"person_id": operator, "role": "operator"})
        post(f"/api/accounts/{account}/roles", {"person_id": responsible, "role": "responsible"})
        return {"account": account,
                "operator": post("/api/tokens", {"role": "operator",
                                                 "person_id": operator})["token"],
                "responsible": post("/api/tokens", {"role": "responsible",
                                                    "person_id": responsible})["token"]}


def db(home: Path) -> sqlite3.Connection:
    """The state folder's database, read by sqlite3 itself (after a kill: as recovered)."""
    return sqlite3.connect(home / "screener.db", timeout=30)


def check_service_tables(home: Path) -> dict[str, int]:
    """Every draft has exactly one report per revision and points at the newest; every report
    and sign-off belongs to an existing draft; the audit log has one row per action."""
    with db(home) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert conn.execute("pragma foreign_key_check").fetchall() == []
        drafts = conn.execute("select id, revision, report_id, status from svc_drafts").fetchall()
        for draft_id, revision, report_id, _status in drafts:
            per_revision = dict(conn.execute(
                "select revision, count(*) from svc_reports where draft_id = ? group by revision",
                (draft_id,)).fetchall())
            assert per_revision == {r: 1 for r in range(1, revision + 1)}, (draft_id,
                                                                            per_revision)
            newest = conn.execute("select max(id) from svc_reports where draft_id = ?",
                                  (draft_id,)).fetchone()[0]
            assert report_id == newest, (draft_id, report_id, newest)
        orphans = conn.execute("select count(*) from svc_reports r left join svc_drafts d "
                               "on d.id = r.draft_id where d.id is null").fetchone()[0]
        assert orphans == 0
        for decision, status in (("approve", "approved"), ("changes", "changes_requested"),
                                 ("reject", "rejected")):
            # a sign-off and the status it sets are one act
            unsigned = conn.execute(
                "select count(*) from svc_drafts d where d.status = ? and not exists (select 1 "
                "from svc_signoffs s where s.draft_id = d.id and s.decision = ?)",
                (status, decision)).fetchone()[0]
            assert unsigned == 0, status
        actions = dict(conn.execute("select action, count(*) from svc_audit group by action")
                       .fetchall())
        counts = {
            "drafts": len(drafts),
            "reports": conn.execute("select count(*) from svc_reports").fetchone()[0],
            "signoffs": conn.execute("select count(*) from svc_signoffs").fetchone()[0],
        }
        assert actions.get("draft.submit", 0) == counts["drafts"]
        assert actions.get("draft.screen", 0) == counts["reports"]
        signed = sum(actions.get(f"draft.{d}", 0) for d in ("approve", "changes", "reject"))
        assert signed == counts["signoffs"]
    return counts
