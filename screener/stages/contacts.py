"""The contact stage: every phone number, WeChat/QQ id, outside e-mail address and link.

In a post that sells something (a commercial term or classifier finding, or sales words in the
same field) a contact route is part of the advertisement: ``commercial``, for review. Otherwise it
is an informational ``contact`` finding: the reviewer sees it, the verdict does not change.
"""

from __future__ import annotations

import re

from ..details.contacts import find_contacts
from ..findings import make_finding
from ..model import Finding
from .base import CLASS_SCORES, LEXICON_HITS, Context, Resources
from .personal import PERSONAL_SPANS
from .registry import register

_SALES = re.compile(r"价格|优惠|购买|下单|出售|售价|特价|促销|折扣|包邮|代理|加盟|批发|零售|低价|"
                    r"[￥¥]\s*\d|\d+\s*元/|咨询选购|有意者|详聊|私聊|招商|代购|微商|返现|兼职")


@register("contacts")
class ContactStage:
    name = "contacts"
    # After the term stage and the classifier (their commercial findings say the post sells)
    # and the personal stage (a phone number in a list of names is reported there).
    uses = (LEXICON_HITS, CLASS_SCORES, PERSONAL_SPANS)

    def __init__(self, resources: Resources) -> None:
        pass

    def __call__(self, context: Context) -> list[Finding]:
        selling = [f for f in context.findings if f.category == "commercial"]
        personal = context.get(PERSONAL_SPANS) or frozenset()
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
                    if selling and selling[0].term:
                        why = f"稿件含推销内容（“{selling[0].term}”）"
                    elif selling:
                        why = "分类模型判断稿件含推销内容"
                    else:
                        why = f"同一段文字有推销用语“{cue.group()}”"
                    category = "commercial"
                    explanation = f"{what}；{why}，按未经许可的商业经营活动提交复核"
                    detail = (f"contact route {c.kind} in a post that sells: "
                              + (f"{selling[0].category} finding of stage {selling[0].stage}"
                                 if selling else f"sales wording at {field}:{cue.start()}"))
                else:
                    category = "contact"
                    explanation = f"{what}；仅提示，请确认是否应当公开（不影响结论）"
                    detail = f"contact route {c.kind}; the post sells nothing: information only"
                findings.append(make_finding(
                    category, stage=self.name, field=field, start=c.start, end=c.end,
                    text=text[c.start:c.end], term=c.label(), explanation=explanation,
                    detail=detail))
        return findings
