"""Read-only questions the bot and the CLI ask of the ledger. Every function takes keyword arguments only.

Rows come back as `TaskRow`: one (task, responsible department) pair with everything a message or a table
shows, so callers never touch the ORM. A task without a named unit gives one row with department None.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.departments import collective_kinds_obliging
from storage.models import Assignment, Department, Jurisdiction, Plan, ReviewEvent, Task
from storage.search_queries import Narrowing, first_task_ids, task_condition, task_filters
from storage.task_instances import is_dated, listed_duties


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
    awaiting_review: bool = False  # 待核对: listed only when find_tasks is not asked for confirmed tasks only

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
            "awaiting_review": self.awaiting_review,
        }


# the task columns a TaskRow shows: plain columns, because building ORM objects cost more than the query
_TASK_COLUMNS = (
    Task.id,
    Task.plan_id,
    Task.action,
    Task.evidence,
    Task.section,
    Task.due_on,
    Task.recurrence,
    Task.starts_on,
    Task.kind,
    Task.status,
    Task.percent,
    Task.version,
    Task.awaiting_review,
)


def _row_select():  # type: ignore[no-untyped-def]
    return (
        select(
            *_TASK_COLUMNS,
            Assignment.department_id,
            Assignment.role,
            Department.name.label("department"),  # type: ignore[attr-defined]
            Jurisdiction.name.label("jurisdiction"),  # type: ignore[attr-defined]
            Plan.title.label("plan_title"),  # type: ignore[attr-defined]
        )
        .join(Plan, col(Plan.id) == col(Task.plan_id))
        .join(Jurisdiction, col(Jurisdiction.id) == col(Plan.jurisdiction_id))
        .outerjoin(Assignment, col(Assignment.task_id) == col(Task.id))
        .outerjoin(Department, col(Department.id) == col(Assignment.department_id))
    )


def _rows(session: Session, statement, collective_names: dict[int, str] | None = None) -> list[TaskRow]:  # type: ignore[no-untyped-def]
    """TaskRows from a _row_select() statement: its column labels are TaskRow's field names."""
    collective = collective_names or {}
    return [
        TaskRow(**row._mapping, via_collective=collective.get(row.department_id))
        for row in session.exec(statement).all()
    ]


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
                col(Department.covers_kind).in_(collective_kinds_obliging(department.kind, department.name)),
            )
        ).all():
            assert collective.id is not None
            ids[collective.id] = collective.name
    return ids


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
    confirmed_only: bool = False,
    limit: int | None = None,
) -> list[TaskRow]:
    """Task rows matching every given filter, earliest due first (undated last). `confirmed_only` leaves out
    tasks awaiting a coordinator's review, as every list a department reads must.

    `limit` counts tasks, not rows. With a limit, the task ids are chosen first (on the task table alone, or
    for a search on the search index's own table) and the joins run only for them: a search matching a tenth
    of a large ledger then sorts ids, not joined rows.
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

    where = Narrowing.of_ledger(
        department_ids=department_ids,
        jurisdiction_id=jurisdiction_id,
        due_from=due_from,
        due_until=due_until,
        status=status,
        open_only=open_only,
        include_archived=include_archived,
        confirmed_only=confirmed_only,
    )
    if not is_dated(where):
        return _matching_rows(session, where, search, limit, department_ids, collective_names)
    # a recurring duty's due_on is only the pattern of its deadlines: it is listed by the period the dates
    # hold that is not done yet (storage.task_instances), at that period's deadline
    matching = [task_condition(session=session, query=search)] if search else []
    duties = listed_duties(session=session, where=where, matching=matching)
    rows = _matching_rows(
        session, replace(where, one_offs_only=True), search, limit, department_ids, collective_names
    )
    if not duties:
        return rows
    statement = _row_select().where(col(Task.id).in_(list(duties)))
    if department_ids is not None:
        statement = statement.where(col(Assignment.department_id).in_(department_ids))
    rows += [
        replace(row, due_on=duties[row.id].due_on) for row in _rows(session, statement, collective_names)
    ]
    rows.sort(key=lambda row: (row.due_on is None, row.due_on or date.min, row.id, row.department or ""))
    if limit is not None:
        kept = set(list(dict.fromkeys(row.id for row in rows))[:limit])
        rows = [row for row in rows if row.id in kept]
    return rows


def _matching_rows(
    session: Session,
    where: Narrowing,
    search: str | None,
    limit: int | None,
    department_ids: list[int] | None,
    collective_names: dict[int, str],
) -> list[TaskRow]:
    """find_tasks' rows for a narrowing, chosen as its docstring says."""
    if search and limit is not None:
        # the search picks the page on its own narrow index (storage.search_queries); rows are read after
        task_ids = first_task_ids(session=session, query=search, where=where, limit=limit)
    else:
        conditions = task_filters(where if limit is not None else replace(where, department_ids=None))
        if search:
            conditions.append(task_condition(session=session, query=search))
        order = (col(Task.due_on).is_(None), col(Task.due_on), col(Task.id))
        if limit is None:
            statement = _row_select().where(*conditions)
            if department_ids is not None:
                # only the rows of the addressed departments, not every unit of their tasks
                statement = statement.where(col(Assignment.department_id).in_(department_ids))
            return _rows(session, statement.order_by(*order, col(Department.name)), collective_names)
        task_ids = list(session.exec(select(Task.id).where(*conditions).order_by(*order).limit(limit)).all())
    if not task_ids:
        return []
    statement = _row_select().where(col(Task.id).in_(task_ids))
    if department_ids is not None:
        statement = statement.where(col(Assignment.department_id).in_(department_ids))
    position = {task_id: index for index, task_id in enumerate(task_ids)}
    rows = _rows(session, statement.order_by(col(Department.name)), collective_names)
    return sorted(rows, key=lambda row: position[row.id])


def rows_of_tasks(*, session: Session, task_ids: list[int] | set[int]) -> list[TaskRow]:
    """Every unit's row of the given tasks, by task id: an export of one department reads these, not the
    whole ledger (8 s at 100 K tasks, bench/ledger.py)."""
    ordered = sorted(task_ids)
    rows: list[TaskRow] = []
    for start in range(0, len(ordered), ID_BATCH):  # SQLite takes at most 32,766 parameters
        chunk = ordered[start : start + ID_BATCH]
        rows += _rows(
            session, _row_select().where(col(Task.id).in_(chunk)).order_by(col(Task.id), col(Department.name))
        )
    return rows


ID_BATCH = 5_000


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


def department_summaries(
    *, session: Session, jurisdiction_id: int | None = None, department_id: int | None = None
) -> list[DepartmentSummary]:
    """Every current (not merged) department with its task counts, by jurisdiction and name; or only one."""
    from storage.models import DepartmentAlias

    statement = (
        select(Department, Jurisdiction.name)
        .join(Jurisdiction, col(Jurisdiction.id) == col(Department.jurisdiction_id))
        .where(col(Department.merged_into_id).is_(None))
        .order_by(col(Jurisdiction.name), col(Department.name))
    )
    if jurisdiction_id is not None:
        statement = statement.where(Department.jurisdiction_id == jurisdiction_id)
    only = [col(Assignment.department_id) == department_id] if department_id is not None else []
    if department_id is not None:
        statement = statement.where(Department.id == department_id)
    departments = session.exec(statement).all()
    # Counted by the database: a Python loop over every assignment took 0.6 s at 100 K tasks
    # (bench/ledger.py). Joining every assignment to its task to read the status cost as much again, so the
    # assignments are counted alone, and only those of done or archived tasks, the minority, are joined.
    counts: dict[int, dict[str, int]] = {}
    for unit_id, role, total in session.exec(
        select(Assignment.department_id, Assignment.role, func.count())
        .where(*only)
        .group_by(col(Assignment.department_id), col(Assignment.role))
    ).all():
        bucket = counts.setdefault(unit_id, {"lead": 0, "co": 0, "open": 0, "done": 0})
        bucket[role] += total
        bucket["open"] += total
    for unit_id, role, status, total in session.exec(
        select(Assignment.department_id, Assignment.role, Task.status, func.count())
        .join(Task, col(Task.id) == col(Assignment.task_id))
        .where(col(Task.status).in_(("done", "archived")), *only)
        .group_by(col(Assignment.department_id), col(Assignment.role), col(Task.status))
    ).all():
        bucket = counts[unit_id]
        bucket["open"] -= total
        if status == "done":
            bucket["done"] += total
        else:  # archived tasks are in no count
            bucket[role] -= total
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
