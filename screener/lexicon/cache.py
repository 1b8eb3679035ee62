"""On-disk cache of compiled lexicons, keyed by lexicon version.

Compiling means folding every term and spelling it in pinyin (pypinyin alone takes a third of a
second to import), so a CLI call or a worker loads the automata that an earlier call saved. The
automata are pyahocorasick's own ``save`` format with integer values (no pickle); the manifest
records the SHA-256 of each file and is checked before anything is handed to the C loader, so a
truncated or replaced file is rebuilt instead of loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import ahocorasick

from ..normalize import Normalizer
from .compiled import CompiledLexicon, Key, Variant, compile_lexicon, lexicon_version
from .files import Entry

_FORMAT = 1


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _order_digest(entries: list[Entry]) -> str:
    rows = [(e.term, e.category, str(e.severity), e.article, e.boundary) for e in entries]
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def _no_values(_: bytes) -> None:  # STORE_INTS automata carry no serialized values
    return None


def _load(folder: Path, entries: list[Entry], version: str) -> CompiledLexicon | None:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if (manifest.get("format") != _FORMAT or manifest.get("version") != version
                or manifest.get("order") != _order_digest(entries)):
            return None
        automata = {}
        for name in ("skeleton", "literal"):
            expected = manifest["files"].get(name)
            if expected is None:
                automata[name] = None
                continue
            path = folder / f"{name}.bin"
            if _digest(path) != expected:
                return None
            automata[name] = ahocorasick.load(str(path), _no_values)
        keys = tuple(Key(text, literal, tuple((i, Variant(v)) for i, v in found))
                     for text, literal, found in manifest["keys"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return CompiledLexicon(version, tuple(entries), keys, automata["skeleton"],
                           automata["literal"])


def _save(folder: Path, compiled: CompiledLexicon, entries: list[Entry]) -> None:
    tmp = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    files = {}
    for name in ("skeleton", "literal"):
        automaton = getattr(compiled, name)
        if automaton is not None:
            automaton.save(str(tmp / f"{name}.bin"))
            files[name] = _digest(tmp / f"{name}.bin")
    manifest = {
        "format": _FORMAT, "version": compiled.version, "order": _order_digest(entries),
        "files": files,
        "keys": [[k.text, k.literal, [[i, str(v)] for i, v in k.entries]] for k in compiled.keys],
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False),
                                       encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    try:
        os.replace(tmp, folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another process saved the same version first


def compile_cached(entries: list[Entry], normalizer: Normalizer, min_pinyin_letters: int,
                   cache_dir: Path | None) -> CompiledLexicon:
    version = lexicon_version(entries, min_pinyin_letters)
    folder = cache_dir / "lexicon" / version if cache_dir else None
    if folder is not None and folder.is_dir():
        loaded = _load(folder, entries, version)
        if loaded is not None:
            return loaded
    compiled = compile_lexicon(entries, normalizer, min_pinyin_letters)
    if folder is not None:
        try:
            _save(folder, compiled, entries)
        except OSError:
            pass  # a read-only state folder only costs start-up time
    return compiled
