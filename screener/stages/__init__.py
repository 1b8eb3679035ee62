"""All stages, registered in one place, in the order they run.

A stage is a factory ``(resources) -> Stage``. Built-in stages register themselves exactly as an
extension would (``@register("name")``); ``STAGE_ORDER`` fixes the order data flows through them.
"""

from __future__ import annotations

from collections.abc import Callable

from .base import Context, Resources, Stage

StageFactory = Callable[[Resources], Stage]
_REGISTRY: dict[str, StageFactory] = {}

STAGE_ORDER = ("terms", "hidden", "personal", "classify", "contacts", "images")


def register(name: str) -> Callable[[StageFactory], StageFactory]:
    def decorate(factory: StageFactory) -> StageFactory:
        if name in _REGISTRY:
            raise ValueError(f"stage {name!r} registered twice")
        _REGISTRY[name] = factory
        return factory

    return decorate


def registered() -> dict[str, StageFactory]:
    _load_builtin()
    return dict(_REGISTRY)


def build_stages(resources: Resources, names: tuple[str, ...] | None = None) -> list[Stage]:
    available = registered()
    order = names or tuple(n for n in STAGE_ORDER if n in available)
    unknown = [n for n in order if n not in available]
    if unknown:
        raise KeyError(f"unknown stage(s): {', '.join(unknown)}; known: {', '.join(available)}")
    return [available[name](resources) for name in order]


def _load_builtin() -> None:
    from . import (  # noqa: F401  (registration happens on import)
        classify,
        contacts,
        hidden,
        images,
        personal,
        terms,
    )


__all__ = ["STAGE_ORDER", "Context", "Resources", "Stage", "build_stages", "register",
           "registered"]
