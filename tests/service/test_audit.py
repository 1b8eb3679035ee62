"""The hash-chained audit log: every action is logged, and the verifier catches an edited,
deleted or reordered row (by HTTP, by function and by ``screener audit verify``)."""

from __future__ import annotations

import json

import pytest
import typer
from screener_service import audit
from screener_service.cli import register
from screener_service.db import make_engine, migrate, read, write
from screener_service.errors import AuditError
from typer.testing import CliRunner


def test_every_step_is_logged(world):
    draft = world.submit()
    world.call("responsible", "POST", f"/api/drafts/{draft['id']}/signoff",
               json={"decision": "approve", "report_id": draft["report"]["id"]})
    world.call("operator", "POST", f"/api/drafts/{draft['id']}/publish")
    rows = world.call("admin", "GET", "/api/audit", params={"subject": f"draft:{draft['id']}"}
                      ).json()["items"]
    assert [r["action"] for r in rows] == ["draft.submit", "draft.screen", "draft.approve",
                                           "draft.publish"]
    assert rows[2]["details"]["content_hash"] == draft["content_hash"]
    everything = world.call("admin", "GET", "/api/audit", params={"limit": 200}).json()["items"]
    actions = {r["action"] for r in everything}
    assert {"unit.create", "person.create", "account.create", "account.assign",
            "token.create"} <= actions
    assert all(world.tokens["admin"] not in json.dumps(r) for r in everything)
    assert world.call("admin", "GET", "/api/audit/verify").json()["ok"] is True


@pytest.mark.parametrize("tamper", ["edit", "delete", "swap"])
def test_verifier_names_the_first_bad_row(world, service_config, tamper, raw_db):
    world.submit()
    with raw_db(service_config.database_url) as db:
        if tamper == "edit":
            db.execute("update svc_audit set details = ? where id = 5",
                       (json.dumps({"name": "forged"}),))
        elif tamper == "delete":
            db.execute("delete from svc_audit where id = 5")
        else:
            a, b = db.execute("select details from svc_audit where id in (4, 5) order by id")
            db.execute("update svc_audit set details = ? where id = 4", b)
            db.execute("update svc_audit set details = ? where id = 5", a)
    result = world.call("admin", "GET", "/api/audit/verify").json()
    assert result["ok"] is False and result["row"] in (4, 5)
    assert f"row {result['row']}" in result["problem"]

    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # typer needs two commands to keep subcommand names
    home = str(world.client.app.state.services.settings.home)
    runner = CliRunner()
    env = {"SCREENER_DATABASE_URL": service_config.database_url}
    outcome = runner.invoke(app, ["audit", "verify", "--home", home], env=env)
    assert outcome.exit_code == 1
    assert f"审计日志已被破坏：审计日志第 {result['row']} 行" in outcome.output
    assert f"审计日志第 {result['row']} 行" in result["problem_zh"]


def test_truncation_is_caught_by_the_signed_head_file(world, service_config, raw_db):
    """Rows removed at the end leave a valid shorter chain; the signed head written outside the
    database after every change still names the removed row."""
    engine = world.client.app.state.engine
    with read(engine) as conn:
        recorded = audit.head(conn)
    with raw_db(service_config.database_url) as db:
        db.execute("delete from svc_audit where id = ?", (recorded.rows,))
    with read(engine) as conn:
        with pytest.raises(AuditError, match="rows at the end were removed"):
            audit.verify(conn)
        with pytest.raises(AuditError):
            audit.verify(conn, expected_head=recorded.hash)
    # wiping the whole log is the same truncation
    with raw_db(service_config.database_url) as db:
        db.execute("delete from svc_audit")
    assert world.call("admin", "GET", "/api/audit/verify").json()["ok"] is False


def _keyed(engine, tmp_path):
    from screener_service.keys import load_keys

    audit.bind(engine, load_keys(tmp_path / "secret.key", create=True), tmp_path / "heads")


def test_append_is_usable_by_other_modules(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    migrate(engine)
    _keyed(engine, tmp_path)
    with write(engine) as conn:
        first = audit.append(conn, "maintainer:1", audit.KEYED, "audit", {"plain_rows": 0})
        second = audit.append(conn, "maintainer:1", "asset.add", "asset:emblem", None)
    assert (first[0], second[0]) == (1, 2)
    with read(engine) as conn:
        assert audit.verify(conn).rows == 2


def test_no_row_is_written_or_checked_without_the_key(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    migrate(engine)
    with pytest.raises(AuditError, match="key"), write(engine) as conn:
        audit.append(conn, "x", "test.append", "n:1", {})


def test_concurrent_writers_keep_one_chain(world, app):
    """Writers take the write lock before reading the chain's last row, so parallel submissions
    never fork it."""
    from concurrent.futures import ThreadPoolExecutor

    from screener_service.auth import principal_for
    from screener_service.usecases.drafts import submit as submit_draft

    services = app.state.services
    with read(app.state.engine) as conn:
        operator = principal_for(conn, world.tokens["operator"])

    def submit(i: int) -> int:
        return submit_draft(services, operator, world.ids["account"], f"通知{i}",
                            f"第{i}次讲座。")["id"]

    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(submit, range(16)))
    assert len(set(ids)) == 16
    with read(app.state.engine) as conn:
        head = audit.verify(conn)
    assert head.rows >= 16 * 2


def test_writers_of_two_processes_keep_one_chain(tmp_path, database_url):
    """Two engines stand for two processes (a server and a CLI command): the in-process lock
    does not order them, the database's write lock must."""
    from concurrent.futures import ThreadPoolExecutor

    from screener_service.uow import unit_of_work

    url = database_url or f"sqlite:///{tmp_path / 'chain.db'}"
    engines = [make_engine(url), make_engine(url)]
    migrate(engines[0])
    _keyed(engines[0], tmp_path)
    with unit_of_work(engines[0], "system") as uow:
        uow.audit(audit.KEYED, "audit", {"plain_rows": 0})

    def append(i: int) -> None:
        with unit_of_work(engines[i % 2], f"writer{i % 2}") as uow:
            uow.audit("test.append", f"n:{i}", {"i": i})

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(append, range(40)))
    with read(engines[0]) as conn:
        assert audit.verify(conn).rows == 41
    for engine in engines:
        engine.dispose()
