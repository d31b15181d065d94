"""Noise removal and the map back to the original text."""

from __future__ import annotations

from ingest.normalize import normalize


def test_traditional_becomes_simplified_and_pinyin_goes():
    result = normalize("濰城區(qū)國民經(jīng)濟和社會發(fā)展規(guī)劃。")
    assert result.text == "潍城区国民经济和社会发展规划。"


def test_acronyms_in_brackets_stay():
    result = normalize("规范推广政府和社会资本合作（PPP）模式，提高地区生产总值(GDP)质量。")
    assert "（PPP）" in result.text and "(GDP)" in result.text


def test_bookmarks_page_numbers_and_blank_lines_go():
    raw = "[bookmark: _GoBack]区政府统筹推进规划实施。\n\n—41—\n\n- 12 -\n第3页 共10页\n区发改局负责协调。"
    assert normalize(raw).text == "区政府统筹推进规划实施。\n区发改局负责协调。"


def test_hard_line_breaks_inside_a_sentence_are_joined():
    raw = "深化人才体制机制改革，建设高素质人才队伍，不断夯实建设现代化强区的人才基础，推进改\n革取得新成效。\n第二节 完善规划体系"
    text = normalize(raw).text
    assert "推进改革取得新成效。" in text
    assert text.endswith("\n第二节 完善规划体系")


def test_titles_and_headings_are_not_joined():
    raw = "青川市临河区国民经济和社会发展\n第十四个五年规划纲要\n第一章 发展基础\n正文第一句。"
    lines = normalize(raw).text.split("\n")
    assert "第一章 发展基础" in lines


def test_advertising_block_at_the_top_is_removed():
    raw = "仅供学习 禁止外传\n某某文库\n现在订阅立享会员资料\n会员群：12345\n在全区规划工作会议上的讲话\n同志们，今天我们召开会议。"
    text = normalize(raw).text
    assert text.startswith("在全区规划工作会议上的讲话")
    assert "订阅" not in text


def test_repeated_page_headers_are_removed_but_labels_stay():
    page = "临河区人民政府公报\n正文第{n}段，内容较长不会被当作页眉。\n牵头单位：区发改局\n"
    text = normalize("".join(page.format(n=n) for n in range(4))).text
    assert "公报" not in text
    assert text.count("牵头单位：区发改局") == 4


def test_mojibake_is_flagged_and_does_not_split_sentences():
    result = normalize(
        "(山東?。H坊市濰城區國民經濟規劃\n編制《綱要》?!毒V要》以習近平新時代中國特色社會主義思想為指導。"
    )
    assert result.warnings and "乱码" in result.warnings[0]
    assert result.mojibake_spans


def test_offsets_map_back_to_the_original():
    raw = "  區(qū)政府統籌推進。\n\n[bookmark: x]區發改局負責協調。"
    result = normalize(raw)
    start = result.text.index("区发改局")
    assert raw[result.to_source(start)] == "區"
    assert raw[result.to_source(start + 1)] == "發"
    assert raw[result.to_source(result.text.index("政府"))] == "政"


def test_empty_and_blank_text_has_no_text():
    assert not normalize("").has_text
    assert not normalize(" \n\n\t—1—\n").has_text


def test_a_flattened_page_gets_its_items_back_on_lines_of_their_own():
    items = "".join(f" {n}.区住建局要完成第{n}项改造任务，确保按期交付使用并接受验收。" for n in range(1, 10))
    raw = "关于开展专项督办的通知 现将有关事项通知如下。 一、督办事项" + items
    assert len(raw) >= 300
    text = normalize(raw).text
    assert "\n一、督办事项" in text and "\n3.区住建局要完成第3项" in text
    short = "现将有关事项通知如下。 一、督办事项 1.区住建局要完成改造。"
    assert normalize(short).text == short  # a short line is a sentence with spaces, left as it is
