"""People's log-ins: sessions end on the server, guessing is slowed and locked out, passwords
are set from standard input only, and the first admin's log-in comes with ``screener init``."""

from __future__ import annotations

import json

import typer
from screener_service.cli import register
from screener_service.pagesession import SESSION_COOKIE
from screener_service.passwords import Passwords
from typer.testing import CliRunner

from tests.fixtures.service import PASSWORD, World


def test_log_out_ends_the_session_on_the_server(world: World):
    cookie = world.session("responsible")
    assert world.page("responsible", "GET", "/").status_code == 200
    stolen = {"Cookie": f"{SESSION_COOKIE}={cookie}"}  # a copy kept by someone else
    out = world.page("responsible", "POST", "/logout", data={"csrf": world.csrf("responsible")})
    assert out.status_code == 303 and out.headers["location"] == "/login?reason=logged_out"
    assert 'screener_session=""' in out.headers["set-cookie"]
    again = world.client.get("/", headers=stolen, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/login"
    forged = world.client.post("/drafts/1/signoff", headers=stolen, follow_redirects=False,
                               data={"csrf": world.csrf("responsible"), "decision": "approve"})
    assert forged.status_code == 303 and forged.headers["location"] == "/login"


def test_the_session_cookie_is_not_a_token(world: World):
    response = world.login("operator")
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    value = response.cookies[SESSION_COOKIE]
    assert value not in world.tokens.values()
    assert world.client.get("/api/me", headers={"Authorization": f"Bearer {value}"}
                            ).status_code == 401


def test_guessing_is_slowed_then_locked_and_audited(world: World):
    answers = [world.login("operator", password=f"guess number {i}") for i in range(5)]
    assert [a.status_code for a in answers[:4]] == [401] * 4
    assert answers[4].status_code == 403 and "锁定" in answers[4].text  # the fifth locks
    slowed = world.login("operator", password=PASSWORD)  # the right one, too fast
    assert slowed.status_code == 429 and int(slowed.headers["retry-after"]) > 0
    world.client.app.state.services.state.pop("login_failures")  # a minute later
    locked = world.login("operator", password=PASSWORD)
    assert locked.status_code == 403 and "锁定" in locked.text
    rows = world.call("admin", "GET", "/api/audit", params={"limit": 200}).json()["items"]
    actions = [r["action"] for r in rows if r["action"].startswith("auth.")]
    assert actions == ["auth.login_failed"] * 5 + ["auth.lockout", "auth.login_failed"]
    # the dean's office unlocks, or a new password does
    cli = _cli(world)
    unlocked = cli(["users", "unlock", str(world.ids["person_operator"])])
    assert unlocked.exit_code == 0, unlocked.output
    assert world.login("operator").status_code == 303


def _cli(world: World):
    app = typer.Typer()
    register(app)
    services = world.client.app.state.services
    env = {"SCREENER_HOME": str(services.settings.home),
           "SCREENER_SERVICE__DATABASE_URL": services.config.database_url,
           "SCREENER_SERVICE__AUDIT_DIR": str(services.config.audit_dir),
           "SCREENER_SERVICE__PASSWORD_TIME_COST": "1",
           "SCREENER_SERVICE__PASSWORD_MEMORY_KIB": "1024"}
    return lambda args, stdin=None: CliRunner().invoke(app, args, input=stdin, env=env)


def test_set_password_reads_standard_input_and_ends_open_sessions(world: World):
    cli = _cli(world)
    old = world.session("responsible")
    made = cli(["users", "set-password", str(world.ids["person_responsible"]),
                "--username", "li-laoshi"], stdin="新的密码-2025-秋\n")
    assert made.exit_code == 0, made.output
    assert "新的密码" not in made.output and json.loads(made.output)["sessions_ended"] == 1
    assert world.client.get("/", headers={"Cookie": f"{SESSION_COOKIE}={old}"},
                            follow_redirects=False).status_code == 303
    world.usernames["responsible"] = "li-laoshi"
    world.sessions.clear()
    assert world.login("responsible", password="新的密码-2025-秋").status_code == 303
    weak = cli(["users", "set-password", str(world.ids["person_responsible"]),
                "--username", "li-laoshi"], stdin="short\n")
    assert weak.exit_code != 0 and "至少" in weak.output
    listed = cli(["users", "list"])
    assert "li-laoshi" in listed.output and "新的密码" not in listed.output


def test_init_gives_the_first_admin_a_log_in(tmp_path, shipped_screener):
    from screener_service.bootstrap import open_services

    from screener.settings import load_settings

    home = tmp_path / "home"
    app = typer.Typer()
    register(app)
    env = {"SCREENER_SERVICE__PASSWORD_TIME_COST": "1",
           "SCREENER_SERVICE__PASSWORD_MEMORY_KIB": "1024"}
    result = CliRunner().invoke(app, ["init", "--home", str(home), "--admin-username", "dean",
                                      "--admin-name", "周老师"], input="院办-初始-密码-2025\n",
                                env=env)
    assert result.exit_code == 0, result.output
    assert "院办-初始-密码-2025" not in result.output and "dean" in result.output
    svc = open_services(load_settings(home=home))[0]
    from screener_service.usecases.sessions import login

    opened = login(svc, "dean", "院办-初始-密码-2025", "127.0.0.1")
    assert opened.principal.role == "admin" and opened.principal.name == "周老师"
    assert (home / "service-secret.key").stat().st_mode & 0o077 == 0
    again = CliRunner().invoke(app, ["init", "--home", str(home), "--admin-username", "dean2"],
                               input="院办-初始-密码-2026\n", env=env)
    assert again.exit_code != 0  # a second first admin is refused


def test_the_shipped_password_cost_is_rfc_9106s():
    from screener.settings import load_settings

    service = load_settings().service
    digest = Passwords(service.password_time_cost, service.password_memory_kib).hash("x" * 12)
    assert "$argon2id$" in digest and "m=65536,t=3" in digest


def test_a_person_with_two_roles_switches_between_them(world: World):
    world.call("admin", "POST", f"/api/accounts/{world.ids['account']}/roles",
               json={"person_id": world.ids["person_responsible"], "role": "operator"})
    page = world.page("responsible", "GET", "/").text
    assert 'action="/session/role"' in page
    switched = world.page("responsible", "POST", "/session/role",
                          data={"csrf": world.csrf("responsible"), "role": "operator"})
    assert switched.status_code == 303
    assert "具体运营人" in world.page("responsible", "GET", "/").text
    refused = world.page("responsible", "POST", "/session/role",
                         data={"csrf": world.csrf("responsible"), "role": "admin"},
                         headers={"accept": "text/html"})
    assert refused.status_code == 403
