"""Review of imported tasks before anyone is reminded: what waits (待核对), what names no unit, and the
coordinator's confirm or discard. Reminders read only tasks with awaiting_review false."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from storage.ingest import LOW_CONFIDENCE
from storage.models import Assignment, Plan, Task
from storage.task_edits import record_edit
from storage.tasks import Editor


@dataclass(frozen=True)
class ReviewSummary:
    """What the review card and `planbot ingest` show for the tasks awaiting review."""

    plan_id: int | None
    task_ids: tuple[int, ...]
    unassigned_ids: tuple[int, ...]
    low_confidence_ids: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.task_ids)


def _live(statement):  # type: ignore[no-untyped-def]
    return statement.where(Task.status != "archived")


def tasks_awaiting_review(
    *, session: Session, plan_id: int | None = None, jurisdiction_id: int | None = None
) -> list[Task]:
    statement = _live(select(Task).where(col(Task.awaiting_review).is_(True)))
    if plan_id is not None:
        statement = statement.where(Task.plan_id == plan_id)
    if jurisdiction_id is not None:
        statement = statement.join(Plan, col(Plan.id) == col(Task.plan_id)).where(
            Plan.jurisdiction_id == jurisdiction_id
        )
    return list(session.exec(statement.order_by(col(Task.id))).all())


def unassigned_tasks(*, session: Session, jurisdiction_id: int | None = None) -> list[Task]:
    """Live tasks that name no unit at all: nobody would ever be reminded of them."""
    assigned = select(Assignment.task_id)
    statement = _live(select(Task).where(col(Task.id).not_in(assigned)))
    if jurisdiction_id is not None:
        statement = statement.join(Plan, col(Plan.id) == col(Task.plan_id)).where(
            Plan.jurisdiction_id == jurisdiction_id
        )
    return list(session.exec(statement.order_by(col(Task.id))).all())


def review_summary(*, session: Session, plan_id: int | None = None) -> ReviewSummary:
    waiting = tasks_awaiting_review(session=session, plan_id=plan_id)
    ids = [t.id for t in waiting if t.id is not None]
    assigned = (
        set(session.exec(select(Assignment.task_id).where(col(Assignment.task_id).in_(ids))).all())
        if ids
        else set()
    )
    return ReviewSummary(
        plan_id=plan_id,
        task_ids=tuple(ids),
        unassigned_ids=tuple(i for i in ids if i not in assigned),
        low_confidence_ids=tuple(
            t.id
            for t in waiting
            if t.id is not None and t.confidence is not None and t.confidence < LOW_CONFIDENCE
        ),
    )


def confirm_tasks(*, session: Session, task_ids: list[int], editor: Editor) -> int:
    """Confirm the tasks that wait for review among `task_ids`; from now on their units are reminded."""
    return _close_review(session=session, task_ids=task_ids, editor=editor, discard=False)


def discard_tasks(*, session: Session, task_ids: list[int], editor: Editor) -> int:
    """Archive the tasks that wait for review among `task_ids`: an import the coordinator rejected."""
    return _close_review(session=session, task_ids=task_ids, editor=editor, discard=True)


def _close_review(*, session: Session, task_ids: list[int], editor: Editor, discard: bool) -> int:
    if not task_ids:
        return 0
    waiting = session.exec(
        select(Task).where(col(Task.id).in_(task_ids), col(Task.awaiting_review).is_(True))
    ).all()
    try:
        for task in waiting:
            assert task.id is not None
            task.awaiting_review = False
            task.updated_at = editor.now
            outcome = "已舍弃" if discard else "已确认"
            record_edit(
                session=session,
                task_id=task.id,
                author=editor.author,
                field="review",
                old="待核对",
                new=outcome,
                at=editor.now,
                via=editor.via,
            )
            if discard:
                # recorded as a status edit too, so a re-ingest of the document keeps it archived
                record_edit(
                    session=session,
                    task_id=task.id,
                    author=editor.author,
                    field="status",
                    old=task.status,
                    new="archived",
                    at=editor.now,
                    via=editor.via,
                )
                task.status = "archived"
                task.archived_at = editor.now
            session.add(task)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(waiting)
