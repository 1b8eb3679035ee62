"""The service's tables, its engine, and its schema migrations.

The tables here are for queries; Alembic makes and changes them (``migrations/``, the
``service`` owner of ``screener.migrations``, version table ``alembic_version_service``).
``migrate`` upgrades on start. A database made before Alembic recorded its steps in
``svc_schema`` (kept, never written again): it is stamped with the revision of its last step,
then upgraded. Tables are prefixed ``svc_`` because the lexicon store shares the database file.

Writers take the database's write lock first (``write()``): ``BEGIN IMMEDIATE`` on SQLite, a lock
on ``svc_audit`` on PostgreSQL. The audit chain reads the last hash and appends after it, so two
writers, of this process or another, must never both read the same last row.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from screener.errors import ConfigError, StorageError
from screener.lexicon.store import configure_sqlite, storage_problem
from screener.migrations import FEEDBACK, Owner, current, upgrade

HERE = Path(__file__).resolve().parent

metadata = MetaData()


def category_list(categories: Iterable[str]) -> str:
    """``,a,b,``: each category once, sorted, so ``LIKE '%,a,%'`` finds a draft by category
    (``svc_reports.categories``)."""
    found = sorted(set(categories))
    return "," + ",".join(found) + "," if found else ","


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# Before Alembic: one row per step applied. Read to adopt such a database, never written.
legacy_metadata = MetaData()
schema = Table(
    "svc_schema", legacy_metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(100), nullable=False),
    Column("applied_at", String(32), nullable=False),
)

units = Table(
    "svc_units", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
)

people = Table(
    "svc_people", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),  # staff / student / external
    Column("unit_id", Integer, ForeignKey("svc_units.id"), nullable=True),
    Column("created_at", String(32), nullable=False),
)

accounts = Table(
    "svc_accounts", metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(20), nullable=False),
    Column("name", String(200), nullable=False),
    Column("unit_id", Integer, ForeignKey("svc_units.id"), nullable=False),
    Column("status", String(20), nullable=False),  # active / closing / closed
    Column("opened_on", String(10), nullable=False),
    Column("closing_on", String(10), nullable=True),
    Column("closed_on", String(10), nullable=True),
    Column("name_findings", Text, nullable=False),  # JSON: 第二条 protected names in the name
    Column("created_at", String(32), nullable=False),
    # Days between platform password changes, as the unit sets it (the first 第十一条);
    # none: the service's default.
    Column("password_interval_days", Integer, nullable=True),
)

# One row per person per role per account and period; a change ends one row and starts another,
# so the history stays. ``effective_on`` is when the change happened, ``reported_at`` when the
# dean's office recorded it: more than 5 working days between them is late (第九条).
assignments = Table(
    "svc_assignments", metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("svc_accounts.id"), nullable=False, index=True),
    Column("person_id", Integer, ForeignKey("svc_people.id"), nullable=False, index=True),
    Column("role", String(30), nullable=False),  # first_responsible / responsible / operator
    Column("effective_on", String(10), nullable=False),
    Column("reported_at", String(32), nullable=False),
    Column("ended_on", String(10), nullable=True),
    Column("end_reported_at", String(32), nullable=True),
)

# Account status changes (opened, closing, closed), dated the same way.
account_events = Table(
    "svc_account_events", metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("svc_accounts.id"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("effective_on", String(10), nullable=False),
    Column("reported_at", String(32), nullable=False),
    Column("note", Text, nullable=True),  # closed: the closing result reported (第十四条)
)

# An account applied for (第五条/第六条): what the unit says it is for, its operating plan, why
# a unit that has accounts needs another and the unit's priority order then (第七条); the
# 党政联席会's decision with its date and the two signatories. One per account.
applications = Table(
    "svc_applications", metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("svc_accounts.id"), nullable=False, unique=True),
    Column("purpose", Text, nullable=False),
    Column("operating_plan", Text, nullable=False),
    Column("justification", Text, nullable=False),
    Column("priority_order_id", Integer, ForeignKey("svc_priority_orders.id"), nullable=True),
    Column("applied_by", String(200), nullable=False),
    Column("applied_at", String(32), nullable=False),
    Column("decision", String(20), nullable=True),  # approved / rejected
    Column("decided_on", String(10), nullable=True),  # the meeting's date
    Column("party_signatory", String(200), nullable=True),  # 院党委负责人
    Column("admin_signatory", String(200), nullable=True),  # 行政负责人
    Column("decision_note", Text, nullable=True),
    Column("decided_by", String(200), nullable=True),
    Column("decided_at", String(32), nullable=True),
)

# Files an application carries: the 审批表 and the 保密及不侵权承诺书, kept by sha256.
documents = Table(
    "svc_documents", metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("svc_accounts.id"), nullable=False, index=True),
    Column("kind", String(30), nullable=False),  # approval_form / pledge
    Column("name", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("media_type", String(50), nullable=False),
    Column("path", Text, nullable=False),
    Column("uploaded_at", String(32), nullable=False),
)

# A unit's 账号优先顺序表 (第七条): its open accounts in order, as set at a time; the newest
# is the one in force, the older ones stay as the history.
priority_orders = Table(
    "svc_priority_orders", metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", Integer, ForeignKey("svc_units.id"), nullable=False, index=True),
    Column("accounts", Text, nullable=False),  # JSON list of account ids, first = first
    Column("set_by", String(200), nullable=False),
    Column("set_at", String(32), nullable=False),
)

# Who keeps an account's platform password (the first 第十一条), dated like the roles. The
# password itself is never stored.
password_keepers = Table(
    "svc_password_keepers", metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("svc_accounts.id"), nullable=False, index=True),
    Column("person_id", Integer, ForeignKey("svc_people.id"), nullable=False),
    Column("effective_on", String(10), nullable=False),
    Column("ended_on", String(10), nullable=True),
    Column("reported_at", String(32), nullable=False),
)

password_changes = Table(
    "svc_password_changes", metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("svc_accounts.id"), nullable=False, index=True),
    Column("changed_on", String(10), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", String(32), nullable=False),
)

# A published post found in breach (第十五条): from a re-screened post taken down or entered by
# the dean's office, naming the people in each role on the day it was published, and what
# was done: 通报批评, 申办资格 suspended until a date, referral to 人事部/学生工作部.
violations = Table(
    "svc_violations", metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("svc_accounts.id"), nullable=False, index=True),
    Column("unit_id", Integer, ForeignKey("svc_units.id"), nullable=False, index=True),
    Column("draft_id", Integer, ForeignKey("svc_drafts.id"), nullable=True),
    Column("recheck_id", Integer, ForeignKey("svc_rechecks.id"), nullable=True, unique=True),
    Column("post_key", String(200), nullable=False),
    Column("title", Text, nullable=False),
    Column("published_on", String(10), nullable=False),
    Column("article", String(100), nullable=False),
    Column("description", Text, nullable=False),
    Column("source", String(20), nullable=False),  # recheck / dean
    Column("people", Text, nullable=False),  # JSON: role -> [{person_id, name}] that day
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("criticized", Integer, nullable=False),  # 通报批评: 0 / 1
    Column("suspended_until", String(10), nullable=True),  # 暂停申办资格 until (exclusive)
    Column("referred", Integer, nullable=False),  # 提请人事部、学生工作部处理: 0 / 1
    Column("action_on", String(10), nullable=True),
    Column("action_note", Text, nullable=True),
    Column("action_by", String(200), nullable=True),
    Column("action_at", String(32), nullable=True),
)

tokens = Table(
    "svc_tokens", metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 hex; never the token
    Column("person_id", Integer, ForeignKey("svc_people.id"), nullable=True),
    Column("role", String(20), nullable=False),
    Column("unit_id", Integer, ForeignKey("svc_units.id"), nullable=True),  # unit heads
    Column("label", String(200), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("revoked_at", String(32), nullable=True),
    Column("expires_at", String(32), nullable=True),  # none: valid until revoked
)

# People's log-ins (programs use tokens). A person has at most one; the password is an argon2
# hash; ``roles`` are the roles the registry cannot give (admin, maintainer), as JSON.
users = Table(
    "svc_users", metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("svc_people.id"), nullable=False, unique=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=True),  # none: single sign-on only
    Column("roles", Text, nullable=False),
    Column("failed_logins", Integer, nullable=False),  # in a row, since the last success
    Column("locked_until", String(32), nullable=True),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)

# A log-in session: the cookie holds a random id, the table only its sha256.
sessions = Table(
    "svc_sessions", metadata,
    Column("id", Integer, primary_key=True),
    Column("id_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("svc_users.id"), nullable=False, index=True),
    Column("person_id", Integer, ForeignKey("svc_people.id"), nullable=False),
    Column("role", String(20), nullable=False),
    Column("method", String(20), nullable=False),  # password / sso
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("ended_at", String(32), nullable=True),
    Column("end_reason", String(40), nullable=True),  # logout / password_changed
)

drafts = Table(
    "svc_drafts", metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("svc_accounts.id"), nullable=False, index=True),
    Column("submitted_by", Integer, ForeignKey("svc_people.id"), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("author", String(200), nullable=False),
    Column("images", Text, nullable=False),  # JSON list of {name, sha256, size}
    Column("content_hash", String(64), nullable=False),
    Column("revision", Integer, nullable=False),
    # pending (awaiting sign-off) / approved / changes_requested / rejected / published
    Column("status", String(20), nullable=False, index=True),
    Column("route", String(20), nullable=False),  # responsible / dean (第十三条)
    Column("verdict", String(10), nullable=False),
    Column("report_id", Integer, nullable=True),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("published_at", String(32), nullable=True),
    Column("published_by", Integer, ForeignKey("svc_people.id"), nullable=True),
)

reports = Table(
    "svc_reports", metadata,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("svc_drafts.id"), nullable=False, index=True),
    Column("revision", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("verdict", String(10), nullable=False),
    Column("lexicon_version", String(64), nullable=False),
    Column("model_version", String(64), nullable=False),
    Column("report", Text, nullable=False),  # Report.to_dict(explain=True) as JSON
    Column("created_at", String(32), nullable=False),
    # The text this report screened (the draft page's diff against the previous revision);
    # empty for revisions stored before it was kept.
    Column("title", Text, nullable=True),
    Column("body", Text, nullable=True),
    # For the queue's filters and summaries: ",illegal,commercial," and how many findings.
    Column("categories", Text, nullable=True),
    Column("findings", Integer, nullable=True),
    # Who wrote this revision (the submitter, then each editor): nobody signs off text they
    # wrote or edited, and the print sheet names them all.
    Column("revised_by", Integer, ForeignKey("svc_people.id"), nullable=True),
)

signoffs = Table(
    "svc_signoffs", metadata,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("svc_drafts.id"), nullable=False, index=True),
    Column("report_id", Integer, ForeignKey("svc_reports.id"), nullable=False),
    # No person for the dean's office's admin token; the token always says who signed.
    Column("person_id", Integer, ForeignKey("svc_people.id"), nullable=True),
    # The API token or the log-in session the signer used (one of the two).
    Column("token_id", Integer, ForeignKey("svc_tokens.id"), nullable=True),
    Column("session_id", Integer, ForeignKey("svc_sessions.id"), nullable=True),
    Column("decision", String(20), nullable=False),  # approve / changes / reject
    Column("comment", Text, nullable=False),
    Column("finding_comments", Text, nullable=False),  # JSON {finding index: comment}
    # What the signer saw: an edit or a new screening makes this sign-off stale.
    Column("content_hash", String(64), nullable=False),
    Column("lexicon_version", String(64), nullable=False),
    Column("model_version", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
)

audit_log = Table(
    "svc_audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(60), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# A published post that a re-screening of the archive newly flagged, waiting for its account's
# 具体负责人 (or the dean's office, 第十三条) to keep it or take it down. One per post and
# version (lexicon + model), so running or resuming ``screener rescreen`` again adds none.
rechecks = Table(
    "svc_rechecks", metadata,
    Column("id", Integer, primary_key=True),
    Column("post_key", String(200), nullable=False),  # the archive's post id
    Column("account_id", Integer, ForeignKey("svc_accounts.id"), nullable=False, index=True),
    Column("draft_id", Integer, ForeignKey("svc_drafts.id"), nullable=True),
    Column("title", Text, nullable=False),
    Column("published_at", String(32), nullable=False),
    Column("route", String(20), nullable=False),  # responsible / dean (第十三条)
    Column("verdict", String(10), nullable=False),
    Column("lexicon_version", String(100), nullable=False),
    Column("model_version", String(100), nullable=False),
    Column("findings", Text, nullable=False),  # JSON: the findings new in this report
    Column("created_at", String(32), nullable=False),
    Column("resolved_at", String(32), nullable=True),
    Column("resolved_by", String(200), nullable=True),  # the token's actor
    Column("decision", String(20), nullable=True),  # keep / take_down
    Column("comment", Text, nullable=True),
    UniqueConstraint("post_key", "lexicon_version", "model_version",
                     name="svc_rechecks_post_version"),
)

# The picture stage of a submission, run in the background by the workers ``screener serve``
# starts: one row per draft revision with pictures. A worker claims a job for ``lease_until``
# (renewed while it works); a job whose worker died is claimed again when its lease ends, and
# ``attempts`` bounds how often a picture that kills workers is tried (then: stage_error).
picture_jobs = Table(
    "svc_picture_jobs", metadata,
    Column("id", Integer, primary_key=True),
    Column("draft_id", Integer, ForeignKey("svc_drafts.id"), nullable=False, index=True),
    Column("revision", Integer, nullable=False),
    # queued / running / done / discarded (an older revision's result is not wanted)
    Column("status", String(20), nullable=False),
    Column("stage", String(20), nullable=False),  # queued / pictures / report / done
    Column("total", Integer, nullable=False),
    Column("done", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("worker", String(200), nullable=True),
    Column("lease_until", Float, nullable=True),  # epoch seconds
    Column("report_id", Integer, nullable=True),  # the complete report, when done
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)

Index("svc_picture_jobs_open", picture_jobs.c.status, picture_jobs.c.id)
Index("svc_drafts_queue", drafts.c.status, drafts.c.route, drafts.c.account_id)
Index("svc_rechecks_open", rechecks.c.resolved_at, rechecks.c.route, rechecks.c.account_id)


def _legacy(conn: Connection) -> str | None:
    """The revision of a database made before Alembic: its last ``svc_schema`` step."""
    if not inspect(conn).has_table("svc_schema"):
        return None
    last = conn.execute(select(func.max(schema.c.version))).scalar()
    return f"svc_{last:04d}" if last else None


SERVICE = Owner("service", HERE / "migrations", "svc_0007", _legacy,
                lambda settings: settings.service_database_url)
SCHEMA_VERSION = int(SERVICE.head.removeprefix("svc_"))


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001  (sqlalchemy raises several types for a bad URL)
        raise ConfigError(f"{url!r} 不是数据库 URL") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    if parsed.get_backend_name() == "sqlite":
        configure_sqlite(engine)
    return engine


_WRITE_LOCKS: dict[int, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _write_lock(engine: Engine) -> threading.Lock:
    with _LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(id(engine), threading.Lock())


def storage_error(engine: Engine, exc: OperationalError) -> StorageError | None:
    """A one-line StorageError naming the database file, if ``exc`` is a storage failure."""
    problem = storage_problem(exc)
    if problem is None:
        return None
    return StorageError(f"数据库 {engine.url.database or engine.url}", problem)


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """A write transaction that holds the database's write lock from its first statement.

    Threads of this process queue on a lock first: SQLite's own busy handler waits by sleeping
    (up to 100 ms a turn), which made the slowest submissions wait for nothing. A disk that is
    full or read-only becomes a StorageError (the transaction is rolled back, nothing is half
    written).
    """
    try:
        with _write_lock(engine), engine.connect() as conn:
            conn = conn.execution_options(immediate=True)
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    # Another process's writer must not read the same last audit row: the
                    # chain is appended under this lock, as SQLite's BEGIN IMMEDIATE does.
                    conn.exec_driver_sql("LOCK TABLE svc_audit IN SHARE ROW EXCLUSIVE MODE")
                yield conn
    except OperationalError as exc:
        error = storage_error(engine, exc)
        if error is None:
            raise
        raise error from None


@contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


def migrate_feedback(engine: Engine) -> None:
    """The core's feedback table in the service's database: sign-offs write their feedback rows
    in the same transaction as the sign-off and its audit row."""
    try:
        with _write_lock(engine):
            upgrade(engine, FEEDBACK)
    except SQLAlchemyError as exc:
        problem = storage_problem(exc) or str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise ConfigError(f"无法打开 {engine.url.database or engine.url} 中的反馈表"
                          f"：{problem}") from None


def migrate(engine: Engine) -> int:
    """Bring the schema up to date; returns the version (the service's revision number).
    Refuses a database newer than this code."""
    try:
        with engine.connect() as conn:
            found = current(conn, SERVICE)
        if found and found.startswith("svc_") and int(found[4:]) > SCHEMA_VERSION:
            raise ConfigError(f"数据库结构版本 {int(found[4:])} 比本软件支持的（{SCHEMA_VERSION}）"
                              "更新；请升级 screener")
        with _write_lock(engine):
            upgrade(engine, SERVICE)
    except SQLAlchemyError as exc:
        problem = storage_problem(exc) or str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise ConfigError(f"无法打开审核服务的数据库 {engine.url.database or engine.url}"
                          f"：{problem}") from None
    return SCHEMA_VERSION
