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
        raise InputError(source, f"有 {pictures:,} 张图片；一篇稿件最多 "
                                 f"{settings.max_images_per_file} 张（max_images_per_file）")


def local_image(ref: str, index: int, base: Path | None, source: str) -> str:
    """A picture named by path, which must lie in the draft's folder or below it once ``..``
    and symbolic links are resolved: a draft must not make the screener read, OCR and quote
    ``/etc/passwd`` or another user's files. An upload (``base`` None) has no folder at all.
    Remote links are kept; the images stage reports them as never fetched."""
    if ref.lower().startswith(REMOTE):
        return ref
    where = f"images[{index}] {ref[:200]!r}"
    if base is None:
        raise InputError(source, f"{where}：上传的稿件不能用路径指定图片；"
                                 "请把图片作为 images 一并上传")
    path = Path(ref) if Path(ref).is_absolute() else base / ref
    try:
        inside = path.resolve().is_relative_to(base.resolve())
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL in the name
        inside = False
    if not inside:
        raise InputError(source, f"{where} 不在稿件所在文件夹 {str(base)!r} 内；"
                                 "图片须放在该文件夹或其子文件夹中")
    return str(path)


def checked_draft(source: str, settings: Settings, **fields) -> Draft:
    """A Draft, after the checks every ingester owes it: valid Unicode, not empty, not too long."""
    title, body, images = fields.get("title", ""), fields.get("body", ""), fields.get("images", ())
    for name, text in (("title", title), ("body", body)):
        lone = _SURROGATE.search(text)
        if lone:
            raise InputError(source, f"{name} 含有不成对的代理码位 \\u{ord(lone.group()):04x}"
                                     f"（偏移 {lone.start()}），不是有效的 Unicode 文本")
    check_image_count(len(images), source, settings)
    if not title.strip() and not body.strip() and not images:
        raise InputError(source, "稿件是空的：没有标题、正文或图片")
    length = len(title) + len(body)
    if length > settings.max_body_chars:
        raise InputError(source, f"标题加正文 {length:,} 字，超过上限 "
                                 f"{settings.max_body_chars:,} 字（max_body_chars）")
    return Draft(**fields)
