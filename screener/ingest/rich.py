"""Drafts with embedded pictures: ``.md`` (image links), ``.html`` (a WeChat article export) and
``.docx``; the table of file types (``ingest.FILE_TYPES``) sends them here.

The Draft's ``images`` are what the images stage checks:

* local files are resolved against the draft's folder;
* inline pictures (``data:`` URIs, pictures inside a .docx) are written once, named by their
  sha256, to ``<home>/cache/inline/``;
* remote links are never fetched: they stay URLs, and the images stage reports them as not
  checked (fail closed).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import InputError
from ..model import Draft
from ..settings import Settings
from .checks import REMOTE, check_image_count, checked_draft, local_image
from .read import decode_utf8, read_bounded
from .text import parse_draft

# Exports with inline pictures are far larger than text drafts; text limits still apply.
MAX_RICH_BYTES = 60_000_000
_MIME_EXT = {"image/png": ".png", "image/jpeg": ".jpg", "image/jpg": ".jpg", "image/gif": ".gif",
             "image/webp": ".webp", "image/bmp": ".bmp"}
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_BLOCK = {"p", "div", "br", "section", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "img",
          "blockquote", "figure", "figcaption", "table"}
_SKIP = {"script", "style", "head", "noscript", "template"}


def read_markdown(path: Path, settings: Settings) -> Draft:
    # Title and body exactly as plain .md drafts; the image links stay in the body text so
    # offsets of findings still point into what the operator wrote.
    source, text = _read_text(path)
    draft = parse_draft(text, source, ".md", settings)
    return _with_pictures(path, draft.title, draft.body, _MD_IMAGE.findall(text), settings)


def read_html(path: Path, settings: Settings) -> Draft:
    source, text = _read_text(path)
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    body = re.sub(r"[ \t\r\f\v]*\n[\s]*", "\n", "".join(parser.parts)).strip()
    title = " ".join((parser.title or parser.h1).split())
    return _with_pictures(path, title, body, parser.images, settings)


def read_docx(path: Path, settings: Settings) -> Draft:
    source = str(path)
    data = read_bounded(path, MAX_RICH_BYTES, noun="带图片的稿件")
    title, body, images = _docx(data, source, _inline(settings), settings)
    return checked_draft(source, settings, title=title, body=body, images=tuple(images))


def _inline(settings: Settings) -> Path:
    return Path(settings.home) / "cache" / "inline"


def _read_text(path: Path) -> tuple[str, str]:
    source = str(path)
    return source, decode_utf8(read_bounded(path, MAX_RICH_BYTES, noun="带图片的稿件"), source)


def _with_pictures(path: Path, title: str, body: str, refs: list[str],
                   settings: Settings) -> Draft:
    source = str(path)
    # before a single inline picture is written
    check_image_count(len(refs), source, settings)
    images = tuple(_resolve(ref, index, path.parent, _inline(settings), source)
                   for index, ref in enumerate(refs))
    return checked_draft(source, settings, title=title, body=body, images=images)


def _store_inline(data: bytes, ext: str, folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{hashlib.sha256(data).hexdigest()}{ext}"
    if not target.exists():
        temp = target.with_suffix(target.suffix + ".tmp")
        temp.write_bytes(data)
        temp.replace(target)
    return str(target)


def _resolve(ref: str, index: int, base: Path, inline: Path, source: str) -> str:
    ref = ref.strip()
    lowered = ref.lower()
    if lowered.startswith(REMOTE):
        return ref  # never fetched; the images stage reports it as not checked
    if lowered.startswith("data:"):
        header, _, payload = ref.partition(",")
        mime = header[5:].split(";")[0].strip().lower()
        try:
            data = (base64.b64decode(payload, validate=False) if ";base64" in header.lower()
                    else unquote(payload).encode("latin-1"))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            data = b""  # stored empty: the images stage reports it as unreadable
        return _store_inline(data, _MIME_EXT.get(mime, ".bin"), inline)
    if lowered.startswith("file:"):
        ref = urlsplit(ref).path
    return local_image(unquote(ref), index, base, source)


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.images: list[str] = []
        self.title = ""
        self.h1 = ""
        self._skip = 0
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self._skip += 1
        if tag == "title" or tag == "h1":
            self._in.append(tag)
        if tag == "img":
            found = dict(attrs)
            # WeChat exports lazy-load: the real picture is in data-src, src is a placeholder.
            ref = found.get("data-src") or found.get("src")
            if ref:
                self.images.append(ref)
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIP and self._skip:
            self._skip -= 1
        if self._in and self._in[-1] == tag:
            self._in.pop()
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if "title" in self._in:
            self.title += data
            return
        if self._skip:
            return
        if "h1" in self._in:
            self.h1 += data
        self.parts.append(data)


def _docx(data: bytes, source: str, inline: Path, settings: Settings
          ) -> tuple[str, str, list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # A zip bomb is refused from its directory before anything is inflated.
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise InputError(source, "不是 .docx 文件（不是 zip 压缩包）") from None
    if unpacked > 4 * MAX_RICH_BYTES:
        raise InputError(source, f"解压后有 {unpacked:,} 字节，拒绝读取")
    import docx  # python-docx loads lxml (measured: 20-60 ms of a CLI start); only for .docx

    try:
        document = docx.Document(io.BytesIO(data))
        title, body = _docx_text(document)
        images = _docx_images(document, inline, source, settings)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001
        # python-docx parses lazily with lxml and zipfile underneath: a hostile file surfaces as
        # XMLSyntaxError, KeyError, AttributeError, BadZipFile... anywhere above. All mean the same.
        raise InputError(source, f"无法读取的 .docx 文件（{type(exc).__name__}: "
                                 f"{str(exc)[:200]}）") from None
    return title, body, images


def _docx_text(document) -> tuple[str, str]:
    title = (document.core_properties.title or "").strip()
    lines = []
    for paragraph in document.paragraphs:
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if not title and style in ("Title", "Heading 1") and paragraph.text.strip():
            title = paragraph.text.strip()
            continue
        lines.append(paragraph.text)
    return title, "\n".join(lines).strip()


def _docx_images(document, inline: Path, source: str, settings: Settings) -> list[str]:
    """Pictures in document order (a:blip elements), inline ones stored, linked ones as URLs."""
    blip = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    rels = document.part.rels
    images = []
    elements = list(document.element.body.iter(blip))
    check_image_count(len(elements), source, settings)
    for element in elements:
        rel_id = element.get(f"{rel_ns}embed") or element.get(f"{rel_ns}link")
        rel = rels.get(rel_id) if rel_id else None
        if rel is None:
            continue
        if rel.is_external:
            ref = rel.target_ref
            if not ref.lower().startswith(REMOTE):
                # a linked (not embedded) picture naming a file: never read from here
                raise InputError(source, f"images[{len(images)}] {ref[:200]!r} 是链接到文件的"
                                         "图片，没有嵌入文档；请把图片嵌入文档")
            images.append(ref)
            continue
        part = rel.target_part
        ext = _MIME_EXT.get(part.content_type, Path(str(part.partname)).suffix or ".bin")
        images.append(_store_inline(part.blob, ext, inline))
    return images
