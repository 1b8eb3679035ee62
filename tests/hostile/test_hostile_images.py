"""Hostile pictures through the CLI and the HTTP API: too many, bombs, truncated files, other
formats in a .png's clothing, and paths that lead out of the draft's folder."""

from __future__ import annotations

import io
import json
import os
import struct
import zlib

import numpy as np
from PIL import Image

from tests.fixtures.hostile import client_error, still_serving


def _png(size=(64, 64), seed=0) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 255, (*size, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg(seed=1) -> bytes:
    buffer = io.BytesIO()
    pixels = np.random.default_rng(seed).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def _png_file(width: int, height: int, idat: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat)
            + _chunk(b"IEND", b""))


def bomb_png(side: int) -> bytes:
    """A real PNG of side x side black pixels: a few hundred KB that inflate to side² bytes
    (10,000 -> 100 MB)."""
    row = b"\x00" * (side + 1)  # filter byte + pixels
    packer = zlib.compressobj(9)
    return _png_file(side, side, b"".join(packer.compress(row) for _ in range(side))
                     + packer.flush())


def giant_png() -> bytes:
    """A header claiming 100,000 x 100,000 pixels (10 gigapixels) over a few bytes of data."""
    return _png_file(100_000, 100_000, zlib.compress(b"\x00" * 1000))


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<image href="http://example.invalid/x.png"/><script>alert(1)</script></svg>')
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _draft(folder, images, name="draft.json"):
    path = folder / name
    path.write_text(json.dumps({"title": "图片", "body": "讲座海报", "images": images}),
                    encoding="utf-8")
    return path


def _unreadable(outcome, *words):
    """Verdict review, and one finding per unreadable picture saying what could not be read."""
    assert outcome.code == 10, (outcome.code, outcome.stdout, outcome.stderr)
    report = outcome.reports[0]
    assert report["verdict"] == "review"
    notes = [f["detail"] for f in report["findings"]
             if f["category"] == "stage_error" and f["field"].startswith("image:")]
    assert all("无法检查" in f["explanation"] for f in report["findings"]
               if f["category"] == "stage_error")
    assert len(notes) == len(words), notes
    for note, word in zip(notes, words, strict=True):
        assert word in note and "could not be checked" in note, (word, note)
    return notes


def _upload(world, *images):
    return world.call("operator", "POST", "/api/drafts",
                      data={"account_id": str(world.ids["account"]), "body": "讲座海报"},
                      files=[("images", image) for image in images])


# -- 2,000 images -------------------------------------------------------------------------------
def test_2000_images_in_a_draft_file_is_one_error(screen, tmp_path):
    (tmp_path / "p.png").write_bytes(_png())
    path = _draft(tmp_path, ["p.png"] * 2000)
    outcome = screen(path)
    assert outcome.code == 30 and len(outcome.error_lines) == 1, outcome.stderr
    assert str(path) in outcome.stderr and "有 2,000 张图片" in outcome.stderr


def test_2000_images_in_an_html_draft_is_one_error(screen, tmp_path):
    tag = '<img src="data:image/png;base64,iVBORw0KGgo=">'
    path = tmp_path / "many.html"
    path.write_text(f"<h1>海报</h1><p>讲座</p>{tag * 2000}", encoding="utf-8")
    outcome = screen(path)
    assert outcome.code == 30 and "有 2,000 张图片" in outcome.stderr, outcome.stderr


def test_2000_uploaded_images_are_a_4xx(world):
    picture = _png((8, 8))
    response = _upload(world, *[(f"p{i}.png", picture, "image/png") for i in range(2000)])
    client_error(response)
    assert "ile" in response.json()["error"]["message"]  # "Too many files" or "images"
    response = _upload(world, *[(f"p{i}.png", picture, "image/png") for i in range(21)])
    client_error(response, "21 images")
    still_serving(world)


# -- decompression bombs ----------------------------------------------------------------------
def test_decompression_bombs_are_refused_from_their_header(screen, tmp_path):
    (tmp_path / "bomb.png").write_bytes(bomb_png(10_000))  # 100 Mpx: PIL only warns
    (tmp_path / "giant.png").write_bytes(giant_png())  # 10,000 Mpx: PIL refuses to open it
    outcome = screen(_draft(tmp_path, ["bomb.png", "giant.png"]))
    _unreadable(outcome, "解压炸弹", "解压炸弹")


def test_decompression_bombs_uploaded_are_a_4xx(world):
    for picture in (giant_png(), bomb_png(10_000)):
        response = _upload(world, ("bomb.png", picture, "image/png"))
        if response.status_code == 201:  # accepted as a file; the screening must flag it
            assert response.json()["verdict"] == "review"
            assert "解压炸弹" in json.dumps(response.json(), ensure_ascii=False)
        else:
            client_error(response, "bomb.png")
    still_serving(world)


# -- truncated and disguised files --------------------------------------------------------------
def test_truncated_and_disguised_pictures_are_review_findings(screen, tmp_path):
    png, jpeg = _png(), _jpeg()
    (tmp_path / "cut.png").write_bytes(png[: len(png) // 2])
    (tmp_path / "cut.jpg").write_bytes(jpeg[: len(jpeg) // 2])
    (tmp_path / "svg.png").write_bytes(SVG)
    (tmp_path / "pdf.png").write_bytes(PDF)
    (tmp_path / "empty.png").write_bytes(b"")
    outcome = screen(_draft(tmp_path, ["cut.png", "cut.jpg", "svg.png", "pdf.png", "empty.png"]))
    _unreadable(outcome, "图片损坏或不完整", "图片损坏或不完整", "不是图片", "不是图片", "空文件")


def test_truncated_and_disguised_uploads_are_refused_or_flagged(world):
    png, jpeg = _png(), _jpeg()
    for name, picture in [("cut.png", png[: len(png) // 2]), ("cut.jpg", jpeg[: len(jpeg) // 2]),
                          ("svg.png", SVG), ("pdf.png", PDF), ("empty.png", b"")]:
        response = _upload(world, (name, picture, "image/png"))
        if response.status_code == 201:
            # PIL's verify() does not read a JPEG to its end: the screening reports it instead
            report = response.json()
            assert report["verdict"] == "review", (name, report)
            assert "图片损坏或不完整" in json.dumps(report, ensure_ascii=False), name
        else:
            client_error(response, name)
    still_serving(world)


# -- paths out of the draft's folder -----------------------------------------------------------
def test_image_paths_outside_the_drafts_folder_are_refused_unread(screen, tmp_path):
    folder = tmp_path / "drafts"
    (folder / "img").mkdir(parents=True)
    outside = tmp_path / "secret.png"
    outside.write_bytes(_png(seed=3))
    os.symlink(outside, folder / "img" / "link.png")
    os.symlink("/etc/passwd", folder / "img" / "passwd.png")
    (folder / "img" / "ok.png").write_bytes(_png(seed=4))
    for index, ref in [(0, "../../etc/passwd"), (0, "/etc/passwd"), (0, str(outside)),
                       (0, "img/link.png"), (0, "img/passwd.png"), (1, "img/../../secret.png")]:
        images = ["img/ok.png", ref] if index else [ref]
        path = _draft(folder, images)
        outcome = screen(path)
        assert outcome.code == 30 and len(outcome.error_lines) == 1, (ref, outcome.stderr)
        line = outcome.error_lines[0]
        assert f"images[{index}]" in line and "不在稿件所在文件夹" in line, line
    # inside the folder, absolute or relative, is fine
    outcome = screen(_draft(folder, ["img/ok.png", str(folder / "img" / "ok.png")]))
    assert outcome.code == 0, outcome.stdout + outcome.stderr


def test_markdown_and_html_links_out_of_the_folder_are_refused(screen, tmp_path):
    folder = tmp_path / "drafts"
    folder.mkdir()
    md = folder / "post.md"
    md.write_text("# 海报\n\n讲座 ![x](../../etc/passwd)\n", encoding="utf-8")
    html = folder / "post.html"
    html.write_text('<h1>海报</h1><p>讲座</p><img src="file:///etc/passwd">', encoding="utf-8")
    for path in (md, html):
        outcome = screen(path)
        assert outcome.code == 30 and "不在稿件所在文件夹" in outcome.stderr, (
            outcome.stderr)


def test_uploads_cannot_name_server_files(world, service_config):
    draft = json.dumps({"title": "海报", "body": "讲座", "images": ["../../etc/passwd"]})
    response = world.call("operator", "POST", "/api/drafts",
                          data={"account_id": str(world.ids["account"])},
                          files={"file": ("draft.json", draft.encode(), "application/json")})
    client_error(response, "draft.json", "images[0]", "上传的稿件不能用路径指定图片")
    html = '<h1>海报</h1><img src="/etc/passwd"><img src="../../etc/passwd">'
    response = world.call("operator", "POST", "/api/drafts",
                          data={"account_id": str(world.ids["account"])},
                          files={"file": ("post.html", html.encode(), "text/html")})
    client_error(response, "post.html")
    # an image's file name is only a label: it is stored by its hash inside the upload folder
    response = _upload(world, ("../../etc/passwd", _png(), "image/png"))
    assert response.status_code == 201, response.text
    stored = [p.name for p in service_config.upload_dir.iterdir() if p.is_file()]
    assert len(stored) == 1 and stored[0].endswith(".png") and "passwd" not in stored[0]
    still_serving(world)
