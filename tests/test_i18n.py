"""The interface's messages: every one the code marks has its Chinese translation in the shipped
catalog, and the catalog holds nothing the code no longer says; the catalogs load from the .po
files of a plain checkout (no build step), and the English interface is the messages
themselves."""

from __future__ import annotations

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from screener.i18n import CORE_CATALOG, available, po_path, translations
from screener.labels import CATEGORY, VERDICT, field_label, label
from screener.policy import POLICY
from screener.settings import REPO_ROOT

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def extracted(folder, keywords=KEYWORDS) -> set[str]:
    return {message if isinstance(message, str) else message[0]
            for _, _, message, _, _ in extract_from_dir(folder, METHODS, OPTIONS,
                                                        keywords=keywords)}


def translated(catalog) -> dict[str, str]:
    with po_path(catalog, "zh_CN").open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0]:
                m.string if isinstance(m.string, str) else m.string[0]
                for m in read_po(handle) if m.id}


def _complete(folder, catalog, keywords=KEYWORDS) -> None:
    marked, shipped = extracted(folder, keywords), translated(catalog)
    untranslated = sorted(m for m in marked if not shipped.get(m))
    stale = sorted(set(shipped) - marked)
    assert untranslated == [], f"messages without a Chinese translation: {untranslated}"
    assert stale == [], f"catalog entries the code no longer uses: {stale}"


def test_the_core_catalog_is_complete():
    _complete(REPO_ROOT / "screener", CORE_CATALOG)


def test_chinese_is_the_default_and_english_is_the_messages_themselves():
    assert "zh_CN" in available() and "en" in available()
    assert label(CATEGORY, "illegal") == "违法"
    assert label(VERDICT, "block") == "拦截"
    assert field_label("image:1") == "图片2"
    english = translations("en")
    assert label(CATEGORY, "illegal", english) == "Illegal content"
    assert field_label("image:1", english) == "picture 2"
    assert label(CATEGORY, "from_an_extension") == "from_an_extension"


@pytest.mark.parametrize("category", sorted(POLICY))
def test_every_category_has_a_chinese_name(category):
    name = label(CATEGORY, category)
    assert name != category and not name.isascii()


def test_an_unknown_locale_is_refused_naming_the_known_ones():
    from screener.errors import ConfigError
    from screener.settings import load_settings

    with pytest.raises(ConfigError, match="zh_CN"):
        load_settings(locale="fr")


ERRORS = ("BadRequest", "Forbidden", "NotFound", "Conflict", "TooLarge", "Unauthenticated",
          "AuditError", "ServiceError", "Unavailable")


def test_the_service_catalog_is_complete():
    """Pages, labels and every error message the service raises."""
    from screener_service.labels import SERVICE_CATALOG

    _complete(REPO_ROOT / "service", SERVICE_CATALOG, {**KEYWORDS, **dict.fromkeys(ERRORS)})


def test_every_service_error_is_a_message_the_catalog_can_hold():
    """An error is raised with its English text as written (the msgid) and its values by name,
    never an f-string: a formatted message cannot be looked up in a catalog."""
    import ast

    formatted = []
    for path in (REPO_ROOT / "service").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            first = node.args[0] if isinstance(node, ast.Call) and node.args else None
            # a literal, or a module's constant marked N_() where it is written
            literal = isinstance(first, ast.Name) or (
                isinstance(first, ast.Constant) and isinstance(first.value, str))
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERRORS
                    and not literal):
                formatted.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert formatted == []


def test_an_error_is_english_for_programs_and_chinese_for_people():
    from screener_service.errors import Forbidden

    error = Forbidden("account {name} is {status}: only an approved account in operation "
                      "takes, signs off and publishes drafts (第六条, 第十四条)",
                      name="力学系", status="closing")
    body = error.to_dict()["error"]
    assert body["code"] == "forbidden"
    assert body["message"].startswith("account 力学系 is closing: only an approved account")
    assert body["message_zh"].startswith("账号“力学系”状态为“停用中”：只有经批准")
    unknown = Forbidden("a message no catalog holds yet").to_dict()["error"]
    assert unknown["message_zh"] == "没有权限：a message no catalog holds yet"
