"""Schema migrations for every table, with Alembic: one environment per owner of tables.

Owners: ``lexicon`` (the lexicon store), ``archive`` (re-screening's ``rs_`` tables),
``assets`` (the asset bank), ``sources`` (the bank of source texts, ``src_`` tables),
``models`` (the model registry: versions and promotions, next to the lexicon store) and
``feedback`` (reviewers' judgements, in the service's database, written in the service's own
transactions) in the core, and ``service`` (``svc_`` tables) in the
review service, which keeps its own environment in its own package: the core works without it. Each
owner has its own folder of revisions and its own version table (``alembic_version_<owner>``),
because owners share a database only by default: the asset bank is a file of its own, the
service may use another URL, and each store upgrades its tables when it is first opened.

``upgrade(engine, owner)`` brings an owner's tables to the newest revision. It holds the
database's write lock while it looks and upgrades (``BEGIN IMMEDIATE`` on SQLite, an advisory
lock on PostgreSQL), so processes starting together upgrade once. A database made before Alembic
(tables, no version table) is first stamped with the revision its tables match (``legacy``),
then upgraded. Checking an up-to-date database is one query; Alembic loads only when there is
work. ``alembic -c alembic.ini -n <owner> upgrade head`` does the same from the command line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from ..settings import load_settings

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Owner:
    """Tables one module owns, and how to migrate them."""

    name: str
    script_location: Path
    head: str  # newest revision; a test checks it against the revisions folder
    # The revision a database made before Alembic is at (None: this owner's tables are not
    # there; start from nothing).
    legacy: Callable[[Connection], str | None] = field(default=lambda conn: None)
    # The URL ``alembic`` uses when none is given (-x url=...): from the settings tree.
    default_url: Callable[[Any], str] = field(default=lambda settings: "")

    @property
    def version_table(self) -> str:
        return f"alembic_version_{self.name}"


def _has(conn: Connection, table: str) -> bool:
    return inspect(conn).has_table(table)


def _lexicon_legacy(conn: Connection) -> str | None:
    return "lexicon_0001" if _has(conn, "lexicon_changes") else None


def _archive_legacy(conn: Connection) -> str | None:
    return "archive_0001" if _has(conn, "rs_posts") else None


def _assets_legacy(conn: Connection) -> str | None:
    if _has(conn, "image_asset_templates"):  # made by a development build before Alembic
        return "assets_0002"
    return "assets_0001" if _has(conn, "image_assets") else None


LEXICON = Owner("lexicon", HERE / "lexicon", "lexicon_0002", _lexicon_legacy,
                lambda s: s.lexicon_database_url)
ARCHIVE = Owner("archive", HERE / "archive", "archive_0002", _archive_legacy,
                lambda s: s.lexicon_database_url)
ASSETS = Owner("assets", HERE / "assets", "assets_0002", _assets_legacy,
               lambda s: s.assets_database_url)
SOURCES = Owner("sources", HERE / "sources", "sources_0001",
                default_url=lambda s: s.sources_database_url)
CORE_OWNERS = (LEXICON, ARCHIVE, ASSETS, SOURCES)
# Added after the release before Alembic: nothing to adopt, every database starts them from
# nothing (kept apart so the tests of that release's databases compare its own tables).
MODELS = Owner("models", HERE / "models", "models_0001", default_url=lambda s:
               s.lexicon_database_url)
FEEDBACK = Owner("feedback", HERE / "feedback", "feedback_0001", default_url=lambda s:
                 s.service_database_url)
LEARNING_OWNERS = (MODELS, FEEDBACK)


def current(conn: Connection, owner: Owner) -> str | None:
    """The owner's revision in this database (None: no version table, or empty)."""
    try:
        with conn.begin_nested():
            return conn.execute(text(f"SELECT version_num FROM {owner.version_table}")).scalar()
    except (OperationalError, ProgrammingError):  # no such table yet
        return None


def _lock(conn: Connection, owner: Owner) -> None:
    if conn.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"migrate:{owner.name}".encode()).digest()[:8],
                             "big", signed=True)
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def is_current(engine: Engine, owner: Owner) -> bool:
    with engine.connect() as conn:
        return current(conn, owner) == owner.head


def config(owner: Owner, connection: Connection | None = None, url: str | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(owner.script_location))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["owner"] = owner
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, owner: Owner, target: str = "head") -> str:
    """Bring ``owner``'s tables in ``engine``'s database to ``target``; the revision after."""
    if target == "head" and is_current(engine, owner):
        return owner.head
    from alembic import command

    with engine.connect().execution_options(immediate=True) as conn:
        with conn.begin():
            _lock(conn, owner)
            before = current(conn, owner)
            if before == owner.head and target == "head":
                return before
            cfg = config(owner, conn)
            if before is None:
                legacy = owner.legacy(conn)
                if legacy is not None:
                    command.stamp(cfg, legacy)
            command.upgrade(cfg, target)
            return current(conn, owner) or ""


def prepare(engine: Engine, owner: Owner) -> None:
    """Make a SQLite file's folder if needed and bring ``owner``'s tables up to date: what a
    store does when first opened (SQLAlchemy and OS errors are the caller's to word)."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    upgrade(engine, owner)


def run_env(context: Any, owner: Owner | None = None) -> None:
    """The body of every owner's ``env.py``: migrate on the caller's connection (``upgrade``)
    or, from the ``alembic`` command line, on the URL given (``-x url=...``, else the
    settings tree's database for this owner)."""
    cfg = context.config
    owner = owner or cfg.attributes["owner"]
    connection = cfg.attributes.get("connection")
    options = {"version_table": owner.version_table, "render_as_batch": True,
               "transaction_per_migration": False}
    if connection is not None:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = (context.get_x_argument(as_dictionary=True).get("url")
           or cfg.get_main_option("sqlalchemy.url"))
    if not url:
        url = owner.default_url(load_settings())
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    # The same lock as upgrade(), and a database made before Alembic is stamped first.
    engine = create_engine(url)
    try:
        upgrade_cli(engine, owner, context)
    finally:
        engine.dispose()


def upgrade_cli(engine: Engine, owner: Owner, context: Any) -> None:
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        _lock(conn, owner)
        context.configure(connection=conn, version_table=owner.version_table,
                          render_as_batch=True)
        if current(conn, owner) is None and owner.legacy(conn) is not None:
            context.get_context().stamp(context.script, owner.legacy(conn))
        with context.begin_transaction():
            context.run_migrations()
