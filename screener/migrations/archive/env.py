"""Alembic environment of the archive tables (see screener.migrations)."""

from alembic import context

from screener.migrations import ARCHIVE, run_env

run_env(context, ARCHIVE)
