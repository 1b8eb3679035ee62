"""Fuzz targets: what the normalizer, the matcher and every ingester promise for any input.

A target is a hypothesis strategy and a check. ``test_fuzz.py`` runs each one under the active
profile (``ci``: bounded and derandomized); ``benchmarks/bench_fuzz.py`` runs them for minutes.
An ingester passes when it returns its result or refuses with the project's own error
(``ScreenerError``); a ``KeyError``, ``UnicodeError``, ``struct.error``... escaping, or an offset
outside the text, is a failure. This file imports nothing from the tests, so the benchmark can
load it by path.
"""

from __future__ import annotations

import io
import json
import string
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import strategies as st

from screener.errors import ScreenerError
from screener.images.config import ImageConfig
from screener.images.decode import decode_bytes
from screener.ingest import load_draft
from screener.lexicon import TermMatcher
from screener.lexicon.transfer import read_import
from screener.normalize import Normalizer
from screener.rescreen.archive import Post, read_posts
from screener.settings import Settings


@dataclass
class FuzzContext:
    settings: Settings  # a state folder whose cache holds the folding tables
    normalizer: Normalizer
    matcher: TermMatcher
    folder: Path  # scratch folder: ingesters read files


@dataclass(frozen=True)
class Target:
    name: str
    strategy: st.SearchStrategy
    check: Any  # (FuzzContext, example) -> None; raises AssertionError or the escaped error


def _own_errors_only(call) -> Any:
    """Run an ingester: its own errors are a fine outcome, nothing else may escape."""
    try:
        return call()
    except ScreenerError as exc:
        assert str(exc), "an error must say what was wrong"
        return None


# -- text strategies ------------------------------------------------------------------------------
# Every code point, lone surrogates (JSON can spell them) included.
ANY_CHAR = st.one_of(st.characters(codec=None, exclude_categories=()),
                     st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF,
                                   exclude_categories=()))
ANY_TEXT = st.text(alphabet=ANY_CHAR, max_size=120)
TERMS = ["代孕", "台独", "办证", "sex", "北京大学", "北大", "pku", "加微信", "加vx", "秘密★",
         "办证大厅", "daiyun", "內部資料", "扫码购买"]
TRICKS = [" ", "*", "❤", "\u200b", "\u202e", "\ufe0f", "\u0301", "。", "\n", "\r\n", ".", ". ",
          "Ａ", "㈱", "ﬁ", "İ", "ß", "\u2028", "\x00", "\x1b[2J", "😀", "Ⅻ", "½", "\U000e0041"]
def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # lone surrogates become bytes, not errors


# Lexicon terms wrapped in the tricks evaders use, with random text between.
EVASIVE = st.lists(st.one_of(st.sampled_from(TERMS), st.sampled_from(TRICKS),
                             st.text(alphabet=ANY_CHAR, max_size=4)), max_size=24).map("".join)
TEXT = st.one_of(ANY_TEXT, EVASIVE)


def _check_view(view, original: str, normalized) -> None:
    tables = normalized.tables
    assert len(view.origin) == len(view.text) == len(view.offsets)
    previous = -1
    for index, (char, origin) in enumerate(zip(view.text, view.offsets, strict=True)):
        assert 0 <= origin < len(original), (index, origin, len(original))
        assert origin >= previous, "the origin map never goes backwards"
        previous = origin
        start, end = view.span(index, index + 1)
        assert (start, end) == (origin, origin + 1)
        cp = ord(original[origin])
        # the view's character comes from the original one it points at: its fold, one part of
        # its expansion (ﬁ -> f, i), or the line break that stands for a boundary
        parts = {int(tables.fold[cp])} | {p[0] for p in tables.expansions.get(cp, ())}
        assert char == "\n" or ord(char) in parts, (index, char, original[origin])


def check_normalize(ctx: FuzzContext, text: str) -> None:
    normalized = ctx.normalizer(text)
    assert normalized.original is text and len(normalized.codes) == len(text)
    _check_view(normalized.skeleton, text, normalized)
    _check_view(normalized.literal, text, normalized)
    normalized.reasons(0, len(text))
    for start in range(0, len(text) + 1, max(1, len(text) // 8)):
        normalized.latin_edges_ok(start, min(len(text), start + 3))


def check_match(ctx: FuzzContext, text: str) -> None:
    for hit in ctx.matcher.find(ctx.normalizer(text)):
        assert 0 <= hit.start < hit.end <= len(text), (hit.start, hit.end, len(text))
        # the original text under the span, normalized on its own, holds what was matched
        span = ctx.normalizer(text[hit.start:hit.end])
        assert hit.key in span.skeleton.text or hit.key in span.literal.text, (
            hit.key, text[hit.start:hit.end])


# -- plain drafts ---------------------------------------------------------------------------------
DRAFT_KEYS = ["id", "title", "body", "images", "account", "platform", "author", "boby"]
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(DRAFT_KEYS) | ANY_TEXT, inner, max_size=5),
    max_leaves=16)
JSON_DRAFT = st.one_of(
    st.fixed_dictionaries({}, optional={k: JSON_VALUE for k in DRAFT_KEYS}),
    JSON_VALUE,
).map(lambda value: _utf8(json.dumps(value, ensure_ascii=False)))
TEXT_BYTES = st.one_of(st.binary(max_size=300),
                       TEXT.map(_utf8))
PLAIN_DRAFT = st.one_of(
    st.tuples(st.just(".json"), st.one_of(JSON_DRAFT, TEXT_BYTES)),
    st.tuples(st.sampled_from([".txt", ".md"]), TEXT_BYTES),
)


def _write(ctx: FuzzContext, suffix: str, data: bytes) -> Path:
    path = ctx.folder / f"draft{suffix}"
    path.write_bytes(data)
    return path


def _check_draft(ctx: FuzzContext, suffix: str, data: bytes) -> None:
    draft = _own_errors_only(lambda: load_draft(_write(ctx, suffix, data), ctx.settings))
    if draft is None:
        return
    assert draft.title.strip() or draft.body.strip() or draft.images
    for ref in draft.images:  # every picture is a link never fetched, or inside the folder
        assert ref.startswith(("http", "//")) or Path(ref).resolve().is_relative_to(
            ctx.folder.resolve()) or Path(ref).parent == ctx.settings.home / "cache" / "inline", ref


def check_plain_draft(ctx: FuzzContext, case: tuple[str, bytes]) -> None:
    _check_draft(ctx, *case)


# -- rich drafts ----------------------------------------------------------------------------------
REFS = st.sampled_from([
    "https://evil.example/a.png", "//evil.example/b.png", "http://x", "data:image/png;base64,",
    "data:image/png;base64,iVBORw0KGgo=", "data:,%ZZ%", "data:image/gif,%00%ff", "data:;base64,@@",
    "file:///etc/passwd", "../../etc/passwd", "/etc/passwd", "img/a.png", "a%00b.png", "",
    "\x00", "C:\\x.png", "file://host/share/x.png", "%2e%2e/%2e%2e/etc/passwd", "javascript:x",
]) | ANY_TEXT
TAGS = st.sampled_from(["p", "div", "br", "h1", "title", "script", "style", "img", "section",
                        "noscript", "template", "head", "table", "tr", "li", "a", "svg", "iframe"])
ATTRS = st.lists(st.tuples(st.sampled_from(["src", "data-src", "href", "onload", "style", "x"]),
                           REFS), max_size=3)


def _tag(name: str, attrs: list[tuple[str, str]], closing: bool) -> str:
    if closing:
        return f"</{name}>"
    shown = " ".join(f'{k}="{v}"' for k, v in attrs)
    return f"<{name} {shown}>"


HTML_PIECE = st.one_of(
    st.builds(_tag, TAGS, ATTRS, st.booleans()), TEXT,
    st.sampled_from(["<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&#0;", "&#x110000;",
                     "&#xd800;", "&nbsp", "<", ">", "<!doctype html>", "<?xml?>"]),
)
HTML = st.lists(HTML_PIECE, max_size=30).map("".join)
MARKDOWN = st.lists(st.one_of(TEXT, st.builds("![{}]({})".format, ANY_TEXT, REFS),
                              st.sampled_from(["# ", "\n", "![", "](", ")", "<", ">"])),
                    max_size=20).map("".join)
RICH_DRAFT = st.one_of(
    st.tuples(st.sampled_from([".html", ".htm"]),
              HTML.map(_utf8)),
    st.tuples(st.just(".md"), MARKDOWN.map(_utf8)),
    st.tuples(st.sampled_from([".html", ".md"]), st.binary(max_size=200)),
)


def check_rich_draft(ctx: FuzzContext, case: tuple[str, bytes]) -> None:
    _check_draft(ctx, *case)


@cache
def base_docx() -> bytes:
    import docx
    from PIL import Image

    document = docx.Document()
    document.core_properties.title = "讲座通知"
    document.add_heading("讲座通知", 1)
    document.add_paragraph("欢迎参加力学前沿讲座。代孕")
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(picture, "PNG")
    picture.seek(0)
    document.add_picture(picture)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _mutate(base: bytes, cut: int, flips: list[tuple[int, int]]) -> bytes:
    data = bytearray(base[: max(1, cut)])
    for position, value in flips:
        data[position % len(data)] = value
    return bytes(data)


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in dict(entries).items():
            archive.writestr(name, data)
    return out.getvalue()


DOCX_PARTS = st.sampled_from(["[Content_Types].xml", "_rels/.rels", "word/document.xml",
                              "word/_rels/document.xml.rels", "docProps/core.xml", "x"])
DOCX = st.one_of(
    st.builds(lambda cut, flips: _mutate(base_docx(), cut, flips),
              st.integers(1, 1 << 16), st.lists(st.tuples(st.integers(0, 1 << 16),
                                                          st.integers(0, 255)), max_size=8)),
    st.lists(st.tuples(DOCX_PARTS, st.one_of(st.binary(max_size=200), HTML.map(_utf8))),
             max_size=5).map(_zip),
)


def check_docx(ctx: FuzzContext, data: bytes) -> None:
    _check_draft(ctx, ".docx", data)


# -- pictures -------------------------------------------------------------------------------------
@cache
def base_images() -> tuple[bytes, ...]:
    from PIL import Image

    pixels = np.random.default_rng(0).integers(0, 255, (16, 16, 3), dtype=np.uint8)
    picture = Image.fromarray(pixels)
    out = []
    for fmt, extra in [("PNG", {}), ("JPEG", {}), ("GIF", {"save_all": True,
                                                           "append_images": [picture]}),
                       ("BMP", {}), ("TIFF", {}), ("WEBP", {})]:
        buffer = io.BytesIO()
        picture.save(buffer, fmt, **extra)
        out.append(buffer.getvalue())
    return tuple(out)


PICTURE = st.one_of(
    st.builds(lambda which, cut, flips: _mutate(base_images()[which], cut, flips),
              st.integers(0, 5), st.integers(1, 4096),
              st.lists(st.tuples(st.integers(0, 4096), st.integers(0, 255)), max_size=6)),
    st.binary(max_size=100),
)


def check_picture(ctx: FuzzContext, data: bytes) -> None:
    image = _own_errors_only(lambda: decode_bytes(data, "fuzz.png", ImageConfig()))
    if image is not None:
        assert image.frames and all(f.dtype == np.uint8 and f.ndim == 3 for f in image.frames)


# -- archive rows ---------------------------------------------------------------------------------
ARCHIVE_KEYS = [*DRAFT_KEYS, "published_at"]
WHEN = st.sampled_from(["2024-03-01", "2024-03-01T09:30:00+08:00", "yesterday", "", "2024-02-30",
                        "9999-12-31T23:59:59-23:59"]) | ANY_TEXT
ROW = st.fixed_dictionaries({"published_at": WHEN},
                            optional={k: JSON_VALUE for k in DRAFT_KEYS})
JSONL = st.lists(st.one_of(ROW.map(lambda r: json.dumps(r, ensure_ascii=False)), ANY_TEXT,
                           JSON_VALUE.map(json.dumps)), max_size=6).map("\n".join)
CSV_CELL = st.one_of(ANY_TEXT, WHEN, st.sampled_from(['["img/a.png"]', "[1]", "{", '"', ",",
                                                      "\r\n"]))
CSV = st.builds(
    lambda header, rows: "\n".join([",".join(header)] + [",".join(r) for r in rows]),
    st.lists(st.sampled_from([*ARCHIVE_KEYS, "x", ""]), min_size=1, max_size=6),
    st.lists(st.lists(CSV_CELL, max_size=7), max_size=5))
ARCHIVE = st.one_of(st.tuples(st.just(".jsonl"), JSONL), st.tuples(st.just(".csv"), CSV))


def check_archive(ctx: FuzzContext, case: tuple[str, str]) -> None:
    suffix, text = case
    path = ctx.folder / f"archive{suffix}"
    path.write_bytes(_utf8(text))
    items = _own_errors_only(lambda: list(read_posts([path], ctx.settings)))
    for item in items or ():
        assert isinstance(item, Post | ScreenerError), type(item)
        if isinstance(item, ScreenerError):
            assert str(path) in str(item), item


# -- lexicon imports ------------------------------------------------------------------------------
IMPORT_LINE = st.one_of(
    st.sampled_from(TERMS), ANY_TEXT.map(lambda t: t[:30]),
    st.sampled_from(["# category: commercial", "# category: allow", "# severity: block",
                     "# category:", "#", "| boundary", "x | boundary=no", "y | colour",
                     "term,category,severity,boundary", ",,,", '"', "a,b,c,d,e,f"]),
    st.builds("{} | {}".format, st.sampled_from(TERMS),
              st.text(alphabet=string.printable, max_size=12)),
)
IMPORT = st.one_of(
    st.tuples(st.sampled_from([".txt", ".csv"]), st.lists(IMPORT_LINE, max_size=12)
              .map("\n".join).map(_utf8)),
    st.tuples(st.just(".json"), JSON_VALUE.map(
        lambda v: _utf8(json.dumps(v, ensure_ascii=False)))),
    st.tuples(st.sampled_from([".txt", ".csv", ".json"]), st.binary(max_size=200)),
)
CATEGORY = st.sampled_from([None, "commercial", "allow", "gossip"])


def check_import(ctx: FuzzContext, case: tuple[tuple[str, bytes], str | None]) -> None:
    (suffix, data), category = case
    path = ctx.folder / f"import{suffix}"
    path.write_bytes(data)
    plan = _own_errors_only(lambda: read_import(path, ctx.settings, category))
    if plan is None:
        return
    for line, entry in plan.accepted:
        assert line >= 1 and entry.term and entry.term == entry.term.strip()
    for rejected in plan.rejected:
        assert rejected.line >= 1 and rejected.reason


TARGETS = (
    Target("normalize", TEXT, check_normalize),
    Target("match", TEXT, check_match),
    Target("ingest_plain", PLAIN_DRAFT, check_plain_draft),
    Target("ingest_rich", RICH_DRAFT, check_rich_draft),
    Target("ingest_docx", DOCX, check_docx),
    Target("decode_image", PICTURE, check_picture),
    Target("archive_rows", ARCHIVE, check_archive),
    Target("lexicon_import", st.tuples(IMPORT, CATEGORY), check_import),
)
