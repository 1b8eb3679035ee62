"""--incremental gives exactly what a full re-screening gives, while screening only the posts
that a lexicon change can touch."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import select

from screener.classify import registry_for
from screener.lexicon import Entry
from screener.lexicon.maintain import Who, add_terms, allow_phrases, edit_term, retire_terms
from screener.model import Severity
from screener.rescreen import db as rsdb
from screener.rescreen import import_paths, rescreen
from screener.rescreen.incremental import Probe, ProbeSpec, changed_entries
from tests.fixtures.core import SHIPPED_LEXICONS, make_settings

WHO = Who("tester", "incremental re-screening, test")
POSTS = 400
# Summary keys that describe how the run went rather than what it found.
HOW = ("run_id", "incremental", "carried_forward")


def _round_one(settings) -> None:
    # a longer term swallows the nested 遗体告别 hit; a partly overlapping one sits beside it
    add_terms(settings, ["遗体告别仪式"], "major_news", WHO)
    add_terms(settings, ["告别仪式另行", "班子调整"], "unhealthy", WHO)  # 班子调整: nested
    retire_terms(settings, ["涉密文件"], WHO)
    add_terms(settings, ["一个不会出现的词语"], "commercial", WHO)


def _round_two(settings) -> None:
    edit_term(settings, "密级", WHO, severity="block")
    allow_phrases(settings, ["加微信时请备注"], WHO)  # hides 加微信 there
    add_terms(settings, ["报名", "咨询"], "commercial", WHO)  # common: classifier features move
    add_terms(settings, ["备注"], "commercial", WHO, boundary=True)  # jieba's dictionary changes
    retire_terms(settings, ["领导班子调整"], WHO)  # the nested 班子调整 is no longer hidden


def _reports(settings) -> dict[str, dict[str, dict]]:
    """version -> post -> report without timings and creation time."""
    engine = rsdb.open_db(settings)
    result: dict[str, dict[str, dict]] = {}
    with engine.connect() as conn:
        for row in conn.execute(select(rsdb.reports.c.post_id, rsdb.reports.c.version,
                                       rsdb.reports.c.verdict, rsdb.reports.c.report)):
            report = json.loads(row.report)
            assert report["verdict"] == row.verdict
            for key in ("timings", "created_at"):
                report.pop(key)
            result.setdefault(row.version, {})[row.post_id] = report
    return result


def _what(summary) -> dict:
    data = summary.to_dict()
    return {k: v for k, v in data.items() if k not in HOW}


@pytest.fixture
def two_archives(tmp_path, shared_cache, corpus_posts, write_jsonl):
    archive = write_jsonl(tmp_path / "a.jsonl", corpus_posts(POSTS))
    homes = []
    for name in ("full", "incremental"):
        settings = make_settings(tmp_path / name, SHIPPED_LEXICONS, shared_cache)
        assert import_paths([archive], settings).imported == POSTS
        homes.append(settings)
    return homes


def test_incremental_equals_full(two_archives):
    full, inc = two_archives
    assert _what(rescreen(full)) == _what(rescreen(inc, incremental=True))

    for change, jobs in ((_round_one, 1), (_round_two, 2)):
        change(full)
        change(inc)
        by_full = rescreen(full)
        by_inc = rescreen(inc, incremental=True, jobs=jobs)
        assert by_inc.version == by_full.version
        assert _what(by_inc) == _what(by_full)
        # it did skip most posts, and it did screen the touched ones again
        assert POSTS // 2 < by_inc.carried_forward < POSTS
        assert by_full.carried_forward == 0
        assert by_full.newly_flagged or by_full.cleared or by_full.changed
        reports_full, reports_inc = _reports(full), _reports(inc)
        assert reports_inc[by_inc.version] == reports_full[by_full.version]
        for report in reports_inc[by_inc.version].values():  # carried reports name the new one
            assert report["lexicon_version"] == by_inc.lexicon_version

    # what changed, to know the comparison above covered these cases
    reports = _reports(full)
    first, middle, last = sorted(reports, key=lambda v: int(v.split("-")[1]))

    def found(version):
        return {(p, f["term"], f["field"], f["start"]) for p, r in reports[version].items()
                for f in r["findings"]}

    gained = {t for _, t, _, _ in found(last) - found(first)}
    lost = {t for _, t, _, _ in found(first) - found(last)}
    assert {"遗体告别仪式", "告别仪式另行", "班子调整", "报名", "咨询"} <= gained
    assert {"遗体告别", "涉密文件", "加微信", "领导班子调整"} <= lost
    # after round one 班子调整 was swallowed by 领导班子调整 (yet those posts were re-checked)
    assert "班子调整" not in {t for _, t, _, _ in found(middle)}
    assert any(f["term"] == "密级" and f["severity"] == "block"
               for r in reports[last].values() for f in r["findings"])


def test_carried_reports_are_marked(two_archives):
    _, inc = two_archives
    rescreen(inc, stages=("terms",))
    add_terms(inc, ["班子调整"], "unhealthy", WHO)
    summary = rescreen(inc, incremental=True, stages=("terms",))
    engine = rsdb.open_db(inc)
    with engine.connect() as conn:
        rows = conn.execute(select(rsdb.reports.c.post_id, rsdb.reports.c.seq,
                                   rsdb.reports.c.carried_from, rsdb.reports.c.version)).all()
    current = [r for r in rows if r.version == summary.version]
    carried = [r for r in current if r.carried_from is not None]
    assert len(carried) == summary.carried_forward and 0 < len(carried) < POSTS
    earlier = {r.post_id: r.seq for r in rows if r.version != summary.version}
    assert all(r.carried_from == earlier[r.post_id] for r in carried)
    # nothing to do a second time, and resuming skips what is stored
    again = rescreen(inc, incremental=True, stages=("terms",))
    assert again.screened_now == 0 and again.screened == POSTS


def test_a_promoted_model_means_full_screening_of_exactly_the_posts_it_changes(
        two_archives, eager_copy):
    _, inc = two_archives
    registry = registry_for(inc)
    shipped = registry.shipped().version
    rescreen(inc, account="acct0", stages=("terms",))  # with the shipped model
    promoted = eager_copy(inc)
    registry.promote(str(promoted.number), by="tester", reason="test")
    rescreen(inc, account="acct1", stages=("terms",))  # with the promoted one
    add_terms(inc, ["一个不会出现的词语"], "commercial", WHO)
    summary = rescreen(inc, incremental=True, stages=("terms",))
    assert summary.model_version == promoted.version
    last = _latest(inc)
    acct1 = _posts_of(inc, "acct1")
    # acct1's reports were made with the model in force: probed, and carried forward; acct0's
    # model changed and acct2 had no report: screened in full
    assert {p for p, (_, carried) in last.items() if carried} == acct1
    assert summary.carried_forward == len(acct1) and summary.screened_now == POSTS
    assert {model for model, _ in last.values()} == {promoted.version}
    registry.rollback(by="tester", reason="test")
    back = rescreen(inc, incremental=True, stages=("terms",))
    assert back.model_version == shipped and back.carried_forward == 0
    assert back.screened_now == POSTS


def _posts_of(settings, account: str) -> set[str]:
    engine = rsdb.open_db(settings)
    with engine.connect() as conn:
        return set(conn.execute(select(rsdb.posts.c.id).where(rsdb.posts.c.account == account))
                   .scalars())


def _latest(settings) -> dict[str, tuple[str, bool]]:
    """Each post's newest report: (model version, carried forward)."""
    engine = rsdb.open_db(settings)
    found: dict[str, tuple[int, str, bool]] = {}
    with engine.connect() as conn:
        for row in conn.execute(select(rsdb.reports.c.post_id, rsdb.reports.c.seq,
                                       rsdb.reports.c.model_version,
                                       rsdb.reports.c.carried_from)):
            if row.post_id not in found or row.seq > found[row.post_id][0]:
                found[row.post_id] = (row.seq, row.model_version, row.carried_from is not None)
    return {post: (model, carried) for post, (_, model, carried) in found.items()}


def _entry(term, category="commercial", severity=Severity.REVIEW, boundary=False, source="x"):
    return Entry(term, category, severity, "art", boundary, source)


def test_changed_entries():
    old = [_entry("a"), _entry("b"), _entry("c", boundary=True)]
    new = [_entry("a"), _entry("b", severity=Severity.BLOCK), _entry("c", boundary=True),
           _entry("d")]
    assert {(e.term, str(e.severity)) for e in changed_entries(old, new)} == \
        {("b", "review"), ("b", "block"), ("d", "review")}
    # a new boundary-sensitive term changes jieba's dictionary: every such entry is probed
    more = [*new, _entry("e", boundary=True)]
    assert {e.term for e in changed_entries(new, more)} == {"c", "e"}
    assert changed_entries(new, new) == []


ALPHABET = "代孕写作业秘密★加微信vxVX.。, \n★❤*涉密文件"


@given(st.lists(st.lists(st.text(alphabet=ALPHABET, max_size=12), max_size=3), max_size=6))
@hypothesis_settings(max_examples=150, deadline=None)
def test_probe_of_many_posts_in_one_call_equals_one_call_per_text(normalizer, posts):
    spec = ProbeSpec.of([_entry("代写"), _entry("秘密★", "confidential"), _entry("加vx"),
                         _entry("代孕", boundary=True), _entry("x.")], normalizer, 4)
    probe = Probe(spec, normalizer)
    assert probe.joinable
    assert probe._keys_touched(posts) == {i for i, texts in enumerate(posts) if probe._any(texts)}


def test_probe_sees_evasion_spellings(normalizer):
    probe = Probe(ProbeSpec.of([_entry("代写"), _entry("代孕")], normalizer, 4), normalizer)
    posts = [["标题", "专业代 写"], ["daiyun"], ["代*孕"], ["代，写"], [""], [],
             ["提供带写服务"], ["\n代\n孕\n"], ["代yun"], ["dai4yun4"], ["新时代，孕育"]]
    # 代，写 alone is a spaced-out term now; 带写 a homophone, the rest evasion spellings
    assert probe.touched(posts) == {0, 1, 2, 3, 6, 7, 8, 9}


CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def _caption(path, text: str):
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (520, 120), (255, 255, 255))
    ImageDraw.Draw(image).text((20, 35), text, font=ImageFont.truetype(CJK_FONT, 40),
                               fill=(0, 0, 0))
    image.save(path)
    return str(path)


def test_text_in_images_is_probed_from_the_ocr_cache(tmp_path, shared_cache, write_jsonl,
                                                     monkeypatch):
    settings = make_settings(tmp_path / "home", SHIPPED_LEXICONS, shared_cache)
    posts = [{"id": "poster", "body": "本周讲座海报", "published_at": "2024-05-01",
              "images": [_caption(tmp_path / "a.png", "欢迎报名参加讲座")]},
             {"id": "photo", "body": "校园风景", "published_at": "2024-05-02",
              "images": [_caption(tmp_path / "b.png", "图书馆开放时间")]}]
    import_paths([write_jsonl(tmp_path / "a.jsonl", posts)], settings)
    rescreen(settings)  # reads the images once; the OCR cache keeps what it read

    from screener.images.ocr import OcrEngine

    def no_more_ocr(self, rgb):
        raise AssertionError("OCR ran again instead of using the cache")

    monkeypatch.setattr(OcrEngine, "read", no_more_ocr)
    add_terms(settings, ["报名参加"], "commercial", WHO)  # only in the poster's picture
    summary = rescreen(settings, incremental=True)
    assert summary.carried_forward == 1  # the photo
    reports = _reports(settings)[summary.version]
    poster = [(f["field"], f["term"]) for f in reports["poster"]["findings"]]
    assert ("image:0", "报名参加") in poster
    assert all(f["category"] != "stage_error" for r in reports.values() for f in r["findings"])


def test_changed_shipped_files_mean_full_screening(tmp_path, shared_cache, corpus_posts,
                                                    write_jsonl):
    import shutil

    lexicons = tmp_path / "lexicons"
    shutil.copytree(SHIPPED_LEXICONS, lexicons)
    settings = make_settings(tmp_path / "home", lexicons, shared_cache)
    import_paths([write_jsonl(tmp_path / "a.jsonl", corpus_posts(60))], settings)
    rescreen(settings, stages=("terms",))
    # the earlier version cannot be rebuilt over the new files: nothing may be carried forward
    with (lexicons / "commercial.txt").open("a", encoding="utf-8") as handle:
        handle.write("一个新加入文件的词\n")
    summary = rescreen(settings, incremental=True, stages=("terms",))
    assert summary.screened_now == 60 and summary.carried_forward == 0


def test_a_report_stored_between_a_carried_one_and_its_source_is_compared(two_archives):
    # Two runs of different versions at once can store a report for a post between the one a
    # carried report repeats and the carried one: the summary must compare with that report.
    _, inc = two_archives
    rescreen(inc, stages=("terms",))
    add_terms(inc, ["班子调整"], "unhealthy", WHO)
    summary = rescreen(inc, incremental=True, stages=("terms",))
    r = rsdb.reports
    engine = rsdb.open_db(inc)
    with engine.begin() as conn:
        carried = conn.execute(select(r).where(r.c.version == summary.version,
                                               r.c.carried_from.is_not(None),
                                               r.c.verdict == "pass")).first()
        top = conn.execute(select(r.c.seq).order_by(r.c.seq.desc())).scalar()
        conn.execute(r.insert().values(
            seq=top + 1, post_id=carried.post_id, version="other|m", lexicon_version="other",
            model_version="m", verdict="block", report=carried.report, created_at="now"))
        conn.execute(r.update().where(r.c.seq == carried.seq).values(seq=top + 2))
    again = rescreen(inc, incremental=True, stages=("terms",))
    assert again.screened_now == 0
    assert [c["id"] for c in again.cleared] == [carried.post_id]
    assert again.unchanged == summary.unchanged - 1
