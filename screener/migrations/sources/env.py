"""Alembic environment of the bank of source texts (see screener.migrations)."""

from alembic import context

from screener.migrations import SOURCES, run_env

run_env(context, SOURCES)
