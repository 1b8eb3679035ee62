"""Building the FastAPI app: database, screener, routes, error handlers, limits."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from screener import Screener
from screener.errors import InputError, ScreenerError, StorageError
from screener.i18n import N_
from screener.settings import Settings, load_settings

from .api import router as api_router
from .api_learning import router as learning_router
from .api_maintenance import router as maintenance_router
from .api_registry import router as registry_router
from .bootstrap import open_services
from .config import ServiceSettings
from .docs import install_docs
from .errors import (
    VALIDATION,
    ServiceError,
    TooManyRequests,
    localize,
    validation_params,
    zh_translations,
)
from .headers import SECURITY_HEADERS, SecurityHeaders
from .limits import BodyLimit
from .login import router as login_router
from .templating import tr_of
from .web import render_error
from .web import router as web_router
from .web_learning import router as web_learning_router
from .web_maintain import router as maintain_router
from .web_office import router as office_router
from .web_operator import router as operator_router
from .web_statistics import router as statistics_router

_log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent


def _wants_html(request: Request) -> bool:
    return (not request.url.path.startswith("/api")
            and "text/html" in request.headers.get("accept", ""))


def _answer(request: Request, status: int, code: str, template: str,
            params: dict[str, Any] | None = None, field: str | None = None,
            message: str | None = None) -> Response:
    """An error, as JSON (``code`` and the English ``message`` for programs, ``message_zh``
    for people) or, to a browser, as a page in the interface language."""
    params = params or {}
    english = message if message is not None else (template.format(**params) if params
                                                    else template)
    if _wants_html(request):
        return render_error(request, status, localize(template, params, code, tr_of(request),
                                                      english))
    body: dict[str, Any] = {"code": code, "message": english,
                            "message_zh": localize(template, params, code,
                                                   zh_translations(), english)}
    if field:
        body["field"] = field
    return JSONResponse({"error": body}, status_code=status)


def _field_of(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


_OUT_OF_RANGE = N_("a number in the request is out of range (ids are at most "
                   "9223372036854775807)")
_HTTP = {404: N_("there is no page or resource at this address"),
         405: N_("this address does not accept this kind of request")}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service(request: Request, exc: ServiceError):
        response = _answer(request, exc.status, exc.code, exc.template, exc.params, exc.field,
                           exc.message)
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(StorageError)
    async def _storage(request: Request, exc: StorageError):
        # The server cannot keep the request now (disk full, read-only): 503, try again later.
        # Which file or folder failed is for the log: a client learns no server path.
        _log.error("%s %s: %s", request.method, request.url.path, exc)
        return _answer(request, 503, "unavailable",
                       N_("cannot write on the server now ({problem}); try again later"),
                       {"problem": exc.problem})

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError):
        # An id beyond SQLite's 64-bit integers (found by schemathesis): the client's number.
        return _answer(request, 422, "invalid", _OUT_OF_RANGE)

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError):
        # The same on PostgreSQL: "bigint out of range" (SQLSTATE 22003) is the client's number.
        if getattr(exc.orig, "sqlstate", None) == "22003":
            return _answer(request, 422, "invalid", _OUT_OF_RANGE)
        return await _crash(request, exc)

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError):
        # The source is an uploaded file's name: say which, quoted so no control character in
        # it reaches the client raw.
        if exc.source:
            return _answer(request, 422, "invalid", N_("{source}: {problem}"),
                           {"source": repr(exc.source), "problem": exc.problem})
        return _answer(request, 422, "invalid", N_("the draft cannot be read: {problem}"),
                       {"problem": exc.problem}, message=exc.problem)

    @app.exception_handler(ScreenerError)
    async def _screener(request: Request, exc: ScreenerError):
        return _answer(request, 422, "invalid", N_("the draft cannot be read: {problem}"),
                       {"problem": str(exc)}, message=str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        first = exc.errors()[0]
        field = _field_of(tuple(first.get("loc", ())))
        english = f"{field}: {first.get('msg', 'invalid')}"
        template = VALIDATION.get(first.get("type", ""), N_("{field}: {problem}"))
        return _answer(request, 422, "invalid", template, validation_params(first, field),
                       field, message=english)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        template = _HTTP.get(exc.status_code, N_("the request was refused ({status}): {detail}"))
        return _answer(request, exc.status_code, f"http_{exc.status_code}", template,
                       {"status": exc.status_code, "detail": str(exc.detail)},
                       message=str(exc.detail))

    async def _crash(request: Request, exc: Exception):
        # The details go to the log, not to the caller.
        _log.exception("unhandled error on %s %s", request.method, request.url.path)
        # Answered outside every middleware: the security headers are added here.
        message = N_("internal error; see the server log")
        return JSONResponse({"error": {"code": "internal", "message": message,
                                       "message_zh": zh_translations().gettext(message)}},
                            status_code=500,
                            headers={**SECURITY_HEADERS, "Cache-Control": "no-store"})

    app.add_exception_handler(Exception, _crash)


def create_app(settings: Settings | None = None, *, screener: Screener | None = None,
               config: ServiceSettings | None = None) -> FastAPI:
    """The app on the database of ``config`` (default: the state folder's screener.db)."""
    settings = settings or (screener.settings if screener else load_settings())
    screener = screener or Screener(settings)
    services, version = open_services(screener.settings, config=config, screener=screener)
    engine, config = services.engine, services.config

    app = FastAPI(
        title="screener service",
        summary="Account registry, review queue and sign-off for the college's WeChat and "
                "Weibo accounts (北京大学工学院微信公众号、微博账号管理办法).",
        version="1",
        docs_url=None,  # /docs and /redoc: served by .docs from local files, or not at all
        redoc_url=None,
    )
    app.state.services = services
    app.state.engine = engine
    app.state.config = config
    app.state.schema_version = version
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=config.max_request_bytes)
    app.add_middleware(SecurityHeaders)  # added last: outermost, so the 413 gets them too
    app.include_router(api_router)
    app.include_router(maintenance_router)
    app.include_router(learning_router)
    app.include_router(registry_router)
    app.include_router(login_router)
    app.include_router(web_router)
    app.include_router(web_learning_router)
    app.include_router(statistics_router)
    app.include_router(maintain_router)
    app.include_router(operator_router)
    app.include_router(office_router)
    if config.api_docs:
        install_docs(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/healthz", tags=["service"], summary="Liveness and versions (no token needed)")
    def healthz() -> dict:
        return {"status": "ok", "schema_version": version,
                "lexicon_version": screener.lexicon_version,
                "model_version": services.model_version}

    return app
