"""Fixtures for the re-screening tests: archives built from the sample corpus."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from screener.settings import REPO_ROOT

CORPUS = REPO_ROOT / "data" / "samples" / "corpus" / "train.jsonl"


def _corpus_posts(count: int) -> list[dict]:
    posts = []
    with CORPUS.open(encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            if i >= count:
                break
            d = json.loads(line)
            posts.append({"id": d["id"], "title": d["title"], "body": d["body"],
                          "platform": d["platform"], "account": f"acct{i % 3}",
                          "published_at": f"2024-{1 + i % 9:02d}-01"})
    return posts


@pytest.fixture
def corpus_posts():
    return _corpus_posts


@pytest.fixture
def write_jsonl():
    def write(path: Path, posts: list[dict]) -> Path:
        path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts),
                        encoding="utf-8")
        return path

    return write


@pytest.fixture
def archive_file(tmp_path, write_jsonl) -> Path:
    return write_jsonl(tmp_path / "archive.jsonl", _corpus_posts(120))


class DaskCluster:
    """A real Dask cluster on loopback: ``dask scheduler`` and ``dask worker`` processes, as
    the README's university-wide set-up runs them (each worker one process, one thread)."""

    def __init__(self, folder: Path, workers: int = 2) -> None:
        self.folder = folder
        port = _free_port()
        self.address = f"tcp://127.0.0.1:{port}"
        dask = str(Path(sys.executable).with_name("dask"))
        self.scheduler = self._start([dask, "scheduler", "--host", "127.0.0.1", "--port",
                                      str(port), "--no-dashboard"], "scheduler")
        self.workers = [self._start([dask, "worker", self.address, "--host", "127.0.0.1",
                                     "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                                     "--name", f"w{i}", "--local-directory",
                                     str(folder / f"w{i}")], f"w{i}")
                        for i in range(workers)]
        self.wait_for_workers(workers)

    def _start(self, args: list[str], name: str) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("wb")
        # A session of its own: killing a worker kills its nanny and its worker process.
        return subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2000:]}"
                         for p in sorted(self.folder.glob("*.log")))

    def wait_for_workers(self, count: int, timeout: float = 120) -> None:
        distributed = pytest.importorskip("distributed")
        deadline = time.monotonic() + timeout
        while True:
            assert self.scheduler.poll() is None, self.logs()
            try:
                with distributed.Client(self.address, timeout=5) as client:
                    client.wait_for_workers(count, timeout=max(1, deadline - time.monotonic()))
                    return
            except (OSError, TimeoutError) as exc:
                assert time.monotonic() < deadline, f"{exc}\n{self.logs()}"
                time.sleep(0.5)

    def kill_worker(self, index: int) -> None:
        """kill -9 of a worker: its nanny and its worker process, at once."""
        os.killpg(self.workers[index].pid, signal.SIGKILL)
        self.workers[index].wait(timeout=30)

    def close(self) -> None:
        for process in (*self.workers, self.scheduler):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in (*self.workers, self.scheduler):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A scheduler and two workers for the module's tests."""
    cluster = DaskCluster(tmp_path_factory.mktemp("dask"))
    yield cluster
    cluster.close()


@pytest.fixture
def new_dask_cluster(tmp_path):
    """A cluster of the test's own (the test kills a worker)."""
    (tmp_path / "dask-own").mkdir()
    cluster = DaskCluster(tmp_path / "dask-own")
    yield cluster
    cluster.close()
