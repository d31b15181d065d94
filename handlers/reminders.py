"""Which reminders fire when, to whom, with what text: pure rules over a snapshot of the ledger.

Every reminder belongs to a *series*: the deadline and overdue reminders of one task to one target, the
reminders of one review event to one target, or the weekly digests of one department to one target. Each
occurrence of a series has a nominal date and fires on the first working day on or after it
(handlers.working_days: weekends and statutory holidays are days off, 调休 make-up days are working days).

A recurring duty has one instance per year, quarter or month (handlers.task_instances), each with its own
deadline reminders and at most `overdue_reminder_limit` weekly overdue reminders; after those the task is the
coordinators' to follow up (handlers.digest_series). Historic tasks (long overdue when imported), tasks of
archived plans and of plans retired after their period get nothing.

Two questions are answered here:
- `planned_reminders(start, end)`: what a bot that ran every working day would send in that range (dry run).
- `reminders_due(today)`: what a sweep run today must make sure exists. Per series only the latest occurrence
  that has fired by today counts, so a sweep after a week of downtime sends one catch-up per series, not a
  burst of stale ones, and a second sweep finds the same keys already stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from functools import partial

from handlers.digest_series import coordinators_subject, digest_series
from handlers.indicator_warnings import request_text, warning_lines
from handlers.reminder_series import Occurrence as _Occurrence
from handlers.reminder_series import Series as _Series
from handlers.reminder_texts import review_text, task_text
from handlers.task_instances import dues_between, nag_limit_days
from handlers.working_days import is_working_day, next_working_day
from storage.reminder_rows import (
    Audience,
    DepartmentRow,
    IndicatorWatch,
    LedgerSnapshot,
    PlanRow,
    Reminder,
    ReminderConventions,
    ReviewRow,
    TaskRow,
    parse_days,
)

# the shortest distance between two deadlines of a recurring duty
PERIOD_DAYS = {"yearly": 365, "quarterly": 89, "monthly": 28}
UNBOUND = "unbound"  # the dry run's target for a department with no channel, robot or member yet
KINDS = ("deadline", "overdue", "annual_monitoring", "mid_term_review", "final_review", "digest")
# the rows are part of this module's interface: callers import them from here
__all__ = [
    "KINDS",
    "UNBOUND",
    "Audience",
    "DepartmentRow",
    "LedgerSnapshot",
    "PlanRow",
    "Reminder",
    "ReminderConventions",
    "ReviewRow",
    "TaskRow",
    "coordinators_subject",
    "is_working_day",
    "next_working_day",
    "parse_days",
    "planned_reminders",
    "reminders_due",
    "with_unbound_shown",
]


# -- occurrences of each series -------------------------------------------------------------------------------


def _task_occurrences(
    row: TaskRow,
    plan: PlanRow,
    conventions: ReminderConventions,
    start: date,
    end: date,
    retired: date | None,
) -> list[_Occurrence]:
    """Deadline reminders of every due instance near [start, end], then at most `overdue_reminder_limit`
    weekly overdue reminders each: after those the task is escalated, not nagged."""
    every = conventions.overdue_every_days
    earliest_day_before = max(conventions.deadline_days, default=0)
    # a holiday shift is under two weeks; instances due this far around the range can fire inside it
    window_start = start - timedelta(days=nag_limit_days(conventions) + 14)
    window_end = end + timedelta(days=earliest_day_before + 14)
    # a reminder 30 days ahead of a monthly duty's deadline would land before the previous month's deadline
    deadline_days = [
        days for days in conventions.deadline_days if days < PERIOD_DAYS.get(row.recurrence, 10_000)
    ]
    occurrences: list[_Occurrence] = []
    for due in dues_between(row, plan, conventions, window_start, window_end):
        on = due.due_on
        stale = next_working_day(on) + timedelta(days=every)
        occurrences.extend(
            _Occurrence(f"deadline-{days}", "deadline", on - timedelta(days=days), on, due, stale)
            for days in deadline_days
        )
        for week in range(1, conventions.overdue_reminder_limit + 1):
            nominal = on + timedelta(days=week * every)
            expires = next_working_day(nominal) + timedelta(days=every - 1)
            occurrences.append(_Occurrence("overdue", "overdue", nominal, nominal, due, expires))
    if retired is not None:
        occurrences = [occurrence for occurrence in occurrences if occurrence.nominal <= retired]
    return occurrences


def _task_series(snapshot: LedgerSnapshot, start: date, end: date) -> Iterator[_Series]:
    for row in snapshot.tasks:
        if not row.is_open or not snapshot.active(row.plan_id):
            continue
        department = snapshot.departments.get(row.department_id)
        if department is None:
            continue
        conventions = snapshot.conventions_of(row.plan_id)
        plan = snapshot.plans[row.plan_id]
        occurrences = _task_occurrences(
            row, plan, conventions, start, end, snapshot.retired_after(row.plan_id)
        )
        if not occurrences:
            continue

        def words(
            occurrence: _Occurrence,
            as_of: date,
            row=row,
            department=department,
            plan=plan,
            conventions=conventions,
        ) -> str:
            due = occurrence.due
            assert due is not None
            overdue_count = _overdue_count(occurrence, conventions) if occurrence.kind == "overdue" else 0
            return task_text(
                replace(row, due_on=due.due_on),
                department,
                plan.title,
                as_of,
                conventions,
                period_label=due.label,
                overdue_count=overdue_count,
            )

        audience = department.audience
        subject = f"task:{row.task_id}"
        place = (department.jurisdiction, department.name)
        if audience.channels:
            yield _Series(subject, audience.channels, occurrences, *place, task_id=row.task_id, words=words)
        if audience.members and audience.channels:
            # members hear of the deadline by DM; the weekly overdue reminder goes to the department's channel
            deadline_only = [
                replace(occurrence, expires=next_working_day(occurrence.occurrence_on))
                for occurrence in occurrences
                if occurrence.kind == "deadline"
            ]
            yield _Series(subject, audience.members, deadline_only, *place, task_id=row.task_id, words=words)
        elif audience.members:
            yield _Series(subject, audience.members, occurrences, *place, task_id=row.task_id, words=words)


def _overdue_count(occurrence: _Occurrence, conventions: ReminderConventions) -> int:
    """1 for the first overdue reminder of a deadline, up to `overdue_reminder_limit` for the last."""
    assert occurrence.due is not None
    return (occurrence.nominal - occurrence.due.due_on).days // conventions.overdue_every_days


def _review_series(snapshot: LedgerSnapshot) -> Iterator[_Series]:
    departments_of_plan: dict[int, set[int]] = {}
    yearly_departments_of_plan: dict[int, set[int]] = {}
    for row in snapshot.tasks:
        if row.status == "archived":
            continue
        departments_of_plan.setdefault(row.plan_id, set()).add(row.department_id)
        if row.recurrence == "yearly":
            yearly_departments_of_plan.setdefault(row.plan_id, set()).add(row.department_id)
    # the lead unit of an indicator reports its value at each annual monitoring
    indicators_of: dict[tuple[int, int], list[IndicatorWatch]] = {}
    for watch in snapshot.indicators:
        yearly_departments_of_plan.setdefault(watch.plan_id, set()).add(watch.department_id)
        indicators_of.setdefault((watch.plan_id, watch.department_id), []).append(watch)
    for event in snapshot.reviews:
        if not snapshot.active(event.plan_id):
            continue
        plan = snapshot.plans[event.plan_id]
        conventions = snapshot.conventions_of(event.plan_id)
        if event.kind == "annual_monitoring":
            days, department_ids, extra = conventions.annual_monitoring_days, yearly_departments_of_plan, ()
        else:
            days, department_ids, extra = conventions.review_days, departments_of_plan, snapshot.coordinators
        occurrences = [
            _Occurrence(
                f"{event.kind}-{before}", event.kind, event.due_on - timedelta(days=before), event.due_on
            )
            for before in days
        ]

        def words(
            occurrence: _Occurrence,
            as_of: date,
            event: ReviewRow = event,
            plan: PlanRow = plan,
            indicators: tuple[IndicatorWatch, ...] = (),
        ) -> str:
            return review_text(event, plan, as_of) + request_text(indicators, event.year)

        for department_id in sorted(department_ids.get(event.plan_id, ())):
            department = snapshot.departments.get(department_id)
            if department is None:
                continue
            asked = tuple(indicators_of.get((event.plan_id, department_id), ()))
            yield _Series(
                f"review:{event.event_id}",
                department.audience.department_wide(),
                occurrences,
                plan.jurisdiction,
                department.name,
                review_event_id=event.event_id,
                last_relevant=event.due_on,
                words=partial(words, indicators=asked) if event.kind == "annual_monitoring" else words,
            )
        if extra:
            # before 中期评估 and 总结评估 the coordinators hear which of the plan's indicators are behind (预警)
            plan_watches = [watch for watch in snapshot.indicators if watch.plan_id == event.plan_id]

            def coordinators_words(
                occurrence: _Occurrence, as_of: date, words=words, watches=plan_watches
            ) -> str:
                warned = warning_lines(watches, snapshot.departments, as_of, snapshot.conventions_of)
                return words(occurrence, as_of) + "".join(f"\n{line}" for line in warned)

            yield _Series(
                f"review:{event.event_id}",
                extra,
                occurrences,
                plan.jurisdiction,
                None,
                review_event_id=event.event_id,
                last_relevant=event.due_on,
                words=coordinators_words,
            )


def _all_series(snapshot: LedgerSnapshot, start: date, end: date, kinds: Iterable[str]) -> Iterator[_Series]:
    kinds = set(kinds)
    if kinds & {"deadline", "overdue"}:
        yield from _task_series(snapshot, start, end)
    if kinds & {"annual_monitoring", "mid_term_review", "final_review"}:
        yield from _review_series(snapshot)
    if "digest" in kinds:
        yield from digest_series(snapshot, start, end)


def _reminders(series: _Series, occurrence: _Occurrence, fire_on: date, as_of: date) -> Iterator[Reminder]:
    text = series.words(occurrence, as_of)  # type: ignore[operator]
    for target in series.targets:
        yield Reminder(
            rule=occurrence.rule,
            kind=occurrence.kind,
            subject_key=series.subject_key,
            occurrence_on=occurrence.occurrence_on,
            fire_on=fire_on,
            target=target,
            text=text,
            jurisdiction=series.jurisdiction,
            department=series.department,
            task_id=series.task_id,
            review_event_id=series.review_event_id,
        )


def with_unbound_shown(snapshot: LedgerSnapshot, placeholder: str = UNBOUND) -> LedgerSnapshot:
    """The snapshot with `placeholder` as the target of every department nobody can be reached at (and of the
    coordinators when none is set), so a dry run previews what binding a channel would bring."""
    departments = {
        department_id: department
        if department.audience.channels or department.audience.members
        else replace(department, audience=Audience(channels=(placeholder,)))
        for department_id, department in snapshot.departments.items()
    }
    return replace(snapshot, departments=departments, coordinators=snapshot.coordinators or (placeholder,))


# -- the two questions ----------------------------------------------------------------------------------------


def planned_reminders(
    snapshot: LedgerSnapshot, start: date, end: date, *, kinds: Iterable[str] = KINDS
) -> list[Reminder]:
    """Every reminder that fires in [start, end] if the bot runs every working day, worded as of its day.

    Occurrences of one series that the holiday shift lands on the same working day go out as one: the latest
    (e.g. before National Day the 7-day, 1-day and on-the-day reminders of a 10-09 deadline are one message).
    """
    kinds = tuple(kinds)
    found: list[Reminder] = []
    for series in _all_series(snapshot, start, end, kinds):
        latest_by_day: dict[date, _Occurrence] = {}
        for occurrence in series.occurrences:
            if occurrence.kind not in kinds:
                continue
            fire_on = next_working_day(occurrence.nominal)
            if not start <= fire_on <= end:
                continue
            if series.last_relevant and fire_on > series.last_relevant:
                continue
            kept = latest_by_day.get(fire_on)
            if kept is None or occurrence.nominal > kept.nominal:
                latest_by_day[fire_on] = occurrence
        for fire_on, occurrence in sorted(latest_by_day.items()):
            found.extend(_reminders(series, occurrence, fire_on, fire_on))
    found.sort(key=lambda reminder: (reminder.fire_on, reminder.kind, reminder.subject_key, reminder.target))
    return found


def reminders_due(snapshot: LedgerSnapshot, today: date, *, kinds: Iterable[str] = KINDS) -> list[Reminder]:
    """What a sweep on `today` must have stored: per series the latest occurrence fired by today.

    Nothing is due on a day off; what would have fired then fires on the next working day.
    """
    if not is_working_day(today):
        return []
    kinds = tuple(kinds)
    # deadline and review occurrences are all generated whatever the range; the range only bounds the weekly
    # ones (overdue, digest), and no holiday shift is longer than two weeks
    lookback = today - timedelta(days=21)
    found: list[Reminder] = []
    for series in _all_series(snapshot, lookback, today, kinds):
        if series.last_relevant and today > series.last_relevant:
            continue
        fired = [
            occurrence
            for occurrence in series.occurrences
            if occurrence.kind in kinds
            and next_working_day(occurrence.nominal) <= today
            and (occurrence.expires is None or today <= occurrence.expires)
        ]
        if not fired:
            continue
        latest = max(fired, key=lambda occurrence: occurrence.nominal)
        found.extend(_reminders(series, latest, next_working_day(latest.nominal), today))
    found.sort(key=lambda reminder: (reminder.kind, reminder.subject_key, reminder.target))
    return found
