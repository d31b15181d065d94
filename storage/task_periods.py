"""The periods of a recurring duty: one instance per year, quarter or month, each with its own deadline.

Pure date arithmetic, no database: storage (progress per instance) and the reminder rules both use it.

The task's `due_on` is the pattern: "每年1月15日前" is due 01-15 of every year, "每季度末月25日前" the 25th of
the third month of every quarter, "每月5日前" the 5th of every month. A duty with no written day is due at the
end of each period. Instances begin with the period of `starts_on` ("自2027年起"), else with the period of
`due_on`, else with `first_day` (the plan's first day), and end with the plan (`last_day`), or run on.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

RECURRENCES = ("yearly", "quarterly", "monthly")
MONTHS_PER_PERIOD = {"yearly": 12, "quarterly": 3, "monthly": 1}


@dataclass(frozen=True, slots=True)
class Instance:
    """One period of a duty: "2027" (yearly), "2027Q1" (quarterly) or "2027-03" (monthly)."""

    period: str
    due_on: date

    @property
    def label(self) -> str:
        """How the period reads in a message: 2027年度, 2027年第1季度, 2027年3月."""
        year = self.period[:4]
        if "Q" in self.period:
            return f"{year}年第{self.period[5:]}季度"
        if "-" in self.period:
            return f"{year}年{int(self.period[5:])}月"
        return f"{year}年度"


def plan_span(
    period_start: int | None, period_end: int | None, year: int | None
) -> tuple[date | None, date | None]:
    """The first and last day of a plan's period (2026-01-01, 2030-12-31), or of its year."""
    if period_start is not None and period_end is not None:
        return date(period_start, 1, 1), date(period_end, 12, 31)
    if year is not None:
        return date(year, 1, 1), date(year, 12, 31)
    return None, None


def label_of(period: str) -> str:
    """ "2027" -> 2027年度, "2027Q1" -> 2027年第1季度, "2027-03" -> 2027年3月."""
    return Instance(period, date.min).label


def period_of(recurrence: str, day: date) -> str:
    if recurrence == "quarterly":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    if recurrence == "monthly":
        return f"{day.year}-{day.month:02d}"
    return str(day.year)


def _first_month(recurrence: str, day: date) -> tuple[int, int]:
    """(year, month) that opens the period holding `day`."""
    months = MONTHS_PER_PERIOD[recurrence]
    return day.year, (day.month - 1) // months * months + 1


def _due_in(recurrence: str, year: int, first_month: int, pattern: date | None) -> date:
    months = MONTHS_PER_PERIOD[recurrence]
    if pattern is None:  # no written day: the last day of the period
        month = first_month + months - 1
        return date(year, month, calendar.monthrange(year, month)[1])
    offset = (pattern.month - 1) % months  # the pattern's month within its own period
    month = first_month + offset
    # "每月31日前" in February means its last day
    return date(year, month, min(pattern.day, calendar.monthrange(year, month)[1]))


def instances(
    *,
    recurrence: str,
    due_on: date | None,
    starts_on: date | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
    until: date | None = None,
) -> Iterator[Instance]:
    """The instances in order, from the first period to `last_day` (the plan's end) or `until`, whichever is
    earlier; with neither, the caller must stop iterating."""
    opening = starts_on or due_on or first_day
    if opening is None or recurrence not in MONTHS_PER_PERIOD:
        return
    months = MONTHS_PER_PERIOD[recurrence]
    year, month = _first_month(recurrence, opening)
    stop = min((day for day in (last_day, until) if day is not None), default=None)
    while True:
        due = _due_in(recurrence, year, month, due_on)
        if stop is not None and date(year, month, 1) > stop:
            return
        if starts_on is None or due >= starts_on:
            yield Instance(period_of(recurrence, date(year, month, 1)), due)
        month += months
        if month > 12:
            year, month = year + 1, month - 12


def instances_between(
    *,
    recurrence: str,
    due_on: date | None,
    start: date,
    end: date,
    starts_on: date | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
) -> list[Instance]:
    """The instances due within [start, end]."""
    return [
        instance
        for instance in instances(
            recurrence=recurrence,
            due_on=due_on,
            starts_on=starts_on,
            first_day=first_day,
            last_day=last_day,
            until=end,
        )
        if start <= instance.due_on <= end
    ]


def current_instance(
    *,
    recurrence: str,
    due_on: date | None,
    today: date,
    done_periods: frozenset[str] = frozenset(),
    starts_on: date | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
) -> Instance | None:
    """The instance a progress report means today: the last one already due if it is not done yet (a late
    report), else the next one to fall due. None when the duty has no instance left."""
    last_due: Instance | None = None
    for instance in instances(
        recurrence=recurrence, due_on=due_on, starts_on=starts_on, first_day=first_day, last_day=last_day
    ):
        if instance.due_on < today:
            last_due = instance
            continue
        if last_due is not None and last_due.period not in done_periods:
            return last_due
        if instance.period not in done_periods:
            return instance
        # this period is done already: a report today is about the one after it
        last_due = None
        continue
    return last_due if last_due is not None and last_due.period not in done_periods else None


_LABEL = re.compile(r"^(\d{4})年(?:度|第([1-4])季度|(\d{1,2})月)$")


def period_of_label(label: str) -> str | None:
    """2027年度 -> "2027", 2027年第1季度 -> "2027Q1", 2027年3月 -> "2027-03" (Instance.label read back), or None."""
    match = _LABEL.match(label.strip())
    if match is None:
        return None
    year, quarter, month = match.groups()
    if quarter:
        return f"{year}Q{quarter}"
    if month:
        return f"{year}-{int(month):02d}" if 1 <= int(month) <= 12 else None
    return year


def moved_pattern(recurrence: str, pattern: date, new_due: date) -> date:
    """The pattern that gives every period the deadline `new_due` gives its own: the same month within the
    period and the same day, kept in the period of `pattern`, so the duty's first period stays where it was."""
    year, first_month = _first_month(recurrence, pattern)
    return _due_in(recurrence, year, first_month, new_due)
