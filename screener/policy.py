"""The single policy table: finding category -> article of the rule, severity, and the rule's
own words that make it matter.

Cite articles by number and subject so the two printed 第十一条 are never confused (DESIGN.md).
Each rule quotes the article verbatim (``docs/regulation.txt``, the rule as the college issued
it; a test checks every quote is there): a finding's explanation ends with it, so the reviewer
reads why the finding matters in the rule's own words. The verdict of a draft is the worst
severity among its findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .model import Finding, Severity, Verdict

ARTICLE_CONTENT = "第十一条（内容）"
ARTICLE_NAMES = "第二条（名称与标识）"
ARTICLE_REVIEW = "第八条（审核把关）"

# The rule's words, verbatim, for each thing the screener looks for.
LAWFUL = "不得发布违反法律、法规及各类规范性文件的信息"
SECRETS = "必须严格执行国家保密法规，杜绝发布和推送涉密信息"
UNHEALTHY = "不得制作、复制和传播各种不健康信息"
COMMERCE = "未经许可不得从事商业经营活动"
MAJOR = ("事关学校、学院中心工作或整体工作的重大新闻、重大事项，由学校党委宣传部、学院院长办公室"
         "统筹发布，各单位不得在两微账号上擅自发布")
NAMES = ("名称中使用“北京大学”“北大”“Peking University”“PKU”“燕园”“未名”“北京大学工学院”"
         "“北大工学”等与学校、学院相关字样")
EMBLEMS = "北京大学校徽、北京大学标识等官方标识"
COPYRIGHT = ("应严格遵守网络知识产权及新闻信息转载保护规定，保护著作权人合法权益，使用无版权纠纷的"
             "相关内容")
REVIEW = "具体负责人负责运营管理工作，其主要责任为对账号上发布的信息进行审核把关"
OTHER_PLATFORMS = "其他类型的新媒体平台参照本办法进行管理"


@dataclass(frozen=True, slots=True)
class Rule:
    article: str
    severity: Severity
    meaning: str
    quote: str  # the article's own words, verbatim


POLICY: dict[str, Rule] = {
    "confidential": Rule(ARTICLE_CONTENT, Severity.BLOCK, "涉密信息 classified information",
                         SECRETS),
    "illegal": Rule(ARTICLE_CONTENT, Severity.BLOCK, "违法信息 illegal content", LAWFUL),
    "unhealthy": Rule(ARTICLE_CONTENT, Severity.BLOCK, "不健康信息 unhealthy content", UNHEALTHY),
    "commercial": Rule(ARTICLE_CONTENT, Severity.REVIEW, "未经许可的商业经营活动 commercial",
                       COMMERCE),
    "major_news": Rule("第十三条（重大事项）", Severity.REVIEW, "重大新闻、重大事项", MAJOR),
    "protected_name": Rule(ARTICLE_NAMES, Severity.REVIEW, "学校、学院相关字样", NAMES),
    "copyright": Rule("第十二条（著作权）", Severity.REVIEW, "图片、文字的著作权", COPYRIGHT),
    "emblem": Rule(ARTICLE_NAMES, Severity.REVIEW, "校徽、官方标识", EMBLEMS),
    # Contact routes (phone, WeChat, QQ, e-mail, links) in a post that sells nothing: shown to
    # the reviewer, no verdict change. In a post that sells something they are "commercial".
    "contact": Rule(ARTICLE_CONTENT, Severity.INFO, "联系方式（仅提示）", COMMERCE),
    "personal_info": Rule(ARTICLE_CONTENT, Severity.REVIEW, "个人信息（身份证号、银行卡号等）",
                          LAWFUL),
    # Control, bidi and invisible characters: what the reader sees is not what was screened.
    "hidden_text": Rule(ARTICLE_REVIEW, Severity.REVIEW, "隐藏字符、控制字符", REVIEW),
    # A post longer, or with more pictures, than its platform takes (第十六条: the other
    # platforms are managed by the same rule; their limits are settings).
    "platform_limit": Rule("第十六条（其他平台）", Severity.REVIEW, "超出平台的篇幅或图片限制",
                           OTHER_PLATFORMS),
    # A stage or input that could not be read: the responsible person must look (fail closed).
    "stage_error": Rule(ARTICLE_REVIEW, Severity.REVIEW, "未能完成自动检查 not screened", REVIEW),
}

CATEGORIES = tuple(POLICY)

# Classifier score -> severity: a score at or above "block" blocks, at or above "review" asks for
# review. Chosen on the real validation split of the local corpus (and, for confidential, whose
# positives are all synthetic, on out-of-fold synthetic scores), never on a held-out split; the
# model cards in models/ say how and why, with the numbers.
THRESHOLDS: dict[str, dict[str, float]] = {
    # Recall first: a leak that slips through cannot be recalled once published.
    "confidential": {"review": 0.169, "block": 0.9},
    # A "block" above 1 is never reached: POLICY makes these review matters, so a person decides.
    "commercial": {"review": 0.52, "block": 1.01},
    "major_news": {"review": 0.355, "block": 1.01},
}
# Names of the school are normal in a post body; they matter only in an account's name (第二条).
ACCOUNT_NAME_ONLY = frozenset({"protected_name"})
_RANK = {Severity.INFO: 0, Severity.REVIEW: 1, Severity.BLOCK: 2}


# An article a lexicon file names for its terms (``# article:``) is quoted by these words when
# its category's rule cites another article.
ARTICLE_QUOTES = {ARTICLE_CONTENT: LAWFUL, ARTICLE_NAMES: NAMES, "第十三条（重大事项）": MAJOR,
                  "第十二条（著作权）": COPYRIGHT, ARTICLE_REVIEW: REVIEW}


def rule_for(category: str) -> Rule:
    try:
        return POLICY[category]
    except KeyError:
        raise KeyError(f"unknown category {category!r}; known: {', '.join(CATEGORIES)}") from None


def verdict_of(findings: Iterable[Finding]) -> Verdict:
    worst = 0
    for finding in findings:
        worst = max(worst, _RANK[finding.severity])
    return (Verdict.PASS, Verdict.REVIEW, Verdict.BLOCK)[worst]
