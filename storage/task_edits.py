"""The history of people's edits to tasks (table taskedit): recorded by storage.tasks, read by history views
and by storage.ingest, which keeps every field a person changed when the same plan is ingested again."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import TaskEdit
from storage.statuses import STATUS_NAMES

# field -> the word people see; values are stored as text (dates ISO, units joined by 、)
FIELD_NAMES = {
    "action": "任务",
    "lead": "牵头单位",
    "co": "配合单位",
    "due_on": "完成时限",
    "recurrence": "周期",
    "status": "状态",
    "percent": "完成百分比",
    "progress": "进展情况",
    "created": "手工新增",
    "review": "核对",
    "merged_into": "合并到",
    "merged_from": "合并自",
}
_VALUE_NAMES = {
    "status": STATUS_NAMES,
    "recurrence": {"yearly": "每年", "quarterly": "每季度", "monthly": "每月"},
}


def shown_value(field: str, value: str | None) -> str:
    """A stored value as people read it: 已归档 for archived, 每年 for yearly, — for nothing."""
    if value is None or value == "":
        return "—"
    return _VALUE_NAMES.get(field, {}).get(value, value)


# what a later ingest of the plan must not overwrite once a person has set it
PINNED_FIELDS = ("action", "lead", "co", "due_on", "recurrence", "status")
UNIT_FIELDS = ("lead", "co")


def record_edit(
    *,
    session: Session,
    task_id: int,
    author: str,
    field: str,
    old: str | None,
    new: str | None,
    at: datetime,
    via: str,
) -> TaskEdit:
    """Add one history row (the caller commits, with the change itself)."""
    if field not in FIELD_NAMES:
        raise ValueError(f"unknown edit field {field!r}")
    edit = TaskEdit(
        task_id=task_id,
        author=author[:100],
        created_at=at,
        field=field,
        old_value=old,
        new_value=new,
        via=via,
    )
    session.add(edit)
    return edit


def edits_of_task(*, session: Session, task_id: int) -> list[TaskEdit]:
    """Oldest first."""
    statement = (
        select(TaskEdit)
        .where(TaskEdit.task_id == task_id)
        .order_by(col(TaskEdit.created_at), col(TaskEdit.id))
    )
    return list(session.exec(statement).all())


def _edits_of(session: Session, task_ids: Iterable[int]) -> list[TaskEdit]:
    ids = sorted(set(task_ids))
    if not ids:
        return []
    statement = (
        select(TaskEdit)
        .where(col(TaskEdit.task_id).in_(ids))
        .order_by(col(TaskEdit.created_at), col(TaskEdit.id))
    )
    return list(session.exec(statement).all())


def pinned_fields(*, session: Session, task_ids: Iterable[int]) -> dict[int, set[str]]:
    """task id -> the fields people changed by hand (PINNED_FIELDS), plus "created" for hand-made tasks."""
    pinned: dict[int, set[str]] = defaultdict(set)
    for edit in _edits_of(session, task_ids):  # oldest first: the last status edit decides
        if edit.field == "status":
            # ingest changes a status only to archive or restore: what matters is whether a person archived it
            if edit.new_value == "archived":
                pinned[edit.task_id].add("status")
            else:
                pinned[edit.task_id].discard("status")
        elif edit.field in PINNED_FIELDS or edit.field == "created":
            pinned[edit.task_id].add(edit.field)
    return dict(pinned)


def extracted_actions(*, session: Session, task_ids: Iterable[int]) -> dict[int, str]:
    """task id -> its action as extracted, before the first hand edit: a re-ingest finds the task by it."""
    first: dict[int, str] = {}
    for edit in _edits_of(session, task_ids):
        if edit.field == "action" and edit.old_value is not None:
            first.setdefault(edit.task_id, edit.old_value)
    return first
