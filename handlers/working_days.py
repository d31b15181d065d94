"""The working-day calendar reminders follow: weekends and statutory holidays are days off, 调休 days are not.

Years in the holiday table (storage.holiday_table: the official 放假安排 planbot ships, plus an administrator's
PLANBOT_HOLIDAY_FILE) are exact. A year not published yet is *estimated*: its statutory days off (元旦; 除夕
to 初三; 清明; 劳动节 05-01–02; 端午; 中秋; 国庆 10-01–03) are off, weekends are off, and the 调休 days nobody
knows yet are ignored. Callers warn about estimated years (`estimated_years`, `calendar_warning`).

Why two libraries: chinese-calendar holds the official schedule, but only up to its latest release (2026) and
raises after it, so it cannot estimate; python-holidays computes the lunar festivals for any year and is
released monthly, so it dates 春节, 端午 and 中秋 of years to come. Only its statutory days are used for an
estimate, not its guessed "observed" days, which the State Council has not announced. The exact years come
from our own table, which tests check day by day against python-holidays' official years.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from storage.holiday_table import HolidayTable, load_holiday_table

# python-holidays' names of the statutory days off (not its "(observed)" or "Day off" estimates)
_STATUTORY = {
    "New Year's Day": "元旦",
    "Chinese New Year's Eve": "春节（除夕）",
    "Chinese New Year (Spring Festival)": "春节",
    "Tomb-Sweeping Day": "清明节",
    "Labor Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-Autumn Festival": "中秋节",
    "National Day": "国庆节",
}
ESTIMATE = "estimate"


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date
    kind: str  # "off" or "work"
    name: str
    source: str  # the table file, or "estimate"


@lru_cache(maxsize=64)
def _statutory_days(year: int) -> dict[date, str]:
    import holidays  # a tenth of a second to import: only when a year past the table is asked about

    found: dict[date, str] = {}
    for day, names in holidays.China(years=year, language="en_US").items():
        for name in str(names).split("; "):
            if name in _STATUTORY:
                found[day] = _STATUTORY[name]
    return found


class WorkingCalendar:
    def __init__(self, table: HolidayTable) -> None:
        self.table = table
        self._working = lru_cache(maxsize=8192)(self._is_working_day)

    def is_estimated(self, year: int) -> bool:
        return year not in self.table.years

    def _is_working_day(self, day: date) -> bool:
        if day.year in self.table.years:
            if day in self.table.off:
                return False
            return day in self.table.work or day.weekday() < 5
        return day.weekday() < 5 and day not in _statutory_days(day.year)

    def is_working_day(self, day: date) -> bool:
        return self._working(day)

    def next_working_day(self, day: date) -> date:
        """The day itself when it is a working day, else the first working day after it."""
        while not self._working(day):
            day += timedelta(days=1)
        return day

    def estimated_years(self, start: date, end: date) -> list[int]:
        return [year for year in range(start.year, end.year + 1) if self.is_estimated(year)]

    def days_of(self, year: int) -> list[CalendarDay]:
        """The days off and weekend working days of `year`, and where they come from (`planbot holidays`)."""
        if not self.is_estimated(year):
            source = self.table.sources[year]
            days = [CalendarDay(day, "off", name, source) for day, name in self.table.off.items() if day.year == year]
            days += [
                CalendarDay(day, "work", name, source) for day, name in self.table.work.items() if day.year == year
            ]
            return sorted(days, key=lambda entry: entry.day)
        return [CalendarDay(day, "off", name, ESTIMATE) for day, name in sorted(_statutory_days(year).items())]


def calendar_warning(years: Iterable[int]) -> str | None:
    """The warning for reminders dated in years whose holiday schedule is not published (or not loaded) yet."""
    years = sorted(set(years))
    if not years:
        return None
    named = "、".join(str(year) for year in years)
    return (
        f"⚠️ {named} 年的放假安排尚未载入，这些年份的提醒日期按法定节假日估算（不含调休上班日）。"
        f"国务院公布放假安排后，请把它写入节假日表（PLANBOT_HOLIDAY_FILE），用 `planbot holidays 年份` 核对。\n"
        f"Warning: the holiday schedule of {', '.join(str(year) for year in years)} is not loaded; reminder days "
        f"in those years are estimated from the statutory holidays (without make-up working days). Add the "
        f"published schedule to PLANBOT_HOLIDAY_FILE and check it with `planbot holidays YEAR`."
    )


_active: WorkingCalendar | None = None


def use_calendar(calendar: WorkingCalendar | None) -> None:
    """Set the calendar the reminder rules follow (the composition root does, from the settings); None goes
    back to the shipped table."""
    global _active
    _active = calendar


def active_calendar() -> WorkingCalendar:
    global _active
    if _active is None:
        # nobody installed one (a test, the demo): the table planbot ships
        _active = WorkingCalendar(load_holiday_table())
    return _active


def is_working_day(day: date) -> bool:
    return active_calendar().is_working_day(day)


def next_working_day(day: date) -> date:
    """The day itself when it is a working day, else the first working day after it."""
    return active_calendar().next_working_day(day)
