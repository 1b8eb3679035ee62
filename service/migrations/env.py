"""Alembic environment of the service's ``svc_`` tables (see screener.migrations)."""

from alembic import context
from screener_service.db import SERVICE

from screener.migrations import run_env

run_env(context, SERVICE)
