"""The ledger snapshot the reminder rules read, loaded in a handful of queries (no per-task round trips).

Who hears of what is decided here as far as it is a fact of the ledger: bound channels and members per
department, each plan's own reminder conventions, and the fan-out of collective addressees (各部门) to the
departments they speak to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlmodel import Session

from storage.departments import obliged_by, speaks_to_every_department
from storage.models import (
    Assignment,
    ChannelBinding,
    Department,
    Jurisdiction,
    Member,
    Plan,
    ReviewEvent,
    Task,
)
from storage.plan_settings import ReminderOverrides
from storage.reminder_rows import (
    Audience,
    DepartmentRow,
    LedgerSnapshot,
    PlanRow,
    ReminderConventions,
    ReviewRow,
    TaskRow,
)


def binding_target(binding: ChannelBinding) -> str:
    """Slack bindings are addressed by channel id; robots by binding id (their webhook URL is a secret)."""
    if binding.platform == "slack":
        return f"slack:{binding.channel_id}"
    if binding.platform == "console":
        return f"console:{binding.channel_id}"
    return f"{binding.platform}:{binding.id}"


def _plan_conventions(plan: Plan, defaults: ReminderConventions) -> ReminderConventions | None:
    overrides = ReminderOverrides.from_json(plan.reminder_settings)
    return None if overrides.is_empty else overrides.applied_to(defaults)


def _fanned_out(tasks: list[TaskRow], department_records: Sequence[Department]) -> list[TaskRow]:
    """A task of an "all of a kind" addressee (各部门, 各镇街) becomes a task of every department it speaks to.

    "各部门要…" obliges each bureau of the jurisdiction, and nobody reads the collective's own channel, so
    each bureau is reminded as if named. "有关部门", "牵头单位" and the like stand for units the text does not
    name: they stay as they are, for the coordinators (storage.departments.speaks_to_every_department).
    One row per task and department: a department's own assignment wins over a collective's, and 牵头 over
    配合 when two collectives reach it. A collective with no department of its kind in the ledger yet keeps its
    row (its robots, or "unbound").
    """
    speaks_to: dict[int, list[Department]] = {}
    for collective in department_records:
        if collective.kind != "collective" or not speaks_to_every_department(collective.name):
            continue
        speaks_to[collective.id] = [
            department
            for department in department_records
            if department.jurisdiction_id == collective.jurisdiction_id
            and department.kind != "collective"
            and obliged_by(collective.covers_kind, department)
        ]
    names = {department.id: department.name for department in department_records}
    own: dict[tuple[int, int], TaskRow] = {}
    through_collectives: dict[tuple[int, int], TaskRow] = {}
    for row in tasks:
        covered = speaks_to.get(row.department_id)
        if not covered:
            own[(row.task_id, row.department_id)] = row
            continue
        for department in covered:
            key = (row.task_id, department.id)
            earlier = through_collectives.get(key)
            if earlier is None or (earlier.role != "lead" and row.role == "lead"):
                through_collectives[key] = replace(
                    row, department_id=department.id, addressed_as=names[row.department_id]
                )
    return list(own.values()) + [row for key, row in through_collectives.items() if key not in own]


def load_snapshot(
    *,
    session: Session,
    defaults: ReminderConventions,
    coordinator_user_ids: Iterable[str] = (),
    fallback_targets: tuple[str, ...] = (),
) -> LedgerSnapshot:
    """Everything the reminder rules read, in a handful of queries (no per-task round trips).

    `fallback_targets` (the settings' group robots) reach every department that has no binding and no member.
    """
    jurisdictions = dict(session.execute(select(Jurisdiction.id, Jurisdiction.name)).all())
    plans = {
        plan.id: PlanRow(
            plan.id,
            plan.title,
            jurisdictions.get(plan.jurisdiction_id, ""),
            plan.reminders_paused,
            _plan_conventions(plan, defaults),
        )
        for plan in session.execute(select(Plan)).scalars()
    }
    channels: dict[int, list[str]] = {}
    for binding in session.execute(
        select(ChannelBinding).where(ChannelBinding.department_id.is_not(None)).order_by(ChannelBinding.id)
    ).scalars():
        channels.setdefault(binding.department_id, []).append(binding_target(binding))
    members: dict[int, list[str]] = {}
    for member in session.execute(
        select(Member).where(Member.role == "member", Member.department_id.is_not(None)).order_by(Member.id)
    ).scalars():
        members.setdefault(member.department_id, []).append(f"slack:{member.slack_user_id}")
    department_records = list(
        session.execute(select(Department).where(Department.merged_into_id.is_(None))).scalars()
    )
    departments = {
        department.id: DepartmentRow(
            department.id,
            department.name,
            jurisdictions.get(department.jurisdiction_id, ""),
            Audience(
                tuple(channels.get(department.id, ()))
                or (() if members.get(department.id) else fallback_targets),
                tuple(members.get(department.id, ())),
            ),
        )
        for department in department_records
    }
    rows = session.execute(
        select(
            Task.id,
            Task.plan_id,
            Assignment.department_id,
            Assignment.role,
            Task.action,
            Task.due_on,
            Task.recurrence,
            Task.status,
        )
        .join(Assignment, Assignment.task_id == Task.id)
        .where(Task.status != "archived", Task.archived_at.is_(None))
    ).all()
    tasks = _fanned_out([TaskRow(*row) for row in rows], department_records)
    reviews = [
        ReviewRow(event.id, event.plan_id, event.kind, event.due_on, event.year)
        for event in session.execute(select(ReviewEvent)).scalars()
    ]
    return LedgerSnapshot(
        plans=plans,
        departments=departments,
        tasks=tasks,
        reviews=reviews,
        coordinators=coordinator_targets(session=session, coordinator_user_ids=coordinator_user_ids),
        defaults=defaults,
    )


def coordinator_targets(*, session: Session, coordinator_user_ids: Iterable[str] = ()) -> tuple[str, ...]:
    """Where the planning office hears about failures: its channel(s), coordinator members, the settings' ids."""
    targets = [
        binding_target(binding)
        for binding in session.execute(
            select(ChannelBinding).where(ChannelBinding.department_id.is_(None)).order_by(ChannelBinding.id)
        ).scalars()
    ]
    targets.extend(
        f"slack:{user_id}"
        for user_id in session.execute(
            select(Member.slack_user_id).where(Member.role == "coordinator").order_by(Member.id)
        ).scalars()
    )
    targets.extend(f"slack:{user_id}" for user_id in sorted(coordinator_user_ids))
    return tuple(dict.fromkeys(targets))
