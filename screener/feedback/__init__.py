"""Reviewers' feedback: every judgement on a finding, every reported miss, every imported label.

``store``: the table (core-owned, in the service's database) and how rows are added and read;
``rows``: sign-offs, misses and import files as rows; ``examples``: the rows as labelled texts
for training, split into a training and a held-out slice by a hash of the text.
"""

from __future__ import annotations

from .examples import HELDOUT, TRAIN, Example, examples, split_of
from .rows import BadLine, ImportFile, missed_row, read_import, signoff_rows
from .store import (
    CATEGORIES,
    JUDGEMENTS,
    LABELS,
    FeedbackStore,
    add_rows,
    feedback_table,
    migrate,
    store_for,
    text_hash,
)

__all__ = ["CATEGORIES", "HELDOUT", "JUDGEMENTS", "LABELS", "TRAIN", "BadLine", "Example",
           "FeedbackStore", "ImportFile", "add_rows", "examples", "feedback_table", "migrate",
           "missed_row", "read_import", "signoff_rows", "split_of", "store_for", "text_hash"]
