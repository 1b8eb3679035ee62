"""The service's published drafts as an archive source (``screener archive import
--from-service``).

Each keeps its title, body, author, account, publication time and the uploaded pictures (by
their stored path, kept by sha256 so it never changes) under the id ``svc:<draft id>``, which is
what lets a re-screening find its way back to the draft.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select

from screener.errors import InputError
from screener.ingest import parse_draft
from screener.rescreen.archive import Post, iso, parse_when
from screener.settings import Settings

from .context import service_engine
from .db import accounts, drafts, read

SERVICE_PREFIX = "svc:"


def service_draft_id(post_id: str) -> int | None:
    """The service draft a post came from (``svc:<id>``), or None."""
    number = post_id.removeprefix(SERVICE_PREFIX)
    return int(number) if post_id.startswith(SERVICE_PREFIX) and number.isdigit() else None


def service_posts(settings: Settings) -> Iterator[Post | InputError]:
    """The service's published drafts, oldest first."""
    engine = service_engine(settings)
    if engine is None:
        raise InputError(str(settings.home), "这个状态目录没有审核服务的数据库"
                                             "（`screener serve` 会建立）")
    uploads = settings.upload_dir
    query = (select(drafts.c.id, drafts.c.title, drafts.c.body, drafts.c.author,
                    drafts.c.images, drafts.c.published_at, accounts.c.name,
                    accounts.c.platform)
             .join(accounts, accounts.c.id == drafts.c.account_id)
             .where(drafts.c.status == "published").order_by(drafts.c.id))
    try:
        with read(engine) as conn:
            rows = conn.execute(query).all()
    finally:
        engine.dispose()
    for row in rows:
        source = f"审核服务稿件 {row.id}"
        try:
            yield _service_post(row, source, settings, uploads)
        except InputError as exc:
            yield exc


def _service_post(row, source: str, settings: Settings, uploads: Path) -> Post:
    if not row.published_at:
        raise InputError(source, "已发布，但没有记录发布时间")
    try:
        images = [image["path"] for image in json.loads(row.images)]
    except (ValueError, TypeError, KeyError):
        raise InputError(source, "图片列表无法读取") from None
    for index, path in enumerate(images):
        if not Path(path).is_file():  # fail closed: a lost picture is never silently skipped
            raise InputError(source, f"images[{index}]：保存的图片 {path!r} 不见了")
    fields = {"id": f"{SERVICE_PREFIX}{row.id}", "title": row.title, "body": row.body,
              "account": row.name, "platform": row.platform, "author": row.author,
              "images": images}
    draft = parse_draft(json.dumps(fields, ensure_ascii=False), source, ".json", settings,
                        base=uploads)
    try:
        published = iso(parse_when(row.published_at))
    except ValueError as exc:
        raise InputError(source, f"published_at：{exc}") from None
    return Post(draft, published, source)
