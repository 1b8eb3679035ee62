"""Real third-party text for training, held-out evaluation and false-alarm measurement.

Nothing here is committed text. ``data/corpora/SOURCES.toml`` records where each piece comes from
(repository, commit, paths, sha256, licence); ``screener corpus build --from DIR`` reads a local
copy of those repositories, checks every file against its recorded sha256, applies the filters
and labelling rules (``rules.py``) and writes a local corpus (JSON Lines) into the state folder.
Training, ``lexicon test`` / ``lint`` and ``benchmarks/bench_judgement.py`` read that local corpus.
"""

from __future__ import annotations

from .local import LocalCorpus, Record, find_corpus, load_corpus
from .sources import SOURCES_FILE, Source, load_sources

__all__ = ["SOURCES_FILE", "LocalCorpus", "Record", "Source", "find_corpus", "load_corpus",
           "load_sources"]
