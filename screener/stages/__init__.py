"""Stages: the steps a draft goes through, and how to add one.

A stage is a callable ``(context) -> findings`` with a ``name`` and three declarations of
``Key``s: what it ``needs`` (an earlier stage must provide it, or the run cannot be built),
what it ``uses`` (read when present) and what it ``provides``. It is registered once, with a
factory ``(resources) -> stage``::

    from screener.findings import make_finding
    from screener.stages import LEXICON_HITS, Context, Resources, register

    @register("hit_count")
    class HitCount:
        name = "hit_count"
        needs = (LEXICON_HITS,)

        def __init__(self, resources: Resources) -> None:
            self.limit = 10

        def __call__(self, context: Context):
            hits = context[LEXICON_HITS]  # the term stage's findings
            if len(hits) > self.limit:
                yield make_finding("commercial", stage=self.name,
                                   explanation=f"{len(hits)} lexicon hits in one draft")

``build_stages(resources)`` builds every registered stage (or the names given) and puts them in
an order that honours the declarations (``order_stages``); the pipeline (``screener.pipeline``)
runs them and fails closed around each one. Shared, read-only things (the normalizer, the
lexicon and its matcher, the classifier) come from ``Resources``; a stage never builds its own.
Findings come from ``screener.findings`` (``make_finding``), which takes the article and the
severity from the policy table. README "Writing a stage" says more.
"""

from __future__ import annotations

from .base import (
    CLASS_SCORES,
    LEXICON_HITS,
    PICTURE_TEXT,
    Context,
    Key,
    PictureText,
    Resources,
    Stage,
)
from .registry import (
    StageFactory,
    build_stages,
    order_stages,
    register,
    registered,
    unregister,
)

__all__ = ["CLASS_SCORES", "LEXICON_HITS", "PICTURE_TEXT", "Context", "Key", "PictureText",
           "Resources", "Stage",
           "StageFactory", "build_stages", "order_stages", "register", "registered",
           "unregister"]
