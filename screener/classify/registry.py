"""The model registry: the classifier bundles of a state folder, and which one is in force.

Version 0 is the shipped bundle (the ``model_dir`` setting: ``models/`` of the repository). A
candidate (``screener model train``) is registered under the next number: its files go to
``<home>/models/<number>/`` (``classify/`` with JSON + ``.npz`` + a SHA-256 manifest, as shipped,
plus its card), and the table ``model_versions`` (the state folder's database, next to the
lexicon store) records its version and the full sha256 of its manifest. A version is ``m-`` and
16 hex digits of that sha256, the name every report carries: the same files give the same
version on any machine. Loading a registered model checks its manifest against the registry and
every file against the manifest, so a file changed after registration is refused.

Promotions and rollbacks are rows of ``model_changes`` (who, when, why; nothing is deleted).
``promote``/``rollback`` take the caller's open transaction (``conn``) when the caller's
database is this one: the review service writes the change and its audit row as one.
The model in force is the newest row's ``number``, version 0 when there is none. Promotions
stack: 0 -> 2 -> 5, a rollback returns to 2, another to 0. Long-running processes poll
``stamp()`` (the newest change's sequence number: one indexed query), as they poll the lexicon
store, and rebuild their resources when it moves.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, func, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ..errors import ModelError, ModelMissingError
from ..lexicon.store import engine_for, storage_problem
from ..migrations import MODELS, prepare
from .persist import MANIFEST

BUNDLE = "classify"
CARD = "card.md"
COMPARISON = "comparison.json"
SHIPPED = 0

metadata = MetaData()

versions_table = Table(
    "model_versions", metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("version", String(40), nullable=False, unique=True),
    Column("manifest_sha256", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("base_version", String(40), nullable=False),  # the model in force when trained
    Column("summary", Text, nullable=False),  # JSON: training data and held-out figures
)

changes_table = Table(
    "model_changes", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    Column("by", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("action", String(20), nullable=False),  # promote / rollback
    Column("number", Integer, nullable=False),  # in force after this change
    Column("version", String(40), nullable=False),
    Column("previous_number", Integer, nullable=False),
    Column("previous_version", String(40), nullable=False),
)

_WRITE_RETRIES = 20


def version_of(manifest_bytes: bytes) -> str:
    return "m-" + hashlib.sha256(manifest_bytes).hexdigest()[:16]


def bundle_version(folder: Path) -> str:
    """The version of the bundle in ``folder`` (``m-none`` when it has no manifest)."""
    try:
        return version_of((folder / MANIFEST).read_bytes())
    except OSError:
        return "m-none"


@dataclass(frozen=True)
class ModelRef:
    """A classifier bundle: its registry number, version and folder. ``manifest_sha256`` is
    the registry's record of its manifest (None for the shipped bundle, which git versions)."""

    number: int
    version: str
    folder: Path
    manifest_sha256: str | None = None

    @property
    def label(self) -> str:
        return f"{self.number} ({self.version})"


@dataclass(frozen=True)
class Registered:
    number: int
    version: str
    manifest_sha256: str
    created_at: str
    created_by: str
    base_version: str
    summary: dict


@dataclass(frozen=True)
class ModelChange:
    seq: int
    at: str
    by: str
    reason: str
    action: str
    number: int
    version: str
    previous_number: int
    previous_version: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ModelRegistry:
    """The registry of one state folder (its database and ``<home>/models/``)."""

    def __init__(self, settings) -> None:
        self.settings = settings
        self.url: str = settings.lexicon_database_url
        self.root = Path(settings.home) / "models"
        self.shipped_folder = Path(settings.model_dir) / BUNDLE
        self.engine = engine_for(self.url)
        self._ready = False

    def open(self) -> None:
        """Create or upgrade the registry's tables now (before a caller's transaction that
        shares this database: the migration would wait on that transaction's lock)."""
        self._ensure()

    def same_database(self, engine) -> bool:
        """Whether ``engine`` opens this registry's database (one transaction may hold both)."""
        return engine.url.render_as_string(hide_password=False) == \
            self.engine.url.render_as_string(hide_password=False)

    def _ensure(self) -> None:
        if self._ready:
            return
        try:
            prepare(self.engine, MODELS)
        except (SQLAlchemyError, OSError) as exc:
            problem = storage_problem(exc) or getattr(exc, "orig", None) or exc
            raise ModelError(self.url, f"无法打开模型登记表：{problem}") from None
        self._ready = True

    # -- reading ----------------------------------------------------------------------------
    def shipped(self) -> ModelRef:
        return ModelRef(SHIPPED, bundle_version(self.shipped_folder), self.shipped_folder)

    def folder_of(self, number: int) -> Path:
        return self.root / str(number)

    def _ref(self, row) -> ModelRef:
        return ModelRef(row.number, row.version, self.folder_of(row.number) / BUNDLE,
                        row.manifest_sha256)

    def versions(self) -> list[Registered]:
        self._ensure()
        with self.engine.connect() as conn:
            rows = conn.execute(select(versions_table).order_by(versions_table.c.number)).all()
        return [_registered(r) for r in rows]

    def registered(self, number: int) -> Registered | None:
        self._ensure()
        with self.engine.connect() as conn:
            row = conn.execute(select(versions_table)
                               .where(versions_table.c.number == number)).first()
        return _registered(row) if row else None

    def get(self, number: int) -> ModelRef:
        if number == SHIPPED:
            return self.shipped()
        self._ensure()
        with self.engine.connect() as conn:
            row = conn.execute(select(versions_table)
                               .where(versions_table.c.number == number)).first()
        if row is None:
            raise ModelMissingError(f"模型 {number}", "没有这个模型编号；`screener model list` "
                                    "列出所有模型")
        return self._ref(row)

    def resolve(self, name: str) -> ModelRef:
        """A model by number (``3``) or version (``m-…``, or an unambiguous start of it)."""
        name = name.strip()
        if name.isascii() and name.isdigit() and len(name) <= 9:
            return self.get(int(name))
        if not name.startswith("m-") or len(name) < 6:
            raise ModelMissingError(name or "''", "请给出模型编号，或版本 m- 加至少 4 位十六进制数"
                                    "（`screener model list`）")
        shipped = self.shipped()
        if shipped.version.startswith(name):
            return shipped
        self._ensure()
        with self.engine.connect() as conn:
            rows = conn.execute(select(versions_table).where(
                versions_table.c.version.startswith(name, autoescape=True))).all()
        if len(rows) == 1:
            return self._ref(rows[0])
        why = "有多个模型以此开头" if rows else "没有这个模型"
        raise ModelMissingError(name, f"{why}；请给出编号或完整版本（`screener model list`）")

    def changes(self, limit: int | None = None) -> list[ModelChange]:
        self._ensure()
        query = select(changes_table).order_by(changes_table.c.seq.desc())
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [ModelChange(**r._mapping) for r in conn.execute(query)]

    def stamp(self) -> int:
        """What moves when a model is promoted or rolled back: one indexed query."""
        self._ensure()
        try:
            with self.engine.connect() as conn:
                return conn.execute(select(func.max(changes_table.c.seq))).scalar() or 0
        except SQLAlchemyError as exc:
            raise self._unreadable(exc) from None

    def in_force(self) -> ModelRef:
        self._ensure()
        try:
            with self.engine.connect() as conn:
                latest = conn.execute(select(changes_table.c.number)
                                      .order_by(changes_table.c.seq.desc()).limit(1)).first()
            return self.get(latest.number) if latest else self.shipped()
        except SQLAlchemyError as exc:
            raise self._unreadable(exc) from None

    def _unreadable(self, exc: SQLAlchemyError) -> ModelError:
        # A long-running process keeps the model in force when the registry cannot be read.
        problem = storage_problem(exc) or str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return ModelError(self.url, f"无法读取模型登记表：{problem}")

    def card(self, ref: ModelRef) -> str:
        """The model's card: a candidate's own, the shipped one's per-class cards."""
        if ref.number == SHIPPED:
            cards = sorted(self.shipped_folder.parent.glob("*.md"))
            return "\n\n".join(p.read_text(encoding="utf-8") for p in cards)
        path = self.folder_of(ref.number) / CARD
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            raise ModelMissingError(str(path), "没有模型卡") from None

    def comparison(self, number: int) -> dict | None:
        """The comparison with the model in force that ``model train`` saved, if any."""
        try:
            return json.loads((self.folder_of(number) / COMPARISON).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None

    # -- writing ----------------------------------------------------------------------------
    def _write(self, action, conn=None):
        self._ensure()
        if conn is not None:  # the caller's transaction, on this database: it commits
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("LOCK TABLE model_changes IN EXCLUSIVE MODE")
            return action(conn)
        for attempt in range(_WRITE_RETRIES):
            try:
                with self.engine.connect().execution_options(immediate=True) as conn, \
                        conn.begin():
                    if conn.dialect.name == "postgresql":
                        conn.exec_driver_sql("LOCK TABLE model_changes IN EXCLUSIVE MODE")
                    return action(conn)
            except OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    problem = storage_problem(exc) or str(exc.orig).splitlines()[0]
                    raise ModelError(self.url, f"无法写入模型登记表：{problem}") \
                        from None
                time.sleep(0.05 * (attempt + 1))
        raise ModelError(self.url, "模型登记表一直被锁定；请稍后再试")

    def register(self, staged: Path, *, by: str, base_version: str, summary: dict
                 ) -> tuple[Registered, bool]:
        """Register the bundle in ``staged`` (a folder holding ``classify/``); its files move
        into the registry. The same files registered before: that entry, and False."""
        manifest = (staged / BUNDLE / MANIFEST).read_bytes()
        digest = hashlib.sha256(manifest).hexdigest()
        version = version_of(manifest)

        def action(conn) -> tuple[Registered, bool]:
            row = conn.execute(select(versions_table)
                               .where(versions_table.c.version == version)).first()
            if row is not None:
                return _registered(row), False
            number = (conn.execute(select(func.max(versions_table.c.number))).scalar() or 0) + 1
            target = self.folder_of(number)
            if target.exists():  # left by a registration whose transaction did not commit
                shutil.rmtree(target)
            self.root.mkdir(parents=True, exist_ok=True)
            os.replace(staged / BUNDLE, _mkdir(target) / BUNDLE)
            values = dict(number=number, version=version, manifest_sha256=digest,
                          created_at=_now(), created_by=by, base_version=base_version,
                          summary=json.dumps(summary, ensure_ascii=False, sort_keys=True))
            conn.execute(versions_table.insert().values(**values))
            return _registered(values), True

        return self._write(action)

    def register_extras(self, number: int, files: dict[str, str]) -> None:
        """Write the card and the comparison beside a registered bundle (not part of its
        version: the comparison depends on the model in force when it was made)."""
        for name, text in files.items():
            _write_text(self.folder_of(number) / name, text)

    def _change(self, conn, action: str, target: ModelRef, current: ModelRef, by: str,
                reason: str) -> ModelChange:
        seq = (conn.execute(select(func.max(changes_table.c.seq))).scalar() or 0) + 1
        change = ModelChange(seq, _now(), by, reason, action, target.number, target.version,
                             current.number, current.version)
        conn.execute(changes_table.insert().values(**change.__dict__))
        return change

    def _current(self, conn) -> ModelRef:
        latest = conn.execute(select(changes_table.c.number)
                              .order_by(changes_table.c.seq.desc()).limit(1)).first()
        return self.get(latest.number) if latest else self.shipped()

    def promote(self, name: str, *, by: str, reason: str, conn=None) -> ModelChange:
        """Put model ``name`` in force; in the caller's transaction ``conn`` if given (on this
        registry's database), else in its own."""
        if not reason.strip():
            raise ModelError("promote", "请写明理由（--reason）：启用哪个模型、为什么，"
                             "都记入审计日志")
        target = self.resolve(name)
        if target.number != SHIPPED:
            check_files(target)  # never put a damaged model in force

        def action(conn) -> ModelChange:
            current = self._current(conn)
            if current.number == target.number:
                raise ModelError(f"模型 {target.number}", f"模型 {target.label} 已在使用中")
            return self._change(conn, "promote", target, current, by, reason.strip())

        return self._write(action, conn)

    def rollback(self, *, by: str, reason: str, conn=None) -> ModelChange:
        """Back to the model in force before the newest promotion still in force (in ``conn``
        as ``promote``)."""
        if not reason.strip():
            raise ModelError("rollback", "请写明理由（--reason）")

        def action(conn) -> ModelChange:
            stack: list[int] = []
            for row in conn.execute(select(changes_table.c.action, changes_table.c.number)
                                    .order_by(changes_table.c.seq)):
                if row.action == "promote":
                    stack.append(row.number)
                elif stack:
                    stack.pop()
            if not stack:
                raise ModelError("rollback", "没有可回退的启用记录：正在使用随软件发布的"
                                 "模型（版本 0）")
            current = self.get(stack.pop())
            target = self.get(stack[-1]) if stack else self.shipped()
            return self._change(conn, "rollback", target, current, by, reason.strip())

        return self._write(action, conn)


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_text(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def _registered(row) -> Registered:
    data = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    data["summary"] = json.loads(data["summary"] or "{}")
    return Registered(**data)


def check_files(ref: ModelRef) -> None:
    """Refuse a registered model whose manifest is not the one registered (its files are then
    checked against the manifest when loaded)."""
    from .persist import load_model

    load_model(ref.folder, manifest_sha256=ref.manifest_sha256)


_REGISTRIES: dict[tuple[str, str, str], ModelRegistry] = {}


def registry_for(settings) -> ModelRegistry:
    """One registry per state folder, database and shipped folder, and process."""
    key = (settings.lexicon_database_url, str(settings.home), str(settings.model_dir))
    found = _REGISTRIES.get(key)
    if found is None:
        found = _REGISTRIES[key] = ModelRegistry(settings)
    return found
