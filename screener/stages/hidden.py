"""The hidden-character stage: control, bidi and invisible characters in the title and body."""

from __future__ import annotations

from ..details.hidden import hidden_runs
from ..model import Finding
from ..policy import rule_for
from . import register
from .base import Context, Resources

CATEGORY = "hidden_text"


class HiddenStage:
    name = "hidden"

    def __init__(self, resources: Resources) -> None:
        self.rule = rule_for(CATEGORY)

    def __call__(self, context: Context) -> list[Finding]:
        return [Finding(stage=self.name, category=CATEGORY, severity=self.rule.severity,
                        field=field, start=run.start, end=run.end, text=run.chars, term="",
                        score=1.0, article=self.rule.article, explanation=run.explanation())
                for field, text in context.text_fields() for run in hidden_runs(text)]


register("hidden")(HiddenStage)
