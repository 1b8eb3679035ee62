"""The personal-information stage: ID and bank card numbers, passports, student numbers next to
names, phone numbers next to names in a list (第十一条（内容）, for review)."""

from __future__ import annotations

from ..details.personal import find_personal
from ..findings import make_finding
from ..model import Finding
from .base import Context, Key, Resources
from .registry import register

CATEGORY = "personal_info"
# (field, start, end) of every personal number found: the contact stage does not report them
# again as contact routes.
PERSONAL_SPANS: Key[frozenset[tuple[str, int, int]]] = Key(
    "personal_spans", "spans of personal information (field, start, end)")
_WHY = {
    "id_number": "校验位符合 GB 11643 的居民身份证号码",
    "bank_card": "通过 Luhn 校验的银行卡号",
    "passport": "护照号码",
    "student_number": "与姓名一起出现的学号",
    "name_phone": "名单中与姓名一起出现的手机号",
}


@register("personal")
class PersonalStage:
    name = "personal"
    provides = (PERSONAL_SPANS,)

    def __init__(self, resources: Resources) -> None:
        pass

    def __call__(self, context: Context) -> list[Finding]:
        findings = [make_finding(CATEGORY, stage=self.name, field=field, start=p.start,
                                 end=p.end, text=text[p.start:p.end], term=p.label(),
                                 explanation=f"个人信息：{_WHY[p.kind]}；公开发布前须确认已获本人"
                                             "同意或删去",
                                 detail=f"personal information: {p.kind}")
                    for field, text in context.text_fields() for p in find_personal(text)]
        context.provide(PERSONAL_SPANS, frozenset((f.field, f.start, f.end) for f in findings))
        return findings
