"""The user's overlay on the shipped lexicons, kept in the state folder.

A small JSON document: terms added, shipped terms removed, allow-list phrases. Writes go through a
temporary file and ``os.replace`` so that a crash never leaves a half-written overlay.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LexiconError
from .files import ALLOW, Entry, make_entry

FORMAT = 1


@dataclass(slots=True)
class Overlay:
    added: list[Entry] = field(default_factory=list)
    removed: set[str] = field(default_factory=set)

    def add(self, entry: Entry) -> bool:
        """Add or replace a term; returns False if nothing changed."""
        if entry in self.added and entry.term not in self.removed:
            return False
        key = (entry.term, entry.category)
        self.added = [e for e in self.added if (e.term, e.category) != key] + [entry]
        self.removed.discard(entry.term)
        return True

    def remove(self, term: str) -> None:
        self.added = [e for e in self.added if e.term != term or e.category == ALLOW]
        self.removed.add(term)

    def apply(self, shipped: list[Entry]) -> list[Entry]:
        kept = [e for e in shipped if e.term not in self.removed or e.category == ALLOW]
        keys = {(e.term, e.category) for e in self.added}
        kept = [e for e in kept if (e.term, e.category) not in keys]
        return kept + self.added


def load_overlay(path: Path) -> Overlay:
    if not path.exists():
        return Overlay()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise LexiconError(str(path), f"unknown overlay format {data.get('format')!r}")
        added = [make_entry(d["term"], d["category"], d.get("severity"), d.get("article"),
                            bool(d.get("boundary", False)), "overlay") for d in data["added"]]
        return Overlay(added, set(data.get("removed", [])))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LexiconError(str(path), f"cannot read the lexicon overlay: {exc}") from None


def save_overlay(path: Path, overlay: Overlay) -> None:
    data = {
        "format": FORMAT,
        "added": [
            {"term": e.term, "category": e.category, "severity": str(e.severity),
             "article": e.article, "boundary": e.boundary}
            for e in overlay.added
        ],
        "removed": sorted(overlay.removed),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise LexiconError(str(path), f"cannot write the lexicon overlay: {exc.strerror}") from None
