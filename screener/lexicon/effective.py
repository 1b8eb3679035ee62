"""The lexicon in force: the shipped files with the store's changes laid over them.

A process that only needs the current automaton takes the fast path: the newest change row names
the content hash it produced and the shipped files it was built on (``basis``); if the files are
still the same, the version string is known without reading a single term, and the compiled
cache for that version is loaded directly.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ..normalize import Normalizer
from ..settings import Settings
from .cache import compile_cached, load_cached
from .compiled import FORMAT_VERSION, CompiledLexicon, content_hash, format_version
from .files import Entry, load_lexicon_dir
from .store import Event, LexiconStore, apply_state, open_store


def base_entries(settings: Settings) -> list[Entry]:
    return [e for f in load_lexicon_dir(settings.lexicon_dir) for e in f.entries]


def basis(settings: Settings) -> str:
    """Digest of what the store's changes are laid over: the shipped files' bytes and the
    settings that change compiling. Cheap (a few small files), so it is checked on every load."""
    digest = hashlib.sha256(json.dumps([FORMAT_VERSION, settings.min_pinyin_letters]).encode())
    folder = settings.lexicon_dir
    if folder.is_dir():
        for path in sorted(folder.glob("*.txt")):
            digest.update(path.name.encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def content_of(settings: Settings, base: list[Entry] | None = None):
    """A ``content`` callback for ``LexiconStore.commit``: (basis, hash) of a would-be state."""
    base = base_entries(settings) if base is None else base
    stamp = basis(settings)

    def content(state: dict[tuple[str, str], Event]) -> tuple[str, str]:
        return stamp, content_hash(apply_state(base, state), settings.min_pinyin_letters)

    return content


def store_for(settings: Settings) -> LexiconStore:
    return open_store(settings)


def entries_at(settings: Settings, seq: int | None = None,
               store: LexiconStore | None = None) -> list[Entry]:
    store = store or store_for(settings)
    return apply_state(base_entries(settings), store.state(upto=seq))


@dataclass(frozen=True, slots=True)
class Difference:
    """One term's difference between two versions: ``+`` added, ``-`` retired, ``~`` changed
    (``before`` and ``after`` are the entries at the older and the newer version)."""

    kind: str
    term: str
    category: str
    before: Entry | None
    after: Entry | None


def version_diff(settings: Settings, old: int, new: int,
                 store: LexiconStore | None = None) -> list[Difference]:
    """Terms added, retired and changed from version ``old`` to ``new`` (over today's shipped
    lists), sorted by term."""
    store = store or store_for(settings)
    a = {(e.term, e.category): e for e in entries_at(settings, old, store)}
    b = {(e.term, e.category): e for e in entries_at(settings, new, store)}
    found = [Difference("+", e.term, e.category, None, e) for k, e in b.items() if k not in a]
    found += [Difference("-", e.term, e.category, e, None) for k, e in a.items() if k not in b]
    for k in a.keys() & b.keys():
        x, y = a[k], b[k]
        if (x.severity, x.article, x.boundary, x.fillers) != \
                (y.severity, y.article, y.boundary, y.fillers):
            found.append(Difference("~", y.term, y.category, x, y))
    return sorted(found, key=lambda d: (d.term, d.category, d.kind))


def current_entries(settings: Settings) -> list[Entry]:
    """Shipped entries with the maintainers' changes applied."""
    return entries_at(settings)


def load_lexicon(settings: Settings, normalizer: Normalizer) -> CompiledLexicon:
    store = store_for(settings)
    latest = store.latest()
    seq = latest.seq if latest else 0
    if latest is not None and latest.basis == basis(settings):
        cached = load_cached(format_version(seq, latest.content), settings.cache_dir)
        if cached is not None:
            return cached
    # upto=seq: a change published meanwhile must not be labelled with this sequence number
    entries = apply_state(base_entries(settings), store.state(upto=seq))
    return compile_cached(entries, normalizer, settings.min_pinyin_letters, settings.cache_dir,
                          sequence=seq)
