from __future__ import annotations

import pytest

from screener import ConfigError, load_settings


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("SCREENER_HOME", str(tmp_path / "h"))
    monkeypatch.setenv("SCREENER_MAX_BODY_CHARS", "500")
    settings = load_settings()
    assert settings.home == tmp_path / "h"
    assert settings.max_body_chars == 500


def test_explicit_arguments_win_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SCREENER_HOME", str(tmp_path / "env"))
    assert load_settings(home=tmp_path / "flag").home == tmp_path / "flag"


@pytest.mark.parametrize(("name", "value", "problem"), [
    ("SCREENER_MAX_BODY_CHARS", "lots", "max_body_chars: Input should be a valid integer"),
    ("SCREENER_MAX_FILE_BYTES", "0", "max_file_bytes: Input should be greater than or equal to 1"),
])
def test_invalid_settings_are_one_clear_error(monkeypatch, name, value, problem):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=problem):
        load_settings()


def test_every_setting_is_documented():
    from screener.settings import Settings

    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"
