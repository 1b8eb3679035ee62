"""Headers on every answer, page or API, error or not (plain ASGI middleware, outermost).

* ``Content-Security-Policy``: scripts, styles, pictures and fonts only from this service (no
  inline script, no third-party source), forms post only here, and no page may be framed
  (``frame-ancestors 'none'``, with ``X-Frame-Options: DENY`` for older browsers): a page framed
  by another cannot be clicked through.
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``, and cross-origin
  isolation of windows and resources.
* ``Cache-Control: no-store`` unless the route set its own: pages and answers carry drafts, and
  a shared computer's cache must not keep them after log-out. Static files may be cached.

A crash (500) is answered outside any middleware; ``SECURITY_HEADERS`` is added there too.
"""

from __future__ import annotations

from typing import Any

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
_RAW = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
_CACHEABLE = ("/static/", "/docs/assets/")


class SecurityHeaders:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = scope.get("path", "").startswith(_CACHEABLE)

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", ())}
                headers = [h for h in message.get("headers", ())
                           if h[0].lower() not in {k for k, _ in _RAW}]
                headers.extend(_RAW)
                if b"cache-control" not in names:
                    headers.append((b"cache-control",
                                    b"public, max-age=3600" if cacheable else b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
