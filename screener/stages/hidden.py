"""The hidden-character stage: control, bidi and invisible characters in the title and body."""

from __future__ import annotations

from ..details.hidden import hidden_runs
from ..findings import make_finding
from ..model import Finding
from .base import Context, Resources
from .registry import register

CATEGORY = "hidden_text"


@register("hidden")
class HiddenStage:
    name = "hidden"

    def __init__(self, resources: Resources) -> None:
        pass

    def __call__(self, context: Context) -> list[Finding]:
        return [make_finding(CATEGORY, stage=self.name, field=field, start=run.start,
                             end=run.end, text=run.chars, explanation=run.explanation(),
                             detail=run.detail())
                for field, text in context.text_fields() for run in hidden_runs(text)]
