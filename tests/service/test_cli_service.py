"""``screener init``, ``screener accounts ...``, ``screener tokens create`` and
``screener audit verify`` through typer, on a fresh state folder."""

from __future__ import annotations

import json

import typer
from screener_service.cli import register
from typer.testing import CliRunner


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_init_prints_the_admin_token_once(home, tmp_path):
    runner = CliRunner()
    env = {"SCREENER_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    first = runner.invoke(_app(), ["init", "--home", str(home)], env=env)
    assert first.exit_code == 0, first.output
    token = first.stdout.strip().splitlines()[-1]
    assert token.startswith("scr_")
    second = runner.invoke(_app(), ["init", "--home", str(home)], env=env)
    assert second.exit_code == 0 and token not in second.output

    def run(*args):
        result = runner.invoke(_app(), [*args, "--home", str(home)], env=env)
        assert result.exit_code == 0, result.output
        return result

    unit = json.loads(run("accounts", "add-unit", "力学系").stdout)["id"]
    staff = json.loads(run("accounts", "add-person", "李老师", "--kind", "staff",
                           "--unit", str(unit)).stdout)["id"]
    account = run("accounts", "add", "北大工学院力学系", "--unit", str(unit),
                  "--opened-on", "2019-09-01")
    assert "第二条" in account.output
    account_id = json.loads(account.stdout)["id"]
    run("accounts", "assign", str(account_id), str(staff), "responsible")
    listed = run("accounts", "list").stdout
    assert "名称含学校字样" in listed and "缺少岗位 first_responsible" in listed
    created = run("tokens", "create", "--role", "responsible", "--person", str(staff),
                  "--expires-in-days", "90", "--label", "李老师")
    raw = created.stdout.strip()
    assert raw.startswith("scr_")
    listed = run("tokens", "list").stdout
    line = next(x for x in listed.splitlines() if x.endswith("李老师"))
    assert "有效，至 " in line and raw not in listed
    token_id = line.split()[0]
    assert "撤销" in run("tokens", "revoke", token_id).stdout
    line = next(x for x in run("tokens", "list").stdout.splitlines() if x.endswith("李老师"))
    assert line.split()[4] == "已撤销"
    again = runner.invoke(_app(), ["tokens", "revoke", token_id, "--home", str(home)], env=env)
    assert again.exit_code == 30 and "令牌已撤销" in again.output  # people read Chinese
    assert "审计日志完好：" in run("audit", "verify").stdout

    refused = runner.invoke(_app(), ["accounts", "assign", str(account_id), "999",
                                     "operator", "--home", str(home)], env=env)
    assert refused.exit_code == 30 and "没有编号为 999 的人员" in refused.output
