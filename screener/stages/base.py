"""The contract every stage keeps: what it is given (``Resources``, ``Context``), what it declares
(``needs``, ``uses``, ``provides``: ``Key``s) and what it returns (findings).

A stage hands a value to later stages by providing it under a ``Key``; a later stage reads it
with ``context[KEY]`` (declared in ``needs``: the pipeline guarantees it is there) or
``context.get(KEY)`` (declared in ``uses``: ``None`` when no earlier stage provided it, because
the providing stage was not chosen for this run or could not finish). A value counts as
provided only once its stage finished without error: a failed stage's values are dropped with
its findings, so no later stage builds on half a result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, Protocol, TypeVar

from ..classify.judge import Classifier
from ..classify.registry import BUNDLE, ModelRef, bundle_version
from ..errors import StageContractError
from ..lexicon import CompiledLexicon, TermMatcher
from ..model import TEXT_FIELDS, Draft, Finding, PictureText
from ..normalize import NormalizedText, Normalizer
from ..settings import Settings

T = TypeVar("T")


@dataclass(frozen=True)
class Key(Generic[T]):
    """The name of a value one stage provides to later ones, typed by what the value is."""

    name: str
    meaning: str = ""

    def __repr__(self) -> str:
        return f"Key({self.name!r})"


# The built-in stages' values.
LEXICON_HITS: Key[tuple[Finding, ...]] = Key(
    "lexicon_hits", "the term stage's findings: every lexicon hit in the title and body")
CLASS_SCORES: Key[Mapping[str, float]] = Key(
    "class_scores", "the classifier's score of the draft's text, per class")


PICTURE_TEXT: Key[tuple[PictureText, ...]] = Key(
    "picture_text", "the text the images stage read in each picture (OCR), frame by frame")


@dataclass(frozen=True)
class Resources:
    """Everything a screening reads and nothing it writes. A process swaps the whole bundle at
    once when the lexicon or the model in force changes, so a screening in flight always sees
    one consistent version of each.

    ``classifier`` is shared by every stage that scores text; its model is loaded on first use,
    so commands that never score do not pay for it."""

    settings: Settings
    normalizer: Normalizer
    lexicon: CompiledLexicon
    matcher: TermMatcher
    model: ModelRef | None = None  # the classifier bundle in force; None: the shipped one

    @cached_property
    def model_version(self) -> str:
        return self.model.version if self.model else bundle_version(
            self.settings.model_dir / BUNDLE)

    @cached_property
    def classifier(self) -> Classifier:
        return Classifier(self.settings, self.matcher, self.model)


class Stage(Protocol):
    """A stage looks at the context and returns new findings; it never changes earlier ones.

    ``needs``: keys an earlier stage must have provided, or this one cannot run (building a
    pipeline without a provider is an error; a provider that failed makes this stage a
    ``stage_error``). ``uses``: keys read when present. ``provides``: keys this stage provides,
    every one of them, each time it finishes. All three default to none.
    """

    name: str
    needs: tuple[Key[Any], ...]
    uses: tuple[Key[Any], ...]
    provides: tuple[Key[Any], ...]

    def __call__(self, context: Context) -> Iterable[Finding]: ...


def declared(stage: object, which: str) -> tuple[Key[Any], ...]:
    """A stage's ``needs``, ``uses`` or ``provides``; none when it does not declare them."""
    keys = tuple(getattr(stage, which, ()))
    for key in keys:
        if not isinstance(key, Key):
            raise StageContractError(f"stage {getattr(stage, 'name', stage)!r}: {which} must "
                                     f"hold Key objects, not {key!r}")
    return keys


@dataclass
class Context:
    """One draft on its way through the stages. Normalized fields are computed once, on demand."""

    draft: Draft
    resources: Resources
    findings: tuple[Finding, ...] = ()
    _provided: dict[str, Any] = field(default_factory=dict, repr=False)
    _pending: dict[str, Any] = field(default_factory=dict, repr=False)
    _running: str = field(default="", repr=False)
    _may_provide: frozenset[str] = field(default=frozenset(), repr=False)
    _normalized: dict[str, NormalizedText] = field(default_factory=dict, repr=False)

    def text_fields(self) -> list[tuple[str, str]]:
        texts = [(name, self.draft.text_of(name)) for name in TEXT_FIELDS]
        return [(name, text) for name, text in texts if text]

    def normalized(self, field_name: str) -> NormalizedText:
        if field_name not in self._normalized:
            text = self.draft.text_of(field_name)
            self._normalized[field_name] = self.resources.normalizer(text)
        return self._normalized[field_name]

    # -- values stages hand on --------------------------------------------------------------
    def provide(self, key: Key[T], value: T) -> None:
        """Hand ``value`` to later stages; it counts once this stage has finished cleanly."""
        if self._running and key.name not in self._may_provide:
            raise StageContractError(f"stage {self._running!r} provided {key.name!r}, which it "
                                     "does not declare in provides")
        self._pending[key.name] = value

    def get(self, key: Key[T]) -> T | None:
        """What an earlier stage provided under ``key``, or None if none did."""
        return self._provided.get(key.name)

    def __getitem__(self, key: Key[T]) -> T:
        try:
            return self._provided[key.name]
        except KeyError:
            raise StageContractError(f"{key.name!r} was not provided by an earlier stage; "
                                     "declare it in needs to be sure it is") from None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, Key) and key.name in self._provided

    # -- for the pipeline -------------------------------------------------------------------
    def begin(self, stage: object) -> None:
        self._running = str(getattr(stage, "name", ""))
        self._may_provide = frozenset(key.name for key in declared(stage, "provides"))
        self._pending = {}

    def finish(self, ok: bool) -> str | None:
        """Keep the running stage's values if it finished cleanly; why not, if it broke its
        declaration (a key it promised but did not provide)."""
        pending, self._pending, self._running = self._pending, {}, ""
        if not ok:
            return None
        missing = sorted(self._may_provide - pending.keys())
        if missing:
            return f"declared {', '.join(map(repr, missing))} in provides but did not provide it"
        self._provided.update(pending)
        return None
