"""Text read from a picture is judged like the draft's own text: terms and classifier scores,
on field ``image:N``, with the box of the lines that drove the finding."""

import pytest
from PIL import Image, ImageDraw, ImageFont

from screener.model import Draft
from screener.pipeline import run
from screener.stages import build_stages

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
LINE_HEIGHT, TOP = 60, 30

EVENT = ["工学院秋季运动会", "时间：10月18日上午", "地点：五四体育场", "欢迎同学们踊跃参加"]
ADVERT = ["考研数学冲刺班火热招生", "名师一对一辅导 保过班", "限时优惠 原价3999 现价1999",
          "咨询电话 19853132083", "加微信 kaoyan2026 报名"]
NOTICE = ["内部资料 注意保密", "机密 不得外传", "涉密文件不得擅自复制", "请各单位阅后收回"]
HEADING = ["运动会时间：10月18日"]
CLEAN_BODY = "本周学院举办了多场学术活动，欢迎大家关注。"


@pytest.fixture(scope="module")
def all_stages(resources):
    return build_stages(resources, ("terms", "classify", "images"))


def poster(lines: list[str], path) -> str:
    image = Image.new("RGB", (760, TOP * 2 + LINE_HEIGHT * len(lines)), (255, 250, 240))
    font = ImageFont.truetype(CJK_FONT, 36)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((30, TOP + LINE_HEIGHT * number), line, font=font, fill=(20, 20, 20))
    image.save(path)
    return str(path)


def line_top(number: int) -> int:
    return TOP + LINE_HEIGHT * number


def _box(finding) -> tuple[int, int, int, int]:
    return finding.location.box


def screen(resources, stages, *images, body=CLEAN_BODY):
    return run(Draft(title="学院简讯", body=body, images=tuple(images)), resources, stages)


def test_an_advert_poster_is_a_commercial_finding_on_the_image(resources, all_stages,
                                                               tmp_path):
    report = screen(resources, all_stages, poster(EVENT, tmp_path / "event.png"),
                    poster(ADVERT, tmp_path / "advert.png"))
    judged = [f for f in report.findings if f.stage == "images" and f.category == "commercial"
              and not f.term]
    finding, = judged
    assert finding.field == "image:1" and finding.severity.value == "review"
    assert finding.score >= 0.931 and "commercial classifier score" in finding.detail
    assert "咨询电话" in finding.text or "考研" in finding.text
    # Evidence points into the text read from the picture, on the same field.
    spans = [span for item in finding.evidence for span in item.spans]
    assert spans and all(field == "image:1" for field, _, _ in spans)
    # The draft's own text is clean: the classify stage alone found nothing commercial.
    assert not [f for f in report.findings if f.stage == "classify"]
    # The event poster says nothing a classifier flags.
    assert not [f for f in report.findings if f.field == "image:0"]
    x0, y0, x1, y1 = _box(finding)
    assert 0 <= x0 < 60 and y0 >= line_top(0) - 10 and y1 <= line_top(len(ADVERT)) + 10
    assert report.verdict == "review"


def test_the_box_holds_the_lines_that_drove_the_score(resources, all_stages, tmp_path):
    """A confidential notice under an ordinary heading: the box starts below the heading."""
    report = screen(resources, all_stages, poster(HEADING + NOTICE, tmp_path / "mixed.png"))
    finding, = [f for f in report.findings if f.category == "confidential"
                and f.stage == "images" and not f.term]
    assert finding.field == "image:0"
    _, y0, _, y1 = _box(finding)
    assert y0 >= line_top(len(HEADING)) - 10, "box reaches up into the heading"
    assert y1 <= line_top(len(HEADING + NOTICE)) + 10
    assert "运动会" not in finding.text and ("保密" in finding.text or "机密" in finding.text)
    assert finding.text in "\n".join(NOTICE).replace(" ", "")


def test_image_text_feeds_the_term_matcher_too(resources, all_stages, tmp_path):
    report = screen(resources, all_stages, poster(ADVERT, tmp_path / "advert.png"))
    terms = [f for f in report.findings if f.stage == "images" and f.term]
    assert terms, "lexicon terms in the advert were not found"
    for finding in terms:
        assert finding.field == "image:0" and finding.text and finding.location.box is not None


def test_without_the_classify_stage_image_text_is_not_scored(resources, tmp_path):
    stages = build_stages(resources, ("terms", "images"))
    report = screen(resources, stages, poster(ADVERT, tmp_path / "advert.png"))
    assert report.scores == {}
    assert all(f.term for f in report.findings if f.stage == "images")
