"""Monthly rules people use ("second Saturday", "last Friday", "the 31st"), on dateutil's
rrule, in a board's time zone: the wall-clock time stays the same across daylight saving."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, rrule, weekday

MAX_OCCURRENCES = 36  # three years of monthly meetings
DEFAULT_SPAN_MONTHS = 12


class RuleKind(enum.StrEnum):
    NTH_WEEKDAY = "nth_weekday"  # the second Saturday, the last Friday
    MONTH_DAY = "month_day"  # the 15th; the 31st falls on the last day of shorter months


@dataclass(frozen=True)
class MonthlyRule:
    kind: RuleKind
    ordinal: int | None = None  # 1..4, or -1 for the last
    weekday: int | None = None  # 0 = Monday .. 6 = Sunday
    month_day: int | None = None  # 1..31

    def rrule_kwargs(self) -> dict:
        if self.kind is RuleKind.NTH_WEEKDAY:
            if (
                self.ordinal not in (1, 2, 3, 4, -1)
                or self.weekday is None
                or self.weekday not in range(7)
            ):
                raise ValueError("an nth-weekday rule needs an ordinal and a weekday")
            return {"byweekday": weekday(self.weekday, self.ordinal)}
        if self.month_day is None or not 1 <= self.month_day <= 31:
            raise ValueError("a month-day rule needs a day from 1 to 31")
        if self.month_day <= 28:
            return {"bymonthday": self.month_day}
        # The 29th-31st: that day, or the month's last day when the month is shorter.
        return {"bymonthday": tuple(range(28, self.month_day + 1)), "bysetpos": -1}


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A naive wall-clock time in ``zone`` as UTC; a time skipped by the spring change moves
    forward by the gap (02:30 on that night becomes 03:30), as calendars do."""
    aware = local.replace(tzinfo=zone)
    utc = aware.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != local:
        utc = (local + timedelta(hours=1)).replace(tzinfo=zone).astimezone(UTC)
    return utc


def occurrences(
    rule: MonthlyRule,
    *,
    start: date,
    at: time,
    timezone: str,
    until: date | None = None,
    count: int | None = None,
) -> list[datetime]:
    """Start times (UTC) of the series from ``start`` to ``until`` (inclusive) or ``count``."""
    if until is None and count is None:
        until = _add_months(start, DEFAULT_SPAN_MONTHS) - timedelta(days=1)
    limit = min(count or MAX_OCCURRENCES, MAX_OCCURRENCES)
    kwargs = rule.rrule_kwargs()
    if until is not None:
        kwargs["until"] = datetime.combine(until, time(23, 59, 59))
    zone = ZoneInfo(timezone)
    local_times = rrule(MONTHLY, dtstart=datetime.combine(start, at), **kwargs)
    return [to_utc(local, zone) for local in islice(local_times, limit)]


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    return date(year, month % 12 + 1, min(day.day, 28))
