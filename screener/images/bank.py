"""The asset bank: known copyrighted pictures and official emblems, with their history.

SQLite at ``<home>/assets.db`` by default (SQLAlchemy 2.x Core, any URL works). Tables are
prefixed ``image_`` so the bank can share a database with the lexicon store; the ``assets``
migrations (``screener/migrations/assets``) make and change them. Nothing is deleted:
retiring an asset stops it matching and records who, when and why in ``image_asset_events``.
Hashes, ORB features and the shape template (for flat graphics: emblems, logos, seals) are
computed once at registration, so screening never re-reads the asset files. The templates have
their own table, ``image_asset_templates`` (revision ``assets_0002``); assets registered before
it have none and are verified by ORB alone until added again.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from ..migrations import ASSETS, upgrade
from .config import ImageConfig
from .decode import read_image
from .errors import AssetError
from .hashing import ALGOS, asset_hashes, hashes_of, trim_borders, trim_box
from .index import linear_search
from .shape import Template, template_box, template_of
from .verify import Features, features_of

KINDS = ("copyright", "emblem")

_meta = sa.MetaData()
assets = sa.Table(
    "image_assets", _meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("owner", sa.Text, nullable=False),
    sa.Column("license", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("added_by", sa.Text, nullable=False),
    sa.Column("added_at", sa.String(40), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # active / retired
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("points", sa.LargeBinary, nullable=False),
    sa.Column("descriptors", sa.LargeBinary, nullable=False),
    sa.Column("feat_width", sa.Integer, nullable=False),
    sa.Column("feat_height", sa.Integer, nullable=False),
)
hashes = sa.Table(
    "image_asset_hashes", _meta,
    sa.Column("asset_id", sa.Integer, sa.ForeignKey("image_assets.id"), nullable=False,
              index=True),
    sa.Column("variant", sa.String(80), nullable=False),
    sa.Column("value", sa.BigInteger, nullable=False),
)
templates = sa.Table(
    "image_asset_templates", _meta,
    sa.Column("asset_id", sa.Integer, sa.ForeignKey("image_assets.id"), primary_key=True),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("pixels", sa.LargeBinary, nullable=False),  # grey, one byte a pixel, row by row
    # Where the picture the hashes were computed from lies, in the template's pixels.
    sa.Column("hash_x0", sa.Float, nullable=False),
    sa.Column("hash_y0", sa.Float, nullable=False),
    sa.Column("hash_x1", sa.Float, nullable=False),
    sa.Column("hash_y1", sa.Float, nullable=False),
)
events = sa.Table(
    "image_asset_events", _meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("asset_id", sa.Integer, sa.ForeignKey("image_assets.id"), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("by", sa.Text, nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)


@dataclass(frozen=True, slots=True)
class Asset:
    id: int
    sha256: str
    kind: str
    title: str
    owner: str
    license: str
    source: str
    added_by: str
    added_at: str
    status: str
    width: int
    height: int

    def to_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class Added:
    asset: Asset
    # Existing active assets the new one looks like (same bytes or close hashes).
    near_duplicates: tuple[tuple[Asset, int], ...]


_ASSET_COLUMNS = [c for c in assets.c if c.name in Asset.__slots__]
_WHOLE = [f"{algo}:crop(0, 0, 0, 0)" for algo in ALGOS]


def default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001  (no login name in some containers)
        return "unknown"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# Smaller pictures have no features to match (and a 1-pixel side crashed OpenCV's resize).
MIN_ASSET_SIDE = 16


class AssetBank:
    def __init__(self, url: str, config: ImageConfig) -> None:
        self.config = config
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine = sa.create_engine(url)
            upgrade(self.engine, ASSETS)
        except sa.exc.SQLAlchemyError as exc:
            raise AssetError(f"无法打开图片库 {url}：{exc}") from None

    def stamp(self) -> int:
        """Changes whenever the bank does: the last event id."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.max(events.c.id))).scalar() or 0)

    def add(self, path: str | Path, *, kind: str, title: str = "", owner: str = "",
            license: str = "", source: str = "", by: str | None = None) -> Added:
        if kind not in KINDS:
            raise AssetError(f"种类（kind）只能是 {'、'.join(KINDS)}，不能是 {kind!r}")
        image = read_image(path, self.config)
        rgb = image.first
        template = template_of(rgb)
        # A flat graphic's key points see what its template sees (frame and all): key points
        # place the template by them. A photograph's see it without its frames.
        x0, y0, x1, y1 = template_box(rgb) if template.flat else trim_box(rgb)
        trimmed = rgb[y0:y1, x0:x1]
        if min(trimmed.shape[:2]) < MIN_ASSET_SIDE:  # OpenCV's feature pyramid fails below
            raise AssetError(f"图片有 {rgb.shape[1]}x{rgb.shape[0]} 像素（去掉纯色边框后 "
                             f"{trimmed.shape[1]}x{trimmed.shape[0]}）；图片库中的图片每边至少要有 "
                             f"{MIN_ASSET_SIDE} 像素才能比对")
        feats = features_of(trimmed)
        points, descriptors = feats.to_bytes()
        near = self.similar(rgb, image.sha256)
        values = asset_hashes(rgb, template.flat)
        when, who = _now(), by or default_user()
        with self.engine.begin() as conn:
            asset_id = conn.execute(assets.insert().values(
                sha256=image.sha256, kind=kind, title=title or Path(path).stem, owner=owner,
                license=license, source=source or str(path), added_by=who, added_at=when,
                status="active", width=image.size[0], height=image.size[1], points=points,
                descriptors=descriptors, feat_width=feats.width, feat_height=feats.height,
            )).inserted_primary_key[0]
            conn.execute(hashes.insert(), [{"asset_id": asset_id, "variant": v, "value": h}
                                           for v, h in values])
            th, tw = template.grey.shape
            x0, y0, x1, y1 = template.hash_box
            conn.execute(templates.insert().values(
                asset_id=asset_id, width=tw, height=th, pixels=template.to_bytes(),
                hash_x0=x0, hash_y0=y0, hash_x1=x1, hash_y1=y1))
            conn.execute(events.insert().values(asset_id=asset_id, action="add", by=who,
                                                at=when, reason=""))
        return Added(self.get(asset_id), tuple(near))

    def similar(self, rgb, sha256: str) -> list[tuple[Asset, int]]:
        """Active assets with the same bytes (distance 0) or a close whole-image hash."""
        query = hashes_of(trim_borders(rgb))
        found: dict[int, int] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(sa.select(assets.c.id).where(
                    assets.c.sha256 == sha256, assets.c.status == "active")):
                found[row.id] = 0
            # Only the whole pictures' hashes: a flat graphic stores 500-odd crops besides.
            rows = conn.execute(sa.select(hashes.c.asset_id, hashes.c.variant, hashes.c.value)
                                .join(assets).where(assets.c.status == "active",
                                                    hashes.c.variant.in_(_WHOLE))).all()

        for algo, value in query.items():
            own = [r for r in rows if r.variant == f"{algo}:crop(0, 0, 0, 0)"]
            values = np.asarray([r.value for r in own], dtype=np.int64)
            for index in linear_search(values, value, 10):
                asset_id = own[index].asset_id
                distance = int(np.bitwise_count(
                    np.asarray([values[index] ^ value], dtype=np.int64).view(np.uint64))[0])
                found[asset_id] = min(found.get(asset_id, 64), distance)
        return [(self.get(i), d) for i, d in sorted(found.items())]

    def get(self, asset_id: int) -> Asset:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(*_ASSET_COLUMNS).where(assets.c.id == asset_id)).first()
        if row is None:
            raise AssetError(f"图片库中没有编号为 {asset_id} 的图片")
        return Asset(**row._asdict())

    def list_assets(self, *, include_retired: bool = False) -> list[Asset]:
        query = sa.select(*_ASSET_COLUMNS).order_by(assets.c.id)
        if not include_retired:
            query = query.where(assets.c.status == "active")
        with self.engine.connect() as conn:
            return [Asset(**row._asdict()) for row in conn.execute(query)]

    def history(self, asset_id: int) -> list[dict[str, object]]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(events).where(events.c.asset_id == asset_id)
                                .order_by(events.c.id))
            return [dict(row._mapping) for row in rows]

    def retire(self, asset_id: int, *, reason: str, by: str | None = None) -> Asset:
        asset = self.get(asset_id)
        if asset.status == "retired":
            raise AssetError(f"图片 {asset_id} 已经停用")
        if not reason.strip():
            raise AssetError("停用图片须写明理由")
        with self.engine.begin() as conn:
            conn.execute(assets.update().where(assets.c.id == asset_id).values(status="retired"))
            conn.execute(events.insert().values(asset_id=asset_id, action="retire",
                                                by=by or default_user(), at=_now(),
                                                reason=reason))
        return self.get(asset_id)

    def active_index_rows(self) -> tuple[list[Asset], list[tuple[int, str, int]],
                                         dict[int, Features], dict[int, Template]]:
        """What the matcher loads: active assets, their hashes, features and templates."""
        with self.engine.connect() as conn:
            active = [Asset(**r._asdict()) for r in conn.execute(
                sa.select(*_ASSET_COLUMNS).where(assets.c.status == "active"))]
            rows = [(r.asset_id, r.variant, r.value) for r in conn.execute(
                sa.select(hashes.c.asset_id, hashes.c.variant, hashes.c.value).join(assets)
                .where(assets.c.status == "active"))]
            feats = {r.id: Features.from_bytes(r.points, r.descriptors, r.feat_width,
                                               r.feat_height)
                     for r in conn.execute(sa.select(
                         assets.c.id, assets.c.points, assets.c.descriptors, assets.c.feat_width,
                         assets.c.feat_height).where(assets.c.status == "active"))}
            shapes = {r.asset_id: Template.from_bytes(r.pixels, r.width, r.height,
                                                      (r.hash_x0, r.hash_y0, r.hash_x1,
                                                       r.hash_y1))
                      for r in conn.execute(sa.select(templates).join(assets)
                                            .where(assets.c.status == "active"))}
        return active, rows, feats, shapes
