"""Shared fixtures. Tests mirror the package layout; this is the one conftest."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from screener import Screener
from screener.normalize import Normalizer, load_tables
from screener.settings import REPO_ROOT, Settings, load_settings

TEST_LEXICONS = Path(__file__).parent / "data" / "lexicons"

# ci: the same examples every run, a bounded number of them, so CI time is predictable. Bounded
# by count, not by a per-example deadline: on a loaded machine a deadline fails at random.
# soak: many random examples; benchmarks/bench_fuzz.py runs longer campaigns by the clock.
hypothesis_settings.register_profile(
    "ci", derandomize=True, print_blob=True, max_examples=60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.register_profile(
    "soak", max_examples=5000, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
SHIPPED_LEXICONS = REPO_ROOT / "lexicons"
SAMPLES = REPO_ROOT / "data" / "samples"


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory) -> Path:
    """One cache folder for the session: the folding tables take a second to build."""
    folder = tmp_path_factory.mktemp("cache")
    load_tables(folder)
    return folder


@pytest.fixture(scope="session")
def normalizer(shared_cache) -> Normalizer:
    return Normalizer(load_tables(shared_cache))


def make_settings(home: Path, lexicons: Path, shared_cache: Path) -> Settings:
    cache = home / "cache"
    if not cache.exists():
        shutil.copytree(shared_cache, cache, dirs_exist_ok=True)
    return load_settings(home=home, lexicon_dir=lexicons)


@pytest.fixture
def home(tmp_path, shared_cache) -> Path:
    """A fresh state folder whose cache already holds the folding tables."""
    folder = tmp_path / "home"
    shutil.copytree(shared_cache, folder / "cache")
    return folder


@pytest.fixture
def test_settings(home) -> Settings:
    return load_settings(home=home, lexicon_dir=TEST_LEXICONS)


@pytest.fixture(scope="session")
def test_screener(tmp_path_factory, shared_cache) -> Screener:
    """Terms and images only: the tests that use it check term findings exactly."""
    home = tmp_path_factory.mktemp("home")
    return Screener(make_settings(home, TEST_LEXICONS, shared_cache), stages=("terms", "images"))


@pytest.fixture(scope="session")
def shipped_screener(tmp_path_factory, shared_cache) -> Screener:
    home = tmp_path_factory.mktemp("home-shipped")
    return Screener(make_settings(home, SHIPPED_LEXICONS, shared_cache))


@pytest.fixture
def test_lexicons() -> Path:
    return TEST_LEXICONS
