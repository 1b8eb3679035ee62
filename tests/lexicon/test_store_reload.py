"""Hot reload: a long-running Screener picks up new versions without a gap or a torn read."""

from __future__ import annotations

import threading
import time

from screener import Draft, Screener
from screener.lexicon import store_for
from screener.lexicon.compiled import format_version
from screener.lexicon.maintain import Who, add_terms
from screener.model import Verdict
from screener.settings import load_settings


def test_screenings_run_while_versions_are_published(db_settings, test_lexicons):
    settings = load_settings(home=db_settings.home, lexicon_dir=test_lexicons,
                             lexicon_check_seconds=0)
    screener = Screener(settings)
    valid = {screener.lexicon_version}
    reports, errors = [], []
    stop = threading.Event()

    def screen_in_a_loop() -> None:
        try:
            while not stop.is_set():
                reports.append(screener.screen(Draft(title="", body="出售发票0 出售发票1 代孕")))
        except Exception as exc:  # noqa: BLE001  (the test reports whatever went wrong)
            errors.append(exc)

    threads = [threading.Thread(target=screen_in_a_loop) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for i in range(4):
            change = add_terms(settings, [f"出售发票{i}"], "illegal", Who("alice", "test"))
            valid.add(format_version(change.seq, change.content))
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not errors
    assert reports and {r.lexicon_version for r in reports} <= valid
    screener.reload()  # the background check may still be building the last version
    final = screener.screen(Draft(title="", body="出售发票3"))
    assert final.lexicon_version == format_version(4, store_for(settings).change(4).content)
    assert final.verdict is Verdict.BLOCK
    # a report's findings always agree with the version it names: 出售发票1 fires only from v2
    for report in reports:
        seq = int(report.lexicon_version.split("-")[1])
        assert ("出售发票1" in {f.term for f in report.findings}) == (seq >= 2)


def test_no_check_before_the_interval(db_settings):
    settings = load_settings(home=db_settings.home, lexicon_dir=db_settings.lexicon_dir,
                             lexicon_check_seconds=3600)
    screener = Screener(settings)
    before = screener.lexicon_version
    add_terms(settings, ["出售发票"], "illegal", Who("alice", "test"))
    assert screener.screen(Draft(title="", body="出售发票")).lexicon_version == before
    assert screener.refresh() is True and screener.lexicon_version != before
    assert screener.refresh() is False


def test_the_check_runs_in_the_background(db_settings):
    settings = load_settings(home=db_settings.home, lexicon_dir=db_settings.lexicon_dir,
                             lexicon_check_seconds=0)
    screener = Screener(settings)
    before = screener.lexicon_version
    add_terms(settings, ["出售发票"], "illegal", Who("alice", "test"))
    for _ in range(200):  # the first screening after the change starts the rebuild
        report = screener.screen(Draft(title="", body="出售发票"))
        if report.lexicon_version != before:
            break
        time.sleep(0.02)
    assert report.lexicon_version.startswith("lex-1-") and report.verdict is Verdict.BLOCK


def test_an_unreadable_store_keeps_the_version_in_force(db_settings, monkeypatch):
    settings = load_settings(home=db_settings.home, lexicon_dir=db_settings.lexicon_dir,
                             lexicon_check_seconds=0)
    screener = Screener(settings)
    before = screener.lexicon_version
    from screener import pipeline
    from screener.errors import LexiconError

    def broken(_settings):
        raise LexiconError("db", "unavailable")

    monkeypatch.setattr(pipeline, "_store_stamp", broken)
    assert screener.screen(Draft(title="", body="代孕")).lexicon_version == before
    screener._refresh_quietly()  # what the background check runs: logs, keeps the version
    assert screener.lexicon_version == before
