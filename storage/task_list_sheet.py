"""The 任务清单 sheet of the 台账: one row per task with its id, written by `planbot export --xlsx` and read
back by `planbot apply`, so that a planning office can correct the ledger in Excel.

Deadlines are real Excel dates, 状态 is a drop-down list, and every other cell is text (never a formula, see
storage.sheet_cells.write_text). Reading refuses the whole sheet when any cell does not parse, naming the row,
the column and the value, so that a half-applied workbook never happens.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlmodel import Session, col, select

from storage.models import ProgressUpdate
from storage.queries import TaskRow, find_tasks, rows_of_tasks
from storage.sheet_cells import write_header, write_text
from storage.statuses import STATUS_NAMES
from storage.task_instances import current_periods
from storage.task_periods import period_of_label
from storage.task_values import (
    RECURRENCE_NAMES,
    ValueRefused,
    is_empty,
    parse_due,
    parse_percent,
    parse_recurrence,
    parse_status,
    parse_units,
)
from storage.tasks import KEEP, TaskChanges

SHEET_NAME = "任务清单"
COLUMNS = (
    ("编号", 8),
    ("任务", 42),
    ("牵头单位", 20),
    ("配合单位", 24),
    ("完成时限", 12),
    ("周期", 8),
    ("状态", 10),
    ("完成百分比", 10),
    ("进展情况", 32),
    ("出处", 56),
    # a recurring duty's row is about this period: its 完成时限, 状态 and 完成百分比 are the period's own
    ("本期", 12),
)
REQUIRED = ("编号", "任务", "牵头单位", "配合单位", "完成时限", "状态")
NEAR_DAYS = 7  # a task due within a week is yellow, as in the bot's traffic lights
RED_FILL = PatternFill("solid", fgColor="FFC7CE")
YELLOW_FILL = PatternFill("solid", fgColor="FFEB9C")


def write_task_list_sheet(
    workbook: Workbook,
    *,
    session: Session,
    today: date,
    jurisdiction_id: int | None = None,
    department_id: int | None = None,
    index: int = 1,
) -> int:
    """Add the 任务清单 sheet at `index`; returns the number of tasks written."""
    sheet = workbook.create_sheet(SHEET_NAME, index)
    write_header(sheet, COLUMNS)

    tasks = _tasks(session, jurisdiction_id=jurisdiction_id, department_id=department_id)
    notes = _latest_notes(session)
    duties = current_periods(
        session=session,
        task_ids=[task.id for task, _ in tasks if task.recurrence and task.status in ("open", "in_progress")],
        today=today,
    )
    for row_number, (task, units) in enumerate(tasks, start=2):
        duty = duties.get(task.id)
        if duty is not None:  # the task's own due_on is only the pattern of its deadlines
            task = replace(task, due_on=duty.instance.due_on, status=duty.status, percent=duty.percent)
        values: list[object] = [
            task.id,
            task.action,
            "、".join(units["lead"]),
            "、".join(units["co"]),
            task.due_on,
            RECURRENCE_NAMES.get(task.recurrence or "", ""),
            STATUS_NAMES.get(task.status, task.status),
            task.percent,
            notes.get(task.id, ""),
            f"《{task.plan_title}》{task.section}：{task.evidence}",
            duty.instance.label if duty is not None else "",
        ]
        fill = _fill(task, today)
        for number, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=number)
            write_text(cell, value)
            cell.alignment = Alignment(vertical="top", wrap_text=number in (2, 9, 10))
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            if fill is not None:
                cell.fill = fill
    last = max(len(tasks) + 1, 2)
    sheet.auto_filter.ref = f"A1:{sheet.cell(row=1, column=len(COLUMNS)).column_letter}{last}"
    statuses = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUS_NAMES.values()) + '"',
        allow_blank=False,
        showErrorMessage=True,
        errorTitle="状态 / status",
        error="请从列表中选择：" + "、".join(STATUS_NAMES.values()),
    )
    sheet.add_data_validation(statuses)
    statuses.add(f"G2:G{max(last, 1000)}")
    return len(tasks)


def _fill(task: TaskRow, today: date) -> PatternFill | None:
    if task.due_on is None or task.status not in ("open", "in_progress"):
        return None
    if task.due_on < today:
        return RED_FILL
    if task.due_on <= today + timedelta(days=NEAR_DAYS):
        return YELLOW_FILL
    return None


def _tasks(
    session: Session, *, jurisdiction_id: int | None, department_id: int | None
) -> list[tuple[TaskRow, dict[str, list[str]]]]:
    if department_id is not None:  # every unit of the department's own tasks, without the whole ledger
        wanted = {row.id for row in find_tasks(session=session, department_id=department_id)}
        rows = rows_of_tasks(session=session, task_ids=wanted)
    else:
        rows = find_tasks(session=session, jurisdiction_id=jurisdiction_id)
    tasks: dict[int, tuple[TaskRow, dict[str, list[str]]]] = {}
    for row in sorted(rows, key=lambda r: r.id):
        _, units = tasks.setdefault(row.id, (row, {"lead": [], "co": []}))
        if row.department and row.role and row.department not in units[row.role]:
            units[row.role].append(row.department)
    return list(tasks.values())


def _latest_notes(session: Session) -> dict[int, str]:
    notes: dict[int, str] = {}
    statement = select(ProgressUpdate.task_id, ProgressUpdate.note).order_by(
        col(ProgressUpdate.created_at), col(ProgressUpdate.id)
    )
    for task_id, note in session.exec(statement).all():
        notes[task_id] = note
    return notes


# ---------------------------------------------------------------- reading it back


@dataclass(frozen=True)
class SheetRow:
    row: int  # the row number Excel shows
    task_id: int
    changes: TaskChanges
    # 本期 of a recurring duty ("2028"): the row's 完成时限, 状态 and 完成百分比 are that period's
    period: str | None = None


class WorkbookRefused(ValueError):
    """The workbook cannot be applied; `problems` name each row, column and value, Chinese first."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def read_task_list(path: Path) -> list[SheetRow]:
    """Every filled row of 任务清单 as the values it asks for; raises WorkbookRefused listing every bad cell."""
    try:
        workbook = load_workbook(path, data_only=True, read_only=True)
    except Exception as error:  # openpyxl raises zipfile, KeyError and its own errors for non-workbooks
        raise WorkbookRefused(
            [f"无法打开「{path.name}」：不是 Excel 工作簿（.xlsx）。 Not an .xlsx workbook: {error}"]
        ) from error
    try:
        if SHEET_NAME not in workbook.sheetnames:
            raise WorkbookRefused(
                [
                    f"工作簿中没有「{SHEET_NAME}」工作表。请用 planbot export --xlsx 导出的台账修改后再导入。"
                    f" The workbook has no sheet named {SHEET_NAME}."
                ]
            )
        rows = list(workbook[SHEET_NAME].iter_rows(values_only=True))
    finally:
        workbook.close()
    if not rows:
        raise WorkbookRefused([f"「{SHEET_NAME}」是空的。 The sheet is empty."])
    header = {str(value).strip(): index for index, value in enumerate(rows[0]) if value is not None}
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise WorkbookRefused(
            [f"第 1 行缺少列：{'、'.join(missing)}。 The header row lacks: {', '.join(missing)}."]
        )
    problems: list[str] = []
    parsed: list[SheetRow] = []
    seen: dict[int, int] = {}
    for number, values in enumerate(rows[1:], start=2):
        if all(is_empty(value) for value in values):
            continue
        cells = {name: values[index] if index < len(values) else None for name, index in header.items()}
        row = _read_row(number, cells, problems)
        if row is None:
            continue
        if row.task_id in seen:
            problems.append(
                f"第 {number} 行 编号：任务 {row.task_id} 与第 {seen[row.task_id]} 行重复。"
                f" Row {number}: task {row.task_id} appears twice."
            )
            continue
        seen[row.task_id] = number
        parsed.append(row)
    if problems:
        raise WorkbookRefused(problems)
    return parsed


def _read_row(number: int, cells: dict[str, object], problems: list[str]) -> SheetRow | None:
    def parsed(column: str, parse):  # type: ignore[no-untyped-def]
        try:
            return parse(cells.get(column))
        except ValueRefused as refused:
            problems.append(f"第 {number} 行 {column}：{refused.zh}。 Row {number}, {column}: {refused.en}.")
            return None

    task_id = parsed("编号", _parse_id)
    action = cells.get("任务")
    status = parsed("状态", parse_status)
    due = parsed("完成时限", parse_due) if not is_empty(cells.get("完成时限")) else None
    recurrence = parsed("周期", parse_recurrence) if "周期" in cells else KEEP
    percent = parsed("完成百分比", parse_percent) if "完成百分比" in cells else None
    note = cells.get("进展情况")
    period = parsed("本期", _parse_period) if not is_empty(cells.get("本期")) else None
    if task_id is None or status is None:
        return None
    if is_empty(action):
        problems.append(f"第 {number} 行 任务：不能为空。 Row {number}, 任务: the task text is empty.")
        return None
    return SheetRow(
        row=number,
        task_id=task_id,
        changes=TaskChanges(
            action=str(action).strip(),
            lead=parse_units(cells.get("牵头单位")),
            co=parse_units(cells.get("配合单位")),
            due_on=due,
            recurrence=recurrence,
            status=status,
            percent=percent,
            progress=None if is_empty(note) else str(note).strip(),
        ),
        period=period,
    )


def _parse_period(value: object) -> str:
    period = period_of_label(str(value))
    if period is None:
        raise ValueRefused(
            f"「{value}」不是周期（应写作 2028年度、2028年第1季度 或 2028年3月）",
            f"{value!r} is not a period (2028年度, 2028年第1季度 or 2028年3月)",
        )
    return period


def _parse_id(value: object) -> int:
    if isinstance(value, int | float) and value == int(value) and value > 0:
        return int(value)
    text = "" if value is None else str(value).strip().lstrip("#")
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise ValueRefused(
        f"「{value if value is not None else ''}」不是任务编号（新任务请用 planbot task add 添加）",
        f"{value!r} is not a task id (add new tasks with planbot task add)",
    )
