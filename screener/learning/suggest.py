"""Lexicon suggestions from reviewers' feedback. Nothing here changes the lexicon: a maintainer
tries a suggestion (``screener lexicon test``) and publishes it (``lexicon add`` / ``retire``).

* Terms to add: character n-grams (2-8 characters, Chinese, Latin letters and digits) that recur
  in the commercial or illegal content reviewers reported MISSED (the phrase they gave, else the
  whole text), that the lexicon in force does not already match in that category. Of n-grams
  found in exactly the same missed texts, only the longest is kept (the others say nothing
  more). Each comes with how many missed texts hold it, how many texts reviewers dismissed as
  false alarms hold it, and its false-alarm rate on the clean reference corpus.
* Terms reviewers dismiss: lexicon terms whose hits were judged false alarms most often, with
  the share of their judged hits that were dismissed and their rate on the clean corpus.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass

from ..feedback import store_for
from ..lexicon import current_entries, make_entry
from ..lexicon.clean import RATE_LIMIT, clean_corpus, term_rates
from ..lexicon.trial import try_terms
from ..pipeline import build_resources
from ..settings import Settings

SUGGESTED_FROM = ("commercial", "illegal")
MIN_N, MAX_N = 2, 8
_RUN = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Addition:
    term: str
    category: str
    missed: int  # missed texts of this category holding it
    dismissed: int  # texts reviewers judged false alarms (this category) holding it
    clean_hits: int
    clean_texts: int

    @property
    def clean_rate(self) -> float:
        return self.clean_hits / self.clean_texts if self.clean_texts else 0.0


@dataclass(frozen=True)
class Dismissal:
    term: str
    category: str
    dismissed: int  # texts where a reviewer judged its hit a false alarm
    confirmed: int  # texts where a reviewer confirmed it
    clean_hits: int
    clean_texts: int

    @property
    def dismissal_rate(self) -> float:
        judged = self.dismissed + self.confirmed
        return self.dismissed / judged if judged else 0.0

    @property
    def clean_rate(self) -> float:
        return self.clean_hits / self.clean_texts if self.clean_texts else 0.0


@dataclass(frozen=True)
class Suggestions:
    additions: tuple[Addition, ...]
    dismissals: tuple[Dismissal, ...]
    missed_texts: dict[str, int]
    clean_description: str

    def to_json(self) -> dict:
        return {"add": [asdict(a) | {"clean_rate": round(a.clean_rate, 5)}
                        for a in self.additions],
                "dismissed": [asdict(d) | {"dismissal_rate": round(d.dismissal_rate, 4),
                                           "clean_rate": round(d.clean_rate, 5)}
                              for d in self.dismissals],
                "missed_texts": self.missed_texts, "clean_corpus": self.clean_description,
                "clean_rate_limit": RATE_LIMIT}


def ngrams(text: str) -> set[str]:
    found = set()
    for run in _RUN.findall(text):
        for n in range(MIN_N, min(MAX_N, len(run)) + 1):
            for start in range(len(run) - n + 1):
                gram = run[start:start + n]
                if gram.isdigit() or (gram.isascii() and len(gram) < 4):
                    continue  # numbers are someone's phone; short Latin runs are everywhere
                found.add(gram)
    return found


def _closed(counts: dict[str, set[str]]) -> dict[str, set[str]]:
    """Drop an n-gram when a longer one is found in exactly the same texts."""
    by_texts: dict[frozenset[str], list[str]] = defaultdict(list)
    for gram, texts in counts.items():
        by_texts[frozenset(texts)].append(gram)
    kept = {}
    for texts, grams in by_texts.items():
        for gram in grams:
            if not any(len(other) > len(gram) and gram in other for other in grams):
                kept[gram] = set(texts)
    return kept


def suggest(settings: Settings, *, min_count: int = 2, limit: int = 20,
            corpus=None) -> Suggestions:
    rows = store_for(settings).rows()
    resources = build_resources(settings)
    normalizer, matcher = resources.normalizer, resources.matcher
    missed: dict[str, dict[str, set[str]]] = {c: defaultdict(set) for c in SUGGESTED_FROM}
    missed_texts: dict[str, set[str]] = {c: set() for c in SUGGESTED_FROM}
    dismissed_texts: dict[str, dict[str, str]] = {c: {} for c in SUGGESTED_FROM}
    for row in rows:
        category = row["category"]
        if category not in SUGGESTED_FROM:
            continue
        if row["judgement"] == "missed":
            text = row["span"] or f"{row['title']}\n{row['body']}"
            missed_texts[category].add(row["text_hash"])
            for gram in ngrams(text):
                missed[category][gram].add(row["text_hash"])
        elif row["judgement"] == "false_alarm":
            dismissed_texts[category][row["text_hash"]] = f"{row['title']}\n{row['body']}"
    picked: list[tuple[str, str, int, int]] = []
    for category in SUGGESTED_FROM:
        frequent = {g: t for g, t in missed[category].items() if len(t) >= min_count}
        closed = _closed(frequent)
        ranked = sorted(closed.items(), key=lambda item: (-len(item[1]), -len(item[0]),
                                                          item[0]))
        chosen = 0
        for gram, texts in ranked:
            if chosen >= limit * 3:
                break
            if any(h.entry.category == category for h in matcher.find(normalizer(gram))):
                continue  # the lexicon in force already matches it here
            dismissed = sum(gram in text for text in dismissed_texts[category].values())
            picked.append((gram, category, len(texts), dismissed))
            chosen += 1
    clean = clean_corpus(settings, corpus)
    allow = [e for e in current_entries(settings) if e.is_allow]
    hit_texts: dict[tuple[str, str], set[str]] = defaultdict(set)
    if picked:
        candidates = [make_entry(g, c, source="suggested") for g, c, _, _ in picked]
        for hit in try_terms(candidates, allow, settings, clean).hits:
            hit_texts[hit.term].add(hit.source)
    additions = [Addition(g, c, n, d, len(hit_texts.get(g, ())), len(clean))
                 for g, c, n, d in picked]
    additions.sort(key=lambda a: (a.clean_rate > RATE_LIMIT, -a.missed, a.dismissed,
                                  a.clean_rate, -len(a.term), a.term))
    kept: list[Addition] = []
    per_category: dict[str, int] = defaultdict(int)
    for a in additions:
        if per_category[a.category] < limit:
            kept.append(a)
            per_category[a.category] += 1
    return Suggestions(tuple(kept), _dismissals(rows, settings, clean, min_count, limit),
                       {c: len(t) for c, t in missed_texts.items()}, clean.description)


def _dismissals(rows, settings: Settings, clean, min_count: int, limit: int
                ) -> tuple[Dismissal, ...]:
    judged: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(
        lambda: {"false_alarm": set(), "confirmed": set()})
    for row in rows:
        if row["stage"] == "terms" and row["term"] and row["judgement"] in ("false_alarm",
                                                                            "confirmed"):
            judged[(row["term"], row["category"])][row["judgement"]].add(row["text_hash"])
    frequent = {k: v for k, v in judged.items() if len(v["false_alarm"]) >= min_count}
    if not frequent:
        return ()
    entries = [e for e in current_entries(settings)
               if (e.term, e.category) in frequent and not e.is_allow]
    rates = {(r.term, r.category): r for r in term_rates(entries, settings, clean)}
    found = []
    for (term, category), texts in frequent.items():
        rate = rates.get((term, category))
        found.append(Dismissal(term, category, len(texts["false_alarm"]),
                               len(texts["confirmed"]), rate.texts_hit if rate else 0,
                               len(clean)))
    found.sort(key=lambda d: (-d.dismissed, -d.dismissal_rate, d.term))
    return tuple(found[:limit])
