"""The ledger snapshot the reminder rules read, loaded in a handful of queries (no per-task round trips).

Who hears of what is decided here as far as it is a fact of the ledger: bound channels and members per
department, each plan's own reminder conventions, and the fan-out of collective addressees (各部门) to the
departments they speak to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlmodel import Session

from storage.departments import obliged_by, speaks_to_every_department
from storage.indicators import indicator_watches
from storage.models import (
    Assignment,
    ChannelBinding,
    Department,
    Jurisdiction,
    Member,
    Plan,
    ReviewEvent,
    Task,
    TaskInstance,
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
from storage.task_periods import plan_span


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


# 各牵头单位, 责任单位, 配合单位: the units that play that role in the same plan. 各有关部门, 市直有关部门: units the
# text does not name, which only the coordinators can name
_ROLE_COLLECTIVE = re.compile(
    r"^(?:[市区县]直)?(?:各|其他|其余)?(?:(?P<lead>牵头|责任|主责|主办|承办)|(?P<co>配合|协办|协同|参与))(?:单位|部门)$"
)
_UNNAMED_COLLECTIVE = re.compile(r"^(?:[市区县]直)?(?:各)?(?:有关|相关)(?:部门|单位)")


def collective_role(name: str) -> str | None:
    """ "lead" or "co" for a role collective (各牵头单位, 配合单位), "unnamed" for 各有关部门, else None."""
    match = _ROLE_COLLECTIVE.match(name)
    if match:
        return "lead" if match.group("lead") else "co"
    if _UNNAMED_COLLECTIVE.match(name):
        return "unnamed"
    return None


def _resolved_roles(
    rows: list[TaskRow], names: dict[int, str], collectives: set[int]
) -> tuple[list[TaskRow], list[TaskRow]]:
    """Rows of role collectives turned into rows of the units playing that role in the same plan.

    Returns (rows for named units, rows nobody can be reminded of). A unit's own row for the task wins over
    one it gets through a collective. What cannot be resolved (各有关部门, or 各牵头单位 in a plan that names
    no lead unit) is left for the coordinators' list instead of being reminded under the collective's name.
    """
    roles = {department_id: collective_role(name) for department_id, name in names.items()}
    playing: dict[tuple[int, str], set[int]] = {}  # (plan, role) -> units named in that role
    for row in rows:
        if roles.get(row.department_id) is None and row.department_id not in collectives:
            playing.setdefault((row.plan_id, row.role), set()).add(row.department_id)
    kept: dict[tuple[int, int], TaskRow] = {}
    resolved: dict[tuple[int, int], TaskRow] = {}
    unresolved: list[TaskRow] = []
    for row in rows:
        role = roles.get(row.department_id)
        if role is None:
            kept[(row.task_id, row.department_id)] = row
            continue
        units = playing.get((row.plan_id, role), set()) if role != "unnamed" else set()
        if not units:
            unresolved.append(replace(row, addressed_as=names[row.department_id]))
            continue
        for unit in sorted(units):
            resolved.setdefault(
                (row.task_id, unit), replace(row, department_id=unit, addressed_as=names[row.department_id])
            )
    merged = list(kept.values()) + [row for key, row in resolved.items() if key not in kept]
    covered = {row.task_id for row in merged}
    # a task that also names a real unit is reminded through it; only wholly unnamed tasks go to the list
    return merged, [row for row in unresolved if row.task_id not in covered]


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
            *plan_span(plan.period_start, plan.period_end, plan.year),
            archived=plan.archived_at is not None,
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
    done_periods: dict[int, set[str]] = {}
    for task_id, period in session.execute(
        select(TaskInstance.task_id, TaskInstance.period).where(TaskInstance.status == "done")
    ).all():
        done_periods.setdefault(task_id, set()).add(period)
    live = (Task.status != "archived", Task.archived_at.is_(None), Task.awaiting_review.is_(False))
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
            Task.starts_on,
            Task.created_at,
            Task.kind,
        )
        .join(Assignment, Assignment.task_id == Task.id, isouter=True)
        .where(*live)
    ).all()
    # a review sentence with no unit (2025年下半年启动总结评估) is a review event's, not a task nobody owns
    review_sentences = {row[0] for row in rows if row[-1] == "review"}
    task_rows = [
        TaskRow(
            task_id,
            plan_id,
            department_id if department_id is not None else 0,
            role or "lead",
            action,
            due_on,
            recurrence,
            status,
            starts_on=starts_on,
            imported_on=created_at.date() if created_at else None,
            done_periods=frozenset(done_periods.get(task_id, ())),
        )
        for task_id, plan_id, department_id, role, action, due_on, recurrence, status, starts_on, created_at, _ in rows
    ]
    names = {department.id: department.name for department in department_records}
    collectives = {department.id for department in department_records if department.kind == "collective"}
    assigned, unassigned = _resolved_roles(
        [row for row in task_rows if row.department_id in names], names, collectives
    )
    # department 0: a task with no unit at all (or only a merged-away one)
    unassigned += [
        row
        for row in task_rows
        if row.department_id not in names and row.is_open and row.task_id not in review_sentences
    ]
    tasks = _fanned_out(assigned, department_records)
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
        unassigned=[row for row in unassigned if row.is_open],
        indicators=indicator_watches(session=session),
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
