"""Evasion passes: what the plain match over the two views cannot see.

Each pass reads the text another way and keeps only what the plain passes missed; every hit keeps
offsets into the original text and says, in Chinese, what was undone.

* joined / vertical / letter: clause punctuation, line breaks or a lone Greek/Cyrillic letter
  between characters (``代、孕``, ``赌. 博``, ``\\n代\\n孕\\n``, ``代α孕``). Joined only where the
  piece on each side of the gap ends inside the term: ``新时代，孕育`` has the words 时代 and 孕育
  across the comma, so it is a real clause boundary, not an evasion. Across line breaks every
  character of the term must stand alone on its line.
* fillers: ``代的孕``, only for terms a maintainer marked ``fillers``, with the same word check.
* reversed: text after U+202E (RIGHT-TO-LEFT OVERRIDE) is shown backwards; it is read as shown.
* leet: digits for letters inside a Latin word (``p0rn``, ``yuep4o``).
* sound: one syllable code per character or pinyin syllable (``sound.py``): homophones
  (``带考``), mixed hanzi and pinyin (``代yun``), tone digits (``dai4yun4``).
* shape: a look-alike character (``lookalike.py``): ``加徽信``.

Sound and shape are guesses: they keep at least one character of the term as written, replace at
most a third of it, must not be a dictionary word themselves (``包裹`` is not 包过) and no
dictionary word may straddle their edges (``带考生`` holds 考生). They, and every pinyin hit, ask
for review.
"""

from __future__ import annotations

import bisect
import re
import threading
import unicodedata
from dataclasses import dataclass

import ahocorasick
import numpy as np

from ..normalize import NormalizedText
from ..normalize.tables import LINE_BREAKS
from .compiled import Variant
from .files import ALLOW, Entry
from .lookalike import lookalike_table
from .matcher import Hit
from .names import address, name_or_address
from .sound import Syllables, load_syllables, sound_view, term_code
from .words import MAX_LEN, Words, load_words

FILLERS = "的了之地得着个"
_FILLER_CODES = np.array([ord(c) for c in FILLERS], dtype=np.uint32)
_RLO, _PDF = "\u202e", "\u202c"
_REVERSED_RUN = re.compile(r"\u202e([^\u202c\n\r\u2028\u2029]+)")
_LEET = str.maketrans("01345789", "oieastbg")
_LEET_L = str.maketrans("1", "l")
_LEET_TOKEN = re.compile(r"[a-z0-9]*[a-z][a-z0-9]*")
_NL = ord("\n")
_NUMERALS = frozenset("〇零一二三四五六七八九十两百千万亿壹贰叁肆伍陆柒捌玖拾")
_SURE_KEPT = 3  # characters of a term kept as written that make a sound/shape guess plain


def _cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\U00020000" <= char <= "\U0002ffff"


def _cjk_mask(codes: np.ndarray) -> np.ndarray:
    return ((codes >= 0x3400) & (codes <= 0x9FFF)) | ((codes >= 0x20000) & (codes < 0x30000))


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _decode(codes: np.ndarray) -> str:
    return codes.astype("<u4", copy=False).tobytes().decode("utf-32-le", "surrogatepass")


@dataclass(frozen=True)
class _Index:
    forms: dict[int, str]  # entry index -> skeleton form, of Chinese terms
    syllables: Syllables
    sound: ahocorasick.Automaton | None
    sound_values: list[tuple[tuple[int, str], ...]]
    sound_lengths: list[int]  # syllables of each sound key
    sound_forms: list[frozenset[str]]  # the terms each sound key spells
    # Two-character terms of a big lexicon: read with pinyin only (代yun), never guessed at.
    sound_latin: ahocorasick.Automaton | None
    shape: ahocorasick.Automaton | None
    shape_values: list[tuple[int, int, str]]  # (entry index, position, look-alike)
    fillers: ahocorasick.Automaton | None
    filler_values: list[tuple[int, ...]]
    words: Words  # jieba's dictionary words, for "is this a word" and "does a word straddle"
    pairs: frozenset[str]  # adjacent characters inside some non-Latin skeleton key
    longest: int  # characters of the longest such key


def _automaton(keys: dict[str, int]) -> ahocorasick.Automaton | None:
    if not keys:
        return None
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for key, value in keys.items():
        automaton.add_word(key, value)
    automaton.make_automaton()
    return automaton


class EvasionMatcher:
    """The evasion passes of one compiled lexicon; their tables are built on first use."""

    def __init__(self, matcher) -> None:
        self.matcher = matcher
        self.compiled = matcher.compiled
        self._lock = threading.Lock()
        self._built: _Index | None = None

    # -- building ---------------------------------------------------------------------------

    def _index(self) -> _Index:
        if self._built is None:
            with self._lock:
                if self._built is None:
                    self._built = self._build()
        return self._built

    def _build(self) -> _Index:
        entries = self.compiled.entries
        forms: dict[int, str] = {}
        for key in self.compiled.keys:
            if key.literal:
                continue
            for index, variant in key.entries:
                if variant is Variant.FORM and not entries[index].is_allow:
                    forms[index] = key.text
        chinese = tuple((i, f) for i, f in sorted(forms.items())
                        if len(f) >= 2 and all(_cjk(c) for c in f))
        syllables = load_syllables(self.matcher.cache_dir)
        lookalikes = lookalike_table(self.matcher.cache_dir)

        sound_keys: dict[str, int] = {}
        sound_values: list[list[tuple[int, str]]] = []
        latin_keys: dict[str, int] = {}
        # Guesses for two-character terms flood ordinary text when there are thousands of them.
        guess_short = sum(len(f) == 2 for _, f in chinese) <= self.matcher.evasion_short_terms
        shape_keys: dict[str, int] = {}
        shape_values: list[tuple[int, int, str]] = []
        filler_keys: dict[str, int] = {}
        filler_values: list[list[int]] = []
        for index, form in chinese:
            # Numerals stand beside 比, 点, 号… in every score and date (二比一 is not 二屄):
            # a term holding one is not guessed at by sound or shape.
            guess = (guess_short or len(form) > 2) and not _NUMERALS.intersection(form)
            code = term_code(form, syllables)
            if code is not None:
                keys = sound_keys if guess else latin_keys
                slot = keys.setdefault(code, len(sound_values))
                if slot == len(sound_values):
                    sound_values.append([])
                sound_values[slot].append((index, form))
            for position, char in enumerate(form if guess else ()):
                for other in lookalikes.get(char, ""):
                    key = form[:position] + other + form[position + 1:]
                    if key not in shape_keys:
                        shape_keys[key] = len(shape_values)
                        shape_values.append((index, position, other))
            if entries[index].fillers:
                slot = filler_keys.setdefault(form, len(filler_values))
                if slot == len(filler_values):
                    filler_values.append([])
                filler_values[slot].append(index)
        plain = [k.text for k in self.compiled.keys
                 if not k.literal and not k.latin_edges and len(k.text) >= 2]
        pairs = frozenset(t[i:i + 2] for t in plain for i in range(len(t) - 1))
        return _Index(
            pairs=pairs, longest=max(map(len, plain), default=0), forms=dict(chinese),
            syllables=syllables,
            sound=_automaton(sound_keys), sound_values=[tuple(v) for v in sound_values],
            sound_lengths=[len(v[0][1]) for v in sound_values],
            sound_forms=[frozenset(f for _, f in v) for v in sound_values],
            sound_latin=_automaton(latin_keys),
            shape=_automaton(shape_keys), shape_values=shape_values,
            fillers=_automaton(filler_keys), filler_values=[tuple(v) for v in filler_values],
            words=load_words(self.matcher.cache_dir))

    # -- matching ---------------------------------------------------------------------------

    def find(self, text: NormalizedText, exclude: frozenset[str] = frozenset()) -> list[Hit]:
        if not text.skeleton.text:
            return []
        index = self._index()
        hits: list[Hit] = []
        hits += self._gapped(text, exclude, index)
        hits += self._reversed(text, exclude)
        hits += self._leet(text, exclude)
        hits += self._sound(text, exclude, index)
        hits += self._shape(text, exclude, index)
        if index.fillers is not None:
            hits += self._fillers(text, exclude, index)
        return hits

    def _usable(self, entry: Entry, exclude: frozenset[str]) -> bool:
        return entry.category != ALLOW and entry.category not in exclude

    def _plain_keys(self, view_text: str):
        """(first, last, key text, entries) of every non-Latin skeleton key in ``view_text``."""
        automaton = self.compiled.skeleton
        if automaton is None:
            return
        resolved = self.matcher._resolved
        for last, key_id in automaton.iter(view_text):
            length, latin, key_text, meanings, _alpha = resolved[key_id]
            if latin:
                continue
            yield last + 1 - length, last, key_text, meanings

    # joined, vertical and letter gaps ------------------------------------------------------

    def _gapped(self, text: NormalizedText, exclude, index: _Index) -> list[Hit]:
        skeleton = text.skeleton
        codes = _codes(skeleton.text)
        remove = codes == _NL
        # A letter of another script written between two Chinese characters (代α孕, 代λ孕):
        # non-ASCII in the original, and not a Chinese character itself.
        cjk = _cjk_mask(codes)
        foreign = (text.codes[skeleton.origin] > 0x7F) & ~cjk & (codes != _NL) & \
            ~((codes >= 0x30) & (codes <= 0x39))
        if foreign.any():
            foreign[1:-1] &= cjk[:-2] & cjk[2:]
            foreign[0] = foreign[-1] = False
            remove |= foreign
        if not remove.any():
            return []
        return self._across(text, exclude, index, codes, remove, self._plain_keys, False)

    def _across(self, text, exclude, index, codes, remove, keys, fillers: bool) -> list[Hit]:
        """Hits of ``keys`` over the skeleton with ``remove`` taken out, that cross a gap."""
        skeleton = text.skeleton
        keep = np.flatnonzero(~remove)
        if keep.size < 2:
            return []
        joined = _decode(codes[keep])
        origin = skeleton.origin[keep].tolist()
        gaps = (np.flatnonzero(np.diff(keep) > 1) + 1).tolist()  # gap before joined[g]
        if not gaps:
            return []
        if not fillers:
            # Only a gap between two characters that stand side by side in some key can be
            # crossed by it: the automaton runs on short windows around those gaps alone.
            gaps_in_keys = [g for g in gaps if joined[g - 1:g + 1] in index.pairs]
            if not gaps_in_keys:
                return []
        gap_set = set(gaps)
        hits: list[Hit] = []
        for first, last, key_text, meanings in (
                keys(joined) if fillers else self._windows(joined, gaps_in_keys, index.longest,
                                                           keys)):
            g0 = bisect.bisect_right(gaps, first)
            crossed = gaps[g0:bisect.bisect_right(gaps, last)]
            if not crossed:
                continue
            start, end = origin[first], origin[last] + 1
            removed = [text.original[origin[g - 1] + 1:origin[g]] for g in crossed]
            if fillers:
                variant = Variant.FILLER
                if any(sum(c in FILLERS for c in r) > 2 for r in removed):
                    continue
            elif any(any(c in LINE_BREAKS for c in r) for r in removed):
                variant = Variant.VERTICAL
                if any(sum(c in LINE_BREAKS for c in r.replace("\r\n", "\n")) > 1
                       for r in removed):
                    continue  # an empty line between them: paragraphs, not vertical text
                alone = all(p in gap_set or p == 0 for p in range(first, last + 1)) and (
                    last + 1 in gap_set or last + 1 == len(joined))
                if not alone:
                    continue
            elif all(_only_letters(r) for r in removed):
                variant = Variant.LETTER
            else:
                variant = Variant.JOINED
            # Every character of the term set apart (网. 络. 赌. 博) is an evasion whatever the
            # words around it; one gap (代、孕) must not be a clause boundary between words.
            spaced = len(crossed) >= 2 and len(crossed) == last - first
            if variant is not Variant.VERTICAL and not spaced and not all(
                    self._gap_ok(index.words, joined, gaps, g, first, last + 1)
                    for g in crossed):
                continue
            shown = "、".join(f"“{_visible(r)}”" for r in removed)
            detail = {Variant.VERTICAL: f"逐行读出“{key_text}”",
                      Variant.FILLER: f"去掉字间的{shown}",
                      }.get(variant, f"跳过字间的{shown}")
            for entry, _variant in meanings:
                if self._usable(entry, exclude):
                    hits.append(Hit(entry, start, end, variant, key_text,
                                    text.reasons(start, end), False, detail))
        return hits

    @staticmethod
    def _windows(joined: str, gaps: list[int], longest: int, keys):
        """``keys`` over short windows around ``gaps``, each match once, in joined offsets."""
        seen = set()
        for g in gaps:
            lo = max(0, g - longest + 1)
            for first, last, key_text, meanings in keys(joined[lo:g + longest - 1]):
                found = (lo + first, lo + last, key_text)
                if lo + first < g <= lo + last and found not in seen:
                    seen.add(found)
                    yield lo + first, lo + last, key_text, meanings

    def _gap_ok(self, words: Words, joined: str, gaps: list[int], g: int, first: int,
                stop: int) -> bool:
        """Whether the words touching gap ``g`` on both sides end inside the term: in
        新时代，孕育 the word 时代 reaches past 代 into the text before it."""
        i = bisect.bisect_left(gaps, g)
        lo = gaps[i - 1] if i > 0 else 0
        hi = gaps[i + 1] if i + 1 < len(gaps) else len(joined)
        for start in range(max(lo, g - MAX_LEN), first):
            if joined[start:g] in words:
                return False
        for end in range(stop + 1, min(hi, g + MAX_LEN) + 1):
            if joined[g:end] in words:
                return False
        return True

    # fillers -------------------------------------------------------------------------------

    def _fillers(self, text: NormalizedText, exclude, index: _Index) -> list[Hit]:
        codes = _codes(text.skeleton.text)
        remove = np.isin(codes, _FILLER_CODES)
        if not remove.any():
            return []
        entries = self.compiled.entries
        forms = index.forms

        def keys(view_text: str):
            for last, slot in index.fillers.iter(view_text):
                found = index.filler_values[slot]
                form = forms[found[0]]
                yield last + 1 - len(form), last, form, [(entries[i], None) for i in found]

        return self._across(text, exclude, index, codes, remove, keys, True)

    # reversed ------------------------------------------------------------------------------

    def _reversed(self, text: NormalizedText, exclude) -> list[Hit]:
        if _RLO not in text.original:
            return []
        skeleton = text.skeleton
        hits: list[Hit] = []
        for run in _REVERSED_RUN.finditer(text.original):
            a, b = run.span(1)
            positions = np.flatnonzero((skeleton.origin >= a) & (skeleton.origin < b))[::-1]
            if positions.size < 2:
                continue
            shown = "".join(skeleton.text[i] for i in positions.tolist())
            origin = skeleton.origin[positions].tolist()
            for first, last, key_text, meanings in self._plain_keys(shown):
                start, end = origin[last], origin[first] + 1
                for entry, _variant in meanings:
                    if self._usable(entry, exclude):
                        hits.append(Hit(entry, start, end, Variant.REVERSED, key_text,
                                        text.reasons(start, end), False,
                                        f"原文“{_visible(text.original[start:end])}”显示为"
                                        f"“{key_text}”"))
        return hits

    # leet ----------------------------------------------------------------------------------

    def _leet(self, text: NormalizedText, exclude) -> list[Hit]:
        skeleton = text.skeleton
        automaton = self.compiled.skeleton
        if automaton is None:
            return []
        hits: list[Hit] = []
        resolved = self.matcher._resolved
        for token in _LEET_TOKEN.finditer(skeleton.text):
            word = token.group()
            if word.isalpha() or len(word) < 3:
                continue
            offsets = skeleton.offsets
            start, end = offsets[token.start()], offsets[token.end() - 1] + 1
            if not text.latin_edges_ok(start, end) or name_or_address(text.original, start, end):
                continue
            for spelled in {word.translate(_LEET), word.translate(_LEET_L).translate(_LEET)}:
                if spelled == word:
                    continue
                for _last, key_id in automaton.iter(spelled):
                    length, _latin, key_text, meanings, _pinyin = resolved[key_id]
                    if length != len(spelled) or not key_text.isalpha():
                        continue  # the whole token, and only Latin keys
                    for entry, _variant in meanings:
                        if self._usable(entry, exclude):
                            hits.append(Hit(entry, start, end, Variant.LEET, key_text,
                                            text.reasons(start, end), False,
                                            f"“{text.original[start:end]}”读作“{spelled}”"))
        return hits

    # sound: homophones, mixed hanzi and pinyin, tone digits -----------------------------

    def _sound(self, text: NormalizedText, exclude, index: _Index) -> list[Hit]:
        if index.sound is None:
            return []
        skeleton = text.skeleton
        view = sound_view(skeleton.text, skeleton.origin, index.syllables)
        aligned = len(view.text) == len(skeleton.text)  # no Latin: positions coincide
        written_text = skeleton.text
        values, lengths = index.sound_values, index.sound_lengths
        hits: list[Hit] = []
        entries = self.compiled.entries
        # The hot loop of the sound pass: most candidates are the term itself or an ordinary
        # word that sounds like one, and are dropped after one slice and two set lookups.
        sound_forms = index.sound_forms
        offsets = skeleton.offsets if aligned else None
        for last, slot in index.sound.iter(view.text):
            first = last + 1 - lengths[slot]
            if not aligned:
                for entry_index, form in values[slot]:
                    found = self._judge_sound(text, view, index, form, first, last)
                    if found is not None:
                        self._add(hits, entries[entry_index], exclude, text, form, *found)
                continue
            written = written_text[first:last + 1]
            if written in sound_forms[slot]:
                continue
            for entry_index, form in values[slot]:
                # at least one character kept, at most a third replaced
                swapped = [(w, c) for w, c in zip(written, form, strict=True) if w != c]
                if len(swapped) == len(form) or len(swapped) > max(1, len(form) // 3):
                    continue
                if not self._stands_alone(index.words, written_text, written, first, last + 1,
                                          len(form) - len(swapped)):
                    continue  # (the word set is built here, on the first real candidate)
                names = index.syllables
                detail = "、".join(f"“{w}”与“{c}”同音（{names.name(names.code(c))}）"
                                  for w, c in swapped)
                self._add(hits, entries[entry_index], exclude, text, form, Variant.SOUND,
                          offsets[first], offsets[last] + 1, detail)
        if not aligned and index.sound_latin is not None:
            for last, slot in index.sound_latin.iter(view.text):
                first = last + 1 - lengths[slot]
                for entry_index, form in values[slot]:
                    found = self._judge_sound(text, view, index, form, first, last)
                    if found is not None and found[0] is not Variant.SOUND:
                        self._add(hits, entries[entry_index], exclude, text, form, *found)
        return hits

    def _add(self, hits: list[Hit], entry: Entry, exclude, text: NormalizedText, form: str,
             variant: Variant, start: int, end: int, detail: str) -> None:
        if self._usable(entry, exclude):
            hits.append(Hit(entry, start, end, variant, form, text.reasons(start, end), False,
                            detail))

    def _judge_sound(self, text, view, index, form, first, last):
        kinds = view.kinds[first:last + 1]
        skeleton = text.skeleton.text
        written = [skeleton[int(view.index[p])] for p in range(first, last + 1)]
        exact = sum(1 for k, w, c in zip(kinds, written, form, strict=True)
                    if k == "h" and w == c)
        swapped = [(w, c) for k, w, c in zip(kinds, written, form, strict=True)
                   if k == "h" and w != c]
        latin = sum(1 for k in kinds if k != "h")
        toned = "t" in kinds
        start, end = int(view.starts[first]), int(view.ends[last])
        original = text.original[start:end]
        if swapped:
            if latin or not exact or len(swapped) > max(1, len(form) // 3):
                return None
            hanzi = "".join(written)
            sk_first, sk_stop = int(view.index[first]), int(view.index[last]) + 1
            if not self._stands_alone(index.words, skeleton, hanzi, sk_first, sk_stop, exact):
                return None
            names = index.syllables
            detail = "、".join(f"“{w}”与“{c}”同音（{names.name(names.code(c))}）"
                              for w, c in swapped)
            return Variant.SOUND, start, end, detail
        if not latin or (not exact and not toned):
            return None  # written as the term, or plain pinyin: the plain passes see those
        if not text.latin_edges_ok(start, end, kinds[0] != "h", kinds[-1] != "h"):
            return None
        if address(text.original, start, end) or (
                not exact and name_or_address(text.original, start, end)):
            return None
        if exact:
            return Variant.MIXED, start, end, f"“{_visible(original)}”读作“{form}”"
        return Variant.TONE, start, end, f"“{_visible(original)}”去掉声调数字读作“{form}”"

    def _stands_alone(self, words: Words, text: str, written: str, first: int,
                      stop: int, kept: int = 0) -> bool:
        """A sound or shape guess must not be a word itself (包裹 is not 包过) nor share a
        character with a word around it (带考生 is 带/考生). With three or more characters of
        the term kept as written (网络堵博), the term is plain enough that a word reaching out
        of it (博学 in 网络堵博学生) does not make it a guess."""
        if written in words:
            return False
        if kept >= _SURE_KEPT:
            return True
        lo = text.rfind("\n", 0, first) + 1
        hi = text.find("\n", stop)
        hi = len(text) if hi == -1 else hi
        return not (words.straddles(text, first, lo, hi) or words.straddles(text, stop, lo, hi))

    # shape: look-alike characters ----------------------------------------------------------

    def _shape(self, text: NormalizedText, exclude, index: _Index) -> list[Hit]:
        if index.shape is None:
            return []
        skeleton = text.skeleton
        hits: list[Hit] = []
        entries = self.compiled.entries
        forms = index.forms
        for last, slot in index.shape.iter(skeleton.text):
            entry_index, position, other = index.shape_values[slot]
            form = forms[entry_index]
            first = last + 1 - len(form)
            written = skeleton.text[first:last + 1]
            if not self._stands_alone(index.words, skeleton.text, written, first, last + 1,
                                      len(form) - 1):
                continue
            entry = entries[entry_index]
            if not self._usable(entry, exclude):
                continue
            start, end = skeleton.span(first, last + 1)
            hits.append(Hit(entry, start, end, Variant.SHAPE, form, text.reasons(start, end),
                            False, f"“{other}”形近“{form[position]}”"))
        return hits


def _only_letters(removed: str) -> bool:
    return any(c.isalpha() for c in removed) and not any(c in LINE_BREAKS for c in removed)


def _visible(text: str) -> str:
    """Removed or reversed text as a reviewer can read it: line breaks and hidden characters
    by name (⏎, ⟨U+202E⟩)."""
    out = []
    for char in text:
        if char in LINE_BREAKS:
            out.append("⏎")
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") or char.isspace():
            out.append(" " if char == " " else f"⟨U+{ord(char):04X}⟩")
        else:
            out.append(char)
    return "".join(out).strip() or "空格"
