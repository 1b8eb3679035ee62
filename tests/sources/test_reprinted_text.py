"""Reprinted text (第十二条) through the pipeline: a draft that reuses passages of a bank source
gets a copyright finding on exactly the reused spans, naming the source, the share reused and
whether the draft names it; light edits do not hide a copy; unrelated news is not matched."""

from __future__ import annotations

import pytest

from screener import Draft, Screener
from screener.model import Severity, Verdict
from tests.fixtures.sources import (
    LAB,
    LAB_TITLE,
    OPENING,
    OPENING_TITLE,
    UNRELATED,
    fill_bank,
    text_of,
)


@pytest.fixture
def screener(db_settings, source_bank) -> Screener:
    return Screener(db_settings, stages=("terms", "sources"))


def copyright_findings(report):
    return [f for f in report.findings if f.category == "copyright"]


def draft_with(*paragraphs: str, title: str = "新学期寄语") -> tuple[Draft, list[tuple[int, int]]]:
    """A body of the given paragraphs, and where each one is."""
    body, where = "", []
    for paragraph in paragraphs:
        if body:
            body += "\n\n"
        where.append((len(body), len(body) + len(paragraph)))
        body += paragraph
    return Draft(title=title, body=body), where


def test_two_copied_paragraphs_without_attribution_are_flagged_on_exactly_those_spans(
        screener, source_bank):
    _, ids = source_bank
    draft, where = draft_with("新学年开始了，我们系也迎来了新同学。", OPENING[0],
                              "系里还为新生准备了迎新活动，欢迎大家参加。", OPENING[1])
    report = screener.screen(draft)
    found = copyright_findings(report)
    assert [(f.field, f.start, f.end) for f in found] == [("body", *where[1]),
                                                          ("body", *where[3])]
    assert [f.text for f in found] == [OPENING[0], OPENING[1]]
    assert all(f.severity is Severity.REVIEW and f.article == "第十二条（著作权）" for f in found)
    assert report.verdict is Verdict.REVIEW
    first = found[0]
    assert first.term == f"source {ids['opening']}: {OPENING_TITLE}"
    assert "《工学院举办2024年新生开学典礼》（北京大学工学院新闻网）" in first.explanation
    assert "未注明来源" in first.explanation
    # The share of the draft taken from the source: the two paragraphs of four.
    kept = sum(len(p.replace("，", "").replace("。", "").replace("、", ""))
               for p in OPENING[:2])
    total = sum(len(p.replace("，", "").replace("。", "").replace("、", ""))
                for p in ("新学期寄语", draft.body.replace("\n", "")))
    assert first.score == pytest.approx(kept / total, abs=0.01)
    assert f"{first.score * 100:.0f}%" in first.explanation
    # The technical detail is kept apart from the explanation, for programs and --explain.
    assert first.evidence[0].feature.startswith(f"source {ids['opening']}")
    assert set(first.evidence[0].spans) == {("body", *where[1]), ("body", *where[3])}
    assert "MinHash" in first.evidence[1].feature and "MinHash" not in first.explanation


@pytest.mark.parametrize("credit", [
    "来源：北京大学工学院新闻网",
    "（来源：北京大学工学院新闻网）",
    "本文转载自北京大学工学院新闻网",
    "原文链接：https://www.coe.pku.edu.cn/news/2024/opening",
    "[阅读原文](https://coe.pku.edu.cn/news/2024/opening)",
    "来源｜北京大学工学院新闻网",
    "來源：北京大學工學院新聞網",  # written in traditional characters
])
def test_with_a_source_line_naming_the_source_it_is_informational(screener, credit):
    draft, where = draft_with(OPENING[0], OPENING[1], credit)
    report = screener.screen(draft)
    found = copyright_findings(report)
    assert [(f.start, f.end) for f in found] == where[:2]
    assert all(f.severity is Severity.INFO for f in found)
    assert "已注明来源" in found[0].explanation or "已给出原文链接" in found[0].explanation
    assert report.verdict is Verdict.PASS


def test_a_credit_line_naming_another_source_is_not_attribution(screener):
    draft, _ = draft_with(OPENING[0], OPENING[1], "来源：新华社")
    found = copyright_findings(screener.screen(draft))
    assert len(found) == 2 and all(f.severity is Severity.REVIEW for f in found)


def test_the_short_name_of_the_university_names_it(screener):
    draft, _ = draft_with(*LAB, "来源：北大新闻网")
    found = copyright_findings(screener.screen(draft))
    assert found and all(f.severity is Severity.INFO for f in found)


@pytest.mark.parametrize("marker", ["【转载】", "转载", "本文为转载文章。", "（转）"])
def test_a_reprint_marker_without_any_source_line_is_flagged(screener, marker):
    body = f"{marker}\n\n" + "\n\n".join(UNRELATED)
    report = screener.screen(Draft(title="学院简讯", body=body))
    found, = copyright_findings(report)
    assert found.severity is Severity.REVIEW and found.field == "body"
    assert body[found.start:found.end] == found.text and "转" in found.text
    assert "没有注明来源" in found.explanation
    assert report.verdict is Verdict.REVIEW


@pytest.mark.parametrize("body", [
    "转载自北京大学新闻网\n\n" + UNRELATED[0],
    "【转载】\n\n" + UNRELATED[0] + "\n\n来源：中国教育报",
    UNRELATED[0] + "\n\n欢迎转载，转载请注明出处。",
    UNRELATED[0] + "\n\n未经授权，不得转载。",
    UNRELATED[0] + "\n\n如需转载请联系编辑部。",
])
def test_a_reprint_with_a_source_line_or_a_notice_about_reprinting_is_not_flagged(screener,
                                                                                  body):
    assert copyright_findings(screener.screen(Draft(title="学院简讯", body=body))) == []


def _punctuation_changed(text: str) -> str:
    return (text.replace("，", ",").replace("。", "！").replace("、", " ")
            .replace("上午", "上午，"))


def _words_changed(text: str) -> str:
    return (text.replace("隆重举行", "盛大召开").replace("部分家长", "一些家长")
            .replace("回顾了", "总结了").replace("勉励", "鼓励"))


def _reordered(text: str) -> str:
    sentences = [s + "。" for s in text.split("。") if s]
    return "".join(sentences[1:] + sentences[:1])


@pytest.mark.parametrize("edit", [_punctuation_changed, _words_changed, _reordered,
                                  lambda t: _reordered(_words_changed(_punctuation_changed(t)))],
                         ids=["punctuation", "words", "reordered", "all three"])
def test_light_edits_still_find_the_copy(screener, source_bank, edit):
    _, ids = source_bank
    first, second = edit(OPENING[0]), edit(OPENING[1])
    assert first != OPENING[0] and second != OPENING[1]
    draft, where = draft_with(UNRELATED[0], first, second, UNRELATED[1])
    found = copyright_findings(screener.screen(draft))
    assert {f.term for f in found} == {f"source {ids['opening']}: {OPENING_TITLE}"}
    covered = set()
    for f in found:
        covered.update(range(f.start, f.end))
    for start, end in where[1:3]:
        assert len(covered & set(range(start, end))) >= 0.8 * (end - start)
    for start, end in (where[0], where[3]):  # the unrelated paragraphs stay clean
        assert not covered & set(range(start, end))


def test_unrelated_news_is_not_matched(screener):
    report = screener.screen(Draft(title="学院新闻", body="\n\n".join(UNRELATED)))
    assert copyright_findings(report) == []
    assert report.verdict is Verdict.PASS


def test_a_title_and_a_quoted_sentence_are_not_a_reprint(screener):
    """Quoting one sentence, or the source's title, is not reprinting a passage."""
    body = f"据报道，{LAB_TITLE}。其中提到：“研究得到国家自然科学基金的资助。”\n\n" + UNRELATED[2]
    assert copyright_findings(screener.screen(Draft(title=LAB_TITLE, body=body))) == []


def test_a_retired_source_no_longer_matches_and_a_new_one_does(screener, source_bank):
    bank, ids = source_bank
    draft, _ = draft_with(*UNRELATED[:2], OPENING[2])
    assert len(copyright_findings(screener.screen(draft))) == 1
    bank.retire(ids["opening"], reason="撤稿", by="tester")
    assert copyright_findings(screener.screen(draft)) == []
    # The same text added again (under a new id) matches again, in the same long-lived screener.
    again = fill_bank(bank)
    found = copyright_findings(screener.screen(draft))
    assert [f.term for f in found] == [f"source {again['opening']}: {OPENING_TITLE}"]


def test_a_post_is_not_reported_as_reprinting_itself_or_its_own_account(db_settings,
                                                                         fold_normalizer):
    from screener.sources import SourceBank, SourceText

    bank = SourceBank(db_settings.sources_database_url, fold_normalizer)
    text = text_of(OPENING_TITLE, OPENING)
    bank.add(SourceText(text, title=OPENING_TITLE, owner="工学院力学系", license="本院账号已发布",
                        kind="archive", origin="post-7"))
    screener = Screener(db_settings, stages=("sources",))
    itself = Draft(id="post-7", title=OPENING_TITLE, body="\n\n".join(OPENING),
                   account="能源系微博")
    assert copyright_findings(screener.screen(itself)) == []
    own_account = Draft(title="转发", body="\n\n".join(OPENING[:2]), account="工学院力学系")
    assert copyright_findings(screener.screen(own_account)) == []
    other_account = Draft(title="转发", body="\n\n".join(OPENING[:2]), account="能源系微博")
    assert len(copyright_findings(screener.screen(other_account))) == 2


def test_an_empty_bank_screens_without_making_anything(test_settings, raw_db):
    report = Screener(test_settings, stages=("sources",)).screen(
        Draft(title="t", body="\n\n".join(OPENING)))
    assert report.findings == ()
    with raw_db(test_settings.sources_database_url) as db:
        tables = {r[0] for r in db.execute("select name from sqlite_master")}
    assert not any(name.startswith("src_") for name in tables)
