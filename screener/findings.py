"""The one way to make a Finding: name its category, and the policy table fills in the rest.

Every stage, built in or an extension, makes its findings here, so the article a finding cites
and its severity come from ``policy.POLICY`` and nowhere else:

* ``make_finding(category, stage=..., field=..., explanation=...)``: severity and article from
  the table; a stage passes ``severity`` only when it decides it itself (a classifier score at
  or above its block threshold), never the article;
* ``hit_finding(stage, field, hit, text)``: a lexicon hit, whose entry already carries the
  severity and article (the table's, unless its lexicon file overrides them);
* ``stage_error(stage, problem)``: what could not be checked, for a person to look at.

A category the table does not know is an error (``KeyError``): in a stage, the pipeline turns it
into a ``stage_error`` finding, so a typo fails closed instead of inventing an article.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .model import Evidence, Finding, Severity
from .policy import rule_for

if TYPE_CHECKING:
    from .lexicon import Hit

DRAFT_FIELD = "draft"  # field of findings about the whole draft rather than a span


def make_finding(category: str, *, stage: str, explanation: str, field: str = DRAFT_FIELD,
                 start: int = 0, end: int = 0, text: str = "", term: str = "",
                 score: float = 1.0, severity: Severity | str | None = None,
                 evidence: tuple[Evidence, ...] = (), **extra: Any) -> Finding:
    """A finding of ``category``, citing the article the policy table gives it.

    ``start``/``end`` are offsets into the original text of ``field`` and ``text`` is what they
    cover (both 0 and empty for a finding about a whole draft or picture). ``extra`` goes to
    ``Finding`` as it is, for fields a stage adds beyond these.
    """
    rule = rule_for(category)
    return Finding(stage=stage, category=category, severity=severity or rule.severity,
                   field=field, start=start, end=end, text=text, term=term, score=score,
                   article=rule.article, explanation=explanation, evidence=evidence, **extra)


def hit_finding(stage: str, field: str, hit: Hit, text: str, explanation: str | None = None,
                **extra: Any) -> Finding:
    """A lexicon hit in ``text`` (the original text of ``field``, which the hit's offsets point
    into). Severity and article are the entry's: the policy table's unless its lexicon file
    sets its own; a hit that rests on pinyin, sound or shape alone is at most ``review``
    (``Hit.severity``)."""
    entry = hit.entry
    if explanation is None:
        explanation = hit.explanation()
    if extra:
        return Finding(stage=stage, category=entry.category, severity=hit.severity,
                       field=field, start=hit.start, end=hit.end, text=text[hit.start:hit.end],
                       term=entry.term, score=1.0, article=entry.article,
                       explanation=explanation, **extra)
    # The term stage's inner loop (100,000 findings on a long text): a call without ``**``.
    return Finding(stage=stage, category=entry.category, severity=hit.severity, field=field,
                   start=hit.start, end=hit.end, text=text[hit.start:hit.end], term=entry.term,
                   score=1.0, article=entry.article, explanation=explanation)


def stage_error(stage: str, problem: str, field: str = DRAFT_FIELD, *,
                explanation: str | None = None, **extra: Any) -> Finding:
    """Something ``stage`` could not check (fail closed): a review finding naming the problem."""
    return make_finding(
        "stage_error", stage=stage, field=field, score=0.0,
        explanation=explanation or (f"stage {stage!r} could not finish: {problem}; "
                                    "the draft needs a person's review"), **extra)


__all__ = ["DRAFT_FIELD", "hit_finding", "make_finding", "stage_error"]
