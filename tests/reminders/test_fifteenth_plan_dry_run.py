"""The issue's acceptance run: `planbot remind --dry-run` over 2027–2029 of a 十五五 implementation plan with a
yearly, a quarterly and a monthly duty, a one-off task overdue since 2026 and a duty of 各牵头单位."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime

from typer.testing import CliRunner

from bot.cli import app
from handlers.working_days import WorkingCalendar
from storage.db import create_engine_for, session_factory
from storage.holiday_table import load_holiday_table
from storage.models import Assignment, ChannelBinding, Department, Document, Jurisdiction, Member, Plan, Task

D = date.fromisoformat
IMPORTED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
ROLE_NAMES = ("各牵头单位", "牵头单位", "责任单位", "配合单位", "各有关部门", "有关部门")


def seed(database_url: str) -> dict[str, int]:
    engine = create_engine_for(database_url)
    with session_factory(engine)() as session:
        place = Jurisdiction(name="青松区")
        session.add(place)
        session.flush()
        plan = Plan(
            jurisdiction_id=place.id,
            title="青松区“十五五”规划纲要实施方案",
            title_key="青松区十五五实施方案",
            identity_key="division_plan|P2026-2030|青松区十五五实施方案",
            kind="division_plan",
            period_start=2026,
            period_end=2030,
            created_at=IMPORTED,
        )
        session.add(plan)
        session.flush()
        document = Document(
            plan_id=plan.id,
            source="方案.txt",
            sha256="f" * 64,
            format="txt",
            title=plan.title,
            kind="division_plan",
            text="",
            ingested_at=IMPORTED,
        )
        session.add(document)
        session.flush()
        units = {}
        for name, channel in (
            ("区统计局", "CTJJ"),
            ("区财政局", "CCZJ"),
            ("区发展改革局", "CFGJ"),
            ("区住房城乡建设局", "CZJJ"),
        ):
            unit = Department(jurisdiction_id=place.id, name=name)
            session.add(unit)
            session.flush()
            session.add(ChannelBinding(department_id=unit.id, channel_id=channel, platform="slack"))
            units[name] = unit
        leads = Department(jurisdiction_id=place.id, name="各牵头单位", kind="collective")
        session.add(leads)
        session.flush()
        session.add(Member(slack_user_id="UCOORD", role="coordinator"))
        ids = {}
        for key, action, due, recurrence, unit in (
            ("yearly", "报送上年度规划实施情况", D("2027-01-15"), "yearly", units["区统计局"]),
            ("quarterly", "报送重点项目资金使用情况", D("2026-03-25"), "quarterly", units["区财政局"]),
            ("monthly", "报送重大项目调度情况", D("2026-01-05"), "monthly", units["区发展改革局"]),
            ("overdue", "完成老旧小区改造方案", D("2026-06-30"), None, units["区住房城乡建设局"]),
            ("leads", "总结本单位牵头任务进展", D("2026-12-20"), "yearly", leads),
        ):
            task = Task(
                plan_id=plan.id,
                document_id=document.id,
                action=action,
                evidence=action + "。",
                evidence_key=key,
                due_on=due,
                recurrence=recurrence,
                created_at=IMPORTED,
                updated_at=IMPORTED,
            )
            session.add(task)
            session.flush()
            session.add(Assignment(task_id=task.id, department_id=unit.id, role="lead"))
            ids[key] = task.id
        session.commit()
    engine.dispose()
    return ids


def dry_run(database_url, monkeypatch, start: str, end: str):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("PLANBOT_HOLIDAY_FILE", raising=False)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    result = CliRunner().invoke(
        app, ["remind", "--dry-run", "--from", start, "--to", end, "--format", "jsonl"]
    )
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()], result.stderr


def test_every_period_is_reminded_nobody_is_flooded_and_nothing_lands_on_a_day_off(database_url, monkeypatch):
    ids = seed(database_url)
    lines, warnings = dry_run(database_url, monkeypatch, "2027-01-01", "2029-12-31")

    deadlines = {
        task: {
            line["fire_on"][:7]
            for line in lines
            if line["task_id"] == ids[task] and line["kind"] == "deadline"
        }
        for task in ids
    }
    # every year's, quarter's and month's deadline is reminded
    assert {month for month in deadlines["yearly"] if month.endswith("-01")} == {
        "2027-01",
        "2028-01",
        "2029-01",
    }
    quarters = {
        line["text"].split("年第")[0][-4:] + "Q" + line["text"].split("年第")[1][0]
        for line in lines
        if line["task_id"] == ids["quarterly"] and line["kind"] == "deadline"
    }
    assert quarters == {f"{year}Q{quarter}" for year in (2027, 2028, 2029) for quarter in (1, 2, 3, 4)}
    months = {
        line["text"].split("（")[2].split("）")[0]
        for line in lines
        if line["task_id"] == ids["monthly"] and line["kind"] == "deadline"
    }
    assert {f"{year}年{month}月" for year in (2027, 2028, 2029) for month in range(1, 13)} <= months
    calendar = WorkingCalendar(load_holiday_table())
    on_the_day = {
        line["fire_on"] for line in lines if line["task_id"] == ids["yearly"] and line["kind"] == "deadline"
    }
    # the on-the-day reminder goes out on 01-15, or on the first working day after it (2028-01-15 is a Saturday)
    assert {
        calendar.next_working_day(D(f"{year}-01-15")).isoformat() for year in (2027, 2028, 2029)
    } <= on_the_day

    # the task overdue since 2026 was nagged three times in 2026 and never again
    before, _ = dry_run(database_url, monkeypatch, "2026-06-01", "2026-12-31")
    assert (
        len([line for line in before if line["task_id"] == ids["overdue"] and line["kind"] == "overdue"]) == 3
    )
    assert not [line for line in lines if line["task_id"] == ids["overdue"] and line["kind"] == "overdue"]
    # …but the coordinators still see it, escalated
    coordinators = [line["text"] for line in lines if line["kind"] == "digest" and line["department"] is None]
    assert coordinators and all(f"#{ids['overdue']}" in text and "通报" in text for text in coordinators[:3])

    # 各牵头单位 reaches the units that lead tasks of this plan; no reminder names a role as its department
    reached = {line["department"] for line in lines if line["task_id"] == ids["leads"]}
    assert reached == {"区统计局", "区财政局", "区发展改革局", "区住房城乡建设局"}
    assert not [line for line in lines if line["department"] in ROLE_NAMES]
    assert all("文件中为“各牵头单位”" in line["text"] for line in lines if line["task_id"] == ids["leads"])

    # one digest per department per week at most
    weekly = Counter(
        (line["department"], line["target"], D(line["fire_on"]).isocalendar()[:2])
        for line in lines
        if line["kind"] == "digest"
    )
    assert max(weekly.values()) == 1

    # nothing falls on a weekend or a statutory day off, and each estimated year is named
    off = {entry.day for year in (2027, 2028, 2029) for entry in calendar.days_of(year)}
    fired = {D(line["fire_on"]) for line in lines}
    assert not {day for day in fired if day in off or day.weekday() >= 5}
    assert "2027、2028、2029 年的放假安排尚未载入" in warnings
