"""The statistics pages of the dean's office and the unit heads (第一责任人): the page with its
charts and tables, each table as CSV, every table as one Excel workbook, and the monthly report
as a PDF printed by Chromium (as the sign-off sheet is).

Routes parse the unit and the period, call ``queries.statistics`` (which decides whose numbers
the reader may see, from the registry) and render. The unit head's unit is never taken from a
token or a cookie: asking for another unit's numbers is refused on the page and on each export.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from screener.i18n import N_
from screener.labels import CATEGORY, label

from . import charts, exports
from .errors import BadRequest
from .pagesession import page_principal
from .pdf import print_pdf
from .queries import statistics as stats
from .templating import beijing, render, templates_for, tr_of
from .web import _to_login

HERE = Path(__file__).resolve().parent
router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unit(request: Request) -> int | None:
    value = request.query_params.get("unit") or ""
    if not value:
        return None
    if not value.isdigit():
        raise BadRequest("unit must be a unit number, got {value}", field="unit",
                         value=repr(value))
    return int(value)


def _read(request: Request, *, month: bool = False) -> dict[str, Any]:
    """The statistics for the unit and period of the query string."""
    svc = request.app.state.services
    me = page_principal(request)
    params = request.query_params
    if month:
        today = datetime.now(UTC).date()
        since, until = stats.month_period(params.get("month"), today)
    else:
        since = stats.parse_day(params.get("since"), "since")
        until = stats.parse_day(params.get("until"), "until")
    found = stats.statistics(svc.engine, me, unit_id=_unit(request), since=since,
                             until=until, signoff_hours=svc.config.signoff_hours,
                             inactive_days=svc.config.inactive_days)
    found["me"] = me
    return found


def _charts(found: dict[str, Any], tr: Any) -> dict[str, str]:
    """One chart per table that has numbers to draw, as a picture's data URI."""
    _ = tr.gettext
    tables = found["tables"]
    drawn: dict[str, str] = {}
    weekly = tables["weekly"]
    if weekly:
        drawn["weekly"] = charts.bars(_("Drafts per week"), [r["week"] for r in weekly], [
            (_("Drafts screened"), [r["screened"] for r in weekly]),
            (_("Flagged"), [r["flagged"] for r in weekly]),
            (_("Approved"), [r["approved"] for r in weekly])])
    per_account = tables["accounts"]
    if per_account:
        drawn["accounts"] = charts.bars(
            _("Drafts per account"), [r["account"] for r in per_account],
            [(_("Drafts screened"), [r["screened"] for r in per_account]),
             (_("Flagged"), [r["flagged"] for r in per_account]),
             (_("Signed off late"), [r["late"] for r in per_account])], horizontal=True)
    cats = tables["categories"]
    if cats:
        drawn["categories"] = charts.bars(
            _("Drafts per category of finding"),
            [label(CATEGORY, r["category"], tr) for r in cats],
            [(_("Drafts with such findings"), [r["drafts"] for r in cats]),
             (_("Approved"), [r["approved"] for r in cats])], horizontal=True)
    terms = [r for r in tables["terms"] if r["dismissal_rate"] is not None]
    if terms:
        drawn["terms"] = charts.bars(
            _("Dismissal rate of the top terms"), [r["term"] for r in terms],
            [(_("Dismissal rate"), [r["dismissal_rate"] for r in terms])],
            horizontal=True, percent=True)
    return {name: charts.data_uri(svg) for name, svg in drawn.items()}


def _query(request: Request, **changes: Any) -> str:
    kept = {k: v for k, v in request.query_params.items() if k in ("unit", "since", "until")}
    kept.update({k: v for k, v in changes.items() if v is not None})
    return urlencode(kept)


def _context(request: Request, found: dict[str, Any]) -> dict[str, Any]:
    tr = tr_of(request)
    return {**found, "charts": _charts(found, tr), "columns": stats.COLUMNS,
            "sheets": exports.SHEETS, "query": lambda **c: _query(request, **c),
            "printed_at": beijing(datetime.now(UTC).isoformat()),
            "last_month": stats.month_period(None, datetime.now(UTC).date())[0]
            .strftime("%Y-%m")}


@router.get("/statistics", response_class=HTMLResponse)
async def statistics_page(request: Request) -> Any:
    if page_principal(request) is None:
        return _to_login()
    found = await run_in_threadpool(_read, request)
    return render(request, "statistics.html", _context(request, found))


def _download(data: bytes, media_type: str, name: str) -> Response:
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Content-Type-Options": "nosniff"})


def _stem(found: dict[str, Any]) -> str:
    unit = f"-unit{found['unit_id']}" if found["unit_id"] is not None else ""
    period = "".join(f"-{d.isoformat()}" for d in (found["since"], found["until"]) if d)
    return f"statistics{unit}{period}"


@router.get("/statistics/export.csv")
async def statistics_csv(request: Request) -> Any:
    if page_principal(request) is None:
        return _to_login()
    table = request.query_params.get("table", "")
    if table not in stats.TABLES:
        raise BadRequest("table must be one of {tables}", field="table",
                         tables=", ".join(stats.TABLES))
    found = await run_in_threadpool(_read, request)
    data = exports.to_csv(stats.COLUMNS[table], found["tables"][table], tr_of(request))
    return _download(data, "text/csv; charset=utf-8", f"{_stem(found)}-{table}.csv")


@router.get("/statistics/export.xlsx")
async def statistics_xlsx(request: Request) -> Any:
    if page_principal(request) is None:
        return _to_login()
    found = await run_in_threadpool(_read, request)
    tr = tr_of(request)
    data = await run_in_threadpool(exports.to_xlsx, found["tables"], stats.COLUMNS, tr,
                                   tr.gettext(N_("Statistics of the accounts")))
    return _download(data, XLSX, f"{_stem(found)}.xlsx")


@router.get("/statistics/report.pdf")
async def statistics_pdf(request: Request) -> Any:
    """The monthly report (``month=YYYY-MM``, default the previous month) printed to PDF."""
    if page_principal(request) is None:
        return _to_login()
    found = await run_in_threadpool(_read, request, month=True)
    context = {**_context(request, found), "request": request, "monthly": True,
               "css": (HERE / "static" / "style.css").read_text(encoding="utf-8")}
    html = templates_for(request.app.state.services.settings.locale) \
        .get_template("statistics_report.html").render(context)
    data = await run_in_threadpool(print_pdf, html, request.app.state.services.config.chromium)
    return _download(data, "application/pdf",
                     f"{_stem(found).replace('statistics', 'monthly-report')}.pdf")


__all__ = ["router"]
