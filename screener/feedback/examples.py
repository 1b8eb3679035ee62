"""Feedback as training examples: one labelled text per distinct title and body.

Every row about a classifier class says something about its text: ``confirmed`` or ``missed``
makes it a positive of that class, ``false_alarm`` a negative, an imported ``none`` a negative
of every class. A later row overrides an earlier one about the same class. A text a person
reviewed is negative for every class nobody confirmed or reported missing (they would have
said so). Rows about other categories (illegal, unhealthy: lexicon matters, no classifier of
ours) make no example by themselves.

Each text falls, by its hash, into the training slice or the held-out slice (``holdout``
percent of texts): held-out feedback is never trained on and is scored next to the shipped
held-out data when a candidate is compared with the model in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..classify.model import CLASSES

HELDOUT, TRAIN = "heldout", "train"


@dataclass(frozen=True)
class Example:
    text_hash: str
    title: str
    body: str
    labels: tuple[str, ...]  # the classes it is a positive of
    split: str  # train / heldout
    rows: int  # feedback rows behind it
    origins: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"feedback:{self.text_hash[:16]}"


def split_of(text_hash: str, holdout_percent: int) -> str:
    return HELDOUT if int(text_hash[:8], 16) % 100 < holdout_percent else TRAIN


def examples(rows: list[dict[str, Any]], holdout_percent: int) -> list[Example]:
    """The labelled texts behind ``rows`` (oldest first), in text-hash order, so that the same
    feedback gives the same training set however it was recorded."""
    by_text: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_text.setdefault(row["text_hash"], []).append(row)
    made = []
    for digest in sorted(by_text):
        group = by_text[digest]
        state: dict[str, bool] = {}
        informative = False
        for row in group:
            category, judgement = row["category"], row["judgement"]
            if category in CLASSES:
                state[category] = judgement in ("confirmed", "missed")
                informative = True
            elif category == "none":
                state = dict.fromkeys(CLASSES, False)
                informative = True
        if not informative:
            continue
        first = group[0]
        made.append(Example(digest, first["title"], first["body"],
                            tuple(c for c in CLASSES if state.get(c)),
                            split_of(digest, holdout_percent), len(group),
                            tuple(sorted({r["origin"] for r in group}))))
    return made
