"""A table reprinted as a picture: the text the images stage reads in it (the real OCR model)
is checked against the bank like the draft's own text, on field ``image:N``."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from screener import Draft, Screener
from screener.model import Severity
from screener.sources import SourceBank
from tests.fixtures.sources import TABLE_ROWS, TABLE_TITLE, UNRELATED, fill_bank

CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
COLUMNS = (20, 280, 440, 600, 740)
ROW = 56


def table_picture(rows: list[list[str]], path) -> str:
    """The admissions table as a screenshot: ruled cells, one line of text in each."""
    image = Image.new("RGB", (COLUMNS[-1] + 20, ROW * len(rows) + 40), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(CJK_FONT, 30)
    top = 20
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            draw.text((COLUMNS[c] + 12, top + r * ROW + 10), cell, font=font, fill="black")
    for r in range(len(rows) + 1):
        draw.line([(COLUMNS[0], top + r * ROW), (COLUMNS[-1], top + r * ROW)], "black", 2)
    for x in COLUMNS:
        draw.line([(x, top), (x, top + ROW * len(rows))], "black", 2)
    image.save(path)
    return str(path)


@pytest.fixture
def screener(test_settings, fold_normalizer):
    fill_bank(SourceBank(test_settings.sources_database_url, fold_normalizer))
    return Screener(test_settings, stages=("images", "sources"))


def test_a_screenshot_of_a_bank_table_is_flagged_on_the_picture(screener, tmp_path):
    picture = table_picture(TABLE_ROWS, tmp_path / "table.png")
    report = screener.screen(Draft(title="招生简讯", body=UNRELATED[0], images=(picture,)))
    found = [f for f in report.findings if f.category == "copyright"]
    assert found, [f.explanation for f in report.findings]
    assert {f.field for f in found} == {"image:0"}
    assert all(f.severity is Severity.REVIEW for f in found)
    assert all(TABLE_TITLE in f.term for f in found)
    # The finding is on the table's text as read, with its place in the picture.
    assert "工程力学" in "".join(f.text for f in found)
    assert "图片" in found[0].explanation


def test_a_screenshot_credited_in_the_body_is_informational(screener, tmp_path):
    picture = table_picture(TABLE_ROWS, tmp_path / "table.png")
    draft = Draft(title="招生简讯", body=UNRELATED[0] + "\n\n表格来源：工学院本科生招生办公室",
                  images=(picture,))
    found = [f for f in screener.screen(draft).findings if f.category == "copyright"]
    assert found and all(f.severity is Severity.INFO for f in found)


def test_a_table_of_other_figures_is_not_matched(screener, tmp_path):
    other = [TABLE_ROWS[0], ["体育馆", "12", "3", "18"], ["图书馆", "30", "7", "25"],
             ["食堂", "8", "2", "11"]]
    picture = table_picture(other, tmp_path / "other.png")
    report = screener.screen(Draft(title="后勤简讯", body=UNRELATED[1], images=(picture,)))
    assert [f for f in report.findings if f.category == "copyright"] == []
