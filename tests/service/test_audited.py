"""Every state change goes through a use case that audits it, in the same transaction.

Statically: only the unit of work (``uow``) opens write transactions and appends audit rows,
and it refuses to commit a change without one; routes, pages and commands cannot import the
database layer at all (import-linter contracts in pyproject.toml, run by CI).

Dynamically: every route that can change state (every POST, PUT, PATCH and DELETE of the app,
found by enumerating its routes, as the authorization matrix does) is called by a caller allowed
to, while every SQL statement is recorded per transaction. Each transaction that changed a
service table must also have inserted its audit row, and each call must have appended at least
one (a lexicon or asset change commits in its own store first; its audit row follows). A new
writing route without an entry here fails the test.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from sqlalchemy import event

from screener.settings import REPO_ROOT

from .test_authz_complete import OK, RULES, _call, app_routes, full_world

# Routes that accept a POST but change nothing stored (the sign-on only redirects to the campus
# provider, not configured here; its callback audits what comes back).
NO_STATE = {("POST", "/login/sso")}
WRITING = [r for r in RULES if r.method in ("POST", "PUT", "PATCH", "DELETE")
           and (r.method, r.path) not in NO_STATE]
# The service's tables, and the core's tables a use case writes in its unit of work (a sign-off's
# feedback rows; a promotion when the registry shares the database).
_CHANGE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b.*?\b(svc_\w+|feedback|model_changes)\b",
                     re.I | re.S)


def test_only_the_unit_of_work_writes_and_audits():
    service = REPO_ROOT / "service"
    for path in service.rglob("*.py"):
        if path.name in ("uow.py", "db.py") or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert "write(" not in text.replace("unit_of_work(", "").replace(".write(", ""), path
        assert "audit.append(" not in text, path


def test_every_writing_route_is_exercised_here(app):
    writing = {(m, p) for m, p in app_routes(app) if m in ("POST", "PUT", "PATCH", "DELETE")}
    assert writing - NO_STATE == {(r.method, r.path) for r in WRITING}


class Recorder:
    """Statements per transaction on one engine: which service tables changed, and whether
    the audit log was appended to."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.open: dict[int, list[str]] = defaultdict(list)
        self.done: list[list[str]] = []
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.open[id(conn)].append(statement)

    def _commit(self, conn) -> None:
        self.done.append(self.open.pop(id(conn), []))

    def _rollback(self, conn) -> None:
        self.open.pop(id(conn), None)

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)
        event.remove(self.engine, "rollback", self._rollback)

    def changed(self) -> list[tuple[set[str], bool]]:
        """Per committed transaction that changed something: (tables changed, audited)."""
        found = []
        for statements in self.done:
            tables = {m.group(2) for s in statements if (m := _CHANGE.match(s))}
            if tables - {"svc_audit"}:
                found.append((tables - {"svc_audit"}, "svc_audit" in tables))
            elif tables:
                found.append((set(), True))
        return found


@pytest.mark.parametrize("rule", WRITING, ids=[f"{r.method} {r.path}" for r in WRITING])
def test_each_writing_route_audits_its_change_in_the_same_transaction(rule, own_client):
    needs = rule.needs | ({"dean"} if rule.dean is not None else set())
    world = full_world(own_client, own_client.app, needs)
    caller = next(role for role, expected in rule.own.items() if expected == OK)
    before = world.call("admin", "GET", "/api/audit").json()["total"]
    recorder = Recorder(own_client.app.state.engine)
    try:
        response = _call(world, rule, "own", caller)
    finally:
        recorder.close()
    assert response.status_code < 400, response.text[:300]
    transactions = recorder.changed()
    assert transactions, "the call committed nothing"
    for tables, audited in transactions:
        assert audited, f"{sorted(tables)} changed without an audit row in the transaction"
    after = world.call("admin", "GET", "/api/audit").json()["total"]
    assert after > before
