"""API quality: health, docs, JSON errors with a field, size limits, pagination, tokens."""

from __future__ import annotations

import hashlib
import sqlite3

from screener_service.db import SCHEMA_VERSION


def test_health_and_docs(client):

    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["schema_version"] == SCHEMA_VERSION
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/api/drafts" in spec["paths"] and "/api/drafts/{draft_id}/signoff" in spec["paths"]
    content = spec["paths"]["/api/drafts"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(content)


def test_errors_are_json_with_a_field(world):
    missing = world.call("operator", "POST", "/api/drafts", json={"title": "x"})
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "account_id"
    unknown = world.call("operator", "POST", "/api/drafts",
                         json={"account_id": world.ids["account"], "boby": "x"})
    assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "boby"
    empty = world.call("operator", "POST", "/api/drafts",
                       json={"account_id": world.ids["account"], "title": " ", "body": ""})
    assert empty.status_code == 422 and "empty" in empty.json()["error"]["message"]
    broken = world.client.post("/api/drafts", content=b"{not json",
                               headers={"Authorization": f"Bearer {world.tokens['operator']}",
                                        "content-type": "application/json"})
    assert broken.status_code == 422 and broken.json()["error"]["message"]
    assert world.call("admin", "GET", "/api/drafts/999").status_code == 404
    wrong_type = world.client.post("/api/drafts", content=b"x", headers={
        "Authorization": f"Bearer {world.tokens['operator']}", "content-type": "text/plain"})
    assert wrong_type.status_code == 400 and wrong_type.json()["error"]["field"]


def test_request_size_limits(world, service_config):
    big = "讲" * (service_config.max_request_bytes // 3 + 10)
    response = world.call("operator", "POST", "/api/drafts",
                          json={"account_id": world.ids["account"], "body": big})
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    settings = world.client.app.state.services.settings
    long = "讲" * (settings.max_body_chars + 1)
    too_long = world.call("operator", "POST", "/api/drafts",
                          json={"account_id": world.ids["account"], "body": long})
    assert too_long.status_code == 413 and too_long.json()["error"]["field"] == "body"


def test_pagination(world):
    for i in range(5):
        world.submit(title=f"通知{i}", body=f"第{i}次讲座。")
    first = world.call("responsible", "GET", "/api/drafts", params={"limit": 2}).json()
    assert first["total"] == 5 and len(first["items"]) == 2 and first["next_offset"] == 2
    last = world.call("responsible", "GET", "/api/drafts",
                      params={"limit": 2, "offset": 4}).json()
    assert len(last["items"]) == 1 and last["next_offset"] is None
    too_big = world.call("responsible", "GET", "/api/drafts", params={"limit": 100000})
    assert too_big.status_code == 422 and too_big.json()["error"]["field"] == "limit"


def test_tokens_are_hashed_shown_once_and_revocable(world, service_config, raw_db):
    created = world.call("admin", "POST", "/api/tokens",
                         json={"role": "operator", "person_id": world.ids["person_operator"],
                               "label": "phone"}).json()
    raw = created["token"]
    with raw_db(service_config.database_url) as db:
        stored = [row[0] for row in db.execute("select token_hash from svc_tokens")]
        dump = db.dump()
    assert hashlib.sha256(raw.encode()).hexdigest() in stored
    assert raw not in dump and world.tokens["admin"] not in dump
    listed = world.call("admin", "GET", "/api/tokens").text
    assert raw not in listed and "token_hash" not in listed
    world.tokens["phone"] = raw
    assert world.call("phone", "GET", "/api/me").status_code == 200
    world.call("admin", "POST", f"/api/tokens/{created['id']}/revoke")
    revoked = world.call("phone", "GET", "/api/me")
    assert revoked.status_code == 401 and "revoked" in revoked.json()["error"]["message"]
    bogus = world.client.get("/api/me", headers={"Authorization": "Bearer scr_nope"})
    assert bogus.status_code == 401


def test_unit_head_token_needs_a_unit(world):
    response = world.call("admin", "POST", "/api/tokens",
                          json={"role": "unit_head", "person_id": world.ids["person_head"]})
    assert response.status_code == 422 and response.json()["error"]["field"] == "unit_id"


def test_tokens_expire(world, service_config, raw_db):
    created = world.call("admin", "POST", "/api/tokens",
                         json={"role": "operator", "person_id": world.ids["person_operator"],
                               "label": "exchange student", "expires_in_days": 30}).json()
    assert created["expires_at"] > created["created_at"]
    world.tokens["short"] = created["token"]
    assert world.call("short", "GET", "/api/me").status_code == 200
    with raw_db(service_config.database_url) as db:
        db.execute("update svc_tokens set expires_at = '2024-01-01T00:00:00+00:00' "
                   "where id = ?", (created["id"],))
    expired = world.call("short", "GET", "/api/me")
    assert expired.status_code == 401 and "expired" in expired.json()["error"]["message"]
    too_long = world.call("admin", "POST", "/api/tokens",
                          json={"role": "admin", "expires_in_days": 0})
    assert too_long.status_code == 422 and too_long.json()["error"]["field"] == \
        "expires_in_days"


def test_a_database_from_before_token_expiry_is_migrated(tmp_path):
    from screener_service.db import make_engine, migrate
    from sqlalchemy import inspect

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:  # what step 1 made before tokens could expire
        db.execute("create table svc_schema (version integer primary key, name varchar(100) "
                   "not null, applied_at varchar(32) not null)")
        db.execute("insert into svc_schema values (1, 'initial tables', '2025-01-01')")
        db.execute("create table svc_tokens (id integer primary key, token_hash varchar(64), "
                   "person_id integer, role varchar(20), unit_id integer, label varchar(200), "
                   "created_at varchar(32), revoked_at varchar(32))")
    engine = make_engine(f"sqlite:///{path}")
    assert migrate(engine) == SCHEMA_VERSION
    assert "expires_at" in {c["name"] for c in inspect(engine).get_columns("svc_tokens")}
    assert migrate(engine) == SCHEMA_VERSION  # once only


def test_numbers_beyond_64_bits_are_the_callers_error_on_every_engine(world):
    for url in ("/api/units?offset=9223372036854775808", "/api/drafts/9223372036854775808",
                "/api/accounts/9223372036854775808"):
        response = world.call("admin", "GET", url)
        assert response.status_code == 422, (url, response.text)
        assert "out of range" in response.json()["error"]["message"]
