"""Alembic environment of the model registry's tables (see screener.migrations)."""

from alembic import context

from screener.migrations import MODELS, run_env

run_env(context, MODELS)
