"""The interface language: gettext catalogs read with Babel.

Messages in the code are English (the msgids); ``locale/<locale>/LC_MESSAGES/<domain>.po`` gives
them in another language. zh_CN is shipped and is the default (``locale`` in the settings);
``en`` is the messages themselves, so an English interface is only a setting away, and another
language is one more ``.po`` file. The ``.po`` files are read when first needed (a few
milliseconds) rather than compiled at build time: an editable install (``pip install -e .``)
and a fresh clone work the same, with no build step to forget.

The core's catalog (domain ``screener``) holds the names people read in the CLI and on pages
(categories, verdicts, severities, platforms, fields); the review service adds its own domain
for its pages and error messages (``translations(locale, extra=...)``).

To change a message: edit the English in the code, run ``pybabel extract`` and ``pybabel
update`` (README "Interface language"), translate the new entries; ``tests/test_i18n.py``
fails while a message has no translation or a translation has no message.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

DEFAULT_LOCALE = "zh_CN"
SOURCE_LOCALE = "en"  # the msgids themselves
DOMAIN = "screener"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

Catalog = tuple[Path, str]  # (folder holding <locale>/LC_MESSAGES, domain)
CORE_CATALOG: Catalog = (LOCALE_DIR, DOMAIN)


def N_(message: str) -> str:
    """Marks ``message`` for the catalog without translating it (translated where shown)."""
    return message


def po_path(catalog: Catalog, locale: str) -> Path:
    folder, domain = catalog
    return folder / locale / "LC_MESSAGES" / f"{domain}.po"


def available(catalogs: Iterable[Catalog] = (CORE_CATALOG,)) -> tuple[str, ...]:
    """Locales with a catalog, and the source language."""
    found = {SOURCE_LOCALE}
    for folder, domain in catalogs:
        if folder.is_dir():
            found.update(p.name for p in folder.iterdir()
                         if (p / "LC_MESSAGES" / f"{domain}.po").is_file())
    return tuple(sorted(found))


def _read(path: Path, locale: str) -> gettext.GNUTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@lru_cache(maxsize=16)
def translations(locale: str = DEFAULT_LOCALE,
                 extra: tuple[Catalog, ...] = ()) -> gettext.NullTranslations:
    """The core's catalog for ``locale``, with ``extra`` catalogs added (a later one wins on a
    message both hold). The source locale, or one without any catalog, translates nothing."""
    chosen: gettext.NullTranslations = gettext.NullTranslations()
    for catalog in (CORE_CATALOG, *extra):
        path = po_path(catalog, locale)
        if locale == SOURCE_LOCALE or not path.is_file():
            continue
        loaded = _read(path, locale)
        loaded.add_fallback(chosen)
        chosen = loaded
    return chosen


def zh(message: str) -> str:
    """``message`` in Chinese, whatever the interface language: for text that is data in the
    rule's own language (a finding's explanation is stored in the report and read on paper)."""
    return translations(DEFAULT_LOCALE).gettext(message)


__all__ = ["CORE_CATALOG", "DEFAULT_LOCALE", "N_", "SOURCE_LOCALE", "available",
           "translations", "zh"]
