"""The one way to make a Finding: name its category, and the policy table fills in the rest.

Every stage, built in or an extension, makes its findings here, so the article a finding cites
and its severity come from ``policy.POLICY`` and nowhere else:

* ``make_finding(category, stage=..., field=..., explanation=...)``: severity and article from
  the table; a stage passes ``severity`` only when it decides it itself (a classifier score at
  or above its block threshold), never the article;
* ``hit_finding(stage, field, hit, text)``: a lexicon hit, whose entry already carries the
  severity and article (the table's, unless its lexicon file overrides them);
* ``stage_error(stage, problem)``: what could not be checked, for a person to look at.

Every finding says two things: ``explanation``, in Chinese for the person who signs (what was
found, which evasion was undone, then why it matters: the article and its own words, added here
from the policy table so that no stage words it differently), and ``detail``, the technical
account for programs and ``--explain`` (lexicon source and line, scores and thresholds, hash
distances, the exception a stage raised). A stage passes the first half of the explanation (what
it found) and the detail.

A category the table does not know is an error (``KeyError``): in a stage, the pipeline turns it
into a ``stage_error`` finding, so a typo fails closed instead of inventing an article.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .i18n import zh
from .labels import STAGE
from .model import Evidence, Finding, Severity
from .policy import ARTICLE_QUOTES, POLICY, rule_for

if TYPE_CHECKING:
    from .lexicon import Hit

DRAFT_FIELD = "draft"  # field of findings about the whole draft rather than a span


@lru_cache(maxsize=256)
def because(category: str, article: str) -> str:
    """Why a finding of ``category`` citing ``article`` matters, in the rule's words:
    ``依据第十一条（内容）：“未经许可不得从事商业经营活动”。``"""
    rule = POLICY.get(category)
    quote = rule.quote if rule is not None and rule.article == article \
        else ARTICLE_QUOTES.get(article)
    return f"依据{article}：“{quote}”。" if quote else f"依据{article}。"


def explained(what: str, category: str, article: str) -> str:
    """``what`` a stage found, as one sentence, followed by why it matters (``because``)."""
    what = what.rstrip("。；;.， ")
    return f"{what}。{because(category, article)}" if what else because(category, article)


def make_finding(category: str, *, stage: str, explanation: str, detail: str = "",
                 field: str = DRAFT_FIELD, start: int = 0, end: int = 0, text: str = "",
                 term: str = "", score: float = 1.0, severity: Severity | str | None = None,
                 evidence: tuple[Evidence, ...] = (), **extra: Any) -> Finding:
    """A finding of ``category``, citing the article the policy table gives it.

    ``explanation`` says in Chinese what was found (the article's words are added here);
    ``detail`` is the technical account. ``start``/``end`` are offsets into the original text
    of ``field`` and ``text`` is what they cover (both 0 and empty for a finding about a whole
    draft or picture). ``extra`` goes to ``Finding`` as it is, for fields a stage adds beyond
    these.
    """
    rule = rule_for(category)
    return Finding(stage=stage, category=category, severity=severity or rule.severity,
                   field=field, start=start, end=end, text=text, term=term, score=score,
                   article=rule.article, explanation=explained(explanation, category,
                                                               rule.article),
                   detail=detail, evidence=evidence, **extra)


def hit_finding(stage: str, field: str, hit: Hit, text: str, explanation: str | None = None,
                detail: str | None = None, **extra: Any) -> Finding:
    """A lexicon hit in ``text`` (the original text of ``field``, which the hit's offsets point
    into). Severity and article are the entry's: the policy table's unless its lexicon file
    sets its own; a hit that rests on pinyin, sound or shape alone is at most ``review``
    (``Hit.severity``)."""
    entry = hit.entry
    found = text[hit.start:hit.end]
    if explanation is None:
        explanation = hit.explanation(found)
    explanation = f"{explanation}。{because(entry.category, entry.article)}"
    if extra or detail is not None:
        return Finding(stage=stage, category=entry.category, severity=hit.severity,
                       field=field, start=hit.start, end=hit.end, text=found,
                       term=entry.term, score=1.0, article=entry.article,
                       explanation=explanation, detail=detail or hit.technical(), **extra)
    # The term stage's inner loop (100,000 findings on a long text): a call without ``**``.
    return Finding(stage=stage, category=entry.category, severity=hit.severity, field=field,
                   start=hit.start, end=hit.end, text=found, term=entry.term,
                   score=1.0, article=entry.article, explanation=explanation,
                   detail=hit.technical())


def stage_error(stage: str, problem: str, field: str = DRAFT_FIELD, *,
                explanation: str | None = None, **extra: Any) -> Finding:
    """Something ``stage`` could not check (fail closed): a review finding naming the problem
    (``problem``, technical, goes to ``detail``; ``explanation`` may say it for people)."""
    name = zh(STAGE[stage]) if stage in STAGE else stage
    return make_finding(
        "stage_error", stage=stage, field=field, score=0.0,
        explanation=explanation or f"“{name}”未能完成，这部分没有经过自动检查，须由人工审阅",
        detail=f"stage {stage!r} could not finish: {problem}", **extra)


__all__ = ["DRAFT_FIELD", "because", "explained", "hit_finding", "make_finding",
           "stage_error"]
