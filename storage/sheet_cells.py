"""Cells and header rows of the workbooks planbot writes (the 台账 export, 任务清单, 指标, the review pack)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_FORMULA_START = ("=", "+", "-", "@")


def write_text(cell: Cell, value: object) -> None:
    """Put `value` in `cell` as data, never as a formula."""
    if value is None:
        cell.value = None
        return
    if isinstance(value, int | float | date):
        cell.value = value
        return
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell.value = text
    cell.data_type = "s"  # openpyxl would store a leading "=" as a formula
    if text.startswith(_FORMULA_START):
        # the quote prefix keeps Excel from re-reading it as a formula when someone edits the cell
        cell.quotePrefix = True


def write_header(
    sheet: Worksheet, columns: Sequence[tuple[str, int]], *, wrap: bool = False, freeze: str = "A2"
) -> None:
    """Row 1: the column titles, bold on the header fill, with each column's width; the rows below scroll."""
    for number, (title, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=number)
        write_text(cell, title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=wrap)
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = freeze
