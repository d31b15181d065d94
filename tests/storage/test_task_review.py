"""Tasks imported for review wait (待核对) until a coordinator confirms or discards them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from storage.ingest import ingest_document
from storage.models import Task
from storage.task_edits import edits_of_task
from storage.task_review import (
    confirm_tasks,
    discard_tasks,
    review_summary,
    tasks_awaiting_review,
    unassigned_tasks,
)
from storage.tasks import Editor
from tests.storage.documents import aliases, first_version, five_year_plan, record

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
COORDINATOR = Editor(author="U0COORD", via="slack", now=NOW)


def _records():  # type: ignore[no-untyped-def]
    return [*first_version(), record(None, "推进老旧小区改造", "推进老旧小区改造30个。")]


def test_tasks_imported_for_review_wait_until_confirmed(session: Session) -> None:
    report = ingest_document(
        session=session, document=five_year_plan(_records()), aliases=aliases(), now=NOW, confirm=False
    )
    assert report.awaiting_review == len(report.added) == 6
    assert report.unassigned == ["推进老旧小区改造"]
    summary = review_summary(session=session, plan_id=report.plan_id)
    assert summary.count == 6 and len(summary.unassigned_ids) == 1
    assert [t.action for t in unassigned_tasks(session=session)] == ["推进老旧小区改造"]

    confirmed = confirm_tasks(session=session, task_ids=list(summary.task_ids[:4]), editor=COORDINATOR)
    assert confirmed == 4
    assert len(tasks_awaiting_review(session=session, plan_id=report.plan_id)) == 2
    history = edits_of_task(session=session, task_id=summary.task_ids[0])
    assert [(e.field, e.old_value, e.new_value, e.author) for e in history] == [
        ("review", "待核对", "已确认", "U0COORD")
    ]
    # confirming again changes nothing and records nothing
    assert confirm_tasks(session=session, task_ids=[summary.task_ids[0]], editor=COORDINATOR) == 0


def test_discarded_tasks_are_archived_and_stay_so_after_a_new_ingest(session: Session) -> None:
    report = ingest_document(
        session=session, document=five_year_plan(_records()), aliases=aliases(), now=NOW, confirm=False
    )
    waiting = [t.id for t in tasks_awaiting_review(session=session, plan_id=report.plan_id)]
    assert discard_tasks(session=session, task_ids=waiting, editor=COORDINATOR) == 6
    ingest_document(
        session=session,
        document=five_year_plan(_records(), version="v2"),
        aliases=aliases(),
        now=NOW,
    )
    statuses = {t.status for t in session.exec(select(Task).where(col(Task.id).in_(waiting))).all()}
    assert statuses == {"archived"}


def test_a_terminal_ingest_confirms_by_default(session: Session) -> None:
    ingest_document(session=session, document=five_year_plan(first_version()), aliases=aliases(), now=NOW)
    assert tasks_awaiting_review(session=session) == []


def test_records_the_extraction_was_unsure_of_are_counted_for_a_second_look(session: Session) -> None:
    # the extraction's confidence for a record made, say, from damaged text
    base = first_version()[0]
    unsure = replace(base, confidence=0.3)
    report = ingest_document(
        session=session,
        document=five_year_plan([unsure, *first_version()[1:]]),
        aliases=aliases(),
        now=NOW,
        confirm=False,
    )
    assert report.low_confidence == [base.task]
    summary = review_summary(session=session, plan_id=report.plan_id)
    task = session.exec(select(Task).where(col(Task.action) == base.task)).one()
    assert summary.low_confidence_ids == (task.id,) and task.confidence == 0.3


def test_records_read_by_ocr_are_never_sure(session: Session) -> None:
    from dataclasses import replace

    scanned = replace(five_year_plan(first_version()), format="pdf_ocr")
    report = ingest_document(session=session, document=scanned, aliases=aliases(), now=NOW, confirm=False)
    assert sorted(report.low_confidence) == sorted(report.added)
    assert {t.confidence for t in session.exec(select(Task)).all()} == {0.5}
