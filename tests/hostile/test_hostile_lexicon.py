"""Hostile lexicon imports through the CLI (the service has no import endpoint: maintainers
import with ``screener lexicon import``): a million lines, and files with broken lines."""

from __future__ import annotations

import json
import re

MILLION = 1_000_000


def _terms(count: int) -> str:
    return "".join(f"词条{i:07d}\n" for i in range(count))


def test_a_million_line_import_is_refused_before_parsing(cli, tmp_path):
    for name, content in [
        ("million.txt", "# category: commercial\n" + _terms(MILLION)),
        ("million.csv", "term\n" + _terms(MILLION)),
        ("million.json", json.dumps([f"词{i:07d}" for i in range(MILLION)],
                                    separators=(",", ":"))),
    ]:
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        outcome = cli("lexicon", "import", str(path), "-c", "commercial")
        assert outcome.code == 30, outcome.stdout + outcome.stderr
        assert len(outcome.error_lines) == 1, outcome.stderr
        line = outcome.error_lines[0]
        assert str(path) in line and "一次导入最多 100,000" in line, line
        assert "请把文件拆成几次导入" in line, line
    assert "lex-1-" not in cli("lexicon", "history").stdout  # nothing was published


def test_an_import_over_20_mb_is_refused_unread(cli, tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(25_000_000)
    outcome = cli("lexicon", "import", str(path), "-c", "commercial")
    assert outcome.code == 30 and "文件有 25,000,000 字节" in outcome.stderr, outcome.stderr


def test_broken_lines_are_rejected_with_their_line_and_the_rest_go_in(cli, tmp_path, screen):
    path = tmp_path / "broken.txt"
    path.write_text("\n".join([
        "# category: commercial",
        "刷单返利",  # 2: good
        "刷\u2028好评",  # 3: a line separator inside a term: no match may cross it
        "\x00\x01",  # 4: control characters, named by code point
        "| boundary",  # 5: a flag without a term
        "代购 | colour=red",  # 6: unknown flag
        "长" * 5000,  # 7: far too long
        "加盟费用 | boundary=perhaps",  # 8: a flag that is neither yes nor no
        "刷粉丝\r",  # 9: good, Windows line end
        "",
    ]), encoding="utf-8")
    outcome = cli("lexicon", "import", str(path))
    assert outcome.code == 30, outcome.stdout + outcome.stderr
    assert "加入 2 个，拒绝 6 个" in outcome.stdout, outcome.stdout
    rejected = {int(re.search(r"broken\.txt:(\d+)：", line).group(1)): line
                for line in outcome.error_lines}
    assert sorted(rejected) == [3, 4, 5, 6, 7, 8], outcome.stderr
    assert "分句标点" in rejected[3] and "U+0000 (NULL)" in rejected[4]
    assert "词条为空" in rejected[5] and "未知标记 'colour'" in rejected[6]
    assert "太长" in rejected[7] and "boundary 只能是 yes 或 no" in rejected[8]
    assert all(len(line) < 200 for line in outcome.error_lines)  # the 5,000 characters are cut
    assert "\x00" not in outcome.stderr and "␀␁" in rejected[4]  # shown, not sent raw
    # the good lines are in force: the next screening finds them
    draft = tmp_path / "post.txt"
    draft.write_text("本店刷粉丝，刷单返利。", encoding="utf-8")
    terms = {f["term"] for f in screen(draft).reports[0]["findings"]}
    assert {"刷单返利", "刷粉丝"} <= terms


def test_broken_csv_and_json_imports(cli, tmp_path):
    cases = [
        ("bad.csv", "term,category\n刷单,commercial,extra,fields\n\"未闭合,commercial\n",
         "bad.csv:2：有 4 个字段，标题行只有 2 个"),
        ("quote.csv", "term,category\n刷单,commercial\n\"未闭合,commercial\n",
         "quote.csv:3：CSV 格式错误"),
        ("noheader.csv", "刷单\n", "要有 term 列"),
        ("items.json", json.dumps([1, None, ["x"], {"term": 5, "category": []}, "刷单"]),
         "已拒绝："),
        ("deep.json", "[" * 10_000 + "]" * 10_000, "嵌套过深"),
        ("object.json", '{"term": "刷单"}', "词条（或对象）的列表"),
        ("latin1.txt", "# category: commercial\n刷单\n".encode() + b"caf\xe9\n", "第 3 行"),
    ]
    for name, content, words in cases:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        outcome = cli("lexicon", "import", str(path), "-c", "commercial", "--dry-run")
        assert outcome.code == 30, (name, outcome.stdout, outcome.stderr)
        assert "Traceback" not in outcome.stderr
        assert words in outcome.stderr, (name, outcome.stderr)
    assert cli("lexicon", "list").code == 0  # the store is untouched and still readable
