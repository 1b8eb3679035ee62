"""The compiled-lexicon cache: reused when valid, rebuilt (never loaded) when tampered with."""

from __future__ import annotations

from screener.lexicon import compile_cached, current_entries


def _compile(settings, normalizer):
    return compile_cached(current_entries(settings), normalizer, settings.min_pinyin_letters,
                          settings.cache_dir)


def test_cache_round_trip_matches_the_same(test_settings, normalizer):
    fresh = _compile(test_settings, normalizer)
    folder = test_settings.cache_dir / "lexicon" / fresh.version
    assert (folder / "manifest.json").exists()
    cached = _compile(test_settings, normalizer)
    assert cached.version == fresh.version and cached.keys == fresh.keys
    text = normalizer("加vx 提供代孕 daiyun 秘密★")
    for a, b in ((fresh.skeleton, cached.skeleton), (fresh.literal, cached.literal)):
        assert list(a.iter(text.skeleton.text)) == list(b.iter(text.skeleton.text))


def test_tampered_automaton_is_rebuilt_not_loaded(test_settings, normalizer):
    fresh = _compile(test_settings, normalizer)
    path = test_settings.cache_dir / "lexicon" / fresh.version / "skeleton.bin"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    again = _compile(test_settings, normalizer)
    text = normalizer("提供代孕").skeleton.text
    assert list(again.skeleton.iter(text)) == list(fresh.skeleton.iter(text))
    assert path.read_bytes() != bytes(data)  # rewritten with a good copy
