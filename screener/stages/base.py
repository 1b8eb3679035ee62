"""The one interface every stage implements, and what a stage gets to look at."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from ..lexicon import CompiledLexicon, TermMatcher
from ..model import TEXT_FIELDS, Draft, Finding
from ..normalize import NormalizedText, Normalizer
from ..settings import Settings


@dataclass(frozen=True)
class Resources:
    """Everything a screening reads and nothing it writes. A process swaps the whole bundle at
    once when the lexicon changes, so a screening in flight always sees one consistent version."""

    settings: Settings
    normalizer: Normalizer
    lexicon: CompiledLexicon
    matcher: TermMatcher


@dataclass
class Context:
    """One draft on its way through the stages. Normalized fields are computed once, on demand."""

    draft: Draft
    resources: Resources
    findings: tuple[Finding, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)
    # Stages that finished without error, so a later stage may rely on their findings.
    stages_run: set[str] = field(default_factory=set)
    _normalized: dict[str, NormalizedText] = field(default_factory=dict)

    def text_fields(self) -> list[tuple[str, str]]:
        texts = [(name, self.draft.text_of(name)) for name in TEXT_FIELDS]
        return [(name, text) for name, text in texts if text]

    def normalized(self, field_name: str) -> NormalizedText:
        if field_name not in self._normalized:
            text = self.draft.text_of(field_name)
            self._normalized[field_name] = self.resources.normalizer(text)
        return self._normalized[field_name]


class Stage(Protocol):
    """A stage looks at the context and returns new findings; it never changes earlier ones."""

    name: str

    def __call__(self, context: Context) -> Iterable[Finding]: ...
