"""Working days on China's official calendar: holidays on weekdays, make-up working days on
weekends (调休), a validated data file, and no silent Monday-Friday guess for a year it lacks."""

from __future__ import annotations

from datetime import date

import pytest
from screener_service.workdays import (
    CalendarGap,
    calendar_for,
    count_working_days,
    load_calendar,
    parse_calendar,
    working_days_between,
)

from screener.errors import ConfigError


@pytest.fixture(scope="module")
def cn():
    return load_calendar()


@pytest.mark.parametrize(("day", "working"), [
    (date(2024, 2, 4), True),     # Sunday, 春节 make-up day
    (date(2024, 2, 12), False),   # Monday in the 春节 holiday
    (date(2024, 9, 14), True),    # Saturday, 中秋节 make-up day
    (date(2024, 10, 7), False),   # Monday, 国庆节
    (date(2025, 1, 26), True),    # Sunday, 春节 make-up day
    (date(2025, 10, 8), False),   # Wednesday, 国庆节、中秋节
    (date(2025, 10, 11), True),   # Saturday, make-up day
    (date(2026, 1, 2), False),    # Friday, 元旦
    (date(2026, 1, 4), True),     # Sunday, make-up day
    (date(2026, 2, 23), False),   # Monday, 正月初七
    (date(2026, 2, 28), True),    # Saturday, make-up day
    (date(2026, 3, 7), False),    # an ordinary Saturday
    (date(2026, 3, 9), True),     # an ordinary Monday
])
def test_official_days(cn, day, working):
    assert cn.is_working_day(day) is working


def test_five_working_days_across_the_national_day(cn):
    # A change on Friday 2025-09-26 reported on Friday 2025-10-10: 9-28 (Sunday, make-up), 9-29,
    # 9-30, 10-9, 10-10 are the five working days; Monday-Friday would count ten.
    assert working_days_between(date(2025, 9, 26), date(2025, 10, 10), cn) == 5
    # Reported the next day, a make-up Saturday: one working day late.
    assert working_days_between(date(2025, 9, 26), date(2025, 10, 11), cn) == 6
    # Across the Spring Festival of 2026: 2-14 (Saturday) is a working day, 2-15..2-23 are not.
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 24), cn) == 2


def test_a_year_without_a_calendar_is_not_guessed(cn):
    assert 2030 not in cn.years
    with pytest.raises(CalendarGap, match="2030"):
        working_days_between(date(2029, 12, 28), date(2030, 1, 3), cn)
    counted = count_working_days(date(2026, 12, 30), date(2027, 1, 5), cn)
    assert not counted.exact and counted.uncovered == (2027,)


def test_the_shipped_file_names_its_sources(cn):
    assert cn.years == (2024, 2025, 2026)
    assert all("国务院办公厅" in notice for notice in cn.notices.values())


@pytest.mark.parametrize(("text", "problem"), [
    ('[2025]\nholidays = ["2025-10-01"]\n', r"\[2025\] 缺少 source"),
    ('[2025]\nsource = "x"\nholidays = ["2025-10-01"]\nworkdays = ["2025-10-09"]\n',
     "调休工作日 2025-10-09 本来就是工作日"),
    ('[2025]\nsource = "x"\nholidays = ["2024-10-01"]\n', "2024-10-01 不在 2025 年"),
    ('[2025]\nsource = "x"\nholidays = ["2025-10-01"]\nworkdays = ["2025-10-01"]\n',
     "2025-10-01 既是节假日又是调休工作日"),
    ('[2025]\nsource = "x"\nholidays = ["2025-13-01"]\n',
     "'2025-13-01' 不是 YYYY-MM-DD 格式的日期"),
    ('[2025]\nsource = "x"\n', r"\[2025\] 没有列出节假日"),
    ('[twenty]\nsource = "x"\n', r"\[twenty\] 不是年份表"),
    ("[2025\n", "不是有效的 TOML"),
])
def test_a_bad_calendar_is_refused(text, problem):
    with pytest.raises(ConfigError, match=problem):
        parse_calendar(text, "holidays.toml")


def test_a_state_folder_calendar_replaces_the_shipped_one(tmp_path):
    assert calendar_for(tmp_path).years == (2024, 2025, 2026)
    (tmp_path / "holidays.toml").write_text(
        '[2027]\nsource = "国务院办公厅关于2027年部分节假日安排的通知"\n'
        'holidays = ["2027-01-01"]\nworkdays = ["2027-01-02"]\n', encoding="utf-8")
    own = calendar_for(tmp_path)
    assert own.years == (2027,) and own.is_working_day(date(2027, 1, 2))


def test_the_registry_flags_a_deadline_it_cannot_check(world):
    """A change dated in a year the calendar lacks is shown as unchecked, not as on time."""
    detail = world.call("admin", "POST", f"/api/accounts/{world.ids['account']}/roles",
                        json={"person_id": world.ids["person_maintainer"], "role": "operator",
                              "effective_on": "2023-12-20"}).json()
    row = next(r for r in detail["role_history"] if r["effective_on"] == "2023-12-20")
    assert "2023" in row["deadline_unchecked"] and "人工核对" in row["deadline_unchecked"]
    assert detail["unchecked_deadlines"] >= 1
    on_time = next(r for r in detail["role_history"] if r["role"] == "responsible")
    assert on_time["deadline_unchecked"] is None
