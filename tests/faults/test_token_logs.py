"""A live ``screener serve``'s own output (stdout, stderr, uvicorn's log) never carries a token
or its hash, except the first admin token, printed once when the folder is initialised."""

from __future__ import annotations

from screener_service.auth import hash_token

from .live import Server, registry


def test_the_server_never_prints_a_token(home):
    server = Server(home)
    try:
        world = registry(server)
        tokens = {"admin": server.admin, "operator": world["operator"],
                  "responsible": world["responsible"]}
        with server.client(world["operator"]) as c:
            draft = c.post("/api/drafts", json={"account_id": world["account"],
                                                "title": "讲座", "body": "讲座通知。"}).json()
            c.post("/api/drafts", content=b"{not json", headers={"Content-Type":
                                                                 "application/json"})
            c.get("/api/tokens")  # refused
        with server.client(world["responsible"]) as c:
            c.post(f"/api/drafts/{draft['id']}/signoff",
                   json={"decision": "approve", "report_id": draft["report"]["id"]})
        with server.client("scr_" + "x" * 43) as c:
            c.get("/api/me")  # unknown token
    finally:
        server.stop()
    output = server.out.text
    errors = server.err.text
    assert "Uvicorn running" in errors or "Application startup complete" in errors
    assert output.count(server.admin) == 1  # shown once, at initialisation
    for who, raw in tokens.items():
        assert raw not in errors, who
        assert hash_token(raw) not in output + errors, who
        if who != "admin":
            assert raw not in output, who
