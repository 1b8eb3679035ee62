"""The clean reference corpus (a built real corpus, else the hand-written samples) and every
term's false-alarm rate on it, through ``lexicon lint`` and ``lexicon test``."""

from __future__ import annotations

import os
import subprocess
import sys

from screener.corpus.local import split_of
from screener.lexicon import make_entry
from screener.lexicon.clean import RATE_LIMIT, clean_corpus, term_rates, write_rates


def test_the_built_corpus_is_used_with_the_hand_written_samples(clean_corpus_dir, test_settings):
    clean = clean_corpus(test_settings, clean_corpus_dir)
    assert clean.real == 50 and len(clean) > 50  # the ad is not clean; hand-written added
    assert "本地真实语料" in clean.description and "手写干净样例" in clean.description
    only_hand = clean_corpus(test_settings)  # no corpus built in this state folder
    assert only_hand.real == 0 and "未找到本地真实语料" in only_hand.description
    some = clean_corpus(test_settings, clean_corpus_dir, splits=("train",))
    assert some.real == sum(split_of(f"thucnews:{i}") == "train" for i in range(50))


def test_rates_count_clean_texts_hit_once_each(clean_corpus_dir, test_settings, tmp_path):
    clean = clean_corpus(test_settings, clean_corpus_dir)
    entries = [make_entry("招生简章", "commercial"), make_entry("出售发票", "illegal"),
               make_entry("招生简章大全", "allow")]
    rates = {r.term: r for r in term_rates(entries, test_settings, clean)}
    assert rates["招生简章"].texts_hit == 13 and rates["招生简章"].rate > RATE_LIMIT
    assert rates["出售发票"].texts_hit == 0 and "招生简章大全" not in rates
    out = tmp_path / "rates.tsv"
    write_rates(out, list(rates.values()), clean)
    text = out.read_text(encoding="utf-8")
    assert clean.digest in text and "招生简章\tcommercial" in text


def test_lint_reports_rates_and_names_the_corpus(clean_corpus_dir, home, test_lexicons, tmp_path):
    env = {**os.environ, "SCREENER_HOME": str(home), "SCREENER_LEXICONS": str(test_lexicons)}
    cli = [sys.executable, "-m", "screener.cli", "lexicon"]
    added = subprocess.run([*cli, "add", "招生简章", "--category", "commercial", "--reason", "t"],
                           capture_output=True, text=True, env=env, timeout=120)
    assert added.returncode == 0, added.stderr
    rates = tmp_path / "rates.tsv"
    done = subprocess.run([*cli, "lint", "--corpus", str(clean_corpus_dir), "--rates", str(rates)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "干净参考语料：本地真实语料" in done.stdout
    assert "招生简章 (commercial, store:" in done.stdout and "超过 0.5%" in done.stdout
    assert rates.read_text(encoding="utf-8").count("\n") > 3
    tried = subprocess.run([*cli, "test", "学术讲座", "--category", "illegal"],
                           capture_output=True, text=True, env=env, timeout=120)
    assert tried.returncode == 0 and "手写干净样例" in tried.stderr
