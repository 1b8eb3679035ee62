"""The maintainers' lexicon store: an append-only log of changes over the shipped lists.

Two tables. ``lexicon_changes`` has one row per change (who, when, why, what kind) and its
sequence number is the lexicon version; ``lexicon_events`` has one row per term touched by a
change, carrying the term's full state after it (active or retired). Nothing is updated or deleted:
the state at version N is the last event of each (term, category) with ``seq <= N``, laid over the
shipped files. Retiring a term is an event, so its history stays.

Writers serialize on the database: SQLite through ``BEGIN IMMEDIATE`` (the write lock is taken
before the current state is read, so two maintainers cannot both build on the same state) with a
busy timeout; PostgreSQL through a table lock. The next sequence number is ``max + 1`` inside that
lock, so versions are gapless and each change gets its own.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ..checkpoints import checkpoint
from ..errors import LexiconError
from ..migrations import LEXICON, upgrade
from ..model import Severity
from ..settings import Settings
from .files import Entry

metadata = MetaData()

changes_table = Table(
    "lexicon_changes", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    Column("by", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("action", String(20), nullable=False),
    Column("summary", Text, nullable=False),
    Column("chain", String(64), nullable=False),  # hash of the previous chain and this change
    Column("basis", String(64), nullable=False),  # shipped files + settings it was built on
    Column("content", String(12), nullable=False),  # content hash of the lexicon it produced
)

events_table = Table(
    "lexicon_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seq", Integer, ForeignKey("lexicon_changes.seq"), nullable=False, index=True),
    Column("term", String(200), nullable=False, index=True),
    Column("category", String(40), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("article", String(100), nullable=False),
    Column("boundary", Boolean, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("action", String(20), nullable=False),
    # Added by migration lexicon_0002 (older stores get it on first open).
    Column("fillers", Boolean, nullable=False, server_default="0"),
)

_WRITE_RETRIES = 20


@dataclass(frozen=True, slots=True)
class Event:
    """A term's state after a change (``active=False``: retired)."""

    term: str
    category: str
    severity: str
    article: str
    boundary: bool
    active: bool
    action: str
    seq: int = 0
    fillers: bool = False

    @classmethod
    def of(cls, entry: Entry, action: str, active: bool = True) -> Event:
        return cls(entry.term, entry.category, str(entry.severity), entry.article,
                   entry.boundary, active, action, fillers=entry.fillers)

    def entry(self) -> Entry:
        return Entry(self.term, self.category, Severity(self.severity), self.article,
                     self.boundary, f"store:{self.seq}", self.fillers)


@dataclass(frozen=True, slots=True)
class Change:
    seq: int
    at: str
    by: str
    reason: str
    action: str
    summary: str
    chain: str
    basis: str
    content: str


def default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


def configure_sqlite(engine: Engine) -> None:
    """pysqlite's own BEGIN is deferred; writers must take the lock before reading the state.

    Shared by every SQLite engine of the project (lexicon store, service, archive): one file,
    one set of rules for its connections.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        # Readers never wait for a writer. Switching modes takes a lock, so only when needed:
        # every connection of every process runs this.
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        immediate = connection.get_execution_options().get("immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# What SQLite says when the state folder cannot take a write (the caller is not at fault).
_STORAGE_PROBLEMS = ("disk is full", "readonly", "read-only", "unable to open", "disk i/o error")


def storage_problem(exc: Exception) -> str | None:
    """One line saying why a write failed, if it failed for lack of a writable disk."""
    problem = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    if not any(p in problem.lower() for p in _STORAGE_PROBLEMS):
        return None
    return f"{problem}（磁盘已满，或状态目录只读？）"


_ENGINES: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """One engine per URL and process (engines hold pools; never share them across fork)."""
    engine = _ENGINES.get(url)
    if engine is None:
        try:
            engine = create_engine(url, connect_args={"timeout": 30}
                                   if url.startswith("sqlite") else {})
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise LexiconError(url, f"无法打开词库数据库：{exc}") from None
        if engine.dialect.name == "sqlite":
            configure_sqlite(engine)
        _ENGINES[url] = engine
    return engine


class LexiconStore:
    """Read and append the change log. Effective entries are built by the caller's ``base``."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = engine_for(url)
        self._ready = False

    def _ensure(self) -> None:
        if not self._ready:
            database = self.engine.url.database
            try:
                if self.engine.dialect.name == "sqlite" and database and database != ":memory:":
                    Path(database).parent.mkdir(parents=True, exist_ok=True)
                upgrade(self.engine, LEXICON)
            except (SQLAlchemyError, OSError) as exc:
                problem = storage_problem(exc) or getattr(exc, "orig", None) or exc
                raise LexiconError(self.url, f"无法打开词库数据库：{problem}") \
                    from None
            self._ready = True

    # -- reading ----------------------------------------------------------------------------

    def latest(self) -> Change | None:
        """The newest change: the cheap check a long-running process polls."""
        self._ensure()
        with self.engine.connect() as conn:
            row = conn.execute(select(changes_table).order_by(changes_table.c.seq.desc())
                               .limit(1)).first()
        return Change(**row._mapping) if row else None

    def latest_seq(self) -> int:
        self._ensure()
        with self.engine.connect() as conn:
            return conn.execute(select(func.max(changes_table.c.seq))).scalar() or 0

    def change(self, seq: int) -> Change | None:
        self._ensure()
        with self.engine.connect() as conn:
            row = conn.execute(select(changes_table).where(changes_table.c.seq == seq)).first()
        return Change(**row._mapping) if row else None

    def changes(self, limit: int | None = None) -> list[Change]:
        self._ensure()
        query = select(changes_table).order_by(changes_table.c.seq.desc())
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [Change(**r._mapping) for r in conn.execute(query)]

    def events(self, *, seq: int | None = None, term: str | None = None) -> list[Event]:
        """Events of one change, or of one term, oldest first."""
        self._ensure()
        query = select(events_table).order_by(events_table.c.id)
        if seq is not None:
            query = query.where(events_table.c.seq == seq)
        if term is not None:
            query = query.where(events_table.c.term == term)
        with self.engine.connect() as conn:
            return [_event(r) for r in conn.execute(query)]

    def state(self, upto: int | None = None, conn=None) -> dict[tuple[str, str], Event]:
        """The last event of each (term, category) at version ``upto`` (default: the newest)."""
        self._ensure()
        last = select(func.max(events_table.c.id)).group_by(events_table.c.term,
                                                            events_table.c.category)
        if upto is not None:
            last = last.where(events_table.c.seq <= upto)
        query = select(events_table).where(events_table.c.id.in_(last)) \
            .order_by(events_table.c.id)
        if conn is None:
            with self.engine.connect() as own:
                rows = own.execute(query).all()
        else:
            rows = conn.execute(query).all()
        return {(r.term, r.category): _event(r) for r in rows}

    # -- writing ----------------------------------------------------------------------------

    def commit(self, *, action: str, by: str, reason: str,
               build: Callable[[dict[tuple[str, str], Event]], tuple[list[Event], str]],
               content: Callable[[dict[tuple[str, str], Event]], tuple[str, str]]) -> Change | None:
        """Append one change atomically.

        ``build(state)`` runs under the write lock with the current state and returns the events
        and a one-line summary (no events: nothing is written, None is returned). ``content(state)``
        gives (basis, content hash) of the lexicon the new state makes.
        """
        self._ensure()
        for attempt in range(_WRITE_RETRIES):
            try:
                return self._commit_once(action, by, reason, build, content)
            except OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    problem = storage_problem(exc) or str(exc.orig).splitlines()[0]
                    raise LexiconError(self.url, f"无法写入词库：{problem}") from None
                time.sleep(0.05 * (attempt + 1))  # past sqlite's own busy timeout: back off
        raise LexiconError(self.url, "词库数据库一直被锁定；请稍后再试")

    def _commit_once(self, action, by, reason, build, content) -> Change | None:
        with self.engine.connect().execution_options(immediate=True) as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("LOCK TABLE lexicon_changes IN EXCLUSIVE MODE")
            state = self.state(conn=conn)
            new_events, summary = build(state)
            if not new_events:
                return None
            previous = conn.execute(select(changes_table.c.seq, changes_table.c.chain)
                                    .order_by(changes_table.c.seq.desc()).limit(1)).first()
            seq = (previous.seq if previous else 0) + 1
            for e in new_events:
                state[(e.term, e.category)] = e
            basis, content_hash = content(state)
            at = datetime.now(UTC).isoformat(timespec="seconds")
            rows = [dict(seq=seq, term=e.term, category=e.category, severity=e.severity,
                         article=e.article, boundary=e.boundary, active=e.active,
                         action=e.action) for e in new_events]
            # The chain hashes the rows as they were before the flag existed; a term with the
            # flag adds it, so old chains still verify and the flag is covered when set.
            hashed = [{**row, "fillers": True} if e.fillers else row
                      for row, e in zip(rows, new_events, strict=True)]
            payload = json.dumps([previous.chain if previous else "", seq, at, by, reason, action,
                                  [sorted(r.items()) for r in hashed]], ensure_ascii=False)
            change = Change(seq, at, by, reason, action, summary,
                            hashlib.sha256(payload.encode()).hexdigest(), basis, content_hash)
            conn.execute(changes_table.insert().values(**_as_dict(change)))
            checkpoint("lexicon.commit")
            conn.execute(events_table.insert(),
                         [{**row, "fillers": e.fillers} for row, e in zip(rows, new_events,
                                                                          strict=True)])
        return change


def _as_dict(change: Change) -> dict:
    return {name: getattr(change, name) for name in Change.__slots__}


def _event(row) -> Event:
    return Event(row.term, row.category, row.severity, row.article, bool(row.boundary),
                 bool(row.active), row.action, row.seq, bool(row.fillers))


def apply_state(base: Iterable[Entry], state: dict[tuple[str, str], Event]) -> list[Entry]:
    """Shipped entries with the store's state laid over them (store entries last, in order)."""
    kept = [e for e in base if (e.term, e.category) not in state]
    return kept + [e.entry() for e in state.values() if e.active]


def open_store(settings: Settings) -> LexiconStore:
    return LexiconStore(settings.lexicon_database_url)
