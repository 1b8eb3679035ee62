"""Lexicons: the shipped files, the maintainers' store over them, and the compiled automata."""

from __future__ import annotations

from .cache import compile_cached, load_cached
from .compiled import (
    CompiledLexicon,
    Key,
    Variant,
    compile_lexicon,
    content_hash,
    lexicon_version,
    parse_version,
)
from .effective import (
    base_entries,
    current_entries,
    entries_at,
    load_lexicon,
    store_for,
    version_diff,
)
from .files import ALLOW, Entry, LexiconFile, load_lexicon_dir, make_entry, parse_lexicon_file
from .matcher import Hit, TermMatcher
from .store import Change, Event, LexiconStore, open_store

__all__ = [
    "ALLOW", "Change", "CompiledLexicon", "Entry", "Event", "Hit", "Key", "LexiconFile",
    "LexiconStore", "TermMatcher", "Variant", "base_entries", "compile_cached",
    "compile_lexicon", "content_hash", "current_entries", "entries_at", "lexicon_version",
    "load_cached", "load_lexicon", "load_lexicon_dir", "make_entry",
    "open_store", "parse_lexicon_file", "parse_version", "store_for", "version_diff",
]
