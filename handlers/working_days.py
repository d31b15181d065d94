"""The working-day calendar reminders follow: weekends and statutory holidays are days off, 调休 days are not."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=4096)
def is_working_day(day: date) -> bool:
    """chinese-calendar knows statutory holidays and 调休 only for the years it ships; beyond them, Mon–Fri."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def next_working_day(day: date) -> date:
    """The day itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
