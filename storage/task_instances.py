"""Which period of each recurring duty a dated list shows, from the duties' periods and the taskinstance table.

A duty's `due_on` is only the pattern of its deadlines ("每年1月15日前"), and its own status stays open while
each period is reported on by itself (storage.progress). So a list of what falls due or is overdue cannot
filter on the task's columns: the 2027 report closes 2027 and leaves 2028 due. Here each duty that matches the
list's other filters gets the period that puts it on the list, worked out by storage.task_periods.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from storage.models import Plan, Task, TaskInstance
from storage.search_queries import Narrowing, task_filters
from storage.task_periods import Instance, current_instance, instances, plan_span

# a list with no end ("next deadlines") looks this far ahead: every duty has a period within two years
OPEN_ENDED_DAYS = 800


def is_dated(where: Narrowing) -> bool:
    return where.due_from is not None or where.due_until is not None or where.due_before is not None


def listed_duties(
    *, session: Session, where: Narrowing, today: date | None = None, matching: Sequence[Any] = ()
) -> dict[int, Instance]:
    """Task id -> the period a dated list shows, for the recurring duties matching `where`'s other filters
    (and the conditions `matching`, such as a search).

    Each duty is listed once, by one period not yet done: an overdue list (due_before, or a window with no
    start) shows its latest missed period, as the ones just missed are worth chasing first. A due window
    shows the latest period in it that was missed before `today`, if any, else its first period in the
    window: "今年" lists a monthly duty by last month's missed report, not January's, and a window ahead by
    its first period there.
    """
    undated = replace(where, due_from=None, due_until=None, due_before=None)
    # the duties are picked by the recurrence index first (migration 0011): a filter on statuses or due dates
    # would otherwise lead the planner to walk every open task
    recurring = select(Task.id).where(col(Task.recurrence).is_not(None))
    duties = select(Task.id).where(col(Task.id).in_(recurring), *task_filters(undated), *matching)
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
        if where.due_before is not None or start is None:
            listed[task_id] = open_periods[-1]
        else:
            listed[task_id] = missed[-1] if missed else open_periods[0]
    return listed


def current_duties(*, session: Session, where: Narrowing, today: date) -> dict[int, Instance | None]:
    """Task id -> the current period on `today` (the one the card shows and a report would close; None when
    none is left) of the recurring duties matching `where`: an undated list sorts them by it."""
    recurring = select(Task.id).where(col(Task.recurrence).is_not(None))
    matching = col(Task.id).in_(select(Task.id).where(col(Task.id).in_(recurring), *task_filters(where)))
    return {
        duty.id: current_instance(
            recurrence=duty.recurrence,
            due_on=duty.due_on,
            today=today,
            done_periods=frozenset(p for p, (status, _) in reported.items() if status == "done"),
            **_span(duty),
        )
        for duty, reported in _duties(session, matching)
    }


# -- one period of a duty with what was reported on it: the 任务清单 sheet writes it and reads it back ---------


@dataclass(frozen=True)
class DutyPeriod:
    instance: Instance
    status: str
    percent: int
    first: Instance  # the duty's first period, where its pattern of deadlines is anchored


def current_periods(*, session: Session, task_ids: Iterable[int], today: date) -> dict[int, DutyPeriod]:
    """Task id -> the period of each recurring duty among `task_ids` that is current on `today` (the one a
    progress report would close: storage.progress), with its status; duties with no period left are absent."""
    found: dict[int, DutyPeriod] = {}
    wanted = sorted(set(task_ids))
    for start in range(0, len(wanted), 5_000):  # SQLite takes at most 32,766 parameters
        chunk = wanted[start : start + 5_000]
        for duty, reported in _duties(session, col(Task.id).in_(chunk)):
            first = next(iter(_periods_of(duty)), None)
            instance = current_instance(
                recurrence=duty.recurrence,
                due_on=duty.due_on,
                today=today,
                done_periods=frozenset(p for p, (status, _) in reported.items() if status == "done"),
                **_span(duty),
            )
            if instance is not None and first is not None:
                found[duty.id] = _with_report(duty, instance, reported, first)
    return found


def period_of_duty(*, session: Session, task_id: int, period: str) -> DutyPeriod | None:
    """One named period ("2028", "2028Q1", "2028-03") of a recurring duty, or None if it has no such period."""
    for duty, reported in _duties(session, Task.id == task_id):
        periods = list(_periods_of(duty, until_period=period))
        for instance in periods:
            if instance.period == period:
                return _with_report(duty, instance, reported, periods[0])
    return None


def _with_report(
    duty, instance: Instance, reported: dict[str, tuple[str, int]], first: Instance
) -> DutyPeriod:  # type: ignore[no-untyped-def]
    # progress reported before duties had periods stays on the task itself (as handlers.rendering shows it)
    status, percent = reported.get(instance.period, ("open", 0) if reported else (duty.status, duty.percent))
    return DutyPeriod(instance, status, percent, first)


def _span(duty) -> dict[str, date | None]:  # type: ignore[no-untyped-def]
    first_day, last_day = plan_span(duty.period_start, duty.period_end, duty.year)
    # as storage.progress counts a duty's periods, so that a report lands on the period shown
    return {
        "starts_on": duty.starts_on,
        "first_day": first_day or duty.created_at.date(),
        "last_day": last_day,
    }


def _periods_of(duty, until_period: str | None = None):  # type: ignore[no-untyped-def]
    """The duty's periods; a duty that runs on (no plan end) stops at `until_period`, or after 200 periods."""
    for count, instance in enumerate(
        instances(recurrence=duty.recurrence, due_on=duty.due_on, **_span(duty))
    ):
        yield instance
        if (
            instance.period == until_period
            or count >= 200
            or (until_period and instance.period > until_period)
        ):
            return


def _duties(session: Session, condition):  # type: ignore[no-untyped-def]
    rows = session.exec(
        select(
            Task.id,
            Task.recurrence,
            Task.due_on,
            Task.starts_on,
            Task.created_at,
            Task.status,
            Task.percent,
            Plan.period_start,
            Plan.period_end,
            Plan.year,
        )
        .join(Plan, col(Plan.id) == col(Task.plan_id))
        .where(condition, col(Task.recurrence).is_not(None))
    ).all()
    reported: dict[int, dict[str, tuple[str, int]]] = defaultdict(dict)
    ids = [row.id for row in rows]
    if ids:
        for task_id, period, status, percent in session.exec(
            select(
                TaskInstance.task_id, TaskInstance.period, TaskInstance.status, TaskInstance.percent
            ).where(col(TaskInstance.task_id).in_(ids))
        ).all():
            reported[task_id][period] = (status, percent)
    return [(row, reported[row.id]) for row in rows]
