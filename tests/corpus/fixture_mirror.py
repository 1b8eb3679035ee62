"""A tiny mirror of the corpus sources, written here: our own hand-written rows in the sources'
formats (no third-party text), committed to throwaway git repositories, with a SOURCES.toml that
records their checksums. The corpus tests build from it."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}

SMS_TRAIN = "\n".join([
    "1\t周末特惠！精装两居首付10万起，限量抢购，详询 400-123-4567【某某置业】\tx",
    "1\t英语一对一辅导，暑期班8折优惠，报名热线 010-12345678\tx",
    "0\t您尾号1234的卡12日消费人民币58.00元。【某银行】\tx",
    "0\t明天下午三点在实验楼集合，记得带上实验报告\tx",
    "1\t祝你生日快乐，天天开心，幸福美满每一天！\tx",
    "1\t你到哪儿了\tx",
    "1\t周末特惠！精装两居首付10万起，限量抢购，详询 400-123-4567【某某置业】\tx",
    "0\t0",
    "1\t新店开业全场5折，买一送一，地址中山路1号，电话 0571-87654321\tx",
]) + "\n"
SMS_TEST = "1\t新店开业全场5折，买一送一，地址中山路1号，电话 0571-87654321\tx\n"
FRAUD_LOAN = "content,label\n您好，我是贷款公司的客服，无抵押低利率快速放款，请问需要吗？,贷款\n"
FRAUD_POLICE = ("content,label\n"
                "这里是某市公安局，你的账户涉嫌洗钱，请配合调查转账到安全账户。,公检法\n")
TITLES = "\n".join([
    "2010年高考报名时间公布\t3",
    "某大学举办研究生招生咨询会\t3",
    "某地一化工厂发生爆炸3人死亡\t5",
    "著名作家某某今日病逝 享年90岁\t6",
    "《死亡空间2》最新试玩视频\t8",
    "基金高管离职带来业绩地震\t0",
]) + "\n"
LAW = ("# 某法\n\n<!-- INFO END -->\n\n## 第一章\n\n第一条 为了保守国家秘密，制定本法。\n\n"
       "第二条 本法自公布之日起施行。\n")
WEIBO = {"100_abc_1.json": {"text": "转发本微博并关注@某某旗舰店，抽三位送手机！"},
         "101_def_2.json": {"text": "今天上午某路口发生车祸，一名行人当场死亡，现场已封锁。"},
         "102_ghi_3.json": {"text": "今天天气真好，和同学去图书馆自习。"},
         "3000_zzz_9.json": {"text": "这条的编号不在 2601 以下，不应读入。"}}
CRAWL_V1 = [{"news_name": "关于开展2023年实验室安全检查的通知"}]
CRAWL_V2 = CRAWL_V1 + [{"news_name": "关于举办学术讲座的通知"},
                       {"news_name": "关于张三同志职务任免的通知"}]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env={**os.environ, **GIT_ENV}).stdout.strip()


def make_repo(root: Path, name: str, files: dict[str, bytes]) -> tuple[str, Path]:
    repo = root / name.replace("/", "+")
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    for path, data in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "data")
    return git(repo, "rev-parse", "HEAD"), repo


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_mirror(root: Path) -> Path:
    """Make the repositories under ``root/mirror`` and return the SOURCES.toml describing them."""
    mirror = root / "mirror"
    files_sms = {"spam.train": SMS_TRAIN.encode(), "spam.test": SMS_TEST.encode()}
    sms_commit, _ = make_repo(mirror, "fixture/sms", files_sms)
    files_fraud = {"loan.csv": FRAUD_LOAN.encode(),
                   "police.csv": FRAUD_POLICE.encode("gb18030")}
    fraud_commit, _ = make_repo(mirror, "fixture/fraud", files_fraud)
    news_commit, _ = make_repo(mirror, "fixture/news", {"dev.txt": TITLES.encode()})
    law_commit, _ = make_repo(mirror, "fixture/law", {"法/某法.md": LAW.encode()})
    weibo_files = {f"posts/{k}": json.dumps(v, ensure_ascii=False).encode()
                   for k, v in WEIBO.items()}
    weibo_commit, _ = make_repo(mirror, "fixture/weibo", weibo_files)
    v1 = json.dumps(CRAWL_V1, ensure_ascii=False).encode()
    first, crawl = make_repo(mirror, "fixture/crawl", {"list-news.json": v1})
    v2 = json.dumps(CRAWL_V2, ensure_ascii=False).encode()
    (crawl / "list-news.json").write_bytes(v2)
    git(crawl, "commit", "-qam", "more")
    second = git(crawl, "rev-parse", "HEAD")

    checks = root / "checksums"
    checks.mkdir()
    (checks / "weibo.sha256").write_text("".join(
        f"{sha(data)}  {path}\n" for path, data in weibo_files.items()
        if int(path.split("/")[1].split("_")[0]) < 2601), encoding="utf-8")
    (checks / "crawl.sha256").write_text(f"{sha(v1)}  {first}:list-news.json\n"
                                         f"{sha(v2)}  {second}:list-news.json\n",
                                         encoding="utf-8")
    toml = f'''
[[source]]
name = "sms"
repository = "fixture/sms"
commit = "{sms_commit}"
licence = "ours"
format = "sms_tsv"
  [[source.file]]
  path = "spam.train"
  sha256 = "{sha(files_sms['spam.train'])}"
  [[source.file]]
  path = "spam.test"
  sha256 = "{sha(files_sms['spam.test'])}"
  role = "exclude"

[[source]]
name = "fraud"
repository = "fixture/fraud"
commit = "{fraud_commit}"
licence = "ours"
format = "fraud_csv"
  [[source.file]]
  path = "loan.csv"
  sha256 = "{sha(files_fraud['loan.csv'])}"
  tag = "loan"
  [[source.file]]
  path = "police.csv"
  sha256 = "{sha(files_fraud['police.csv'])}"
  encoding = "gb18030"
  tag = "police"

[[source]]
name = "thucnews"
repository = "fixture/news"
commit = "{news_commit}"
licence = "ours"
format = "thucnews_tsv"
  [[source.file]]
  path = "dev.txt"
  sha256 = "{sha(TITLES.encode())}"
  tag = "dev"

[[source]]
name = "law"
repository = "fixture/law"
commit = "{law_commit}"
licence = "ours"
format = "law_md"
  [[source.file]]
  path = "法/某法.md"
  sha256 = "{sha(LAW.encode())}"

[[source]]
name = "weibo"
repository = "fixture/weibo"
commit = "{weibo_commit}"
licence = "ours"
format = "weibo_json"
checksums = "checksums/weibo.sha256"

[[source]]
name = "univ"
repository = "fixture/crawl"
commit = "{second}"
licence = "ours"
format = "crawl_history"
checksums = "checksums/crawl.sha256"
title_md5_first = "0123456789abcdef"
'''
    sources = root / "SOURCES.toml"
    sources.write_text(toml, encoding="utf-8")
    return sources
