"""Rows of a small ledger in a real database (SQLite or PostgreSQL), for sweep and dispatch tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlmodel import Session

from storage.models import (
    Assignment,
    ChannelBinding,
    Department,
    Document,
    Jurisdiction,
    Member,
    Plan,
    ReviewEvent,
    Task,
)

CREATED = datetime(2025, 1, 1, tzinfo=UTC)


def seed_ledger(
    session: Session,
    *,
    due_dates: Sequence[date],
    channels: Sequence[str | None] = (None,),
    members: Sequence[str] = (),
    coordinator: str | None = "UCOORD",
    place: str = "莱芜区",
) -> dict[str, object]:
    """One plan of `place`, one department per channel (None: unbound), one task per due date each."""
    jurisdiction = Jurisdiction(name=place)
    session.add(jurisdiction)
    session.flush()
    plan = Plan(
        jurisdiction_id=jurisdiction.id,
        title="莱芜区2025年国民经济和社会发展计划",
        title_key="莱芜区2025计划",
        identity_key="annual_plan|Y2025|莱芜区2025计划",
        kind="annual_plan",
        year=2025,
        created_at=CREATED,
    )
    session.add(plan)
    session.flush()
    document = Document(
        plan_id=plan.id,
        source="seed.txt",
        sha256="0" * 64,
        format="txt",
        title=plan.title,
        kind="annual_plan",
        text="",
        ingested_at=CREATED,
    )
    session.add(document)
    session.flush()
    departments = []
    for index, channel in enumerate(channels):
        department = Department(jurisdiction_id=jurisdiction.id, name=f"区第{index + 1}局")
        session.add(department)
        session.flush()
        departments.append(department)
        if channel:
            session.add(ChannelBinding(department_id=department.id, channel_id=channel, platform="slack"))
    for user in members:
        session.add(Member(slack_user_id=user, department_id=departments[0].id, role="member"))
    if coordinator:
        session.add(Member(slack_user_id=coordinator, role="coordinator"))
    tasks = []
    for department in departments:
        for index, due in enumerate(due_dates):
            task = Task(
                plan_id=plan.id,
                document_id=document.id,
                action=f"完成第{index + 1}项工作",
                evidence=f"证据{index}",
                evidence_key=f"k{department.id}-{index}",
                due_on=due,
                created_at=CREATED,
                updated_at=CREATED,
            )
            session.add(task)
            session.flush()
            session.add(Assignment(task_id=task.id, department_id=department.id, role="lead"))
            tasks.append(task)
    session.commit()
    return {"plan": plan, "departments": departments, "tasks": tasks}


def add_review(session: Session, plan_id: int, kind: str, due_on: date, year: int) -> ReviewEvent:
    event = ReviewEvent(plan_id=plan_id, kind=kind, due_on=due_on, year=year)
    session.add(event)
    session.commit()
    return event
