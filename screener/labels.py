"""The names people read for the codes programs use: categories, verdicts, severities,
platforms and the fields a finding is on. English here (the catalog's msgids), shown in the
interface language through ``screener.i18n`` (Chinese by default): ``label(CATEGORY,
"illegal", tr)`` is 违法.

The codes themselves (``illegal``, ``block``, ``image:2``) stay in JSON, URLs and forms.
"""

from __future__ import annotations

import gettext
import re

from .i18n import N_, translations

CATEGORY = {
    "confidential": N_("Classified information"),
    "illegal": N_("Illegal content"),
    "unhealthy": N_("Unhealthy content"),
    "commercial": N_("Commercial activity"),
    "major_news": N_("Major news or matter"),
    "protected_name": N_("Name of the school"),
    "copyright": N_("Copyright"),
    "emblem": N_("School emblem or mark"),
    "stage_error": N_("Not checked automatically"),
    "contact": N_("Contact details (for information)"),
    "personal_info": N_("Personal information"),
    "hidden_text": N_("Hidden characters"),
    "platform_limit": N_("Platform limit"),
    # not a finding's category: the lexicon's list of phrases that never fire
    "allow": N_("Allowed phrases"),
}
VERDICT = {"pass": N_("Passed"), "review": N_("Needs review"), "block": N_("Blocked")}
SEVERITY = {"info": N_("For information only"), "review": N_("Review"), "block": N_("Block")}
PLATFORM = {"wechat": N_("WeChat official account"), "weibo": N_("Weibo"),
            "other": N_("Other platform")}
FIELD = {"title": N_("title"), "body": N_("body"), "draft": N_("whole draft"),
         "account": N_("account name")}
PICTURE = N_("picture {number}")
STAGE = {"terms": N_("Term check"), "classify": N_("Classifier check"),
         "images": N_("Picture check"), "hidden": N_("Hidden-character check"),
         "personal": N_("Personal-information check"), "contacts": N_("Contact-details check"),
         "platform": N_("Platform-limit check")}
_PICTURE_FIELD = re.compile(r"^image:(\d+)$")


def label(table: dict[str, str], code: str, tr: gettext.NullTranslations | None = None) -> str:
    """The name of ``code`` in ``table``, translated; a code the table lacks is shown as it is
    (an extension's category still shows, under its own name)."""
    message = table.get(code)
    if message is None:
        return code
    return (tr or translations()).gettext(message)


def field_label(field: str, tr: gettext.NullTranslations | None = None) -> str:
    """正文, 标题, 全文, 图片 2 (pictures are numbered from 1 for people)."""
    tr = tr or translations()
    found = _PICTURE_FIELD.match(field)
    if found:
        return tr.gettext(PICTURE).format(number=int(found.group(1)) + 1)
    return label(FIELD, field, tr)


__all__ = ["CATEGORY", "FIELD", "PLATFORM", "SEVERITY", "STAGE", "VERDICT", "field_label",
           "label"]
