"""Changes people make to tasks: edit, add by hand, delete (archive) and merge duplicates.

Each change is planned first (`plan_edit`: units resolved, values checked, the differences listed, nothing
written), then applied; every field that changes gets a history row (storage.task_edits) with who, when, the
old and the new value. `planbot apply` plans a whole workbook before applying any of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from ingest.units import AliasTable
from storage.departments import resolve_department
from storage.ingest import evidence_key
from storage.models import (
    Assignment,
    Department,
    Document,
    Jurisdiction,
    Plan,
    ProgressUpdate,
    Task,
    TaskInstance,
)
from storage.search import search_grams
from storage.statuses import STATUS_NAMES, STATUSES
from storage.task_edits import record_edit
from storage.task_periods import Instance

RECURRENCES = ("yearly", "quarterly", "monthly")


class _Keep:
    """Marks a field the change leaves alone, where None would mean "clear it"."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


class TaskEditError(ValueError):
    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(f"{zh} / {en}")


@dataclass(frozen=True)
class Editor:
    """Who changes the ledger: a Slack user id or "cli:<login>", and through what (cli, slack, xlsx)."""

    author: str
    via: str
    now: datetime


@dataclass(frozen=True)
class TaskChanges:
    """What a person asks to change; None (or KEEP) leaves a field as it is."""

    action: str | None = None
    lead: tuple[str, ...] | None = None
    co: tuple[str, ...] | None = None
    due_on: date | _Keep | None = KEEP
    recurrence: str | _Keep | None = KEEP
    status: str | None = None
    percent: int | None = None
    progress: str | None = None  # a new progress note


@dataclass(frozen=True)
class FieldChange:
    field: str  # storage.task_edits.FIELD_NAMES
    old: str | None
    new: str | None


@dataclass
class PlannedEdit:
    task: Task
    changes: list[FieldChange] = field(default_factory=list)
    # department id -> role, when the units change
    assignments: dict[int, str] | None = None
    # the period of a recurring duty that status and percent changes report on (storage.task_list_apply)
    period: Instance | None = None


def get_task(session: Session, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise TaskEditError(
            f"没有编号为 {task_id} 的任务。请用 `planbot tasks` 查看任务编号。",
            f"There is no task #{task_id}. List task ids with `planbot tasks`.",
        )
    return task


def task_units(session: Session, task_id: int) -> dict[str, list[str]]:
    """role -> department names, in the order they were assigned."""
    units: dict[str, list[str]] = {"lead": [], "co": []}
    statement = (
        select(Assignment.role, Department.name)
        .join(Department, col(Department.id) == col(Assignment.department_id))
        .where(Assignment.task_id == task_id)
        .order_by(col(Assignment.id))
    )
    for role, name in session.exec(statement).all():
        units[role].append(name)
    return units


def jurisdiction_of(session: Session, task: Task) -> Jurisdiction:
    plan = session.get(Plan, task.plan_id)
    assert plan is not None
    place = session.get(Jurisdiction, plan.jurisdiction_id)
    assert place is not None
    return place


def units_text(names: list[str] | tuple[str, ...]) -> str:
    return "、".join(names)


def _department(session: Session, name: str, place: Jurisdiction, aliases: AliasTable | None) -> Department:
    match = resolve_department(session=session, name=name, region=place.name, aliases=aliases)
    if match.department is not None:
        if match.department.jurisdiction_id != place.id:
            raise TaskEditError(
                f"单位“{name}”属于其他辖区，任务属于{place.name}。",
                f"{name!r} belongs to another jurisdiction than the task ({place.name}).",
            )
        return match.department
    hint = "、".join(d.name for d in match.candidates[:5])
    raise TaskEditError(
        f"{place.name}没有单位“{name}”。"
        + (
            f"您是不是要找：{hint}？"
            if hint
            else "用 `planbot depts` 查看全部单位，或用 `planbot alias add` 添加别名。"
        ),
        f"No department {name!r} in {place.name}." + (f" Did you mean: {hint}?" if hint else ""),
    )


def plan_edit(
    *, session: Session, task: Task, changes: TaskChanges, aliases: AliasTable | None = None
) -> PlannedEdit:
    """The differences `changes` would make to `task`, checked; raises TaskEditError, writes nothing."""
    assert task.id is not None
    planned = PlannedEdit(task=task)
    if changes.action is not None:
        action = changes.action.strip()
        if not action:
            raise TaskEditError("任务内容不能为空。", "The task text cannot be empty.")
        if action != task.action:
            planned.changes.append(FieldChange("action", task.action, action))
    if changes.lead is not None or changes.co is not None:
        current = task_units(session, task.id)
        lead = list(dict.fromkeys(changes.lead if changes.lead is not None else current["lead"]))
        co = list(dict.fromkeys(changes.co if changes.co is not None else current["co"]))
        place = jurisdiction_of(session, task)
        wanted: dict[int, str] = {}
        names: dict[str, list[str]] = {"lead": [], "co": []}
        for role, typed in (("lead", lead), ("co", co)):
            for name in typed:
                department = _department(session, name, place, aliases)
                assert department.id is not None
                if department.id in wanted:  # named twice: 牵头 wins
                    continue
                wanted[department.id] = role
                names[role].append(department.name)
        for role in ("lead", "co"):
            if names[role] != current[role]:
                planned.changes.append(FieldChange(role, units_text(current[role]), units_text(names[role])))
        if any(change.field in ("lead", "co") for change in planned.changes):
            planned.assignments = wanted
    if not isinstance(changes.due_on, _Keep) and changes.due_on != task.due_on:
        planned.changes.append(FieldChange("due_on", _iso(task.due_on), _iso(changes.due_on)))
    if not isinstance(changes.recurrence, _Keep) and changes.recurrence != task.recurrence:
        if changes.recurrence is not None and changes.recurrence not in RECURRENCES:
            raise TaskEditError(
                "周期只能是 每年、每季度、每月 或留空。",
                "Recurrence must be yearly, quarterly, monthly or empty.",
            )
        planned.changes.append(FieldChange("recurrence", task.recurrence, changes.recurrence))
    if changes.status is not None and changes.status != task.status:
        if changes.status not in STATUSES:
            raise TaskEditError(
                f"状态只能是 {'、'.join(STATUS_NAMES.values())}。",
                f"Status must be one of {', '.join(STATUSES)}.",
            )
        planned.changes.append(FieldChange("status", task.status, changes.status))
    if changes.percent is not None and changes.percent != task.percent:
        if not 0 <= changes.percent <= 100:
            raise TaskEditError("完成百分比应在 0 到 100 之间。", "Percent must be between 0 and 100.")
        planned.changes.append(FieldChange("percent", str(task.percent), str(changes.percent)))
    if changes.progress:
        latest = _latest_note(session, task.id)
        if changes.progress.strip() != latest:
            planned.changes.append(FieldChange("progress", latest or None, changes.progress.strip()))
    return planned


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _latest_note(session: Session, task_id: int) -> str:
    latest = session.exec(
        select(ProgressUpdate)
        .where(ProgressUpdate.task_id == task_id)
        .order_by(col(ProgressUpdate.created_at).desc(), col(ProgressUpdate.id).desc())
    ).first()
    return latest.note if latest is not None else ""


def apply_planned(*, session: Session, planned: PlannedEdit, editor: Editor) -> None:
    """Write a planned edit and its history rows; the caller commits (one edit, or a whole workbook)."""
    task = planned.task
    assert task.id is not None
    progress_changed = False
    reported = planned.period is not None and any(c.field in ("status", "percent") for c in planned.changes)
    # a recurring duty's status stays open: the period's own row takes the report, as in storage.progress
    instance = _instance_row(session, task.id, planned.period, editor.now) if reported else None
    for change in planned.changes:
        if change.field == "action":
            task.action = change.new or task.action
            task.search_grams = search_grams(task.action, task.evidence)
        elif change.field == "due_on":
            task.due_on = date.fromisoformat(change.new) if change.new else None
        elif change.field == "recurrence":
            task.recurrence = change.new
        elif change.field == "status" and instance is not None:
            instance.status = change.new or instance.status
            progress_changed = True
        elif change.field == "percent" and instance is not None:
            instance.percent = int(change.new or 0)
            progress_changed = True
        elif change.field == "status":
            task.status = change.new or task.status
            task.archived_at = editor.now if task.status == "archived" else None
            progress_changed = progress_changed or task.status != "archived"
        elif change.field == "percent":
            task.percent = int(change.new or 0)
            progress_changed = True
        elif change.field == "progress":
            progress_changed = True
        record_edit(
            session=session,
            task_id=task.id,
            author=editor.author,
            field=change.field,
            old=change.old,
            new=change.new,
            at=editor.now,
            via=editor.via,
        )
    if planned.assignments is not None:
        _sync_assignments(session, task.id, planned.assignments)
    if progress_changed:
        # status and percent reported by hand belong in the progress history too, where the charts read them
        note = next((c.new for c in planned.changes if c.field == "progress"), None) or ""
        session.add(
            ProgressUpdate(
                task_id=task.id,
                author=editor.author[:100],
                created_at=editor.now,
                status=instance.status if instance is not None else task.status,
                percent=instance.percent if instance is not None else task.percent,
                note=note,
                period=planned.period.period if planned.period is not None else None,
            )
        )
    if instance is not None:
        instance.updated_at = editor.now
        session.add(instance)
    if planned.changes:
        task.updated_at = editor.now
        session.add(task)
    session.flush()


def _instance_row(session: Session, task_id: int, period: Instance | None, now: datetime) -> TaskInstance:
    assert period is not None
    stored = session.exec(
        select(TaskInstance).where(TaskInstance.task_id == task_id, TaskInstance.period == period.period)
    ).first()
    return stored or TaskInstance(
        task_id=task_id, period=period.period, due_on=period.due_on, status="open", percent=0, updated_at=now
    )


def _sync_assignments(session: Session, task_id: int, wanted: dict[int, str]) -> None:
    current = {
        a.department_id: a for a in session.exec(select(Assignment).where(Assignment.task_id == task_id))
    }
    for department_id, assignment in current.items():
        if department_id not in wanted:
            session.delete(assignment)
        elif assignment.role != wanted[department_id]:
            assignment.role = wanted[department_id]
            session.add(assignment)
    session.flush()
    for department_id, role in wanted.items():
        if department_id not in current:
            session.add(Assignment(task_id=task_id, department_id=department_id, role=role))


def edit_task(
    *,
    session: Session,
    task_id: int,
    changes: TaskChanges,
    editor: Editor,
    aliases: AliasTable | None = None,
) -> list[FieldChange]:
    """Apply `changes` to one task and commit; returns what changed (empty when nothing did)."""
    try:
        planned = plan_edit(
            session=session, task=get_task(session, task_id), changes=changes, aliases=aliases
        )
        apply_planned(session=session, planned=planned, editor=editor)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return planned.changes


def add_task(
    *,
    session: Session,
    plan_id: int,
    action: str,
    lead: tuple[str, ...],
    co: tuple[str, ...] = (),
    due_on: date | None = None,
    recurrence: str | None = None,
    editor: Editor,
    aliases: AliasTable | None = None,
) -> Task:
    """A task typed in by a person, in the plan's current document; it has no source sentence but its own text."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise TaskEditError(
            f"没有编号为 {plan_id} 的规划。请用 `planbot plan list` 查看。",
            f"There is no plan #{plan_id}; see `planbot plan list`.",
        )
    document = session.exec(
        select(Document).where(Document.plan_id == plan_id).order_by(col(Document.ingested_at).desc())
    ).first()
    assert document is not None and document.id is not None
    text = action.strip()
    if not text:
        raise TaskEditError("任务内容不能为空。", "The task text cannot be empty.")
    try:
        task = Task(
            plan_id=plan_id,
            document_id=document.id,
            action=text,
            evidence=text,
            evidence_key=evidence_key(text),
            search_grams=search_grams(text, text),
            created_at=editor.now,
            updated_at=editor.now,
        )
        session.add(task)
        session.flush()
        assert task.id is not None
        record_edit(
            session=session,
            task_id=task.id,
            author=editor.author,
            field="created",
            old=None,
            new=text,
            at=editor.now,
            via=editor.via,
        )
        planned = plan_edit(
            session=session,
            task=task,
            changes=TaskChanges(lead=lead, co=co, due_on=due_on, recurrence=recurrence),
            aliases=aliases,
        )
        apply_planned(session=session, planned=planned, editor=editor)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return task


def delete_task(*, session: Session, task_id: int, editor: Editor) -> Task:
    """Archive the task (rows are never deleted: progress and reminders refer to it); a re-ingest keeps it archived."""
    task = get_task(session, task_id)
    if task.status == "archived":
        raise TaskEditError(f"任务 #{task_id} 已经归档。", f"Task #{task_id} is already archived.")
    edit_task(session=session, task_id=task_id, changes=TaskChanges(status="archived"), editor=editor)
    return task


def merge_tasks(*, session: Session, keep_id: int, duplicate_id: int, editor: Editor) -> list[FieldChange]:
    """Merge a duplicate into the task kept: its units join the kept task (牵头 wins), and it is archived."""
    if keep_id == duplicate_id:
        raise TaskEditError("不能把任务合并到它自己。", "A task cannot be merged into itself.")
    try:
        keep, duplicate = get_task(session, keep_id), get_task(session, duplicate_id)
        if jurisdiction_of(session, keep).id != jurisdiction_of(session, duplicate).id:
            raise TaskEditError(
                "两项任务属于不同辖区，不能合并。", "The two tasks belong to different jurisdictions."
            )
        kept_units, other_units = task_units(session, keep_id), task_units(session, duplicate_id)
        lead = tuple(dict.fromkeys(kept_units["lead"] + other_units["lead"]))
        co = tuple(name for name in dict.fromkeys(kept_units["co"] + other_units["co"]) if name not in lead)
        planned = plan_edit(session=session, task=keep, changes=TaskChanges(lead=lead, co=co))
        planned.changes.append(FieldChange("merged_from", None, f"#{duplicate_id} {duplicate.action}"))
        apply_planned(session=session, planned=planned, editor=editor)
        archived = plan_edit(session=session, task=duplicate, changes=TaskChanges(status="archived"))
        archived.changes.append(FieldChange("merged_into", None, f"#{keep_id}"))
        apply_planned(session=session, planned=archived, editor=editor)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return planned.changes
