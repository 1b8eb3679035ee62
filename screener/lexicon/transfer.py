"""Reading term lists to import and writing the lexicon out.

Import formats, chosen by the file's suffix:

* ``.txt``: the shipped lexicon file format (``# category:`` header, ``term | boundary``), or a
  plain list of terms, one a line, with ``--category``;
* ``.csv``: a header row with ``term`` and optionally ``category``, ``severity``, ``article``,
  ``boundary``;
* ``.json``: a list of strings, or of objects with the same keys as the CSV columns.

A bad line never stops an import: it is rejected with its line number and reason, and the good
lines go in (or, in a dry run, are shown).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, LexiconError
from ..ingest import load_json, read_bounded
from ..settings import Settings
from .files import ALLOW, Entry, default_boundary, make_entry
from .maintain import check_entry, unmatchable

# A college's lexicon is thousands of terms. An import is checked term by term (normalized, folded,
# compared) and then published as one version, so a file of a million lines is a mistake or an
# attack; it is refused before it is parsed, with the way out in the message.
_META_KEYS = ("category", "severity", "article", "description", "boundary")
_YES = {"yes", "true", "1", "on", "y"}
_NO = {"no", "false", "0", "off", "n", ""}


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class ImportPlan:
    source: str
    accepted: tuple[tuple[int, Entry], ...]
    rejected: tuple[Rejected, ...]


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    text: str
    term: str
    category: str | None
    severity: str | None
    article: str | None
    boundary: str | None
    problem: str = ""  # set when the line cannot even be read as a row
    fillers: str | None = None


def _flag(value: str | None) -> bool:
    lowered = (value or "").strip().lower()
    if lowered in _YES:
        return True
    if lowered in _NO:
        return False
    raise ValueError(f"boundary 只能是 yes 或 no，不能是 {value!r}")


def _default_or_flag(value: str | None) -> bool | None:
    """An empty boundary cell takes the default (two Chinese characters: yes)."""
    return None if value is None or not value.strip() else _flag(value)


def _txt_rows(text: str) -> Iterator[_Row]:
    meta: dict[str, str] = {}
    seen_term = False
    # Lines are counted at "\n" only, as editors do; splitlines() would also break at U+2028,
    # \x0b or \x1c and every later line number would point at the wrong line.
    for number, raw in enumerate(text.split("\n"), start=1):
        raw = raw.removesuffix("\r")
        line = raw.strip()
        if line.startswith("#"):
            key, _, value = line.lstrip("#").partition(":")
            if not seen_term and key.strip() in _META_KEYS and _:
                meta[key.strip()] = value.strip()
            continue
        if not line:
            continue
        seen_term = True
        term, _, flags = line.partition("|")
        flagged: dict[str, str | None] = {"boundary": meta.get("boundary"), "fillers": None}
        for flag in filter(None, (f.strip() for f in flags.split(","))):
            name, _, value = flag.partition("=")
            if name.strip() in flagged:
                flagged[name.strip()] = value or "yes"
            else:
                flagged["boundary"] = f"?{name.strip()}"
        yield _Row(number, raw, term.strip(), meta.get("category"), meta.get("severity"),
                   meta.get("article"), flagged["boundary"], fillers=flagged["fillers"])


def _csv_rows(text: str) -> Iterator[_Row]:
    # strict: an unclosed quote is an error, not a field that swallows the rest of the file
    reader = csv.DictReader(io.StringIO(text), strict=True)
    if not reader.fieldnames or "term" not in [f.strip() for f in reader.fieldnames]:
        raise InputError("csv", "第一行须是列名，其中要有 term 列")
    width = len(reader.fieldnames)
    while True:
        line = reader.line_num + 1  # where the row starts; a quoted field may span lines
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield _Row(line, "", "", None, None, None, None, f"CSV 格式错误：{exc}")
            return  # the reader cannot find the next row after a broken one
        extra = record.pop(None, None)
        values = {(k or "").strip(): (v or "").strip() for k, v in record.items()}
        text = ",".join(values.values())
        if extra:
            yield _Row(line, text, "", None, None, None, None,
                       f"有 {width + len(extra)} 个字段，标题行只有 {width} 个")
            continue
        yield _Row(line, text, values.get("term", ""),
                   values.get("category") or None, values.get("severity") or None,
                   values.get("article") or None, values.get("boundary") or None,
                   fillers=values.get("fillers") or None)


def _json_rows(text: str, source: str, max_rows: int) -> Iterator[_Row]:
    data = load_json(text, source)
    if not isinstance(data, list):
        raise InputError(source, "JSON 导入文件须是词条（或对象）的列表")
    _check_rows(len(data), "项", source, max_rows)
    for number, item in enumerate(data, start=1):
        shown = json.dumps(item, ensure_ascii=False)[:200]
        if isinstance(item, str):
            yield _Row(number, item, item.strip(), None, None, None, None)
        elif not isinstance(item, dict):
            yield _Row(number, shown, "", None, None, None, None,
                       f"第 {number} 项是 {type(item).__name__}，不是词条，也不是对象")
        elif wrong := [k for k in ("term", *_META_KEYS) if k in item and k != "boundary"
                       and not isinstance(item[k], str | None)]:
            yield _Row(number, shown, "", None, None, None, None, f"{wrong[0]} 须是文本")
        else:
            boundary, fillers = item.get("boundary"), item.get("fillers")
            yield _Row(number, shown, item.get("term") or "", item.get("category"),
                       item.get("severity"), item.get("article"),
                       None if boundary is None else str(boundary).lower(),
                       fillers=None if fillers is None else str(fillers).lower())


def _check_rows(count: int, what: str, source: str, max_rows: int) -> None:
    if count > max_rows:
        raise InputError(source, f"共 {count:,} {what}；一次导入最多 {max_rows:,} {what}："
                                 "请把文件拆成几次导入")


def read_import(path: Path, settings: Settings, category: str | None = None,
                progress: Callable[[int, int], None] | None = None) -> ImportPlan:
    """Parse and check an import file; ``category`` fills rows that name none."""
    source = str(path)
    data = read_bounded(path, settings.max_import_bytes, kind="导入文件", noun="导入文件",
                        limit_name="请把文件拆开")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(source, f"第 {line} 行不是有效的 UTF-8 编码（偏移 {exc.start} 处的字节 "
                                 f"0x{data[exc.start]:02x}）；请将文件另存为 UTF-8") from None
    suffix = path.suffix.lower()
    if suffix in (".txt", ".csv"):
        _check_rows(text.count("\n") + (not text.endswith("\n")), "行", source,
                    settings.max_import_rows)
    if suffix == ".txt":
        rows = list(_txt_rows(text))
    elif suffix == ".csv":
        try:
            rows = list(_csv_rows(text))
        except InputError as exc:
            raise InputError(source, exc.problem) from None
        except csv.Error as exc:
            raise InputError(source, f"CSV 格式错误：{exc}") from None
    elif suffix == ".json":
        rows = list(_json_rows(text, source, settings.max_import_rows))
    else:
        raise InputError(source, f"不支持的文件类型 {suffix!r}；请用 .txt、.csv 或 .json"
                         if suffix else "文件没有扩展名；请用 .txt、.csv 或 .json")

    accepted: list[tuple[int, Entry]] = []
    rejected: list[Rejected] = []
    seen: dict[tuple[str, str], int] = {}
    for done, row in enumerate(rows, start=1):
        if progress and done % 1000 == 0:
            progress(done, len(rows))
        try:
            if row.problem:
                raise ValueError(row.problem)
            if not row.term:
                raise ValueError("词条为空")
            if row.boundary and row.boundary.startswith("?"):
                raise ValueError(f"未知标记 {row.boundary[1:]!r}（只有 boundary、fillers）")
            cat = row.category or category
            if not cat:
                raise ValueError("没有类别（请用 --category 指定，或加一列 category）")
            entry = make_entry(row.term, cat, row.severity, row.article,
                               False if cat == ALLOW else _default_or_flag(row.boundary),
                               f"{path.name}", bool(_default_or_flag(row.fillers)))
            check_entry(entry)
        except (ValueError, LexiconError) as exc:
            reason = exc.problem if isinstance(exc, LexiconError) else str(exc)
            rejected.append(Rejected(row.line, row.text.strip(), reason))
            continue
        key = (entry.term, entry.category)
        if key in seen:
            rejected.append(Rejected(row.line, row.text.strip(),
                                     f"与第 {seen[key]} 行重复"))
            continue
        seen[key] = row.line
        accepted.append((row.line, entry))
    if progress:
        progress(len(rows), len(rows))
    bad = unmatchable([e.term for _, e in accepted], settings)
    if bad:
        for line, e in accepted:
            if e.term in bad:
                rejected.append(Rejected(line, e.term, f"无法匹配：{bad[e.term]}"))
        accepted = [(line, e) for line, e in accepted if e.term not in bad]
    rejected.sort(key=lambda r: r.line)
    return ImportPlan(source, tuple(accepted), tuple(rejected))


# -- export ---------------------------------------------------------------------------------

EXPORT_FORMATS = ("lexicon", "json", "csv")
_FIELDS = ("term", "category", "severity", "article", "boundary", "fillers", "source")


def _row(e: Entry) -> dict:
    return {"term": e.term, "category": e.category,
            "severity": "" if e.is_allow else str(e.severity), "article": e.article,
            "boundary": e.boundary, "fillers": e.fillers, "source": e.source}


def _flags(e: Entry) -> str:
    """The flags of a term in the lexicon format, written out whenever they differ from the
    default so that a round trip keeps them."""
    flags = []
    if e.boundary != default_boundary(e.term, e.category) and not e.is_allow:
        flags.append("boundary" if e.boundary else "boundary=no")
    if e.fillers:
        flags.append("fillers")
    return f"{e.term} | {', '.join(flags)}" if flags else e.term


def export_text(entries: list[Entry], fmt: str, version: str) -> dict[str, str]:
    """File name (or "" for a single document) -> content.

    The lexicon format allows one category per file, so it gives one document per category.
    """
    if fmt == "json":
        return {"": json.dumps({"version": version, "entries": [_row(e) for e in entries]},
                               ensure_ascii=False, indent=1) + "\n"}
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=_FIELDS, lineterminator="\n")
        writer.writeheader()
        for e in entries:
            writer.writerow({**_row(e), "boundary": "yes" if e.boundary else "no",
                             "fillers": "yes" if e.fillers else ""})
        return {"": buffer.getvalue()}
    if fmt != "lexicon":
        raise InputError("--format", f"未知格式 {fmt!r}；可用：{'、'.join(EXPORT_FORMATS)}")
    # A file carries one category, severity and article, so entries are grouped by all three
    # and nothing a maintainer set per term is lost on a round trip.
    groups: dict[tuple[str, str, str], list[str]] = {}
    for e in entries:
        lines = groups.get((e.category, str(e.severity), e.article))
        if lines is None:
            lines = groups[(e.category, str(e.severity), e.article)] = \
                [f"# category: {e.category}"] + \
                ([] if e.is_allow else [f"# severity: {e.severity}", f"# article: {e.article}"]) \
                + [f"# description: exported from lexicon {version}"]
        lines.append(_flags(e))
    files: dict[str, str] = {}
    for (category, _, _), lines in groups.items():
        name = f"{category}.txt"
        number = 2
        while name in files:
            name, number = f"{category}-{number}.txt", number + 1
        files[name] = "\n".join(lines) + "\n"
    return files
