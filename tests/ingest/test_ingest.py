"""Reading drafts: every bad input is one clear error naming the file and the problem."""

from __future__ import annotations

import json

import pytest

from screener import InputError, load_draft, load_settings


@pytest.fixture
def settings(home):
    return load_settings(home=home)


def _write(path, content):
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_json_draft_with_relative_image_paths(tmp_path, settings):
    path = _write(tmp_path / "d.json", json.dumps({
        "title": "讲座", "body": "欢迎", "images": ["img/a.png"], "account": "工学院团委",
        "platform": "weibo", "author": "张三", "id": "post-1"}, ensure_ascii=False))
    draft = load_draft(path, settings)
    assert (draft.id, draft.title, draft.body) == ("post-1", "讲座", "欢迎")
    assert draft.platform == "weibo"
    assert draft.images == (str(tmp_path / "img" / "a.png"),)


def test_txt_title_is_the_first_line_before_a_blank_line(tmp_path, settings):
    draft = load_draft(_write(tmp_path / "d.txt", "讲座通知\n\n正文第一段\n第二段"), settings)
    assert (draft.title, draft.body) == ("讲座通知", "正文第一段\n第二段")
    draft = load_draft(_write(tmp_path / "e.txt", "只有正文\n没有标题"), settings)
    assert (draft.title, draft.body) == ("", "只有正文\n没有标题")


def test_md_title_is_a_level_one_heading(tmp_path, settings):
    draft = load_draft(_write(tmp_path / "d.md", "# 讲座通知\n\n正文"), settings)
    assert (draft.title, draft.body) == ("讲座通知", "正文")


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("missing.json", None, "找不到文件"),
    ("bad.json", '{"title": "x",', "不是有效的 JSON（第 1 行"),
    ("list.json", "[1, 2]", "应为 JSON 对象，而不是 list"),
    ("types.json", '{"title": 5}', "title：应为文字"),
    ("images.json", '{"body": "x", "images": "a.png"}', "images：应为列表"),
    ("typo.json", '{"boby": "x"}', "未知字段 'boby'"),
    ("platform.json", '{"body": "x", "platform": "tiktok"}', "platform：不是允许的取值"),
    ("latin1.txt", "caf\xe9".encode("latin-1"), "不是有效的 UTF-8 编码（偏移 3 处的字节 0xe9）"),
    ("empty.json", '{"title": " ", "body": "\\n"}', "稿件是空的"),
    ("empty.txt", "", "稿件是空的"),
    ("big.txt", "字" * 100_001, "超过上限 100,000 字"),
    ("huge.txt", "x" * 5_000_000, "稿件最多"),
    ("draft.docx", "x", "docx"),
    ("draft.pdf", "x", "不支持的文件类型 '.pdf'"),
    ("deep.json", "[" * 100_000 + "]" * 100_000, "嵌套过深"),
])
def test_bad_input_is_one_clear_error(tmp_path, settings, name, content, problem):
    path = tmp_path / name
    if content is not None:
        _write(path, content)
    with pytest.raises(InputError) as caught:
        load_draft(path, settings)
    assert caught.value.source == str(path)
    assert problem in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_folder_is_not_a_draft(tmp_path, settings):
    folder = tmp_path / "x.json"
    folder.mkdir()
    with pytest.raises(InputError, match="是文件夹，不是稿件文件"):
        load_draft(folder, settings)


def test_unpaired_surrogates_are_refused(tmp_path, settings):
    path = _write(tmp_path / "s.json", '{"body": "正文\\ud800代孕"}')
    with pytest.raises(InputError, match=r"body 含有不成对的代理码位 \\ud800（偏移 2）"):
        load_draft(path, settings)
