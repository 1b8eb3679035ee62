"""Alembic environment of the reviewers' feedback table (see screener.migrations)."""

from alembic import context

from screener.migrations import FEEDBACK, run_env

run_env(context, FEEDBACK)
