"""The 台账 (task ledger workbook) planning offices exchange: a 汇总 sheet, the 任务清单 (one row per task, which
`planbot apply` reads back: storage.task_list_sheet) and one sheet per department.

Cells from documents and from people are written as text, never as formulas: a task that begins with
= + - @ would otherwise run as a formula when the file is opened (CSV/formula injection).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session, col, select

from ingest.units import qualified_name
from storage.indicator_sheet import sheet_rows, write_indicator_sheet
from storage.models import ProgressUpdate
from storage.queries import (
    DepartmentSummary,
    TaskRow,
    department_summaries,
    find_tasks,
    rows_of_tasks,
    tasks_for_department,
)
from storage.sheet_cells import write_header, write_text
from storage.statuses import STATUS_NAMES
from storage.task_list_sheet import write_task_list_sheet

LEDGER_COLUMNS = (
    ("序号", 6),
    ("任务", 42),
    ("牵头单位", 18),
    ("责任单位", 24),
    ("完成时限", 14),
    ("进展情况", 32),
    ("状态", 10),
    ("出处", 56),
)
SUMMARY_COLUMNS = (
    ("序号", 6),
    ("辖区", 12),
    ("单位", 28),
    ("牵头任务", 10),
    ("配合任务", 10),
    ("未完成", 10),
    ("已完成", 10),
)
RECURRENCE_NAMES = {"yearly": "每年", "quarterly": "每季度", "monthly": "每月"}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# the traffic lights of 任务清单 follow the planning office's calendar day when the caller gives none
SHOWN_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    sheets: int
    rows: int


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, at most 31 characters, not 'History' (reserved by Excel)."""
    base = _SHEET_FORBIDDEN.sub("_", name).strip("'") or "单位"
    if base.lower() == "history":
        base += "_"
    title = base[:31]
    counter = 2
    while title.lower() in {t.lower() for t in taken}:
        suffix = f"~{counter}"
        title = base[: 31 - len(suffix)] + suffix
        counter += 1
    taken.add(title)
    return title


def _append(sheet: Worksheet, values: list[object]) -> None:
    row = sheet.max_row + 1
    for index, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=index)
        write_text(cell, value)
        cell.alignment = Alignment(vertical="top", wrap_text=True)


def _latest_progress(session: Session) -> dict[int, ProgressUpdate]:
    latest: dict[int, ProgressUpdate] = {}
    for update in session.exec(
        select(ProgressUpdate).order_by(col(ProgressUpdate.created_at), col(ProgressUpdate.id))
    ).all():
        latest[update.task_id] = update
    return latest


def _units(rows: list[TaskRow]) -> dict[int, dict[str, list[str]]]:
    units: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"lead": [], "co": []})
    for row in rows:
        if row.department and row.role:
            units[row.id][row.role].append(row.department)
    return units


def _due_text(row: TaskRow) -> str:
    due = row.due_on.isoformat() if row.due_on else ""
    recurrence = RECURRENCE_NAMES.get(row.recurrence or "", "")
    return " ".join(part for part in (recurrence, due) if part) or "—"


def _progress_text(update: ProgressUpdate | None, row: TaskRow) -> str:
    if update is None:
        return f"{row.percent}%" if row.percent else ""
    when = update.created_at.date().isoformat()
    return f"{update.percent}%（{when}）{update.note}".strip()


def write_ledger_xlsx(
    *,
    session: Session,
    path: Path,
    department_id: int | None = None,
    jurisdiction_id: int | None = None,
    today: date | None = None,
) -> ExportSummary:
    """Write the 台账 to `path`: 汇总, 任务清单 (overdue red and near yellow as of `today`), then one sheet per
    department (only `department_id` if given)."""
    if department_id is not None:  # only what the department's sheet shows, not the whole ledger
        own = {row.id for row in tasks_for_department(session=session, department_id=department_id)}
        all_rows = rows_of_tasks(session=session, task_ids=own)
    else:
        all_rows = find_tasks(session=session, jurisdiction_id=jurisdiction_id)
    units = _units(all_rows)
    latest = _latest_progress(session)
    summaries = department_summaries(
        session=session, jurisdiction_id=jurisdiction_id, department_id=department_id
    )
    several_places = len({s.jurisdiction for s in summaries}) > 1

    workbook = Workbook()
    summary_sheet = workbook.active
    assert summary_sheet is not None
    summary_sheet.title = "汇总"
    write_header(summary_sheet, SUMMARY_COLUMNS, wrap=True)
    taken = {"汇总"}
    written = 0
    for number, summary in enumerate(summaries, start=1):
        _append(
            summary_sheet,
            [
                number,
                summary.jurisdiction,
                summary.name,
                summary.lead,
                summary.co,
                summary.open,
                summary.done,
            ],
        )
        written += _department_sheet(
            workbook,
            summary,
            session=session,
            units=units,
            latest=latest,
            taken=taken,
            prefix_place=several_places,
        )
    write_task_list_sheet(
        workbook,
        session=session,
        today=today or datetime.now(ZoneInfo(SHOWN_TIMEZONE)).date(),
        jurisdiction_id=jurisdiction_id,
        department_id=department_id,
    )
    indicators = sheet_rows(session, jurisdiction_id=jurisdiction_id, department_id=department_id)
    if indicators:
        write_indicator_sheet(workbook, rows=indicators, index=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return ExportSummary(path=path, sheets=len(workbook.sheetnames), rows=written)


def _department_sheet(
    workbook: Workbook,
    summary: DepartmentSummary,
    *,
    session: Session,
    units: dict[int, dict[str, list[str]]],
    latest: dict[int, ProgressUpdate],
    taken: set[str],
    prefix_place: bool,
) -> int:
    name = qualified_name(summary.jurisdiction, summary.name) if prefix_place else summary.name
    sheet = workbook.create_sheet(sheet_title(name, taken))
    write_header(sheet, LEDGER_COLUMNS, wrap=True)
    seen: set[int] = set()
    number = 0
    for row in tasks_for_department(session=session, department_id=summary.id):
        if row.id in seen:
            continue
        seen.add(row.id)
        number += 1
        task_units = units.get(row.id, {"lead": [], "co": []})
        co = list(task_units["co"])
        if (
            row.via_collective
            and row.via_collective not in co
            and row.via_collective not in task_units["lead"]
        ):
            co.append(row.via_collective)
        _append(
            sheet,
            [
                number,
                row.action,
                "、".join(task_units["lead"]),
                "、".join(co),
                _due_text(row),
                _progress_text(latest.get(row.id), row),
                STATUS_NAMES.get(row.status, row.status),
                f"《{row.plan_title}》{row.section}：{row.evidence}",
            ],
        )
    return number
