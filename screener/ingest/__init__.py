"""Reading drafts from files, through one table of file types (``FILE_TYPES``).

Every problem becomes an ``InputError`` naming the file and what is wrong with it, so a caller can
report it in one line and go on with the other drafts.

* ``read``: bytes and text with limits (``read_bounded``, ``decode_utf8``, ``load_json``);
* ``checks``: what every reader owes a draft (``checked_draft``, picture paths, counts);
* ``text``: ``.json``, ``.txt`` and the text of ``.md`` (``parse_draft`` for decoded text);
* ``rich``: drafts with pictures: ``.md`` image links, ``.html`` exports, ``.docx``.

Image paths are resolved against the draft file's folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..model import Draft
from ..settings import Settings
from .checks import check_image_count, checked_draft, local_image
from .read import decode_utf8, load_json, read_bounded
from .rich import read_docx, read_html, read_markdown
from .text import DraftFile, parse_draft, read_text_draft


@dataclass(frozen=True)
class FileType:
    meaning: str
    read: Callable[[Path, Settings], Draft]
    # An export that can carry its pictures inside: read with the larger rich-draft limit, the
    # pictures stored in the state folder's cache.
    rich: bool = False


FILE_TYPES: dict[str, FileType] = {
    ".json": FileType("a draft as JSON (title, body, images, account, platform, author, id)",
                      read_text_draft),
    ".txt": FileType("plain text; a first line and an empty line make the title",
                     read_text_draft),
    ".md": FileType("Markdown; '# Title' first, image links checked", read_markdown, rich=True),
    ".html": FileType("a WeChat article export with its pictures", read_html, rich=True),
    ".htm": FileType("a WeChat article export with its pictures", read_html, rich=True),
    ".docx": FileType("a Word document with its embedded pictures", read_docx, rich=True),
}
SUFFIXES = tuple(FILE_TYPES)
RICH_SUFFIXES = tuple(suffix for suffix, kind in FILE_TYPES.items() if kind.rich)


def load_draft(path: Path, settings: Settings) -> Draft:
    kind = FILE_TYPES.get(path.suffix.lower())
    if kind is None:
        raise InputError(str(path), (f"不支持的文件类型 {path.suffix!r}" if path.suffix
                                     else "文件没有扩展名") + f"；请用 {'、'.join(SUFFIXES)}")
    return kind.read(path, settings)


def parse_rich_draft(path: Path, settings: Settings) -> Draft:
    """A draft that carries its pictures (an upload saved to a file, say); other types are
    refused."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in RICH_SUFFIXES:
        raise InputError(str(path), f"不支持的文件类型 {suffix!r}；这里只读 "
                                    f"{'、'.join(RICH_SUFFIXES)}")
    return FILE_TYPES[suffix].read(path, settings)


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


__all__ = [
    "FILE_TYPES", "RICH_SUFFIXES", "SUFFIXES", "DraftFile", "FileType", "check_image_count",
    "checked_draft", "decode_utf8", "expand_paths", "load_draft", "load_json", "local_image",
    "parse_draft", "parse_rich_draft", "read_bounded",
]
