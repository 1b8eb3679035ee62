"""Fixtures for the service: an app on a fresh database (a SQLite file, and a PostgreSQL
database when one is available: every test runs on both), and a registry with one person per
role. The screener is the session's shipped one (full pipeline), built once."""

from __future__ import annotations

import functools
import shutil
import warnings
from dataclasses import dataclass, field

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # starlette's note on httpx
    from fastapi.testclient import TestClient

from screener_service import create_app
from screener_service.config import load_service_settings
from screener_service.usecases.tokens import ensure_admin_token

from screener import Screener
from screener.settings import REPO_ROOT, load_settings


@pytest.fixture
def service_config(tmp_path, shipped_screener, database_url):
    return load_service_settings(shipped_screener.settings,
                                 database_url=database_url or
                                 f"sqlite:///{tmp_path / 'service.db'}",
                                 upload_dir=tmp_path / "uploads", max_request_bytes=2_000_000)


@pytest.fixture
def app(service_config, shipped_screener):
    return create_app(screener=shipped_screener, config=service_config)


@pytest.fixture
def client(app):
    with TestClient(app) as test_client:
        yield test_client


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class World:
    """One unit and account per side, and a token for each role."""

    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    drafts: dict[str, dict] = field(default_factory=dict)

    def call(self, who: str, method: str, url: str, **kwargs):
        headers = auth(self.tokens[who]) if who in self.tokens else {}
        return self.client.request(method, url, headers=headers, **kwargs)

    def submit(self, who: str = "operator", account: str = "account", title: str = "讲座通知",
               body: str = "欢迎参加力学前沿讲座。", pictures: tuple[bytes, ...] = ()):
        fields = {"account_id": self.ids[account], "title": title, "body": body}
        if pictures:  # multipart, as the upload form sends it
            files = [("images", (f"{i}.png", data, "image/png"))
                     for i, data in enumerate(pictures)]
            response = self.call(who, "POST", "/api/drafts", files=files,
                                 data={k: str(v) for k, v in fields.items()})
        else:
            response = self.call(who, "POST", "/api/drafts", json=fields)
        assert response.status_code == 201, response.text
        return response.json()

    def add_asset(self, picture: bytes, title: str = "颐和园") -> dict:
        """Register a picture in the bank as the maintainer does, through the API."""
        response = self.call("maintainer", "POST", "/api/assets", data={"title": title},
                             files={"image": ("asset.png", picture, "image/png")})
        assert response.status_code == 201, response.text
        return response.json()


def build_world(client: TestClient, app) -> World:
    world = World(client)
    world.tokens["admin"] = ensure_admin_token(app.state.engine, "test")

    def post(url, payload, who="admin"):
        response = world.call(who, "POST", url, json=payload)
        assert response.status_code in (200, 201), response.text
        return response.json()

    unit = post("/api/units", {"name": "力学与工程科学系"})["id"]
    other_unit = post("/api/units", {"name": "能源与资源工程系"})["id"]
    people = {
        "operator": ("张同学", "student", unit),
        "responsible": ("李老师", "staff", unit),
        "head": ("王主任", "staff", unit),
        "other_responsible": ("赵老师", "staff", other_unit),
        "maintainer": ("钱老师", "staff", unit),
    }
    pid = {k: post("/api/people", {"name": n, "kind": kind, "unit_id": u})["id"]
           for k, (n, kind, u) in people.items()}
    account = post("/api/accounts", {"platform": "wechat", "name": "工学院力学系",
                                     "unit_id": unit})["id"]
    other = post("/api/accounts", {"platform": "weibo", "name": "能源系微博",
                                   "unit_id": other_unit})["id"]
    for acc, person, role in [(account, "head", "first_responsible"),
                              (account, "responsible", "responsible"),
                              (account, "operator", "operator"),
                              (other, "other_responsible", "responsible")]:
        post(f"/api/accounts/{acc}/roles", {"person_id": pid[person], "role": role})
    for name, role, person, unit_id in [
        ("operator", "operator", "operator", None),
        ("responsible", "responsible", "responsible", None),
        ("unit_head", "unit_head", "head", unit),
        ("maintainer", "maintainer", "maintainer", None),
        ("other_responsible", "responsible", "other_responsible", None),
    ]:
        world.tokens[name] = post("/api/tokens", {"role": role, "person_id": pid[person],
                                                  "unit_id": unit_id})["token"]
    world.ids.update({"unit": unit, "other_unit": other_unit, "account": account,
                      "other_account": other, **{f"person_{k}": v for k, v in pid.items()}})
    return world


@pytest.fixture
def world(client, app) -> World:
    return build_world(client, app)


@pytest.fixture
def own_screener(tmp_path, shipped_screener, database_url):
    """A screener with a state folder of its own, for tests that change the lexicon or the
    asset bank (the session's shipped screener must stay as shipped); its database, the
    lexicon store's and the service's, is ``database_url`` when given. The compiled lexicon is
    copied from the shipped one, so building it takes a moment, not seconds."""
    home = tmp_path / "own-home"
    shutil.copytree(shipped_screener.settings.home / "cache", home / "cache")
    databases = {} if database_url is None else {
        "database_url": database_url, "images": {"assets_database_url": database_url}}
    return Screener(load_settings(home=home, lexicon_dir=REPO_ROOT / "lexicons", **databases))


@pytest.fixture
def own_client(own_screener):
    """A client of an app on the state folder's own database, as `screener serve` lays it
    out: the lexicon store and the service share ``<home>/screener.db``."""
    app = create_app(screener=own_screener, config=load_service_settings(own_screener.settings))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def own_world(own_client) -> World:
    return build_world(own_client, own_client.app)


@functools.cache
def sample_photos():
    """Real photographs that ship with scikit-learn (the asset bank needs texture to verify)."""
    from PIL import Image
    from sklearn.datasets import load_sample_images

    images = load_sample_images()
    names = [f.rsplit("/", 1)[-1].split(".")[0] for f in images.filenames]
    return {name: Image.fromarray(array) for name, array in zip(names, images.images,
                                                                 strict=True)}


@pytest.fixture(scope="session")
def photos():
    return sample_photos()


def image_bytes(image, fmt: str = "PNG", **options) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()
