"""Loading Word .docx files: paragraphs and tables in document order, division tables as structured lines."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document

from ingest.errors import DocumentError
from ingest.load import load_source
from tests.ingest.fixtures_load.builders import docx_bytes


def load_docx(tmp_path: Path, raw: bytes, name: str = "plan.docx"):
    path = tmp_path / name
    path.write_bytes(raw)
    return load_source(str(path))


def test_paragraphs_and_tables_keep_document_order(tmp_path):
    raw = docx_bytes(
        [
            "第一章 总体要求",
            [["指标", "2025年"], ["地区生产总值增速", "6%"]],
            "第二章 保障措施",
            [
                ["序号", "重点任务", "牵头单位", "责任单位", "完成时限"],
                ["1", "建立年度监测制度。", "区发展改革局", "区统计局、区财政局", "2025年底前"],
            ],
            "区政府每年向区人大报告规划实施情况。",
        ]
    )
    loaded = load_docx(tmp_path, raw)
    assert loaded.format == "docx"
    assert loaded.encoding is None
    assert loaded.text.split("\n") == [
        "第一章 总体要求",
        "指标：2025年",
        "地区生产总值增速：6%",
        "第二章 保障措施",
        "建立年度监测制度；牵头单位：区发展改革局；责任单位：区统计局、区财政局；完成时限：2025年底前。",
        "区政府每年向区人大报告规划实施情况。",
    ]


def test_two_cell_label_rows_read_as_label_and_value(tmp_path):
    raw = docx_bytes(
        [[["牵头单位", "区发展改革局"], ["配合单位：", "区财政局"], ["工作任务", "编制年度计划并组织实施"]]]
    )
    assert load_docx(tmp_path, raw).text.split("\n") == [
        "牵头单位：区发展改革局",
        "配合单位：区财政局",
        "工作任务：编制年度计划并组织实施",
    ]


def test_rows_of_an_ordinary_table_join_cells_with_tabs(tmp_path):
    raw = docx_bytes([[["指标名称", "单位", "2020年", "2025年"], ["常住人口城镇化率", "%", "62", "68"]]])
    assert load_docx(tmp_path, raw).text.split("\n") == [
        "指标名称\t单位\t2020年\t2025年",
        "常住人口城镇化率\t%\t62\t68",
    ]


def test_a_unit_merged_down_several_rows_applies_to_each_row(tmp_path):
    document = Document()
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "工作任务", "牵头单位"
    table.cell(1, 0).text = "开展规划中期评估"
    table.cell(2, 0).text = "开展规划总结评估"
    merged = table.cell(1, 1).merge(table.cell(2, 1))
    merged.text = "区发展改革局"
    buffer = io.BytesIO()
    document.save(buffer)
    assert load_docx(tmp_path, buffer.getvalue()).text.split("\n") == [
        "开展规划中期评估；牵头单位：区发展改革局。",
        "开展规划总结评估；牵头单位：区发展改革局。",
    ]


def test_horizontally_merged_cells_are_read_once(tmp_path):
    document = Document()
    table = document.add_table(rows=1, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "专栏1 重大项目"
    table.cell(0, 2).text = "10项"
    buffer = io.BytesIO()
    document.save(buffer)
    assert load_docx(tmp_path, buffer.getvalue()).text == "专栏1 重大项目\t10项"


def test_a_cell_with_several_sentences_stays_one_sentence_on_its_row(tmp_path):
    document = Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "工作任务", "责任单位"
    task = table.cell(1, 0)
    task.text = "完善规划实施机制。"
    task.add_paragraph("强化年度监测。")
    table.cell(1, 1).text = "区发展改革局"
    buffer = io.BytesIO()
    document.save(buffer)
    assert (
        load_docx(tmp_path, buffer.getvalue()).text
        == "完善规划实施机制；强化年度监测；责任单位：区发展改革局。"
    )


def test_line_breaks_inside_a_paragraph_survive(tmp_path):
    document = Document()
    paragraph = document.add_paragraph("第一行")
    paragraph.add_run().add_break()
    paragraph.add_run("第二行")
    buffer = io.BytesIO()
    document.save(buffer)
    assert load_docx(tmp_path, buffer.getvalue()).text == "第一行\n第二行"


def test_a_docx_found_by_its_bytes_whatever_its_name(tmp_path):
    raw = docx_bytes(["区发展改革局牵头。"])
    assert load_docx(tmp_path, raw, name="download.bin").format == "docx"


def test_a_docx_without_text_is_refused(tmp_path):
    with pytest.raises(DocumentError) as caught:
        load_docx(tmp_path, docx_bytes(["", "  "]))
    assert caught.value.code == "no_text"


def test_a_damaged_docx_is_refused(tmp_path):
    raw = docx_bytes(["区发展改革局牵头。"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "word/document.xml":
                content = content[: len(content) // 2]  # cut off mid-element
            target.writestr(item, content)
    with pytest.raises(DocumentError) as caught:
        load_docx(tmp_path, buffer.getvalue())
    assert caught.value.code == "corrupt"
    assert "另存为" in caught.value.zh


def test_a_truncated_zip_is_refused_as_corrupt(tmp_path):
    raw = docx_bytes(["区发展改革局牵头。"])
    with pytest.raises(DocumentError) as caught:
        load_docx(tmp_path, raw[:200])
    assert caught.value.code == "corrupt"


def test_a_zip_that_is_not_a_word_file_is_an_unknown_format(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ppt/presentation.xml", "<presentation/>")  # xl/workbook.xml is a spreadsheet now
    with pytest.raises(DocumentError) as caught:
        load_docx(tmp_path, buffer.getvalue(), name="download.bin")
    assert caught.value.code == "unknown_format"
    assert ".bin" in caught.value.zh and ".xlsx" in caught.value.zh  # it names what would be read
