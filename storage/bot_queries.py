"""The ledger as the chat bot reads and changes it: departments, members, bindings, loads and reviews (its pages
of tasks are storage.task_pages).

Every function takes the session as a keyword argument. Functions that write commit here: storage is the only
layer that commits. Results are plain frozen dataclasses, so handlers never hold live ORM rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from ingest.units import qualified_name
from storage.departments import collective_kinds_obliging
from storage.models import (
    Assignment,
    ChannelBinding,
    Department,
    DepartmentAlias,
    Jurisdiction,
    Member,
    Plan,
    ReviewEvent,
    Task,
)
from storage.search_queries import Narrowing, task_filters
from storage.task_instances import listed_duties
from storage.task_pages import CLOSED_STATUSES


@dataclass(frozen=True)
class DepartmentRef:
    id: int
    name: str
    jurisdiction: str
    kind: str = "bureau"
    jurisdiction_id: int = 0

    @property
    def full_name(self) -> str:
        return qualified_name(self.jurisdiction, self.name)


@dataclass(frozen=True)
class DepartmentLoad:
    department: DepartmentRef
    open_tasks: int
    overdue_tasks: int


@dataclass(frozen=True)
class ReviewSummary:
    id: int
    kind: str
    due_on: date
    year: int
    plan_title: str
    jurisdiction: str
    description: str


# -- departments and people ------------------------------------------------------------------------------


def department_ref(*, session: Session, department_id: int) -> DepartmentRef | None:
    row = session.exec(
        select(Department, Jurisdiction.name)
        .join(Jurisdiction, Jurisdiction.id == Department.jurisdiction_id)
        .where(Department.id == department_id)
    ).first()
    return None if row is None else _ref(*row)


def named_by_alias(*, session: Session, department_ids: list[int], alias: str) -> bool:
    """Whether `alias` is exactly a name of one of these departments (ambiguous, not merely similar)."""
    if not department_ids:
        return False
    found = session.exec(
        select(DepartmentAlias.id).where(
            DepartmentAlias.alias == alias,
            DepartmentAlias.department_id.in_(department_ids),  # type: ignore[attr-defined]
        )
    ).first()
    return found is not None


def all_aliases(*, session: Session) -> list[tuple[str, int]]:
    """Every (alias, department id): the question parser looks for these inside free sentences."""
    return [
        (alias, department_id)
        for alias, department_id in session.exec(
            select(DepartmentAlias.alias, DepartmentAlias.department_id)
        ).all()
    ]


def collective_department_ids(*, session: Session, department: DepartmentRef) -> list[int]:
    """Collective addressees (各部门, 各镇街…) of the department's jurisdiction that speak to its kind."""
    rows = session.exec(
        select(Department.id).where(
            Department.jurisdiction_id == department.jurisdiction_id,
            Department.kind == "collective",
            Department.id != department.id,
            or_(
                Department.covers_kind.is_(None),  # type: ignore[union-attr]
                col(Department.covers_kind).in_(collective_kinds_obliging(department.kind, department.name)),
            ),
        )
    ).all()
    return list(rows)


def member_with_department(
    *, session: Session, slack_user_id: str
) -> tuple[str, DepartmentRef | None] | None:
    """(role, department) of a known person in one query, or None for someone the ledger does not know."""
    row = session.exec(
        select(Member.role, Department, Jurisdiction.name)
        .outerjoin(Department, Department.id == Member.department_id)  # type: ignore[arg-type]
        .outerjoin(Jurisdiction, Jurisdiction.id == Department.jurisdiction_id)  # type: ignore[arg-type]
        .where(Member.slack_user_id == slack_user_id)
    ).first()
    if row is None:
        return None
    role, department, jurisdiction = row
    return role, (_ref(department, jurisdiction) if department is not None else None)


def member(*, session: Session, slack_user_id: str) -> Member | None:
    return session.exec(select(Member).where(Member.slack_user_id == slack_user_id)).first()


def coordinator_user_ids(*, session: Session) -> list[str]:
    return list(session.exec(select(Member.slack_user_id).where(Member.role == "coordinator")).all())


def member_ids_of(*, session: Session, department_id: int) -> list[str]:
    return list(session.exec(select(Member.slack_user_id).where(Member.department_id == department_id)).all())


def set_member(*, session: Session, slack_user_id: str, department_id: int) -> None:
    """Make the user a member of the department (a coordinator keeps the coordinator role)."""
    existing = member(session=session, slack_user_id=slack_user_id)
    if existing is None:
        session.add(Member(slack_user_id=slack_user_id, department_id=department_id, role="member"))
    else:
        existing.department_id = department_id
        session.add(existing)
    session.commit()


def bind_channel(*, session: Session, department_id: int, channel_id: str) -> bool:
    """Bind a Slack channel to a department; False when that binding already existed."""
    found = session.exec(
        select(ChannelBinding).where(
            ChannelBinding.department_id == department_id,
            ChannelBinding.platform == "slack",
            ChannelBinding.channel_id == channel_id,
        )
    ).first()
    if found is not None:
        return False
    session.add(ChannelBinding(department_id=department_id, channel_id=channel_id, platform="slack"))
    session.commit()
    return True


def department_loads(*, session: Session, today: date, confirmed_only: bool = False) -> list[DepartmentLoad]:
    """Every department with its open and overdue task counts, by jurisdiction then name. A recurring duty
    is overdue when one of its periods is (storage.task_instances), not because its first deadline passed."""
    open_tasks = func.count(Task.id)
    one_off_late = and_(col(Task.recurrence).is_(None), col(Task.due_on) < today)
    overdue = func.sum(case((one_off_late, 1), else_=0))
    where = Narrowing(excluded_statuses=CLOSED_STATUSES, confirmed_only=confirmed_only)
    counts = {
        department_id: [int(opened or 0), int(late or 0)]
        for department_id, opened, late in session.exec(
            select(Assignment.department_id, open_tasks, overdue)
            .join(Task, Task.id == Assignment.task_id)
            .where(*task_filters(where))
            .group_by(Assignment.department_id)
        ).all()
    }
    late_duties = listed_duties(session=session, where=replace(where, due_before=today))
    if late_duties:
        for department_id in session.exec(
            select(Assignment.department_id).where(col(Assignment.task_id).in_(list(late_duties)))
        ).all():
            counts.setdefault(department_id, [0, 0])[1] += 1
    rows = session.exec(
        select(Department, Jurisdiction.name)
        .join(Jurisdiction, Jurisdiction.id == Department.jurisdiction_id)
        .where(Department.merged_into_id.is_(None))  # type: ignore[union-attr]
        .order_by(Jurisdiction.name, Department.name)
    ).all()
    return [
        DepartmentLoad(_ref(department, jurisdiction), *counts.get(department.id, (0, 0)))
        for department, jurisdiction in rows
    ]


def upcoming_reviews(*, session: Session, from_day: date, limit: int = 5) -> list[ReviewSummary]:
    rows = session.exec(
        select(ReviewEvent, Plan.title, Jurisdiction.name)
        .join(Plan, Plan.id == ReviewEvent.plan_id)
        .join(Jurisdiction, Jurisdiction.id == Plan.jurisdiction_id)
        .where(ReviewEvent.due_on >= from_day)
        .order_by(ReviewEvent.due_on, ReviewEvent.id)
        .limit(limit)
    ).all()
    return [
        ReviewSummary(event.id, event.kind, event.due_on, event.year, title, jurisdiction, event.description)  # type: ignore[arg-type]
        for event, title, jurisdiction in rows
    ]


def reviews_of_kind(*, session: Session, kind: str) -> list[ReviewSummary]:
    rows = session.exec(
        select(ReviewEvent, Plan.title, Jurisdiction.name)
        .join(Plan, Plan.id == ReviewEvent.plan_id)
        .join(Jurisdiction, Jurisdiction.id == Plan.jurisdiction_id)
        .where(ReviewEvent.kind == kind)
        .order_by(ReviewEvent.due_on)
    ).all()
    return [
        ReviewSummary(event.id, event.kind, event.due_on, event.year, title, jurisdiction, event.description)  # type: ignore[arg-type]
        for event, title, jurisdiction in rows
    ]


def _ref(department: Department, jurisdiction: str) -> DepartmentRef:
    return DepartmentRef(
        department.id, department.name, jurisdiction, department.kind, department.jurisdiction_id
    )  # type: ignore[arg-type]
