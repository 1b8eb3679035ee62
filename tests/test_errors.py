"""One exception tree: whatever a user feeds in, only ScreenerError subclasses come out."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import screener
from screener import InputError, ScreenerError, load_draft, load_settings


def test_every_public_error_is_a_screener_error():
    errors = [getattr(screener, name) for name in screener.__all__ if name.endswith("Error")]
    assert errors and all(issubclass(e, ScreenerError) for e in errors)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".json", ".txt", ".md"]))
def test_any_bytes_give_a_draft_or_an_input_error(tmp_path, data, suffix):
    path = tmp_path / f"draft{suffix}"
    path.write_bytes(data)
    try:
        draft = load_draft(path, load_settings(home=tmp_path))
    except InputError as exc:
        assert exc.source == str(path) and exc.problem
    else:
        assert draft.title.strip() or draft.body.strip() or draft.images


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["title", "body", "images", "platform",
                                                       "x"]), inner, max_size=4),
                    max_leaves=12))
def test_any_json_value_gives_a_draft_or_an_input_error(tmp_path, value):
    import json

    path = tmp_path / "draft.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    try:
        load_draft(path, load_settings(home=tmp_path))
    except InputError:
        pass


def test_unreadable_lexicon_folder_is_a_lexicon_error(tmp_path):
    with pytest.raises(screener.LexiconError, match="找不到词库目录"):
        screener.Screener(load_settings(home=tmp_path, lexicon_dir=tmp_path / "nowhere"))
