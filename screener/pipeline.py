"""Running a draft through the stages and turning the findings into a report.

The pipeline fails closed: a stage that raises, returns something that is not a valid finding,
or does not keep its declaration (a key it ``provides`` but did not), yields a ``stage_error``
finding with a ``review`` verdict, and what it provided is dropped; a stage whose ``needs`` an
earlier stage could not provide does not run and yields a ``stage_error`` too. It never crashes
and never passes a draft that a stage could not finish.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Iterable

from .classify import registry_for
from .errors import ScreenerError
from .findings import hit_finding, stage_error
from .lexicon import TermMatcher, load_lexicon, open_store
from .model import Draft, Finding, Report
from .normalize import Normalizer, load_tables
from .policy import ACCOUNT_NAME_ONLY, verdict_of
from .settings import Settings, default_settings
from .stages import CLASS_SCORES, Context, Resources, Stage, build_stages
from .stages.base import declared

_log = logging.getLogger(__name__)


def freeze_long_lived() -> None:
    """Move everything allocated so far out of the cyclic garbage collector's way.

    A loaded lexicon is hundreds of thousands of long-lived objects; without this, every full
    collection walks them again while a long text allocates its findings (measured: a fifth of
    the term stage's time on a 5 MB text). For processes that load once and then screen.
    """
    gc.collect()
    gc.freeze()


def build_resources(settings: Settings) -> Resources:
    normalizer = Normalizer(load_tables(settings.cache_dir))
    lexicon = load_lexicon(settings, normalizer)
    matcher = TermMatcher(lexicon, boundary_window=settings.boundary_window,
                          cache_dir=settings.cache_dir)
    return Resources(settings, normalizer, lexicon, matcher, registry_for(settings).in_force())


def _check(finding: object, draft: Draft) -> str | None:
    """Why a stage's output is not a valid finding for this draft, or None if it is."""
    if not isinstance(finding, Finding):
        return f"returned {type(finding).__name__}, not a Finding"
    if finding.field in ("title", "body"):
        original = draft.text_of(finding.field)
        if finding.end > len(original) or original[finding.start:finding.end] != finding.text:
            return f"finding span {finding.start}..{finding.end} does not match the {finding.field}"
    return None


def _store_stamp(settings: Settings) -> tuple[int, str, int]:
    """What changes when a maintainer publishes a lexicon change or promotes (or rolls back) a
    model: one indexed query each, no terms or weights read."""
    latest = open_store(settings).latest()
    models = registry_for(settings).stamp()
    return (latest.seq, latest.chain, models) if latest else (0, "", models)


class Screener:
    """Screens drafts with one consistent set of resources (lexicon, tables, stages).

    A long-running process keeps one Screener; when a screening starts it checks the lexicon
    store and the model registry (in a background thread, at most every
    ``lexicon_check_seconds``) and, when a new lexicon version was published or another model
    promoted, builds the new resources and swaps the whole bundle in under a lock. A screening
    takes its snapshot once, so screenings in flight finish on the old versions and none ever
    sees a half-built one; each report names the lexicon and model versions it used.
    """

    def __init__(self, settings: Settings | None = None, *,
                 stages: tuple[str, ...] | None = None) -> None:
        self.settings = settings or default_settings()
        self._stage_names = stages
        self._lock = threading.Lock()  # guards the (resources, stages) pair
        self._reload_lock = threading.Lock()  # one rebuild at a time
        # Read before building: a change published during the build is seen at the next check.
        self._stamp = _store_stamp(self.settings)
        self._resources = build_resources(self.settings)
        self._stages = build_stages(self._resources, stages)
        self._next_check = time.monotonic() + self.settings.lexicon_check_seconds

    @property
    def resources(self) -> Resources:
        return self._resources

    @property
    def lexicon_version(self) -> str:
        return self._resources.lexicon.version

    @property
    def model_version(self) -> str:
        return self._resources.model_version

    def _rebuild(self) -> str:
        stamp = _store_stamp(self.settings)
        resources = build_resources(self.settings)
        stages = build_stages(resources, self._stage_names)
        with self._lock:
            self._resources, self._stages = resources, stages
            self._stamp = stamp
        return resources.lexicon.version

    def reload(self) -> str:
        """Rebuild resources from the current lexicon and model and swap them in atomically."""
        with self._reload_lock:
            return self._rebuild()

    def refresh(self) -> bool:
        """Swap in the newest lexicon and model if the store or the registry has moved on; True
        if it did.

        Non-blocking: if another thread is already rebuilding, this one screens on the current
        version instead of waiting.
        """
        if not self._reload_lock.acquire(blocking=False):
            return False
        try:
            if _store_stamp(self.settings) == self._stamp:
                return False
            self._rebuild()
            return True
        finally:
            self._reload_lock.release()

    def _refresh_quietly(self) -> None:
        try:
            self.refresh()
        except ScreenerError as exc:
            # The version in force stays valid; a store that cannot be read must not stop
            # screening (the next check tries again).
            _log.warning("lexicon reload failed, keeping %s: %s", self.lexicon_version, exc)

    def _maybe_refresh(self) -> None:
        """Check for a new version in the background: compiling a big lexicon that is not yet
        cached takes seconds, and no screening should wait for it."""
        now = time.monotonic()
        if now < self._next_check or self._reload_lock.locked():
            return
        self._next_check = now + self.settings.lexicon_check_seconds
        threading.Thread(target=self._refresh_quietly, name="lexicon-reload",
                         daemon=True).start()

    def screen(self, draft: Draft) -> Report:
        self._maybe_refresh()
        with self._lock:  # take one consistent snapshot; screening itself runs unlocked
            resources, stages = self._resources, self._stages
        return run(draft, resources, stages)

    def screen_account_name(self, name: str) -> list[Finding]:
        """Protected names (第二条) in an account's name: they matter there, not in posts."""
        normalized = self._resources.normalizer(name)
        return [hit_finding("account_name", "account", h, name)
                for h in self._resources.matcher.find(normalized)
                if h.entry.category in ACCOUNT_NAME_ONLY]


def _run_one(stage: Stage, context: Context) -> list[Finding]:
    """The stage's findings, or one ``stage_error`` finding saying why there are none."""
    missing = [key.name for key in declared(stage, "needs") if key not in context]
    if missing:
        return [stage_error(stage.name, f"it needs {', '.join(map(repr, missing))}, which an "
                                        "earlier stage could not provide")]
    context.begin(stage)
    try:
        produced = list(stage(context))
    except Exception as exc:  # noqa: BLE001  (fail closed on anything a stage raises)
        context.finish(ok=False)
        return [stage_error(stage.name, f"{type(exc).__name__}: {exc}")]
    problem = next((p for p in (_check(f, context.draft) for f in produced) if p), None)
    problem = context.finish(ok=problem is None) or problem
    return [stage_error(stage.name, problem)] if problem else produced


def run(draft: Draft, resources: Resources, stages: Iterable[Stage]) -> Report:
    """Run ``stages`` in the order given (``build_stages`` orders them) on ``draft``."""
    context = Context(draft, resources)
    timings: dict[str, float] = {}
    for stage in stages:
        began = time.perf_counter()
        context.findings = context.findings + tuple(_run_one(stage, context))
        timings[stage.name] = round((time.perf_counter() - began) * 1000, 3)
    return Report(
        draft_id=draft.id,
        verdict=verdict_of(context.findings),
        findings=context.findings,
        lexicon_version=resources.lexicon.version,
        model_version=resources.model_version,
        scores=context.get(CLASS_SCORES) or {},
        timings=timings,
    )
