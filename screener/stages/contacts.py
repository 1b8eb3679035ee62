"""The contact stage: every phone number, WeChat/QQ id, outside e-mail address and link.

In a post that sells something (a commercial term or classifier finding, or sales words in the
same field) a contact route is part of the advertisement: ``commercial``, for review. Otherwise it
is an informational ``contact`` finding: the reviewer sees it, the verdict does not change.
"""

from __future__ import annotations

import re

from ..details.contacts import find_contacts
from ..model import Finding
from ..policy import rule_for
from . import register
from .base import Context, Resources

_SALES = re.compile(r"价格|优惠|购买|下单|出售|售价|特价|促销|折扣|包邮|代理|加盟|批发|零售|低价|"
                    r"[￥¥]\s*\d|\d+\s*元/|咨询选购|有意者|详聊|私聊|招商|代购|微商|返现|兼职")


class ContactStage:
    name = "contacts"

    def __init__(self, resources: Resources) -> None:
        self.contact = rule_for("contact")
        self.commercial = rule_for("commercial")

    def __call__(self, context: Context) -> list[Finding]:
        selling = [f for f in context.findings if f.category == "commercial"]
        personal = {(f.field, f.start, f.end) for f in context.findings
                    if f.category == "personal_info"}
        findings = []
        for field, text in context.text_fields():
            cue = _SALES.search(text)
            for c in find_contacts(text):
                if (field, c.start, c.end) in personal:
                    continue
                what = f"联系方式：{c.label()} {c.value}"
                if c.kind == "short_link":
                    what += "（短链接，看不出指向哪里）"
                if selling or cue:
                    why = (f"稿件含推销内容（{selling[0].term or selling[0].category}）"
                           if selling else f"同一段文字有推销用语“{cue.group()}”")
                    rule, category = self.commercial, "commercial"
                    explanation = f"{what}；{why}，按未经许可的商业经营活动提交复核"
                else:
                    rule, category = self.contact, "contact"
                    explanation = f"{what}；仅提示，请确认是否应当公开（不影响结论）"
                findings.append(Finding(
                    stage=self.name, category=category, severity=rule.severity, field=field,
                    start=c.start, end=c.end, text=text[c.start:c.end], term=c.label(),
                    score=1.0, article=rule.article, explanation=explanation))
        return findings


register("contacts")(ContactStage)
