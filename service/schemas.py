"""What requests carry: pydantic models of every JSON body, validated before a use case runs
(unknown keys refused), and the OpenAPI description of the multipart uploads."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from screener.i18n import N_
from screener.model import Platform


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- registry -------------------------------------------------------------------------------------
class UnitIn(Body):
    name: str = Field(min_length=1, max_length=200)


class PersonIn(Body):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["staff", "student", "external"]
    unit_id: int | None = None


PlatformName = Literal[tuple(str(p) for p in Platform)]  # type: ignore[valid-type]


class AccountIn(Body):
    platform: PlatformName
    name: str = Field(min_length=1, max_length=200)
    unit_id: int
    opened_on: str | None = Field(None, description="YYYY-MM-DD the account was opened, "
                                  "before the rule came into force (2020-04-08); a newer "
                                  "account is applied for")


class StatusIn(Body):
    status: Literal["closing", "closed"]
    effective_on: str | None = Field(None, description="YYYY-MM-DD the account stopped/closed")
    result: str = Field("", max_length=2000, description="closed: the closing result the unit "
                        "reports (第十四条)")


class ApproveIn(Body):
    decided_on: str | None = Field(None, description="YYYY-MM-DD of the 党政联席会")
    party_signatory: str = Field(min_length=1, max_length=200, description="院党委负责人")
    admin_signatory: str = Field(min_length=1, max_length=200, description="行政负责人")
    opened_on: str | None = Field(None, description="YYYY-MM-DD the account opens; default "
                                  "the meeting's date")
    note: str = Field("", max_length=2000)


class RejectIn(Body):
    decided_on: str | None = Field(None, description="YYYY-MM-DD of the 党政联席会")
    reason: str = Field(min_length=1, max_length=2000)


class PriorityIn(Body):
    accounts: list[int] = Field(min_length=1, max_length=500,
                                description="every open account of the unit, first = first")


_SECRET_WORDS = ("password", "passwd", "pwd", "secret", "密码", "口令")


class NoSecret(Body):
    """Account security records say who keeps the password and when it changed; the password
    itself is never stored, so a body that tries to carry one is refused by name."""

    @model_validator(mode="before")
    @classmethod
    def _no_password(cls, data: object) -> object:
        if isinstance(data, dict):
            for key in data:
                if isinstance(key, str) and any(w in key.lower() for w in _SECRET_WORDS) \
                        and key not in cls.model_fields:
                    raise ValueError(f"字段 {key!r}：系统不保存账号密码本身（第十一条），只记录"
                                     "保管人与修改日期；请勿提交密码")
        return data


class KeeperIn(NoSecret):
    person_id: int
    effective_on: str | None = Field(None, description="YYYY-MM-DD the keeper takes over")


class PasswordChangeIn(NoSecret):
    changed_on: str | None = Field(None, description="YYYY-MM-DD the password was changed")


class IntervalIn(NoSecret):
    days: int | None = Field(None, ge=1, le=3650, description="days between changes; none: "
                             "the default")


class ViolationIn(Body):
    article: str = Field(min_length=1, max_length=100, description="e.g. 第十一条（内容）")
    description: str = Field(min_length=1, max_length=20_000)
    draft_id: int | None = Field(None, description="a published draft; or the fields below")
    account_id: int | None = None
    post: str = Field("", max_length=200, description="the archive's post id")
    title: str = Field("", max_length=2000)
    published_on: str | None = Field(None, description="YYYY-MM-DD")


class ViolationDecisionIn(Body):
    criticized: bool = Field(False, description="通报批评")
    suspended_until: str | None = Field(None, description="暂停申办资格 until YYYY-MM-DD")
    referred: bool = Field(False, description="提请人事部、学生工作部处理")
    decided_on: str | None = Field(None, description="YYYY-MM-DD; default today")
    note: str = Field("", max_length=20_000)


class RoleIn(Body):
    person_id: int
    role: Literal["first_responsible", "responsible", "operator"]
    effective_on: str | None = Field(None, description="YYYY-MM-DD the change took effect")


class EndRoleIn(Body):
    ended_on: str | None = Field(None, description="YYYY-MM-DD the person left the role")


class TokenIn(Body):
    role: Literal["operator", "responsible", "unit_head", "maintainer", "admin"]
    person_id: int | None = None
    unit_id: int | None = None
    label: str = Field("", max_length=200)
    expires_in_days: int | None = Field(
        None, ge=1, le=3660, description="days until the token stops working; none: until "
                                         "revoked")


# -- drafts ---------------------------------------------------------------------------------------
class DraftIn(Body):
    account_id: int
    title: str = Field("", max_length=1_000_000)
    body: str = Field("", max_length=10_000_000)
    author: str = Field("", max_length=200)


class DraftEdit(Body):
    title: str = Field(max_length=1_000_000)
    body: str = Field(max_length=10_000_000)
    author: str | None = Field(None, max_length=200)


class SignoffIn(Body):
    decision: Literal["approve", "changes", "reject"]
    report_id: int = Field(description="the report the signer saw (binds the sign-off to it)")
    comment: str = Field("", max_length=20_000)
    finding_comments: dict[str, str] = Field(
        default_factory=dict, description="comments on findings, by index in the report")
    finding_judgements: dict[str, Literal["confirmed", "false_alarm"]] = Field(
        default_factory=dict, description="the signer's judgement of findings, by index "
        "(feedback for training); a finding not named is a false alarm when the draft is "
        "approved, confirmed when changes are requested or it is rejected")


class RecheckIn(Body):
    decision: Literal["keep", "take_down"]
    comment: str = Field("", max_length=20_000, description="required to take a post down")


APPLICATION_FIELDS = ("unit_id", "platform", "name", "purpose", "operating_plan",
                      "justification")
APPLICATION_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object",
               "required": ["unit_id", "platform", "name", "purpose", "operating_plan",
                            "approval_form", "pledge"],
               "properties": {
                   "unit_id": {"type": "integer"},
                   "platform": {"type": "string", "enum": [str(p) for p in Platform]},
                   "name": {"type": "string"}, "purpose": {"type": "string"},
                   "operating_plan": {"type": "string"},
                   "justification": {"type": "string", "description":
                                     "required when the unit already has accounts (第七条)"},
                   "approval_form": {"type": "string", "format": "binary",
                                     "description": "审批表 (PDF, PNG or JPEG)"},
                   "pledge": {"type": "string", "format": "binary",
                              "description": "保密及不侵权承诺书 (PDF, PNG or JPEG)"}}}}}}}


SUBMIT_DOC = {
    "requestBody": {"required": True, "content": {
        "application/json": {"schema": DraftIn.model_json_schema()},
        "multipart/form-data": {"schema": {"type": "object", "required": ["account_id"],
                                           "properties": {
            "account_id": {"type": "integer"}, "title": {"type": "string"},
            "body": {"type": "string"}, "author": {"type": "string"},
            "file": {"type": "string", "format": "binary",
                     "description": "a draft file (.json, .txt, .md) instead of title/body"},
            "images": {"type": "array", "items": {"type": "string", "format": "binary"}}}}},
    }}}


# -- lexicon and assets -------------------------------------------------------------------------
def clean_term(term: str) -> str:
    # An unpaired surrogate cannot be stored or hashed as UTF-8 (the lexicon store would fail
    # half-way); control characters are never part of a term someone could see.
    try:
        term.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(N_("a term must be valid Unicode text (no unpaired surrogates)")) from None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in term):
        raise ValueError(N_("a term must not contain control characters"))
    return term


Category = Literal["confidential", "commercial", "illegal", "unhealthy", "major_news",
                   "protected_name"]


class TermsIn(Body):
    terms: list[str] = Field(min_length=1, max_length=1000)

    @field_validator("terms")
    @classmethod
    def _terms(cls, terms: list[str]) -> list[str]:
        return [clean_term(t) for t in terms]

    category: Category
    severity: Literal["review", "block"] | None = None
    article: str | None = Field(None, max_length=100)
    boundary: bool | None = None  # None: the default (two Chinese characters: yes)
    fillers: bool = False
    reason: str = Field("", max_length=2000)


class TermEdit(Body):
    # Not 'allow': turning a flagged term into an allow-list phrase is not an edit.
    category: Category | None = None
    severity: Literal["review", "block"] | None = None
    article: str | None = Field(None, max_length=100)
    boundary: bool | None = None
    fillers: bool | None = None
    from_category: str | None = Field(None, max_length=40)
    reason: str = Field("", max_length=2000)


class RetireIn(Body):
    category: str | None = Field(None, max_length=40)
    reason: str = Field(min_length=1, max_length=2000,
                        description="why the term stops firing (required, recorded)")


class RetireAssetIn(Body):
    reason: str = Field(min_length=1, max_length=2000)


ASSET_FIELDS = ("kind", "title", "owner", "license", "source")
UPLOAD_DOC = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["image"], "properties": {
        "image": {"type": "string", "format": "binary"},
        "kind": {"type": "string", "enum": ["copyright", "emblem"]},
        "title": {"type": "string"}, "owner": {"type": "string"},
        "license": {"type": "string"}, "source": {"type": "string"}}}}}}}


# -- learning from the reviewers -----------------------------------------------------------------
class MissedIn(Body):
    report_id: int = Field(description="the report the reviewer saw")
    category: Literal["commercial", "confidential", "major_news", "illegal", "unhealthy"]
    text: str = Field("", max_length=2000, description="the words that show it (optional; "
                      "must occur in the title or body)")
    comment: str = Field("", max_length=20_000)


class ModelChangeIn(Body):
    reason: str = Field(min_length=1, max_length=2000,
                        description="why this model is put in force (required, audited)")


# -- the reviewer's queue page ------------------------------------------------------------------
SORTS = ("verdict", "oldest", "newest", "account")


class QueueFilter(Body):
    """What the queue page shows: the caller's drafts waiting for them (``mine``, the default
    for a 具体负责人 and the dean's office) or every draft they may read, narrowed by these."""

    mine: bool = True
    verdict: Literal["pass", "review", "block"] | None = None
    category: str | None = Field(None, max_length=40, pattern=r"^[a-z_]+$")
    account_id: int | None = Field(None, ge=1, le=2**53)
    platform: str | None = Field(None, max_length=20, pattern=r"^[a-z_]+$")
    status: Literal["pending", "approved", "changes_requested", "rejected",
                    "published"] | None = None
    since: date | None = Field(None, description="submitted on or after (Beijing date)")
    until: date | None = Field(None, description="submitted on or before (Beijing date)")
    q: str = Field("", max_length=100, description="words in the title or body")
    sort: Literal["verdict", "oldest", "newest", "account"] = "verdict"
    offset: int = Field(0, ge=0, le=10**9)

    @model_validator(mode="before")
    @classmethod
    def _empty_is_none(cls, values: object) -> object:
        """An empty box of the filter form means "any"."""
        if isinstance(values, dict):
            return {k: v for k, v in values.items() if v not in ("", None)}
        return values

    @field_validator("since", "until")
    @classmethod
    def _sane_year(cls, value: date | None) -> date | None:
        if value is not None and not 2000 <= value.year <= 2100:
            raise ValueError(N_("a date between 2000 and 2100"))
        return value


class BatchApprovalIn(Body):
    """Drafts that passed with no finding, approved at once with one comment; each pair names
    the report the reviewer saw."""

    drafts: list[tuple[int, int]] = Field(min_length=1, max_length=200)
    comment: str = Field("", max_length=2000)
