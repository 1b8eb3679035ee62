"""The review service as a ``screener`` plugin (entry point group ``screener``).

The core calls these hooks (``screener.plugins``); the service's modules are imported inside
them so that ``screener screen`` does not load the web stack.
"""

from __future__ import annotations

from typing import Any

from screener.errors import ScreenerError
from screener.plugins import hookimpl


@hookimpl
def register_commands(app: Any) -> None:
    from .cli import register

    register(app)


@hookimpl
def lexicon_changed(settings: Any, change: Any) -> None:
    from .usecases.lexicon import record_cli_change

    record_cli_change(settings, change)


@hookimpl
def change_model(settings: Any, make: Any) -> Any:
    from .usecases.models import cli_change

    return cli_change(settings, make)


@hookimpl
def import_feedback(settings: Any, rows: list[dict[str, Any]],
                    summary: dict[str, Any]) -> int | None:
    from .usecases.feedback import import_from_cli

    return import_from_cli(settings, rows, summary)


@hookimpl
def asset_changed(settings: Any, bank: Any, asset: Any, path: Any) -> None:
    from .usecases.assets import record_cli_change

    record_cli_change(settings, bank, asset, path)


@hookimpl
def sources_changed(settings: Any, action: str, event_ids: list[int]) -> None:
    from .usecases.sources import record_cli_change

    record_cli_change(settings, action, event_ids)


@hookimpl
def archive_source(name: str, settings: Any) -> Any:
    if name != "service":
        return None
    from .archive_source import service_posts

    return service_posts(settings)


@hookimpl
def rescreen_finished(settings: Any, summary: dict[str, Any]) -> dict[str, Any]:
    """Newly flagged posts of registered accounts go to their responsible person's queue when
    this state folder has a service database."""
    from .usecases.rechecks import queue_from_rescreen

    try:
        queued = queue_from_rescreen(settings, summary)
    except ScreenerError as exc:
        raise ScreenerError(f"需要重新审核的推文未能排入审核队列：{exc}") from None
    if queued is None:
        return {"rechecks_queued": None, "rechecks_already_queued": 0,
                "rechecks_unregistered": 0}
    return {"rechecks_queued": queued["queued"],
            "rechecks_already_queued": queued["already_queued"],
            "rechecks_unregistered": queued["unregistered"],
            "notes": [f"已作为已发布推文排入审核队列：新排入 {queued['queued']:,} 篇，"
                      f"已在队列中 {queued['already_queued']:,} 篇，"
                      f"{queued['unregistered']:,} 篇所属账号未在服务中登记"]}
