"""Division tables as .xlsx and .csv, and OFD notices, loaded from files and extracted (invented text)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from ingest.errors import DocumentError
from ingest.formats import ofd
from ingest.formats.ofd import ofd_text
from ingest.formats.sniff import detect_format
from ingest.load import load_source
from ingest.pipeline import extract_document
from ingest.units import default_alias_table
from tests.ingest.ofd_files import make_ofd

TITLE = "青石区2025年重点工作任务分工表"


def _assignments(path: Path) -> dict[str, tuple[list[str], list[str], date | None]]:
    """task -> (lead units, co units, due), as extracted from the file at `path`."""
    document = extract_document(load_source(str(path)), aliases=default_alias_table())
    found: dict[str, tuple[list[str], list[str], date | None]] = {}
    for record in document.records:
        lead, co, _ = found.setdefault(record.task, ([], [], record.due))
        (lead if record.role == "lead" else co).append(str(record.department))
    return found


def _division_xlsx(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "重点任务"
    sheet["A1"] = TITLE  # the title row spans the table, a blank row under it, the header on row 3
    sheet.merge_cells("A1:E1")
    for column, title in enumerate(("序号", "重点任务", "牵头单位", "配合单位", "完成时限"), start=1):
        sheet.cell(row=3, column=column, value=title)
    sheet.append([1, "完成工业技改项目库建设", "区工信局", "区财政局", datetime(2025, 6, 30)])
    sheet.append([2, "建成智慧物流园区一期", None, "区交通运输局", datetime(2025, 9, 30)])
    sheet.merge_cells("C4:C5")  # one lead unit over two tasks
    second = book.create_sheet("民生实事")
    second.append(["序号", "工作任务", "责任单位", "时间节点"])
    second.append([1, "新增公办幼儿园学位600个", "区教体局", "2025年8月底前"])
    book.save(path)
    return path


def test_an_xlsx_division_table_gives_every_row_its_units_and_deadline(tmp_path: Path) -> None:
    found = _assignments(_division_xlsx(tmp_path / "分工表.xlsx"))
    assert found["完成工业技改项目库建设"] == (["区工信局"], ["区财政局"], date(2025, 6, 30))
    # the merged lead cell leads the second task as well
    assert found["建成智慧物流园区一期"] == (["区工信局"], ["区交通运输局"], date(2025, 9, 30))
    assert found["新增公办幼儿园学位600个"][0] == ["区教体局"]
    assert found["新增公办幼儿园学位600个"][2] == date(2025, 8, 31)


def test_the_title_row_above_the_header_is_the_document_title(tmp_path: Path) -> None:
    loaded = load_source(str(_division_xlsx(tmp_path / "分工表.xlsx")))
    assert loaded.format == "xlsx" and loaded.text.splitlines()[0] == TITLE
    document = extract_document(loaded, aliases=default_alias_table())
    assert document.title == TITLE and document.year == 2025


def test_a_gbk_csv_division_table(tmp_path: Path) -> None:
    path = tmp_path / "分工表.csv"
    rows = [
        "序号,重点任务,牵头单位,配合单位,完成时限",
        "1,完成工业技改项目库建设,区工信局,区财政局,2025-06-30",
        "2,建成智慧物流园区一期,区交通运输局,,2025年9月底前",
    ]
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    found = _assignments(path)
    assert found["完成工业技改项目库建设"] == (["区工信局"], ["区财政局"], date(2025, 6, 30))
    assert found["建成智慧物流园区一期"] == (["区交通运输局"], [], date(2025, 9, 30))


NOTICE = "青石区人民政府办公室关于做好2025年重点项目建设工作的通知"
PAGES = [
    [
        NOTICE,
        "各镇（街道）、区直各部门：",
        "一、区发展改革局牵头，区财政局、区自然资源局配合，于2025年9月底前完成全区重点项目",
        "— 1 —",
    ],
    [
        "储备库的更新工作。",
        "二、区住房城乡建设局负责，年底前完成老旧小区改造30个，区财政局",
        "做好资金保障。",
        "— 2 —",
    ],
]


def test_a_two_page_ofd_notice_keeps_its_sentences_whole(tmp_path: Path) -> None:
    path = tmp_path / "通知.ofd"
    path.write_bytes(make_ofd(PAGES, title=NOTICE))
    loaded = load_source(str(path))
    assert loaded.format == "ofd"
    lines = loaded.text.splitlines()
    assert lines[0] == NOTICE and lines.count(NOTICE) == 1
    assert (
        "一、区发展改革局牵头，区财政局、区自然资源局配合，于2025年9月底前完成全区重点项目储备库的更新工作。"
        in lines
    )
    assert "二、区住房城乡建设局负责，年底前完成老旧小区改造30个，区财政局做好资金保障。" in lines
    assert not any("— 1 —" in line or "— 2 —" in line for line in lines)
    found = _assignments(path)
    reserve = next(value for task, value in found.items() if "储备库" in task)
    assert reserve == (["区发展改革局"], ["区财政局", "区自然资源局"], date(2025, 9, 30))


def test_an_ofd_that_inflates_too_far_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ofd, "MAX_INFLATED_BYTES", 100)
    with pytest.raises(DocumentError) as refused:
        ofd_text(make_ofd(PAGES))
    assert refused.value.code == "too_complex"
    with pytest.raises(DocumentError) as damaged:
        ofd_text(b"PK\x03\x04 not really a zip")
    assert damaged.value.code == "corrupt"


def test_spreadsheet_names_and_bytes_choose_their_reader(tmp_path: Path) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert detect_format(ole, name="分工.xls") == "xls"
    assert detect_format(ole, name="分工.et") == "et"
    assert detect_format(ole, name="汇报.doc") == "doc"
    xlsx = _division_xlsx(tmp_path / "a.xlsx").read_bytes()
    assert detect_format(xlsx, name="下载") == "xlsx"
    assert detect_format(make_ofd(PAGES), name="x.bin") == "ofd"
    assert detect_format("序号,任务\n".encode(), name="分工.csv") == "csv"
