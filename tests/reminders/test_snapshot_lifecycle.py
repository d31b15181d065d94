"""The snapshot as the database fills it: role collectives resolved, unit-less tasks listed for the
coordinators, reported instances closed, archived plans silent; and `planbot plan archive`."""

from __future__ import annotations

import json
from datetime import date

from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import app
from bot.scheduler import REMINDER_KINDS, sweep
from storage.db import create_engine_for, session_factory
from storage.models import Assignment, Department, Plan, Task, TaskInstance
from storage.reminder_rows import ReminderConventions
from storage.reminder_snapshot import collective_role, load_snapshot
from tests.reminders.ledger_rows import CREATED, seed_ledger
from tests.reminders.test_reminder_sweep import at_shanghai, deliveries, deps_for

D = date.fromisoformat


def _task(session, seeded, action: str, due: date | None, *, recurrence: str | None = None) -> Task:
    first = seeded["tasks"][0]
    task = Task(
        plan_id=first.plan_id,
        document_id=first.document_id,
        action=action,
        evidence=action + "。",
        evidence_key=action,
        due_on=due,
        recurrence=recurrence,
        created_at=CREATED,
        updated_at=CREATED,
    )
    session.add(task)
    session.flush()
    return task


def test_role_names_are_recognised():
    assert collective_role("各牵头单位") == "lead" and collective_role("责任单位") == "lead"
    assert collective_role("各配合单位") == "co"
    assert collective_role("各有关部门") == "unnamed" and collective_role("市直有关部门") == "unnamed"
    assert collective_role("区发展改革局") is None and collective_role("各部门") is None


def test_role_collectives_reach_the_units_playing_that_role_and_the_rest_go_to_the_coordinators(sessions):
    with sessions() as session:
        seeded = seed_ledger(session, due_dates=[D("2025-06-30")], channels=["CONE", "CTWO"])
        first, second = seeded["departments"]
        place = first.jurisdiction_id
        # the second bureau only co-operates in this plan
        session.add(Assignment(task_id=seeded["tasks"][0].id, department_id=second.id, role="co"))
        leads = Department(jurisdiction_id=place, name="各牵头单位", kind="collective")
        concerned = Department(jurisdiction_id=place, name="市直有关部门", kind="bureau")
        session.add_all([leads, concerned])
        session.flush()
        by_leads = _task(session, seeded, "各牵头单位报送半年工作总结", D("2025-07-10"))
        session.add(Assignment(task_id=by_leads.id, department_id=leads.id, role="lead"))
        by_concerned = _task(session, seeded, "市直有关部门做好配合", D("2025-07-10"))
        session.add(Assignment(task_id=by_concerned.id, department_id=concerned.id, role="co"))
        nobody = _task(session, seeded, "加强宣传引导", D("2025-08-31"))
        review = _task(session, seeded, "下半年启动总结评估", D("2025-12-31"))
        review.kind = "review"  # a review event's sentence, not a task nobody owns
        session.add(review)
        session.commit()
        snapshot = load_snapshot(session=session, defaults=ReminderConventions())
    rows = {(row.task_id, row.department_id, row.addressed_as) for row in snapshot.tasks}
    # both bureaus lead a task of this plan (each its own), so 各牵头单位 reaches both
    assert (by_leads.id, first.id, "各牵头单位") in rows and (by_leads.id, second.id, "各牵头单位") in rows
    assert not any(row.department_id in (leads.id, concerned.id) for row in snapshot.tasks)
    listed = {row.task_id: row.addressed_as for row in snapshot.unassigned}
    assert listed == {by_concerned.id: "市直有关部门", nobody.id: None}

    sweep(deps_for(sessions, at_shanghai("2025-07-10")), kinds=REMINDER_KINDS)
    sent = deliveries(sessions)
    assert {(row.task_id, row.target) for row in sent if row.task_id == by_leads.id} == {
        (by_leads.id, "slack:CONE"),
        (by_leads.id, "slack:CTWO"),
    }
    assert not any(row.task_id in (by_concerned.id, nobody.id) for row in sent)
    assert all("有关部门（" not in json.loads(row.payload)["text"] for row in sent)


def test_a_reported_instance_is_closed_and_the_next_one_is_reminded(sessions):
    with sessions() as session:
        seeded = seed_ledger(session, due_dates=[D("2025-12-31")], channels=["CONE"])
        duty = _task(session, seeded, "每季度报送项目进展", D("2025-03-25"), recurrence="quarterly")
        session.add(Assignment(task_id=duty.id, department_id=seeded["departments"][0].id, role="lead"))
        session.add(
            TaskInstance(
                task_id=duty.id, period="2025Q1", due_on=D("2025-03-25"), status="done", updated_at=CREATED
            )
        )
        session.commit()
        snapshot = load_snapshot(session=session, defaults=ReminderConventions())
    row = next(row for row in snapshot.tasks if row.task_id == duty.id)
    assert row.done_periods == frozenset({"2025Q1"}) and row.imported_on == CREATED.date()
    # nothing for the reported first quarter on its deadline day; the second quarter's 7-day reminder goes out
    assert sweep(deps_for(sessions, at_shanghai("2025-03-25")), kinds=("deadline",)) == 0
    assert sweep(deps_for(sessions, at_shanghai("2025-06-18")), kinds=("deadline",)) == 1
    assert [json.loads(row.payload)["text"].count("2025年第2季度") for row in deliveries(sessions)] == [1]


def test_planbot_plan_archive_stops_the_reminders_and_undo_brings_them_back(database_url, monkeypatch):
    engine = create_engine_for(database_url)
    with session_factory(engine)() as session:
        plan_id = seed_ledger(session, due_dates=[D("2025-06-30")], channels=["CONE"])["plan"].id
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()

    def dry_run() -> list[dict]:
        result = runner.invoke(
            app, ["remind", "--dry-run", "--from", "2025-06-01", "--to", "2025-06-30", "--format", "jsonl"]
        )
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.stdout.splitlines()]

    assert dry_run()
    archived = runner.invoke(app, ["plan", "archive", str(plan_id)])
    assert archived.exit_code == 0 and "已归档" in archived.stdout
    assert dry_run() == []
    assert "早已归档" in runner.invoke(app, ["plan", "archive", str(plan_id)]).stdout
    listed = runner.invoke(app, ["plan", "list"])
    assert "已归档" in listed.stdout
    back = runner.invoke(app, ["plan", "archive", str(plan_id), "--undo"])
    assert back.exit_code == 0 and "已恢复" in back.stdout
    assert dry_run()
    # a plan of a year long past is retired on its own, and the list says so
    engine = create_engine_for(database_url)
    with session_factory(engine)() as session:
        seed_ledger(session, due_dates=[D("2019-06-30")], channels=["COLD"], coordinator=None, place="潍城区")
        old = session.exec(select(Plan).where(Plan.id != plan_id)).one()
        old.year = 2019
        session.add(old)
        session.commit()
    engine.dispose()
    assert "规划期已于 2019 年结束，自动归档" in runner.invoke(app, ["plan", "list"]).stdout
    missing = runner.invoke(app, ["plan", "archive", "999"])
    assert missing.exit_code == 1 and "planbot plan list" in missing.output
