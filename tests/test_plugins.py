"""The core works alone; the review service joins it only as a plugin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from screener.settings import REPO_ROOT

# Runs the CLI in a process where the service cannot be imported and no plugin is registered,
# as on a machine with the core alone.
WITHOUT_SERVICE = textwrap.dedent("""
    import sys
    import importlib.metadata as md

    sys.modules["screener_service"] = None  # any import of it fails
    sys.modules["service"] = None
    real = md.distributions
    md.distributions = lambda: [d for d in real()
                                if not any(ep.group == "screener" for ep in d.entry_points)]
    sys.argv = ["screener", *sys.argv[1:]]
    from screener.cli import main

    main()
""")


def run_core_alone(home, *args):
    env = {**os.environ, "SCREENER_HOME": str(home)}
    return subprocess.run([sys.executable, "-c", WITHOUT_SERVICE, *args], env=env,
                          capture_output=True, text=True, timeout=300, cwd=REPO_ROOT)


def test_the_core_screens_without_the_service(home):
    result = run_core_alone(home, "screen", "--format", "json",
                            str(REPO_ROOT / "data/samples/ad.json"))
    assert result.returncode == 20, result.stderr
    assert json.loads(result.stdout)["verdict"] == "block"
    helped = run_core_alone(home, "--help")
    assert "screen" in helped.stdout and "serve" not in helped.stdout


def test_archive_from_service_without_the_service_says_so(home):
    result = run_core_alone(home, "archive", "import", "--from-service")
    assert result.returncode == 30
    assert "没有已安装的插件提供存档来源 'service'" in result.stderr


def test_the_installed_service_adds_its_commands():
    from typer.testing import CliRunner

    from screener.cli import app

    helped = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"}).output
    for command in ("serve", "init", "accounts", "tokens", "audit"):
        assert f"│ {command} " in helped, command
