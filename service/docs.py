"""The API documentation at /docs: Swagger UI from files shipped with the service.

The Swagger UI bundle and its stylesheet come from the pinned ``fastapi-offline`` package
(Swagger UI's own Apache-2.0 files, installed from PyPI), served under ``/docs/assets``; the page
starts it with a script file of ours, so no script runs from a CDN and the page keeps the
service's Content-Security-Policy (no inline script). ``service.api_docs = false`` turns the
page and its files off.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from .templating import render

router = APIRouter(include_in_schema=False)


def assets_folder() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).resolve().parent / "static"


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    return render(request, "docs.html", {"me": None, "openapi": "/openapi.json"})


def install_docs(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/docs/assets", StaticFiles(directory=assets_folder()), name="docs-assets")
