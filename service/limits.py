"""Request size limit as plain ASGI middleware: a body over the limit is refused with 413
before the app reads it, whether it declares Content-Length or streams chunks."""

from __future__ import annotations

import json
from typing import Any

from screener.i18n import N_

from .errors import localize, zh_translations

_TOO_LARGE = N_("request body is {size}; the limit is {limit} bytes (max_request_bytes)")


class BodyLimit:
    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, send: Any, size: str) -> None:
        params = {"size": size, "limit": f"{self.max_bytes:,}"}
        body = json.dumps({"error": {"code": "too_large", "message": _TOO_LARGE.format(**params),
                                     "message_zh": localize(_TOO_LARGE, params, "too_large",
                                                            zh_translations())}},
                          ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.max_bytes + 1  # fail closed on a malformed length
                if declared > self.max_bytes:
                    await self._refuse(send, f"{declared:,} bytes")
                    return
        seen = 0
        started = False

        async def counted_receive() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracked_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _TooLarge:
            if not started:
                await self._refuse(send, f"over {self.max_bytes:,} bytes")


class _TooLarge(Exception):
    pass
