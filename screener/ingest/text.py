"""Drafts written as text: ``.json``, ``.txt`` and ``.md`` (the text of a Markdown draft; its
pictures are rich.py's).

* ``.json``: ``{"title", "body", "images": [paths], "account", "platform", "author", "id"}``; all
  keys optional, no others allowed (a typo such as ``"boby"`` is an error, not an empty body).
* ``.md``: a first line ``# Title`` is the title; the rest is the body.
* ``.txt``: a first line followed by an empty line is the title; otherwise it is all body.

``parse_draft`` takes text already decoded (a file's, an upload's, an archive row's); image
paths are resolved against ``base``, the draft file's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import InputError
from ..model import Draft, Platform
from ..settings import Settings
from .checks import checked_draft, local_image
from .read import decode_utf8, load_json, read_bounded

TEXT_SUFFIXES = (".json", ".txt", ".md")
# What pydantic found wrong with a field of a draft file, by its error type (any other: its own
# words).
_FIELD_PROBLEMS = {"string_type": "应为文字", "list_type": "应为列表",
                   "literal_error": "不是允许的取值", "missing": "必须填写"}


def field_problem(err: dict) -> str:
    """One error of pydantic's about a draft's field, in Chinese: ``title：应为文字``."""
    problem = _FIELD_PROBLEMS.get(err["type"], err["msg"])
    if err["type"] == "literal_error":  # pydantic's "'a', 'b' or 'c'"
        expected = str(err.get("ctx", {}).get("expected", "")).replace(" or ", ", ")
        problem += f"（可选：{'、'.join(expected.split(', '))}）"
    where = ".".join(str(p) for p in err["loc"]) or "稿件"
    return f"{where}：{problem}"


# Every platform the rule covers (第十六条), spelled as in the draft file.
PlatformName = Literal[tuple(str(p) for p in Platform)]  # type: ignore[valid-type]


class DraftFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = ""
    title: str = ""
    body: str = ""
    images: list[str] = []
    account: str = ""
    platform: PlatformName = "other"
    author: str = ""


def _from_json(text: str, source: str) -> DraftFile:
    data = load_json(text, source)
    if not isinstance(data, dict):
        raise InputError(source, f"应为 JSON 对象，而不是 {type(data).__name__}")
    try:
        return DraftFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        if err["type"] == "extra_forbidden":
            where = ".".join(str(p) for p in err["loc"])
            known = "、".join(DraftFile.model_fields)
            raise InputError(source, f"未知字段 {where!r}（可用的字段：{known}）") from None
        raise InputError(source, field_problem(err)) from None


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
        raise InputError(source, (f"不支持的文件类型 {suffix!r}" if suffix else "文件没有扩展名")
                         + f"；请用 {'、'.join(TEXT_SUFFIXES)}")
    images = tuple(local_image(ref, index, base, source)
                   for index, ref in enumerate(fields.images))
    return checked_draft(source, settings, id=fields.id, title=fields.title, body=fields.body,
                         images=images, account=fields.account,
                         platform=Platform(fields.platform), author=fields.author)


def read_text_draft(path: Path, settings: Settings) -> Draft:
    """A ``.json`` or ``.txt`` draft file."""
    data = read_bounded(path, settings.max_file_bytes, limit_name="max_file_bytes")
    return parse_draft(decode_utf8(data, str(path)), str(path), path.suffix, settings,
                       base=path.parent)
