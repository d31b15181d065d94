"""`planbot apply`: the rows of an edited 任务清单 checked against the ledger, then applied all at once.

Planning reads only: every row is compared with its task, and any unknown id or unit refuses the whole
workbook. Applying writes every planned edit and its history in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from sqlmodel import Session

from ingest.units import AliasTable
from storage.indicator_sheet import PlannedValue, SheetValue, plan_indicator_values
from storage.indicators import record_indicator_value
from storage.models import Task
from storage.task_instances import period_of_duty
from storage.task_list_sheet import SheetRow, WorkbookRefused
from storage.task_periods import label_of, moved_pattern
from storage.tasks import KEEP, Editor, FieldChange, PlannedEdit, TaskEditError, apply_planned, plan_edit


@dataclass(frozen=True)
class WorkbookPlan:
    edits: list[PlannedEdit]  # only the tasks that change, in row order
    rows: int  # rows read
    indicator_values: list[PlannedValue] = field(default_factory=list)  # 指标 cells that report a new value

    @property
    def changed_fields(self) -> int:
        return sum(len(edit.changes) for edit in self.edits)


def plan_workbook(
    *,
    session: Session,
    rows: list[SheetRow],
    aliases: AliasTable | None = None,
    indicator_values: list[SheetValue] | None = None,
) -> WorkbookPlan:
    """What applying `rows` (and the 指标 sheet's `indicator_values`) would change; raises WorkbookRefused
    naming every row that cannot be applied."""
    problems: list[str] = []
    values: list[PlannedValue] = []
    try:
        values = plan_indicator_values(session=session, values=indicator_values or [])
    except WorkbookRefused as refused:
        problems.extend(refused.problems)
    edits: list[PlannedEdit] = []
    for row in rows:
        task = session.get(Task, row.task_id)
        if task is None:
            problems.append(
                f"第 {row.row} 行 编号：没有编号为 {row.task_id} 的任务（新任务请用 planbot task add 添加）。"
                f" Row {row.row}: there is no task #{row.task_id}."
            )
            continue
        try:
            planned = plan_sheet_row(session=session, task=task, row=row, aliases=aliases)
        except TaskEditError as error:
            problems.append(f"第 {row.row} 行：{error.zh} Row {row.row}: {error.en}")
            continue
        if planned.changes:
            edits.append(planned)
    if problems:
        raise WorkbookRefused(problems)
    return WorkbookPlan(edits=edits, rows=len(rows), indicator_values=values)


def plan_sheet_row(
    *, session: Session, task: Task, row: SheetRow, aliases: AliasTable | None = None
) -> PlannedEdit:
    """One row's edit. A recurring duty's row shows its 本期 period: an unchanged 完成时限 leaves the duty's
    pattern alone and a changed one moves every period's deadline alike; 状态 and 完成百分比 report on that
    period only, as /plan 进展 does (已归档 still archives the whole duty)."""
    changes = row.changes
    recurrence_kept = isinstance(changes.recurrence, type(KEEP)) or changes.recurrence == task.recurrence
    if not (task.recurrence and row.period and recurrence_kept):
        return plan_edit(session=session, task=task, changes=changes, aliases=aliases)
    assert task.id is not None
    duty = period_of_duty(session=session, task_id=task.id, period=row.period)
    if duty is None:
        raise TaskEditError(
            f"本期「{label_of(row.period)}」不是这项任务的一期。",
            f"{label_of(row.period)} is not a period of this task.",
        )
    due = changes.due_on
    if isinstance(due, date):
        pattern = task.due_on or duty.first.due_on
        due = KEEP if due == duty.instance.due_on else moved_pattern(task.recurrence, pattern, due)
    archived = changes.status == "archived"
    planned = plan_edit(
        session=session,
        task=task,
        changes=replace(changes, due_on=due, status="archived" if archived else None, percent=None),
        aliases=aliases,
    )
    planned.period = duty.instance
    if not archived and changes.status is not None and changes.status != duty.status:
        planned.changes.append(FieldChange("status", duty.status, changes.status))
    if not archived and changes.percent is not None and changes.percent != duty.percent:
        planned.changes.append(FieldChange("percent", str(duty.percent), str(changes.percent)))
    return planned


def apply_workbook(*, session: Session, plan: WorkbookPlan, editor: Editor) -> int:
    """Write every planned edit in one transaction; returns the number of tasks changed."""
    try:
        for planned in plan.edits:
            apply_planned(session=session, planned=planned, editor=editor)
        for value in plan.indicator_values:
            assert value.indicator.id is not None
            record_indicator_value(
                session=session,
                indicator_id=value.indicator.id,
                year=value.year,
                value=value.new,
                author=editor.author,
                now=editor.now,
                note="台账导入 / from the workbook",
                via="xlsx",
                commit=False,
            )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(plan.edits)
