"""Candidate lexicon terms: the category judged from the term, the reasons for leaving one out,
and the false-alarm measurement on the clean corpus (our own example terms)."""

from __future__ import annotations

import pytest

from screener.corpus.build import build
from screener.lexicon.candidates import judge, select, write_lexicons, write_report
from tests.fixtures.corpus import build_mirror, make_repo, sha


@pytest.mark.parametrize(("term", "tag", "category"), [
    ("出售气枪", "", "illegal"),
    ("代开发票", "", "illegal"),
    ("包夜服务", "unhealthy", "unhealthy"),
    ("淘宝刷单", "commercial", "commercial"),
    ("代办假毕业证", "commercial", None),  # the words say illegal, the list says commercial
    ("严禁出售气枪", "", None),  # names the fight against it
    ("毒品", "", None),  # names the thing, not a trade in it
    ("强奸", "unhealthy", None),  # a word news and lectures use as it is
    ("学术讲座", "", None),  # no category of ours
])
def test_judge(term, tag, category):
    assert judge(term, tag)[0] == category


def test_select_publishes_only_what_passes_and_counts_the_rest(tmp_path, test_settings):
    sources = build_mirror(tmp_path)
    mirror = tmp_path / "mirror"
    terms = "\n".join(["出售气枪", "出售气枪批发", "严禁出售气枪", "www.example.com", "AB",
                       "包夜服务", "淘宝刷单", "代开发票", "高考报名", "出售气枪", "x"]) + "\n"
    commit, _ = make_repo(mirror, "fixture/words", {"words.txt": terms.encode()})
    sources.write_text(sources.read_text(encoding="utf-8") + f'''
[[source]]
name = "words"
repository = "fixture/words"
commit = "{commit}"
licence = "ours"
format = "lexicon_lines"
  [[source.file]]
  path = "words.txt"
  sha256 = "{sha(terms.encode())}"
  role = "candidates"
''', encoding="utf-8")
    corpus = tmp_path / "corpus"
    build(mirror, corpus, sources)
    report = select(mirror, test_settings, corpus, sources)
    by_term = {d.term: d for d in report.decisions}
    published = {d.term: d.category for d in report.accepted()}
    assert published["出售气枪"] == "illegal" and published["包夜服务"] == "unhealthy"
    assert published["淘宝刷单"] == "commercial"
    assert "出售气枪批发" not in published  # the shorter term already fires there
    assert "shorter term" in by_term["出售气枪批发"].reason
    assert "web address" in by_term["www.example.com"].reason
    assert "no Chinese character" in by_term["AB"].reason
    assert "fight against" in by_term["严禁出售气枪"].reason
    assert "single character" in by_term["x"].reason
    assert report.clean_texts > 0 and report.clean_digest
    folder = tmp_path / "lexicons"
    folder.mkdir()
    paths = write_lexicons(report, folder)
    illegal = (folder / "public_illegal.txt").read_text(encoding="utf-8")
    assert "# category: illegal" in illegal and "\n出售气枪\n" in illegal
    assert len(paths) == 3
    table = write_report(report, folder / "CANDIDATES.md").read_text(encoding="utf-8")
    assert "| published (illegal) | 2 |" in table and "严禁出售气枪" not in table
