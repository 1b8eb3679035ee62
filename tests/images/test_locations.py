"""Every picture finding says where it is, in the picture's own pixels, for pages to draw: the
picture, the frame, a box inside the picture and, where the region is no upright rectangle,
its corners."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from screener.images.bank import AssetBank
from screener.images.config import assets_url, image_config
from screener.images.ocr import OcrEngine
from screener.images.pool import InProcess
from screener.model import Draft
from screener.stages.images import screen_pictures

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
ADVERT = ["考研数学冲刺班火热招生", "名师一对一辅导 保过班", "限时优惠 原价3999 现价1999",
          "咨询电话 19853132083", "加微信 kaoyan2026 报名"]


def _inside(location, size) -> None:
    w, h = size
    assert location.size == size
    x0, y0, x1, y1 = location.box
    assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h, (location.box, size)
    if location.polygon is not None:
        assert all(0 <= x <= w and 0 <= y <= h for x, y in location.polygon)


@pytest.fixture(scope="module")
def poster(tmp_path_factory, photos, resources):
    """A 1600-pixel poster (reduced to 1024 for checking: boxes must come back to 1600): a bank
    photo pasted in, an advert in five lines, a QR code to a shop."""
    import qrcode

    folder = tmp_path_factory.mktemp("located")
    photos["china"].save(folder / "asset.png")
    AssetBank(assets_url(resources.settings), image_config(resources.settings)).add(
        folder / "asset.png", kind="copyright", title="Temple")
    canvas = Image.new("RGB", (1600, 1400), (250, 245, 235))
    canvas.paste(photos["china"].resize((640, 427)), (880, 60))
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.truetype(CJK_FONT, 56)
    for number, line in enumerate(ADVERT):
        draw.text((60, 620 + 90 * number), line, font=font, fill=(20, 20, 20))
    code = qrcode.make("https://shop.example.com/buy", box_size=10, border=4).get_image()
    canvas.paste(code.convert("RGB").resize((330, 330)), (1180, 1000))
    path = folder / "poster.png"
    canvas.save(path)
    return str(path)


def test_each_kind_of_picture_finding_has_its_box_in_the_picture(resources, poster):
    findings = screen_pictures(Draft(title="t", body="b", images=("gone.png", poster)),
                               resources, runner=InProcess(1))
    by_kind = {}
    for finding in findings:
        assert finding.location is not None and finding.location.image == int(
            finding.field.split(":")[1])
        kind = ("unreadable" if finding.category == "stage_error" else
                "bank" if finding.category == "copyright" else
                "qr" if finding.term.startswith("https://") else
                "text" if finding.term else "score")
        by_kind.setdefault(kind, finding)
    assert set(by_kind) == {"unreadable", "bank", "qr", "text", "score"}
    assert by_kind["unreadable"].location.box is None  # nothing could be read
    for kind in ("bank", "qr", "text", "score"):
        _inside(by_kind[kind].location, (1600, 1400))
    x0, y0, x1, y1 = by_kind["bank"].location.box
    assert abs(x0 - 880) < 40 and abs(y0 - 60) < 40 and abs(x1 - 1520) < 40
    x0, y0, x1, y1 = by_kind["qr"].location.box
    assert 1180 <= x0 < x1 <= 1510 and 1000 <= y0 < y1 <= 1330
    assert len(by_kind["qr"].location.polygon) == 4
    x0, y0, x1, y1 = by_kind["score"].location.box  # the advert's lines, not the photo
    assert x0 < 200 and 560 < y0 and y1 < 1120 and x1 < 1000
    assert "图片2" in by_kind["text"].explanation and "行文字" in by_kind["text"].explanation


def test_text_that_cannot_be_read_is_reported_with_the_whole_picture(resources, poster,
                                                                     monkeypatch, tmp_path):
    def broken(self, rgb, timings=None):
        raise RuntimeError("ONNX session lost")

    monkeypatch.setattr(OcrEngine, "read", broken)
    fresh = tmp_path / "fresh.png"  # other bytes: not in the OCR cache
    image = Image.open(poster)
    image.putpixel((0, 0), (0, 0, 0))
    image.save(fresh)
    findings = screen_pictures(Draft(title="t", body="b", images=(str(fresh),)), resources,
                               runner=InProcess(1), with_scores=False)
    error, = [f for f in findings if f.category == "stage_error"]
    assert "文字无法识别" in error.explanation and "ONNX session lost" in error.explanation
    assert error.location.box == (0, 0, 1600, 1400)
    assert [f.category for f in findings if f.category != "stage_error"] == ["copyright",
                                                                             "commercial"]
