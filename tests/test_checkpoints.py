"""The checkpoint hook: nothing by default, a test's hook when one is installed."""

from __future__ import annotations

from screener import checkpoints
from screener.settings import REPO_ROOT


def test_a_checkpoint_does_nothing_until_a_hook_is_installed():
    seen: list[str] = []
    checkpoints.checkpoint("submit.write")
    checkpoints.install(seen.append)
    try:
        checkpoints.checkpoint("submit.write")
    finally:
        checkpoints.install(None)
    checkpoints.checkpoint("signoff.write")
    assert seen == ["submit.write"]


def test_no_production_code_reads_a_test_switch_from_the_environment():
    for folder in ("screener", "service"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            assert "SCREENER_TEST" not in path.read_text(encoding="utf-8"), path
