"""Plugin hooks: how packages built on the core (the review service) join in without the core
knowing them.

The core calls these hooks at fixed points; a plugin implements some of them and is found
through the ``screener`` entry-point group (``[project.entry-points.screener]`` in its
packaging), as datasette finds its plugins. With no plugin installed every hook does nothing and
the core works alone. The review service registers ``screener_service.plugin`` this way: its
commands (``serve``, ``init``, ``accounts`` ...) appear in ``screener --help``, lexicon, asset
and source-bank changes, model promotions and feedback imports made by the CLI go into its audit
log, ``archive import --from-service`` reads its published drafts, and a re-screening queues newly
flagged posts for review again.

A plugin module (or object) marks its functions with ``hookimpl``::

    from screener.plugins import hookimpl

    @hookimpl
    def register_commands(app):
        app.command("hello")(lambda: print("hello"))
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import typer

    from .settings import Settings

GROUP = "screener"
hookspec = pluggy.HookspecMarker(GROUP)
hookimpl = pluggy.HookimplMarker(GROUP)


class Specs:
    """The hooks a plugin may implement."""

    @hookspec
    def register_commands(self, app: typer.Typer) -> None:
        """Add commands or command groups to the ``screener`` command line."""

    @hookspec
    def lexicon_changed(self, settings: Settings, change: Any) -> None:
        """A lexicon change (``lexicon.store.Change``) was committed from the command line.
        Raise ``ScreenerError`` to say it could not be recorded."""

    @hookspec(firstresult=True)
    def change_model(self, settings: Settings, make: Callable[[Any], Any]) -> Any:
        """Promote or roll back a model from the command line with its audit row:
        ``make(conn)`` makes the change (``classify.registry.ModelChange``) in ``conn``, an open
        transaction on the registry's database, or in its own when ``conn`` is None. Returns the
        change, or None if this plugin keeps no audit log for this state folder. Raise
        ``ScreenerError`` to say it could not be recorded."""

    @hookspec(firstresult=True)
    def import_feedback(self, settings: Settings, rows: list[dict[str, Any]],
                        summary: dict[str, Any]) -> int | None:
        """Add labelled texts imported from the command line (``rows``, feedback rows) to the
        feedback table with their audit row (``summary``: the file, its sha256, lines read and
        skipped) in one transaction; how many were new, or None if this plugin keeps no audit
        log for this state folder. Raise ``ScreenerError`` to say it could not be recorded."""

    @hookspec
    def asset_changed(self, settings: Settings, bank: Any, asset: Any,
                      path: Any | None) -> None:
        """An asset was added (``path``: its picture) or retired from the command line."""

    @hookspec
    def sources_changed(self, settings: Settings, action: str, event_ids: list[int]) -> None:
        """Sources were added to (``action`` ``add``) or retired from (``retire``) the bank of
        source texts (``settings.sources_database_url``) from the command line (``sources``,
        ``archive import``); ``event_ids`` are the bank's events that record who, when and
        why. Raise ``ScreenerError`` to say they could not be recorded."""

    @hookspec(firstresult=True)
    def archive_source(self, name: str, settings: Settings) -> Iterator[Any] | None:
        """Posts (``rescreen.archive.Post``, or the ``InputError`` that stopped one) of the
        archive source ``name`` (``service``: the review service's published drafts), or None
        if this plugin does not provide it."""

    @hookspec
    def rescreen_finished(self, settings: Settings, summary: dict[str, Any]) -> dict[str, Any]:
        """A re-screening stored its reports; returns keys to add to its summary (an optional
        ``notes`` list of lines is printed, not added)."""


@lru_cache(maxsize=1)
def manager() -> pluggy.PluginManager:
    """The process's plugin manager, with every installed plugin loaded."""
    pm = pluggy.PluginManager(GROUP)
    pm.add_hookspecs(Specs)
    pm.load_setuptools_entrypoints(GROUP)
    return pm


def hooks() -> Any:
    return manager().hook
