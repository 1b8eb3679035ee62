"""The lexicon store: versions, history, nothing deleted, concurrent writers, the fast load."""

from __future__ import annotations

import multiprocessing

import pytest

from screener.errors import LexiconError
from screener.lexicon import (
    current_entries,
    entries_at,
    load_lexicon,
    store_for,
)
from screener.lexicon.maintain import Who, add_terms, edit_term, retire_terms

ALICE = Who("alice", "seen in a scam post")


def _terms(settings, category="illegal"):
    return {e.term for e in current_entries(settings) if e.category == category}


def test_each_change_is_a_version_with_who_when_and_why(db_settings, normalizer):
    assert load_lexicon(db_settings, normalizer).version.startswith("lex-0-")
    first = add_terms(db_settings, ["出售发票"], "illegal", ALICE)
    assert (first.seq, first.by, first.reason, first.action) == (1, "alice",
                                                                 "seen in a scam post", "add")
    assert first.at.endswith("+00:00") and len(first.content) == 12
    assert add_terms(db_settings, ["出售发票"], "illegal", ALICE) is None  # nothing new
    second = retire_terms(db_settings, ["办证"], Who("bob", "false alarms"))
    assert second.seq == 2 and second.chain != first.chain
    lexicon = load_lexicon(db_settings, normalizer)
    assert lexicon.version == f"lex-2-{second.content}"
    assert "办证" not in _terms(db_settings) and "出售发票" in _terms(db_settings)


def test_retiring_keeps_history_and_old_versions_stay_readable(db_settings):
    add_terms(db_settings, ["出售发票"], "illegal", ALICE)
    retire_terms(db_settings, ["出售发票"], Who("bob", "too broad"))
    store = store_for(db_settings)
    assert [(e.seq, e.action, e.active) for e in store.events(term="出售发票")] == \
        [(1, "add", True), (2, "retire", False)]
    assert "出售发票" in {e.term for e in entries_at(db_settings, 1)}
    assert "出售发票" not in {e.term for e in entries_at(db_settings, 2)}
    assert "办证" in {e.term for e in entries_at(db_settings, 0)}


def test_retire_needs_a_reason_and_a_known_term(db_settings):
    with pytest.raises(LexiconError, match=r"请写明理由（--reason）"):
        retire_terms(db_settings, ["办证"], Who("bob", " "))
    with pytest.raises(LexiconError, match="没有这个词条：不存在"):
        retire_terms(db_settings, ["不存在"], ALICE)
    assert store_for(db_settings).latest_seq() == 0


def test_edit_moves_a_term_between_categories(db_settings):
    edit_term(db_settings, "办证", ALICE, category="commercial")
    entry = next(e for e in current_entries(db_settings) if e.term == "办证")
    assert (entry.category, str(entry.severity)) == ("commercial", "review")
    assert "办证" not in _terms(db_settings)


def test_unmatchable_and_too_long_terms_are_refused(db_settings):
    with pytest.raises(LexiconError, match="无法匹配：规范化后没有可匹配的内容"):
        add_terms(db_settings, ["★ ★"], "illegal", ALICE)
    with pytest.raises(LexiconError, match="太长：65 个字；词条最多"):
        add_terms(db_settings, ["长" * 65], "illegal", ALICE)


def test_a_published_version_loads_from_the_cache_without_compiling(db_settings, normalizer,
                                                                    monkeypatch):
    add_terms(db_settings, ["出售发票"], "illegal", ALICE)
    built = load_lexicon(db_settings, normalizer)
    from screener.lexicon import cache

    def no_compiling(*_args, **_kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(cache, "compile_lexicon", no_compiling)
    loaded = load_lexicon(db_settings, normalizer)
    assert loaded.version == built.version and loaded.entries == built.entries
    assert loaded.keys == built.keys


def _writer(settings, prefix: str, count: int) -> None:
    for i in range(count):
        add_terms(settings, [f"{prefix}测试词{i:03d}"], "illegal", Who(prefix, "parallel"))


def test_two_writers_in_parallel_lose_nothing(db_settings):
    store_for(db_settings)  # create the tables before the race
    context = multiprocessing.get_context("spawn")  # engines and locks must not cross a fork
    workers = [context.Process(target=_writer, args=(db_settings, name, 50))
               for name in ("甲", "乙")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    terms = _terms(db_settings)
    assert sum(t.endswith(tuple(f"{i:03d}" for i in range(50))) and "测试词" in t
               for t in terms) == 100
    changes = store_for(db_settings).changes()
    assert sorted(c.seq for c in changes) == list(range(1, 101))
    assert len({c.content for c in changes}) == 100


def test_store_settings_are_validated(tmp_path, monkeypatch):
    from screener.errors import ConfigError
    from screener.settings import load_settings

    assert load_settings(home=tmp_path).lexicon_database_url == \
        f"sqlite:///{tmp_path / 'screener.db'}"
    monkeypatch.setenv("SCREENER_DATABASE_URL", "not a url")
    with pytest.raises(ConfigError, match="database_url"):
        load_settings(home=tmp_path)
    monkeypatch.delenv("SCREENER_DATABASE_URL")
    with pytest.raises(ConfigError, match="lexicon_check_seconds"):
        load_settings(home=tmp_path, lexicon_check_seconds=-1)
