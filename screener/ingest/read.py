"""Reading bytes and text with limits: every failure is one ``InputError`` naming the source.

Draft files, rich drafts, pictures and lexicon imports all read through here.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError


def read_bounded(path: Path, limit: int, *, error: type[InputError] = InputError,
                 kind: str = "稿件文件", noun: str = "稿件", limit_name: str = "",
                 missing: str = "找不到文件") -> bytes:
    """A file's bytes, refusing folders and files over ``limit`` before reading them; every
    failure is one ``error`` naming the file (drafts, rich drafts and images share this)."""
    source = str(path)
    try:
        if path.is_dir():
            raise error(source, f"是文件夹，不是{kind}")
        size = path.stat().st_size
        if size > limit:
            named = f"（{limit_name}）" if limit_name else ""
            raise error(source, f"文件有 {size:,} 字节；{noun}最多 {limit:,} 字节{named}")
        return path.read_bytes()
    except FileNotFoundError:
        raise error(source, missing) from None
    except PermissionError:
        raise error(source, "没有读取权限") from None
    except OSError as exc:
        raise error(source, f"无法读取（{exc.strerror or exc}）") from None


def decode_utf8(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(source, f"不是有效的 UTF-8 编码（偏移 {exc.start} 处的字节 "
                                 f"0x{data[exc.start]:02x}）；请将文件另存为 UTF-8") from None


def load_json(text: str, source: str) -> object:
    """Parse JSON; any failure, deep nesting included, is one InputError naming where."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列："
                                 f"{exc.msg}）") from None
    except RecursionError:
        raise InputError(source, "不是有效的 JSON：嵌套过深") from None
