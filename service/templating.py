"""The pages' one Jinja environment: templates, the interface language and the shared filters.

Every page of the service (the reviewer's, the dean's office's, the maintainers') renders
through ``render`` with the environment of the settings' ``locale``: the base layout
(``base.html``), one stylesheet and one script (``static/``), Jinja's i18n extension with the
gettext catalogs of the core (categories, verdicts, fields) and of the service (pages, error
messages; ``locale/zh_CN/LC_MESSAGES/service.po``), and these filters:

* label filters, from a code to its name: ``category``, ``verdict``, ``severity``,
  ``platform``, ``field`` (正文, 图片2), ``status``, ``decision``, ``opinion``, ``role``,
  ``account_role``, ``account_status``, ``route``;
* ``beijing``: a stored UTC time as Beijing time (UTC+8, China keeps no daylight saving time):
  ``2024-05-01 22:03``; ``beijing(seconds=True)`` adds the seconds.

Every ``{{ value }}`` a template prints goes through ``shown`` (Jinja's ``finalize``) before
it is escaped: text a user typed (a comment, a picture's file name, a lexicon term, an error
message quoting a request) shows its hidden characters as ⟨U+XXXX⟩, so a right-to-left override
cannot reorder the page around it. No template has to remember a filter; ``visible`` is there
too for text built outside a template. Markup built by our own code (the marked draft text)
passes as it is: it makes its hidden characters visible itself (``highlight``). The globals
``page_csrf(request)`` and ``page_roles(request)`` give the session's CSRF value and the roles
its person may switch to.

Templates write English msgids (``{{ _("Sign off") }}``, ``{% trans %}``); the catalog gives
the Chinese. No template holds a script or a style of its own: the pages keep a
Content-Security-Policy without 'unsafe-inline'.
"""

from __future__ import annotations

import gettext
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from markupsafe import Markup

from screener import labels as core_labels
from screener.i18n import DEFAULT_LOCALE, N_, translations

from . import labels
from .highlight import visible_text
from .pagesession import csrf_value, page_principal, services
from .queries import sessions as session_queries

HERE = Path(__file__).resolve().parent
SERVICE_CATALOG = labels.SERVICE_CATALOG
BEIJING = timezone(timedelta(hours=8))


def page_translations(locale: str = DEFAULT_LOCALE) -> gettext.NullTranslations:
    """The core's catalog and the service's, for ``locale``."""
    return translations(locale, (SERVICE_CATALOG,))


def beijing(value: str | None, seconds: bool = False) -> str:
    """A stored time (ISO 8601, UTC) as Beijing time; '' for none."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S" if seconds
                                               else "%Y-%m-%d %H:%M")


def lexicon_source(source: str, tr: gettext.NullTranslations) -> str:
    """Where a lexicon entry comes from, as people read it: a shipped file and line, or the
    version of the lexicon store that added it."""
    if source.startswith("store:") and source[6:].isdigit():
        return tr.gettext(N_("lexicon version %(n)s")) % {"n": source[6:]}
    file, _, line = source.rpartition(":")
    if file and line.isdigit():
        stem = file.rsplit("/", 1)[-1].removesuffix(".txt")
        if stem in core_labels.CATEGORY:  # the shipped lists are named after their category
            return tr.gettext(N_("shipped %(list)s list, line %(line)s")) % {
                "list": core_labels.label(core_labels.CATEGORY, stem, tr), "line": line}
        return tr.gettext(N_("%(file)s, line %(line)s")) % {"file": file, "line": line}
    return source


def shown(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible_text(value)
    return value


def _roles(request: Any) -> list[Any]:
    """The roles the person on the page may switch to (the header's role menu)."""
    me = page_principal(request)
    return [] if me is None else session_queries.roles(services(request).engine, me)


def _labeller(table: dict[str, str], tr: gettext.NullTranslations):
    return lambda code: core_labels.label(table, str(code), tr) if code is not None else ""


def _showing(translate: Any) -> Any:
    """``translate`` with the values put into a message shown as ``shown`` shows them: the
    translated message is markup, which ``finalize`` lets pass as it is."""
    @pass_context
    def translated(context: Any, *args: Any, **variables: Any) -> Any:
        return context.call(translate, *args, **{k: shown(v) for k, v in variables.items()})
    return translated


def make_environment(locale: str = DEFAULT_LOCALE,
                     folder: Path = HERE / "templates") -> Environment:
    tr = page_translations(locale)
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
                      finalize=shown)
    env.install_gettext_translations(tr, newstyle=True)  # type: ignore[attr-defined]
    for name in ("gettext", "ngettext"):  # ``_`` calls ``gettext``
        env.globals[name] = _showing(env.globals[name])
    tables = {"category": core_labels.CATEGORY, "verdict": core_labels.VERDICT,
              "severity": core_labels.SEVERITY, "platform": core_labels.PLATFORM,
              "status": labels.STATUS, "decision": labels.DECISION, "opinion": labels.OPINION,
              "role": labels.ROLE, "account_role": labels.ACCOUNT_ROLE,
              "account_status": labels.ACCOUNT_STATUS, "route": labels.ROUTE,
              "recheck_decision": labels.RECHECK_DECISION, "asset_status": labels.ASSET_STATUS}
    env.filters.update({name: _labeller(table, tr) for name, table in tables.items()})
    env.filters["field"] = lambda field: core_labels.field_label(field, tr)
    env.filters["beijing"] = beijing
    env.filters["source_label"] = lambda source: lexicon_source(source, tr)
    env.filters["visible"] = visible_text
    env.globals.update(page_csrf=csrf_value, page_roles=_roles)
    env.globals["locale"] = locale
    env.globals["html_lang"] = locale.replace("_", "-")
    return env


@lru_cache(maxsize=4)
def templates_for(locale: str = DEFAULT_LOCALE) -> Jinja2Templates:
    return Jinja2Templates(env=make_environment(locale))


def locale_of(request: Request) -> str:
    return request.app.state.services.settings.locale


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    """``name`` rendered in the interface language of the app serving ``request``."""
    return templates_for(locale_of(request)).TemplateResponse(
        request, name, context, status_code=status_code, headers=headers)


def tr_of(request: Request) -> gettext.NullTranslations:
    return page_translations(locale_of(request))


__all__ = ["BEIJING", "SERVICE_CATALOG", "beijing", "locale_of", "make_environment",
           "page_translations", "render", "shown", "templates_for", "tr_of"]
