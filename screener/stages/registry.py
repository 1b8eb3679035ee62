"""Which stages exist (``register``) and the order they run in (``order_stages``).

The order follows from the stages' declarations: a stage runs after every stage that provides a
key it ``needs`` or ``uses``. Among stages free to run, the one listed first goes first (the
names asked for, or else the order of registration: the built-in terms, classify, images, then
extensions as they registered), so the same stages always run in the same order. A need that no
chosen stage provides, a key provided twice and a cycle are errors when the pipeline is built,
never a surprise on some draft.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

from ..errors import StageContractError
from .base import Resources, Stage, declared

StageFactory = Callable[[Resources], Stage]
_REGISTRY: dict[str, StageFactory] = {}


def register(name: str) -> Callable[[StageFactory], StageFactory]:
    """Add a stage: ``@register("name")`` on a factory ``(resources) -> Stage`` (a stage class
    whose ``__init__`` takes the resources is one). The stage it builds must be named ``name``."""
    def decorate(factory: StageFactory) -> StageFactory:
        if name in _REGISTRY:
            raise ValueError(f"stage {name!r} registered twice")
        _REGISTRY[name] = factory
        return factory

    return decorate


def unregister(name: str) -> None:
    """Remove a registered stage (an extension that is switched off, a test's example stage)."""
    _REGISTRY.pop(name, None)


def registered() -> dict[str, StageFactory]:
    """Every registered stage: the built-in ones in ``BUILT_IN`` order whatever order their
    modules happened to be imported in (a worker process may import them differently, and the
    order of the findings must not depend on it), then extensions as they registered."""
    _load_builtin()
    ordered = {name: _REGISTRY[name] for name in BUILT_IN if name in _REGISTRY}
    ordered.update(_REGISTRY)
    return ordered


def build_stages(resources: Resources, names: Sequence[str] | None = None) -> list[Stage]:
    """The stages ``names`` (default: every registered one), built and in running order."""
    available = registered()
    chosen = tuple(names) if names else tuple(available)
    unknown = [n for n in chosen if n not in available]
    if unknown:
        raise KeyError(f"unknown stage(s): {', '.join(unknown)}; known: {', '.join(available)}")
    stages = []
    for name in dict.fromkeys(chosen):
        stage = available[name](resources)
        if getattr(stage, "name", None) != name:
            raise StageContractError(f"stage registered as {name!r} is named "
                                     f"{getattr(stage, 'name', None)!r}")
        stages.append(stage)
    return order_stages(stages)


def order_stages(stages: Sequence[Stage]) -> list[Stage]:
    """``stages`` in an order where every stage runs after the providers of what it needs or
    uses; stable (the given order wherever the declarations leave a choice)."""
    providers: dict[str, Stage] = {}
    for stage in stages:
        for key in declared(stage, "provides"):
            if key.name in providers:
                raise StageContractError(f"{key.name!r} is provided by two stages: "
                                         f"{providers[key.name].name!r} and {stage.name!r}")
            providers[key.name] = stage
    after: dict[int, set[int]] = {}
    position = {id(stage): i for i, stage in enumerate(stages)}
    for stage in stages:
        earlier = set()
        for key in declared(stage, "needs"):
            if key.name not in providers:
                known = _known_providers(key.name)
                hint = (f"; add the stage {', '.join(map(repr, known))}" if known
                        else "; no registered stage provides it")
                raise StageContractError(f"stage {stage.name!r} needs {key.name!r}, which no "
                                         f"stage of this run provides{hint}")
            earlier.add(position[id(providers[key.name])])
        for key in declared(stage, "uses"):
            if key.name in providers:
                earlier.add(position[id(providers[key.name])])
        after[position[id(stage)]] = earlier
    ordered: list[int] = []
    placed: set[int] = set()
    while len(ordered) < len(stages):
        ready = next((i for i in range(len(stages))
                      if i not in placed and after[i] <= placed), None)
        if ready is None:
            stuck = [stages[i].name for i in range(len(stages)) if i not in placed]
            raise StageContractError(f"stages wait on each other in a cycle: "
                                     f"{', '.join(map(repr, stuck))} (each needs or uses a key "
                                     "another of them provides)")
        ordered.append(ready)
        placed.add(ready)
    return [stages[i] for i in ordered]


def _known_providers(key: str) -> list[str]:
    """Registered stages that would provide ``key`` (for the error message)."""
    names = []
    for name, factory in _REGISTRY.items():
        provides = getattr(factory, "provides", ())
        if any(getattr(k, "name", None) == key for k in provides):
            names.append(name)
    return names


# registered in this order
BUILT_IN = ("terms", "hidden", "personal", "classify", "contacts", "images", "sources",
            "platform")


def _load_builtin() -> None:
    # Imported when stages are first built, not with this module: the built-in stages import
    # OpenCV, PIL and the classifier's scoring (measured: 50 ms of a CLI start), which commands
    # that never screen do not need. Registration happens on import.
    for name in BUILT_IN:
        importlib.import_module(f"{__package__}.{name}")
