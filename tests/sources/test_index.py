"""The passage index: saved beside the bank and loaded from its file, and in a long-running
checker it follows the bank (a source added matches at once, a retired one no longer does)."""

from __future__ import annotations

import numpy as np

from screener.sources import SourceBank, SourceText
from screener.sources.index import PassageIndex, cache_path, open_index
from tests.fixtures.sources import LAB, LAB_TITLE, OPENING, OPENING_TITLE, fill_bank, text_of


def test_the_index_is_cached_and_loaded_as_data(test_settings, fold_normalizer):
    bank = SourceBank(test_settings.sources_database_url, fold_normalizer)
    fill_bank(bank)
    threshold = test_settings.sources.lsh_threshold
    built = open_index(bank, test_settings.cache_dir, threshold)
    path = cache_path(test_settings.cache_dir, bank.url, threshold)
    loaded = PassageIndex.load(path, threshold)
    assert loaded is not None and loaded.stamp == built.stamp == bank.stamp()
    assert np.array_equal(loaded.signatures, built.signatures)
    assert np.array_equal(loaded.keys, built.keys) and loaded.sources == 3
    # A damaged file is not used: the index is rebuilt from the bank.
    path.write_bytes(path.read_bytes()[:100])
    assert PassageIndex.load(path, threshold) is None
    assert len(open_index(bank, test_settings.cache_dir, threshold)) == len(built)


def test_a_long_running_checker_follows_additions_and_retirements(test_settings,
                                                                  fold_normalizer):
    from screener.sources import SourceChecker

    bank = SourceBank(test_settings.sources_database_url, fold_normalizer)
    checker = SourceChecker.for_settings(test_settings, fold_normalizer)
    text = "\n\n".join(OPENING[:2] + LAB[:2])
    assert checker.check("body", text).reuses == ()  # an empty bank: nothing
    opening = bank.add(SourceText(text_of(OPENING_TITLE, OPENING), title=OPENING_TITLE,
                                  owner="工学院", license="本校新闻")).source
    assert [r.source.id for r in checker.check("body", text).reuses] == [opening.id]
    lab = bank.add(SourceText(text_of(LAB_TITLE, LAB), title=LAB_TITLE, owner="北京大学新闻网",
                              license="本校新闻")).source
    assert [r.source.id for r in checker.check("body", text).reuses] == [opening.id, lab.id]
    bank.retire(opening.id, reason="撤稿", by="tester")
    assert [r.source.id for r in checker.check("body", text).reuses] == [lab.id]
