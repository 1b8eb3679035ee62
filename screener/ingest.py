"""Reading drafts from files: ``.json``, ``.txt`` and ``.md``.

Every problem becomes an ``InputError`` naming the file and what is wrong with it, so a caller can
report it in one line and go on with the other drafts.

* ``.json``: ``{"title", "body", "images": [paths], "account", "platform", "author", "id"}``; all
  keys optional, no others allowed (a typo such as ``"boby"`` is an error, not an empty body).
* ``.md``: a first line ``# Title`` is the title; the rest is the body.
* ``.txt``: a first line followed by an empty line is the title; otherwise it is all body.
* ``.html`` (a WeChat article export), ``.docx``, and the pictures of ``.md``: ingest_rich.py.

Image paths are resolved against the draft file's folder.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import InputError
from .model import Draft, Platform
from .settings import Settings

SUFFIXES = (".json", ".txt", ".md", ".html", ".htm", ".docx")
_RICH = (".md", ".html", ".htm", ".docx")  # drafts that can carry pictures: ingest_rich.py
# A post carries a few dozen pictures; a draft file may carry 200 (max_images_per_file). Each
# picture is decoded, hashed and read by OCR, so thousands are a denial of service, not a post.
# JSON can spell half a UTF-16 pair ("\ud800"); such text cannot be printed or stored as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")


class DraftFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = ""
    title: str = ""
    body: str = ""
    images: list[str] = []
    account: str = ""
    platform: Literal["wechat", "weibo", "other"] = "other"
    author: str = ""


def read_bounded(path: Path, limit: int, *, error: type[InputError] = InputError,
                 kind: str = "a draft file", noun: str = "drafts", limit_name: str = "",
                 missing: str = "no such file") -> bytes:
    """A file's bytes, refusing folders and files over ``limit`` before reading them; every
    failure is one ``error`` naming the file (drafts, rich drafts and images share this)."""
    source = str(path)
    try:
        if path.is_dir():
            raise error(source, f"is a folder, not {kind}")
        size = path.stat().st_size
        if size > limit:
            named = f" ({limit_name})" if limit_name else ""
            raise error(source, f"file is {size:,} bytes; {noun} are at most {limit:,} "
                                f"bytes{named}")
        return path.read_bytes()
    except FileNotFoundError:
        raise error(source, missing) from None
    except PermissionError:
        raise error(source, "permission denied") from None
    except OSError as exc:
        raise error(source, f"cannot read: {exc.strerror or exc}") from None


def decode_utf8(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(source, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                                 f"{exc.start}); save the file as UTF-8") from None


def _read_text(path: Path, settings: Settings) -> str:
    data = read_bounded(path, settings.max_file_bytes, limit_name="max_file_bytes")
    return decode_utf8(data, str(path))


def load_json(text: str, source: str) -> object:
    """Parse JSON; any failure, deep nesting included, is one InputError naming where."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"invalid JSON at line {exc.lineno} column {exc.colno}: "
                                 f"{exc.msg}") from None
    except RecursionError:
        raise InputError(source, "invalid JSON: nested too deeply") from None


def _from_json(text: str, source: str) -> DraftFile:
    data = load_json(text, source)
    if not isinstance(data, dict):
        raise InputError(source, f"expected a JSON object, got {type(data).__name__}")
    try:
        return DraftFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "draft"
        if err["type"] == "extra_forbidden":
            known = ", ".join(DraftFile.model_fields)
            raise InputError(source, f"unknown key {where!r} (known keys: {known})") from None
        raise InputError(source, f"{where}: {err['msg']}") from None


def _split_title(text: str, markdown: bool) -> tuple[str, str]:
    first, newline, rest = text.partition("\n")
    if markdown:
        if first.startswith("# "):
            return first[2:].strip(), rest.lstrip("\n")
        return "", text
    if newline and rest[:1] in ("\n", "\r"):
        return first.strip(), rest.lstrip("\r\n")
    return "", text


def parse_draft(text: str, source: str, suffix: str, settings: Settings,
                base: Path | None = None) -> Draft:
    """Build a draft from already-decoded text (used for files and for uploads)."""
    suffix = suffix.lower()
    if suffix == ".json":
        fields = _from_json(text, source)
    elif suffix in (".txt", ".md"):
        title, body = _split_title(text, markdown=suffix == ".md")
        fields = DraftFile(title=title, body=body)
    else:
        raise InputError(source, f"unsupported file type {suffix or '(none)'!r}; "
                                 f"use one of {', '.join(SUFFIXES)}")
    images = tuple(local_image(ref, index, base, source)
                   for index, ref in enumerate(fields.images))
    return checked_draft(source, settings, id=fields.id, title=fields.title, body=fields.body,
                         images=images, account=fields.account,
                         platform=Platform(fields.platform), author=fields.author)


def check_image_count(pictures: int, source: str, settings: Settings) -> None:
    if pictures > settings.max_images_per_file:
        raise InputError(source, f"{pictures:,} images; a draft has at most "
                                 f"{settings.max_images_per_file} (max_images_per_file)")


def local_image(ref: str, index: int, base: Path | None, source: str) -> str:
    """A picture named by path, which must lie in the draft's folder or below it once ``..``
    and symbolic links are resolved: a draft must not make the screener read, OCR and quote
    ``/etc/passwd`` or another user's files. An upload (``base`` None) has no folder at all.
    Remote links are kept; the images stage reports them as never fetched."""
    if ref.lower().startswith(("http://", "https://", "//")):
        return ref
    where = f"images[{index}] {ref[:200]!r}"
    if base is None:
        raise InputError(source, f"{where}: an uploaded draft cannot name pictures by path; "
                                 "upload them as images")
    path = Path(ref) if Path(ref).is_absolute() else base / ref
    try:
        inside = path.resolve().is_relative_to(base.resolve())
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL in the name
        inside = False
    if not inside:
        raise InputError(source, f"{where} is outside the draft's folder {str(base)!r}; "
                                 "pictures must be in that folder or below it")
    return str(path)


def checked_draft(source: str, settings: Settings, **fields) -> Draft:
    """A Draft, after the checks every ingester owes it: valid Unicode, not empty, not too long."""
    title, body, images = fields.get("title", ""), fields.get("body", ""), fields.get("images", ())
    for name, text in (("title", title), ("body", body)):
        lone = _SURROGATE.search(text)
        if lone:
            raise InputError(source, f"{name} has an unpaired surrogate "
                                     f"\\u{ord(lone.group()):04x} at offset {lone.start()} "
                                     "(not valid Unicode text)")
    check_image_count(len(images), source, settings)
    if not title.strip() and not body.strip() and not images:
        raise InputError(source, "empty draft: no title, body or images")
    length = len(title) + len(body)
    if length > settings.max_body_chars:
        raise InputError(source, f"title and body are {length:,} characters; the limit is "
                                 f"{settings.max_body_chars:,} (max_body_chars)")
    return Draft(**fields)


def expand_paths(paths: list[Path]) -> list[Path]:
    """Folders stand for the draft files below them (sorted); files stay as given, in order."""
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir():
            expanded.extend(sorted(p for p in path.rglob("*")
                                   if p.is_file() and p.suffix.lower() in SUFFIXES))
        else:
            expanded.append(path)
    return expanded


def load_draft(path: Path, settings: Settings) -> Draft:
    source = str(path)
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(source, f"unsupported file type {path.suffix or '(none)'!r}; "
                                 f"use one of {', '.join(SUFFIXES)}")
    if path.suffix.lower() in _RICH:
        from .ingest_rich import parse_rich_draft

        return parse_rich_draft(path, settings)
    text = _read_text(path, settings)
    return parse_draft(text, source, path.suffix, settings, base=path.parent)
