"""Public lexicons as candidate lists: which of their terms we publish, and why the rest stay out.

Each candidate term (SOURCES.toml, role ``candidates``) goes through these steps, the first that
refuses it naming the reason:

1. form: no control or invisible character, 2-20 characters, at least one Chinese character
   (Latin-only acronyms and numbers collide with names, handles and course codes), not a web
   address (links are the contacts stage's business);
2. not already shipped (same folded form as a term of lexicons/*.txt);
3. a category of ours judged from the term itself (``judge``): it must contain a word that
   makes it plausibly a violation of 第十一条 (a weapon, a drug, gambling, a forged document,
   surrogacy, exam fraud, pornography, an advertisement's call), and agree with the category its
   list's file name gives, if any; a term that names the fight against one (禁毒, 反诈, 远离) is
   refused, since the college's own news speaks of those;
4. not an everyday word (over 20 per million words in jieba's dictionary), and its pinyin
   spells none (each term also matches its toneless pinyin);
5. not covered: a candidate that contains a shorter candidate or shipped term of the same
   category adds nothing (the shorter one already fires there);
6. its false-alarm rate on the clean reference corpus (the real clean titles of the training and
   validation splits plus the hand-written samples; the test split stays for the benchmark) at
   most 0.5 %.

What passes is written to ``lexicons/public_<category>.txt`` (our curation of third-party terms,
with their provenance in the file header); what does not is counted per reason in
``lexicons/CANDIDATES.md``. The candidate lists themselves are never committed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick

from ..corpus.formats import READERS
from ..corpus.origin import Origin, decode
from ..corpus.sources import SOURCES_FILE, load_sources
from ..errors import CorpusError
from ..normalize import Normalizer, load_tables
from ..settings import REPO_ROOT, Settings
from .clean import clean_corpus, term_rates
from .compiled import fold_terms, pinyin_spellings
from .effective import base_entries
from .files import make_entry
from .trial import COMMON_PER_MILLION, _common_pinyin, jieba_frequencies

MAX_CHARS = 20
MIN_CHARS = 2
RATE_LIMIT = 0.005
PUBLISHED = ("illegal", "unhealthy", "commercial")
SELECTION_SPLITS = ("train", "validation")

_HAN = re.compile(r"[\u4e00-\u9fff]")
_URLISH = re.compile(r"(?:https?://|www\.|\.(?:com|cn|net|org|info|top|xyz|cc)\b)", re.I)

# Words that make a term plausibly a 第十一条 violation, by our category.
KEYWORDS = {
    "illegal": re.compile("|".join((
        r"枪支", r"手枪", r"猎枪", r"气枪", r"汽枪", r"步枪", r"仿真枪", r"钢珠枪", r"麻醉枪",
        r"枪械", r"枪弹", r"枪模", r"弹药", r"子弹", r"炸药", r"雷管", r"手雷", r"炸弹", r"军火",
        r"火药", r"弓弩", r"迷药", r"迷幻", r"催情", r"蒙汗药", r"窃听", r"监听器", r"针孔摄像",
        r"毒品", r"冰毒", r"海洛因", r"大麻", r"摇头丸", r"[Kk]粉", r"麻古", r"吗啡", r"鸦片",
        r"可卡因", r"氯胺酮", r"甲基苯丙胺", r"罂粟", r"赌博", r"赌场", r"博彩", r"六合彩",
        r"百家乐", r"娱乐城", r"老虎机", r"时时彩", r"赌球", r"赌马", r"假证", r"假.{0,4}证",
        r"高仿.{0,4}证", r"刻章", r"假文凭", r"假学历", r"假币", r"假钞",
        r"(?:代开|出售|假|虚开).{0,4}发票", r"发票.{0,4}(?:代开|出售)", r"代孕", r"代考", r"替考",
        r"(?:出售|提供|预售|考前|包过).{0,6}(?:答案|考题|试题)",
        r"(?:答案|考题|试题).{0,6}(?:出售|预售)",
        r"作弊器", r"黑客", r"木马", r"盗号", r"卖肾", r"器官买卖", r"洗钱", r"走私",
        r"(?:出售|买卖|收购|代办|高仿|精仿|批发).{0,4}(?:身份证|银行卡|证件|文凭|学历|驾照|护照)",
        r"代办.{0,6}(?:证|文凭|学历|驾照|护照)",
    ))),
    "unhealthy": re.compile("|".join((
        r"色情", r"成人(?:电影|影院|网|视频|用品|小说|图片|论坛|片)",
        r"裸(?:聊|照|体|露|舞|奔|拍|模|陪)",
        r"淫", r"性交", r"做爱", r"约炮", r"一夜情", r"援交", r"嫖", r"卖淫", r"卖春", r"三级片",
        r"黄片", r"黄色(?:电影|网站|小说|视频)", r"巨乳", r"爆乳", r"阴道", r"阴茎", r"屄", r"操逼",
        r"口交", r"肛交", r"肏", r"自慰", r"性爱", r"情色", r"包夜", r"楼凤", r"胸推", r"推油",
        r"乱伦", r"(?:强|轮|诱|迷|鸡)奸", r"骚(?:货|逼|屄|女|妇|穴)", r"av(?:女优|电影)",
    ))),
    "commercial": re.compile("|".join((
        r"刷单", r"网赚", r"日赚", r"代刷", r"招代理", r"代理加盟", r"兼职日结", r"日结工资",
        r"手机兼职", r"网络兼职", r"打字兼职", r"刷信誉", r"刷钻", r"代购", r"微商",
        r"无抵押", r"快速放款", r"私服", r"外挂", r"淘宝客",
    ))),
}
MAX_PUBLISHED_CHARS = 8  # longer candidates are site names and story titles: no post says them
# The shipped lists' rule (lexicons/illegal.txt): news against drugs, fraud and gambling speaks
# of 毒品 and 诈骗, so only the trade and the solicitation are terms. An illegal or unhealthy
# candidate must name a trade in the thing, or be obscene in itself.
TRADE = re.compile("|".join((
    r"出售", r"供应", r"批发", r"专卖", r"代办", r"办理", r"代开",
    r"代考", r"替考", r"代孕", r"转让", r"预订", r"预售", r"到货", r"出货", r"买卖", r"收购",
    r"提供", r"销售", r"订购", r"订做", r"定做", r"包过", r"枪手", r"作弊器", r"刻章",
    r"假.{0,4}证", r"高仿", r"精仿", r"仿真.{0,2}(?:证|枪)", r"假币", r"假钞", r"假发票",
    r"包夜", r"上门", r"招嫖", r"援交", r"约炮", r"一夜情", r"裸聊", r"全套", r"推油", r"胸推",
    r"楼凤", r"三级片", r"黄片", r"情色", r"色情(?:网|电影|视频|图片|小说|服务|种子|下载|视讯)",
    r"成人(?:网|影院|电影|视频|论坛|小说|图片|片)", r"性交易", r"性服务", r"卖春", r"买春",
    r"屄", r"肏", r"操逼", r"淫(?![雨威])", r"口交", r"肛交",
)))
# Words news and lectures use as they are (a crime reported, a lesson on it): never a term alone.
TOPIC_WORDS = frozenset((
    "强奸", "轮奸", "乱伦", "性交", "性爱", "做爱", "卖淫", "嫖娼", "嫖客", "嫖妓", "巨乳",
    "手淫", "奸淫", "浸淫", "淫威", "淫雨", "假币", "假钞", "外挂", "私服", "催情", "刻章",
    "淫秽", "淫穢", "淫逸", "荒淫", "荒淫无度", "淫乱", "淫亂", "淫欲", "意淫", "提供答案",
))
# Inside a term, these make it a lesson, a history or an idiom rather than a trade.
NOT_TRADE = re.compile(r"浸淫|淫雨|淫威|骄奢淫逸|荒淫|手淫|阴茎|原子弹|火药|毒品|淫秽|淫穢|思淫欲")
# A term naming the fight against the thing, or a lawful use of the word.
AGAINST = re.compile("|".join((
    r"禁", r"反", r"防", r"打击", r"远离", r"拒绝", r"抵制", r"举报", r"取缔", r"查处", r"严打",
    r"安全", r"教育", r"宣传", r"法律", r"条例", r"公安", r"警", r"检察", r"法院",
)))
# Konsheng file tags that name one of our categories; others ("political", "terror", none)
# give no category: a term from them is published only if its own words judge it.
TAG_CATEGORY = {"illegal": "illegal", "unhealthy": "unhealthy", "commercial": "commercial"}


def judge(term: str, tag: str = "") -> tuple[str | None, str]:
    """(category, "") or (None, reason): the category of ours a term plausibly violates."""
    found = [name for name, pattern in KEYWORDS.items() if pattern.search(term)]
    if not found:
        return None, "no category of ours can be judged from the term"
    if term in TOPIC_WORDS or NOT_TRADE.search(term):
        return None, "a word news and lectures use as it is (a crime reported, a lesson)"
    if ("illegal" in found or "unhealthy" in found) and not TRADE.search(term):
        return None, "names the thing, not a trade in it (news and lectures speak of it)"
    if AGAINST.search(term):
        return None, "names the fight against it, or a lawful use (禁毒, 防骗, 公安...)"
    if "illegal" in found:
        # Selling forged documents is also selling: the graver category wins.
        found = ["illegal"] if "unhealthy" not in found else found
    if len(found) > 1:
        return None, "more than one category fits"
    category = found[0]
    wanted = TAG_CATEGORY.get(tag)
    if wanted and wanted != category:
        return None, "its list's category disagrees with its words"
    return category, ""


@dataclass
class Decision:
    term: str
    lists: str
    category: str | None = None
    reason: str = ""
    hits: int = 0


@dataclass
class CandidateReport:
    decisions: list[Decision] = field(default_factory=list)
    clean_texts: int = 0
    clean_digest: str = ""
    clean_description: str = ""
    sources: list[tuple[str, str, str]] = field(default_factory=list)  # name, repo, commit

    def accepted(self) -> list[Decision]:
        return [d for d in self.decisions if d.category and not d.reason]

    def reasons(self) -> dict[str, Counter]:
        by: dict[str, Counter] = {}
        for d in self.decisions:
            for source in d.lists.split(","):
                by.setdefault(d.reason or f"published ({d.category})", Counter())[source] += 1
        return by


def _visible(term: str) -> bool:
    return not any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cs")
                   for ch in term)


def read_candidates(mirror: Path, sources_file: Path = SOURCES_FILE
                    ) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str, str]]]:
    """term -> (lists it came from, first tag), every file checked against its sha256."""
    terms: dict[str, tuple[str, str]] = {}
    used = []
    for source in load_sources(sources_file):
        files = [f for f in source.files if f.role == "candidates"]
        if not files:
            continue
        used.append((source.name, source.repository, source.commit))
        origin = Origin(mirror, source)
        for item, data in origin.read_all(files):
            where = f"{source.repository}:{item.path}"
            for row in READERS["lexicon_lines"](item, decode(item, data, where), where):
                term = unicodedata.normalize("NFC", row.text.strip())
                if term.startswith("#"):
                    continue
                if term in terms:
                    lists, tag = terms[term]
                    if source.name not in lists.split(","):
                        terms[term] = (f"{lists},{source.name}", tag or item.tag)
                else:
                    terms[term] = (source.name, item.tag)
    return terms, used


def select(mirror: Path, settings: Settings, corpus: Path | None = None,
           sources_file: Path = SOURCES_FILE) -> CandidateReport:
    terms, used = read_candidates(mirror, sources_file)
    report = CandidateReport(sources=used)
    shipped = base_entries(settings)
    normalizer = Normalizer(load_tables(settings.cache_dir))
    shipped_forms = {s for s, _ in fold_terms([e.term for e in shipped], normalizer)}
    freq, total = jieba_frequencies()
    pending: list[Decision] = []
    for term, (lists, tag) in sorted(terms.items()):
        d = Decision(term, lists)
        report.decisions.append(d)
        if tag == "url" or _URLISH.search(term):
            d.reason = "a web address (links are the contacts stage's business)"
        elif not _visible(term):
            d.reason = "holds a control or invisible character"
        elif len(term) > MAX_CHARS:
            d.reason = f"longer than {MAX_CHARS} characters (a phrase, not a term)"
        elif len(term) < MIN_CHARS:
            d.reason = "a single character"
        elif not _HAN.search(term):
            d.reason = "no Chinese character (acronyms and numbers collide with names, handles)"
        elif re.search(r"[A-Za-z0-9０-９Ａ-Ｚａ-ｚ]", term):
            d.reason = "mixes in Latin letters or digits (a variant of a shorter term, or a site)"
        elif re.search(r"[^\u4e00-\u9fff]", term):
            d.reason = "holds spaces or symbols (a list artifact or a spelled-out variant)"
        elif len(term) > MAX_PUBLISHED_CHARS:
            d.reason = (f"longer than {MAX_PUBLISHED_CHARS} characters (a site name or a story "
                        "title, not a phrase a post would use)")
        if d.reason:
            continue
        d.category, why = judge(term, tag)
        if why:
            d.reason = why
            continue
        pending.append(d)
    forms = fold_terms([d.term for d in pending], normalizer)
    kept = []
    for d, (form, _literal) in zip(pending, forms, strict=True):
        if not form or "\n" in form:
            d.reason = "nothing matchable, or clause punctuation inside"
        elif form in shipped_forms:
            d.reason = "already shipped"
        elif freq.get(d.term, 0) * 1e6 / total >= COMMON_PER_MILLION:
            d.reason = "an everyday word (jieba)"
        else:
            kept.append(d)
    kept = _drop_pinyin_clashes(kept, normalizer, settings.min_pinyin_letters)
    kept = _drop_covered(kept, shipped, normalizer)
    clean = clean_corpus(settings, corpus, splits=SELECTION_SPLITS)
    if not clean.real:
        raise CorpusError("clean corpus", "候选词条要在真实干净语料上测误报率；先运行 "
                          "`screener corpus build`（或用 --corpus 指定）")
    report.clean_texts, report.clean_digest = len(clean), clean.digest
    report.clean_description = clean.description
    allow = [e for e in shipped if e.is_allow]
    entries = [make_entry(d.term, d.category, source=f"candidate:{d.lists}") for d in kept]
    rates = {(r.term, r.category): r for r in term_rates(entries + allow, settings, clean)}
    for d in kept:
        rate = rates[(d.term, d.category)]
        d.hits = rate.texts_hit
        if rate.rate > RATE_LIMIT:
            d.reason = f"fires on more than {RATE_LIMIT:.1%} of the clean corpus"
    return report


def _drop_covered(kept: list[Decision], shipped, normalizer) -> list[Decision]:
    """Drop a candidate that contains a shorter candidate or shipped term of the same category:
    the shorter one already fires wherever it would."""
    forms = dict(zip((d.term for d in kept),
                     (f for f, _ in fold_terms([d.term for d in kept], normalizer)), strict=True))
    shipped_forms = fold_terms([e.term for e in shipped if not e.is_allow], normalizer)
    result = []
    for category in PUBLISHED:
        automaton = ahocorasick.Automaton()
        for e, (form, _) in zip([e for e in shipped if not e.is_allow], shipped_forms,
                                strict=True):
            if e.category == category and form and not e.boundary:
                automaton.add_word(form, form)
        for d in kept:
            if d.category == category:
                automaton.add_word(forms[d.term], forms[d.term])
        if not len(automaton):
            continue
        automaton.make_automaton()
        for d in kept:
            if d.category != category:
                continue
            form = forms[d.term]
            if any(inner != form for _, inner in automaton.iter(form)):
                d.reason = "contains a shorter term of the same category (already fires there)"
            else:
                result.append(d)
    return result


def _drop_pinyin_clashes(kept: list[Decision], normalizer, min_letters: int) -> list[Decision]:
    """Each Chinese term also matches its toneless pinyin: a term whose pinyin spells an everyday
    word (淫道 yindao = 引导) would fire on that word written in Latin letters."""
    forms = [f for f, _ in fold_terms([d.term for d in kept], normalizer)]
    spelled = [pinyin_spellings(form, min_letters) for form in forms]
    common = _common_pinyin({len(f) for f, s in zip(forms, spelled, strict=True) if s})
    result = []
    for d, form, spellings in zip(kept, forms, spelled, strict=True):
        if any(common.get(s) not in (None, form) for s in spellings):
            d.reason = "its pinyin spells an everyday word"
        else:
            result.append(d)
    return result


LEXICON_HEADER = {
    "illegal": "违反法律法规的信息（公开词库候选，按误报率筛选）",
    "unhealthy": "不健康信息（公开词库候选，按误报率筛选）",
    "commercial": "未经许可的商业经营活动（公开词库候选，按误报率筛选）",
}


def write_lexicons(report: CandidateReport, folder: Path = REPO_ROOT / "lexicons") -> list[Path]:
    written = []
    sources = ", ".join(f"{repo}@{commit[:10]}" for _, repo, commit in report.sources)
    for category in PUBLISHED:
        chosen = sorted(d.term for d in report.accepted() if d.category == category)
        path = folder / f"public_{category}.txt"
        lines = [f"# category: {category}",
                 f"# description: {LEXICON_HEADER[category]}",
                 f"# Chosen by `screener corpus candidates --write` from public lists ({sources};",
                 "# data/corpora/SOURCES.toml): each term's category is judged from its own words,",
                 "# and it fires on at most 0.5% of the clean reference corpus "
                 f"({report.clean_texts} texts, sha256 {report.clean_digest[:16]}…).",
                 "# Reasons for the terms left out: lexicons/CANDIDATES.md.", "", *chosen]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written


def write_report(report: CandidateReport, path: Path = REPO_ROOT / "lexicons" / "CANDIDATES.md"
                 ) -> Path:
    names = [name for name, _, _ in report.sources]
    lines = ["# Candidate terms from public lexicons: what was published and why the rest was not",
             "",
             "Written by `screener corpus candidates --write` (screener/lexicon/candidates.py says "
             "the steps). Counts of distinct terms per list (a term in several lists counts in "
             "each). The lists themselves are third-party text and are not in this repository; "
             "the published terms are in `lexicons/public_*.txt`.",
             "",
             f"Clean reference corpus for the rates: {report.clean_texts} texts, sha256 "
             f"`{report.clean_digest}` (real clean titles of the train and validation splits plus "
             "the hand-written samples).",
             "",
             "| outcome | " + " | ".join(names) + " |",
             "|---|" + "---|" * len(names)]
    for reason, counts in sorted(report.reasons().items(),
                                 key=lambda item: (not item[0].startswith("published"),
                                                   -sum(item[1].values()))):
        lines.append(f"| {reason} | " + " | ".join(str(counts.get(n, 0)) for n in names) + " |")
    accepted = report.accepted()
    by_category = Counter(d.category for d in accepted)
    lines += ["", "Published per category: " + ", ".join(
        f"{c} {by_category.get(c, 0)}" for c in PUBLISHED) + f" ({len(accepted)} terms); "
        f"of them {sum(1 for d in accepted if d.hits)} fire on at least one clean text.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
