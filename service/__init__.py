"""The review service: account registry, tokens and roles, review queue, sign-off, audit trail.

Installed as ``screener_service`` (this folder is ``service/`` in the source tree). A FastAPI app
over SQLite or PostgreSQL that wraps ``screener.Screener``: operators submit drafts, each draft
is screened and its report stored, the account's 具体负责人 signs it off (第八条), operators
publish only approved drafts (第九条), and every step is appended to a hash-chained audit log.
``create_app`` builds the app; ``screener serve`` runs it. The core (``screener``) never imports
this package: it joins through ``plugin`` (the ``screener`` entry point).
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # The CLI plugin imports this package on every ``screener`` call; FastAPI only when asked.
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
