"""The weekly digests as reminder series: one per department that has live work that week, one for the
coordinators of each jurisdiction with its 督办 (escalation) list and the tasks nobody can be reminded of.

"Live" on a day: an open task (or the current instance of a duty) of an active plan not yet retired, and not
historic. A department hears its digest in the weeks when one of its live tasks is late or falls due within
30 days; the coordinators hear theirs every week while anything in the jurisdiction is live.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, timedelta

from handlers import digest
from handlers.indicator_warnings import warning_lines
from handlers.reminder_series import Occurrence, Series
from handlers.task_instances import escalation_stage, row_as_of
from handlers.working_days import active_calendar, calendar_warning
from storage.reminder_rows import LedgerSnapshot, TaskRow

SUBJECT_KEY_LENGTH = 50  # storage.models.Delivery.subject_key
# the coordinators hear of estimated holiday years this far ahead: in time to load the published schedule
HOLIDAY_NOTICE_DAYS = 120


def weekly_days(weekday: int, start: date, end: date) -> list[date]:
    """The digest days around [start, end] (two weeks before it, for a catch-up after downtime)."""
    first = start - timedelta(days=(start.weekday() - weekday) % 7) - timedelta(days=14)
    return [first + timedelta(days=7 * n) for n in range((end - first).days // 7 + 1)]


def coordinators_subject(jurisdiction: str) -> str:
    """The coordinators' digest of one jurisdiction; a name too long for the 50-character key is hashed."""
    subject = f"digest:coordinators:{jurisdiction}"
    if len(subject) <= SUBJECT_KEY_LENGTH:
        return subject
    return "digest:coordinators:#" + hashlib.sha256(jurisdiction.encode("utf-8")).hexdigest()[:24]


def live_rows(
    snapshot: LedgerSnapshot, rows: list[TaskRow], day: date, *, keep_done: bool = False
) -> list[TaskRow]:
    """`rows` as a digest on `day` shows them: current deadlines, without what is not reminded any more."""
    shown: list[TaskRow] = []
    for row in rows:
        if not snapshot.active(row.plan_id) or row.status == "archived":
            continue
        retired = snapshot.retired_after(row.plan_id)
        if retired is not None and day > retired:
            continue
        if row.status == "done":
            if keep_done:
                shown.append(row)
            continue
        current = row_as_of(row, snapshot.plans[row.plan_id], snapshot.conventions_of(row.plan_id), day)
        if current is not None:
            shown.append(current)
    return shown


def _has_news(rows: list[TaskRow], day: date) -> bool:
    """A department hears its digest in weeks when something is late or falls due within 30 days: a weekly
    "5 open tasks, none due" for the five years of a plan is noise, not news."""
    return any(row.due_on is not None and (row.due_on - day).days <= digest.DUE_SOON_DAYS for row in rows)


def escalations(snapshot: LedgerSnapshot, rows: list[TaskRow], day: date) -> list[tuple[str, TaskRow]]:
    """(黄灯/红灯/通报, row) for live rows whose department has heard its last overdue reminder."""
    found = []
    for row in rows:
        if row.due_on is None or not row.is_open:
            continue
        stage = escalation_stage(row.due_on, day, snapshot.conventions_of(row.plan_id))
        if stage is not None:
            found.append((stage, row))
    return found


def digest_series(snapshot: LedgerSnapshot, start: date, end: date) -> Iterator[Series]:
    days = weekly_days(snapshot.defaults.digest_weekday, start, end)
    by_department: dict[int, list[TaskRow]] = {}
    by_jurisdiction: dict[str, list[TaskRow]] = {}
    for row in snapshot.tasks:
        department = snapshot.departments.get(row.department_id)
        if department is None:
            continue
        by_jurisdiction.setdefault(department.jurisdiction, []).append(row)
        if row.is_open:
            by_department.setdefault(row.department_id, []).append(row)
    unassigned_by_jurisdiction: dict[str, list[TaskRow]] = {}
    for row in snapshot.unassigned:
        plan = snapshot.plans.get(row.plan_id)
        if plan is not None:
            unassigned_by_jurisdiction.setdefault(plan.jurisdiction, []).append(row)

    for department_id, rows in sorted(by_department.items()):
        department = snapshot.departments[department_id]
        weeks = [
            Occurrence("digest", "digest", day, day)
            for day in days
            if _has_news(live_rows(snapshot, rows, day), day)
        ]
        if not weeks:
            continue

        def words(occurrence: Occurrence, as_of: date, rows=rows, department=department) -> str:
            shown = live_rows(snapshot, rows, as_of)
            escalated = {row.task_id for _, row in escalations(snapshot, shown, as_of)}
            return digest.department_digest_text(
                department.name, department.jurisdiction, shown, as_of, escalated=escalated
            )

        yield Series(
            f"digest:dept:{department_id}",
            department.audience.department_wide(),
            weeks,
            department.jurisdiction,
            department.name,
            words=words,
        )
    if not snapshot.coordinators:
        return
    for jurisdiction in sorted(set(by_jurisdiction) | set(unassigned_by_jurisdiction)):
        rows = by_jurisdiction.get(jurisdiction, [])
        unassigned = unassigned_by_jurisdiction.get(jurisdiction, [])
        weeks = [
            Occurrence("digest", "digest", day, day)
            for day in days
            if live_rows(snapshot, rows, day) or live_rows(snapshot, unassigned, day)
        ]
        if not weeks:
            continue

        def words(
            occurrence: Occurrence, as_of: date, rows=rows, unassigned=unassigned, jurisdiction=jurisdiction
        ) -> str:
            shown = live_rows(snapshot, rows, as_of, keep_done=True)
            return digest.coordinators_digest_text(
                jurisdiction,
                shown,
                snapshot.departments,
                as_of,
                escalations=escalations(snapshot, shown, as_of),
                unassigned=live_rows(snapshot, unassigned, as_of),
                notes=_unreachable_notes(snapshot, shown)
                + _indicator_notes(snapshot, jurisdiction, as_of)
                + _holiday_notes(as_of),
            )

        yield Series(
            coordinators_subject(jurisdiction), snapshot.coordinators, weeks, jurisdiction, None, words=words
        )


def _indicator_notes(snapshot: LedgerSnapshot, jurisdiction: str, as_of: date) -> list[str]:
    """预警 of the jurisdiction's indicators: red ones, and those not reported after the monitoring date."""
    watches = [
        watch
        for watch in snapshot.indicators
        if snapshot.active(watch.plan_id) and snapshot.plans[watch.plan_id].jurisdiction == jurisdiction
    ]
    return warning_lines(watches, snapshot.departments, as_of, snapshot.conventions_of)


def _holiday_notes(as_of: date) -> list[str]:
    estimated = active_calendar().estimated_years(as_of, as_of + timedelta(days=HOLIDAY_NOTICE_DAYS))
    warning = calendar_warning(estimated)
    return [warning] if warning else []


def _unreachable_notes(snapshot: LedgerSnapshot, rows: list[TaskRow]) -> list[str]:
    """Departments with work this week that no channel, member or robot reaches: their reminders cannot go out,
    so the coordinators hear of them here rather than not at all."""
    names = sorted(
        {
            snapshot.departments[row.department_id].name
            for row in rows
            if row.is_open
            and row.department_id in snapshot.departments
            and not snapshot.departments[row.department_id].audience.department_wide()
        }
    )
    return [digest.unreachable_line(names)] if names else []
