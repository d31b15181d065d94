"""The holiday calendar: an exact shipped table, an administrator's newer file, estimates beyond them, warnings."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import holidays
import pytest
from typer.testing import CliRunner

from bot.cli import app
from handlers.reminders import LedgerSnapshot, planned_reminders
from handlers.working_days import WorkingCalendar, use_calendar
from storage.db import create_engine_for, session_factory
from storage.holiday_table import HolidayFileError, load_holiday_table, parse_holiday_rows
from tests.reminders.ledger_rows import seed_ledger
from tests.reminders.ledgers import COORDINATORS, FGJ, JYJ, PLAN, task

D = date.fromisoformat

# an invented schedule for 2027, in the format an administrator writes when the real one is published
LOCAL_2027 = """# 2027 年放假安排（测试用，虚构）
date,kind,name
2027-10-01,off,国庆节
2027-10-02,off,国庆节
2027-10-03,off,国庆节
2027-10-04,off,国庆节
2027-10-05,off,国庆节
2027-10-06,off,国庆节
2027-10-07,off,国庆节
2027-09-26,work,国庆节调休
"""


@pytest.fixture(autouse=True)
def shipped_calendar():
    use_calendar(None)
    yield
    use_calendar(None)


def test_the_shipped_years_agree_day_by_day_with_the_published_schedule():
    table = load_holiday_table()
    calendar = WorkingCalendar(table)
    assert min(table.years) == 2008 and max(table.years) == 2026
    published = holidays.China(years=range(2008, 2027))
    day = date(2008, 1, 1)
    while day <= date(2026, 12, 31):
        assert calendar.is_working_day(day) == published.is_working_day(day), day
        day += timedelta(days=1)


def test_a_year_not_published_is_estimated_from_the_statutory_days():
    calendar = WorkingCalendar(load_holiday_table())
    assert calendar.is_estimated(2027) and not calendar.is_estimated(2026)
    off = {entry.day for entry in calendar.days_of(2027)}
    # 除夕 to 初三 of 2027 (02-05 to 02-08), 劳动节 05-01–02, 国庆 10-01–03
    assert {D("2027-02-05"), D("2027-02-08"), D("2027-05-01"), D("2027-10-01"), D("2027-10-03")} <= off
    assert D("2027-10-04") not in off  # the make-up days are not announced yet: not guessed
    assert calendar.next_working_day(D("2027-10-01")) == D("2027-10-04")
    assert calendar.next_working_day(D("2030-02-02")) == D("2030-02-06")  # 2030: 除夕 02-02 to 初三 02-05


def test_no_reminder_of_the_estimated_years_falls_on_a_statutory_day_off():
    use_calendar(WorkingCalendar(load_holiday_table()))
    rows = [
        replace(task(n, D("2027-01-01") + timedelta(days=9 * n)), imported_on=D("2026-12-01"))
        for n in range(1, 120)
    ]
    snapshot = LedgerSnapshot(
        plans={1: PLAN}, departments={1: FGJ, 2: JYJ}, tasks=rows, reviews=[], coordinators=COORDINATORS
    )
    reminders = planned_reminders(snapshot, D("2027-01-01"), D("2029-12-31"))
    statutory = {
        entry.day
        for year in (2027, 2028, 2029)
        for entry in WorkingCalendar(load_holiday_table()).days_of(year)
    }
    assert reminders and not [r for r in reminders if r.fire_on in statutory or r.fire_on.weekday() >= 5]


def test_a_local_file_adds_a_published_year_and_wins_over_the_estimate(tmp_path):
    path = tmp_path / "holidays.csv"
    path.write_text(LOCAL_2027, encoding="utf-8")
    calendar = WorkingCalendar(load_holiday_table(str(path)))
    assert not calendar.is_estimated(2027) and calendar.is_estimated(2028)
    assert not calendar.is_working_day(D("2027-10-06"))
    assert calendar.is_working_day(D("2027-09-26"))  # a Sunday, 调休
    assert calendar.is_working_day(
        D("2027-02-05")
    )  # the file says nothing of 春节: the file is the whole year
    assert calendar.table.sources[2027] == str(path)
    assert not WorkingCalendar(load_holiday_table()).is_working_day(D("2026-10-06"))  # shipped years stay


def test_a_broken_file_says_which_line(tmp_path):
    with pytest.raises(HolidayFileError) as refused:
        parse_holiday_rows("date,kind,name\n2027-10-01,off,国庆节\n2027-13-01,off,坏日期\n", "本地表")
    assert "第 3 行" in refused.value.zh and "YYYY-MM-DD" in refused.value.zh
    path = tmp_path / "bad.csv"
    path.write_text("2027-10-01,holiday,国庆节\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["holidays", "2027"], env={"PLANBOT_HOLIDAY_FILE": str(path)})
    assert result.exit_code == 2 and "应为 off 或 work" in result.output


def test_planbot_holidays_shows_the_days_and_where_they_come_from(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.delenv("PLANBOT_HOLIDAY_FILE", raising=False)
    estimated = CliRunner().invoke(app, ["holidays", "2028"])
    assert estimated.exit_code == 0 and "估算" in estimated.stdout and "2028-10-01" in estimated.stdout
    assert "2028 年的放假安排尚未载入" in estimated.stdout
    path = tmp_path / "holidays.csv"
    path.write_text(LOCAL_2027, encoding="utf-8")
    monkeypatch.setenv("PLANBOT_HOLIDAY_FILE", str(path))
    local = CliRunner().invoke(app, ["holidays", "2027"])
    assert local.exit_code == 0 and "调休上班" in local.stdout and "尚未载入" not in local.stdout


def test_the_dry_run_and_the_coordinators_digest_warn_about_each_estimated_year(database_url, monkeypatch):
    engine = create_engine_for(database_url)
    with session_factory(engine)() as session:
        seed_ledger(session, due_dates=[D("2027-03-31"), D("2028-06-30")], channels=["CONE"])
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("PLANBOT_HOLIDAY_FILE", raising=False)
    result = CliRunner().invoke(
        app, ["remind", "--dry-run", "--from", "2026-12-01", "--to", "2028-12-31", "--format", "jsonl"]
    )
    assert result.exit_code == 0, result.output
    assert "2027、2028 年的放假安排尚未载入" in result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    digests = [line["text"] for line in lines if line["kind"] == "digest" and line["department"] is None]
    assert any("2027 年的放假安排尚未载入" in text for text in digests)


def test_serve_and_remind_name_the_estimated_years_ahead():
    from bot.scheduler import holiday_warning, install_holiday_calendar

    install_holiday_calendar(None)
    warning = holiday_warning(D("2026-12-05"))
    assert warning is not None and "2027、2028 年的放假安排尚未载入" in warning and "PLANBOT_HOLIDAY_FILE" in warning
    assert holiday_warning(D("2025-01-01"), D("2026-06-30")) is None
