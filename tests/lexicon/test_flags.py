"""Lexicon flags and what a term may hold: the two-character boundary default, ``fillers`` in
files, imports, exports and the store, and control characters refused by code point."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from screener.errors import LexiconError
from screener.lexicon import current_entries, make_entry, parse_lexicon_file
from screener.lexicon.maintain import Who, add_terms, edit_term
from screener.lexicon.transfer import export_text, read_import


@pytest.mark.parametrize(("term", "category", "boundary"), [
    ("援交", "unhealthy", True),  # two Chinese characters: straddles words otherwise
    ("网络赌博", "illegal", False),
    ("加vx", "commercial", False),
    ("北大", "protected_name", False),  # names of the school are found inside longer names
])
def test_two_character_terms_are_boundary_checked_by_default(term, category, boundary):
    assert make_entry(term, category).boundary is boundary
    assert make_entry(term, category, boundary=False).boundary is False


@pytest.mark.parametrize(("term", "named"), [
    ("代\x00孕", "U+0000 (NULL)"),
    ("代\x07孕", "U+0007 (BELL)"),
    ("代\u202e孕", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("代\u200b孕", "U+200B (ZERO WIDTH SPACE)"),
    ("\x1b[31m红", "U+001B (ESCAPE)"),
])
def test_control_characters_are_refused_by_code_point(term, named):
    with pytest.raises(LexiconError, match=re.escape(named)):
        make_entry(term, "illegal")


def test_control_characters_are_refused_at_import_and_add(test_settings, tmp_path):
    path = tmp_path / "terms.csv"
    path.write_text("term,category\n代孕,illegal\n假\x00证,illegal\n办\x07证,illegal\n",
                    encoding="utf-8")
    plan = read_import(path, test_settings)
    assert [e.term for _, e in plan.accepted] == ["代孕"]
    assert [(r.line, "U+0000 (NULL)" in r.reason or "U+0007 (BELL)" in r.reason)
            for r in plan.rejected] == [(3, True), (4, True)]
    with pytest.raises(LexiconError, match=r"U\+0000 \(NULL\)"):
        add_terms(test_settings, ["刷\x00单"], "commercial", Who("tester", "test"))


def test_the_fillers_flag_in_a_lexicon_file(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("# category: illegal\n代孕 | fillers\n援交 | boundary=no\n网络赌博\n",
                    encoding="utf-8")
    entries = {e.term: e for e in parse_lexicon_file(path).entries}
    assert (entries["代孕"].fillers, entries["代孕"].boundary) == (True, True)
    assert (entries["援交"].fillers, entries["援交"].boundary) == (False, False)
    assert entries["网络赌博"].fillers is False


@pytest.mark.parametrize(("name", "content"), [
    ("t.csv", "term,category,boundary,fillers\n代孕,illegal,,yes\n援交,unhealthy,no,\n"),
    ("t.json", '[{"term": "代孕", "category": "illegal", "fillers": true},'
               ' {"term": "援交", "category": "unhealthy", "boundary": false}]'),
    ("t.txt", "# category: illegal\n代孕 | fillers\n援交 | boundary=no\n"),
])
def test_flags_survive_import_and_export(test_settings, tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    plan = read_import(path, test_settings)
    got = {e.term: (e.boundary, e.fillers) for _, e in plan.accepted}
    assert got == {"代孕": (True, True), "援交": (False, False)}
    for fmt in ("csv", "json", "lexicon"):
        for file_name, text in export_text([e for _, e in plan.accepted], fmt, "v").items():
            out = tmp_path / "out" / fmt / (file_name or f"all.{fmt}")
            out.parent.mkdir(parents=True, exist_ok=True)
            if fmt == "json":  # the export is a document; its entries are an import
                text = json.dumps(json.loads(text)["entries"], ensure_ascii=False)
            out.write_text(text, encoding="utf-8")
            back = read_import(out, test_settings, category="illegal")
            assert {e.term: (e.boundary, e.fillers) for _, e in back.accepted
                    if e.term in got} == {t: got[t] for t in got
                                           if t in {e.term for _, e in back.accepted}}


def test_fillers_in_the_store_and_in_force(test_settings):
    who = Who("tester", "seen in spam")
    add_terms(test_settings, ["卖淫"], "unhealthy", who, fillers=True)
    [entry] = [e for e in current_entries(test_settings) if e.term == "卖淫"]
    assert entry.fillers and entry.boundary
    edit_term(test_settings, "卖淫", who, fillers=False)
    [entry] = [e for e in current_entries(test_settings) if e.term == "卖淫"]
    assert not entry.fillers


def test_a_store_from_before_the_fillers_flag_is_upgraded(test_settings):
    path = test_settings.home / "old.db"
    with sqlite3.connect(path) as conn:
        conn.executescript("""
            CREATE TABLE lexicon_changes (seq INTEGER PRIMARY KEY, at VARCHAR(32) NOT NULL,
              by VARCHAR(200) NOT NULL, reason TEXT NOT NULL, action VARCHAR(20) NOT NULL,
              summary TEXT NOT NULL, chain VARCHAR(64) NOT NULL, basis VARCHAR(64) NOT NULL,
              content VARCHAR(12) NOT NULL);
            CREATE TABLE lexicon_events (id INTEGER PRIMARY KEY AUTOINCREMENT,
              seq INTEGER NOT NULL REFERENCES lexicon_changes(seq), term VARCHAR(200) NOT NULL,
              category VARCHAR(40) NOT NULL, severity VARCHAR(10) NOT NULL,
              article VARCHAR(100) NOT NULL, boundary BOOLEAN NOT NULL,
              active BOOLEAN NOT NULL, action VARCHAR(20) NOT NULL);
            INSERT INTO lexicon_changes VALUES (1, '2026-01-01T00:00:00+00:00', 'old', 'r',
              'add', 'add 1', 'x', 'b', 'c');
            INSERT INTO lexicon_events (seq, term, category, severity, article, boundary,
              active, action) VALUES (1, '刷单员', 'commercial', 'review', '第十一条（内容）',
              0, 1, 'add');
        """)
    from screener import load_settings

    settings = load_settings(home=test_settings.home, lexicon_dir=test_settings.lexicon_dir,
                             database_url=f"sqlite:///{path}")
    [old] = [e for e in current_entries(settings) if e.term == "刷单员"]
    assert old.fillers is False
    add_terms(settings, ["卖淫"], "unhealthy", Who("tester", "r"), fillers=True)
    assert [e.fillers for e in current_entries(settings) if e.term == "卖淫"] == [True]


def test_lint_reports_terms_that_fire_inside_words_of_the_clean_corpus(test_settings, tmp_path):
    from screener.lexicon.clean import clean_corpus
    from screener.lexicon.trial import straddle_warnings

    path = tmp_path / "clean.txt"
    path.write_text("学院开展对口支援交流活动\n今年共有十名同学获奖\n" * 50, encoding="utf-8")
    corpus = clean_corpus(test_settings, path)
    entries = [make_entry("援交", "unhealthy", boundary=False), make_entry("援助交际", "unhealthy")]
    warnings = {(w.term, w.kind): w.message
                for w in straddle_warnings(entries, test_settings, corpus)}
    assert set(warnings) == {("援交", "straddles")}
    assert "支援" in warnings[("援交", "straddles")] or "交流" in warnings[("援交", "straddles")]
    assert "100 篇干净文本中命中 50 篇" in warnings[("援交", "straddles")]
    # boundary-checked by default, 援交 no longer fires there at all
    assert straddle_warnings([make_entry("援交", "unhealthy")], test_settings, corpus) == []
