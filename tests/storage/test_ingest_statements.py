"""An ingest writes in batches on PostgreSQL, where every statement is a round trip to the server.

It used to send 8.8 statements per task. Counted with SQLAlchemy's own statement event, for a first ingest
and for a revision that moves every task to other units. A revised task is still one UPDATE of its own: the
version counter that guards against a concurrent edit checks each row. On SQLite a statement is a function
call in this process, and SQLAlchemy inserts row by row there; the test checks only what was stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage.ingest import ingest_document
from storage.models import Assignment, Department, Task
from tests.storage.documents import aliases, five_year_plan, record

NOW = datetime(2026, 3, 1, tzinfo=UTC)
UNITS = [f"区第{number}局" for number in range(20)]
TASKS = 300


def plan_records(*, revision: int) -> list:  # type: ignore[type-arg]
    records = []
    for number in range(TASKS):
        lead = UNITS[(number + revision) % len(UNITS)]  # a revision moves every task to another unit
        co = UNITS[(number + 7) % len(UNITS)]
        due = date(2025, 1 + number % 12, 1)
        evidence = f"各单位按分工推进第{number}项工作。"  # the same in each revision: only the units move
        records.append(record(lead, f"推进第{number}项工作", evidence, due=due))
        records.append(record(co, f"推进第{number}项工作", evidence, role="co", due=due))
    return records


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(_connection, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def test_ingest_and_revision_batch_their_statements(engine: Engine) -> None:
    with Session(engine) as session:
        with counted(engine) as first:
            report = ingest_document(
                session=session, document=five_year_plan(plan_records(revision=0)), aliases=aliases(), now=NOW
            )
        assert len(report.added) == TASKS
        round_trips = engine.dialect.name == "postgresql"
        assert not round_trips or len(first) < 0.5 * TASKS, f"{len(first)} statements for {TASKS} tasks"

        with counted(engine) as revised:
            report = ingest_document(
                session=session,
                document=five_year_plan(plan_records(revision=1), version="v2"),
                aliases=aliases(),
                now=NOW,
            )
        assert len(report.changed) == TASKS and not report.added and not report.archived
        assert not round_trips or len(revised) < 1.2 * TASKS, f"{len(revised)} statements for {TASKS} tasks"

        # and what was written in batches is what the document says
        names = {department.id: department.name for department in session.exec(select(Department)).all()}
        units: dict[str, set[tuple[str, str]]] = {}
        for task, assignment in session.exec(
            select(Task, Assignment).join(Assignment, Assignment.task_id == Task.id)
        ).all():
            units.setdefault(task.action, set()).add((names[assignment.department_id], assignment.role))
        assert units["推进第0项工作"] == {("区第1局", "lead"), ("区第7局", "co")}
        assert units["推进第19项工作"] == {("区第0局", "lead"), ("区第6局", "co")}
        assert len(units) == TASKS
