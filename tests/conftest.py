"""Shared fixtures. Tests mirror the package layout; this is the one conftest."""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from screener import Screener
from screener.lexicon import store
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


# -- both database engines ----------------------------------------------------------------------
# The store, archive, service and concurrency tests run on SQLite and on PostgreSQL. The
# PostgreSQL variants need a server: SCREENER_TEST_DATABASE_URL names one (any database on it;
# each test gets a database of its own, dropped afterwards). CI starts one (.ci/run); without
# it the variants are skipped and the run's header says so; with it set but unreachable the
# run stops at once rather than pass without them.
PG_ENV = "SCREENER_TEST_DATABASE_URL"


def _pg_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def pytest_terminal_summary(terminalreporter) -> None:
    """Always say what became of the PostgreSQL variants (the header is hidden by -q)."""
    counts: dict[str, int] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        counts[outcome] = sum(1 for report in terminalreporter.stats.get(outcome, [])
                              if "[postgresql" in getattr(report, "nodeid", ""))
    if not any(counts.values()):
        return
    where = (f"on {_without_password(_pg_admin_url())}" if _pg_admin_url() else
             f"SKIPPED: {PG_ENV} is not set")
    terminalreporter.write_line(
        f"PostgreSQL variants ({where}): " + ", ".join(f"{n} {k}" for k, n in counts.items()
                                                       if n))


def pytest_report_header(config) -> str:
    url = _pg_admin_url()
    if url is None:
        return (f"PostgreSQL: {PG_ENV} is not set; the [postgresql] variants are SKIPPED "
                "(.ci/run starts a server and runs them)")
    return f"PostgreSQL: the [postgresql] variants run on {_without_password(url)}"


def _without_password(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def pytest_sessionstart(session) -> None:
    url = _pg_admin_url()
    if url is None:
        return
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001  (whatever the driver raises)
        pytest.exit(f"{PG_ENV} is set but PostgreSQL is unreachable at "
                    f"{_without_password(url)}: {str(exc).splitlines()[0]}", returncode=3)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request) -> str | None:
    """None on SQLite (the state folder's own file); a fresh PostgreSQL database otherwise."""
    if request.param == "sqlite":
        yield None
        return
    admin = _pg_admin_url()
    if admin is None:
        pytest.skip(f"PostgreSQL variant: {PG_ENV} is not set")
    name = f"screener_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    yield url
    cached = store._ENGINES.pop(url, None)
    if cached is not None:
        cached.dispose()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def db_settings(home, database_url) -> Settings:
    """``test_settings`` on each engine: the state folder's database (lexicon store, archive)
    and the asset bank on ``database_url``."""
    if database_url is None:
        return load_settings(home=home, lexicon_dir=TEST_LEXICONS)
    return load_settings(home=home, lexicon_dir=TEST_LEXICONS, database_url=database_url,
                         images={"assets_database_url": database_url})


def _env_of(settings: Settings) -> dict[str, str]:
    env = {"SCREENER_HOME": str(settings.home), "SCREENER_LEXICON_DIR": str(settings.lexicon_dir)}
    if settings.database_url:
        env["SCREENER_DATABASE_URL"] = settings.database_url
    if settings.images.assets_database_url:
        env["SCREENER_IMAGES__ASSETS_DATABASE_URL"] = settings.images.assets_database_url
    return env


@pytest.fixture
def env_of():
    """The environment that makes a command (CLI, child process) use these settings' state
    folder, lexicons and databases."""
    return _env_of


class RawDatabase:
    """A database opened with its driver alone, not through the code under test: to look at
    what it stored, or to tamper with it. ``execute`` takes ``?`` placeholders on both engines;
    leaving the ``with`` block commits."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)

    def __enter__(self) -> RawDatabase:
        if self.url.get_backend_name() == "sqlite":
            self.conn = sqlite3.connect(self.url.database)
        else:
            self.conn = psycopg.connect(self.url.set(drivername="postgresql")
                                        .render_as_string(hide_password=False))
        return self

    def execute(self, sql: str, params: tuple = ()):
        if self.url.get_backend_name() != "sqlite":
            sql = sql.replace("%", "%%").replace("?", "%s")
        return self.conn.execute(sql, params)

    def dump(self) -> str:
        """Every row of every table, as text (to show something is stored nowhere)."""
        if self.url.get_backend_name() == "sqlite":
            return "\n".join(self.conn.iterdump())
        tables = [r[0] for r in self.conn.execute(
            "select tablename from pg_tables where schemaname = 'public'")]
        return "\n".join(str(row) for table in tables
                         for row in self.conn.execute(f'select * from "{table}"'))

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.conn.commit()
        else:
            self.conn.rollback()
        self.conn.close()


@pytest.fixture
def raw_db():
    return RawDatabase
