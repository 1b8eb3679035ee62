"""The registry's rules (第二条-第九条, 第十四条): who may hold which role, how accounts move
between states, and when a change was reported late.

Units own accounts; people hold roles on accounts for dated periods. Every change carries the
date it happened (``effective_on``) and the time it was recorded (``reported_at``), so a change
recorded more than 5 working days late (第九条), or an account still open 10 working days after
it stopped (第十四条), shows as late.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from screener.model import PLATFORM_LABELS, Platform
from screener.normalize.hidden import plain_name

from .errors import BadRequest
from .workdays import REPORT_DAYS, Count, active_calendar, count_working_days


class AccountRole(StrEnum):
    FIRST_RESPONSIBLE = "first_responsible"  # 第一责任人 (第八条)
    RESPONSIBLE = "responsible"  # 具体负责人: must be staff (第八条)
    OPERATOR = "operator"  # 具体运营人: staff or student (第九条)


class PersonKind(StrEnum):
    STAFF = "staff"  # 在职教职工
    STUDENT = "student"  # 在读学生
    EXTERNAL = "external"


class AccountStatus(StrEnum):
    APPLIED = "applied"  # applied for, waiting for the 党政联席会 (第六条)
    REJECTED = "rejected"  # not approved
    ACTIVE = "active"  # approved (or existing before the rule): the only state that posts
    CLOSING = "closing"  # stopped, closure requested (第十四条)
    CLOSED = "closed"


STATUS_LABELS = {AccountStatus.APPLIED: "申请中（待党政联席会审批）",
                 AccountStatus.REJECTED: "未获批准", AccountStatus.ACTIVE: "运营中",
                 AccountStatus.CLOSING: "停止运营，关闭中", AccountStatus.CLOSED: "已关闭"}
# Where each status may go: approval or rejection of an application, then closing (第十四条).
NEXT_STATUS = {AccountStatus.APPLIED: {AccountStatus.ACTIVE, AccountStatus.REJECTED},
               AccountStatus.REJECTED: set(),
               AccountStatus.ACTIVE: {AccountStatus.CLOSING, AccountStatus.CLOSED},
               AccountStatus.CLOSING: {AccountStatus.CLOSED}, AccountStatus.CLOSED: set()}
# 第十八条: the rule is in force from 2020-04-08. An account opened before it needed no
# approval under it; 第七条 asks the units to clean up and order those existing accounts.
RULE_IN_FORCE = "2020-04-08"


ACCOUNT_ROLE_LABELS = {AccountRole.FIRST_RESPONSIBLE: "第一责任人",
                       AccountRole.RESPONSIBLE: "具体负责人", AccountRole.OPERATOR: "具体运营人"}
# Who may hold each role: the rule's own words, checked when the role is given.
ALLOWED_KINDS = {
    AccountRole.FIRST_RESPONSIBLE: {PersonKind.STAFF},
    AccountRole.RESPONSIBLE: {PersonKind.STAFF},
    AccountRole.OPERATOR: {PersonKind.STAFF, PersonKind.STUDENT},
}
PLATFORMS = tuple(str(p) for p in Platform)  # 第十六条: every platform, not only the two


def platform_label(platform: str) -> str:
    return PLATFORM_LABELS.get(Platform(platform), platform) if platform in PLATFORMS \
        else platform


# Roles held by one person at a time: giving it to someone ends the previous holder's period.
SINGLE_HOLDER = {AccountRole.FIRST_RESPONSIBLE, AccountRole.RESPONSIBLE}


# Dates the registry accepts: the rule is of 2010s accounts; a year 1 or 9999 is a typo (and
# counting working days to it took seconds).
FIRST_DAY = date(2000, 1, 1)
FUTURE_YEARS = 5


def today() -> str:
    """The calendar day the registry's dated history is read at (the server's local day, as
    the dates people enter are)."""
    return date.today().isoformat()


def held_on(effective_on: str, ended_on: str | None, day: str) -> bool:
    """Whether a dated period covers ``day``: from its first day, up to (not including) the
    day it ended. A change dated in the future is pending until then."""
    return effective_on <= day and (ended_on is None or ended_on > day)


def parse_day(value: str | None, field: str) -> str:
    if value is None or value == "":
        return today()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadRequest("{field} must be a date YYYY-MM-DD, got {value}", field=field,
                         value=repr(value)) from None
    last = date(date.today().year + FUTURE_YEARS, 12, 31)
    if not FIRST_DAY <= day <= last:
        raise BadRequest("{field} must be between {first} and {last}, got {day}", field=field,
                         first=FIRST_DAY, last=last, day=day)
    return day.isoformat()


def late(effective_on: str, reported_at: str, limit: int = REPORT_DAYS) -> Count:
    """Working days late beyond the limit (0 if on time), and the years the calendar lacks."""
    reported = datetime.fromisoformat(reported_at).date()
    counted = count_working_days(date.fromisoformat(effective_on), reported)
    return Count(max(0, counted.days - limit), counted.uncovered)


def unchecked(counts: list[Count]) -> str | None:
    """Fail closed: a deadline counted across a year without a calendar is not called on time;
    the page says so in words."""
    years = sorted({y for c in counts for y in c.uncovered})
    if not years:
        return None
    listed = "、".join(str(y) for y in years)
    # the calendar's file name only: where the server keeps it is not the reader's business
    return (f"节假日日历（{Path(active_calendar().source).name}）未收录 {listed} 年，"
            "工作日按周一至周五估算，请人工核对")


def clean_name(name: str, what: str) -> str:
    name = name.strip()
    if not name:
        raise BadRequest("{what} needs a name", field="name", what=what)
    try:
        return plain_name(name)
    except ValueError as exc:  # a bidi override or escape sequence would disguise the name
        raise BadRequest("name {problem}", field="name", problem=str(exc)) from None
