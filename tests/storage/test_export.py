"""The 台账 workbook, read back with openpyxl."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook
from sqlmodel import Session

from storage.departments import resolve_department
from storage.export import LEDGER_COLUMNS, sheet_title, write_ledger_xlsx
from storage.ingest import ingest_document
from storage.progress import record_progress
from storage.queries import find_tasks
from tests.storage.documents import aliases, first_version, five_year_plan, record

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _ledger(session: Session) -> None:
    records = [
        *first_version(),
        record("区财政局", '=HYPERLINK("http://evil")', '=HYPERLINK("http://evil")由区财政局负责。'),
        record("区财政局", "+1 测试", "-2 @SUM(A1) 区财政局负责。"),
    ]
    ingest_document(session=session, document=five_year_plan(records), aliases=aliases(), now=NOW)
    task = next(row for row in find_tasks(session=session) if row.action == "培育高新技术企业")
    record_progress(
        session=session, task_id=task.id, author="U1", percent=40, note="=1+1 已完成调研", now=NOW
    )


def test_workbook_has_summary_and_department_sheets_with_the_columns(
    session: Session, tmp_path: Path
) -> None:
    _ledger(session)
    summary = write_ledger_xlsx(session=session, path=tmp_path / "台账.xlsx")
    book = load_workbook(summary.path)
    assert book.sheetnames[0] == "汇总"
    assert "区财政局" in book.sheetnames and "各部门" in book.sheetnames
    sheet = book["区财政局"]
    assert [c.value for c in sheet[1]] == [title for title, _ in LEDGER_COLUMNS]
    assert sheet.freeze_panes == "A2"
    assert book["汇总"].freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 42
    assert sheet["B2"].alignment.wrap_text
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    hi_tech = rows["培育高新技术企业"]
    assert hi_tech[2] == "区科技局" and hi_tech[3] == "区财政局"
    assert hi_tech[4] == "2024-06-30" and hi_tech[6] == "推进中"
    assert hi_tech[5].startswith("40%（2026-03-01）")
    assert (
        "各部门" in rows["制定分年度工作计划"][3]
    )  # a collective addressee's task is on every bureau's sheet
    assert "《莱芜区国民经济和社会发展第十四个五年规划纲要》" in hi_tech[7]


def test_formula_like_text_is_written_as_text(session: Session, tmp_path: Path) -> None:
    _ledger(session)
    path = write_ledger_xlsx(session=session, path=tmp_path / "ledger.xlsx").path
    sheet = load_workbook(path)["区财政局"]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)]
    risky = [cell for cell in cells if cell.value.startswith(("=", "+", "-", "@"))]
    assert {cell.value for cell in risky} >= {'=HYPERLINK("http://evil")', "+1 测试"}
    assert all(cell.data_type == "s" for cell in risky)
    assert all(cell.quotePrefix for cell in risky)
    assert any(cell.value.startswith("40%") and "=1+1" in cell.value for cell in cells)


def test_export_of_one_department(session: Session, tmp_path: Path) -> None:
    _ledger(session)
    department = resolve_department(session=session, name="莱芜区科技局").department
    assert department is not None
    book = load_workbook(
        write_ledger_xlsx(session=session, path=tmp_path / "one.xlsx", department_id=department.id).path
    )
    assert book.sheetnames == ["汇总", "任务清单", "区科技局"]
    # the department's own tasks and those of the collectives that speak to it (各部门)
    listed = [row[1] for row in book["任务清单"].iter_rows(min_row=2, values_only=True)]
    assert listed == ["培育高新技术企业", "制定分年度工作计划"]


def test_sheet_titles_are_valid_and_unique() -> None:
    taken: set[str] = {"汇总"}
    long = "莱芜区" + "特别长的单位名称" * 6
    first = sheet_title(long, taken)
    second = sheet_title(long, taken)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert sheet_title("办公室[综合]/督查:科?*", taken) == "办公室_综合__督查_科__"
    assert sheet_title("汇总", taken) == "汇总~2"
