"""Interrupting a run (kill -9, Ctrl-C) keeps every committed result; the same command resumes
and never screens a post twice for the same versions."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from screener.rescreen import import_paths

POSTS = 600


def _count(settings) -> int:
    """Reports committed so far, read beside the running command (SQLite or PostgreSQL)."""
    engine = create_engine(settings.lexicon_database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("select count(*) from rs_reports")).scalar()
    except (OperationalError, ProgrammingError):  # table not created yet
        return 0
    finally:
        engine.dispose()


def _rows(settings) -> dict[tuple[str, str], tuple]:
    engine = create_engine(settings.lexicon_database_url)
    try:
        with engine.connect() as conn:
            return {(r[0], r[1]): tuple(r[2:]) for r in conn.execute(text(
                "select post_id, version, seq, verdict, report, created_at from rs_reports"))}
    finally:
        engine.dispose()


def _command(settings, env_of, *extra):
    env = {**os.environ, **env_of(settings)}
    env.pop("SCREENER_LEXICONS", None)
    args = [sys.executable, "-m", "screener.cli_rescreen", "rescreen", "--batch-size", "10",
            *extra]
    return args, env


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_and_stop(settings, env_of, sig, *extra) -> tuple[subprocess.Popen, bytes, bytes]:
    args, env = _command(settings, env_of, *extra)
    # A command started in the background by a non-interactive shell (as CI runners may start
    # the test run) inherits SIGINT ignored; a person at a terminal has it on. Test the latter.
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True, preexec_fn=_interruptible)
    deadline = time.monotonic() + 120
    while _count(settings) < 50:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no batch committed in time"
        time.sleep(0.05)
    os.killpg(process.pid, sig)  # the whole group: with --jobs, the workers too
    # Read the pipes while waiting: a summary larger than the pipe's buffer would otherwise block
    # the command in its last write, which looked like a hang on a loaded machine.
    try:
        stdout, stderr = process.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        _, stderr = process.communicate()
        pytest.fail(f"still running 180 s after signal {sig!r}; stderr: {stderr.decode()[-3000:]}")
    return process, stdout, stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_kill_9_then_resume(db_settings, tmp_path, corpus_posts, write_jsonl, jobs, env_of):
    archive = write_jsonl(tmp_path / "a.jsonl", corpus_posts(POSTS))
    assert import_paths([archive], db_settings).imported == POSTS
    process, _, _ = _start_and_stop(db_settings, env_of, signal.SIGKILL, "--jobs", jobs)
    assert process.returncode == -signal.SIGKILL
    kept = _rows(db_settings)
    assert 50 <= len(kept) < POSTS, "the kill should land midway"

    args, env = _command(db_settings, env_of, "--json", "--jobs", jobs)
    resumed = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode in (0, 10), resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["screened"] == POSTS
    assert summary["screened_now"] == POSTS - len(kept)  # nothing screened twice
    assert summary["first_screening"] == POSTS
    after = _rows(db_settings)
    assert len(after) == POSTS and len({post for post, _ in after}) == POSTS
    for key, row in kept.items():  # every finished result kept, untouched
        assert after[key] == row


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_stops_cleanly_and_resumes(db_settings, tmp_path, corpus_posts, write_jsonl,
                                          jobs, env_of):
    archive = write_jsonl(tmp_path / "a.jsonl", corpus_posts(POSTS))
    import_paths([archive], db_settings)
    process, stdout, stderr = _start_and_stop(db_settings, env_of, signal.SIGINT, "--json",
                                              "--jobs", jobs)
    assert process.returncode == 130, stderr
    summary = json.loads(stdout)
    assert summary["interrupted"] is True
    assert 50 <= summary["screened"] < POSTS
    assert "再运行同一命令即可接着审核" in stderr.decode()
    engine = create_engine(db_settings.lexicon_database_url)
    with engine.connect() as conn:
        assert conn.execute(text("select status from rs_runs")).scalar() == "interrupted"
    engine.dispose()
    assert _count(db_settings) == summary["screened"]
    args, env = _command(db_settings, env_of, "--json", "--jobs", jobs)
    resumed = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    done = json.loads(resumed.stdout)
    assert done["screened"] == POSTS
    assert done["screened_now"] == POSTS - summary["screened"]
