"""Reading bytes and text with limits: every failure is one ``InputError`` naming the source.

Draft files, rich drafts, pictures and lexicon imports all read through here.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError


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


def load_json(text: str, source: str) -> object:
    """Parse JSON; any failure, deep nesting included, is one InputError naming where."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"invalid JSON at line {exc.lineno} column {exc.colno}: "
                                 f"{exc.msg}") from None
    except RecursionError:
        raise InputError(source, "invalid JSON: nested too deeply") from None
