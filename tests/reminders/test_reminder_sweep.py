"""Sweeps against a real database (SQLite and PostgreSQL): idempotent inserts, catch-up, no resend."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.deps import Deps
from bot.scheduler import REMINDER_KINDS, sweep
from bot.settings import Settings
from handlers.reminders import ReminderConventions, reminders_due
from storage.models import Delivery
from storage.reminder_queries import claim_pending, insert_deliveries
from storage.reminder_snapshot import load_snapshot
from tests.reminders.ledger_rows import add_review, seed_ledger

D = date.fromisoformat


def at_shanghai(day: str, hour: int = 9) -> datetime:
    """A frozen clock reading, 09:00 Asia/Shanghai on `day`."""
    return datetime.fromisoformat(f"{day}T{hour - 8:02d}:30:00+00:00").astimezone(UTC)


def deps_for(sessions, now: datetime) -> Deps:
    settings = Settings(database_url="sqlite://", coordinators="")
    return Deps(settings=settings, session_factory=sessions, clock=lambda: now)


def deliveries(sessions) -> list[Delivery]:
    with sessions() as session:
        return list(session.execute(select(Delivery).order_by(Delivery.id)).scalars())


def test_snapshot_reads_the_ledger(sessions):
    with sessions() as session:
        seed_ledger(session, due_dates=[D("2025-03-20")], channels=["CONE"], members=["UONE"])
        snapshot = load_snapshot(session=session, defaults=ReminderConventions())
    department = next(iter(snapshot.departments.values()))
    assert department.audience.channels == ("slack:CONE",) and department.audience.members == ("slack:UONE",)
    assert snapshot.coordinators == ("slack:UCOORD",)
    assert (
        snapshot.tasks[0].due_on == D("2025-03-20")
        and snapshot.plans[snapshot.tasks[0].plan_id].jurisdiction == "莱芜区"
    )


def test_second_sweep_inserts_nothing(sessions):
    with sessions() as session:
        seed_ledger(session, due_dates=[D("2025-03-20")], channels=["CONE"], members=["UONE"])
    deps = deps_for(sessions, at_shanghai("2025-03-13"))
    assert sweep(deps, kinds=REMINDER_KINDS) == 2  # channel + member, deadline-7
    assert sweep(deps, kinds=REMINDER_KINDS) == 0
    rows = deliveries(sessions)
    assert {(row.rule, row.target, row.status) for row in rows} == {
        ("deadline-7", "slack:CONE", "pending"),
        ("deadline-7", "slack:UONE", "pending"),
    }
    assert rows[0].next_attempt_at == datetime(2025, 3, 13, 1, 0, tzinfo=UTC)  # 09:00 Shanghai


def test_sent_reminder_is_not_inserted_again(sessions):
    with sessions() as session:
        seed_ledger(session, due_dates=[D("2025-03-20")], channels=["CONE"])
    deps = deps_for(sessions, at_shanghai("2025-03-13"))
    sweep(deps, kinds=REMINDER_KINDS)
    with sessions() as session:
        claimed = claim_pending(session=session, now=at_shanghai("2025-03-13"))
    assert len(claimed) == 1
    assert sweep(deps_for(sessions, at_shanghai("2025-03-14")), kinds=REMINDER_KINDS) == 0
    assert (
        sweep(deps_for(sessions, at_shanghai("2025-03-19")), kinds=REMINDER_KINDS) == 1
    )  # deadline-1 is new


def test_catch_up_after_downtime_once(sessions):
    with sessions() as session:
        seed_ledger(session, due_dates=[D("2025-03-20"), D("2025-02-20")], channels=["CONE"])
    # the bot was down from February to Monday 03-17: one catch-up per task, never the stale ones
    deps = deps_for(sessions, at_shanghai("2025-03-17"))
    assert sweep(deps, kinds=REMINDER_KINDS) == 2
    assert {row.rule for row in deliveries(sessions)} == {"deadline-7", "overdue"}
    assert sweep(deps, kinds=REMINDER_KINDS) == 0


def test_paused_plan_and_reviews(sessions):
    with sessions() as session:
        seeded = seed_ledger(session, due_dates=[D("2025-12-31")], channels=["CONE"])
        add_review(session, seeded["plan"].id, "final_review", D("2025-12-31"), 2025)
    deps = deps_for(sessions, at_shanghai("2025-11-03"))
    assert sweep(deps, kinds=REMINDER_KINDS) == 2  # final_review-60 to the department and the coordinator
    assert {row.target for row in deliveries(sessions)} == {"slack:CONE", "slack:UCOORD"}
    with sessions() as session:
        plan = session.get(type(seeded["plan"]), seeded["plan"].id)
        plan.reminders_paused = True
        session.add(plan)
        session.commit()
    assert sweep(deps_for(sessions, at_shanghai("2025-12-02")), kinds=REMINDER_KINDS) == 0


def test_concurrent_inserts_of_the_same_keys_collide_quietly(sessions):
    with sessions() as session:
        seed_ledger(session, due_dates=[D("2025-03-20")], channels=["CONE"])
        snapshot = load_snapshot(session=session, defaults=ReminderConventions())
    due = reminders_due(snapshot, D("2025-03-13"))
    now = at_shanghai("2025-03-13")
    with sessions() as first, sessions() as second:
        assert insert_deliveries(session=first, reminders=due, now=now) == len(due)
        assert insert_deliveries(session=second, reminders=due + due, now=now) == 0


def test_digests_wait_for_the_digest_time(sessions):
    with sessions() as session:
        seed_ledger(session, due_dates=[D("2025-03-20")], channels=["CONE"])
    deps = deps_for(sessions, at_shanghai("2025-03-17", hour=8))
    deps.settings.digest_time = "08:30"
    assert sweep(deps, kinds=("digest",)) == 2  # the department's and the coordinators'
    assert {row.next_attempt_at for row in deliveries(sessions)} == {datetime(2025, 3, 17, 0, 30, tzinfo=UTC)}


def test_a_collective_addressee_reaches_every_department_it_speaks_to(sessions):
    """各部门 obliges each bureau: each bound bureau is reminded once; towns (各镇街's) are not."""
    from storage.models import Assignment, ChannelBinding, Department, Task

    with sessions() as session:
        seeded = seed_ledger(session, due_dates=[D("2025-03-20")], channels=["CONE", "CTWO"])
        first, second = seeded["departments"]
        task = seeded["tasks"][0]  # the first bureau's own task: it is named, and 各部门 too
        place = first.jurisdiction_id
        bureaus = Department(jurisdiction_id=place, name="各部门", kind="collective", covers_kind="bureau")
        town = Department(jurisdiction_id=place, name="口镇", kind="government")
        session.add_all([bureaus, town])
        session.flush()
        session.add(ChannelBinding(department_id=town.id, channel_id="CTOWN", platform="slack"))
        session.add(Assignment(task_id=task.id, department_id=bureaus.id, role="co"))
        collective_task = Task(
            plan_id=task.plan_id,
            document_id=task.document_id,
            action="各部门落实安全生产责任",
            evidence="各部门要落实安全生产责任。",
            evidence_key="collective",
            due_on=D("2025-03-20"),
            created_at=task.created_at,
            updated_at=task.created_at,
        )
        session.add(collective_task)
        session.flush()
        session.add(Assignment(task_id=collective_task.id, department_id=bureaus.id, role="co"))
        # a second "all bureaus" addressee on the same task: one row per bureau, and 牵头 wins over 配合
        direct = Department(jurisdiction_id=place, name="区直各部门", kind="collective", covers_kind="bureau")
        # "有关部门" stands for units the text does not name: nobody is reminded through it
        concerned = Department(
            jurisdiction_id=place, name="各有关部门", kind="collective", covers_kind="bureau"
        )
        session.add_all([direct, concerned])
        session.flush()
        session.add(Assignment(task_id=collective_task.id, department_id=direct.id, role="lead"))
        session.add(Assignment(task_id=collective_task.id, department_id=concerned.id, role="co"))
        session.commit()
        snapshot = load_snapshot(session=session, defaults=ReminderConventions())
    fanned = {(row.task_id, row.department_id, row.role, row.addressed_as) for row in snapshot.tasks}
    assert (collective_task.id, first.id, "lead", "区直各部门") in fanned
    assert (collective_task.id, second.id, "lead", "区直各部门") in fanned
    assert len([row for row in snapshot.tasks if row.task_id == collective_task.id and row.addressed_as]) == 2
    # "各有关部门" names nobody: no reminder goes out under its name, and since 区直各部门 reaches real units,
    # the task is not on the coordinators' list of tasks nobody can be reminded of either
    assert not any(row[1] == concerned.id for row in fanned)
    assert collective_task.id not in {row.task_id for row in snapshot.unassigned}
    assert (task.id, first.id, "lead", None) in fanned  # named itself: its own assignment only
    assert (task.id, second.id, "co", "各部门") in fanned
    assert not any(row[:2] == (task.id, first.id) and row[3] for row in fanned)
    assert not any(row.department_id in (town.id, bureaus.id, direct.id) for row in snapshot.tasks)

    assert sweep(deps_for(sessions, at_shanghai("2025-03-13")), kinds=REMINDER_KINDS) == 5
    sent = {(row.task_id, row.target) for row in deliveries(sessions)}
    assert sent == {
        (task.id, "slack:CONE"),
        (task.id, "slack:CTWO"),
        (seeded["tasks"][1].id, "slack:CTWO"),
        (collective_task.id, "slack:CONE"),
        (collective_task.id, "slack:CTWO"),
    }
    text = next(row.payload for row in deliveries(sessions) if row.task_id == collective_task.id)
    assert "（牵头，文件中为“区直各部门”）" in text
