"""The service's errors: each maps to one HTTP status and a JSON body ``{"error": {...}}``.

A message is written in English with ``{name}`` fields and the values passed by name
(``Forbidden("account {name} is {status}; no new posts", name=..., status=...)``): the English
is the catalog's msgid, so the same error is shown in Chinese on pages and in the JSON's
``message_zh``, while ``code`` and ``message`` stay English for programs. A value whose field
is a status, role or decision is shown by its name (``closing`` -> 停用中).
"""

from __future__ import annotations

import gettext
from typing import Any

from screener.errors import ScreenerError
from screener.i18n import DEFAULT_LOCALE, N_, translations
from screener.labels import label

from . import labels

# A message the catalog does not hold yet (a new one, or an extension's) is shown in the
# interface language by this lead, with the English after it.
FALLBACK = {
    "bad_request": N_("The request was refused: {message}"),
    "invalid": N_("The request is not valid: {message}"),
    "unauthenticated": N_("Please log in: {message}"),
    "forbidden": N_("Not allowed: {message}"),
    "not_found": N_("Not found: {message}"),
    "conflict": N_("Not possible in the present state: {message}"),
    "too_large": N_("Too large: {message}"),
    "unavailable": N_("Not available now: {message}"),
    "audit_broken": N_("The audit log does not verify: {message}"),
}
# Values that are themselves English words from the code (marked N_ where they are written):
# shown translated. ``reason``: a validator's own message (``raise ValueError(N_("..."))``).
_WORDS = frozenset({"doing", "what", "name", "reason"})
# What pydantic found wrong with a request, by its error type; any other: its own words.
VALIDATION = {
    "missing": N_("{field}: this field is required"),
    "string_type": N_("{field}: must be text"),
    "int_type": N_("{field}: must be a whole number"),
    "int_parsing": N_("{field}: must be a whole number"),
    "bool_parsing": N_("{field}: must be true or false"),
    "string_too_long": N_("{field}: too long"),
    "string_too_short": N_("{field}: too short"),
    "too_long": N_("{field}: too many items"),
    "greater_than_equal": N_("{field}: too small"),
    "less_than_equal": N_("{field}: too large"),
    "literal_error": N_("{field}: not one of the allowed values"),
    "enum": N_("{field}: not one of the allowed values"),
    "extra_forbidden": N_("{field}: unknown field"),
    "json_invalid": N_("{field}: not valid JSON"),
    "dict_type": N_("{field}: must be an object"),
    "value_error": N_("{field}: {reason}"),
}


def validation_params(error: dict[str, Any], field: str) -> dict[str, Any]:
    """The values a VALIDATION template names, from one of pydantic's errors: ``reason`` is a
    validator's own message, without pydantic's "Value error, " before it."""
    cause = (error.get("ctx") or {}).get("error")
    return {"field": field, "problem": error.get("msg", "invalid"),
            "reason": str(cause) if cause is not None else error.get("msg", "invalid")}
_LABELLED = {"status": {**labels.STATUS, **labels.ACCOUNT_STATUS}, "role": labels.ROLE,
             "decision": {**labels.DECISION, **labels.RECHECK_DECISION},
             "account_role": labels.ACCOUNT_ROLE}


class Named:
    """Codes shown by their names: in English as ``english``, in another language by the
    names in ``table`` (``require`` lists the roles that may do a thing this way)."""

    def __init__(self, table: dict[str, str], codes: Any, english: str) -> None:
        self.table, self.codes, self.english = table, [str(c) for c in codes], english

    def __str__(self) -> str:
        return self.english

    def __format__(self, spec: str) -> str:
        return format(self.english, spec)

    def localized(self, tr: gettext.NullTranslations) -> str:
        return "、".join(label(self.table, code, tr) for code in self.codes)


def zh_translations() -> gettext.NullTranslations:
    return translations(DEFAULT_LOCALE, (labels.SERVICE_CATALOG,))


def localize(template: str, params: dict[str, Any], code: str,
             tr: gettext.NullTranslations, english: str | None = None) -> str:
    """``template`` in the language of ``tr``, with ``params`` filled in; a template the
    catalog lacks falls back to the code's lead and the English."""
    translated = tr.gettext(template)
    source_language = type(tr) is gettext.NullTranslations  # English: the msgids themselves
    if translated == template and not source_language and code in FALLBACK:
        return tr.gettext(FALLBACK[code]).format(
            message=english if english is not None else template.format(**params))
    shown = {k: v.localized(tr) if isinstance(v, Named)
             else label(_LABELLED[k], str(v), tr) if k in _LABELLED
             else tr.gettext(v) if k in _WORDS and isinstance(v, str) else v
             for k, v in params.items()}
    return translated.format(**shown) if params else translated


class ServiceError(ScreenerError):
    """Base of the service's deliberate errors; ``status`` is the HTTP status it becomes."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None, **params: Any) -> None:
        if "{field}" in message:  # the field the error is about, named in the message too
            params = {"field": field, **params}
        self.template = message
        self.params = params
        self.message = message.format(**params) if params else message
        self.field = field
        super().__init__(self.message)

    def localized(self, tr: gettext.NullTranslations) -> str:
        return localize(self.template, self.params, self.code, tr, self.message)

    def to_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": self.message,
                                   "message_zh": self.localized(zh_translations())}
        if self.field:
            body["field"] = self.field
        return {"error": body}


class BadRequest(ServiceError):
    status = 422
    code = "invalid"

    @classmethod
    def invalid(cls, error: dict[str, Any], field: str) -> BadRequest:
        """What pydantic found wrong with ``field``, in words of the catalog where the kind of
        error is a common one."""
        template = VALIDATION.get(error.get("type", ""), "{field}: {problem}")
        params = validation_params(error, field)
        made = cls(template, field=field, problem=params["problem"], reason=params["reason"])
        made.message = f"{field}: {error.get('msg', 'invalid')}"
        return made


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

    def __init__(self, message: str, retry_after: int, **params: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **params)


class TooLarge(ServiceError):
    status = 413
    code = "too_large"


class Unavailable(ServiceError):
    """Something the server needs is missing or busy now; the message says what to do."""

    status = 503
    code = "unavailable"


class AuditError(ServiceError):
    """The audit chain does not verify; names the first bad row."""

    status = 500
    code = "audit_broken"

    def __init__(self, message: str, row: int | None = None, **params: Any) -> None:
        self.row = row
        super().__init__(message, **({"row": row, **params} if "{row}" in message else params))
