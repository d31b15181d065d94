"""Loading PDFs: paragraphs rebuilt from the line layout, page furniture dropped, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.errors import DocumentError
from ingest.load import load_source
from tests.ingest.fixtures_load.builders import PdfLine, chinese_lines, pdf_bytes

MONITORING = "区发展改革局牵头，会同各有关部门建立规划实施年度监测制度，每年向区人大常委会报告规划实施情况。"
REVIEW = "二〇二三年组织开展规划中期评估，评估结果作为调整规划目标的依据。"
DIVISION = "各功能区、各镇（街道）要按照职责分工，细化落实本规划确定的主要目标和重点任务，确保各项任务按期完成并取得实效。"


def load_pdf(tmp_path: Path, pages: list[list[PdfLine]], name: str = "plan.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf_bytes(pages))
    loaded = load_source(str(path))
    assert loaded.format == "pdf"
    return loaded.text


def test_wrapped_chinese_paragraphs_are_joined_again(tmp_path):
    text = load_pdf(tmp_path, [chinese_lines([MONITORING, REVIEW, DIVISION])])
    assert text.split("\n") == [MONITORING, REVIEW, DIVISION]


def test_a_heading_flush_left_after_a_full_line_starts_its_own_paragraph(tmp_path):
    lines = chinese_lines([MONITORING])
    last = lines[-1]
    lines.append(PdfLine(72, last.y + 18, "第十五章 规划实施保障"))
    lines.append(PdfLine(72, last.y + 36, "（一）加强组织领导"))
    lines.extend(chinese_lines([REVIEW], top=last.y + 54))
    assert load_pdf(tmp_path, [lines]).split("\n") == [
        MONITORING,
        "第十五章 规划实施保障",
        "（一）加强组织领导",
        REVIEW,
    ]


def test_numbered_items_start_paragraphs_but_a_wrapped_decimal_does_not(tmp_path):
    lines = [
        PdfLine(72, 80, "1．建立规划实施年度监测制度，由区发展改革局牵头，每年第一季度完成上"),
        PdfLine(72, 98, "年度监测报告，全区生产总值增长"),
        PdfLine(72, 116, "2.开展规划中期评估，区统计局配合，地区生产总值年均增长要达到"),
        PdfLine(72, 134, "6.5%左右。"),
    ]
    assert load_pdf(tmp_path, [lines]).split("\n") == [
        "1．建立规划实施年度监测制度，由区发展改革局牵头，每年第一季度完成上年度监测报告，全区生产总值增长",
        "2.开展规划中期评估，区统计局配合，地区生产总值年均增长要达到6.5%左右。",
    ]


def test_english_paragraphs_break_on_indent_gap_and_short_last_line(tmp_path):
    lines = [
        PdfLine(72, 80, "Planning offices publish long documents whose lines"),
        PdfLine(72, 95, "wrap at the right margin of the page, and a reader"),
        PdfLine(72, 110, "joins them again."),
        PdfLine(72, 125, "This paragraph is set flush left, block style, so only"),
        PdfLine(72, 140, "the short line above tells where the first one ended."),
        PdfLine(96, 155, "An indented first line opens the third paragraph, which"),
        PdfLine(72, 170, "continues flush left on its second line."),
        PdfLine(72, 215, "After a wide gap comes the fourth paragraph."),
    ]
    assert load_pdf(tmp_path, [lines]).split("\n") == [
        "Planning offices publish long documents whose lines wrap at the right margin of the page, and a "
        "reader joins them again.",
        "This paragraph is set flush left, block style, so only the short line above tells where the first "
        "one ended.",
        "An indented first line opens the third paragraph, which continues flush left on its second line.",
        "After a wide gap comes the fourth paragraph.",
    ]


def test_a_word_hyphenated_at_the_line_end_is_rejoined(tmp_path):
    lines = [
        PdfLine(72, 80, "The district government reports every year on the imple-"),
        PdfLine(72, 95, "mentation of the plan."),
    ]
    assert (
        load_pdf(tmp_path, [lines])
        == "The district government reports every year on the implementation of the plan."
    )


def test_a_font_size_change_separates_a_title_from_the_body(tmp_path):
    lines = [PdfLine(72, 60, "莱芜区国民经济和社会发展计划", size=18), *chinese_lines([REVIEW], top=90)]
    lines[1] = PdfLine(72, 90, lines[1].text)  # flush left, so only the size tells them apart
    text = load_pdf(tmp_path, [lines])
    assert text.split("\n")[0] == "莱芜区国民经济和社会发展计划"


def test_a_paragraph_running_over_a_page_break_is_joined_and_page_numbers_dropped(tmp_path):
    lines = chinese_lines([MONITORING, DIVISION])
    # cut DIVISION after its second line: the rest goes to page two, flush left, under a page number
    cut = len(chinese_lines([MONITORING])) + 2
    first_page = [*lines[:cut], PdfLine(280, 800, "— 1 —")]
    second_page = [PdfLine(72, 80, line.text) for line in lines[cut:]]
    second_page += [*chinese_lines([REVIEW], top=80 + 18 * len(second_page)), PdfLine(290, 800, "2")]
    text = load_pdf(tmp_path, [first_page, second_page])
    assert text.split("\n") == [MONITORING, DIVISION, REVIEW]


def test_a_new_paragraph_at_the_top_of_a_page_stays_apart(tmp_path):
    pages = [chinese_lines([MONITORING]), chinese_lines([REVIEW])]
    assert load_pdf(tmp_path, pages).split("\n") == [MONITORING, REVIEW]


def test_running_headers_repeated_on_every_page_are_dropped(tmp_path):
    pages = []
    for number, paragraph in enumerate([MONITORING, REVIEW, DIVISION], start=1):
        header = PdfLine(200, 40, "莱芜区人民政府文件")
        footer = PdfLine(290, 800, f"第 {number} 页")
        pages.append([header, *chinese_lines([paragraph]), footer])
    assert load_pdf(tmp_path, pages).split("\n") == [MONITORING, REVIEW, DIVISION]


def test_a_pdf_is_recognised_by_its_bytes_whatever_its_name(tmp_path):
    assert load_pdf(tmp_path, [chinese_lines([REVIEW])], name="download.txt") == REVIEW


def test_a_pdf_without_text_is_refused_with_an_ocr_hint(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf_bytes([[], []]))  # pages with no text layer, as a scan has
    with pytest.raises(DocumentError) as caught:
        load_source(str(path))
    assert caught.value.code == "no_text"
    assert "OCR" in caught.value.zh and "OCR" in caught.value.en


def test_a_damaged_pdf_is_refused(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 10)
    with pytest.raises(DocumentError) as caught:
        load_source(str(path))
    assert caught.value.code == "corrupt"
    assert "PDF" in caught.value.zh and "damaged" in caught.value.en


def test_a_pdf_whose_pages_cannot_be_found_has_no_text(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << /Root 1 0 R >>\n"
    )
    with pytest.raises(DocumentError) as caught:
        load_source(str(path))
    assert caught.value.code == "no_text"


def test_letter_spaced_chinese_titles_lose_their_spaces_and_headings_keep_theirs(tmp_path):
    lines = [
        PdfLine(150, 60, "关于印发实施方案的通知", size=16, spacing=8),
        PdfLine(72, 100, "第一章 总体要求", size=14),
    ]
    assert load_pdf(tmp_path, [lines]).split("\n") == ["关于印发实施方案的通知", "第一章 总体要求"]


def test_indentation_made_of_full_width_spaces_counts_as_indentation(tmp_path):
    flush = chinese_lines([MONITORING, REVIEW])
    # the same layout, but every first line starts at the margin with two ideographic spaces
    lines = [PdfLine(72, line.y, "　　" + line.text) if line.x > 72 else line for line in flush]
    assert load_pdf(tmp_path, [lines]).split("\n") == [MONITORING, REVIEW]


def test_characters_drawn_twice_for_fake_bold_are_read_once(tmp_path):
    lines = chinese_lines([REVIEW])
    doubled = [
        line
        for original in lines
        for line in (original, PdfLine(original.x + 0.3, original.y, original.text))
    ]
    assert load_pdf(tmp_path, [doubled]) == REVIEW
