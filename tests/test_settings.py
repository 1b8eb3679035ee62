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
    ("SCREENER_MAX_BODY_CHARS", "lots", "^设置有误：max_body_chars：应为整数$"),
    ("SCREENER_MAX_FILE_BYTES", "0", "^设置有误：max_file_bytes：不能小于 1$"),
])
def test_invalid_settings_are_one_clear_error(monkeypatch, name, value, problem):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=problem):
        load_settings()


def test_every_setting_is_documented():
    from screener.settings import Settings

    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"


def test_sections_come_from_nested_environment_names(monkeypatch):
    monkeypatch.setenv("SCREENER_SERVICE__MAX_REQUEST_BYTES", "5000")
    monkeypatch.setenv("SCREENER_IMAGES__MAX_PIXELS", "1000000")
    monkeypatch.setenv("SCREENER_RESCREEN__BATCH_SIZE", "7")
    settings = load_settings()
    assert settings.service.max_request_bytes == 5000
    assert settings.images.max_pixels == 1_000_000
    assert settings.rescreen.batch_size == 7


def test_the_image_code_reads_the_images_section(monkeypatch):
    from screener.images.config import image_config

    monkeypatch.setenv("SCREENER_IMAGES__MIN_INLIERS", "21")
    assert image_config(load_settings()).min_inliers == 21


def test_earlier_flat_names_still_work_and_the_tree_names_win(monkeypatch, tmp_path):
    monkeypatch.setenv("SCREENER_LEXICONS", str(tmp_path / "old"))
    monkeypatch.setenv("SCREENER_MAX_IMAGES", "3")
    monkeypatch.setenv("SCREENER_MAX_IMAGES_PER_DRAFT", "9")
    settings = load_settings()
    assert settings.lexicon_dir == tmp_path / "old"
    assert settings.service.max_images_per_submission == 3
    assert settings.max_images_per_file == 9
    monkeypatch.setenv("SCREENER_LEXICON_DIR", str(tmp_path / "new"))
    assert load_settings().lexicon_dir == tmp_path / "new"


def test_the_two_picture_limits_are_named_for_what_they_limit():
    settings = load_settings()
    assert settings.max_images_per_file == 200  # one draft file on disk
    assert settings.service.max_images_per_submission == 20  # one HTTP submission


def test_derived_paths_follow_home(tmp_path):
    settings = load_settings(home=tmp_path)
    assert settings.lexicon_database_url == f"sqlite:///{tmp_path / 'screener.db'}"
    assert settings.service_database_url == settings.lexicon_database_url
    assert settings.assets_database_url == f"sqlite:///{tmp_path / 'assets.db'}"
    assert settings.upload_dir == tmp_path / "uploads"
    assert settings.cache_dir == tmp_path / "cache"


def test_a_settings_file_in_the_state_folder_is_read_below_the_environment(monkeypatch,
                                                                         tmp_path):
    (tmp_path / "settings.toml").write_text(
        "max_body_chars = 321\n[service]\npage_size = 7\nmax_page_size = 70\n", encoding="utf-8")
    monkeypatch.setenv("SCREENER_SERVICE__MAX_PAGE_SIZE", "80")
    settings = load_settings(home=tmp_path)
    assert (settings.max_body_chars, settings.service.page_size,
            settings.service.max_page_size) == (321, 7, 80)


def test_a_broken_settings_file_is_one_clear_error(tmp_path):
    (tmp_path / "settings.toml").write_text("max_body_chars = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="settings.toml"):
        load_settings(home=tmp_path)


def test_settings_command_says_where_each_value_came_from(monkeypatch, tmp_path):
    import re

    from typer.testing import CliRunner

    from screener.cli import app

    (tmp_path / "settings.toml").write_text("[images]\nmax_frames = 4\n", encoding="utf-8")
    monkeypatch.setenv("SCREENER_SERVICE__PAGE_SIZE", "9")
    monkeypatch.setenv("COLUMNS", "250")
    result = CliRunner().invoke(app, ["settings", "--home", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rows = {m.group(1): (m.group(2), m.group(3)) for m in re.finditer(
        r"│ (\S+)\s+│ (\S+)\s+│ (\w+)\s+│", result.output)}
    assert rows["home"] == (str(tmp_path), "命令行选项")
    assert rows["service.page_size"] == ("9", "环境变量")
    assert rows["images.max_frames"] == ("4", "设置文件")
    assert rows["max_body_chars"] == ("100000", "默认值")


def test_every_section_setting_is_documented():
    from screener.settings import ImageSettings, RescreenSettings, ServiceSection

    for section in (ImageSettings, ServiceSection, RescreenSettings):
        for name, field in section.model_fields.items():
            assert field.description, f"setting {section.__name__}.{name} has no description"


def _setting_fields(model: type, prefix: str = ""):
    """Every field of the settings tree, sections and their own fields, by dotted name."""
    from pydantic import BaseModel

    for name, field in model.model_fields.items():
        yield prefix + name, field
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            yield from _setting_fields(field.annotation, f"{prefix}{name}.")


def test_every_setting_is_explained_in_chinese():
    # `screener settings` shows these as its 含义 column to maintainers and the dean's office.
    from screener.settings import Settings
    from tests.test_cli_help import CJK, CODE, ENGLISH

    fields = dict(_setting_fields(Settings))
    assert {"service.sso_label", "platforms.wechat.title_chars", "learning.seed"} <= set(fields)
    untranslated = {}
    for name, field in fields.items():
        text = field.description or ""
        if not CJK.search(text):
            untranslated[name] = text
        elif found := ENGLISH.search(CODE.sub("", text)):
            untranslated[name] = found.group()
    assert not untranslated, untranslated


def test_settings_command_shows_each_meaning_whole_in_a_narrow_terminal(tmp_path):
    from pydantic import BaseModel
    from typer.testing import CliRunner

    from screener.cli import app
    from screener.settings import Settings

    result = CliRunner().invoke(app, ["settings", "--home", str(tmp_path)],
                                env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    meanings = "".join(line.split("│")[4].strip() for line in result.output.splitlines()
                       if line.count("│") == 5)
    for name, field in _setting_fields(Settings):
        section = isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
        if not section:  # a section is not a row of its own; its settings are
            assert field.description.replace(" ", "") in meanings.replace(" ", ""), name
