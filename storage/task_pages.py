"""Pages of tasks as the chat bot shows them: lists, dated lists, searches and one task, as TaskSummary rows.

Every function takes the session as a keyword argument; results are frozen dataclasses, so handlers never hold
live ORM rows. A recurring duty is listed and sorted by one of its periods (storage.task_instances), and a
task awaiting review is left out when the filter asks for confirmed tasks only (storage.search_queries).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Assignment, Department, Document, Jurisdiction, Plan, Task, TaskInstance
from storage.search_queries import Narrowing, page_of_task_ids, task_filters
from storage.task_instances import current_duties, is_dated, listed_duties
from storage.task_periods import Instance, plan_span

CLOSED_STATUSES = ("done", "archived")
TASK_COLUMNS = (
    Task.id,
    Task.action,
    Task.evidence,
    Task.section,
    Task.document_id,
    Task.due_on,
    Task.recurrence,
    Task.status,
    Task.percent,
    Task.kind,
    Task.version,
    Task.awaiting_review,
)


@dataclass(frozen=True)
class TaskSummary:
    id: int
    action: str
    evidence: str
    section: str
    document_title: str
    jurisdiction: str
    due_on: date | None
    recurrence: str | None
    status: str
    percent: int
    kind: str
    leads: tuple[str, ...]
    cos: tuple[str, ...]
    department_ids: tuple[int, ...]
    version: int
    # a recurring duty: its first period, its plan's first and last day, and the periods reported on as
    # (period, status, percent); handlers.rendering shows the current instance from these
    starts_on: date | None = None
    plan_span: tuple[date | None, date | None] = (None, None)
    instances: tuple[tuple[str, str, int], ...] = ()
    awaiting_review: bool = False  # 待核对: only coordinators see it (TaskFilter.confirmed_only)
    # the period a dated list (到期, 逾期) shows this duty for; otherwise the card works out the current one
    listed_instance: Instance | None = None


@dataclass(frozen=True)
class TaskFilter:
    """Which tasks a page shows. Empty department_ids means every department."""

    department_ids: tuple[int, ...] = ()
    due_from: date | None = None
    due_to: date | None = None
    overdue_on: date | None = None  # open tasks due before this day
    search: str | None = None
    include_closed: bool = False
    # leave out tasks awaiting a coordinator's review: everyone but coordinators reads the lists this way
    confirmed_only: bool = False
    # the asker's today: which period of a recurring duty a dated list shows (storage.task_instances)
    today: date | None = None


def task_page(
    *, session: Session, where: TaskFilter, offset: int, limit: int
) -> tuple[list[TaskSummary], int]:
    """One page of tasks, soonest due first (undated last), and how many match in all.

    Overdue tasks come latest deadline first: the ones just missed are the ones still worth chasing.
    """
    if where.search:
        return _search_page(session, where, offset=offset, limit=limit)
    narrowing = _narrowing(where)
    conditions = task_filters(narrowing)
    if is_dated(narrowing):
        # a recurring duty's due_on is only the pattern of its deadlines: its periods decide (storage.task_instances)
        conditions.append(col(Task.recurrence).is_(None))
        duties = listed_duties(session=session, where=narrowing, today=where.today)
        if duties:
            return _page_with_duties(session, where, conditions, duties, offset=offset, limit=limit)
    elif where.today is not None:
        # a department's open tasks by due date: a duty sorts by its current period, not its first deadline
        current = current_duties(session=session, where=narrowing, today=where.today)
        if current:
            one_offs = [*conditions, col(Task.recurrence).is_(None)]
            return _page_with_duties(session, where, one_offs, current, offset=offset, limit=limit)
    # the total rides along as a window count: one round trip instead of a COUNT query and a page query
    page = session.exec(
        select(*TASK_COLUMNS, func.count().over().label("total"))
        .where(*conditions)
        .order_by(*_page_order(where))
        .offset(offset)
        .limit(limit)
    ).all()
    # a page past the end has no row to carry the total, and still says how many there are
    total = page[0].total if page else session.exec(select(func.count(Task.id)).where(*conditions)).one()
    return _summaries(session, list(page)), int(total)


def _page_with_duties(
    session: Session,
    where: TaskFilter,
    conditions: list[Any],
    duties: Mapping[int, Instance | None],
    *,
    offset: int,
    limit: int,
) -> tuple[list[TaskSummary], int]:
    """A page that merges one-off tasks (ordered by the database) with recurring duties at the deadline of
    the period listed for each (undated, last, when a duty has no period left)."""
    one_offs = session.exec(
        select(Task.id, Task.due_on).where(*conditions).order_by(*_page_order(where)).limit(offset + limit)
    ).all()
    counted = session.exec(select(func.count(Task.id)).where(*conditions)).one()
    entries = [(due_on, task_id) for task_id, due_on in one_offs]
    entries += [(instance.due_on if instance else None, task_id) for task_id, instance in duties.items()]
    if where.overdue_on is not None:  # as _page_order: overdue lists latest first, and all are dated
        entries.sort(key=lambda entry: (entry[0] or date.min, entry[1]), reverse=True)
    else:
        entries.sort(key=lambda entry: (entry[0] is None, entry[0] or date.min, entry[1]))
    page_ids = [task_id for _, task_id in entries[offset : offset + limit]]
    rows = {
        row.id: row for row in session.exec(select(*TASK_COLUMNS).where(col(Task.id).in_(page_ids))).all()
    }
    listed = {task_id: instance for task_id, instance in duties.items() if instance is not None}
    found = _summaries(session, [rows[task_id] for task_id in page_ids if task_id in rows], listed=listed)
    return found, int(counted) + len(duties)


def _narrowing(where: TaskFilter) -> Narrowing:
    """The page's filter as storage.search_queries applies it to lists and searches alike."""
    return Narrowing(
        department_ids=where.department_ids or None,
        due_from=where.due_from,
        due_until=where.due_to,
        due_before=where.overdue_on,
        excluded_statuses=("archived",) if where.include_closed else CLOSED_STATUSES,
        confirmed_only=where.confirmed_only,
    )


def _page_order(where: TaskFilter) -> tuple[Any, ...]:
    if where.overdue_on is not None:  # every overdue task has a deadline
        return (col(Task.due_on).desc(), col(Task.id).desc())
    return (col(Task.due_on).is_(None), col(Task.due_on), col(Task.id))


def ledger_is_empty(*, session: Session) -> bool:
    """No task at all: nothing has been imported yet."""
    return session.exec(select(Task.id).limit(1)).first() is None


def _search_page(
    session: Session, where: TaskFilter, *, offset: int, limit: int
) -> tuple[list[TaskSummary], int]:
    """A page of a search, matched as `planbot tasks --search` matches (storage.search_queries)."""
    assert where.search
    task_ids, total = page_of_task_ids(
        session=session, query=where.search, where=_narrowing(where), offset=offset, limit=limit
    )
    if not task_ids:
        return [], total
    rows = {row.id: row for row in session.exec(select(*TASK_COLUMNS).where(Task.id.in_(task_ids))).all()}  # type: ignore[union-attr]
    return _summaries(session, [rows[task_id] for task_id in task_ids if task_id in rows]), total


def task_summary(*, session: Session, task_id: int) -> TaskSummary | None:
    task = session.exec(select(*TASK_COLUMNS).where(Task.id == task_id)).first()
    if task is None:
        return None
    return _summaries(session, [task])[0]


def _summaries(
    session: Session, tasks: list[Any], listed: Mapping[int, Instance] | None = None
) -> list[TaskSummary]:
    """Summaries from rows of TASK_COLUMNS (plain columns: loading ORM objects costs more than the query);
    `listed` names the period a dated list shows for each recurring duty on it."""
    if not tasks:
        return []
    ids = [task.id for task in tasks]
    units: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for task_id, role, name, department_id in session.exec(
        select(Assignment.task_id, Assignment.role, Department.name, Department.id)
        .join(Department, Department.id == Assignment.department_id)
        .where(Assignment.task_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(Assignment.id)
    ).all():
        units[task_id].append((role, name, department_id))
    document_ids = {task.document_id for task in tasks}
    titles = {
        document_id: (title, jurisdiction)
        for document_id, title, jurisdiction in session.exec(
            select(Document.id, Document.title, Jurisdiction.name)
            .join(Plan, Plan.id == Document.plan_id)
            .join(Jurisdiction, Jurisdiction.id == Plan.jurisdiction_id)
            .where(Document.id.in_(document_ids))  # type: ignore[attr-defined]
        ).all()
    }
    periods = _recurring_details(session, [task.id for task in tasks if task.recurrence])
    summaries = []
    for task in tasks:
        title, jurisdiction = titles.get(task.document_id, ("", ""))
        assigned = units.get(task.id, [])  # type: ignore[arg-type]
        starts_on, span, instances = periods.get(task.id, (None, (None, None), ()))
        summaries.append(
            TaskSummary(
                id=task.id,  # type: ignore[arg-type]
                action=task.action,
                evidence=task.evidence,
                section=task.section,
                document_title=title,
                jurisdiction=jurisdiction,
                due_on=task.due_on,
                recurrence=task.recurrence,
                status=task.status,
                percent=task.percent,
                kind=task.kind,
                leads=tuple(name for role, name, _ in assigned if role == "lead"),
                cos=tuple(name for role, name, _ in assigned if role == "co"),
                department_ids=tuple(department_id for _, _, department_id in assigned),
                version=task.version,
                starts_on=starts_on,
                plan_span=span,
                instances=instances,
                awaiting_review=task.awaiting_review,
                listed_instance=(listed or {}).get(task.id),
            )
        )
    return summaries


def _recurring_details(
    session: Session, task_ids: list[int]
) -> dict[int, tuple[date | None, tuple[date | None, date | None], tuple[tuple[str, str, int], ...]]]:
    """For recurring duties only (a handful per page): starts, the plan's span, the instances reported on."""
    if not task_ids:
        return {}
    reported: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for task_id, period, status, percent in session.exec(
        select(TaskInstance.task_id, TaskInstance.period, TaskInstance.status, TaskInstance.percent)
        .where(TaskInstance.task_id.in_(task_ids))  # type: ignore[attr-defined]
        .order_by(TaskInstance.period)
    ).all():
        reported[task_id].append((period, status, percent))
    return {
        task_id: (starts_on, plan_span(period_start, period_end, year), tuple(reported.get(task_id, ())))
        for task_id, starts_on, period_start, period_end, year in session.exec(
            select(Task.id, Task.starts_on, Plan.period_start, Plan.period_end, Plan.year)
            .join(Plan, Plan.id == Task.plan_id)
            .where(Task.id.in_(task_ids))  # type: ignore[union-attr]
        ).all()
    }
