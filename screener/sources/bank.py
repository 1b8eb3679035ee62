"""The bank of source texts: what drafts are checked against for reprinted text (第十二条).

A source is a text the college may not reprint without naming it: the university's and the
college's own published news, press releases, articles a unit has licensed, every post
published through the review service and every post of the archive. Tables are prefixed
``src_`` and live in the state folder's database by default (``sources.database_url``); the
``sources`` migrations (``screener/migrations/sources``) make and change them.

Each source is cut into passages (``text.units``), each kept with its MinHash signature
(``minhash.SCHEME``) and its offsets into the source's text, so the index (``index.py``) loads
signatures without reading text and the alignment reads only the sources the index names.
Nothing is deleted: retiring a source stops it matching and records who, when and why in
``src_events``, whose last id is the bank's ``stamp``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from ..errors import ScreenerError, SourceBankError, SourceTooShortError
from ..lexicon.store import default_user, engine_for, storage_problem
from ..migrations import SOURCES, upgrade
from ..normalize import Normalizer
from .minhash import NUM_PERM, SCHEME, SHINGLE, bank_signatures
from .text import match_text, shingles, units

KINDS = ("file", "archive", "service")
PASSAGE_CHARS = 80  # characters of text per indexed passage (whole sentences)
MIN_SOURCE_CHARS = 20  # a shorter text could never make a reported reuse
BATCH = 200

metadata = sa.MetaData()
sources = sa.Table(
    "src_sources", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    # The archive post or service draft it came from ("svc:12"): that post is never reported
    # as reprinting itself, and importing it again adds nothing.
    sa.Column("origin", sa.String(200), nullable=True, unique=True, index=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("owner", sa.Text, nullable=False),
    sa.Column("license", sa.Text, nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("chars", sa.Integer, nullable=False),
    # When an archived or service post was published (UTC, ISO): a post re-screened later is
    # compared only with what was published before it. Files: unknown (None).
    sa.Column("published_at", sa.String(40), nullable=True),
    sa.Column("added_by", sa.Text, nullable=False),
    sa.Column("added_at", sa.String(40), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # active / retired
)
passages = sa.Table(
    "src_passages", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("src_sources.id"), nullable=False,
              index=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("scheme", sa.String(80), nullable=False),
    sa.Column("signature", sa.LargeBinary, nullable=False),
)
events = sa.Table(
    "src_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("src_sources.id"), nullable=False,
              index=True),
    sa.Column("action", sa.String(16), nullable=False),  # add / retire
    sa.Column("by", sa.Text, nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)


@dataclass(frozen=True, slots=True)
class Source:
    id: int
    sha256: str
    kind: str
    origin: str | None
    title: str
    owner: str
    license: str
    url: str
    author: str
    file: str
    chars: int
    published_at: str | None
    added_by: str
    added_at: str
    status: str

    def to_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__}

    @property
    def label(self) -> str:
        """How a reviewer recognises it: 《title》 (owner)."""
        owner = f"（{self.owner}）" if self.owner else ""
        return f"《{self.title}》{owner}"


@dataclass(frozen=True, slots=True)
class SourceText:
    """A text to add, with what is known about it."""

    text: str
    title: str
    owner: str = ""
    license: str = ""
    url: str = ""
    author: str = ""
    kind: str = "file"
    origin: str | None = None
    file: str = ""
    published_at: str | None = None


@dataclass(frozen=True, slots=True)
class Added:
    source: Source
    created: bool  # False: the same text (or the same post) was already in the bank
    passages: int = 0
    event_id: int = 0  # its "add" event (0 when nothing was added)


@dataclass(frozen=True, slots=True)
class Retired:
    source: Source
    event_id: int


@dataclass
class IndexRows:
    """What the index loads: active passages' ids, their sources and signatures."""

    passage_ids: np.ndarray
    source_ids: np.ndarray
    signatures: np.ndarray
    recomputed: int = 0


_SOURCE_COLUMNS = [c for c in sources.c if c.name in Source.__slots__]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _sqlite_file(url: str) -> Path | None:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///"))
    return None


class SourceBank:
    """The bank at ``url``. ``normalizer`` (or a callable making one) cuts texts into passages;
    only adding needs it. With ``create=False`` a bank that was never made reads as empty and
    nothing is created (screening a draft never makes the tables)."""

    def __init__(self, url: str, normalizer: Normalizer | Callable[[], Normalizer] | None = None,
                 *, create: bool = True) -> None:
        self.url = url
        self._normalizer = normalizer
        self._ready = False
        self.create = create
        try:
            file = _sqlite_file(url)
            if file is not None and not create and not file.is_file():
                self.engine = None  # nothing to read, and looking must not make the file
                return
            if file is not None:
                file.parent.mkdir(parents=True, exist_ok=True)
            self.engine = engine_for(url)
        except (ScreenerError, OSError) as exc:
            raise SourceBankError(f"无法打开来源库 {url}：{exc}") from None

    # -- opening ------------------------------------------------------------------------------
    def ready(self) -> bool:
        """Whether the tables exist (made now when this bank may create them)."""
        if self._ready:
            return True
        if self.engine is None:
            # Made since (a long-running process started before the first source was added)?
            file = _sqlite_file(self.url)
            if file is None or not file.is_file():
                return False
            try:
                self.engine = engine_for(self.url)
            except ScreenerError as exc:
                raise SourceBankError(f"无法打开来源库 {self.url}：{exc}") from None
        try:
            if not self.create and not sa.inspect(self.engine).has_table(sources.name):
                return False
            upgrade(self.engine, SOURCES)
        except SQLAlchemyError as exc:
            raise SourceBankError(f"无法打开来源库 {self.url}：{_problem(exc)}") from None
        self._ready = True
        return True

    def _need(self) -> sa.Engine:
        if not self.ready():
            raise SourceBankError("来源库还没有任何来源（先用 `screener sources add` 添加）")
        assert self.engine is not None
        return self.engine

    @property
    def normalizer(self) -> Normalizer:
        if self._normalizer is None:
            raise SourceBankError("来源库没有配置文本规范化器，无法切分来源")
        if not isinstance(self._normalizer, Normalizer):
            self._normalizer = self._normalizer()
        return self._normalizer

    def stamp(self) -> int:
        """Changes whenever the bank does: the last event id (0: empty or never made)."""
        if not self.ready():
            return 0
        try:
            with self.engine.connect() as conn:  # type: ignore[union-attr]
                return int(conn.execute(sa.select(sa.func.max(events.c.id))).scalar() or 0)
        except SQLAlchemyError as exc:
            raise SourceBankError(f"无法读取来源库 {self.url}：{_problem(exc)}") from None

    # -- adding -------------------------------------------------------------------------------
    def add(self, item: SourceText, *, by: str | None = None) -> Added:
        return self.add_many([item], by=by)[0]

    def add_many(self, items: Iterable[SourceText], *, by: str | None = None,
                 on_added: Callable[[Added], None] | None = None,
                 on_refused: Callable[[SourceText, SourceBankError], None] | None = None
                 ) -> list[Added]:
        """Add texts (one transaction per ``BATCH``); a text already in the bank (same text, or
        the same ``origin``) is returned as it is, not added twice. A text the bank refuses
        (too short to match) raises, or goes to ``on_refused`` and is skipped."""
        engine = self._need()
        who = by or default_user()
        out: list[Added] = []
        batch: list[tuple[SourceText, str, list[tuple[int, int]], np.ndarray]] = []
        for item in items:
            try:
                batch.append(self._prepare(item))
            except SourceBankError as exc:
                if on_refused is None:
                    raise
                on_refused(item, exc)
                continue
            if len(batch) >= BATCH:
                out.extend(self._insert(engine, batch, who, on_added))
                batch = []
        if batch:
            out.extend(self._insert(engine, batch, who, on_added))
        return out

    def _prepare(self, item: SourceText) -> tuple[SourceText, str, list[tuple[int, int]],
                                                  np.ndarray]:
        if item.kind not in KINDS:
            raise SourceBankError(f"来源类型应为 {', '.join(KINDS)} 之一，而不是 {item.kind!r}")
        text = item.text.strip("\ufeff")
        mt = match_text(self.normalizer, text)
        if len(mt) < MIN_SOURCE_CHARS:
            raise SourceTooShortError(f"{item.file or item.title or '来源'}：正文只有 {len(mt)} "
                                      f"个字，少于 {MIN_SOURCE_CHARS} 个字的文本无法用于比对")
        cut = units(mt, PASSAGE_CHARS)
        spans = [mt.span(s, e) for s, e in cut]
        sigs = bank_signatures(shingles(mt.codes[s:e], SHINGLE) for s, e in cut)
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        return SourceText(**{**_fields(item), "text": text}), digest, spans, sigs

    def _insert(self, engine, batch, who: str, on_added) -> list[Added]:
        when = _now()
        results: list[Added] = []
        try:
            with engine.connect().execution_options(immediate=True) as conn, conn.begin():
                for item, digest, spans, sigs in batch:
                    existing = self._existing(conn, item, digest)
                    if existing is not None:
                        results.append(Added(existing, False))
                        continue
                    source_id = conn.execute(sources.insert().values(
                        sha256=digest, kind=item.kind, origin=item.origin,
                        title=item.title or _first_line(item.text), owner=item.owner,
                        license=item.license, url=item.url, author=item.author, file=item.file,
                        text=item.text, chars=len(item.text), published_at=item.published_at,
                        added_by=who, added_at=when,
                        status="active")).inserted_primary_key[0]
                    conn.execute(passages.insert(), [
                        {"source_id": source_id, "seq": seq, "start": start, "end": end,
                         "scheme": SCHEME, "signature": sigs[seq].astype("<u4").tobytes()}
                        for seq, (start, end) in enumerate(spans)])
                    event_id = conn.execute(events.insert().values(
                        source_id=source_id, action="add", by=who, at=when, reason=""
                    )).inserted_primary_key[0]
                    results.append(Added(_source(conn, source_id), True, len(spans), event_id))
        except SQLAlchemyError as exc:
            raise SourceBankError(f"无法写入来源库 {self.url}：{_problem(exc)}") from None
        if on_added is not None:
            for added in results:
                on_added(added)
        return results

    @staticmethod
    def _existing(conn, item: SourceText, digest: str) -> Source | None:
        if item.origin:
            row = conn.execute(sa.select(*_SOURCE_COLUMNS)
                               .where(sources.c.origin == item.origin)).first()
            if row is not None:
                return Source(**row._asdict())
        row = conn.execute(sa.select(*_SOURCE_COLUMNS).where(
            sources.c.sha256 == digest, sources.c.status == "active")
            .order_by(sources.c.id).limit(1)).first()
        return Source(**row._asdict()) if row is not None else None

    # -- reading ------------------------------------------------------------------------------
    def get(self, source_id: int) -> Source:
        with self._need().connect() as conn:
            found = _source(conn, source_id)
        if found is None:
            raise SourceBankError(f"来源库中没有编号为 {source_id} 的来源")
        return found

    def list_sources(self, *, include_retired: bool = False) -> list[Source]:
        if not self.ready():
            return []
        query = sa.select(*_SOURCE_COLUMNS).order_by(sources.c.id)
        if not include_retired:
            query = query.where(sources.c.status == "active")
        with self.engine.connect() as conn:  # type: ignore[union-attr]
            return [Source(**row._asdict()) for row in conn.execute(query)]

    def event(self, event_id: int) -> dict[str, object]:
        with self._need().connect() as conn:
            row = conn.execute(sa.select(events).where(events.c.id == event_id)).first()
        if row is None:
            raise SourceBankError(f"来源库中没有编号为 {event_id} 的记录")
        return dict(row._mapping)

    def history(self, source_id: int) -> list[dict[str, object]]:
        with self._need().connect() as conn:
            rows = conn.execute(sa.select(events).where(events.c.source_id == source_id)
                                .order_by(events.c.id))
            return [dict(row._mapping) for row in rows]

    def by_origin(self, origin: str) -> Source | None:
        """The source made from this post, if the bank holds it."""
        if not origin or not self.ready():
            return None
        with self.engine.connect() as conn:  # type: ignore[union-attr]
            row = conn.execute(sa.select(*_SOURCE_COLUMNS)
                               .where(sources.c.origin == origin)).first()
        return Source(**row._asdict()) if row is not None else None

    def origins(self) -> set[str]:
        """Every origin the bank holds (archive posts and service drafts already joined)."""
        if not self.ready():
            return set()
        with self.engine.connect() as conn:  # type: ignore[union-attr]
            return {r[0] for r in conn.execute(sa.select(sources.c.origin)
                                               .where(sources.c.origin.is_not(None)))}

    def texts(self, source_ids: Iterable[int]) -> dict[int, tuple[Source, str]]:
        """The active sources with these ids and their texts (what the alignment reads)."""
        ids = sorted(set(source_ids))
        if not ids:
            return {}
        with self._need().connect() as conn:
            rows = conn.execute(sa.select(*_SOURCE_COLUMNS, sources.c.text).where(
                sources.c.id.in_(ids), sources.c.status == "active")).all()
        out = {}
        for row in rows:
            data = row._asdict()
            text = data.pop("text")
            out[row.id] = (Source(**data), text)
        return out

    # -- changing -----------------------------------------------------------------------------
    def retire(self, source_id: int, *, reason: str, by: str | None = None) -> Retired:
        if not reason.strip():
            raise SourceBankError("停用来源必须说明理由（--reason）")
        source = self.get(source_id)
        if source.status == "retired":
            raise SourceBankError(f"来源 {source_id} 已经停用")
        try:
            with self._need().connect().execution_options(immediate=True) as conn, conn.begin():
                conn.execute(sources.update().where(sources.c.id == source_id)
                             .values(status="retired"))
                event_id = conn.execute(events.insert().values(
                    source_id=source_id, action="retire", by=by or default_user(), at=_now(),
                    reason=reason.strip())).inserted_primary_key[0]
        except SQLAlchemyError as exc:
            raise SourceBankError(f"无法写入来源库 {self.url}：{_problem(exc)}") from None
        return Retired(self.get(source_id), event_id)

    # -- what the index loads -----------------------------------------------------------------
    def index_rows(self, *, after: int = 0) -> IndexRows:
        """Active passages with an id above ``after``, with their signatures; a passage stored
        under another scheme has its signature recomputed from the source's text."""
        if not self.ready():
            return self._rows([])
        query = (sa.select(passages.c.id, passages.c.source_id, passages.c.scheme,
                           passages.c.signature, passages.c.start, passages.c.end)
                 .join(sources, sources.c.id == passages.c.source_id)
                 .where(sources.c.status == "active", passages.c.id > after)
                 .order_by(passages.c.id))
        with self.engine.connect() as conn:  # type: ignore[union-attr]
            return self._rows(conn.execute(query).all())

    def _rows(self, rows) -> IndexRows:
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        owners = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        stale = [i for i, r in enumerate(rows) if r[2] != SCHEME]
        blob = b"".join(r[3] if r[2] == SCHEME else bytes(4 * NUM_PERM) for r in rows)
        sigs = np.frombuffer(blob, dtype="<u4").reshape(len(rows), NUM_PERM).astype(np.uint32)
        if stale:
            sigs[stale] = self._recompute([rows[i] for i in stale])
        return IndexRows(ids, owners, sigs, recomputed=len(stale))

    def _recompute(self, rows) -> np.ndarray:
        texts = {sid: text for sid, (_, text) in self.texts({r[1] for r in rows}).items()}
        sets = []
        for r in rows:
            mt = match_text(self.normalizer, texts.get(r[1], "")[r[4]:r[5]])
            sets.append(shingles(mt.codes, SHINGLE))
        return bank_signatures(sets)

    def changes_since(self, stamp: int) -> tuple[set[int], set[int]]:
        """(sources added, sources retired) by the events after ``stamp``."""
        with self._need().connect() as conn:
            rows = conn.execute(sa.select(events.c.source_id, events.c.action)
                                .where(events.c.id > stamp)).all()
        return ({r[0] for r in rows if r[1] == "add"}, {r[0] for r in rows if r[1] == "retire"})

    def passages_of(self, source_ids: Iterable[int]) -> IndexRows:
        """The passages of these sources (for an index that follows the bank)."""
        ids = sorted(set(source_ids))
        if not ids:
            return self._rows([])
        query = (sa.select(passages.c.id, passages.c.source_id, passages.c.scheme,
                           passages.c.signature, passages.c.start, passages.c.end)
                 .join(sources, sources.c.id == passages.c.source_id)
                 .where(sources.c.status == "active", passages.c.source_id.in_(ids))
                 .order_by(passages.c.id))
        with self._need().connect() as conn:
            return self._rows(conn.execute(query).all())


def _fields(item: SourceText) -> dict[str, object]:
    return {name: getattr(item, name) for name in SourceText.__slots__}


def _first_line(text: str) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line[:40]


def _source(conn, source_id: int) -> Source | None:
    row = conn.execute(sa.select(*_SOURCE_COLUMNS).where(sources.c.id == source_id)).first()
    return Source(**row._asdict()) if row is not None else None


def _problem(exc: SQLAlchemyError) -> str:
    return storage_problem(exc) or str(getattr(exc, "orig", None) or exc).splitlines()[0]

