"""The same job on a real Dask cluster (``dask scheduler`` and two ``dask worker`` processes on
loopback, started by the fixtures in conftest.py): the same reports as a local run, incremental
included, written by the driver, resumable, and complete when a worker is killed mid-run."""

from __future__ import annotations

import json
import sys

import pytest
from sqlalchemy import select

from screener.errors import RescreenError
from screener.lexicon.maintain import Who, add_terms
from screener.rescreen import db as rsdb
from screener.rescreen import import_paths, rescreen
from tests.fixtures.core import SHIPPED_LEXICONS, make_settings

distributed = pytest.importorskip("distributed")

WHO = Who("tester", "re-screening on a Dask cluster, test")
POSTS = 150


def _reports(settings) -> dict[str, dict]:
    engine = rsdb.open_db(settings)
    with engine.connect() as conn:
        rows = conn.execute(select(rsdb.reports.c.post_id, rsdb.reports.c.version,
                                   rsdb.reports.c.report)).all()
    result = {}
    for post_id, version, text in rows:
        report = json.loads(text)
        report.pop("timings"), report.pop("created_at")
        result[(version, post_id)] = report
    return result


def _what(summary) -> dict:
    data = summary.to_dict()
    return {k: v for k, v in data.items() if k not in ("run_id", "carried_forward",
                                                        "incremental")}


@pytest.fixture
def two_homes(tmp_path, shared_cache, corpus_posts, write_jsonl, database_url):
    """The same archive twice: screened locally (SQLite), and on the cluster with the
    archive in ``database_url`` (SQLite or PostgreSQL), which every worker reads."""
    archive = write_jsonl(tmp_path / "a.jsonl", corpus_posts(POSTS))
    local = make_settings(tmp_path / "local", SHIPPED_LEXICONS, shared_cache)
    remote = make_settings(tmp_path / "dask", SHIPPED_LEXICONS, shared_cache)
    if database_url is not None:
        remote = remote.model_copy(update={"database_url": database_url})
    homes = [local, remote]
    for settings in homes:
        assert import_paths([archive], settings).imported == POSTS
    return homes


def test_dask_gives_the_local_reports(two_homes, dask_cluster):
    local, remote = two_homes
    cluster = dask_cluster.address
    assert _what(rescreen(local, batch_size=20)) == \
        _what(rescreen(remote, batch_size=20, dask=cluster))
    assert _reports(local) == _reports(remote)

    for settings in two_homes:
        add_terms(settings, ["报名", "遗体告别仪式"], "commercial", WHO)
    full = rescreen(local, batch_size=20)
    incremental = rescreen(remote, batch_size=20, dask=cluster, incremental=True)
    assert _what(full) == _what(incremental)
    assert 0 < incremental.carried_forward < POSTS
    assert _reports(local) == _reports(remote)


def test_dask_run_interrupted_then_resumed(two_homes, dask_cluster):
    _, remote = two_homes
    batches = []

    def stop_after_two(n: int, _carried: int) -> None:
        batches.append(n)
        if len(batches) == 2:
            raise KeyboardInterrupt

    client = distributed.Client(dask_cluster.address)
    try:
        stopped = rescreen(remote, batch_size=10, dask=client, on_batch=stop_after_two)
        assert stopped.interrupted and stopped.screened == 20
        resumed = rescreen(remote, batch_size=10, dask=client)
        assert client.status == "running"  # a client passed in is the caller's to close
    finally:
        client.close()
    assert not resumed.interrupted
    assert resumed.screened == POSTS and resumed.screened_now == POSTS - 20
    assert len(_reports(remote)) == POSTS


def test_clear_errors(two_homes, monkeypatch):
    _, remote = two_homes
    with pytest.raises(RescreenError, match="无法连接 Dask 调度器 'tcp://127.0.0.1:9'"):
        rescreen(remote, dask="tcp://127.0.0.1:9", dask_timeout=2)
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    with pytest.raises(RescreenError, match=r"screener\[dask\]"):
        rescreen(remote, dask="tcp://127.0.0.1:8786")


def test_a_worker_killed_mid_run_changes_nothing(two_homes, new_dask_cluster):
    """kill -9 of one worker (its nanny too) after the first chunk is stored: the scheduler
    gives its chunks to the other worker and the run ends with the local run's reports."""
    local, remote = two_homes
    killed = []

    def kill_after_first(n: int, _carried: int) -> None:
        if not killed:
            new_dask_cluster.kill_worker(0)
            killed.append(n)

    expected = rescreen(local, batch_size=10)
    survived = rescreen(remote, batch_size=10, dask=new_dask_cluster.address,
                        on_batch=kill_after_first)
    assert killed and new_dask_cluster.workers[0].poll() is not None
    assert new_dask_cluster.workers[1].poll() is None, new_dask_cluster.logs()
    assert not survived.interrupted and survived.screened_now == POSTS
    assert _what(survived) == _what(expected)
    assert _reports(local) == _reports(remote)
