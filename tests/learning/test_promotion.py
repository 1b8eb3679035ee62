"""Promotion and rollback: the next screening uses the model in force, in this process and in
a running service; every change is in the audit chain; a tampered model is refused."""

from __future__ import annotations

import json
import shutil
import threading
import time

import pytest
from typer.testing import CliRunner

from screener import Draft, Screener
from screener.classify import registry_for
from screener.cli import app
from screener.errors import ModelMissingError, ModelTamperedError
from screener.settings import REPO_ROOT, load_settings

NOTICE = Draft(title="讲座通知", body="欢迎参加力学前沿讲座。")
STAGES = ("terms", "classify")


def _until(screen, version: str):
    """Screen until the report names ``version``: the check for a new model runs in the
    background, so the first screenings after a change may still use the old one."""
    for _ in range(300):
        report = screen()
        if report.model_version == version:
            return report
        time.sleep(0.02)
    raise AssertionError(f"still screening with {report.model_version}, not {version}")


def test_promote_and_rollback_change_the_model_the_next_screening_uses(db_settings,
                                                                       eager_copy):
    settings = load_settings(home=db_settings.home, lexicon_dir=db_settings.lexicon_dir,
                             database_url=db_settings.database_url, lexicon_check_seconds=0)
    screener = Screener(settings, stages=STAGES)
    registry = registry_for(settings)
    shipped = registry.shipped()
    before = screener.screen(NOTICE)
    assert before.model_version == shipped.version and str(before.verdict) == "pass"
    eager = eager_copy(settings)
    change = registry.promote(str(eager.number), by="王老师", reason="试用")
    assert (change.action, change.number, change.previous_number) == ("promote", 1, 0)
    after = _until(lambda: screener.screen(NOTICE), eager.version)
    assert str(after.verdict) == "review"  # its own thresholds flag every draft commercial
    assert [f.category for f in after.findings] == ["commercial"]
    # a process started now uses it from the start
    assert Screener(settings, stages=STAGES).screen(NOTICE).model_version == eager.version
    back = registry.rollback(by="王老师", reason="误报太多")
    assert (back.action, back.number, back.previous_number) == ("rollback", 0, 1)
    again = _until(lambda: screener.screen(NOTICE), shipped.version)
    assert str(again.verdict) == "pass"
    with pytest.raises(Exception, match="没有可回退"):
        registry.rollback(by="王老师", reason="再退")


def test_promotions_stack_and_rollback_unwinds_them(test_settings, eager_copy):
    from tests.fixtures.learning import register_copy

    registry = registry_for(test_settings)
    one = eager_copy(test_settings, "one")
    two = register_copy(test_settings, "two")
    registry.promote("1", by="a", reason="r")
    registry.promote(two.version, by="a", reason="r")  # by version as well as by number
    with pytest.raises(Exception, match="已在使用中"):
        registry.promote("2", by="a", reason="again")
    for unknown in ("3", "m-", "m-zz", "x", "9" * 40, "m-0000000000000000"):
        with pytest.raises(ModelMissingError):
            registry.promote(unknown, by="a", reason="r")
    assert registry.in_force().number == 2
    assert registry.rollback(by="a", reason="r").number == one.number
    assert registry.rollback(by="a", reason="r").number == 0
    assert [c.action for c in registry.changes()] == ["rollback", "rollback", "promote",
                                                      "promote"]


def _tamper(folder, name: str) -> None:
    path = folder / name
    path.write_bytes(path.read_bytes() + b" ")


@pytest.mark.parametrize("name", ["weights.npz", "vocabulary.json", "manifest.json"])
def test_a_tampered_model_is_never_put_in_force(test_settings, eager_copy, name):
    registry = registry_for(test_settings)
    eager = eager_copy(test_settings)
    _tamper(eager.folder, name)
    with pytest.raises(ModelTamperedError):
        registry.promote(str(eager.number), by="a", reason="r")
    assert registry.in_force().number == 0 and registry.changes() == []


def test_a_model_tampered_after_promotion_fails_closed(test_settings, eager_copy,
                                                       monkeypatch):
    registry = registry_for(test_settings)
    eager = eager_copy(test_settings)
    registry.promote(str(eager.number), by="a", reason="r")
    # a manifest rewritten with the hashes of rewritten files is still caught: the registry
    # recorded the manifest's own sha256
    manifest = json.loads((eager.folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["thresholds"]["commercial"] = {"review": 0.99, "block": 1.01}
    (eager.folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    report = Screener(test_settings, stages=STAGES).screen(NOTICE)
    assert [f.category for f in report.findings] == ["stage_error"]
    assert "模型在登记后被改动过" in report.findings[0].detail
    assert str(report.verdict) == "review"
    monkeypatch.setenv("SCREENER_HOME", str(test_settings.home))
    monkeypatch.setenv("SCREENER_LEXICONS", str(test_settings.lexicon_dir))
    shown = CliRunner().invoke(app, ["model", "show", "1"])
    assert shown.exit_code == 30 and "拒绝加载" in shown.output


# -- a running service ------------------------------------------------------------------------
@pytest.fixture
def quick_client(tmp_path, shipped_screener, database_url):
    """The service on a state folder of its own whose screener checks for a new lexicon or
    model before every screening (as `screener serve` does every lexicon_check_seconds)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient
    from screener_service import create_app
    from screener_service.config import load_service_settings

    home = tmp_path / "quick-home"
    shutil.copytree(shipped_screener.settings.home / "cache", home / "cache")
    databases = {} if database_url is None else {
        "database_url": database_url, "images": {"assets_database_url": database_url}}
    settings = load_settings(home=home, lexicon_dir=REPO_ROOT / "lexicons",
                             lexicon_check_seconds=0, **databases)
    app_ = create_app(screener=Screener(settings), config=load_service_settings(settings))
    with TestClient(app_) as client:
        yield client
    # A check for a new version still running in the background must end before the test's
    # database is dropped.
    for thread in threading.enumerate():
        if thread.name == "lexicon-reload":
            thread.join(timeout=60)


def _cli(settings, *args):
    env = {"SCREENER_HOME": str(settings.home), "SCREENER_LEXICONS": str(settings.lexicon_dir)}
    if settings.database_url:
        env["SCREENER_DATABASE_URL"] = settings.database_url
    return CliRunner().invoke(app, list(args), env=env)


def test_a_running_service_uses_the_promoted_model_and_the_audit_log_has_every_change(
        quick_client, eager_copy):
    from tests.fixtures.service import build_world

    world = build_world(quick_client, quick_client.app)
    settings = quick_client.app.state.services.settings
    shipped = registry_for(settings).shipped()
    assert world.submit()["report"]["model_version"] == shipped.version
    first = eager_copy(settings, "first")
    second = eager_copy(settings, "second")
    # from the command line, as a maintainer does on the server: the service picks it up
    promoted = _cli(settings, "model", "promote", "1", "--by", "钱老师", "--reason", "试用一周")
    assert promoted.exit_code == 0, promoted.output
    report = _until(lambda: _Report(world.submit()["report"]), first.version)
    assert report.verdict == "review"
    # over HTTP: a reason is required, and the maintainer's next draft already uses it
    refused = world.call("maintainer", "POST", f"/api/models/{second.number}/promote",
                         json={"reason": ""})
    assert refused.status_code == 422
    answer = world.call("maintainer", "POST", f"/api/models/{second.number}/promote",
                        json={"reason": "反馈更多"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["in_force"] == second.version
    assert world.submit()["report"]["model_version"] == second.version
    assert world.call("admin", "POST", f"/api/models/{first.number}/promote",
                      json={"reason": "x"}).status_code == 403
    back = world.call("maintainer", "POST", "/api/models/rollback", json={"reason": "回退"})
    assert back.status_code == 200 and back.json()["in_force"] == first.version
    rows = world.call("admin", "GET", "/api/audit", params={"limit": 200}).json()["items"]
    changes = [(r["action"], r["subject"], r["details"]["reason"]) for r in rows
               if r["action"].startswith("model.")]
    assert changes == [("model.promote", "model:1", "试用一周"),
                       ("model.promote", "model:2", "反馈更多"),
                       ("model.rollback", "model:1", "回退")]
    assert world.call("admin", "GET", "/api/audit/verify").json()["ok"] is True
    # a promotion that bypassed the audit log is reported by verify
    registry_for(settings).promote("0", by="someone", reason="quietly")
    verdict = world.call("admin", "GET", "/api/audit/verify").json()
    assert verdict["ok"] is False
    assert any("模型改动 4（promote" in line for line in verdict["unaudited"])


class _Report:
    def __init__(self, data: dict) -> None:
        self.model_version = data["model_version"]
        self.verdict = data["verdict"]


def test_the_model_commands(test_settings, eager_copy):
    eager = eager_copy(test_settings)
    listed = json.loads(_cli(test_settings, "model", "list", "--json").stdout)
    assert [(m["number"], m["in_force"]) for m in listed["models"]] == [(0, True), (1, False)]
    assert listed["models"][1]["version"] == eager.version
    refused = _cli(test_settings, "model", "promote", "1")
    assert refused.exit_code == 30 and "请写明理由" in refused.output
    done = _cli(test_settings, "model", "promote", eager.version[:8], "--reason", "试用",
                "--by", "王老师")
    assert done.exit_code == 0 and "已启用模型 1" in done.output
    assert "▶" in _cli(test_settings, "model", "list").output
    back = _cli(test_settings, "model", "rollback", "--reason", "回退")
    assert back.exit_code == 0 and "已回退到模型 0" in back.output
    again = _cli(test_settings, "model", "rollback", "--reason", "再退")
    assert again.exit_code == 30 and "没有可回退" in again.output
    changes = registry_for(test_settings).changes()
    assert [c.action for c in changes] == ["rollback", "promote"]
    assert (changes[1].by, changes[1].reason) == ("王老师", "试用")
