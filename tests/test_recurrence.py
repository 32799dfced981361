"""Monthly rules in a board's time zone, across month lengths and daylight saving."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from board.meetings.recurrence import MAX_OCCURRENCES, MonthlyRule, RuleKind, occurrences

TIRANE = ZoneInfo("Europe/Tirane")


def _local(times, zone=TIRANE):
    return [t.astimezone(zone) for t in times]


def test_second_saturday_keeps_its_wall_clock_time_across_daylight_saving():
    times = occurrences(
        MonthlyRule(RuleKind.NTH_WEEKDAY, ordinal=2, weekday=5),
        start=date(2026, 1, 1),
        until=date(2026, 12, 31),
        at=time(10),
        timezone="Europe/Tirane",
    )
    local = _local(times)
    assert len(times) == 12
    assert all(t.weekday() == 5 and 8 <= t.day <= 14 and t.hour == 10 for t in local)
    assert times[0] == datetime(2026, 1, 10, 9, 0, tzinfo=UTC)  # winter: UTC+1
    assert times[6] == datetime(2026, 7, 11, 8, 0, tzinfo=UTC)  # summer: UTC+2


def test_last_friday_and_first_monday():
    last_friday = occurrences(
        MonthlyRule(RuleKind.NTH_WEEKDAY, ordinal=-1, weekday=4),
        start=date(2026, 1, 1),
        until=date(2026, 4, 30),
        at=time(16),
        timezone="Europe/Sofia",
    )
    assert [t.astimezone(ZoneInfo("Europe/Sofia")).date() for t in last_friday] == [
        date(2026, 1, 30),
        date(2026, 2, 27),
        date(2026, 3, 27),
        date(2026, 4, 24),
    ]
    first_monday = occurrences(
        MonthlyRule(RuleKind.NTH_WEEKDAY, ordinal=1, weekday=0),
        start=date(2026, 2, 1),
        count=3,
        at=time(9, 30),
        timezone="Europe/Warsaw",
    )
    assert [t.astimezone(ZoneInfo("Europe/Warsaw")).date() for t in first_monday] == [
        date(2026, 2, 2),
        date(2026, 3, 2),
        date(2026, 4, 6),
    ]


def test_the_31st_falls_on_the_last_day_of_shorter_months_and_february():
    times = occurrences(
        MonthlyRule(RuleKind.MONTH_DAY, month_day=31),
        start=date(2028, 1, 1),
        count=5,
        at=time(10),
        timezone="Europe/Bucharest",
    )
    days = [t.astimezone(ZoneInfo("Europe/Bucharest")).date() for t in times]
    assert days == [
        date(2028, 1, 31),
        date(2028, 2, 29),
        date(2028, 3, 31),
        date(2028, 4, 30),
        date(2028, 5, 31),
    ]
    thirtieth = occurrences(
        MonthlyRule(RuleKind.MONTH_DAY, month_day=30),
        start=date(2027, 2, 1),
        count=2,
        at=time(10),
        timezone="Europe/Bucharest",
    )
    assert [t.astimezone(ZoneInfo("Europe/Bucharest")).day for t in thirtieth] == [28, 30]


def test_both_daylight_saving_changes_on_the_day_itself():
    """Last Sundays of March and October 2026 are the change days in the EU."""
    times = occurrences(
        MonthlyRule(RuleKind.NTH_WEEKDAY, ordinal=-1, weekday=6),
        start=date(2026, 3, 1),
        until=date(2026, 10, 31),
        at=time(10),
        timezone="Europe/Warsaw",
    )
    local = _local(times, ZoneInfo("Europe/Warsaw"))
    assert local[0].date() == date(2026, 3, 29) and local[0].hour == 10
    assert times[0] == datetime(2026, 3, 29, 8, tzinfo=UTC)
    assert local[-1].date() == date(2026, 10, 25) and local[-1].hour == 10
    assert times[-1] == datetime(2026, 10, 25, 9, tzinfo=UTC)


def test_a_time_skipped_by_the_spring_change_moves_forward():
    times = occurrences(
        MonthlyRule(RuleKind.NTH_WEEKDAY, ordinal=-1, weekday=6),
        start=date(2026, 3, 1),
        count=1,
        at=time(2, 30),
        timezone="Europe/Tirane",
    )
    local = times[0].astimezone(TIRANE)
    assert (local.date(), local.hour, local.minute) == (date(2026, 3, 29), 3, 30)


def test_series_are_capped_and_default_to_a_year():
    rule = MonthlyRule(RuleKind.MONTH_DAY, month_day=1)
    assert len(occurrences(rule, start=date(2026, 1, 1), at=time(10), timezone="UTC")) == 12
    many = occurrences(
        rule, start=date(2026, 1, 1), until=date(2040, 1, 1), at=time(10), timezone="UTC"
    )
    assert len(many) == MAX_OCCURRENCES


@pytest.mark.parametrize(
    "rule",
    [
        MonthlyRule(RuleKind.NTH_WEEKDAY, ordinal=5, weekday=1),
        MonthlyRule(RuleKind.NTH_WEEKDAY, ordinal=1, weekday=None),
        MonthlyRule(RuleKind.MONTH_DAY, month_day=0),
        MonthlyRule(RuleKind.MONTH_DAY, month_day=None),
    ],
)
def test_incomplete_rules_are_refused(rule):
    with pytest.raises(ValueError):
        rule.rrule_kwargs()
