"""Division tables as real .xls, .et and .ods files, written here by xlwt and odfpy (invented text), read by
`planbot extract` as a user runs it: rows under their headers, each task with its units and its deadline.

WPS saves .et files in the .xls (BIFF8) layout, so an .et here is an .xls written under the .et name.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P

from ingest.load import load_source
from tests.ingest.test_extract_cli import planbot

TITLE = "青石区2025年重点工作任务分工表"
HEADER = ("序号", "重点任务", "牵头单位", "配合单位", "完成时限")
# (number, task, lead, co, deadline): the second row's lead is merged down from the first, its deadline an
# Excel date like the first; the third writes its deadline in words
ROWS = (
    (1, "完成工业技改项目库建设", "区工信局", "区财政局", datetime(2025, 6, 30)),
    (2, "建成智慧物流园区一期", None, "区交通运输局", datetime(2025, 9, 30)),
    (3, "新增公办幼儿园学位600个", "区教体局", "", "2025年8月底前"),
)
EXPECTED = {
    "完成工业技改项目库建设": ({"区工信局"}, {"区财政局"}, "2025-06-30"),
    "建成智慧物流园区一期": ({"区工信局"}, {"区交通运输局"}, "2025-09-30"),
    "新增公办幼儿园学位600个": ({"区教体局"}, set(), "2025-08-31"),
}


def write_xls(path: Path) -> Path:
    """Title merged across the table on row 1, a blank row, the header on row 3, the lead merged over two rows."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("重点任务")
    sheet.write_merge(0, 0, 0, len(HEADER) - 1, TITLE)
    for column, title in enumerate(HEADER):
        sheet.write(2, column, title)
    as_date = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for offset, (number, task, lead, co, due) in enumerate(ROWS):
        row = 3 + offset
        sheet.write(row, 0, number)
        sheet.write(row, 1, task)
        if offset == 0:
            sheet.write_merge(row, row + 1, 2, 2, lead)
        elif lead is not None:
            sheet.write(row, 2, lead)
        sheet.write(row, 3, co)
        if isinstance(due, datetime):
            sheet.write(row, 4, due, as_date)  # stored as an Excel serial date, shown through the format
        else:
            sheet.write(row, 4, due)
    book.save(str(path))
    return path


def write_ods(path: Path) -> Path:
    """The same table as OpenDocument: spanned cells and covered cells, dates as office:date-value."""
    document = OpenDocumentSpreadsheet()
    table = Table(name="重点任务")

    def cell(value: object = None, **spans: int) -> TableCell:
        if isinstance(value, datetime):
            made = TableCell(valuetype="date", datevalue=value.date().isoformat(), **spans)
            made.addElement(P(text=value.date().isoformat()))
        elif isinstance(value, int):
            made = TableCell(valuetype="float", value=value, **spans)
            made.addElement(P(text=str(value)))
        else:
            made = TableCell(valuetype="string", **spans) if value else TableCell(**spans)
            if value:
                made.addElement(P(text=str(value)))
        return made

    title = TableRow()
    title.addElement(cell(TITLE, numbercolumnsspanned=len(HEADER)))
    for _ in HEADER[1:]:
        title.addElement(CoveredTableCell())
    table.addElement(title)
    # two blank rows written once, as office suites save them: the merge below must be counted past them
    blank = TableRow(numberrowsrepeated=2)
    blank.addElement(TableCell(numbercolumnsrepeated=len(HEADER)))
    table.addElement(blank)
    header = TableRow()
    for name in HEADER:
        header.addElement(cell(name))
    table.addElement(header)
    for offset, (number, task, lead, co, due) in enumerate(ROWS):
        row = TableRow()
        row.addElement(cell(number))
        row.addElement(cell(task))
        if offset == 0:
            row.addElement(cell(lead, numberrowsspanned=2))
        elif lead is None:
            row.addElement(CoveredTableCell())
        else:
            row.addElement(cell(lead))
        row.addElement(cell(co))
        row.addElement(cell(due))
        table.addElement(row)
    document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def _xls(directory: Path) -> Path:
    return write_xls(directory / "分工表.xls")


def _et(directory: Path) -> Path:
    # WPS's .et is the BIFF8 layout of .xls: the same bytes under the name WPS gives them
    return Path(shutil.copyfile(write_xls(directory / "写出.xls"), directory / "分工表.et"))


def _ods(directory: Path) -> Path:
    return write_ods(directory / "分工表.ods")


WRITERS = {"xls": _xls, "et": _et, "ods": _ods}


@pytest.mark.parametrize("kind", WRITERS)
def test_the_table_is_read_as_rows_under_their_headers(kind: str, tmp_path: Path) -> None:
    loaded = load_source(str(WRITERS[kind](tmp_path)))
    assert loaded.format == kind
    # the title row first, then each row as its cells under their headers: the merged lead cell leads both
    # rows it covers, and the Excel dates are read as dates
    assert loaded.text.splitlines() == [
        TITLE,
        "完成工业技改项目库建设；牵头单位：区工信局；配合单位：区财政局；完成时限：2025年6月30日前。",
        "建成智慧物流园区一期；牵头单位：区工信局；配合单位：区交通运输局；完成时限：2025年9月30日前。",
        "新增公办幼儿园学位600个；牵头单位：区教体局；完成时限：2025年8月底前。",
    ]


@pytest.mark.parametrize("kind", WRITERS)
def test_planbot_extract_gives_every_row_its_units_and_deadline(kind: str, tmp_path: Path) -> None:
    result = planbot("extract", str(WRITERS[kind](tmp_path)), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    found: dict[str, tuple[set[str], set[str], str | None]] = {}
    for record in records:
        lead, co, _ = found.setdefault(record["task"], (set(), set(), record["due"]))
        (lead if record["role"] == "lead" else co).add(record["department"])
    assert found == EXPECTED
    assert date.fromisoformat(found["完成工业技改项目库建设"][2] or "") == date(2025, 6, 30)
