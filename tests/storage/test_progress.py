"""Progress reports: history kept, and two people writing at once never lose a write."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.db import SessionFactory
from storage.ingest import ingest_document
from storage.models import Task
from storage.progress import (
    InvalidProgress,
    ProgressConflict,
    TaskNotFound,
    progress_history,
    record_progress,
)
from tests.storage.documents import aliases, first_version, five_year_plan

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def task_id(sessions: SessionFactory) -> int:
    with sessions() as session:
        ingest_document(session=session, document=five_year_plan(first_version()), aliases=aliases(), now=NOW)
        task = session.exec(select(Task).where(col(Task.action) == "培育高新技术企业")).one()
        assert task.id is not None
        return task.id


def test_progress_updates_task_and_history(sessions: SessionFactory, task_id: int) -> None:
    with sessions() as session:
        record_progress(session=session, task_id=task_id, author="U1", percent=30, note="完成调研", now=NOW)
        record_progress(session=session, task_id=task_id, author="U2", status="done", now=NOW)
        task = session.get(Task, task_id)
        assert task is not None and (task.status, task.percent) == ("done", 100)
        history = progress_history(session=session, task_id=task_id)
        assert [(h.author, h.status, h.percent) for h in history] == [
            ("U1", "in_progress", 30),
            ("U2", "done", 100),
        ]


def test_two_sessions_with_the_version_they_saw_conflict_clearly(
    sessions: SessionFactory, task_id: int
) -> None:
    first, second = sessions(), sessions()
    try:
        seen_first = first.get(Task, task_id)
        seen_second = second.get(Task, task_id)
        assert seen_first is not None and seen_second is not None
        version_seen = seen_second.version
        record_progress(
            session=first,
            task_id=task_id,
            author="U1",
            percent=50,
            expected_version=seen_first.version,
            now=NOW,
        )
        with pytest.raises(ProgressConflict) as conflict:
            record_progress(
                session=second,
                task_id=task_id,
                author="U2",
                percent=80,
                expected_version=version_seen,
                now=NOW,
            )
        assert "刷新" in conflict.value.zh and "Reload" in conflict.value.en
        assert conflict.value.current_version == version_seen + 1
    finally:
        first.close()
        second.close()
    with sessions() as session:
        task = session.get(Task, task_id)
        assert task is not None and task.percent == 50  # the refused write left the first one standing


def test_stale_session_without_a_version_retries_and_keeps_both_writes(
    sessions: SessionFactory, task_id: int
) -> None:
    first, second = sessions(), sessions()
    try:
        assert first.get(Task, task_id) is not None
        stale = second.get(Task, task_id)  # second now holds version 1 in its identity map
        assert stale is not None
        record_progress(session=first, task_id=task_id, author="U1", percent=50, note="A", now=NOW)
        record_progress(session=second, task_id=task_id, author="U2", percent=60, note="B", now=NOW)
    finally:
        first.close()
        second.close()
    with sessions() as session:
        task = session.get(Task, task_id)
        assert task is not None and task.percent == 60 and task.version == 3
        assert [h.note for h in progress_history(session=session, task_id=task_id)] == ["A", "B"]


def test_raw_concurrent_orm_writes_are_refused(engine: Engine, task_id: int) -> None:
    from sqlalchemy.orm.exc import StaleDataError

    with Session(engine) as first, Session(engine) as second:
        a, b = first.get(Task, task_id), second.get(Task, task_id)
        assert a is not None and b is not None
        a.percent = 10
        first.commit()
        b.percent = 20
        with pytest.raises(StaleDataError):
            second.commit()


def test_invalid_reports_are_refused(session: Session, task_id: int) -> None:
    with pytest.raises(InvalidProgress):
        record_progress(session=session, task_id=task_id, author="U1", percent=120)
    with pytest.raises(InvalidProgress):
        record_progress(session=session, task_id=task_id, author="U1", status="archived")
    with pytest.raises(TaskNotFound):
        record_progress(session=session, task_id=999_999, author="U1", percent=10)


def test_two_threads_reporting_at_once_both_land(sessions: SessionFactory, task_id: int) -> None:
    import threading

    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def report(author: str, percent: int) -> None:
        with sessions() as session:
            assert session.get(Task, task_id) is not None  # both read version 1 before either writes
            start.wait(timeout=30)
            try:
                record_progress(session=session, task_id=task_id, author=author, percent=percent, now=NOW)
            except BaseException as error:  # collected for the main thread to fail on
                errors.append(error)

    threads = [threading.Thread(target=report, args=(f"U{n}", 10 * n)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with sessions() as session:
        task = session.get(Task, task_id)
        assert task is not None and task.version == 3
        history = progress_history(session=session, task_id=task_id)
        assert sorted(h.author for h in history) == ["U1", "U2"]
        assert task.percent == next(h.percent for h in reversed(history))
