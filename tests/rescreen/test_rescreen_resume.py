"""Interrupting a run (kill -9, Ctrl-C) keeps every committed result; the same command resumes
and never screens a post twice for the same versions."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from screener.rescreen import import_paths

POSTS = 600


def _count(database) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(database, timeout=10) as conn:
            return conn.execute("select count(*) from rs_reports").fetchone()[0]
    except sqlite3.OperationalError:  # table not created yet
        return 0


def _rows(database) -> dict[tuple[str, str], tuple]:
    with sqlite3.connect(database, timeout=10) as conn:
        return {(r[0], r[1]): r[2:] for r in conn.execute(
            "select post_id, version, seq, verdict, report, created_at from rs_reports")}


def _command(settings, *extra):
    env = dict(os.environ, SCREENER_HOME=str(settings.home),
               SCREENER_LEXICONS=str(settings.lexicon_dir))
    args = [sys.executable, "-m", "screener.cli_rescreen", "rescreen", "--batch-size", "10",
            *extra]
    return args, env


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_and_stop(settings, sig, *extra) -> subprocess.Popen:
    args, env = _command(settings, *extra)
    # A command started in the background by a non-interactive shell (as CI runners may start
    # the test run) inherits SIGINT ignored; a person at a terminal has it on. Test the latter.
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True, preexec_fn=_interruptible)
    database = settings.home / "screener.db"
    deadline = time.monotonic() + 120
    while _count(database) < 50:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no batch committed in time"
        time.sleep(0.05)
    os.killpg(process.pid, sig)  # the whole group: with --jobs, the workers too
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        _, stderr = process.communicate()
        pytest.fail(f"still running 60 s after signal {sig!r}; stderr: {stderr.decode()[-3000:]}")
    return process


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_kill_9_then_resume(test_settings, tmp_path, corpus_posts, write_jsonl, jobs):
    archive = write_jsonl(tmp_path / "a.jsonl", corpus_posts(POSTS))
    assert import_paths([archive], test_settings).imported == POSTS
    process = _start_and_stop(test_settings, signal.SIGKILL, "--jobs", jobs)
    assert process.returncode == -signal.SIGKILL
    database = test_settings.home / "screener.db"
    kept = _rows(database)
    assert 50 <= len(kept) < POSTS, "the kill should land midway"

    args, env = _command(test_settings, "--json", "--jobs", jobs)
    resumed = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode in (0, 10), resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["screened"] == POSTS
    assert summary["screened_now"] == POSTS - len(kept)  # nothing screened twice
    assert summary["first_screening"] == POSTS
    after = _rows(database)
    assert len(after) == POSTS and len({post for post, _ in after}) == POSTS
    for key, row in kept.items():  # every finished result kept, untouched
        assert after[key] == row


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_stops_cleanly_and_resumes(test_settings, tmp_path, corpus_posts, write_jsonl,
                                          jobs):
    archive = write_jsonl(tmp_path / "a.jsonl", corpus_posts(POSTS))
    import_paths([archive], test_settings)
    process = _start_and_stop(test_settings, signal.SIGINT, "--json", "--jobs", jobs)
    stdout, stderr = process.communicate()
    assert process.returncode == 130, stderr
    summary = json.loads(stdout)
    assert summary["interrupted"] is True
    assert 50 <= summary["screened"] < POSTS
    assert "resume" in stderr.decode()
    database = test_settings.home / "screener.db"
    with sqlite3.connect(database) as conn:
        assert conn.execute("select status from rs_runs").fetchone()[0] == "interrupted"
    assert _count(database) == summary["screened"]
    args, env = _command(test_settings, "--json", "--jobs", jobs)
    resumed = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    done = json.loads(resumed.stdout)
    assert done["screened"] == POSTS
    assert done["screened_now"] == POSTS - summary["screened"]
