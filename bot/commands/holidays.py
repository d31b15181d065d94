"""`planbot holidays YEAR`: the days off and 调休 working days reminders follow in a year, and where they come from."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from bot.commands.ledger_support import fail, out_console
from bot.settings import load_settings
from handlers.working_days import ESTIMATE, WorkingCalendar, calendar_warning
from storage.holiday_table import HolidayFileError, load_holiday_table

KIND_NAMES = {"off": "放假", "work": "调休上班"}


def register(app: typer.Typer) -> None:
    app.command("holidays")(holidays_command)


def load_calendar(holiday_file: str | None) -> WorkingCalendar:
    """The calendar of the shipped table and PLANBOT_HOLIDAY_FILE; a broken file stops the command, in words."""
    try:
        return WorkingCalendar(load_holiday_table(holiday_file))
    except HolidayFileError as error:
        raise fail(error.zh, error.en, code=2) from error
    except OSError as error:
        raise fail(
            f"读不到节假日表 {holiday_file}：{error}。请检查 PLANBOT_HOLIDAY_FILE。",
            f"Cannot read the holiday file {holiday_file}: {error}. Check PLANBOT_HOLIDAY_FILE.",
            code=2,
        ) from error


def holidays_command(
    year: Annotated[int, typer.Argument(help="年份，如 2027 / year", min=1949, max=2100)],
) -> None:
    """节假日：某年的放假日和调休上班日及其来源。 The days off and make-up working days of a year, and their source."""
    calendar = load_calendar(load_settings().holiday_file)
    days = calendar.days_of(year)
    estimated = calendar.is_estimated(year)
    source = "估算（法定节假日，不含调休）/ estimate" if estimated else calendar.table.sources[year]
    table = Table(title=f"{year} 年节假日：{len(days)} 天，来源 {source}")
    for column in ("日期", "星期", "类别", "名称", "来源"):
        table.add_column(column)
    weekdays = "一二三四五六日"
    for entry in days:
        table.add_row(
            entry.day.isoformat(),
            f"周{weekdays[entry.day.weekday()]}",
            KIND_NAMES.get(entry.kind, entry.kind),
            entry.name,
            "估算" if entry.source == ESTIMATE else entry.source,
        )
    out = out_console()
    out.print(table)
    warning = calendar_warning([year]) if estimated else None
    if warning:
        out.print(warning)
