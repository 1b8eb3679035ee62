"""Lexicons: the shipped files, the user's overlay, and the compiled automata."""

from __future__ import annotations

from ..normalize import Normalizer
from ..settings import Settings
from .cache import compile_cached
from .compiled import CompiledLexicon, Key, Variant, compile_lexicon, lexicon_version
from .files import ALLOW, Entry, LexiconFile, load_lexicon_dir, make_entry, parse_lexicon_file
from .matcher import Hit, TermMatcher
from .overlay import Overlay, load_overlay, save_overlay


def current_entries(settings: Settings) -> list[Entry]:
    """Shipped entries with the user's overlay applied."""
    shipped = [e for f in load_lexicon_dir(settings.lexicon_dir) for e in f.entries]
    return load_overlay(settings.overlay_path).apply(shipped)


def load_lexicon(settings: Settings, normalizer: Normalizer) -> CompiledLexicon:
    return compile_cached(current_entries(settings), normalizer, settings.min_pinyin_letters,
                          settings.cache_dir)


__all__ = [
    "ALLOW", "CompiledLexicon", "Entry", "Hit", "Key", "LexiconFile", "Overlay", "TermMatcher",
    "Variant", "compile_cached", "compile_lexicon", "current_entries", "lexicon_version",
    "load_lexicon", "load_lexicon_dir", "load_overlay", "make_entry", "parse_lexicon_file",
    "save_overlay",
]
