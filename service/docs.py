"""The API documentation: Swagger UI at /docs and ReDoc at /redoc, from files shipped with the
service.

The Swagger UI bundle and its stylesheet, and ReDoc's standalone bundle, come from the pinned
``fastapi-offline`` package (Swagger UI's own Apache-2.0 files and ReDoc's MIT one, installed
from PyPI), served under ``/docs/assets``; each page starts its bundle with a script file of
ours, so no script runs from a CDN and the pages keep the service's Content-Security-Policy (no
inline script; ReDoc adds its styles through the CSSOM, which that policy allows, and loads no
web font). ``service.api_docs = false`` turns the pages and their files off.
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


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    return render(request, "redoc.html", {"me": None, "openapi": "/openapi.json"})


def install_docs(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/docs/assets", StaticFiles(directory=assets_folder()), name="docs-assets")
