"""Files the service keeps: submitted pictures and the bank's pictures, by sha256.

Pictures are checked (size, decodable header, accepted type) in memory, staged in a temporary
folder of the upload folder while the request is screened and checked, and moved to their place
only when the request is accepted (``place``, inside the transaction that stores the draft), so
a refused request leaves no file behind, however often it is repeated. They are served by
routes that check the caller, never by a path a request names.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from screener.errors import StorageError
from screener.settings import Settings

from .errors import BadRequest, TooLarge

IMAGE_SUFFIXES = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp", "BMP": ".bmp"}
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp", ".bmp": "image/bmp"}


# -- pictures kept for the reviewer's page ------------------------------------------------------
def asset_files(settings: Settings) -> Path:
    """Where the bank's pictures are kept, by sha256, so the review page can show a matched
    asset beside the submitted picture (the bank itself keeps only hashes and features)."""
    return settings.upload_dir / "assets"


def keep_asset_file(settings: Settings, source: Path, sha256: str) -> Path:
    """Keep a copy a browser can show: the file itself when it is PNG, JPEG, GIF, WebP or
    BMP, else a PNG of its first frame (the bank also takes formats browsers do not)."""
    from PIL import Image as PILImage

    folder = asset_files(settings)
    folder.mkdir(parents=True, exist_ok=True)
    with PILImage.open(source) as pic:  # the bank has already decoded it within its limits
        suffix = IMAGE_SUFFIXES.get(pic.format or "")
        target = folder / f"{sha256}{suffix or '.png'}"
        if target.exists():
            return target
        tmp = target.with_suffix(".part")
        if suffix:
            shutil.copyfile(source, tmp)
        else:
            pic.convert("RGB").save(tmp, "PNG")
    tmp.replace(target)
    return target


def asset_file(settings: Settings, sha256: str) -> Path | None:
    for path in sorted(asset_files(settings).glob(f"{sha256}.*")):
        if path.suffix in MEDIA_TYPES:
            return path
    return None


def keep_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; a folder that cannot be written is a StorageError."""
    # One temporary name per thread: two requests carrying the same picture at once must
    # not write into each other's half-written file.
    tmp = path.with_suffix(f".{os.getpid()}-{threading.get_ident()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise StorageError(f"上传图片目录 {path.parent}",
                           exc.strerror or str(exc)) from None


STAGING = ".incoming"


@contextlib.contextmanager
def staging(upload_dir: Path) -> Iterator[Path]:
    """A temporary folder inside the upload folder (the same disk: ``place`` renames), removed
    with everything left in it when the request ends, accepted or not."""
    root = upload_dir / STAGING
    try:
        root.mkdir(parents=True, exist_ok=True)
        folder = tempfile.TemporaryDirectory(dir=root)
    except OSError as exc:
        raise StorageError(f"上传图片目录 {upload_dir}", exc.strerror or str(exc)) from None
    with folder as name:
        yield Path(name)


def sweep_staging(upload_dir: Path, older_than: float = 3600) -> None:
    """Remove staging folders a killed process left behind."""
    root = upload_dir / STAGING
    if not root.is_dir():
        return
    limit = time.time() - older_than
    for folder in root.iterdir():
        with contextlib.suppress(OSError):
            if folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)


def place(folder: Path, staged: Path, checked: dict[str, Any]) -> tuple[Path, bool]:
    """Move a staged picture to its place by sha256; whether this made the file (a refused
    transaction removes only what it made: another draft may hold the same picture)."""
    target = folder / f"{checked['sha256']}{checked['suffix']}"
    if target.exists():
        return target, False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
    except OSError as exc:
        raise StorageError(f"上传图片目录 {folder}", exc.strerror or str(exc)) from None
    return target, True


def save_image(folder: Path, name: str, data: bytes, max_bytes: int, field: str
               ) -> dict[str, Any]:
    """Check an uploaded picture and keep it by sha256 (what ``check_image`` accepts)."""
    checked = check_image(name, data, max_bytes, field)
    path = folder / f"{checked['sha256']}{checked['suffix']}"
    if not path.exists():
        keep_file(path, data)
    return {"name": checked["name"], "sha256": checked["sha256"], "size": checked["size"],
            "path": str(path)}


def check_image(name: str, data: bytes, max_bytes: int, field: str) -> dict[str, Any]:
    """Check an uploaded picture in memory (size, decodable header, accepted type): its
    shown name, sha256, size and file suffix. Nothing is written."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    if len(data) > max_bytes:
        raise TooLarge("image {name} is {size} bytes; the limit is {limit}", field=field,
                       name=repr(name), size=format(len(data), ","), limit=format(max_bytes, ","))
    try:  # decode the header only: an upload that is not an image is refused
        with PILImage.open(io.BytesIO(data)) as pic:
            kind = pic.format or ""
            pic.verify()
    except PILImage.DecompressionBombError as exc:  # not an OSError: was a 500
        raise BadRequest("{name} is refused as a decompression bomb: {problem}",
                         field=field, name=repr(name), problem=str(exc)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise BadRequest("{name} is not a readable image", field=field,
                         name=repr(name)) from None
    if kind not in IMAGE_SUFFIXES:
        raise BadRequest("{name}: image type {kind} is not accepted ({types})", field=field,
                         name=repr(name), kind=kind or "unknown",
                         types=", ".join(IMAGE_SUFFIXES))
    return {"name": Path(name).name[:200], "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data), "suffix": IMAGE_SUFFIXES[kind]}


# -- the files an account application carries ----------------------------------------------------
DOCUMENT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}


def document_kind(name: str, data: bytes, max_bytes: int, field: str) -> str:
    """The suffix of an application file (a signed form as PDF, or a scan as PNG or JPEG),
    checked by its content, not its name; what is not one of those is refused."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    if len(data) > max_bytes:
        raise TooLarge("{name} 有 {len:,} 字节，超过上限 {max_bytes:,}",
                       name=repr(name), len=len(data), max_bytes=max_bytes, field=field)
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise BadRequest("{name} 不是完整的 PDF 文件（缺少结尾）",
                             name=repr(name), field=field)
        return ".pdf"
    try:
        with PILImage.open(io.BytesIO(data)) as pic:
            kind = pic.format or ""
            pic.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            PILImage.DecompressionBombError):
        kind = ""
    if kind == "PNG":
        return ".png"
    if kind == "JPEG":
        return ".jpg"
    raise BadRequest("{name} 须为 PDF，或扫描件 PNG / JPEG",
                     name=repr(name), field=field)


def save_document(folder: Path, name: str, data: bytes, suffix: str) -> tuple[Path, bool]:
    """Keep an application file by sha256; (its path, whether this call wrote it)."""
    path = folder / f"{hashlib.sha256(data).hexdigest()}{suffix}"
    if path.exists():
        return path, False
    keep_file(path, data)
    return path, True
