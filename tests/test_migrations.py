"""Every table is made and changed by Alembic; databases of the release before it are upgraded
in place and keep every row."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from screener_service.db import SCHEMA_VERSION, SERVICE
from sqlalchemy import create_engine, inspect, text

from screener.migrations import (
    ARCHIVE,
    ASSETS,
    CORE_OWNERS,
    LEARNING_OWNERS,
    LEXICON,
    config,
    upgrade,
)
from screener.settings import REPO_ROOT

LEGACY = Path(__file__).parent / "data" / "legacy"  # made by make_legacy.py with that release
OWNERS = (*CORE_OWNERS, SERVICE)
# Owners added after the release before Alembic (no database of theirs to adopt).
EVERY_OWNER = (*OWNERS, *LEARNING_OWNERS)


def metadata_of(owner):
    from screener_service import db as service

    from screener.classify import registry
    from screener.feedback import store as feedback
    from screener.images import bank
    from screener.lexicon import store
    from screener.rescreen import db as archive
    from screener.sources import bank as sources

    return {"lexicon": store.metadata, "archive": archive.metadata, "assets": bank._meta,
            "sources": sources.metadata, "service": service.metadata,
            "models": registry.metadata, "feedback": feedback.metadata}[owner.name]


def rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table but Alembic's own, sorted."""
    with sqlite3.connect(path) as db:
        names = [n for (n,) in db.execute("select name from sqlite_master where type='table'")
                 if not n.startswith(("alembic_version", "sqlite_"))]
        return {n: sorted(db.execute(f"select * from {n}").fetchall(), key=repr) for n in names}


def _report_columns(row: tuple, before: dict[str, list[tuple]]) -> tuple:
    """svc_0006: a report keeps its draft's text when it is the draft's current one, and the
    categories and number of its findings."""
    import json

    report_id, draft_id, report = row[0], row[1], json.loads(row[7])
    draft = next(d for d in before["svc_drafts"] if d[0] == draft_id)
    current = draft[12] == report_id  # svc_drafts.report_id
    categories = sorted({f["category"] for f in report["findings"]})
    return ((draft[3], draft[4]) if current else (None, None)) + (
        "," + ",".join(categories) + "," if categories else ",", len(report["findings"]))


def as_before_logins(after: dict[str, list[tuple]],
                     before: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """The rows of a database migrated past svc_0004, without what that revision added: the
    empty log-in and session tables, each revision's author (filled from the drafts and the
    audit log, checked here) and the sign-offs' empty session column."""
    after = dict(after)
    assert after.pop("svc_users") == [] and after.pop("svc_sessions") == []
    submitters = {d[0]: d[2] for d in before.get("svc_drafts", [])}
    # revised_by follows the columns the reports had before (later revisions add theirs after)
    at = len(before["svc_reports"][0]) if before.get("svc_reports") else 0
    for report in after.get("svc_reports", []):
        draft, revision, author = report[1], report[2], report[at]
        if revision == 1:
            assert author == submitters[draft], report
    after["svc_reports"] = sorted((r[:at] + r[at + 1:] for r in after.get("svc_reports", [])),
                                  key=repr)
    assert all(s[-1] is None for s in after.get("svc_signoffs", []))
    after["svc_signoffs"] = sorted((s[:-1] for s in after.get("svc_signoffs", [])), key=repr)
    return after


# Columns added by revisions after the release before Alembic, with the value old rows get.
ADDED = {"lexicon_events": (0,),  # fillers (lexicon_0002): false
         "svc_accounts": (None,),  # password_interval_days (svc_0005): the default
         "svc_account_events": (None,),  # note (svc_0005)
         "svc_reports": _report_columns}  # title, body, categories, findings (svc_0006)
# Tables added by revisions after that release: they start empty.
NEW_TABLES = ("image_asset_templates",  # shape templates (assets_0002)
              # the bank of source texts (sources_0001), an owner that release did not have
              "src_sources", "src_passages", "src_events")


def without_new_tables(after: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    after = dict(after)
    for name in NEW_TABLES:
        assert after.pop(name, []) == [], name
    return after


def upgraded(before: dict[str, list[tuple]], added: dict[str, tuple] = ADDED
             ) -> dict[str, list[tuple]]:
    """``before``'s rows as they read after the upgrade: every row kept, new columns filled."""
    def extra(name: str, row: tuple) -> tuple:
        value = added.get(name, ())
        return value(row, before) if callable(value) else value

    return {name: sorted((row + extra(name, row) for row in table), key=repr)
            for name, table in before.items()}


def kept(before: dict[str, list[tuple]], after: dict[str, list[tuple]],
         added: dict[str, tuple] = ADDED) -> bool:
    """``after`` holds ``before``'s rows as upgraded, and tables a revision added are empty."""
    return all(not after[name] for name in after.keys() - before.keys()) and \
        {name: after[name] for name in before} == upgraded(before, added)


def revision(path: Path, owner) -> str:
    with sqlite3.connect(path) as db:
        return db.execute(f"select version_num from {owner.version_table}").fetchone()[0]


@pytest.fixture
def legacy(tmp_path) -> Path:
    folder = tmp_path / "legacy"
    shutil.copytree(LEGACY, folder, ignore=shutil.ignore_patterns("*.py"))
    return folder


def alembic_cli(owner, url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "alembic", "-c", str(REPO_ROOT / "alembic.ini"),
                           "-n", owner.name, "-x", f"url={url}", "upgrade", "head"],
                          capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)


@pytest.mark.parametrize("owner", EVERY_OWNER, ids=lambda o: o.name)
def test_each_owner_has_one_head_and_the_code_knows_it(owner):
    script = ScriptDirectory.from_config(config(owner))
    assert script.get_heads() == [owner.head]


@pytest.mark.parametrize("owner", EVERY_OWNER, ids=lambda o: o.name)
def test_migrations_make_exactly_the_tables_the_code_queries(owner, tmp_path, database_url):
    engine = create_engine(database_url or f"sqlite:///{tmp_path / 'fresh.db'}")
    assert upgrade(engine, owner) == owner.head
    assert upgrade(engine, owner) == owner.head  # once only
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "include_name": lambda name, kind, parent:
                not (kind == "table" and name.startswith("alembic_version"))})
        differences = compare_metadata(context, metadata_of(owner))
    engine.dispose()
    assert differences == []


def test_the_release_before_alembic_is_upgraded_by_the_alembic_command(legacy):
    before = {name: rows(legacy / name) for name in ("screener.db", "assets.db")}
    assert before["screener.db"]["svc_audit"] and before["screener.db"]["rs_reports"]
    for owner in OWNERS:
        database = legacy / ("assets.db" if owner is ASSETS else "screener.db")
        result = alembic_cli(owner, f"sqlite:///{database}")
        assert result.returncode == 0, result.stderr
        assert revision(database, owner) == owner.head
    after = {name: rows(legacy / name) for name in ("screener.db", "assets.db")}
    assert without_new_tables(after["assets.db"]) == upgraded(before["assets.db"])
    assert kept(before["screener.db"], without_new_tables(
        as_before_logins(after["screener.db"], before["screener.db"])))
    for owner in OWNERS:  # again: nothing to do, nothing changes
        database = legacy / ("assets.db" if owner is ASSETS else "screener.db")
        assert alembic_cli(owner, f"sqlite:///{database}").returncode == 0
    assert {n: rows(legacy / n) for n in ("screener.db", "assets.db")} == after


def test_the_release_before_alembic_is_upgraded_when_the_programs_start(legacy, tmp_path):
    from screener_service import audit
    from screener_service.config import load_service_settings
    from screener_service.db import make_engine, migrate, read
    from screener_service.queries.audit import unaudited
    from screener_service.usecases.audit import open_chain

    from screener.images.bank import AssetBank
    from screener.images.config import image_config
    from screener.lexicon import store_for
    from screener.rescreen import db as archive
    from screener.settings import load_settings

    before = rows(legacy / "screener.db")
    settings = load_settings(home=legacy)
    assert [c.summary for c in store_for(settings).changes()] == \
        [c[5] for c in before["lexicon_changes"]]
    archive.open_db(settings)
    bank = AssetBank(settings.assets_database_url, image_config(settings))
    assert [a.title for a in bank.list_assets()] == ["颐和园"]
    config = load_service_settings(settings)
    engine = make_engine(config.database_url)
    assert migrate(engine) == SCHEMA_VERSION
    open_chain(engine, config)  # the chain is keyed from here on: its plain rows stay
    with read(engine) as conn:
        assert audit.verify(conn).rows == len(before["svc_audit"]) + 1
        assert unaudited(conn, settings) == []
    after = as_before_logins(rows(legacy / "screener.db"), before)
    # the model registry's tables are made, empty, when the audit check reads them
    assert {t: after.pop(t) for t in ("model_changes", "model_versions")} == \
        {"model_changes": [], "model_versions": []}
    keyed = [r for r in after["svc_audit"] if r not in before["svc_audit"]]
    assert [r[3] for r in keyed] == ["audit.keyed"]
    after["svc_audit"].remove(keyed[0])
    assert kept(before, after)
    for owner, name in ((LEXICON, "screener.db"), (ARCHIVE, "screener.db"),
                        (ASSETS, "assets.db"), (SERVICE, "screener.db")):
        assert revision(legacy / name, owner) == owner.head


def _service_at(path: Path, version: int) -> None:
    """Turn the fixture's service tables back into what schema step ``version`` left."""
    with sqlite3.connect(path) as db:
        if version < 3:
            db.execute("drop table svc_rechecks")
            db.execute("delete from svc_schema where version > ?", (version,))
        if version < 2:
            db.execute("alter table svc_tokens drop column expires_at")


@pytest.mark.parametrize("version", [1, 2, 3])
def test_each_service_schema_version_before_alembic_is_upgraded(legacy, version):
    from screener_service.db import SCHEMA_VERSION, make_engine, migrate

    database = legacy / "screener.db"
    _service_at(database, version)
    before = rows(database)
    assert migrate(make_engine(f"sqlite:///{database}")) == SCHEMA_VERSION
    after = rows(database)
    if version < 3:
        assert after.pop("svc_rechecks") == []
    if version < 2:
        assert all(r[-1] is None for r in after["svc_tokens"])  # expires_at: never
        after["svc_tokens"] = [r[:-1] for r in after["svc_tokens"]]
    assert kept(before, as_before_logins(after, before),
                {k: v for k, v in ADDED.items() if k.startswith("svc_")})
    columns = {c["name"] for c in inspect(create_engine(f"sqlite:///{database}"))
               .get_columns("svc_tokens")}
    assert "expires_at" in columns


def test_an_archive_of_the_first_release_gets_carried_from(legacy):
    database = legacy / "screener.db"
    with sqlite3.connect(database) as db:
        db.execute("alter table rs_reports drop column carried_from")
    before = rows(database)
    engine = create_engine(f"sqlite:///{database}")
    upgrade(engine, ARCHIVE)
    after = rows(database)
    assert [r[:-1] for r in after["rs_reports"]] == before["rs_reports"]
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from rs_reports where carried_from is not "
                                 "null")).scalar() == 0


def test_a_newer_service_database_is_refused(tmp_path):
    from screener_service.db import make_engine, migrate

    from screener.errors import ConfigError

    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(text("update alembic_version_service set version_num = 'svc_0099'"))
    newer = r"数据库结构版本 99 比本软件支持的（\d+）更新；请升级 screener"
    with pytest.raises(ConfigError, match=newer):
        migrate(engine)
