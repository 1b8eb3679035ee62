"""Building the local corpus from copies of the sources: checksums, encodings, filters, labels,
splits, and the same bytes every time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from screener.corpus import load_corpus
from screener.corpus.build import build
from screener.corpus.formats import md5_hex
from screener.corpus.local import split_of
from screener.errors import CorpusError
from tests.fixtures.corpus import git, make_repo, sha


def _records(folder):
    return {r.id: r for r in load_corpus(folder).records}


def test_build_labels_filters_and_splits(corpus_mirror, tmp_path):
    root, sources = corpus_mirror
    manifest, reports = build(root, tmp_path / "out", sources)
    records = _records(tmp_path / "out")
    texts = {r.text: r for r in records.values()}
    # SMS: an advertisement, a notice, a private note, a greeting; the repeated advert is kept
    # once, the advert also in the test file is dropped, the personal "spam" is left out.
    assert texts["英语一对一辅导，暑期班8折优惠，报名热线 010-12345678"].label == "commercial"
    assert texts["您尾号1234的卡12日消费人民币58.00元。【某银行】"].label == "none"
    assert texts["祝你生日快乐，天天开心，幸福美满每一天！"].kind == "sms.greeting"
    assert sum(t.startswith("周末特惠") for t in texts) == 1
    assert not any(t.startswith("新店开业") for t in texts)
    assert "你到哪儿了" not in texts
    sms = next(r for r in reports if r.name == "sms")
    assert sms.dropped["near-duplicate of an excluded file"] == 1
    assert sms.dropped["near-duplicate within the source"] == 1
    # Fraud: loans are commercial, the GB18030 police script is read and labelled fraud.
    loan = "您好，我是贷款公司的客服，无抵押低利率快速放款，请问需要吗？"
    police = "这里是某市公安局，你的账户涉嫌洗钱，请配合调查转账到安全账户。"
    assert texts[loan].label == "commercial" and texts[police].label == "fraud"
    # Headlines: education news is clean; deaths and accidents are major news; a game title
    # and a metaphor are not.
    assert texts["2010年高考报名时间公布"].clean
    assert texts["某地一化工厂发生爆炸3人死亡"].label == "major_news"
    assert texts["著名作家某某今日病逝 享年90岁"].label == "major_news"
    assert texts["《死亡空间2》最新试玩视频"].label == "none"
    assert texts["基金高管离职带来业绩地震"].label == "none"
    # Statutes: only the article about secrets, as a negative.
    law = [r for r in records.values() if r.source == "law"]
    assert [r.text for r in law] == ["第一条 为了保守国家秘密，制定本法。"]
    assert law[0].label == "none"
    # Weibo: only the ids below 2601 listed in the checksum file.
    assert texts["转发本微博并关注@某某旗舰店，抽三位送手机！"].label == "commercial"
    assert texts["今天上午某路口发生车祸，一名行人当场死亡，现场已封锁。"].label == "major_news"
    assert not any("2601" in t for t in texts)
    # The crawl history: titles from every version, once each; appointments are major news.
    univ = {r.text: r for r in records.values() if r.source == "univ"}
    assert set(univ) == {"关于开展2023年实验室安全检查的通知", "关于举办学术讲座的通知",
                         "关于张三同志职务任免的通知"}
    assert univ["关于张三同志职务任免的通知"].label == "major_news"
    assert univ["关于举办学术讲座的通知"].kind == "notice.univ"
    for r in records.values():
        assert r.split == split_of(r.id)
    assert manifest["records"] == len(records)


def test_same_files_give_the_same_bytes(corpus_mirror, tmp_path):
    root, sources = corpus_mirror
    first, _ = build(root, tmp_path / "a", sources)
    second, _ = build(root, tmp_path / "b", sources)
    assert (tmp_path / "a" / "corpus.jsonl").read_bytes() == \
        (tmp_path / "b" / "corpus.jsonl").read_bytes()
    assert first["sha256"] == second["sha256"]


def test_plain_copies_work_like_git(corpus_mirror, tmp_path):
    root, sources = corpus_mirror
    plain = tmp_path / "plain"
    for name in ("fixture+sms", "fixture+news"):
        shutil.copytree(root / name, plain / name, ignore=shutil.ignore_patterns(".git"))
    build(root, tmp_path / "git", sources, only=["sms", "thucnews"])
    build(plain, tmp_path / "copy", sources, only=["sms", "thucnews"])
    assert (tmp_path / "git" / "corpus.jsonl").read_bytes() == \
        (tmp_path / "copy" / "corpus.jsonl").read_bytes()


def test_a_changed_file_is_refused_by_checksum(corpus_mirror, tmp_path):
    root, sources = corpus_mirror
    repo = root / "fixture+news"
    (repo / "dev.txt").write_text("某大学举办开放日\t3\n", encoding="utf-8")
    git(repo, "commit", "-qam", "changed")
    text = sources.read_text(encoding="utf-8")
    head = git(repo, "rev-parse", "HEAD")
    old = git(repo, "rev-parse", "HEAD~1")
    sources.write_text(text.replace(old, head), encoding="utf-8")
    with pytest.raises(CorpusError, match="校验和不符") as caught:
        build(root, tmp_path / "out", sources, only=["thucnews"])
    assert "dev.txt" in str(caught.value)


def test_a_missing_file_or_repository_is_named(corpus_mirror, tmp_path):
    root, sources = corpus_mirror
    shutil.rmtree(root / "fixture+law")
    with pytest.raises(CorpusError, match="找不到 fixture/law 的本地副本"):
        build(root, tmp_path / "out", sources, only=["law"])
    plain = tmp_path / "plain" / "fixture+news"
    plain.mkdir(parents=True)
    with pytest.raises(CorpusError, match="文件缺失"):
        build(tmp_path / "plain", tmp_path / "out", sources, only=["thucnews"])


def test_bad_encoding_names_the_byte(corpus_mirror, tmp_path):
    root, sources = corpus_mirror
    # The police script is GB18030: declared as UTF-8 it cannot be read, and the error says
    # where, instead of silently mangling the text.
    text = sources.read_text(encoding="utf-8").replace('encoding = "gb18030"', 'encoding = "utf-8"')
    sources.write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match=r"不是 utf-8 编码：第 \d+ 字节"):
        build(root, tmp_path / "out", sources, only=["fraud"])


def test_md5_rule_keeps_only_titles_with_an_odd_first_digit(corpus_mirror, tmp_path):
    root, sources = corpus_mirror
    text = sources.read_text(encoding="utf-8").replace('"0123456789abcdef"', '"13579bdf"')
    sources.write_text(text, encoding="utf-8")
    build(root, tmp_path / "out", sources, only=["univ"])
    kept = {r.text for r in load_corpus(tmp_path / "out").records}
    every = {"关于开展2023年实验室安全检查的通知", "关于举办学术讲座的通知",
             "关于张三同志职务任免的通知"}
    assert kept == {t for t in every if md5_hex(t)[0] in "13579bdf"}


def test_a_changed_corpus_is_refused_when_loaded(corpus_mirror, tmp_path):
    root, sources = corpus_mirror
    build(root, tmp_path / "out", sources, only=["thucnews"])
    path = tmp_path / "out" / "corpus.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace("高考", "中考"), encoding="utf-8")
    with pytest.raises(CorpusError, match="构建后被改动"):
        load_corpus(tmp_path / "out")


def test_cli_builds_and_reports_in_chinese(corpus_mirror, tmp_path):
    root, sources = corpus_mirror
    env = {**os.environ, "SCREENER_HOME": str(tmp_path / "home")}
    cli = [sys.executable, "-m", "screener.cli", "corpus"]
    done = subprocess.run([*cli, "build", "--from", str(root), "--sources", str(sources)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "已写出" in done.stdout and "剔除" in done.stdout
    shown = subprocess.run([*cli, "show"], capture_output=True, text=True, env=env, timeout=120)
    assert shown.returncode == 0 and "干净参考语料" in shown.stdout
    missing = subprocess.run([*cli, "build", "--from", str(tmp_path / "nowhere"), "--sources",
                              str(sources)], capture_output=True, text=True, env=env,
                             timeout=120)
    assert missing.returncode == 30 and "找不到" in missing.stderr


def test_records_are_plain_json_lines(corpus_mirror, tmp_path):
    root, sources = corpus_mirror
    build(root, tmp_path / "out", sources, only=["thucnews"])
    for line in (tmp_path / "out" / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        assert set(record) == {"id", "source", "text", "field", "label", "kind", "split", "rule"}


SHOP_COPY = [
    {"content": "类型#裙*颜色#红色*裙长#连衣裙",
     "summary": "这款红色连衣裙收腰剪裁，显瘦又大方，约会通勤都合适。"},
    {"content": "类型#上衣*材质#棉*衣样式#衬衫",
     "summary": "纯棉衬衫柔软透气，宽松版型不挑身材，百搭单品。"},
    {"content": "类型#裤*裤长#九分裤",
     "summary": "九分阔腿裤垂感十足，拉长腿部线条，轻松穿出高级感。"},
]


def _with_held_out_copy(root, sources, lines: list[str]):
    data = ("\n".join(lines) + "\n").encode()
    commit, _ = make_repo(root, "fixture/copy", {"dev.json": data})
    extra = (f'\n[[source]]\nname = "adgen"\nrepository = "fixture/copy"\ncommit = "{commit}"\n'
             'licence = "ours"\nformat = "adgen_jsonl"\nheld_out = true\n'
             f'  [[source.file]]\n  path = "dev.json"\n  sha256 = "{sha(data)}"\n')
    with_copy = sources.with_name("SOURCES-copy.toml")
    with_copy.write_text(sources.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return with_copy


def test_a_held_out_source_is_kept_apart_from_what_models_train_on(corpus_mirror, tmp_path):
    root, sources = corpus_mirror
    lines = [json.dumps(row, ensure_ascii=False) for row in SHOP_COPY]
    with_copy = _with_held_out_copy(root, sources, lines)
    before, _ = build(root, tmp_path / "before", sources)
    after, _ = build(root, tmp_path / "after", with_copy)
    # The corpus that training reads is byte for byte what it was, so are the shipped models.
    assert (tmp_path / "after" / "corpus.jsonl").read_bytes() == \
        (tmp_path / "before" / "corpus.jsonl").read_bytes()
    assert after["sha256"] == before["sha256"]
    corpus = load_corpus(tmp_path / "after")
    assert not any(r.source == "adgen" for r in corpus.records)
    copy = {r.text: r for r in corpus.held_out}
    assert set(copy) == {row["summary"] for row in SHOP_COPY}
    assert {r.split for r in copy.values()} == {"test"}
    assert {r.label for r in copy.values()} == {"commercial"}
    assert copy[SHOP_COPY[0]["summary"]].kind == "shop.copy.裙"
    assert after["held_out"]["records"] == 3
    assert load_corpus(tmp_path / "before").held_out == ()
    env = {**os.environ, "SCREENER_HOME": str(tmp_path / "home")}
    shown = subprocess.run([sys.executable, "-m", "screener.cli", "corpus", "show", "--corpus",
                            str(tmp_path / "after")], capture_output=True, text=True, env=env,
                           timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "只用于评测的留出来源（不参与训练，也不用于选阈值）：adgen，共 3 条" in shown.stdout
    # Changed after the build: refused, like the corpus itself.
    path = tmp_path / "after" / "heldout.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace("红色", "蓝色"), encoding="utf-8")
    with pytest.raises(CorpusError, match="构建后被改动"):
        load_corpus(tmp_path / "after")


def test_a_bad_line_of_shop_copy_is_named(corpus_mirror, tmp_path):
    root, sources = corpus_mirror
    lines = [json.dumps(SHOP_COPY[0], ensure_ascii=False), '{"content": "类型#裙"}']
    with_copy = _with_held_out_copy(root, sources, lines)
    with pytest.raises(CorpusError, match=r"dev\.json:2.*content 与 summary"):
        build(root, tmp_path / "out", with_copy, only=["adgen"])
