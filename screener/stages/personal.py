"""The personal-information stage: ID and bank card numbers, passports, student numbers next to
names, phone numbers next to names in a list (第十一条（内容）, for review)."""

from __future__ import annotations

from ..details.personal import find_personal
from ..model import Finding
from ..policy import rule_for
from . import register
from .base import Context, Resources

CATEGORY = "personal_info"
_WHY = {
    "id_number": "校验位符合 GB 11643 的居民身份证号码",
    "bank_card": "通过 Luhn 校验的银行卡号",
    "passport": "护照号码",
    "student_number": "与姓名一起出现的学号",
    "name_phone": "名单中与姓名一起出现的手机号",
}


class PersonalStage:
    name = "personal"

    def __init__(self, resources: Resources) -> None:
        self.rule = rule_for(CATEGORY)

    def __call__(self, context: Context) -> list[Finding]:
        return [Finding(stage=self.name, category=CATEGORY, severity=self.rule.severity,
                        field=field, start=p.start, end=p.end, text=text[p.start:p.end],
                        term=p.label(), score=1.0, article=self.rule.article,
                        explanation=f"个人信息：{_WHY[p.kind]}；公开发布前须确认已获本人同意或删去")
                for field, text in context.text_fields() for p in find_personal(text)]


register("personal")(PersonalStage)
