"""On-disk cache of compiled lexicons, keyed by lexicon version.

Compiling means folding every term and spelling it in pinyin (pypinyin alone takes a third of a
second to import), so a CLI call or a worker loads the automata that an earlier call saved. Nothing
in the cache is unpickled:

* ``skeleton.bin``/``literal.bin``: pyahocorasick's own ``save`` format with integer values;
* ``entries.txt``/``sources.txt``/``keys.txt``/``boundary.txt``: the strings, NUL-separated
  UTF-8 text;
* ``table.npz``: the numbers (entry profile, key flags, key -> entry pairs, where each string
  starts), loaded with ``allow_pickle=False``;
* ``manifest.json``: the version, the distinct (category, severity, article, boundary) profiles,
  and the SHA-256 of every other file, checked before anything is handed to a loader, so a
  truncated or replaced file is rebuilt instead of loaded.

Columns rather than one JSON document of objects, and entries and keys built only when a
screening first touches them: a 100,000-term lexicon loads in a fraction of the time, which is
what makes a CLI call or a worker start cheap.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from pathlib import Path

import ahocorasick
import numpy as np

from ..model import Severity
from ..normalize import Normalizer
from .compiled import CompiledLexicon, Key, Rows, Variant, compile_lexicon, lexicon_version
from .files import Entry

_FORMAT = 6
_SEP = "\0"
_VARIANTS = list(Variant)
_TEXTS = ("entries", "sources", "keys", "boundary")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _order_digest(entries: list[Entry]) -> str:
    rows = [(e.term, e.category, str(e.severity), e.article, e.boundary, e.fillers)
            for e in entries]
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def _no_values(_: bytes) -> None:  # STORE_INTS automata carry no serialized values
    return None


def _read_checked(folder: Path, name: str, manifest: dict) -> bytes:
    data = (folder / name).read_bytes()
    if _digest(data) != manifest["files"][name]:
        raise ValueError(f"{name} does not match the manifest")
    return data


def _load(folder: Path, entries: list[Entry] | None, version: str) -> CompiledLexicon | None:
    """The cached lexicon of ``version``; with ``entries`` None, the entries come from the cache
    too (the fast path of a process that knows the version from the store)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != _FORMAT or manifest.get("version") != version:
            return None
        if entries is not None and manifest.get("order") != _order_digest(entries):
            return None
        with np.load(io.BytesIO(_read_checked(folder, "table.npz", manifest)),
                     allow_pickle=False) as table:
            columns = {name: table[name] for name in table.files}
        texts = {name: _Strings(_read_checked(folder, f"{name}.txt", manifest).decode(),
                                columns[f"{name}_starts"]) for name in _TEXTS}
        if entries is None:
            entries = _entries(texts, columns, manifest["profiles"])
        keys = _keys(texts["keys"], columns)
        if len(columns["entry_profile"]) != len(entries):
            raise ValueError("entry table does not match the entries")
        boundary = tuple(texts["boundary"])
        automata = {}
        for name in ("skeleton", "literal"):
            if name + ".bin" not in manifest["files"]:
                automata[name] = None
                continue
            _read_checked(folder, name + ".bin", manifest)
            automata[name] = ahocorasick.load(str(folder / f"{name}.bin"), _no_values)
    except (OSError, ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError):
        return None
    return CompiledLexicon(version, entries, keys, automata["skeleton"], automata["literal"],
                           boundary)


# Entries and keys are built on first use (``Rows``): a screening touches a handful of the
# hundreds of thousands a big lexicon has, and building them all is most of a cold load.

class _Strings:
    """One text column: the NUL-joined text and where each item starts. Slicing an item out on
    use keeps one string in memory instead of one object per term."""

    __slots__ = ("_text", "_starts")

    def __init__(self, text: str, starts: np.ndarray) -> None:
        count = len(starts) - 1
        if count < 0 or int(starts[-1]) != (len(text) + 1 if count else 0) \
                or (count and text.count(_SEP) != count - 1):
            raise ValueError("text column does not match its index")
        self._text, self._starts = text, starts

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __getitem__(self, i: int) -> str:
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._text[int(self._starts[i]):int(self._starts[i + 1]) - 1]


def _entries(texts: dict[str, _Strings], columns: dict[str, np.ndarray],
             profile_rows: list) -> Rows:
    terms, sources, profile_of = texts["entries"], texts["sources"], columns["entry_profile"]
    if not len(terms) == len(sources) == len(profile_of):
        raise ValueError("entry columns differ in length")
    profiles = [(c, Severity(s), a, bool(b), bool(f)) for c, s, a, b, f in profile_rows]

    def build(i: int) -> Entry:
        category, severity, article, boundary, fillers = profiles[int(profile_of[i])]
        return Entry(terms[i], category, severity, article, boundary, sources[i], fillers)

    return Rows(len(terms), build)


def _keys(texts: _Strings, columns: dict[str, np.ndarray]) -> Rows:
    literal, latin, offsets = columns["key_literal"], columns["key_latin"], columns["key_offsets"]
    pair_entry, pair_variant = columns["pair_entry"], columns["pair_variant"]
    if not len(offsets) == len(texts) + 1 == len(literal) + 1 == len(latin) + 1 \
            or int(offsets[-1]) != len(pair_entry) or len(pair_variant) != len(pair_entry):
        raise ValueError("key table does not match the key texts")

    def build(i: int) -> Key:
        lo, hi = int(offsets[i]), int(offsets[i + 1])
        pairs = tuple((int(pair_entry[j]), _VARIANTS[pair_variant[j]]) for j in range(lo, hi))
        return Key(texts[i], bool(literal[i]), pairs, bool(latin[i]))

    return Rows(len(texts), build)


def _columns(compiled: CompiledLexicon, entries: list[Entry]) -> tuple[dict, list, dict]:
    profiles: dict[tuple, int] = {}
    entry_profile = [profiles.setdefault((e.category, str(e.severity), e.article, e.boundary,
                                          e.fillers), len(profiles)) for e in entries]
    offsets, pair_entry, pair_variant = [0], [], []
    for key in compiled.keys:
        for index, variant in key.entries:
            pair_entry.append(index)
            pair_variant.append(_VARIANTS.index(variant))
        offsets.append(len(pair_entry))
    arrays = {
        "entry_profile": np.array(entry_profile, dtype=np.int32),
        "key_literal": np.array([k.literal for k in compiled.keys], dtype=bool),
        "key_latin": np.array([k.latin_edges for k in compiled.keys], dtype=bool),
        "key_offsets": np.array(offsets, dtype=np.int64),
        "pair_entry": np.array(pair_entry, dtype=np.int32),
        "pair_variant": np.array(pair_variant, dtype=np.uint8),
    }
    texts = {"entries": [e.term for e in entries], "sources": [e.source for e in entries],
             "keys": [k.text for k in compiled.keys], "boundary": list(compiled.boundary_keys())}
    for name, column in texts.items():
        starts = np.zeros(len(column) + 1, dtype=np.int64)
        np.cumsum([len(item) + 1 for item in column], out=starts[1:])
        arrays[f"{name}_starts"] = starts
    return arrays, [list(p) for p in profiles], texts


def _save(folder: Path, compiled: CompiledLexicon, entries: list[Entry]) -> None:
    arrays, profiles, texts = _columns(compiled, entries)
    if any(_SEP in s for column in texts.values() for s in column):
        return  # a NUL inside a term would shift the columns: such a lexicon is not cached
    tmp = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    files = {}
    for name in ("skeleton", "literal"):
        automaton = getattr(compiled, name)
        if automaton is not None:
            automaton.save(str(tmp / f"{name}.bin"))
            files[f"{name}.bin"] = _digest((tmp / f"{name}.bin").read_bytes())
    for name, column in texts.items():
        data = _SEP.join(column).encode()
        (tmp / f"{name}.txt").write_bytes(data)
        files[f"{name}.txt"] = _digest(data)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    (tmp / "table.npz").write_bytes(buffer.getvalue())
    files["table.npz"] = _digest(buffer.getvalue())
    manifest = {"format": _FORMAT, "version": compiled.version, "order": _order_digest(entries),
                "profiles": profiles, "files": files}
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False),
                                       encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    try:
        os.replace(tmp, folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another process saved the same version first


def load_cached(version: str, cache_dir: Path | None) -> CompiledLexicon | None:
    """The compiled lexicon of a known version, or None if it is not (validly) cached."""
    folder = cache_dir / "lexicon" / version if cache_dir else None
    if folder is None or not folder.is_dir():
        return None
    return _load(folder, None, version)


def compile_cached(entries: list[Entry], normalizer: Normalizer, min_pinyin_letters: int,
                   cache_dir: Path | None, sequence: int = 0) -> CompiledLexicon:
    version = lexicon_version(entries, min_pinyin_letters, sequence)
    folder = cache_dir / "lexicon" / version if cache_dir else None
    if folder is not None and folder.is_dir():
        loaded = _load(folder, entries, version)
        if loaded is not None:
            return loaded
    compiled = compile_lexicon(entries, normalizer, min_pinyin_letters, sequence)
    if folder is not None:
        try:
            _save(folder, compiled, entries)
        except OSError:
            pass  # a read-only state folder only costs start-up time
    return compiled
