"""Headers on every answer, page or API, error or not (plain ASGI middleware, outermost).

* ``Content-Security-Policy``: scripts, styles, pictures and fonts only from this service (no
  inline script, no third-party source), forms post only here, and no page may be framed
  (``frame-ancestors 'none'``, with ``X-Frame-Options: DENY`` for older browsers): a page framed
  by another cannot be clicked through. ReDoc's page (/redoc) may also hold an empty inline
  ``<style>`` element (``PAGE_CSP``), and nothing more.
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``, and cross-origin
  isolation of windows and resources.
* ``Cache-Control: no-store`` unless the route set its own: pages and answers carry drafts, and
  a shared computer's cache must not keep them after log-out. Static files may be cached.

A crash (500) is answered outside any middleware; ``SECURITY_HEADERS`` is added there too.
"""

from __future__ import annotations

import base64
import hashlib
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
# ReDoc's styles go into an empty <style> element it makes and fills through the CSSOM
# (insertRule, which no policy governs); the hash of the empty text allows that element and
# no inline style with anything in it.
_EMPTY = base64.b64encode(hashlib.sha256(b"").digest()).decode()
PAGE_CSP = {"/redoc": CSP.replace("style-src 'self'", f"style-src 'self' 'sha256-{_EMPTY}'")}
_PAGE_RAW = {path: [(k, policy.encode() if k == b"content-security-policy" else v)
                    for k, v in _RAW] for path, policy in PAGE_CSP.items()}


class SecurityHeaders:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        cacheable = path.startswith(_CACHEABLE)
        raw = _PAGE_RAW.get(path, _RAW)

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", ())}
                headers = [h for h in message.get("headers", ())
                           if h[0].lower() not in {k for k, _ in raw}]
                headers.extend(raw)
                if b"cache-control" not in names:
                    headers.append((b"cache-control",
                                    b"public, max-age=3600" if cacheable else b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
