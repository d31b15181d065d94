"""`department_summaries` counts each department's tasks in the database, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from sqlmodel import Session, select

from storage.ingest import ingest_document
from storage.models import Assignment, Task
from storage.progress import record_progress
from storage.queries import department_summaries
from tests.storage.documents import aliases, first_version, five_year_plan, record

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def test_counts_by_role_and_status_leave_archived_tasks_out(session: Session) -> None:
    records = [
        *first_version(),
        record("区民政局", "完善养老服务体系", "区民政局牵头完善养老服务体系。", due=date(2024, 12, 31)),
        record("区民政局", "建设社区食堂", "区民政局负责建设社区食堂。", due=date(2025, 6, 30)),
        record("区民政局", "整理旧档案", "区民政局负责整理旧档案。", due=date(2023, 6, 30)),
    ]
    ingest_document(session=session, document=five_year_plan(records), aliases=aliases(), now=NOW)
    tasks = {task.action: task for task in session.exec(select(Task)).all()}
    record_progress(
        session=session, task_id=tasks["完善养老服务体系"].id, author="U1", status="done", now=NOW
    )
    tasks["整理旧档案"].status = "archived"
    session.add(tasks["整理旧档案"])
    session.commit()

    summaries = {summary.name: summary for summary in department_summaries(session=session)}
    civil = summaries["区民政局"]
    assert (civil.lead, civil.co, civil.open, civil.done) == (2, 0, 1, 1)
    # every department agrees with a count made row by row
    expected: Counter[tuple[int, str]] = Counter()
    for assignment, status in session.exec(
        select(Assignment, Task.status)
        .join(Task, Task.id == Assignment.task_id)
        .where(Task.status != "archived")
    ).all():
        expected[(assignment.department_id, assignment.role)] += 1
        expected[(assignment.department_id, "done" if status == "done" else "open")] += 1
    for summary in summaries.values():
        counted = (summary.lead, summary.co, summary.open, summary.done)
        assert counted == tuple(expected[(summary.id, key)] for key in ("lead", "co", "open", "done"))
    assert any(summary.co for summary in summaries.values())  # the co-operating role is counted too


def test_one_department_alone_counts_as_in_the_whole_list(session: Session) -> None:
    ingest_document(session=session, document=five_year_plan(first_version()), aliases=aliases(), now=NOW)
    every = department_summaries(session=session)
    for summary in every:
        assert department_summaries(session=session, department_id=summary.id) == [summary]
