"""Reading the rows of each source format, with a stable id for every row.

Each reader takes one decoded file and yields ``Row``s. Ids are made from where the row sits in
the recorded file (line number, file name, record id), so the same files always give the same
ids, and the held-out split (a hash of the id) never moves.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..errors import CorpusError
from .sources import SourceFile


@dataclass(frozen=True)
class Row:
    id: str  # unique within its source
    text: str
    field: str = "body"  # "title" for headlines and notice titles
    # What the labelling rules may use besides the text (the source's own flag, a section).
    meta: dict = dataclasses.field(default_factory=dict)


Reader = Callable[[SourceFile, str, str], Iterator[Row]]
READERS: dict[str, Reader] = {}


def reader(name: str) -> Callable[[Reader], Reader]:
    def register(function: Reader) -> Reader:
        READERS[name] = function
        return function
    return register


def _lines(text: str) -> Iterator[tuple[int, str]]:
    # Split on "\n" only: str.splitlines also breaks at U+2028, U+0085 and the like, which
    # occur inside rows and would shift every later line number (and id).
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if line.strip():
            yield number, line


@reader("sms_tsv")
def sms_tsv(item: SourceFile, text: str, where: str) -> Iterator[Row]:
    """``label TAB text TAB segmented text``; label 1 = spam in the source's own labelling."""
    for number, line in _lines(text):
        parts = line.split("\t")
        if parts[0].strip() not in ("0", "1"):
            raise CorpusError(f"{where}:{number}", "应为“标签<TAB>短信<TAB>分词”，标签为 0 或 1")
        if len(parts) < 2 or not parts[1].strip():
            continue  # a label with no message
        yield Row(f"L{number}", parts[1].strip(), meta={"spam": parts[0].strip() == "1"})


@reader("fraud_csv")
def fraud_csv(item: SourceFile, text: str, where: str) -> Iterator[Row]:
    """``content,label`` with a header row; the file's category is its ``tag``."""
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if not header or [h.strip() for h in header[:2]] != ["content", "label"]:
        raise CorpusError(where, "第一行应为表头 content,label")
    for number, row in enumerate(rows, start=2):
        if not row or not row[0].strip():
            continue
        yield Row(f"{item.tag}:R{number}", row[0].strip(), meta={"category": item.tag})


@reader("weibo_json")
def weibo_json(item: SourceFile, text: str, where: str) -> Iterator[Row]:
    """One Weibo post per file (``text`` key); the id is the file name without ``.json``."""
    try:
        post = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorpusError(where, f"不是有效的 JSON（第 {exc.lineno} 行）") from None
    name = item.path.rsplit("/", 1)[-1].removesuffix(".json")
    body = str(post.get("text") or "").strip()
    if body:
        yield Row(name, body)


THUCNEWS_CLASSES = ("finance", "realty", "stocks", "education", "science", "society",
                    "politics", "sports", "game", "entertainment")


@reader("thucnews_tsv")
def thucnews_tsv(item: SourceFile, text: str, where: str) -> Iterator[Row]:
    """``title TAB class`` (class 3 = education); the file's ``tag`` names it (dev, test)."""
    for number, line in _lines(text):
        title, _, klass = line.rpartition("\t")
        if not title or not klass.strip().isdigit() or int(klass) >= len(THUCNEWS_CLASSES):
            raise CorpusError(f"{where}:{number}", "应为“标题<TAB>类别编号(0-9)”")
        yield Row(f"{item.tag}:L{number}", title.strip(), "title",
                  {"section": THUCNEWS_CLASSES[int(klass)]})


def md5_hex(title: str) -> str:
    return hashlib.md5(title.encode("utf-8")).hexdigest()


@reader("crawl_history")
def crawl_history(item: SourceFile, text: str, where: str) -> Iterator[Row]:
    """One committed version of a crawler's list of ``{news_name, news_href, news_date}``.

    Titles repeat across versions; the builder keeps the first. The id is the title's md5, which
    also decides whether the title may be used at all (see the source's ``title_md5_first``)."""
    if not text.strip():
        return
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CorpusError(where, f"不是有效的 JSON（第 {exc.lineno} 行）") from None
    for entry in items if isinstance(items, list) else []:
        title = str(entry.get("news_name") or "").strip() if isinstance(entry, dict) else ""
        if title:
            yield Row(md5_hex(title), title, "title",
                      {"list": item.path.removesuffix("-news.json")})


@reader("tnews_jsonl")
def tnews_jsonl(item: SourceFile, text: str, where: str) -> Iterator[Row]:
    for number, line in _lines(text):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise CorpusError(f"{where}:{number}", "不是有效的 JSON 行") from None
        yield Row(str(record["id"]), str(record["sentence"]).strip(), "title",
                  {"section": str(record.get("label_desc", "")).removeprefix("news_")})


@reader("adgen_jsonl")
def adgen_jsonl(item: SourceFile, text: str, where: str) -> Iterator[Row]:
    """``{"content": "类型#裙*颜色#…", "summary": copy}`` a line: product copy written for an
    online shop, with the product's attributes; the product type (``类型``) is kept."""
    for number, line in _lines(text):
        try:
            record = json.loads(line)
            attributes = str(record["content"])
            copy = str(record["summary"]).strip()
        except (json.JSONDecodeError, KeyError, TypeError):
            raise CorpusError(f"{where}:{number}", "应为含 content 与 summary 的 JSON 行") from None
        product = attributes.split("*", 1)[0].removeprefix("类型#")
        yield Row(f"L{number}", copy, meta={"product": product})


_ARTICLE = re.compile(r"^(第[一二三四五六七八九十百零〇]+条)\s*", re.MULTILINE)


@reader("law_md")
def law_md(item: SourceFile, text: str, where: str) -> Iterator[Row]:
    """Each article (``第X条 …`` up to the next article or heading) of one statute."""
    body = text.split("<!-- INFO END -->", 1)[-1]
    statute = item.path.rsplit("/", 1)[-1].removesuffix(".md")
    starts = list(_ARTICLE.finditer(body))
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(body)
        chunk = body[match.start():end]
        lines = [ln.strip() for ln in chunk.splitlines()
                 if ln.strip() and not ln.lstrip().startswith("#")]
        yield Row(f"{statute}:{match.group(1)}", "\n".join(lines), meta={"statute": statute})


@reader("lexicon_lines")
def lexicon_lines(item: SourceFile, text: str, where: str) -> Iterator[Row]:
    """Candidate lexicon terms, one a line; ``tag`` carries the list's category, if any."""
    for number, line in _lines(text):
        term = line.strip().split("\t")[0].strip()
        if term:
            yield Row(f"{item.path}:L{number}", term, meta={"list": item.tag or item.path})
