"""Drafts with embedded pictures: .html (WeChat export), .md and .docx."""

import base64
import io
from pathlib import Path

import pytest
from PIL import Image

from screener.errors import InputError
from screener.ingest import parse_rich_draft


@pytest.fixture
def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def test_html_text_local_inline_and_remote_images(tmp_path, test_settings, png_bytes):
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "a.png").write_bytes(png_bytes)
    inline = base64.b64encode(png_bytes).decode()
    html = f"""<html><head><title>讲座通知</title><style>p {{color: red}}</style></head>
    <body><h1>讲座通知</h1><p>欢迎参加</p><script>var x = 1;</script>
    <img data-src="https://mmbiz.qpic.cn/x.jpg" src="data:image/gif;base64,R0lGOD">
    <img src="pics/a.png"><img src="data:image/png;base64,{inline}"></body></html>"""
    path = tmp_path / "post.html"
    path.write_text(html, encoding="utf-8")
    draft = parse_rich_draft(path, test_settings)
    assert draft.title == "讲座通知"
    assert "欢迎参加" in draft.body and "color" not in draft.body and "var x" not in draft.body
    remote, local, stored = draft.images
    assert remote == "https://mmbiz.qpic.cn/x.jpg"  # data-src wins: WeChat lazy loading
    assert local == str(tmp_path / "pics" / "a.png")
    assert Path(stored).read_bytes() == png_bytes
    assert Path(stored).parent == test_settings.home / "cache" / "inline"


def test_markdown_image_links(tmp_path, test_settings):
    path = tmp_path / "post.md"
    path.write_text("# 标题\n\n正文 ![图](img/a.png) 和 ![](https://x.com/b.jpg \"t\")\n",
                    encoding="utf-8")
    draft = parse_rich_draft(path, test_settings)
    assert draft.title == "标题" and draft.body.startswith("正文")
    assert draft.images == (str(tmp_path / "img" / "a.png"), "https://x.com/b.jpg")


def test_docx_text_and_pictures(tmp_path, test_settings, png_bytes):
    import docx

    document = docx.Document()
    document.add_heading("招新通知", level=1)
    document.add_paragraph("欢迎加入学生会")
    document.add_picture(io.BytesIO(png_bytes))
    path = tmp_path / "post.docx"
    document.save(path)
    draft = parse_rich_draft(path, test_settings)
    assert draft.title == "招新通知" and draft.body == "欢迎加入学生会"
    stored, = draft.images
    assert Path(stored).read_bytes() == png_bytes


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("bad.docx", b"not a zip", "不是 .docx 文件"),
    ("bad.html", b"\xff\xfe<p>x", "不是有效的 UTF-8 编码"),
    ("empty.html", b"<html><body></body></html>", "稿件是空的"),
    ("x.pdf", b"%PDF", "不支持的文件类型 '.pdf'"),
])
def test_bad_rich_drafts(tmp_path, test_settings, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=problem):
        parse_rich_draft(path, test_settings)


def test_missing_rich_draft(tmp_path, test_settings):
    with pytest.raises(InputError, match="找不到文件"):
        parse_rich_draft(tmp_path / "gone.html", test_settings)


def test_broken_data_uri_is_kept_as_an_unreadable_image(tmp_path, test_settings):
    path = tmp_path / "post.html"
    path.write_text('<p>x</p><img src="data:image/png;base64,@@@@">', encoding="utf-8")
    stored, = parse_rich_draft(path, test_settings).images
    assert Path(stored).exists()  # the images stage then reports it as not an image
