"""The pages' Jinja environment, shared by every template of the service.

Every ``{{ value }}`` a template prints goes through ``shown`` (Jinja's ``finalize``) before it
is escaped: text a user typed (a comment, a picture's file name, a lexicon term, an error
message quoting a request) shows its hidden characters as ⟨U+XXXX⟩, so a right-to-left override
cannot reorder the page around it. No template has to remember a filter; ``visible`` is there
too for text built outside a template. Markup built by our own code (the marked draft text)
passes as it is: it makes its hidden characters visible itself (``highlight``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from .auth import ROLE_LABELS
from .highlight import visible_text
from .pagesession import csrf_value, page_principal, services
from .queries import sessions as session_queries

HERE = Path(__file__).resolve().parent


def shown(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible_text(value)
    return value


def _roles(request: Any) -> list[Any]:
    """The roles the person on the page may switch to (the header's role menu)."""
    me = page_principal(request)
    return [] if me is None else session_queries.roles(services(request).engine, me)


def make_templates(folder: Path = HERE / "templates") -> Jinja2Templates:
    env = Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(),
                      finalize=shown)
    env.filters["visible"] = visible_text
    env.globals.update(page_csrf=csrf_value, page_roles=_roles, ROLE_LABELS=ROLE_LABELS)
    return Jinja2Templates(env=env)


# The one environment of the service's pages: every router renders with it.
templates = make_templates()
