"""Drafts with embedded pictures: ``.html`` (WeChat article export), ``.md`` and ``.docx``.

``parse_rich_draft(path, settings)`` returns a Draft whose ``images`` the images stage checks:

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
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import InputError
from .ingest import check_image_count, local_image
from .model import Draft
from .settings import Settings

RICH_SUFFIXES = (".html", ".htm", ".md", ".docx")
# Exports with inline pictures are far larger than text drafts; text limits still apply.
MAX_RICH_BYTES = 60_000_000
_MIME_EXT = {"image/png": ".png", "image/jpeg": ".jpg", "image/jpg": ".jpg", "image/gif": ".gif",
             "image/webp": ".webp", "image/bmp": ".bmp"}
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_BLOCK = {"p", "div", "br", "section", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "img",
          "blockquote", "figure", "figcaption", "table"}
_SKIP = {"script", "style", "head", "noscript", "template"}


def parse_rich_draft(path: Path, settings: Settings) -> Draft:
    path = Path(path)
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in RICH_SUFFIXES:
        raise InputError(source, f"unsupported file type {suffix!r}; this reader takes "
                                 f"{', '.join(RICH_SUFFIXES)}")
    data = _read_bytes(path)
    inline = Path(settings.home) / "cache" / "inline"
    if suffix == ".docx":
        title, body, images = _docx(data, source, inline, settings)
    else:
        text = _decode(data, source)
        if suffix == ".md":
            title, body, images = _markdown(text, settings, source)
        else:
            title, body, images = _html(text, source, inline)
        # before a single inline picture is written
        check_image_count(len(images), source, settings)
        images = [_resolve(ref, index, path.parent, inline, source)
                  for index, ref in enumerate(images)]
    return _draft(title, body, images, source, settings)


def _read_bytes(path: Path) -> bytes:
    from .ingest import read_bounded

    return read_bounded(path, MAX_RICH_BYTES, noun="rich drafts")


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(source, f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset "
                                 f"{exc.start}") from None


def _draft(title: str, body: str, images: list[str], source: str, settings: Settings) -> Draft:
    from .ingest import checked_draft

    return checked_draft(source, settings, title=title, body=body, images=tuple(images))


def _markdown(text: str, settings: Settings, source: str) -> tuple[str, str, list[str]]:
    from .ingest import parse_draft

    # Title and body exactly as plain .md drafts; the image links stay in the body text so
    # offsets of findings still point into what the operator wrote.
    draft = parse_draft(text, source, ".md", settings)
    return draft.title, draft.body, _MD_IMAGE.findall(text)


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
    if lowered.startswith(("http://", "https://", "//")):
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


def _html(text: str, source: str, inline: Path) -> tuple[str, str, list[str]]:
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    body = re.sub(r"[ \t\r\f\v]*\n[\s]*", "\n", "".join(parser.parts)).strip()
    title = " ".join((parser.title or parser.h1).split())
    return title, body, parser.images


def _docx(data: bytes, source: str, inline: Path, settings: Settings
          ) -> tuple[str, str, list[str]]:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # A zip bomb is refused from its directory before anything is inflated.
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise InputError(source, "not a .docx file (not a zip archive)") from None
    if unpacked > 4 * MAX_RICH_BYTES:
        raise InputError(source, f"unpacks to {unpacked:,} bytes; refusing")
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        title, body = _docx_text(document)
        images = _docx_images(document, inline, source, settings)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001
        # python-docx parses lazily with lxml and zipfile underneath: a hostile file surfaces as
        # XMLSyntaxError, KeyError, AttributeError, BadZipFile... anywhere above. All mean the same.
        raise InputError(source, f"not a readable .docx file ({type(exc).__name__}: "
                                 f"{str(exc)[:200]})") from None
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
            if not ref.lower().startswith(("http://", "https://", "//")):
                # a linked (not embedded) picture naming a file: never read from here
                raise InputError(source, f"images[{len(images)}] {ref[:200]!r} is linked to a "
                                         "file, not embedded; embed the picture in the document")
            images.append(ref)
            continue
        part = rel.target_part
        ext = _MIME_EXT.get(part.content_type, Path(str(part.partname)).suffix or ".bin")
        images.append(_store_inline(part.blob, ext, inline))
    return images
