"""Which period of each recurring duty a dated list shows, from the duties' periods and the taskinstance table.

A duty's `due_on` is only the pattern of its deadlines ("每年1月15日前"), and its own status stays open while
each period is reported on by itself (storage.progress). So a list of what falls due or is overdue cannot
filter on the task's columns: the 2027 report closes 2027 and leaves 2028 due. Here each duty that matches the
list's other filters gets the period that puts it on the list, worked out by storage.task_periods.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta

from sqlmodel import Session, col, select

from storage.models import Plan, Task, TaskInstance
from storage.search_queries import Narrowing, task_filters
from storage.task_periods import Instance, instances, plan_span

# a list with no end ("next deadlines") looks this far ahead: every duty has a period within two years
OPEN_ENDED_DAYS = 800


def is_dated(where: Narrowing) -> bool:
    return where.due_from is not None or where.due_until is not None or where.due_before is not None


def listed_duties(*, session: Session, where: Narrowing, today: date | None = None) -> dict[int, Instance]:
    """Task id -> the period a dated list shows, for the recurring duties matching `where`'s other filters.

    Each duty is listed once, by one period not yet done: an overdue list (due_before) shows its latest missed
    period, as the ones just missed are worth chasing first. A due window shows the latest period in it that
    was missed before `today`, if any, else its first period in the window: "今年" lists a monthly duty by
    last month's missed report, not January's, and a window ahead by its first period there.
    """
    undated = replace(where, due_from=None, due_until=None, due_before=None)
    duties = select(Task.id).where(*task_filters(undated), col(Task.recurrence).is_not(None))
    rows = session.exec(
        select(
            Task.id,
            Task.recurrence,
            Task.due_on,
            Task.starts_on,
            Task.created_at,
            Plan.period_start,
            Plan.period_end,
            Plan.year,
        )
        .join(Plan, col(Plan.id) == col(Task.plan_id))
        .where(col(Task.id).in_(duties))
    ).all()
    if not rows:
        return {}
    done: dict[int, set[str]] = defaultdict(set)
    for task_id, period in session.exec(
        select(TaskInstance.task_id, TaskInstance.period).where(
            TaskInstance.status == "done", col(TaskInstance.task_id).in_(duties)
        )
    ).all():
        done[task_id].add(period)
    if where.due_before is not None:
        start, end = None, where.due_before - timedelta(days=1)
    elif where.due_until is not None:
        start, end = where.due_from, where.due_until
    else:
        assert where.due_from is not None, "a dated list"
        start, end = where.due_from, where.due_from + timedelta(days=OPEN_ENDED_DAYS)
    listed: dict[int, Instance] = {}
    for task_id, recurrence, due_on, starts_on, created_at, period_start, period_end, year in rows:
        first_day, last_day = plan_span(period_start, period_end, year)
        open_periods = [
            instance
            for instance in instances(
                recurrence=recurrence,
                due_on=due_on,
                starts_on=starts_on,
                # as storage.progress counts a duty's periods, so a report lands on the period listed here
                first_day=first_day or created_at.date(),
                last_day=last_day,
                until=end,
            )
            if instance.period not in done[task_id]
            and instance.due_on <= end
            and (start is None or instance.due_on >= start)
        ]
        if not open_periods:
            continue
        missed = [instance for instance in open_periods if today is not None and instance.due_on < today]
        if where.due_before is not None:
            listed[task_id] = open_periods[-1]
        else:
            listed[task_id] = missed[-1] if missed else open_periods[0]
    return listed
