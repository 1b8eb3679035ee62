"""Reading a submission: a JSON body, or a multipart form with pictures and/or a draft file.

Parsing only: the result goes to ``usecases.drafts.submit``. A picture referenced by path or URL
is refused, never read or fetched: the server never reads its own files or fetches a link on an
uploader's behalf.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.formparsers import MultiPartException, MultiPartParser, parse_options_header

from screener.errors import InputError
from screener.ingest import SUFFIXES, decode_utf8, parse_draft, parse_rich_draft
from screener.settings import Settings

from .errors import BadRequest, ServiceError
from .schemas import DraftIn
from .usecases.drafts import Image

RICH_UPLOADS = (".html", ".htm", ".docx")


def _rich(raw: bytes, name: str, suffix: str, settings: Settings) -> tuple[Any, list[Image]]:
    """A WeChat HTML export or a .docx, with its embedded pictures.

    Only pictures carried inside the upload (``data:`` URIs, pictures in the .docx) are taken;
    a reference to any other file or URL is refused.
    """
    # Everything the reader writes (the upload, its data: pictures) stays in a temporary
    # folder removed when the request ends: a refused upload leaves nothing in the state folder.
    with tempfile.TemporaryDirectory() as folder:
        inline = (Path(folder) / "cache" / "inline").resolve()
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(raw)

        def hide(text: str) -> str:  # the upload's name, never the server's folder
            return text.replace(str(path), name).replace(str(Path(folder).resolve()), "") \
                .replace(folder, "")

        try:
            draft = parse_rich_draft(path, settings.model_copy(update={"home": Path(folder)}))
        except InputError as exc:
            raise BadRequest("{name}: {problem}", field="file", name=repr(name),
                             problem=hide(exc.problem)) from None
        images = []
        for ref in draft.images:
            local = Path(ref).resolve() if "://" not in ref and not ref.startswith("//") \
                else None
            if local is None or local.parent != inline or not local.is_file():
                raise BadRequest("{name}: picture {ref} is not inside the file; upload it as an "
                                 "image", field="file", name=name, ref=repr(hide(ref)[:200]))
            images.append(Image(local.name, local.read_bytes()))
    return draft, images


class _StrictParser(MultiPartParser):
    """Starlette's multipart parser, but a text field or a file name that is not UTF-8 is
    refused: Starlette would read it as Latin-1 and screen mojibake."""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._current_part.content_disposition)
        for key in (b"name", b"filename"):
            _utf8(options.get(key, b""), f"the form's {key.decode()} of a part")
        super().on_headers_finished()

    def on_part_end(self) -> None:
        if self._current_part.file is None:
            _utf8(self._current_part.data, f"form field {self._current_part.field_name!r}")
        super().on_part_end()


def _utf8(data: bytes | bytearray | str, what: str) -> None:
    if isinstance(data, str):
        return
    try:
        bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest("{what} is not UTF-8: byte {byte} at offset {offset}", field="body",
                         what=what, byte=format(data[exc.start], "#04x"),
                         offset=exc.start) from None


async def strict_form(request: Request, *, max_files: int, max_fields: int,
                      max_part_size: int) -> FormData:
    """A multipart form whose text is UTF-8, with Starlette's limits."""
    parser = _StrictParser(request.headers, request.stream(), max_files=max_files,
                           max_fields=max_fields, max_part_size=max_part_size)
    try:
        return await parser.parse()
    except MultiPartException as exc:
        raise HTTPException(400, exc.message) from None


async def _multipart(request: Request, settings: Settings,
                     max_images: int) -> tuple[DraftIn, list[Image]]:
    form = await strict_form(request, max_files=max_images + 1, max_fields=20,
                             max_part_size=4 * 1024 * 1024)
    fields: dict[str, Any] = {}
    images: list[Image] = []
    for key, value in form.multi_items():
        if isinstance(value, str):
            if key not in ("account_id", "title", "body", "author"):
                raise BadRequest("unknown form field {key}", field=key, key=repr(key))
            fields[key] = value
        elif key == "images":
            images.append(Image(value.filename or "image", await value.read()))
        elif key == "file":
            name = value.filename or "draft"
            suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
            raw = await value.read()
            if suffix in RICH_UPLOADS:
                parsed, embedded = await run_in_threadpool(_rich, raw, name, suffix, settings)
                images.extend(embedded)
                fields.setdefault("title", parsed.title)
                fields.setdefault("body", parsed.body)
                continue
            if suffix not in SUFFIXES:
                raise BadRequest("draft file {name}: use one of {types}", field="file",
                                 name=repr(name), types=", ".join((*SUFFIXES, *RICH_UPLOADS)))
            parsed = parse_draft(decode_utf8(raw, name), name, suffix, settings)
            fields.setdefault("title", parsed.title)
            fields.setdefault("body", parsed.body)
            fields.setdefault("author", parsed.author)
        else:
            raise BadRequest("unexpected file field {key} (use 'images' or 'file')", field=key,
                             key=repr(key))
    if "account_id" not in fields:
        raise BadRequest("account_id is required", field="account_id")
    try:
        fields["account_id"] = int(fields["account_id"])
    except ValueError:
        raise BadRequest("account_id must be an integer", field="account_id") from None
    return DraftIn(**fields), images


def _json(raw: bytes) -> DraftIn:
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BadRequest("the body is not UTF-8: byte {byte} at offset {offset}", field="body",
                         byte=format(raw[exc.start], "#04x"), offset=exc.start) from None
    except RecursionError:
        raise BadRequest("the body is not valid JSON: nested too deeply", field="body") from None
    except ValueError:
        raise BadRequest("the body is not valid JSON", field="body") from None
    if not isinstance(data, dict):
        raise BadRequest("expected a JSON object", field="body")
    try:
        return DraftIn.model_validate(data)
    except ValueError as exc:
        err = exc.errors()[0]  # type: ignore[attr-defined]
        field = ".".join(str(x) for x in err["loc"]) or "body"
        raise BadRequest.invalid(err, field) from None


async def submission(request: Request, settings: Settings,
                     max_images: int) -> tuple[DraftIn, list[Image]]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        return await _multipart(request, settings, max_images)
    if kind == "application/json":
        return _json(await request.body()), []
    raise ServiceError("send application/json or multipart/form-data", field="content-type")


async def asset_upload(request: Request, allowed: tuple[str, ...]
                       ) -> tuple[tuple[str, bytes], dict[str, str]]:
    """The picture and the text fields of an asset registration (multipart)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "multipart/form-data":
        raise BadRequest("upload the picture as multipart/form-data", field="image")
    form = await strict_form(request, max_files=1, max_fields=10, max_part_size=64 * 1024)
    fields: dict[str, str] = {}
    upload = None
    for key, value in form.multi_items():
        if isinstance(value, str):
            if key not in allowed:
                raise BadRequest("unknown form field {key}", field=key, key=repr(key))
            fields[key] = value[:500]
        elif key == "image":
            upload = (value.filename or "asset", await value.read())
        else:
            raise BadRequest("unexpected file field {key} (use 'image')", field=key, key=repr(key))
    if upload is None:
        raise BadRequest("no picture: send it in the 'image' field", field="image")
    return upload, fields


async def application_upload(request: Request, max_bytes: int
                             ) -> tuple[dict[str, str], list[Any]]:
    """The text fields and the two files of an account application (multipart)."""
    from .schemas import APPLICATION_FIELDS
    from .usecases.applications import DOCUMENT_KINDS, Document

    if request.headers.get("content-type", "").split(";")[0].strip() != "multipart/form-data":
        raise BadRequest("申请须以 multipart/form-data 提交，附审批表与承诺书", field="body")
    form = await request.form(max_files=len(DOCUMENT_KINDS), max_fields=len(APPLICATION_FIELDS),
                              max_part_size=max_bytes + 1)
    fields: dict[str, str] = {}
    files = []
    for key, value in form.multi_items():
        if isinstance(value, str):
            if key not in APPLICATION_FIELDS:
                raise BadRequest("unknown form field {key}",
                                 key=repr(key), field=key)
            fields[key] = value[:20_000]
        elif key in DOCUMENT_KINDS:
            files.append(Document(key, value.filename or key, await value.read()))
        else:
            raise BadRequest("unexpected file field {key} (use {value})",
                             key=repr(key), value=', '.join(DOCUMENT_KINDS), field=key)
    for key in ("unit_id", "platform", "name"):
        if not fields.get(key, "").strip():
            raise BadRequest("{key} is required",
                             key=key, field=key)
    try:
        int(fields["unit_id"])
    except ValueError:
        raise BadRequest("unit_id must be an integer", field="unit_id") from None
    return fields, files
