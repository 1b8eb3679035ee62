"""Statistics for the dean's office and each unit head (第一责任人): reads only.

Every figure is computed by the database, in SQL that runs on SQLite and PostgreSQL alike; where
the two spell a function differently (the week of a time, seconds between two times, the
findings inside a stored report) a small construct below compiles to each one's spelling.

Scope comes from the registry, never from a token: the dean's office sees every unit (or the
one it picks); a unit head sees the units whose accounts the registry makes them 第一责任人 of,
and asking for another unit is refused. Weeks start on Monday, Beijing time; a period is a range
of Beijing dates, both ends included, and applies to the time a draft was submitted.

Tables (each a list of rows with fixed keys, shown on the page, exported as CSV and Excel):

* ``weekly``: drafts submitted per week, how many were flagged (any screening of any revision
  not ``pass``) and how many are approved (approved or published today);
* ``accounts``: the same per account, with the median hours from submission to the first
  sign-off and how many drafts were signed off later than ``signoff_hours``;
* ``categories``: drafts with a finding of each category, and how many of them were approved;
* ``terms``: the lexicon terms that fired most, how often the sign-off on a report that held
  them approved the draft anyway (dismissed the finding);
* ``inactive``: active accounts with no post published for ``inactive_days`` (第七条).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Float,
    String,
    and_,
    case,
    cast,
    distinct,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from screener.i18n import N_
from screener.labels import CATEGORY

from ..access import require
from ..auth import Principal, Role
from ..db import accounts, drafts, read, reports, signoffs, units
from ..errors import BadRequest, Forbidden, Named
from .rows import headed_units

READERS = (Role.ADMIN, Role.UNIT_HEAD)
BEIJING = timedelta(hours=8)
APPROVED = ("approved", "published")
TOP_TERMS = 20
TABLES = ("weekly", "accounts", "categories", "terms", "inactive")
# Column keys of each table, in order, with the heading shown (msgids of the service catalog).
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "weekly": (("week", N_("Week from (Monday)")), ("screened", N_("Drafts screened")),
               ("flagged", N_("Flagged")), ("approved", N_("Approved"))),
    "accounts": (("account", N_("Account")), ("unit", N_("Unit")),
                 ("screened", N_("Drafts screened")), ("flagged", N_("Flagged")),
                 ("approved", N_("Approved")), ("signed", N_("Signed off")),
                 ("median_hours", N_("Median hours to sign-off")),
                 ("late", N_("Signed off late"))),
    "categories": (("category", N_("Category")), ("drafts", N_("Drafts with such findings")),
                   ("approved", N_("Approved"))),
    "terms": (("term", N_("Term")), ("category", N_("Category")), ("drafts", N_("Drafts")),
              ("signed", N_("Signed off")), ("dismissed", N_("Approved anyway")),
              ("dismissal_rate", N_("Dismissal rate"))),
    "inactive": (("account", N_("Account")), ("unit", N_("Unit")),
                 ("platform", N_("Platform")), ("opened_on", N_("Opened on")),
                 ("last_post", N_("Last post published")),
                 ("days", N_("Days without a post"))),
}


# -- the constructs each engine spells its own way ------------------------------------------------
class week_of(FunctionElement):  # noqa: N801  (used like a SQL function)
    """The Monday (Beijing time) of the week of a stored UTC time, as 'YYYY-MM-DD'."""

    type = String()
    inherit_cache = True


@compiles(week_of, "sqlite")
def _week_sqlite(element: week_of, compiler: Any, **kw: Any) -> str:
    (moment,) = list(element.clauses)
    return f"date({compiler.process(moment, **kw)}, '+8 hours', 'weekday 0', '-6 days')"


@compiles(week_of, "postgresql")
def _week_postgresql(element: week_of, compiler: Any, **kw: Any) -> str:
    (moment,) = list(element.clauses)
    return (f"to_char(date_trunc('week', (CAST({compiler.process(moment, **kw)} AS timestamptz)"
            " AT TIME ZONE 'UTC') + interval '8 hours'), 'YYYY-MM-DD')")


class seconds_between(FunctionElement):  # noqa: N801
    """Seconds from the first stored time to the second."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_postgresql(element: seconds_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXTRACT(EPOCH FROM (CAST({end} AS timestamptz) - CAST({start} AS timestamptz)))"


def _findings(conn: Connection) -> tuple[Any, Any, Any]:
    """The findings of a stored report as rows: (the rows, their term, their category)."""
    if conn.dialect.name == "postgresql":
        rows = func.jsonb_array_elements(cast(reports.c.report, JSONB)["findings"]) \
            .table_valued("value").alias("finding")
        return rows, rows.c.value.op("->>")("term"), rows.c.value.op("->>")("category")
    rows = func.json_each(reports.c.report, "$.findings").table_valued("value").alias("finding")
    return (rows, func.json_extract(rows.c.value, "$.term"),
            func.json_extract(rows.c.value, "$.category"))


# -- scope and period ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """Whose numbers: the units (None: every unit) and the submission period."""

    units: frozenset[int] | None
    since: date | None = None
    until: date | None = None

    def drafts_where(self) -> list[Any]:
        where: list[Any] = []
        if self.units is not None:
            where.append(accounts.c.unit_id.in_(sorted(self.units)))
        if self.since is not None:
            where.append(drafts.c.created_at >= _utc(self.since))
        if self.until is not None:
            where.append(drafts.c.created_at < _utc(self.until + timedelta(days=1)))
        return where


def _utc(day: date) -> str:
    """Midnight of a Beijing date, as the stored UTC text (``db.now``'s format)."""
    moment = datetime.combine(day, time(), tzinfo=UTC) - BEIJING
    return moment.isoformat(timespec="seconds")


DAY_FIELDS = {"since": N_("the first day"), "until": N_("the last day")}


def parse_day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest("{which} of the period must be a date such as 2024-05-01, got {value}",
                         field=field, which=Named(DAY_FIELDS, [field], DAY_FIELDS[field]),
                         value=repr(value)) from None


def month_period(month: str | None, today: date) -> tuple[date, date]:
    """The first and last day of ``YYYY-MM`` (default: the previous month)."""
    if month:
        try:
            first = date.fromisoformat(month + "-01")
        except ValueError:
            raise BadRequest("month must be YYYY-MM, got {value}", field="month",
                             value=repr(month)) from None
    else:
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def scope_of(conn: Connection, p: Principal, unit_id: int | None, since: date | None,
             until: date | None) -> Scope:
    """The units ``p`` may read, narrowed to ``unit_id``; refuses another unit's numbers."""
    require(p, *READERS, doing=N_("reading the statistics"))
    if since is not None and until is not None and since > until:
        raise BadRequest("the period ends ({until}) before it starts ({since})", field="until",
                         since=since, until=until)
    if p.role is Role.ADMIN:
        return Scope(None if unit_id is None else frozenset({unit_id}), since, until)
    headed = headed_units(conn, p.person_id)
    if unit_id is not None:
        if unit_id not in headed:
            raise Forbidden("unit {unit} is not yours: a 第一责任人 reads only the statistics "
                            "of the units the registry makes them head of", unit=unit_id)
        headed = {unit_id}
    return Scope(frozenset(headed), since, until)


# -- the tables --------------------------------------------------------------------------------
def _flagged_drafts() -> Any:
    return select(reports.c.draft_id).where(reports.c.verdict != "pass")


def _counts() -> list[Any]:
    return [func.count().label("screened"),
            func.sum(case((drafts.c.id.in_(_flagged_drafts()), 1), else_=0)).label("flagged"),
            func.sum(case((drafts.c.status.in_(APPROVED), 1), else_=0)).label("approved")]


def _in_scope(scope: Scope) -> Any:
    return and_(true(), *scope.drafts_where())


def weekly(conn: Connection, scope: Scope) -> list[dict[str, Any]]:
    week = week_of(drafts.c.created_at).label("week")
    query = (select(week, *_counts())
             .select_from(drafts.join(accounts, accounts.c.id == drafts.c.account_id))
             .where(_in_scope(scope)).group_by(week).order_by(week))
    return [dict(row._mapping) | {"flagged": int(row.flagged or 0),
                                  "approved": int(row.approved or 0)}
            for row in conn.execute(query)]


def _waits(scope: Scope) -> Any:
    """Per draft signed off: its account and the seconds from submission to the first sign-off."""
    first = (select(signoffs.c.draft_id, func.min(signoffs.c.created_at).label("signed_at"))
             .group_by(signoffs.c.draft_id).subquery("first_signoff"))
    return (select(drafts.c.account_id,
                   seconds_between(drafts.c.created_at, first.c.signed_at).label("seconds"))
            .select_from(drafts.join(first, first.c.draft_id == drafts.c.id)
                         .join(accounts, accounts.c.id == drafts.c.account_id))
            .where(_in_scope(scope)).subquery("waits"))


def _medians(waits: Any, by_account: bool) -> Any:
    """The median of ``waits.seconds`` (per account, or over all): the middle row, or the mean
    of the two middle rows, picked by row number (both engines have window functions)."""
    partition = [waits.c.account_id] if by_account else []
    ranked = select(waits.c.account_id, waits.c.seconds,
                    func.row_number().over(partition_by=partition,
                                           order_by=waits.c.seconds).label("rn"),
                    func.count().over(partition_by=partition).label("n")).subquery("ranked")
    middle = (2 * ranked.c.rn).between(ranked.c.n, ranked.c.n + 2)
    columns = [ranked.c.account_id] if by_account else []
    query = select(*columns, func.avg(ranked.c.seconds).label("median")).where(middle)
    return query.group_by(ranked.c.account_id) if by_account else query


def per_account(conn: Connection, scope: Scope, signoff_hours: float) -> list[dict[str, Any]]:
    counts = (select(drafts.c.account_id, *_counts())
              .select_from(drafts.join(accounts, accounts.c.id == drafts.c.account_id))
              .where(_in_scope(scope)).group_by(drafts.c.account_id).subquery("counts"))
    waits = _waits(scope)
    late = (select(waits.c.account_id, func.count().label("signed"),
                   func.sum(case((waits.c.seconds > signoff_hours * 3600, 1), else_=0))
                   .label("late"))
            .group_by(waits.c.account_id).subquery("late"))
    medians = _medians(waits, by_account=True).subquery("medians")
    query = (select(accounts.c.name.label("account"), units.c.name.label("unit"),
                    counts.c.screened, counts.c.flagged, counts.c.approved,
                    func.coalesce(late.c.signed, 0).label("signed"),
                    medians.c.median, func.coalesce(late.c.late, 0).label("late"))
             .select_from(counts.join(accounts, accounts.c.id == counts.c.account_id)
                          .join(units, units.c.id == accounts.c.unit_id)
                          .outerjoin(late, late.c.account_id == counts.c.account_id)
                          .outerjoin(medians, medians.c.account_id == counts.c.account_id))
             .order_by(units.c.name, accounts.c.name))
    return [{"account": r.account, "unit": r.unit, "screened": r.screened,
             "flagged": int(r.flagged or 0), "approved": int(r.approved or 0),
             "signed": int(r.signed), "median_hours": _hours(r.median), "late": int(r.late)}
            for r in conn.execute(query)]


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(float(seconds) / 3600, 1)


def summary(conn: Connection, scope: Scope, signoff_hours: float) -> dict[str, Any]:
    waits = _waits(scope)
    median = conn.execute(_medians(waits, by_account=False)).scalar()
    signed, late = conn.execute(select(
        func.count(), func.sum(case((waits.c.seconds > signoff_hours * 3600, 1), else_=0)))
    ).one()
    screened, flagged, approved = conn.execute(
        select(*_counts()).select_from(drafts.join(accounts, accounts.c.id ==
                                                   drafts.c.account_id))
        .where(_in_scope(scope))).one()
    return {"screened": screened, "flagged": int(flagged or 0), "approved": int(approved or 0),
            "signed": signed, "late": int(late or 0), "median_hours": _hours(median),
            "signoff_hours": signoff_hours}


def categories(conn: Connection, scope: Scope) -> list[dict[str, Any]]:
    columns = []
    for code in CATEGORY:
        hit = reports.c.categories.like(f"%,{code},%")
        columns.append(func.count(distinct(case((hit, reports.c.draft_id)))).label(code))
        columns.append(func.count(distinct(case((and_(hit, drafts.c.status.in_(APPROVED)),
                                                  reports.c.draft_id)))).label(f"{code}:ok"))
    row = conn.execute(
        select(*columns).select_from(reports.join(drafts, drafts.c.id == reports.c.draft_id)
                                     .join(accounts, accounts.c.id == drafts.c.account_id))
        .where(_in_scope(scope))).one()._mapping
    return [{"category": code, "drafts": row[code], "approved": row[f"{code}:ok"]}
            for code in CATEGORY if row[code]]


def top_terms(conn: Connection, scope: Scope, limit: int = TOP_TERMS) -> list[dict[str, Any]]:
    found, term, category = _findings(conn)
    hits = (select(reports.c.id.label("report_id"), reports.c.draft_id,
                   term.label("term"), category.label("category"))
            .select_from(reports.join(drafts, drafts.c.id == reports.c.draft_id)
                         .join(accounts, accounts.c.id == drafts.c.account_id))
            .join(found, true())
            .where(_in_scope(scope), term.is_not(None), term != "")
            .distinct().subquery("hits"))
    approve = case((signoffs.c.decision == "approve", signoffs.c.id))
    drafts_hit = func.count(distinct(hits.c.draft_id)).label("drafts")
    query = (select(hits.c.term, hits.c.category, drafts_hit,
                    func.count(distinct(signoffs.c.id)).label("signed"),
                    func.count(distinct(approve)).label("dismissed"))
             .select_from(hits.outerjoin(signoffs, signoffs.c.report_id == hits.c.report_id))
             .group_by(hits.c.term, hits.c.category)
             .order_by(drafts_hit.desc(), hits.c.term).limit(limit))
    return [{"term": r.term, "category": r.category, "drafts": r.drafts, "signed": r.signed,
             "dismissed": r.dismissed,
             "dismissal_rate": round(r.dismissed / r.signed, 3) if r.signed else None}
            for r in conn.execute(query)]


def inactive(conn: Connection, scope: Scope, days: int, today: date) -> list[dict[str, Any]]:
    """Active accounts with no post published in the last ``days`` days (whatever the
    period chosen: inactivity is counted back from today)."""
    cutoff = _utc(today - timedelta(days=days))
    last = (select(drafts.c.account_id, func.max(drafts.c.published_at).label("last_post"))
            .where(drafts.c.published_at.is_not(None))
            .group_by(drafts.c.account_id).subquery("last_post"))
    query = (select(accounts.c.name.label("account"), units.c.name.label("unit"),
                    accounts.c.platform, accounts.c.opened_on, last.c.last_post)
             .select_from(accounts.join(units, units.c.id == accounts.c.unit_id)
                          .outerjoin(last, last.c.account_id == accounts.c.id))
             .where(accounts.c.status == "active",
                    or_(last.c.last_post.is_(None), last.c.last_post < cutoff),
                    accounts.c.opened_on <= (today - timedelta(days=days)).isoformat()))
    if scope.units is not None:
        query = query.where(accounts.c.unit_id.in_(sorted(scope.units)))
    rows = []
    for r in conn.execute(query.order_by(units.c.name, accounts.c.name)):
        since = (datetime.fromisoformat(r.last_post) + BEIJING).date() if r.last_post \
            else date.fromisoformat(r.opened_on)
        rows.append({"account": r.account, "unit": r.unit, "platform": r.platform,
                     "opened_on": r.opened_on, "last_post": r.last_post or "",
                     "days": (today - since).days})
    return rows


def unit_names(conn: Connection, scope: Scope, p: Principal) -> list[dict[str, Any]]:
    """The units the reader may choose between (the page's menu)."""
    query = select(units.c.id, units.c.name).order_by(units.c.name)
    if p.role is not Role.ADMIN:
        query = query.where(units.c.id.in_(sorted(headed_units(conn, p.person_id))))
    return [{"id": r.id, "name": r.name} for r in conn.execute(query)]


def statistics(engine: Engine, p: Principal, *, unit_id: int | None = None,
               since: date | None = None, until: date | None = None,
               signoff_hours: float = 48, inactive_days: int = 90,
               today: date | None = None) -> dict[str, Any]:
    """Every table and the summary, for the units ``p`` may read."""
    today = today or (datetime.now(UTC) + BEIJING).date()
    with read(engine) as conn:
        scope = scope_of(conn, p, unit_id, since, until)
        return {
            "units": unit_names(conn, scope, p), "unit_id": unit_id,
            "since": since, "until": until, "today": today,
            "inactive_days": inactive_days,
            "summary": summary(conn, scope, signoff_hours),
            "tables": {"weekly": weekly(conn, scope),
                       "accounts": per_account(conn, scope, signoff_hours),
                       "categories": categories(conn, scope),
                       "terms": top_terms(conn, scope),
                       "inactive": inactive(conn, scope, inactive_days, today)},
        }


__all__ = ["COLUMNS", "TABLES", "Scope", "month_period", "parse_day", "scope_of", "statistics"]
