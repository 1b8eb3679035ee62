"""Working days, for the deadlines of 第九条 (5 working days) and 第十四条 (10 working days).

Monday to Friday; public holidays and make-up working days are not known here, so a deadline
around a holiday may show as late by a day or two (the page says 'working days, Mon-Fri').
"""

from __future__ import annotations

from datetime import date, timedelta

REPORT_DAYS = 5  # 第九条: personnel changes reported to the dean's office
CLOSE_DAYS = 10  # 第十四条: a stopped account closed


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    if end <= start:
        return 0
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days += 1
    return days
