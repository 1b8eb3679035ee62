"""Alembic environment of the lexicon tables (see screener.migrations)."""

from alembic import context

from screener.migrations import LEXICON, run_env

run_env(context, LEXICON)
