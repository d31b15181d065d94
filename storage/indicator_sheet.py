"""The 指标 sheet of the 台账: one row per indicator and one column per year, written by `planbot export --xlsx`
and read back by `planbot apply`, so that a department can fill in its indicators' values in Excel.

A year cell holds the value that counts for that year, as written. Filling or changing one reports a new value
(the old one stays in the history); clearing one changes nothing, since a value is never deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, PatternFill
from sqlmodel import Session

from storage.indicators import IndicatorError, IndicatorRow, check_value, indicator_rows
from storage.models import Indicator
from storage.sheet_cells import write_header, write_text
from storage.task_list_sheet import WorkbookRefused
from storage.task_values import is_empty

SHEET_NAME = "指标"
FIXED_COLUMNS = (
    ("编号", 8),
    ("规划", 30),
    ("类别", 10),
    ("指标", 30),
    ("单位", 8),
    ("基期年份", 8),
    ("基期值", 10),
    ("目标年份", 8),
    ("目标值", 14),
    ("属性", 8),
    ("责任单位", 24),
)
_YEAR_HEADER = re.compile(r"^(\d{4})\s*年?$")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # the cells people fill in


def sheet_rows(
    session: Session,
    *,
    jurisdiction_id: int | None = None,
    department_id: int | None = None,
    plan_id: int | None = None,
) -> list[IndicatorRow]:
    rows = indicator_rows(session=session, department_id=department_id, plan_id=plan_id)
    if jurisdiction_id is not None:
        rows = [row for row in rows if row.indicator.jurisdiction_id == jurisdiction_id]
    return rows


def year_span(rows: list[IndicatorRow]) -> list[int]:
    """Every year after a base year up to a target year, and every year someone reported."""
    years: set[int] = set()
    for row in rows:
        indicator = row.indicator
        if indicator.base_year is not None and indicator.target_year is not None:
            years.update(range(indicator.base_year + 1, indicator.target_year + 1))
        years.update(row.values)
    return sorted(years)


def write_indicator_sheet(
    workbook: Workbook,
    *,
    rows: list[IndicatorRow],
    index: int | None = None,
    title: str = SHEET_NAME,
    extra_columns: tuple[tuple[str, int], ...] = (),
    extra_values: list[list[object]] | None = None,
) -> int:
    """Add the 指标 sheet; `extra_columns` (e.g. 状态 in the review pack) follow the year columns."""
    sheet = workbook.create_sheet(title, index)
    years = year_span(rows)
    columns = [*FIXED_COLUMNS, *((f"{year}年", 10) for year in years), *extra_columns]
    write_header(sheet, columns, wrap=True, freeze="E2")  # the indicator's name and unit stay in view
    for row_number, row in enumerate(rows, start=2):
        indicator = row.indicator
        values: list[object] = [
            indicator.id,
            row.plan_title,
            indicator.category or "",
            indicator.name,
            indicator.unit or "",
            indicator.base_year,
            indicator.base_value or "",
            indicator.target_year,
            indicator.target_value or "",
            indicator.attribute or "",
            "、".join(row.departments),
            *(row.values[year].value if year in row.values else None for year in years),
            *(extra_values[row_number - 2] if extra_values else ()),
        ]
        for number, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=number)
            # values stay text as written (">5.5", "90.8"): a number cell would lose "左右" and trailing zeros
            write_text(cell, str(value) if isinstance(value, float) else value)
            cell.alignment = Alignment(vertical="top", wrap_text=number in (2, 4, 11))
            year_column = len(FIXED_COLUMNS) < number <= len(FIXED_COLUMNS) + len(years)
            if year_column and _in_plan(indicator, years[number - len(FIXED_COLUMNS) - 1]):
                cell.fill = INPUT_FILL
    return len(rows)


def _in_plan(indicator: Indicator, year: int) -> bool:
    return (indicator.base_year or 0) < year <= (indicator.target_year or 9999)


# ---------------------------------------------------------------- reading it back


@dataclass(frozen=True)
class SheetValue:
    row: int
    indicator_id: int
    year: int
    value: str


@dataclass(frozen=True)
class PlannedValue:
    """A value of the sheet that differs from the one counting now: applying it reports it."""

    indicator: Indicator
    year: int
    old: str | None
    new: str


def read_indicator_sheet(path: Path) -> list[SheetValue]:
    """The filled year cells of 指标 ([] when the workbook has no such sheet); refuses unreadable ids."""
    try:
        workbook = load_workbook(path, data_only=True, read_only=True)
    except Exception:
        return []  # read_task_list reports a workbook it cannot open
    try:
        if SHEET_NAME not in workbook.sheetnames:
            return []
        rows = list(workbook[SHEET_NAME].iter_rows(values_only=True))
    finally:
        workbook.close()
    if not rows:
        return []
    header = [str(value).strip() if value is not None else "" for value in rows[0]]
    if "编号" not in header:
        raise WorkbookRefused([f"「{SHEET_NAME}」第 1 行缺少列：编号。 The 指标 header row lacks 编号."])
    id_column = header.index("编号")
    year_columns = {
        index: int(found.group(1)) for index, name in enumerate(header) if (found := _YEAR_HEADER.match(name))
    }
    problems: list[str] = []
    values: list[SheetValue] = []
    for number, cells in enumerate(rows[1:], start=2):
        if all(is_empty(cell) for cell in cells):
            continue
        raw_id = cells[id_column] if id_column < len(cells) else None
        text_id = "" if raw_id is None else str(raw_id).strip().lstrip("#").removesuffix(".0")
        if not text_id.isdigit():
            problems.append(
                f"「{SHEET_NAME}」第 {number} 行 编号：「{raw_id if raw_id is not None else ''}」不是指标编号。"
                f" Sheet 指标, row {number}: {raw_id!r} is not an indicator id."
            )
            continue
        for index, year in year_columns.items():
            cell = cells[index] if index < len(cells) else None
            if not is_empty(cell):
                text = f"{cell:g}" if isinstance(cell, float) else str(cell).strip()
                values.append(SheetValue(row=number, indicator_id=int(text_id), year=year, value=text))
    if problems:
        raise WorkbookRefused(problems)
    return values


def plan_indicator_values(*, session: Session, values: list[SheetValue]) -> list[PlannedValue]:
    """The values that would be reported; raises WorkbookRefused naming every cell that cannot be."""
    problems: list[str] = []
    planned: list[PlannedValue] = []
    counting: dict[int, IndicatorRow] = {}
    for value in values:
        if value.indicator_id not in counting:
            found = indicator_rows(session=session, indicator_ids=[value.indicator_id], include_archived=True)
            if not found:
                problems.append(
                    f"「{SHEET_NAME}」第 {value.row} 行 编号：没有编号为 {value.indicator_id} 的指标。"
                    f" Sheet 指标, row {value.row}: there is no indicator {value.indicator_id}."
                )
                continue
            counting[value.indicator_id] = found[0]
        row = counting[value.indicator_id]
        try:
            check_value(indicator=row.indicator, year=value.year, value=value.value)
        except IndicatorError as error:
            problems.append(f"「{SHEET_NAME}」第 {value.row} 行 {value.year}年：{error.zh} {error.en}")
            continue
        old = row.values[value.year].value if value.year in row.values else None
        if old != value.value:
            planned.append(PlannedValue(indicator=row.indicator, year=value.year, old=old, new=value.value))
    if problems:
        raise WorkbookRefused(problems)
    return planned
