"""Evasions real evaders use, embedded in real clean text; false alarms on the clean corpus; and a
guard set of names, e-mail addresses, links, handles and acronyms that must raise nothing.

    python benchmarks/judgement_evasion.py [--mirror /work/.mirror] [--contexts 4]

``run(screener, clean_texts)`` is what ``bench_judgement.py`` calls; it returns the tables as
plain data and ``render(tables)`` prints them as Markdown.

* Evasion table: every technique, at least five shipped lexicon terms each (phone numbers for the
  digit technique: they are contact findings, not terms). Each evaded form is inserted into
  ``--contexts`` real clean titles (at a word boundary near the middle, as a writer would) and
  counts as found when a finding with the expected term (or contact) covers it.
* Clean corpus: the fraction of real clean texts with a finding from the matching stages (term
  hits, evasion hits, hidden characters, personal information), per kind. Informational contact
  findings are counted apart: they do not change a verdict.
* Guard set: at least 200 real-looking pinyin author names (a surname list and given names),
  e-mail addresses, links, handles and acronyms, each in a sentence; none may raise a term
  finding or a finding that changes the verdict.

Clean texts: real education news titles and university notice titles, read from local copies of
the public repositories named in /work/shared/corpora/SOURCES.md (never committed): THUCNews
dev/test class 3 (教育) of 649453932/Chinese-Text-Classification-Pytorch (MIT) and the titles
with an odd md5 of youngzm339/CrawlSchoolNewsScrapy (branch publish, MIT). Without them the
hand-written clean samples of data/samples/clean are used and the output says so.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The stages this benchmark judges; the classifiers are judged by bench_judgement.py.
STAGES = ("terms", "hidden", "personal", "contacts")

# technique -> (label, [(expected term, evaded form)])
PHONE = "phone"
EVASIONS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "punctuation": ("插入标点（单字之间）", [
        ("代孕", "代、孕"), ("网络赌博", "网. 络. 赌. 博"), ("替考", "替、考"),
        ("裸聊", "裸、聊"), ("出售枪支", "出、售、枪、支"), ("办假证", "办. 假. 证"),
        ("约炮", "约. 炮")]),
    "mixed_pinyin": ("汉字拼音混写", [
        ("代孕", "代yun"), ("代孕", "dai孕"), ("约炮", "约pao"), ("假证", "jia证"),
        ("代考", "代kao"), ("裸聊", "luo聊"), ("替考", "ti考")]),
    "tone_digits": ("拼音带声调数字", [
        ("代孕", "dai4yun4"), ("约炮", "yue1pao4"), ("代考", "dai4kao3"), ("替考", "ti4kao3"),
        ("假证", "jia3zheng4"), ("裸聊", "luo3liao2")]),
    "homophone": ("谐音", [
        ("网络赌博", "网络堵博"), ("网上赌博", "网上堵博"), ("线上赌场", "线上堵场"),
        ("出售枪支", "出售枪枝"), ("代考", "带考"), ("论文代写", "论文带写"),
        ("刻章办证", "刻章办正")]),
    "lookalike": ("形近字", [
        ("加微信", "加徽信"), ("扫码购买", "扫吗购买"), ("客服微信", "客服徽信"),
        ("购买链接", "构买链接"), ("有意者私聊", "有意者私柳"), ("扫码下单", "扫吗下单")]),
    "symbols": ("表情符号替代", [
        ("加微信", "➕微信"), ("加vx", "➕vx"), ("加wx", "➕wx"), ("加qq详聊", "加🐧详聊"),
        ("出售枪支", "出售🔫支"), ("枪支出售", "🔫支出售"), ("加v信", "➕v信")]),
    "number_words": ("数字写法（电话号码）", [
        (PHONE, "一三八一二三四五六七八"), (PHONE, "幺三八幺二三四五六七八"),
        (PHONE, "壹叁捌壹贰叁肆伍陆柒捌"), (PHONE, "138-1234-5678"), (PHONE, "138 1234 5678"),
        (PHONE, "①③⑧①②③④⑤⑥⑦⑧"), (PHONE, "𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖")]),
    "greek_letter": ("插入希腊字母", [
        ("代孕", "代α孕"), ("约炮", "约β炮"), ("裸聊", "裸γ聊"), ("冰毒", "冰δ毒"),
        ("假证", "假ε证"), ("代考", "代λ考")]),
    "leetspeak": ("数字替代字母", [
        ("porn", "p0rn"), ("daiyun", "d4iyun"), ("yuepao", "yuep4o"), ("tikao", "t1kao"),
        ("banzheng", "b4nzheng"), ("luoliao", "lu0liao")]),
    "vertical": ("竖排（一行一字）", [
        ("代孕", "\n代\n孕\n"), ("约炮", "\n约\n炮\n"), ("裸聊", "\n裸\n聊\n"),
        ("假证", "\n假\n证\n"), ("冰毒", "\n冰\n毒\n"), ("网络赌博", "\n网\n络\n赌\n博\n")]),
    "fillers": ("插入虚字（标记 fillers 的词条）", [
        ("代孕", "代的孕"), ("约炮", "约了炮"), ("代考", "代的考"), ("假证", "假的证"),
        ("裸聊", "裸了聊"), ("援交", "援的交")]),
    "reversed": ("U+202E 反向", [
        (t, "\u202e" + t[::-1] + "\u202c")
        for t in ("代孕", "网络赌博", "约炮", "出售枪支", "代开发票", "冰毒")]),
}
# Terms written as pinyin count as their Chinese term too (daiyun is 代孕 either way).
SAME_TERM = {"daiyun": {"代孕"}, "yuepao": {"约炮"}, "tikao": {"替考"}, "banzheng": {"办证"},
             "luoliao": {"裸聊"}}

# Guard set: names, addresses, handles and acronyms (pinyin that spells lexicon terms included).
SURNAMES = ["Dai", "Jia", "Ti", "Luo", "Yue", "Ban", "Wang", "Li", "Zhang", "Liu", "Chen", "Yang",
            "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu"]
GIVEN = ["Yun", "Zheng", "Kao", "Liao", "Pao", "Qing", "Wei", "Li", "Jun", "Hao", "Xin", "Yu"]
NAME_TEMPLATES = ["主讲人 {a} 教授", "作者：{a}, {b}", "{a} 老师主持", "报告人：{a}（北京大学）",
                  "同学 {a} 获奖", "通讯作者 {a}"]


def guard_set() -> list[tuple[str, str]]:
    """(kind, text) of at least 200 cases that must raise nothing."""
    rng = random.Random(7)
    cases: list[tuple[str, str]] = []
    names = [f"{s} {g}" for s in SURNAMES for g in GIVEN]
    rng.shuffle(names)
    for i, name in enumerate(names[:120]):
        template = NAME_TEMPLATES[i % len(NAME_TEMPLATES)]
        other = names[(i + 7) % len(names)]
        if i % 5 == 0:  # surname first in capitals, as many journals print it
            surname, given = name.split()
            name = f"{surname.upper()} {given}"
        cases.append(("name", template.format(a=name, b=other)))
    for s, g in [("dai", "yun"), ("jia", "zheng"), ("yu", "qing"), ("luo", "liao"),
                 ("yue", "pao"), ("ti", "kao"), ("ban", "zheng"), ("dai", "kao"),
                 ("lun", "wen"), ("wang", "wei")]:
        cases.append(("email", f"欢迎来信 {s}{g}@pku.edu.cn"))
        cases.append(("email", f"联系邮箱：{s}.{g}@gmail.com"))
        cases.append(("url", f"详见 https://{s}{g}.example.com/about"))
        cases.append(("url", f"课程主页 www.{s}{g}.cn"))
        cases.append(("handle", f"关注 @{s}{g}2023 获取通知"))
        cases.append(("handle", f"微博 @{s}_{g}"))
        cases.append(("acronym", f"{s[0].upper()}{g[0].upper()} 实验室招新"))
        cases.append(("name", f"{s.capitalize()}{g} 同学的报告"))
    return cases


def _git(mirror: Path, *args: str) -> bytes:
    return subprocess.run(["git", f"--git-dir={mirror}", *args], check=True,
                          capture_output=True).stdout


def read_clean_titles(mirror_root: Path) -> tuple[list[str], list[str]]:
    """Real clean titles from the local mirrors, and a line per source saying what was read."""
    titles: list[str] = []
    notes: list[str] = []
    thuc = mirror_root / "649453932+Chinese-Text-Classification-Pytorch" / "repo"
    if (thuc / ".git").is_dir():
        thuc = thuc / ".git"
    if thuc.is_dir():
        count = 0
        for name in ("THUCNews/data/dev.txt", "THUCNews/data/test.txt"):
            for line in _git(thuc, "show", f"HEAD:{name}").decode("utf-8").splitlines():
                title, _, label = line.rpartition("\t")
                if label.strip() == "3" and title.strip():
                    titles.append(title.strip())
                    count += 1
        notes.append(f"THUCNews dev+test 教育 titles: {count}")
    school = mirror_root / "youngzm339+CrawlSchoolNewsScrapy" / "repo"
    if school.is_dir():
        seen: set[str] = set()
        for name in ("tzgg-news.json", "xxyw-news.json", "zhxx-news.json", "xsdt-news.json"):
            commits = _git(school, "log", "--format=%H", "publish", "--", name).decode().split()
            blobs = "\n".join(f"{c}:{name}" for c in commits).encode()
            out = subprocess.run(["git", f"--git-dir={school}", "cat-file", "--batch"],
                                 input=blobs, capture_output=True, check=True).stdout
            for chunk in out.split(b"\n["):
                for match in _titles_in(chunk):
                    if match not in seen:
                        seen.add(match)
        odd = sorted(t for t in seen if hashlib.md5(t.encode()).hexdigest()[0] in "13579bdf")
        titles += odd
        notes.append(f"CrawlSchoolNewsScrapy odd-md5 titles: {len(odd)} of {len(seen)} unique")
    return titles, notes


def _titles_in(chunk: bytes) -> list[str]:
    found = []
    for raw in chunk.split(b"\n"):
        raw = raw.strip().rstrip(b",")
        if raw.startswith(b"{") and b"news_name" in raw:
            try:
                found.append(json.loads(raw)["news_name"].strip())
            except (ValueError, KeyError, AttributeError):
                continue
    return [t for t in found if t]


def sample_clean_texts() -> tuple[list[str], list[str]]:
    from screener.ingest import SUFFIXES, load_draft
    from screener.settings import default_settings

    settings = default_settings()
    folder = ROOT / "data" / "samples" / "clean"
    texts = []
    for path in sorted(folder.iterdir()):
        if path.suffix in SUFFIXES:
            draft = load_draft(path, settings)
            texts.append(f"{draft.title}\n{draft.body}".strip())
    return texts, [f"FALLBACK: no mirrors; {len(texts)} hand-written clean samples"]


def _insert(title: str, evaded: str) -> tuple[str, int]:
    """``evaded`` inside ``title`` at a jieba word boundary near the middle."""
    import jieba

    cuts, pos = [], 0
    for word in jieba.lcut(title, HMM=False):
        pos += len(word)
        cuts.append(pos)
    middle = len(title) // 2
    # Not glued to a Latin word or a number: nobody writes 2010dai4yun4.
    usable = [c for c in cuts[:-1] if not (title[c - 1].isascii() and title[c - 1].isalnum())
              and not (title[c].isascii() and title[c].isalnum())]
    at = min(usable or cuts[:-1] or [len(title)], key=lambda c: abs(c - middle))
    return title[:at] + evaded + title[at:], at


def _covers(report, field_text: str, start: int, end: int, term: str) -> bool:
    wanted = {term} | SAME_TERM.get(term, set())
    for f in report.findings:
        if f.field != "body" or f.end <= start or f.start >= end:
            continue
        if term == PHONE and f.category in ("contact", "commercial") and f.term == "电话号码":
            return True
        # A longer term around the evaded one (办假证 around 假证) found it too.
        if any(w in f.term for w in wanted) or any(w in SAME_TERM.get(f.term, ()) for w in wanted):
            return True
        if f.stage == "terms" and SAME_TERM.get(f.term, set()) & wanted:
            return True
    return False


def run(screener, clean_texts: list[str], contexts: int = 4, seed: int = 13) -> dict:
    from screener import Draft

    def screen(text: str):
        return screener.screen(Draft(title="", body=text))

    # Clean corpus: what the matching stages raise on real text that must pass.
    kinds: Counter = Counter()
    flagged_texts = 0
    info_texts = 0
    examples: dict[str, list[str]] = defaultdict(list)
    clean_ok: list[str] = []
    for text in clean_texts:
        report = screen(text)
        alarms = [f for f in report.findings if str(f.severity) != "info"]
        if any(str(f.severity) == "info" for f in report.findings):
            info_texts += 1
        if alarms:
            flagged_texts += 1
            for f in alarms:
                kind = _kind(f)
                kinds[kind] += 1
                if len(examples[kind]) < 3:
                    examples[kind].append(f"{f.text!r}→{f.term} in {text[:40]!r}")
        elif 8 <= len(text) <= 60 and "\n" not in text:
            clean_ok.append(text)

    # Evasion table.
    rng = random.Random(seed)
    rows = []
    total_found = total_cases = 0
    misses: list[str] = []
    for technique, (label, items) in EVASIONS.items():
        found = cases = 0
        for term, evaded in items:
            for title in rng.sample(clean_ok, contexts):
                text, at = _insert(title, evaded)
                report = screen(text)
                cases += 1
                if _covers(report, text, at, at + len(evaded), term):
                    found += 1
                elif len(misses) < 40:
                    misses.append(f"{technique}: {evaded!r} in {text!r}")
        rows.append({"technique": technique, "label": label, "terms": len(items),
                     "cases": cases, "found": found, "recall": found / cases})
        total_found += found
        total_cases += cases

    # Guard set.
    guard = guard_set()
    guard_alarms = []
    guard_info = 0
    by_kind: Counter = Counter()
    for kind, text in guard:
        by_kind[kind] += 1
        report = screen(text)
        bad = [f for f in report.findings if f.stage == "terms" or str(f.severity) != "info"]
        guard_info += any(str(f.severity) == "info" for f in report.findings)
        if bad:
            guard_alarms.append(f"{kind}: {text!r} -> " + ", ".join(
                f"{f.text!r}→{f.term} ({f.category}, {f.severity})" for f in bad))

    return {
        "evasion": rows,
        "evasion_total": {"cases": total_cases, "found": total_found,
                          "recall": total_found / total_cases if total_cases else 0.0},
        "evasion_misses": misses,
        "clean": {"texts": len(clean_texts), "flagged": flagged_texts,
                  "rate": flagged_texts / len(clean_texts) if clean_texts else 0.0,
                  "by_kind": dict(kinds), "examples": dict(examples),
                  "info_texts": info_texts},
        "guard": {"cases": len(guard), "by_kind": dict(by_kind), "alarms": guard_alarms,
                  "info_texts": guard_info},
    }


def _kind(finding) -> str:
    if finding.stage != "terms":
        return finding.category
    marker = finding.explanation
    for name in ("插入符号", "竖排", "插入外文字母", "插入虚字", "反向", "数字替代字母",
                 "汉字拼音混写", "拼音带声调数字", "谐音", "形近字", "符号替代", "命中拼音"):
        if name in marker:
            return f"term ({name})"
    return "term (plain)"


def render(tables: dict) -> str:
    lines = ["| technique | | terms | cases | found | recall |", "|---|---|---:|---:|---:|---:|"]
    for row in tables["evasion"]:
        lines.append(f"| {row['technique']} | {row['label']} | {row['terms']} | {row['cases']} "
                     f"| {row['found']} | {row['recall']:.2f} |")
    total = tables["evasion_total"]
    lines.append(f"| **all** | | | {total['cases']} | {total['found']} | "
                 f"**{total['recall']:.3f}** |")
    clean = tables["clean"]
    lines += ["", f"Clean corpus: {clean['flagged']} of {clean['texts']} real texts raise a "
                  f"finding that changes the verdict ({clean['rate']:.2%}); "
                  f"{clean['info_texts']} carry an informational contact finding.", "",
              "| finding kind | findings on clean texts |", "|---|---:|"]
    for kind, count in sorted(clean["by_kind"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {kind} | {count} |")
    guard = tables["guard"]
    lines += ["", f"Guard set: {guard['cases']} cases ("
              + ", ".join(f"{k} {v}" for k, v in sorted(guard["by_kind"].items()))
              + f"); {len(guard['alarms'])} raise a term finding or a verdict change; "
              f"{guard['info_texts']} carry an informational contact finding (outside e-mail "
              "or link)."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"),
                        help="folder of the local repository copies (default /work/.mirror)")
    parser.add_argument("--contexts", type=int, default=4,
                        help="real titles each evaded form is inserted into (default 4)")
    parser.add_argument("--verbose", action="store_true", help="print misses and examples")
    args = parser.parse_args()

    texts, notes = read_clean_titles(args.mirror) if args.mirror.is_dir() else ([], [])
    if not texts:
        texts, notes = sample_clean_texts()
    import os

    os.environ.setdefault("SCREENER_HOME", tempfile.mkdtemp(prefix="judgement-evasion-"))
    from screener import Screener

    screener = Screener(stages=STAGES)
    tables = run(screener, texts, contexts=args.contexts)
    print("clean texts: " + "; ".join(notes))
    print(render(tables))
    if args.verbose:
        print("\nmisses:", *tables["evasion_misses"], sep="\n  ")
        print("\nclean-corpus examples:")
        for kind, shown in tables["clean"]["examples"].items():
            print(f"  {kind}:", *shown, sep="\n    ")
    if tables["guard"]["alarms"]:
        print("\nguard alarms:", *tables["guard"]["alarms"], sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
