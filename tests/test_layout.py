"""The tests' own layout: one conftest, every fixture module loaded, every fixture name defined
once (a second definition under a plugin would silently replace the first for every test)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"


def _fixtures_in(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if ast.unparse(target) == "pytest.fixture":
                    names.append(node.name)
    return names


def test_there_is_one_conftest():
    found = sorted(str(p.relative_to(TESTS)) for p in TESTS.rglob("conftest.py")
                   if ".venv" not in p.parts)
    assert found == ["conftest.py"]


def test_every_fixture_module_is_a_plugin():
    import importlib

    conftest = importlib.import_module("tests.conftest")
    modules = {f"tests.fixtures.{p.stem}" for p in FIXTURES.glob("*.py") if p.stem != "__init__"}
    assert set(conftest.pytest_plugins) == modules


def test_every_fixture_name_is_defined_once():
    counts = Counter(name for path in sorted(FIXTURES.glob("*.py")) for name in _fixtures_in(path))
    twice = sorted(name for name, count in counts.items() if count > 1)
    assert not twice, f"fixtures defined in two fixture modules: {twice}"
    assert {"resources", "world", "photos", "shipped_screener"} <= set(counts)
