"""A task as the reminders see it on a given day: which instance of a duty is due, whether it is historic,
whether it is still nagged or already escalated to the coordinators.

Pure functions over the snapshot's rows; the period arithmetic is storage.task_periods.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from storage.reminder_rows import PlanRow, ReminderConventions, TaskRow
from storage.task_periods import Instance, current_instance, instances_between

# the coordinators' 督办 list: 黄灯 once the department's own reminders have run out, 红灯 after a month
# overdue, 通报 after two months (the stage the planning office reports in its circular)
RED_AFTER_DAYS = 30
CIRCULAR_AFTER_DAYS = 60
STAGES = ("黄灯", "红灯", "通报")


@dataclass(frozen=True, slots=True)
class Due:
    """One deadline of a task: the task's own, or one instance of a recurring duty."""

    due_on: date
    period: str | None = None  # "2027", "2027Q1", "2027-03" for an instance
    label: str = ""  # "2027年度"

    @classmethod
    def of_instance(cls, instance: Instance) -> Due:
        return cls(instance.due_on, instance.period, instance.label)


def is_historic(row: TaskRow, due_on: date, conventions: ReminderConventions) -> bool:
    """Overdue by more than `historic_after_days` on the day the task was imported: an old plan's task that
    nobody is going to do now, so it is not nagged (no burst of messages on import)."""
    if row.imported_on is None:
        return False
    return due_on < row.imported_on - timedelta(days=conventions.historic_after_days)


def dues_between(
    row: TaskRow, plan: PlanRow, conventions: ReminderConventions, start: date, end: date
) -> list[Due]:
    """The open, non-historic deadlines of `row` within [start, end]."""
    if not row.is_open:
        return []
    if not row.recurrence:
        if row.due_on is None or not start <= row.due_on <= end or is_historic(row, row.due_on, conventions):
            return []
        return [Due(row.due_on)]
    return [
        Due.of_instance(instance)
        for instance in instances_between(
            recurrence=row.recurrence,
            due_on=row.due_on,
            start=start,
            end=end,
            starts_on=row.starts_on,
            first_day=plan.starts_on or row.imported_on,
            last_day=plan.ends_on,
        )
        if instance.period not in row.done_periods and not is_historic(row, instance.due_on, conventions)
    ]


def current_due(row: TaskRow, plan: PlanRow, as_of: date) -> Due | None:
    """The deadline `row` answers to on `as_of`: its own, or the current instance of a recurring duty."""
    if not row.recurrence:
        return Due(row.due_on) if row.due_on else None
    instance = current_instance(
        recurrence=row.recurrence,
        due_on=row.due_on,
        today=as_of,
        done_periods=row.done_periods,
        starts_on=row.starts_on,
        first_day=plan.starts_on or row.imported_on,
        last_day=plan.ends_on,
    )
    return Due.of_instance(instance) if instance else None


def row_as_of(row: TaskRow, plan: PlanRow, conventions: ReminderConventions, as_of: date) -> TaskRow | None:
    """The row as a digest on `as_of` shows it (its current deadline), or None when it has no place there:
    done, historic, or a duty with no instance left."""
    if not row.is_open:
        return None
    due = current_due(row, plan, as_of)
    if row.recurrence and due is None:
        return None
    if due is not None and is_historic(row, due.due_on, conventions):
        return None
    return replace(row, due_on=due.due_on if due else None)


def nag_limit_days(conventions: ReminderConventions) -> int:
    """How long after its deadline a task is still nagged: the last overdue reminder's distance."""
    return conventions.overdue_reminder_limit * conventions.overdue_every_days


def escalation_stage(due_on: date, as_of: date, conventions: ReminderConventions) -> str | None:
    """黄灯 / 红灯 / 通报 for a task whose own overdue reminders have run out, else None."""
    overdue = (as_of - due_on).days
    if overdue <= nag_limit_days(conventions):
        return None
    if overdue > CIRCULAR_AFTER_DAYS:
        return STAGES[2]
    if overdue > RED_AFTER_DAYS:
        return STAGES[1]
    return STAGES[0]
