"""The account's life from the command line, as the dean's office runs it on the service's
state folder: apply with the two files, approve, the priority order and activity, inactive
accounts, password keepers and overdue changes, violations and their CSV report."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from screener.cli import app as cli_app

from .test_authz_complete import PDF


@pytest.fixture
def cli(own_screener, monkeypatch, env_of):
    for name, value in env_of(own_screener.settings).items():
        monkeypatch.setenv(name, value)
    home = ["--home", str(own_screener.settings.home)]

    def run(*args: str, code: int | None = 0):
        result = CliRunner().invoke(cli_app, [*args, *home])
        if code is not None:
            assert result.exit_code == code, result.output
        return result
    return run


def test_apply_and_approve_from_the_command_line(own_world, cli, tmp_path):
    form, pledge = tmp_path / "审批表.pdf", tmp_path / "承诺书.png"
    form.write_bytes(PDF)
    pledge.write_bytes(PDF)
    unit, account = str(own_world.ids["unit"]), str(own_world.ids["account"])
    args = ("accounts", "apply", "力学系哔哩哔哩", "--unit", unit, "--platform", "bilibili",
            "--purpose", "科普视频", "--plan", "每月四期", "--justification", "视频需要单独平台",
            "--approval-form", str(form), "--pledge", str(pledge))
    unordered = cli(*args, code=30)
    assert "优先顺序表" in unordered.output
    cli("accounts", "priority", unit, account)
    pledge.write_bytes(b"not a picture")
    not_a_scan = cli(*args, code=30)
    assert "PDF" in not_a_scan.output
    pledge.write_bytes(PDF)
    applied = json.loads(cli(*args).stdout)
    assert applied["status"] == "applied" and applied["application"]["decision"] is None
    listed = cli("accounts", "applications", "--status", "applied").stdout
    assert listed.split() == [str(applied["id"]), "bilibili", "applied", "待审批", "力学系哔哩哔哩"]
    approved = json.loads(cli("accounts", "approve", str(applied["id"]),
                              "--party-signatory", "党委书记甲",
                              "--admin-signatory", "院长乙").stdout)
    assert approved["status"] == "active"
    activity = cli("accounts", "activity", unit).stdout
    ranked = [line.split()[:2] for line in activity.splitlines()[2:]]
    assert ranked == [["1", account], ["2", str(applied["id"])]]
    inactive = cli("accounts", "inactive", "--unit", unit).stdout
    assert "工学院力学系" in inactive and "从未发文" in inactive
    audit = own_world.call("admin", "GET", f"/api/audit?subject=account:{applied['id']}")
    assert [r["action"] for r in audit.json()["items"]] == ["account.apply", "account.approve"]


def test_password_duties_and_violations_from_the_command_line(own_world, cli):
    account = str(own_world.ids["account"])
    overdue = cli("accounts", "password-overdue").stdout
    assert "无保管人" in overdue
    cli("accounts", "password-keeper", account, str(own_world.ids["person_responsible"]),
        "--effective-on", "2024-01-02")
    cli("accounts", "password-interval", account, "30")
    late = cli("accounts", "password-overdue").stdout
    assert "李老师" in late and "未登记" in late
    cli("accounts", "password-changed", account)
    after = cli("accounts", "password-overdue").stdout
    assert "李老师" not in after
    assert "--password" in cli("accounts", "password-changed", account, "--password", "x",
                               code=2).output

    recorded = json.loads(cli("violations", "record", "--account", account, "--post", "p-9",
                              "--title", "招生广告", "--published-on", "2024-03-01",
                              "--article", "第十一条（内容）",
                              "--description", "未经许可的商业广告").stdout)
    cli("violations", "decide", str(recorded["id"]), "--criticize")
    rows = list(csv.DictReader(io.StringIO(cli("violations", "report", "--unit",
                                               str(own_world.ids["unit"]), "--csv").stdout)))
    assert [(r["title"], r["actions"]) for r in rows] == [("招生广告", "通报批评")]
    empty = cli("violations", "report", "--from", "2024-04-01", "--csv").stdout
    assert len(list(csv.DictReader(io.StringIO(empty)))) == 0
