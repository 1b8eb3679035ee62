"""Sources from files: ``.txt``, ``.md``, ``.html``, ``.docx`` and ``.json``, read by the same
ingesters as drafts (``screener.ingest``), and folders of them.

A file's title (its first line, ``# Title``, ``<title>``...) is the source's title (else the
file's name) and the first paragraph of its text, so a draft that copies the title is matched
too. A file that cannot be read is reported with its reason and the others are still read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError, ScreenerError
from ..ingest import SUFFIXES, expand_paths, load_draft
from ..settings import Settings
from .bank import SourceText


def source_paths(paths: list[Path]) -> list[Path]:
    """Files as given; folders stand for the readable files below them, sorted."""
    return expand_paths(paths)


def read_source(path: Path, settings: Settings, **known: str) -> SourceText:
    """One file as a source; ``known``: owner, license, url, author, title (a given title
    wins over the file's own)."""
    if not path.exists():
        raise InputError(str(path), "没有这个文件")
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(str(path), f"不支持的文件类型 {path.suffix or '（无扩展名）'!r}；"
                                    f"可用 {', '.join(SUFFIXES)}")
    try:
        draft = load_draft(path, settings)
    except InputError:
        raise
    except (ScreenerError, OSError) as exc:
        raise InputError(str(path), str(exc)) from None
    title = known.pop("title", "") or draft.title or path.stem
    text = f"{draft.title}\n\n{draft.body}" if draft.title and draft.body else (
        draft.body or draft.title)
    return SourceText(text=text, title=title, file=str(path), kind="file", **known)


def read_sources(paths: list[Path], settings: Settings, **known: str
                 ) -> Iterator[SourceText | InputError]:
    for path in source_paths(paths):
        try:
            yield read_source(path, settings, **known)
        except InputError as exc:
            yield exc
