"""The review service: account registry, tokens and roles, review queue, sign-off, audit trail.

A FastAPI app over SQLite (or any SQLAlchemy URL) that wraps ``screener.Screener``: operators
submit drafts, each draft is screened and its report stored, the account's 具体负责人 signs it off
(第八条), operators publish only approved drafts (第九条), and every step is appended to a
hash-chained audit log. ``create_app`` builds the app; ``screener serve`` runs it.
"""

from .app import create_app

__all__ = ["create_app"]
