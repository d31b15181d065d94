"""The 任务清单 sheet: written with ids, real dates, a status drop-down and traffic lights; read back all or nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, col, select

from storage.export import write_ledger_xlsx
from storage.ingest import ingest_document
from storage.models import Task
from storage.task_edits import edits_of_task
from storage.task_list_apply import apply_workbook, plan_workbook
from storage.task_list_sheet import (
    COLUMNS,
    RED_FILL,
    SHEET_NAME,
    YELLOW_FILL,
    WorkbookRefused,
    read_task_list,
)
from storage.tasks import Editor, task_units
from tests.storage.documents import aliases, first_version, five_year_plan

NOW = datetime(2026, 3, 1, tzinfo=UTC)
TODAY = date(2024, 6, 25)  # 高新技术企业 (06-30) is near; nothing else dated is overdue yet
EDITOR = Editor(author="cli:lihua", via="xlsx", now=NOW)


def _export(session: Session, path: Path, today: date = TODAY) -> Path:
    ingest_document(session=session, document=five_year_plan(first_version()), aliases=aliases(), now=NOW)
    return write_ledger_xlsx(session=session, path=path, today=today).path


def _row_of(sheet, action: str) -> int:  # type: ignore[no-untyped-def]
    return next(row[0].row for row in sheet.iter_rows(min_row=2) if row[1].value == action)


def test_the_sheet_has_ids_dates_a_drop_down_filters_and_colours(session: Session, tmp_path: Path) -> None:
    book = load_workbook(_export(session, tmp_path / "台账.xlsx"))
    assert book.sheetnames[:2] == ["汇总", SHEET_NAME]
    sheet = book[SHEET_NAME]
    assert [cell.value for cell in sheet[1]] == [title for title, _ in COLUMNS]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:K6"
    hi_tech = _row_of(sheet, "培育高新技术企业")
    task = session.exec(select(Task).where(col(Task.action) == "培育高新技术企业")).one()
    assert sheet.cell(hi_tech, 1).value == task.id
    assert sheet.cell(hi_tech, 5).value == datetime(2024, 6, 30) and sheet.cell(hi_tech, 5).is_date
    assert (sheet.cell(hi_tech, 3).value, sheet.cell(hi_tech, 4).value) == ("区科技局", "区财政局")
    assert sheet.cell(hi_tech, 7).value == "未开始"
    assert sheet.cell(hi_tech, 1).fill.fgColor.rgb.endswith(YELLOW_FILL.fgColor.rgb[-6:])
    validation = sheet.data_validations.dataValidation[0]
    assert validation.type == "list" and "已完成" in validation.formula1 and "G2" in str(validation.sqref)
    later = load_workbook(
        write_ledger_xlsx(session=session, path=tmp_path / "b.xlsx", today=TODAY + timedelta(10)).path
    )
    late_sheet = later[SHEET_NAME]
    assert late_sheet.cell(hi_tech, 2).fill.fgColor.rgb.endswith(RED_FILL.fgColor.rgb[-6:])


def test_edited_cells_become_edits_in_one_transaction(session: Session, tmp_path: Path) -> None:
    path = _export(session, tmp_path / "台账.xlsx")
    book = load_workbook(path)
    sheet = book[SHEET_NAME]
    row = _row_of(sheet, "培育高新技术企业")
    sheet.cell(row, 5).value = datetime(2025, 3, 31)
    sheet.cell(row, 3).value = "区财政局"
    sheet.cell(row, 4).value = None
    sheet.cell(row, 7).value = "推进中"
    book.save(path)

    plan = plan_workbook(session=session, rows=read_task_list(path), aliases=aliases())
    assert len(plan.edits) == 1
    assert {c.field: (c.old, c.new) for c in plan.edits[0].changes} == {
        "due_on": ("2024-06-30", "2025-03-31"),
        "lead": ("区科技局", "区财政局"),
        "co": ("区财政局", ""),
        "status": ("open", "in_progress"),
    }
    task_id = plan.edits[0].task.id
    assert apply_workbook(session=session, plan=plan, editor=EDITOR) == 1
    session.expire_all()
    task = session.get(Task, task_id)
    assert task is not None and (task.due_on, task.status) == (date(2025, 3, 31), "in_progress")
    assert task_units(session, task_id) == {"lead": ["区财政局"], "co": []}
    assert {e.via for e in edits_of_task(session=session, task_id=task_id)} == {"xlsx"}
    # the workbook applied again changes nothing more
    assert plan_workbook(session=session, rows=read_task_list(path), aliases=aliases()).edits == []


def test_one_bad_cell_refuses_the_whole_workbook_naming_row_column_and_value(
    session: Session, tmp_path: Path
) -> None:
    path = _export(session, tmp_path / "台账.xlsx")
    book = load_workbook(path)
    sheet = book[SHEET_NAME]
    good, bad = _row_of(sheet, "培育规模以上工业企业"), _row_of(sheet, "培育高新技术企业")
    sheet.cell(good, 5).value = datetime(2026, 1, 31)
    sheet.cell(bad, 5).value = "下个月吧"
    book.save(path)
    with pytest.raises(WorkbookRefused) as refused:
        read_task_list(path)
    assert refused.value.problems[0].startswith(f"第 {bad} 行 完成时限：「下个月吧」不是日期")


def test_unknown_ids_and_units_are_refused_with_suggestions(session: Session, tmp_path: Path) -> None:
    path = _export(session, tmp_path / "台账.xlsx")
    book = load_workbook(path)
    sheet = book[SHEET_NAME]
    row = _row_of(sheet, "培育高新技术企业")
    sheet.cell(row, 3).value = "区财政厅"
    sheet.cell(_row_of(sheet, "培育规模以上工业企业"), 1).value = 99999
    book.save(path)
    with pytest.raises(WorkbookRefused) as refused:
        plan_workbook(session=session, rows=read_task_list(path), aliases=aliases())
    text = "\n".join(refused.value.problems)
    assert "没有编号为 99999 的任务" in text
    assert f"第 {row} 行" in text and "区财政厅" in text and "区财政局" in text
