from __future__ import annotations

import pytest

from screener import LexiconError
from screener.lexicon import parse_lexicon_file


def _write(tmp_path, text, name="x.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_metadata_flags_and_policy_defaults(tmp_path):
    lex = parse_lexicon_file(_write(tmp_path, (
        "# 注释\n# category: commercial\n# description: 广告\n\n# -- 组 --\n加微信 | boundary\n"
        "扫码购买\n")))
    assert (lex.category, lex.description) == ("commercial", "广告")
    assert [(e.term, e.boundary, e.severity, e.article, e.source) for e in lex.entries] == [
        ("加微信", True, "review", "第十一条（内容）", "x.txt:6"),
        ("扫码购买", False, "review", "第十一条（内容）", "x.txt:7"),
    ]


def test_file_defaults_can_be_overridden(tmp_path):
    lex = parse_lexicon_file(_write(tmp_path, (
        "# category: major_news\n# severity: block\n# boundary: yes\n讣告\n任免 | boundary=no\n")))
    assert [(e.term, e.severity, e.boundary) for e in lex.entries] == [
        ("讣告", "block", True), ("任免", "block", False)]


@pytest.mark.parametrize(("text", "problem"), [
    ("加微信\n", "x.txt:1: 词条出现在 '# category:' 行之前"),
    ("# category: gossip\n八卦\n", "x.txt:2: 未知类别 'gossip'"),
    ("# category: illegal\n# severity: maybe\n代孕\n", "x.txt:3: 级别（severity）只能是 review 或"),
    ("# category: illegal\n代孕 | fuzzy\n", "x.txt:2: 未知标记 'fuzzy'"),
    ("# category: illegal\n代孕 | boundary=perhaps\n", "x.txt:2: boundary 只能是 yes 或 no"),
])
def test_malformed_files_name_the_line(tmp_path, text, problem):
    with pytest.raises(LexiconError) as caught:
        parse_lexicon_file(_write(tmp_path, text))
    assert str(caught.value).endswith(problem) or problem in str(caught.value)


def test_non_utf8_file_is_refused(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes("# category: illegal\n代孕\n".encode("gbk"))
    with pytest.raises(LexiconError, match="不是有效的 UTF-8 编码"):
        parse_lexicon_file(path)
