"""Feedback counted per category and week (Monday, Beijing time): what the maintainer's page
and ``screener feedback summary`` show."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
KINDS = ("confirmed", "false_alarm", "missed", "imported")


def week_of(stamp: str) -> str:
    try:
        day = datetime.fromisoformat(stamp).astimezone(BEIJING).date()
    except ValueError:
        day = date.min
    return (day - timedelta(days=day.weekday())).isoformat()


def weekly(rows: list[dict[str, Any]]) -> dict[str, Any]:
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    for row in rows:
        kind = "imported" if row["origin"] == "import" else row["judgement"]
        counts[(week_of(row["created_at"]), row["category"])][kind] += 1
    weeks = [{"week": week, "category": category, **found}
             for (week, category), found in sorted(counts.items(),
                                                   key=lambda item: (item[0][0], item[0][1]),
                                                   reverse=True)]
    totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    for row in weeks:
        for kind in KINDS:
            totals[row["category"]][kind] += row[kind]
    return {"rows": len(rows), "texts": len({r["text_hash"] for r in rows}),
            "weeks": weeks, "totals": dict(sorted(totals.items()))}
