"""Importing published posts into the archive.

Formats: JSON Lines (``.jsonl``: one object per line with the draft fields plus ``published_at``
and ``account``), CSV (``.csv``: a header naming those columns; ``images`` is a JSON list or
empty; image paths are relative to the file) and draft files (a folder, or
``.json/.txt/.md/...`` files, read by ``ingest.load_draft``; their publication date is the file's
modification time unless ``published_at`` is given).

Import is idempotent: a post is keyed by its draft id (given, or ``d-`` + a hash of title and
body). The same post imported again is counted as ``unchanged``; a different post under an id
already stored is a ``conflict`` (reported, never overwritten). A bad line is reported with its
line number and reason; the good ones are imported.

Dates: ISO 8601 (``2024-03-01`` or ``2024-03-01T09:30:00``, with or without an offset). A date
without an offset is Beijing time (UTC+8); every date is stored in UTC.

Other sources come from plugins (``import_source``): the review service provides ``service``,
its published drafts (``screener archive import --from-service``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select

from ..errors import InputError, ScreenerError
from ..ingest import SUFFIXES, DraftFile, expand_paths, load_draft, parse_draft
from ..ingest.text import field_problem
from ..model import Draft
from ..plugins import hooks
from ..settings import Settings
from . import db

BEIJING = timezone(timedelta(hours=8))
BATCH = 500


class ArchiveRow(DraftFile):
    """A draft file's fields plus when it was published (required for the archive)."""

    published_at: str


def parse_when(text: str) -> datetime:
    """An ISO date or date-time; without an offset it is Beijing time. Returns UTC."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} 不是 ISO 8601 日期") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=BEIJING)
    try:
        return when.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59-23:59 is past year 9999 in UTC
        raise ValueError(f"日期超出范围：{text!r}") from None


def iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds")


@dataclass
class Post:
    draft: Draft
    published_at: str  # ISO, UTC
    source: str

    def content_hash(self) -> str:
        d = self.draft
        canonical = json.dumps([d.title, d.body, d.account, str(d.platform), d.author,
                                list(d.images), self.published_at], ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class ImportResult:
    imported: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (source[:line], reason)
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    # Archived posts that joined the bank of source texts now (reprinted text, 第十二条), and
    # the bank's events recording it; posts too short to be matched stay out.
    joined: int = 0
    too_short: int = 0
    join_events: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"imported": self.imported, "unchanged": self.unchanged,
                "errors": [{"source": s, "reason": r} for s, r in self.errors],
                "conflicts": [{"source": s, "reason": r} for s, r in self.conflicts],
                "joined_source_bank": self.joined, "too_short_for_source_bank": self.too_short}


def _row_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"未知字段 {where!r}（可用的字段：{'、'.join(ArchiveRow.model_fields)}）"
    if err["type"] == "missing":
        return f"缺少字段 {where}"
    return field_problem(err)


def _post_from(data: object, source: str, settings: Settings, base: Path) -> Post:
    if not isinstance(data, dict):
        raise InputError(source, f"应为 JSON 对象，而不是 {type(data).__name__}")
    try:
        row = ArchiveRow.model_validate(data)
    except ValidationError as exc:
        raise InputError(source, _row_error(exc)) from None
    try:
        published = iso(parse_when(row.published_at))
    except ValueError as exc:
        raise InputError(source, f"published_at：{exc}") from None
    # parse_draft applies every check a draft file gets (empty, too long, surrogates...)
    fields = row.model_dump(exclude={"published_at"})
    draft = parse_draft(json.dumps(fields, ensure_ascii=False), source, ".json", settings,
                        base=base)
    return Post(draft, published, source)


def _jsonl(path: Path, settings: Settings) -> Iterator[Post | InputError]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            source = f"{path}:{number}"
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield InputError(source, f"不是有效的 UTF-8 编码（第 {exc.start + 1} 列的字节 "
                                         f"0x{raw[exc.start]:02x}）")
                continue
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                yield InputError(source, f"不是有效的 JSON（第 {exc.colno} 列：{exc.msg}）")
                continue
            except RecursionError:
                yield InputError(source, "不是有效的 JSON：嵌套过深")
                continue
            try:
                yield _post_from(data, source, settings, path.parent)
            except InputError as exc:
                yield exc


def _csv(path: Path, settings: Settings) -> Iterator[Post | InputError]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield InputError(str(path), f"不是有效的 UTF-8 编码（偏移 {exc.start} 字节处）；"
                                  "请将文件另存为 UTF-8")
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    unknown = [h for h in header if h not in ArchiveRow.model_fields]
    if unknown or "published_at" not in header:
        problem = (f"未知列 {'、'.join(map(repr, unknown))}" if unknown
                   else "没有 published_at 列")
        yield InputError(f"{path}:1", f"标题行有误：{problem}（可用的列："
                                      f"{'、'.join(ArchiveRow.model_fields)}）")
        return
    start = 2
    for record in reader:
        source = f"{path}:{start}"
        start = reader.line_num + 1
        if None in record:
            yield InputError(source, f"有 {len(header) + len(record[None])} 个字段，"
                                     f"标题行只有 {len(header)} 个")
            continue
        data: dict[str, object] = {k: v for k, v in record.items() if v is not None}
        images = data.get("images")
        if images is not None:
            try:
                data["images"] = json.loads(images) if str(images).strip() else []
            except json.JSONDecodeError:
                yield InputError(source, "images：不是由路径组成的 JSON 列表")
                continue
        try:
            yield _post_from(data, source, settings, path.parent)
        except InputError as exc:
            yield exc


def _files(paths: list[Path], settings: Settings,
           published_at: str | None) -> Iterator[Post | InputError]:
    for path in paths:
        try:
            draft = load_draft(path, settings)
            when = published_at or iso(datetime.fromtimestamp(path.stat().st_mtime, UTC))
        except InputError as exc:
            yield exc
            continue
        except (ScreenerError, OSError) as exc:
            yield InputError(str(path), str(exc))
            continue
        yield Post(draft, when, str(path))


def read_posts(paths: list[Path], settings: Settings, *,
               published_at: str | None = None) -> Iterator[Post | InputError]:
    """Every post in the given files and folders, or the error that stopped one."""
    when = iso(parse_when(published_at)) if published_at else None
    for path in paths:
        suffix = path.suffix.lower()
        if path.is_dir():
            yield from _files(expand_paths([path]), settings, when)
        elif not path.exists():
            yield InputError(str(path), "找不到文件")
        elif suffix == ".jsonl":
            yield from _jsonl(path, settings)
        elif suffix == ".csv":
            yield from _csv(path, settings)
        elif suffix in SUFFIXES:
            yield from _files([path], settings, when)
        else:
            yield InputError(str(path), (f"不支持的文件类型 {suffix!r}" if suffix
                                         else "文件没有扩展名")
                             + "；请用 .jsonl、.csv、稿件文件或文件夹")


def _store(engine, batch: list[Post], result: ImportResult) -> None:
    now = iso(datetime.now(UTC))
    # the same id twice in one batch: the first one stands, the rest are compared with it
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        ids = list({p.draft.id for p in batch})
        known = dict(conn.execute(select(db.posts.c.id, db.posts.c.content_hash)
                                  .where(db.posts.c.id.in_(ids))).all())
        rows = []
        for post in batch:
            digest = post.content_hash()
            stored = known.get(post.draft.id)
            if stored == digest:
                result.unchanged += 1
            elif stored is not None:
                result.conflicts.append((post.source, f"id {post.draft.id!r} 已在存档中，"
                                                      "但内容不同；没有覆盖"))
            else:
                known[post.draft.id] = digest
                d = post.draft
                rows.append({"id": d.id, "content_hash": digest, "title": d.title,
                             "body": d.body, "account": d.account, "platform": str(d.platform),
                             "author": d.author, "images": json.dumps(list(d.images)),
                             "published_at": post.published_at, "source": post.source,
                             "imported_at": now})
        if rows:
            conn.execute(db.posts.insert(), rows)
            result.imported += len(rows)


def import_paths(paths: list[Path], settings: Settings, *,
                 published_at: str | None = None) -> ImportResult:
    return _import(read_posts(paths, settings, published_at=published_at), settings)


def _import(items: Iterator[Post | InputError], settings: Settings) -> ImportResult:
    engine = db.open_db(settings)
    result = ImportResult()
    batch: list[Post] = []
    for item in items:
        if isinstance(item, InputError):
            result.errors.append((item.source, item.problem))
            continue
        batch.append(item)
        if len(batch) >= BATCH:
            _store(engine, batch, result)
            batch = []
    if batch:
        _store(engine, batch, result)
    join_source_bank(settings, engine, result)
    return result


def join_source_bank(settings: Settings, engine, result: ImportResult) -> None:
    """Every archived post not yet in the bank of source texts joins it, under its post id
    (a service post keeps the ``svc:<id>`` the service gave it when it was published), with
    its account as the owner: a draft of another account that reprints it is flagged."""
    from ..normalize import Normalizer, load_tables
    from ..sources import SourceBank, SourceText

    bank = SourceBank(settings.sources_database_url,
                      lambda: Normalizer(load_tables(settings.cache_dir)))
    known = bank.origins()
    query = select(db.posts.c.id, db.posts.c.title, db.posts.c.body, db.posts.c.account,
                   db.posts.c.author, db.posts.c.published_at).order_by(db.posts.c.id)
    with engine.connect() as conn:
        rows = [r for r in conn.execute(query) if r.id not in known]

    def items():
        for row in rows:
            text = "\n\n".join(part for part in (row.title, row.body) if part)
            yield SourceText(text, title=row.title or text[:40], owner=row.account,
                             license=f"本院账号“{row.account}”已发布", author=row.author,
                             kind="archive", origin=row.id, published_at=row.published_at)

    def refused(_item, _exc) -> None:
        result.too_short += 1

    if rows:
        added = bank.add_many(items(), on_refused=refused)
        result.join_events += [a.event_id for a in added if a.created]
        result.joined += sum(a.created for a in added)


def import_source(name: str, settings: Settings) -> ImportResult:
    """Import the posts of a source a plugin provides (``service``: the review service's
    published drafts)."""
    items = hooks().archive_source(name=name, settings=settings)
    if items is None:
        raise InputError(name, f"没有已安装的插件提供存档来源 {name!r}"
                               "（审核服务安装了吗？）")
    return _import(items, settings)
