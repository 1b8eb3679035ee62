"""The images stage end to end: bank matches, text in pictures, QR codes, fail-closed cases."""

import io

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont, ImageOps

from screener.images.bank import AssetBank
from screener.images.config import assets_url, image_config
from screener.images.ocr import OcrCache, OcrEngine
from screener.model import Draft
from screener.pipeline import run
from screener.stages import build_stages

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


@pytest.fixture(scope="module")
def stage(resources):
    stage, = build_stages(resources, ("images",))
    return stage


@pytest.fixture(scope="module")
def bank(resources):
    return AssetBank(assets_url(resources.settings), image_config(resources.settings))


def _screen(resources, stage, *paths):
    return run(Draft(title="t", body="b", images=tuple(str(p) for p in paths)), resources,
               [stage])


def test_missing_and_remote_images_fail_closed(resources, stage, tmp_path):
    report = _screen(resources, stage, tmp_path / "gone.png", "https://example.com/a.jpg")
    assert [(f.category, f.field) for f in report.findings] == [
        ("stage_error", "image:0"), ("stage_error", "image:1")]
    assert "找不到图片文件" in report.findings[0].detail
    assert "图片1无法检查：找不到图片文件" in report.findings[0].explanation
    assert "https://example.com/a.jpg" in report.findings[1].detail
    assert "图片2" in report.findings[1].explanation
    assert "远程图片" in report.findings[1].explanation
    # Nothing was read, so there is no box; the picture is named.
    assert [f.location.image for f in report.findings] == [0, 1]
    assert [f.location.box for f in report.findings] == [None, None]
    assert report.verdict == "review"


def test_corrupt_image_is_a_finding_not_a_crash(resources, stage, tmp_path):
    path = tmp_path / "fake.jpg"
    path.write_text("this is a text file", encoding="utf-8")
    finding, = _screen(resources, stage, path).findings
    assert finding.category == "stage_error" and "不是图片" in finding.detail
    assert "文件内容不是已知的图片格式" in finding.explanation


def test_bank_match_becomes_a_copyright_finding(resources, stage, bank, photos, tmp_path):
    source = tmp_path / "asset.png"
    photos["china"].save(source)
    asset = bank.add(source, kind="copyright", title="Temple", owner="Photo Agency").asset
    pasted = tmp_path / "pasted.jpg"
    ImageOps.mirror(photos["china"]).crop((60, 40, 600, 400)).save(pasted, quality=40)
    clean = tmp_path / "own.jpg"
    photos["flower"].save(clean)
    report = _screen(resources, stage, clean, pasted)
    finding, = report.findings
    assert (finding.category, finding.field, finding.article) == (
        "copyright", "image:1", "第十二条（著作权）")
    assert f"asset {asset.id}" in finding.term and "Temple" in finding.term
    assert "Photo Agency" in finding.explanation and "图片2" in finding.explanation
    assert "inliers" in finding.detail
    assert dict((e.feature, e.weight) for e in finding.evidence)["ransac_inliers"] >= 15
    location = finding.location
    assert location.image == 1 and location.size == (540, 360)
    x0, y0, x1, y1 = location.box
    assert 0 <= x0 < x1 <= 540 and 0 <= y0 < y1 <= 360 and (x1 - x0) * (y1 - y0) > 0.8 * 540 * 360
    bank.retire(asset.id, reason="licence bought")
    assert _screen(resources, stage, pasted).findings == ()


def test_emblem_in_an_animated_gif_frame(resources, stage, bank, tmp_path):
    emblem = _emblem()
    emblem_path = tmp_path / "emblem.png"
    emblem.save(emblem_path)
    bank.add(emblem_path, kind="emblem", title="School emblem", owner="PKU")
    # Distinct frames: Pillow merges identical consecutive ones.
    frames = [Image.new("RGB", (400, 400), (250, 250 - 20 * i, 250)) for i in range(3)]
    frames[2].paste(emblem.resize((300, 300)), (50, 50))
    gif = tmp_path / "anim.gif"
    frames[0].save(gif, save_all=True, append_images=frames[1:], duration=100)
    finding, = _screen(resources, stage, gif).findings
    assert finding.category == "emblem" and finding.article == "第二条（名称与标识）"
    assert "图片1第3帧" in finding.explanation and "frame 3 of 3" in finding.detail
    assert finding.location.frame == 2 and finding.location.size == (400, 400)
    x0, y0, x1, y1 = finding.location.box  # pasted at (50, 50), 300 px wide
    assert abs(x0 - 50) <= 12 and abs(y0 - 50) <= 12 and abs(x1 - 350) <= 12


def _emblem() -> Image.Image:
    """A synthetic emblem with enough structure for local features."""
    rng = np.random.default_rng(5)
    image = Image.new("RGB", (360, 360), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 350, 350), outline=(150, 0, 0), width=12)
    for _ in range(60):
        x, y = (int(v) for v in rng.integers(60, 300, 2))
        size = int(rng.integers(8, 30))
        draw.rectangle((x, y, x + size, y + size // 2), fill=(150, 0, 0))
    return image


def _caption_image(text: str) -> Image.Image:
    image = Image.new("RGB", (520, 120), (255, 255, 255))
    font = ImageFont.truetype(CJK_FONT, 40)
    ImageDraw.Draw(image).text((20, 35), text, font=font, fill=(0, 0, 0))
    return image


def test_chinese_caption_is_read_and_matched(resources, stage, tmp_path):
    path = tmp_path / "caption.png"
    _caption_image("扫码购买优惠课程").save(path)
    report = _screen(resources, stage, path)
    finding, = [f for f in report.findings if f.category == "commercial"]
    assert finding.field == "image:0" and finding.text == "扫码购买"
    assert "图片1第1行文字" in finding.explanation
    x0, y0, x1, y1 = finding.location.box  # the line, drawn at (20, 35) in 40 px glyphs
    assert 0 <= x0 <= 30 and 20 <= y0 <= 50 and 300 <= x1 <= 520 and 60 <= y1 <= 110
    assert len(finding.location.polygon) == 4


def test_ocr_is_cached_by_content_hash(tmp_path):
    calls = []

    class Counting(OcrEngine):
        def read(self, rgb):
            calls.append(1)
            return super().read(rgb)

    rgb = np.asarray(_caption_image("内部资料"))
    first = OcrCache(tmp_path, Counting).read("abc", rgb)
    second = OcrCache(tmp_path, Counting).read("abc", rgb)
    assert len(calls) == 1 and first == second and "内部资料" in first.text
    assert (tmp_path / "abc.json").read_text(encoding="utf-8").startswith("{")


def _qr(payload: str) -> Image.Image:
    import qrcode

    return qrcode.make(payload, box_size=8, border=4).get_image().convert("RGB")


@pytest.mark.parametrize(("payload", "flagged"), [
    ("https://shop.example.com/buy?id=1", True),
    ("https://pku.edu.cn.evil.com/", True),
    ("weixin://contacts/profile/abc", True),
    ("https://www.coe.pku.edu.cn/news", False),
    ("http://pku.edu.cn", False),
])
def test_qr_codes_outside_the_school_are_commercial(resources, stage, tmp_path, payload,
                                                    flagged):
    path = tmp_path / "qr.png"
    _qr(payload).save(path)
    found = [f for f in _screen(resources, stage, path).findings if f.category == "commercial"]
    assert bool(found) is flagged
    if flagged:
        assert found[0].term == payload and payload in found[0].explanation
        x0, y0, x1, y1 = found[0].location.box  # the code fills the picture but its border
        size = found[0].location.size
        assert 0 < x0 < x1 < size[0] and 0 < y0 < y1 < size[1]


def test_qr_from_opencv_encoder_inside_a_photo(resources, stage, photos, tmp_path):
    code = cv2.QRCodeEncoder.create().encode("https://buy.example.com")
    code = cv2.resize(code, None, fx=6, fy=6, interpolation=cv2.INTER_NEAREST)
    picture = photos["flower"].copy()
    picture.paste(ImageOps.expand(Image.fromarray(code).convert("RGB"), 20, "white"), (40, 40))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    path = tmp_path / "flyer.png"
    path.write_bytes(buffer.getvalue())
    findings = _screen(resources, stage, path).findings
    assert any(f.term == "https://buy.example.com" for f in findings)
