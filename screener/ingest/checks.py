"""What every reader owes a draft before it is screened: valid Unicode, not empty, not too long,
not too many pictures, and pictures only from the draft's own folder."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from ..model import Draft
from ..settings import Settings

REMOTE = ("http://", "https://", "//")
# JSON can spell half a UTF-16 pair ("\ud800"); such text cannot be printed or stored as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_image_count(pictures: int, source: str, settings: Settings) -> None:
    # A post carries a few dozen pictures at most. Each picture is decoded, hashed and read by
    # OCR, so thousands are a denial of service, not a post.
    if pictures > settings.max_images_per_file:
        raise InputError(source, f"{pictures:,} images; a draft has at most "
                                 f"{settings.max_images_per_file} (max_images_per_file)")


def local_image(ref: str, index: int, base: Path | None, source: str) -> str:
    """A picture named by path, which must lie in the draft's folder or below it once ``..``
    and symbolic links are resolved: a draft must not make the screener read, OCR and quote
    ``/etc/passwd`` or another user's files. An upload (``base`` None) has no folder at all.
    Remote links are kept; the images stage reports them as never fetched."""
    if ref.lower().startswith(REMOTE):
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
