"""Division tables (任务分工表) sent as spreadsheets: .xlsx, .xls, .et (WPS), .ods, and .csv, read as rows
under their headers and written as the lines the extractor reads (ingest.formats.tables, as for Word tables).

python-calamine reads .xlsx, .xls and .ods with one Rust library, never evaluates formulas or macros, reports
merged cells and gives dates as dates; WPS saves .et files in the .xls (BIFF8) layout, which it reads too.
openpyxl would cover only .xlsx and xlrd only .xls. CSV goes through the csv module after the same charset
detection as plain text (GBK is common).

- Title rows above the header are kept as text lines: they carry the document's title and year.
- The header is the first row whose cells all name columns and one names a responsibility or a deadline
  (ingest.formats.tables.is_responsibility_header): 序号, 重点任务, 牵头单位, 配合单位, 完成时限…
- A cell merged over several rows applies to each of them: a lead unit merged down leads every task.
- Dates stored as Excel dates are written 2025年6月30日, which the deadline reader understands.
- Every sheet is read, one after another.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date, datetime, time

from ingest.errors import DocumentError
from ingest.formats.ods_merges import ods_merged_ranges
from ingest.formats.tables import Cell, is_responsibility_header, join_fragments, table_lines
from ingest.formats.text import decode_text

SPREADSHEET_FORMATS = ("xlsx", "xls", "et", "ods")
HEADER_SEARCH_ROWS = 15  # title, subtitle, issuing office and date lines above the header, at most
MAX_CELLS = 2_000_000
DEADLINE_HEADER = re.compile(r"时限|时间|日期|节点")
FULL_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$"
)  # a sheet larger than this is not a division table; refuse before reading it all


def spreadsheet_text(raw: bytes) -> str:
    """The text of every sheet of an .xlsx / .xls / .et / .ods workbook."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except Exception as error:  # calamine raises its own error types for damaged or encrypted files
        raise _corrupt(error) from None
    parts: list[str] = []
    ods_merges: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] | None = None
    try:
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            if sheet.total_height * max(sheet.total_width, 1) > MAX_CELLS:
                raise DocumentError(
                    "too_complex",
                    f"工作表“{name}”过大（{sheet.total_height} 行），不像任务分工表。请只保留分工表后再导入。",
                    f"Sheet {name!r} is too large ({sheet.total_height} rows) for a division table.",
                )
            rows = [[_cell_text(value) for value in row] for row in sheet.to_python(skip_empty_area=False)]
            merged = _merged_ranges(sheet)
            if merged is None:  # an .ods: calamine keeps no merge list, content.xml has the spans
                if ods_merges is None:
                    ods_merges = ods_merged_ranges(raw)
                merged = ods_merges.get(name, [])
            lines = sheet_lines(_with_merges(rows, merged))
            if lines:
                parts.append("\n".join(lines))
    except DocumentError:
        raise
    except Exception as error:
        raise _corrupt(error) from None
    finally:
        workbook.close()
    return "\n\n".join(parts)


def csv_text(raw: bytes) -> str:
    """The text of a .csv division table (comma, tab or semicolon separated; GBK or UTF-8)."""
    text = decode_text(raw).text
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    rows = [[join_fragments([cell]) for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
    return "\n".join(sheet_lines([[(cell, False) for cell in row] for row in rows]))


def sheet_lines(rows: list[list[Cell]]) -> list[str]:
    """Title lines, then the table from its header row on; a sheet without a header is read row by row."""
    rows = [row for row in rows if any(text for text, _ in row)]
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        header = [text for text, _ in row]
        if sum(1 for text in header if text) >= 2 and is_responsibility_header(header):
            titles = [
                "".join(text for text, continued in above if text and not continued) for above in rows[:index]
            ]
            return [line for line in titles if line] + table_lines(_dated(rows[index:], header))
    return table_lines(rows)


def _dated(rows: list[list[Cell]], header: list[str]) -> list[list[Cell]]:
    """A bare date in a deadline column is the day the task is due by: 2025-06-30 -> 2025年6月30日前.

    The deadline reader takes a bare date in running text for a mention, not for a deadline.
    """
    columns = {index for index, label in enumerate(header) if DEADLINE_HEADER.search(label)}
    dated: list[list[Cell]] = [rows[0]]
    for row in rows[1:]:
        cells = list(row)
        for index in columns & set(range(len(cells))):
            text, continued = cells[index]
            match = FULL_DATE.match(text)
            if match:
                cells[index] = (f"{int(match[1])}年{int(match[2])}月{int(match[3])}日前", continued)
        dated.append(cells)
    return dated


def _cell_text(value: object) -> str:
    if value is None or isinstance(value, time):
        return ""
    if isinstance(value, datetime | date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return join_fragments(str(value).splitlines())


def _merged_ranges(sheet: object) -> list[tuple[tuple[int, int], tuple[int, int]]] | None:
    ranges = getattr(sheet, "merged_cell_ranges", None)  # None for formats that keep no merge list (.ods)
    return None if ranges is None else list(ranges)


def _with_merges(
    rows: list[list[str]], merged: Iterable[tuple[tuple[int, int], tuple[int, int]]]
) -> list[list[Cell]]:
    """Cells as (text, merged from the row above): a merged range's value fills every cell it covers."""
    cells: list[list[Cell]] = [[(text, False) for text in row] for row in rows]
    for (top, left), (bottom, right) in merged:
        if top >= len(cells) or left >= len(cells[top]):
            continue
        value = cells[top][left][0]
        for row_index in range(top, min(bottom, len(cells) - 1) + 1):
            for column in range(left, min(right, len(cells[row_index]) - 1) + 1):
                if (row_index, column) == (top, left):
                    continue
                # a merge across columns holds one value, not one per column; down rows it repeats
                shown = value if column == left else ""
                cells[row_index][column] = (shown, row_index > top)
    return cells


def _corrupt(error: Exception) -> DocumentError:
    return DocumentError(
        "corrupt",
        "表格文件无法读取（已损坏或加密）。请用 Excel 或 WPS 打开后另存为 .xlsx 再导入。",
        f"The spreadsheet cannot be read ({type(error).__name__}); save it again as .xlsx.",
    )
