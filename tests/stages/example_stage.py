"""An example stage, written as an extension would be: a module that registers its stage when it
is imported. README "Writing a stage" walks through it.

It flags a draft that piles up advertising hooks (three or more different commercial terms), a
pattern no single term shows. It needs the term stage's hits rather than matching again, and
provides its count, so that a later stage could build on it.
"""

from __future__ import annotations

from collections.abc import Iterator

from screener.findings import make_finding
from screener.model import Finding
from screener.stages import LEXICON_HITS, Context, Key, Resources, register

NAME = "advert_hooks"
HOOKS: Key[int] = Key("advert_hooks", "how many different commercial terms the draft holds")


@register(NAME)
class AdvertHooks:
    name = NAME
    needs = (LEXICON_HITS,)
    provides = (HOOKS,)

    def __init__(self, resources: Resources) -> None:
        self.limit = 3  # a setting of the extension would go here (resources.settings)

    def __call__(self, context: Context) -> Iterator[Finding]:
        terms = sorted({hit.term for hit in context[LEXICON_HITS]
                        if hit.category == "commercial"})
        context.provide(HOOKS, len(terms))
        if len(terms) >= self.limit:
            yield make_finding("commercial", stage=self.name,
                               explanation=f"{len(terms)} different advertising hooks in one "
                                           f"draft ({'、'.join(terms)}): check it is permitted")
