"""Alembic environment of the assets tables (see screener.migrations)."""

from alembic import context

from screener.migrations import ASSETS, run_env

run_env(context, ASSETS)
