"""Working days, for the deadlines of 第九条 (5 working days) and 第十四条 (10 working days).

China's official schedule moves working days around: public holidays fall on weekdays, and
make-up working days (调休上班) fall on weekends. The schedule of each year comes from the State
Council's notice and is kept in ``holidays_cn.toml`` (validated on load); a state folder may
carry its own ``holidays.toml`` to add a year before a release does.

A year the calendar does not cover is never silently taken as Monday-Friday: counts that touch
it carry the uncovered years, and the registry shows such a deadline as unchecked.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from screener.errors import ConfigError

REPORT_DAYS = 5  # 第九条: personnel changes reported to the dean's office
CLOSE_DAYS = 10  # 第十四条: a stopped account closed
SHIPPED = Path(__file__).resolve().parent / "holidays_cn.toml"
STATE_FILE = "holidays.toml"  # in the state folder: replaces the shipped file


class CalendarGap(ConfigError):
    """A date falls in a year the holiday calendar does not cover."""

    def __init__(self, years: tuple[int, ...], source: str) -> None:
        self.years = years
        listed = "、".join(str(y) for y in years)
        super().__init__(f"节假日日历（{source}）未收录 {listed} 年，这些年份的工作日无法确定"
                         "（请把该年国务院办公厅的节假日安排通知加入日历）")


@dataclass(frozen=True)
class Calendar:
    source: str  # the file it came from
    holidays: frozenset[date]
    workdays: frozenset[date]  # make-up working days on weekends
    notices: dict[int, str] = field(default_factory=dict)  # year -> the notice it follows

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted(self.notices))

    def is_working_day(self, day: date) -> bool:
        if day.year not in self.notices:
            raise CalendarGap((day.year,), self.source)
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


@dataclass(frozen=True)
class Count:
    days: int  # exact when ``uncovered`` is empty; else Monday-Friday in the uncovered years
    uncovered: tuple[int, ...]

    @property
    def exact(self) -> bool:
        return not self.uncovered


def _dates(year: int, values: object, what: str, source: str) -> list[date]:
    if not isinstance(values, list):
        raise ConfigError(f"{source}：[{year}] {what} 须是日期列表")
    out = []
    for value in values:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            raise ConfigError(f"{source}：[{year}] {what}：{value!r} 不是 YYYY-MM-DD 格式的日期"
                              ) from None
        if day.year != year:
            raise ConfigError(f"{source}：[{year}] {what}：{day} 不在 {year} 年")
        out.append(day)
    return out


def parse_calendar(text: str, source: str) -> Calendar:
    """A calendar from TOML text; ConfigError naming the first problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}：不是有效的 TOML（{exc}）") from None
    holidays: set[date] = set()
    workdays: set[date] = set()
    notices: dict[int, str] = {}
    for key, table in data.items():
        if not (key.isdigit() and len(key) == 4) or not isinstance(table, dict):
            raise ConfigError(f"{source}：[{key}] 不是年份表")
        year = int(key)
        unknown = set(table) - {"source", "holidays", "workdays"}
        if unknown:
            raise ConfigError(f"{source}：[{year}] 有未知的键 {sorted(unknown)}"
                              "（只能有 source、holidays、workdays）")
        notice = str(table.get("source", "")).strip()
        if not notice:
            raise ConfigError(f"{source}：[{year}] 缺少 source：日期所依据的通知")
        off = _dates(year, table.get("holidays", []), "holidays", source)
        on = _dates(year, table.get("workdays", []), "workdays", source)
        if not off:
            raise ConfigError(f"{source}：[{year}] 没有列出节假日")
        both = sorted(set(off) & set(on))
        if both:
            raise ConfigError(f"{source}：[{year}] {both[0]} 既是节假日又是调休工作日")
        weekday = [d for d in on if d.weekday() < 5]
        if weekday:
            raise ConfigError(f"{source}：[{year}] 调休工作日 {weekday[0]} 本来就是工作日；"
                              "调休工作日只能是星期六或星期日")
        holidays.update(off)
        workdays.update(on)
        notices[year] = notice
    return Calendar(source, frozenset(holidays), frozenset(workdays), notices)


@lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int) -> Calendar:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"无法读取节假日日历 {path}（{exc}）") from None
    return parse_calendar(text, str(path))


def load_calendar(path: Path = SHIPPED) -> Calendar:
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise ConfigError(f"无法读取节假日日历 {path}（{exc}）") from None
    return _load(path, stamp)


def calendar_for(home: Path | None) -> Calendar:
    """The state folder's ``holidays.toml`` if it has one, else the shipped calendar."""
    own = home / STATE_FILE if home is not None else None
    return load_calendar(own if own is not None and own.exists() else SHIPPED)


_active: Calendar | None = None


def use_calendar(calendar: Calendar) -> None:
    """Make this the calendar of the process (``create_app`` and the CLI set the state
    folder's)."""
    global _active
    _active = calendar


def active_calendar() -> Calendar:
    return _active or load_calendar()


def count_working_days(start: date, end: date, calendar: Calendar | None = None) -> Count:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    calendar = calendar or active_calendar()
    days, uncovered, day = 0, set(), start
    while day < end:
        day += timedelta(days=1)
        if day.year in calendar.notices:
            days += calendar.is_working_day(day)
        else:
            uncovered.add(day.year)
            days += day.weekday() < 5
    return Count(days, tuple(sorted(uncovered)))


def working_days_between(start: date, end: date, calendar: Calendar | None = None) -> int:
    """As ``count_working_days``, exact or CalendarGap."""
    calendar = calendar or active_calendar()
    counted = count_working_days(start, end, calendar)
    if counted.uncovered:
        raise CalendarGap(counted.uncovered, calendar.source)
    return counted.days
