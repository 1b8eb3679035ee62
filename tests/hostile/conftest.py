"""The bad-input suite's harness: the real ``screener`` CLI (typer's runner on the real app, so a
test can also watch the process's sockets), the real service on a fresh SQLite state folder with
its default limits, and a guard that fails a test the moment anything tries the network.

Every hostile input is generated on the fly into ``tmp_path``; nothing large is checked in.
"""

from __future__ import annotations

import json
import socket
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from screener.cli import app as cli_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # starlette's note on httpx
    from fastapi.testclient import TestClient

from screener_service import create_app
from screener_service.config import load_service_settings

# The service suite's registry builder (one unit, accounts, a token per role), reused as it is.
from ..service.conftest import build_world  # noqa: E402


@dataclass
class CliOutcome:
    code: int
    stdout: str
    stderr: str

    @property
    def reports(self) -> list[dict]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


@pytest.fixture
def cli(home, monkeypatch):
    """Run ``screener <args>`` on a fresh state folder with the shipped lexicon."""
    monkeypatch.delenv("SCREENER_LEXICONS", raising=False)
    runner = CliRunner()

    def run(*args: str) -> CliOutcome:
        result = runner.invoke(cli_app, [*args, "--home", str(home)], catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # a traceback is a failure of this suite, never an outcome
        return CliOutcome(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def screen(cli):
    def run(*paths: Path) -> CliOutcome:
        return cli("screen", "--format", "json", *map(str, paths))

    return run


@pytest.fixture
def service_config(tmp_path, shipped_screener):
    # The shipped limits (20 MB request, 20 images, 10 MB per image), not a test's smaller ones.
    return load_service_settings(shipped_screener.settings,
                                 database_url=f"sqlite:///{tmp_path / 'service.db'}",
                                 upload_dir=tmp_path / "uploads")


@pytest.fixture
def world(service_config, shipped_screener):
    app = create_app(screener=shipped_screener, config=service_config)
    # raise_server_exceptions=False: a crash must show as the 500 a client would get.
    with TestClient(app, raise_server_exceptions=False) as client:
        yield build_world(client, app)


def post_raw(world, who: str, url: str, content: bytes,
             content_type: str = "application/json"):
    """POST bytes exactly as given (the test client would re-encode a str or a dict)."""
    return world.client.post(url, content=content, headers={
        "content-type": content_type, "authorization": f"Bearer {world.tokens[who]}"})


def still_serving(world) -> None:
    """The next good request after a hostile one succeeds."""
    draft = world.submit(title="讲座通知", body="欢迎参加力学前沿讲座。")
    assert draft["verdict"] == "pass", draft


def client_error(response, *words: str) -> str:
    """A 4xx with a JSON error whose message names what was wrong; returns the message."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    message = response.json()["error"]["message"]
    assert "Traceback" not in response.text
    for word in words:
        assert word in message, (word, message)
    return message


@pytest.fixture
def no_network(monkeypatch):
    """Fail on any attempt to reach another host: name lookups and IP connects are refused and
    recorded, so a test can also assert that none was tried even if the error was swallowed."""
    attempts: list[object] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def _refuse(what: object) -> OSError:
        attempts.append(what)
        return OSError(f"network access attempted: {what!r}")

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise _refuse(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise _refuse(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        raise _refuse(host)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection",
                        lambda address, *a, **k: (_ for _ in ()).throw(_refuse(address)))
    yield attempts
    assert attempts == [], f"the network was tried: {attempts}"
