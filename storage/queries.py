"""Read-only questions the bot and the CLI ask of the ledger. Every function takes keyword arguments only.

Rows come back as `TaskRow`: one (task, responsible department) pair with everything a message or a table
shows, so callers never touch the ORM. A task without a named unit gives one row with department None.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import literal_column
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import Assignment, Department, Jurisdiction, Plan, ReviewEvent, Task
from storage.search import is_frequent, like_condition, match_condition

OPEN_STATUSES = ("open", "in_progress")


@dataclass(frozen=True)
class TaskRow:
    id: int
    jurisdiction: str
    plan_id: int
    plan_title: str
    department_id: int | None
    department: str | None
    role: str | None  # "lead" | "co"
    via_collective: str | None  # 各部门 when the department is asked through a collective addressee
    action: str
    evidence: str
    section: str
    due_on: date | None
    recurrence: str | None
    starts_on: date | None
    kind: str
    status: str
    percent: int
    version: int

    def as_jsonl(self) -> dict[str, object]:
        """The fields of `planbot tasks --format jsonl`."""
        return {
            "id": self.id,
            "jurisdiction": self.jurisdiction,
            "department": self.department,
            "role": self.role,
            "task": self.action,
            "evidence": self.evidence,
            "section": self.section,
            "due": self.due_on.isoformat() if self.due_on else None,
            "recurrence": self.recurrence,
            "status": self.status,
            "percent": self.percent,
        }


def _row_select():  # type: ignore[no-untyped-def]
    return (
        select(
            Task, Assignment.department_id, Assignment.role, Department.name, Jurisdiction.name, Plan.title
        )
        .join(Plan, col(Plan.id) == col(Task.plan_id))
        .join(Jurisdiction, col(Jurisdiction.id) == col(Plan.jurisdiction_id))
        .outerjoin(Assignment, col(Assignment.task_id) == col(Task.id))
        .outerjoin(Department, col(Department.id) == col(Assignment.department_id))
    )


def _rows(session: Session, statement, collective_names: dict[int, str] | None = None) -> list[TaskRow]:  # type: ignore[no-untyped-def]
    rows = []
    for task, department_id, role, department, jurisdiction, plan_title in session.exec(statement).all():
        rows.append(
            TaskRow(
                id=task.id,
                jurisdiction=jurisdiction,
                plan_id=task.plan_id,
                plan_title=plan_title,
                department_id=department_id,
                department=department,
                role=role,
                via_collective=(collective_names or {}).get(department_id),
                action=task.action,
                evidence=task.evidence,
                section=task.section,
                due_on=task.due_on,
                recurrence=task.recurrence,
                starts_on=task.starts_on,
                kind=task.kind,
                status=task.status,
                percent=task.percent,
                version=task.version,
            )
        )
    return rows


def addressed_department_ids(*, session: Session, department_id: int) -> dict[int, str | None]:
    """The department and the collective addressees that speak to it (各部门 for a bureau), id -> collective name."""
    department = session.get(Department, department_id)
    if department is None:
        return {}
    ids: dict[int, str | None] = {department_id: None}
    if department.kind != "collective":
        for collective in session.exec(
            select(Department).where(
                Department.jurisdiction_id == department.jurisdiction_id,
                Department.kind == "collective",
                Department.covers_kind == department.kind,
            )
        ).all():
            assert collective.id is not None
            ids[collective.id] = collective.name
    return ids


def _status_filter(statement, status: str | None, include_archived: bool):  # type: ignore[no-untyped-def]
    if status is not None:
        return statement.where(Task.status == status)
    if not include_archived:
        return statement.where(Task.status != "archived")
    return statement


def find_tasks(
    *,
    session: Session,
    department_id: int | None = None,
    jurisdiction_id: int | None = None,
    include_collective: bool = True,
    due_from: date | None = None,
    due_until: date | None = None,
    status: str | None = None,
    open_only: bool = False,
    search: str | None = None,
    include_archived: bool = False,
    limit: int | None = None,
) -> list[TaskRow]:
    """Task rows matching every given filter, earliest due first (undated last).

    `limit` counts tasks, not rows. With a limit, the task ids are chosen first on the task table alone and
    the joins run only for them: a search matching a tenth of a large ledger then sorts ids, not joined rows.
    """
    collective_names: dict[int, str] = {}
    department_ids: list[int] | None = None
    if department_id is not None:
        addressed = (
            addressed_department_ids(session=session, department_id=department_id)
            if include_collective
            else {department_id: None}
        )
        collective_names = {key: value for key, value in addressed.items() if value}
        department_ids = list(addressed)

    chosen = select(Task.id) if limit is not None else _row_select()
    if department_ids is not None:
        if limit is not None:
            assigned = select(Assignment.task_id).where(col(Assignment.department_id).in_(department_ids))
            chosen = chosen.where(col(Task.id).in_(assigned))
        else:
            chosen = chosen.where(col(Assignment.department_id).in_(department_ids))
    if jurisdiction_id is not None:
        chosen = chosen.where(
            col(Task.plan_id).in_(select(Plan.id).where(Plan.jurisdiction_id == jurisdiction_id))
        )
    if due_from is not None:
        chosen = chosen.where(col(Task.due_on) >= due_from)
    if due_until is not None:
        chosen = chosen.where(col(Task.due_on) <= due_until)
    if open_only:
        chosen = chosen.where(col(Task.status).in_(OPEN_STATUSES))
    chosen = _status_filter(chosen, status, include_archived)
    due_order = col(Task.due_on)
    walk_due_index = False
    if search:
        dialect = session.get_bind().dialect.name
        # a word in thousands of tasks: walk the due dates and stop at the first page (see match_condition)
        walk_due_index = (
            dialect == "sqlite"
            and limit is not None
            and is_frequent(session, search, threshold=max(2000, 20 * limit))
        )
        matching = match_condition(dialect, search, walk=walk_due_index)
        if matching is None:
            chosen = chosen.where(like_condition(search))
        else:
            chosen = chosen.where(matching)
            if dialect == "sqlite" and not walk_due_index:
                # unary + keeps SQLite from walking the due_on index over every task and probing each one;
                # starting from the few matches and sorting them is far cheaper
                due_order = literal_column("+task.due_on")
    if limit is None:
        statement = chosen.order_by(col(Task.due_on).is_(None), due_order, col(Task.id), col(Department.name))
        return _rows(session, statement, collective_names)

    if walk_due_index:
        # dated tasks in index order first, then undated ones: "due_on IS NULL" in ORDER BY defeats the index
        dated = chosen.where(col(Task.due_on).is_not(None)).order_by(col(Task.due_on), col(Task.id))
        task_ids = list(session.exec(dated.limit(limit)).all())
        if len(task_ids) < limit:
            undated = chosen.where(col(Task.due_on).is_(None)).order_by(col(Task.id))
            task_ids += list(session.exec(undated.limit(limit - len(task_ids))).all())
    else:
        task_ids = list(
            session.exec(
                chosen.order_by(col(Task.due_on).is_(None), due_order, col(Task.id)).limit(limit)
            ).all()
        )
    if not task_ids:
        return []
    statement = _row_select().where(col(Task.id).in_(task_ids))
    if department_ids is not None:
        statement = statement.where(col(Assignment.department_id).in_(department_ids))
    position = {task_id: index for index, task_id in enumerate(task_ids)}
    rows = _rows(session, statement.order_by(col(Department.name)), collective_names)
    return sorted(rows, key=lambda row: position[row.id])


def tasks_for_department(
    *,
    session: Session,
    department_id: int,
    include_collective: bool = True,
    status: str | None = None,
    limit: int | None = None,
) -> list[TaskRow]:
    """The department's tasks, including those addressed to all departments of its kind (各部门, 各镇街)."""
    return find_tasks(
        session=session,
        department_id=department_id,
        include_collective=include_collective,
        status=status,
        limit=limit,
    )


def tasks_due_within(
    *, session: Session, today: date, days: int, department_id: int | None = None, limit: int | None = None
) -> list[TaskRow]:
    """Open tasks due from today to today + days (both included)."""
    return find_tasks(
        session=session,
        department_id=department_id,
        due_from=today,
        due_until=today + timedelta(days=days),
        open_only=True,
        limit=limit,
    )


def overdue_tasks(
    *, session: Session, today: date, department_id: int | None = None, limit: int | None = None
) -> list[TaskRow]:
    """Open tasks whose due date has passed."""
    return find_tasks(
        session=session,
        department_id=department_id,
        due_until=today - timedelta(days=1),
        open_only=True,
        limit=limit,
    )


def search_tasks(
    *, session: Session, text: str, department_id: int | None = None, limit: int | None = 100
) -> list[TaskRow]:
    """Tasks whose action or evidence contains `text` (Chinese substring match)."""
    return find_tasks(session=session, department_id=department_id, search=text.strip(), limit=limit)


def task_by_id(*, session: Session, task_id: int) -> list[TaskRow]:
    """All rows (one per department) of one task, archived included; empty when there is no such task."""
    statement = (
        _row_select().where(Task.id == task_id).order_by(col(Assignment.role).desc(), col(Department.name))
    )
    return _rows(session, statement)


@dataclass(frozen=True)
class CalendarEntry:
    due_on: date
    jurisdiction: str
    plan_title: str
    kind: str  # a review kind, or "task"
    description: str
    review_event_id: int | None = None
    task_id: int | None = None
    departments: tuple[str, ...] = ()


def review_events(
    *, session: Session, since: date, until: date | None = None, jurisdiction_id: int | None = None
) -> list[CalendarEntry]:
    statement = (
        select(ReviewEvent, Plan.title, Jurisdiction.name)
        .join(Plan, col(Plan.id) == col(ReviewEvent.plan_id))
        .join(Jurisdiction, col(Jurisdiction.id) == col(Plan.jurisdiction_id))
        .where(col(ReviewEvent.due_on) >= since)
        .order_by(col(ReviewEvent.due_on), col(ReviewEvent.id))
    )
    if until is not None:
        statement = statement.where(col(ReviewEvent.due_on) <= until)
    if jurisdiction_id is not None:
        statement = statement.where(Plan.jurisdiction_id == jurisdiction_id)
    return [
        CalendarEntry(
            due_on=event.due_on,
            jurisdiction=jurisdiction,
            plan_title=title,
            kind=event.kind,
            description=event.description,
            review_event_id=event.id,
        )
        for event, title, jurisdiction in session.exec(statement).all()
    ]


def calendar(
    *,
    session: Session,
    today: date,
    days: int = 90,
    jurisdiction_id: int | None = None,
    department_id: int | None = None,
    deadlines: int = 20,
) -> list[CalendarEntry]:
    """Review events within `days` and the next `deadlines` open task deadlines, in date order."""
    until = today + timedelta(days=days)
    entries = review_events(session=session, since=today, until=until, jurisdiction_id=jurisdiction_id)
    grouped: dict[int, list[TaskRow]] = {}
    for row in find_tasks(
        session=session,
        department_id=department_id,
        jurisdiction_id=jurisdiction_id,
        due_from=today,
        due_until=until,
        open_only=True,
    ):
        grouped.setdefault(row.id, []).append(row)
        if len(grouped) > deadlines:
            break
    for task_id, rows in list(grouped.items())[:deadlines]:
        first = rows[0]
        assert first.due_on is not None
        entries.append(
            CalendarEntry(
                due_on=first.due_on,
                jurisdiction=first.jurisdiction,
                plan_title=first.plan_title,
                kind="task",
                description=first.action,
                task_id=task_id,
                departments=tuple(row.department for row in rows if row.department),
            )
        )
    return sorted(entries, key=lambda entry: (entry.due_on, entry.kind != "task", entry.description))


@dataclass(frozen=True)
class DepartmentSummary:
    id: int
    jurisdiction: str
    name: str
    kind: str
    lead: int
    co: int
    open: int
    done: int
    aliases: tuple[str, ...]


def department_summaries(*, session: Session, jurisdiction_id: int | None = None) -> list[DepartmentSummary]:
    """Every current (not merged) department with its task counts, by jurisdiction and name."""
    from storage.models import DepartmentAlias

    statement = (
        select(Department, Jurisdiction.name)
        .join(Jurisdiction, col(Jurisdiction.id) == col(Department.jurisdiction_id))
        .where(col(Department.merged_into_id).is_(None))
        .order_by(col(Jurisdiction.name), col(Department.name))
    )
    if jurisdiction_id is not None:
        statement = statement.where(Department.jurisdiction_id == jurisdiction_id)
    departments = session.exec(statement).all()
    counts: dict[int, dict[str, int]] = {}
    live = aliased(Task)
    for department_id, role, status in session.exec(
        select(Assignment.department_id, Assignment.role, live.status)
        .join(live, col(live.id) == col(Assignment.task_id))
        .where(live.status != "archived")
    ).all():
        bucket = counts.setdefault(department_id, {"lead": 0, "co": 0, "open": 0, "done": 0})
        bucket[role] += 1
        bucket["done" if status == "done" else "open"] += 1
    alias_map: dict[int, list[str]] = {}
    for alias in session.exec(select(DepartmentAlias)).all():
        alias_map.setdefault(alias.department_id, []).append(alias.alias)
    summaries = []
    for department, jurisdiction in departments:
        assert department.id is not None
        bucket = counts.get(department.id, {"lead": 0, "co": 0, "open": 0, "done": 0})
        summaries.append(
            DepartmentSummary(
                id=department.id,
                jurisdiction=jurisdiction,
                name=department.name,
                kind=department.kind,
                lead=bucket["lead"],
                co=bucket["co"],
                open=bucket["open"],
                done=bucket["done"],
                aliases=tuple(sorted(a for a in alias_map.get(department.id, []) if a != department.name)),
            )
        )
    return summaries
