"""The service's errors: each maps to one HTTP status and a JSON body ``{"error": {...}}``."""

from __future__ import annotations

from screener.errors import ScreenerError


class ServiceError(ScreenerError):
    """Base of the service's deliberate errors; ``status`` is the HTTP status it becomes."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None) -> None:
        self.message = message
        self.field = field
        super().__init__(message)

    def to_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return {"error": body}


class BadRequest(ServiceError):
    status = 422
    code = "invalid"


class Unauthenticated(ServiceError):
    status = 401
    code = "unauthenticated"


class Forbidden(ServiceError):
    """The caller is known but may not do this; the message says why (never a bare 403)."""

    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    """The request is valid but the draft or account is in the wrong state for it."""

    status = 409
    code = "conflict"


class TooManyRequests(ServiceError):
    """Too many failed log-ins from one address: wait ``retry_after`` seconds."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class TooLarge(ServiceError):
    status = 413
    code = "too_large"


class AuditError(ServiceError):
    """The audit chain does not verify; names the first bad row."""

    status = 500
    code = "audit_broken"

    def __init__(self, message: str, row: int | None = None) -> None:
        self.row = row
        super().__init__(message)
