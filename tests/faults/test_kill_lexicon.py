"""kill -9 of ``screener lexicon import`` (thousands of terms) inside the store's write
transaction, and at random moments over several runs: afterwards the versions are gapless, every
version has its terms and its chain hash recomputes, the killed import left nothing, and running
it again publishes it as one new version."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import time

from .live import Lines, db, kill9, kill9_unless_done, run, screener, wait_paused

ALPHABET = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"


def _terms(count: int, salt: int) -> list[str]:
    """``count`` terms, disjoint from those of every other salt."""
    combos = list(itertools.product(ALPHABET, repeat=4))
    random.Random(0).shuffle(combos)
    return ["禁" + "".join(c) for c in combos[salt * count:(salt + 1) * count]]


def _import_file(tmp_path, count: int, salt: int):
    path = tmp_path / f"import-{salt}.txt"
    path.write_text("\n".join(_terms(count, salt)) + "\n", encoding="utf-8")
    return path


def _import(path):
    return ("lexicon", "import", str(path), "--category", "illegal", "--by", "测试",
            "--reason", "fault test")


def check_versions(home) -> int:
    """Versions 1..n without gaps, each with its events, each chain hash recomputed; returns n."""
    with db(home) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        changes = conn.execute("select seq, at, by, reason, action, chain from lexicon_changes "
                               "order by seq").fetchall()
        assert [c[0] for c in changes] == list(range(1, len(changes) + 1))
        stray = conn.execute("select count(*) from lexicon_events where seq not in "
                             "(select seq from lexicon_changes)").fetchone()[0]
        assert stray == 0
        previous = ""
        for seq, at, by, reason, action, chain in changes:
            rows = [dict(seq=r[0], term=r[1], category=r[2], severity=r[3], article=r[4],
                         boundary=bool(r[5]), active=bool(r[6]), action=r[7])
                    for r in conn.execute(
                        "select seq, term, category, severity, article, boundary, active, "
                        "action from lexicon_events where seq = ? order by id", (seq,))]
            assert rows, f"version {seq} has no terms"
            payload = json.dumps([previous, seq, at, by, reason, action,
                                  [sorted(r.items()) for r in rows]], ensure_ascii=False)
            assert hashlib.sha256(payload.encode()).hexdigest() == chain, f"version {seq}"
            previous = chain
    return len(changes)


def _events(home, seq: int) -> int:
    with db(home) as conn:
        return conn.execute("select count(*) from lexicon_events where seq = ?",
                            (seq,)).fetchone()[0]


def test_kill_9_inside_the_lexicon_commit(home, tmp_path):
    first = run(home, "lexicon", "add", "测试违禁甲", "--category", "illegal", "--reason", "x")
    assert first.returncode == 0, first.stderr
    assert check_versions(home) == 1

    path = _import_file(tmp_path, 3000, salt=10)
    process = screener(home, *_import(path), pause="lexicon.commit")
    errors = Lines(process.stderr)
    wait_paused(process, errors, "lexicon.commit")  # the version row is written, its terms not
    kill9(process)
    assert check_versions(home) == 1  # the half-made version 2 is gone entirely

    again = run(home, *_import(path))
    assert again.returncode == 0, again.stderr
    assert "已发布" in again.stdout and "加入 3000 个" in again.stdout
    assert check_versions(home) == 2 and _events(home, 2) == 3000


def _timed_import(home, path) -> float:
    began = time.monotonic()
    done = run(home, *_import(path))
    assert done.returncode == 0, done.stderr
    return time.monotonic() - began


def test_kill_9_at_random_moments(home, tmp_path):
    rng = random.Random(8)
    # The store's tables first: the first command alone makes them, and timing it would put
    # the kills of the later (quicker) runs after their commit.
    made = run(home, "lexicon", "add", "测试违禁乙", "--category", "illegal", "--reason", "x")
    assert made.returncode == 0, made.stderr
    duration = _timed_import(home, _import_file(tmp_path, 2000, salt=0))
    published = check_versions(home)
    cut = 0
    for salt in range(1, 6):
        path = _import_file(tmp_path, 2000, salt)
        process = screener(home, *_import(path))
        time.sleep(rng.uniform(0.2, 0.9) * duration)  # from start-up to the commit
        finished = process.poll() is not None
        if not finished:
            finished = not kill9_unless_done(process)
        versions = check_versions(home)
        done = versions == published + 1
        assert versions in (published, published + 1)
        assert not finished or done  # a run that ended by itself published
        if done:
            assert _events(home, versions) == 2000
        cut += not done
        # the re-run completes what the killed one did not, or finds it all in force
        took = _timed_import(home, path)
        if not done:  # a re-run that published: as long as a real import
            duration = min(duration, took)
        published = check_versions(home)
        assert published == versions + (0 if done else 1)
        assert _events(home, published) == 2000
    assert cut >= 1, "no kill landed before the import published; the test proved nothing"
