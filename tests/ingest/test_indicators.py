"""A plan's main indicators: the same table in every shape it reaches us in, value forms, categories, units from
notes, an annual plan's quantified targets, and the real 泰山区 plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from ingest.indicator_values import parse_target, split_name
from ingest.indicators import extract_indicators, indicator_table_spans
from ingest.load import load_source
from ingest.pipeline import extract_document
from ingest.records import IndicatorRecord, LoadedDocument
from ingest.structure import analyse
from ingest.units import default_alias_table

DOCS = Path(__file__).parent / "indicator_docs"


def indicators_of(path: Path) -> list[IndicatorRecord]:
    return extract_document(load_source(str(path))).indicators


def comparable(record: IndicatorRecord) -> tuple:
    """Everything but where the row sits, which differs from one shape to another."""
    return (
        record.category,
        record.name,
        record.unit,
        record.base_year,
        record.base_value,
        record.target_year,
        record.target_value,
        record.target_number,
        record.comparison,
        record.annual_growth,
        record.attribute,
        record.departments,
    )


def linhe_docx(tmp_path: Path) -> Path:
    """The tab-row document rebuilt as Word: paragraphs, then the table, its category rows merged across."""
    lines = (DOCS / "linhe_tab_rows.txt").read_text(encoding="utf-8").split("\n")
    table_lines = [
        line
        for line in lines
        if "\t" in line or line in ("经济发展", "创新驱动", "民生福祉", "绿色生态", "安全保障")
    ]
    document = Document()
    for line in lines[: lines.index(table_lines[0])]:
        document.add_paragraph(line)
    table = document.add_table(rows=0, cols=7)
    for line in table_lines:
        cells = table.add_row().cells
        values = line.split("\t")
        if len(values) == 1:
            cells[0].merge(cells[-1]).text = values[0]
        else:
            for cell, value in zip(cells, values, strict=True):
                cell.text = value
    for line in lines[lines.index(table_lines[-1]) + 1 :]:
        document.add_paragraph(line)
    path = tmp_path / "linhe.docx"
    document.save(str(path))
    return path


def test_tab_rows_read_every_column():
    records = indicators_of(DOCS / "linhe_tab_rows.txt")
    assert [record.name for record in records] == [
        "地区生产总值增速",
        "一般公共预算收入",
        "常住人口城镇化率",
        "研发经费投入强度",
        "每万人口高价值发明专利拥有量",
        "城镇新增就业人数",
        "人均预期寿命",
        "城镇调查失业率",
        "单位地区生产总值能源消耗降低",
        "森林覆盖率",
        "粮食综合生产能力",
    ]
    revenue = records[1]
    assert comparable(revenue) == (
        "经济发展",
        "一般公共预算收入",
        "亿元",
        2020,
        "18.6",
        2025,
        "24.3",
        24.3,
        None,
        ">5.5",
        "预期性",
        ("区财政局",),
    )


def test_the_same_table_as_pipe_rows_cell_lines_space_rows_and_word_extracts_the_same_indicators(tmp_path):
    expected = [comparable(record) for record in indicators_of(DOCS / "linhe_tab_rows.txt")]
    assert len(expected) == 11
    # linhe_space_rows.txt is the table as a PDF's text gives it: cells apart by spaces
    others = ("linhe_pipe_rows.txt", "linhe_cell_lines.txt", "linhe_space_rows.txt")
    for path in (*(DOCS / name for name in others), linhe_docx(tmp_path)):
        assert [comparable(record) for record in indicators_of(path)] == expected, path.name


@pytest.mark.parametrize("name", ["linhe_tab_rows.txt", "linhe_cell_lines.txt"])
def test_a_header_repeated_on_a_new_page_is_no_row(name):
    plain = (DOCS / name).read_text(encoding="utf-8")
    header = plain[plain.index("\t序号" if "cell" in name else "序号") : plain.index("经济发展") - 1]
    # the table runs over a page break before 创新驱动, and the new page repeats the header
    paged = plain.replace("\t创新驱动" if "cell" in name else "创新驱动", header + "\n\t创新驱动", 1)
    assert paged.count("指标（单位）") == 2
    outline = analyse(paged)
    expected = [comparable(record) for record in indicators_of(DOCS / "linhe_tab_rows.txt")]
    records = extract_indicators(paged, outline, aliases=default_alias_table())
    assert [comparable(record) for record in records] == expected


def test_a_line_of_words_under_a_table_ends_it():
    # a space-separated table ends at the first line that holds no value, not at the end of the text
    text = (
        "临河区国民经济和社会发展第十四个五年规划纲要\n"
        "指标（单位） 2020年 2025年 属性\n"
        "森林覆盖率（%） 32.4 33 约束性\n"
        "第二章  构建现代产业体系\n"
        "区工业和信息化局 区财政局 区统计局\n"
    )
    [forest] = extract_indicators(text, analyse(text), aliases=default_alias_table())
    assert forest.name == "森林覆盖率"
    [(start, end)] = indicator_table_spans(text)
    assert text[start:end].endswith("约束性")


def test_a_row_read_from_the_source_points_at_the_table_not_at_prose_before_it():
    raw = (DOCS / "linhe_cell_lines.txt").read_text(encoding="utf-8")
    raw = raw.replace("城乡居民生活更加富足。", "城乡居民生活更加富足，地区生产总值增速保持合理区间。")
    document = extract_document(LoadedDocument("linhe.txt", "txt", raw, "0" * 64))
    growth = document.indicators[0]
    assert document.text[growth.span[0] : growth.span[1]] == "地区生产总值增速（%）"


def test_cell_lines_survive_normalization_dropping_lone_numbers_and_repeated_cells():
    # the normalized text has lost "1", "-" and "预期性" as page numbers and page headers: the records still
    # carry them, and each span points at its row's name in the normalized text
    document = extract_document(load_source(str(DOCS / "linhe_cell_lines.txt")))
    assert "\n预期性\n" not in document.text
    forest = next(record for record in document.indicators if record.name == "森林覆盖率")
    assert (forest.base_value, forest.target_value, forest.attribute) == ("32.4", "33", "约束性")
    assert document.text[forest.span[0] : forest.span[1]].startswith("森林覆盖率（%）")


@pytest.mark.parametrize(
    ("written", "number", "comparison"),
    [
        ("5.5", 5.5, None),
        (">5.5", 5.5, ">="),
        ("≥2.5", 2.5, ">="),
        ("不低于12", 12.0, ">="),
        ("5%以上", 5.0, ">="),
        ("6.5-7", 6.5, ">="),  # a range is a floor
        ("<3", 3.0, "<="),
        ("≤0.5", 0.5, "<="),
        ("5.5以内", 5.5, "<="),
        ("不高于4.5", 4.5, "<="),
        ("小于0.01", 0.01, "<="),
        ("80左右", 80.0, "≈"),
        ("约7.5", 7.5, "≈"),
        ("6%左右", 6.0, "≈"),
        ("〔5〕", 5.0, None),
        ("[13.5]", 13.5, None),
        ("完成市下达任务", None, None),
        ("-", None, None),
        ("—", None, None),
        (None, None, None),
    ],
)
def test_values_parse_into_a_number_and_a_comparison(written, number, comparison):
    assert parse_target(written) == (number, comparison)


def test_values_are_kept_as_written():
    by_name = {record.name: record for record in indicators_of(DOCS / "linhe_tab_rows.txt")}
    assert by_name["城镇新增就业人数"].target_value == "〔1.5〕"
    assert by_name["城镇新增就业人数"].base_value == "-"
    assert by_name["人均预期寿命"].target_value == "79左右"
    assert by_name["单位地区生产总值能源消耗降低"].target_value == "完成市下达任务"
    assert by_name["单位地区生产总值能源消耗降低"].target_number is None
    assert by_name["城镇调查失业率"].comparison == "<="


def test_a_growth_rate_with_no_target_level_takes_its_annual_growth_as_target():
    growth = indicators_of(DOCS / "linhe_tab_rows.txt")[0]
    assert (growth.name, growth.base_value, growth.annual_growth) == ("地区生产总值增速", "4.2", "6左右")
    assert (growth.target_value, growth.target_number, growth.comparison) == ("6左右", 6.0, "≈")


def test_a_level_with_no_target_keeps_none_rather_than_its_growth():
    # 年均增长 6 is no 2025 level of a total in 亿元: only rates take their growth as the target
    text = (
        "临河区国民经济和社会发展第十四个五年规划纲要\n"
        "指标（单位）\t2020年\t2025年\t年均增长（%）\t属性\n"
        "地区生产总值（亿元）\t350\t-\t6\t预期性\n"
    )
    [gdp] = extract_indicators(text, analyse(text), aliases=default_alias_table())
    assert (gdp.target_value, gdp.target_number, gdp.annual_growth) == ("-", None, "6")


def test_names_keep_inner_brackets_and_lose_their_unit_and_number():
    assert split_name("（8）每千人口拥有执业（助理）医师数（人）") == ("每千人口拥有执业（助理）医师数", "人")
    assert split_name("12.森林覆盖率（%）") == ("森林覆盖率", "%")
    assert split_name("地区生产总值") == ("地区生产总值", None)


def test_a_name_opening_with_a_digit_is_still_a_name_and_a_row_of_dashes_is_none():
    text = (
        "临河区国民经济和社会发展第十四个五年规划纲要\n"
        "指标（单位）\t2020年\t2025年\t属性\n"
        "5G基站数（个）\t300\t1200\t预期性\n"
        "-\t-\t-\t-\n"
    )
    records = extract_indicators(text, analyse(text), aliases=default_alias_table())
    assert [(r.name, r.unit, r.base_value, r.target_number) for r in records] == [
        ("5G基站数", "个", "300", 1200.0)
    ]


def test_category_rows_set_the_category_of_the_rows_below():
    categories = [(record.category, record.name) for record in indicators_of(DOCS / "linhe_cell_lines.txt")]
    assert categories[2] == ("经济发展", "常住人口城镇化率")
    assert categories[3] == ("创新驱动", "研发经费投入强度")
    assert categories[-1] == ("安全保障", "粮食综合生产能力")


def test_a_category_column_fills_the_category():
    text = (
        "临河区国民经济和社会发展第十四个五年规划纲要\n"
        "类别\t指标\t单位\t2020年\t2025年\t属性\n"
        "绿色生态\t森林覆盖率\t%\t32.4\t33\t约束性\n"
        "民生福祉\t人均预期寿命\t岁\t78.6\t79左右\t预期性\n"
    )
    records = extract_indicators(text, analyse(text), aliases=default_alias_table())
    assert [(r.category, r.name, r.unit, r.target_value) for r in records] == [
        ("绿色生态", "森林覆盖率", "%", "33"),
        ("民生福祉", "人均预期寿命", "岁", "79左右"),
    ]


def test_units_come_from_a_note_under_the_row_and_from_notes_under_the_table():
    by_name = {record.name: record for record in indicators_of(DOCS / "linhe_notes.txt")}
    emissions = by_name["单位地区生产总值二氧化碳排放降低"]
    assert emissions.departments == ("区生态环境局", "区发展改革局", "区统计局")
    assert (emissions.target_value, emissions.target_number, emissions.attribute) == (
        "〔18〕",
        18.0,
        "约束性",
    )
    # the 注 names 回收利用率 for one unit, and gives 其余指标 to another
    assert by_name["城市生活垃圾回收利用率"].departments == ("区城市管理局",)
    assert by_name["地表水达到或好于Ⅲ类水体比例"].departments == ("区生态环境局",)


def test_attribute_comes_from_a_note_when_the_table_has_no_column_for_it():
    text = (
        "临河区国民经济和社会发展第十四个五年规划纲要\n"
        "指标（单位）\t2020年\t2025年\t年均增长（%）\n"
        "研发经费投入增长（%）\t-\t-\t8\n"
        "（预期性指标，牵头单位：区科技局）\n"
    )
    [research] = extract_indicators(text, analyse(text), aliases=default_alias_table())
    assert (research.attribute, research.departments, research.target_number) == (
        "预期性",
        ("区科技局",),
        8.0,
    )


def test_indicator_table_spans_cover_the_table_and_nothing_after_it():
    document = extract_document(load_source(str(DOCS / "linhe_tab_rows.txt")))
    [(start, end)] = indicator_table_spans(document.text)
    table = document.text[start:end]
    assert table.startswith("序号\t指标（单位）")
    assert table.endswith("区农业农村局\n注：〔〕内为五年累计数。")  # the notes under a table are part of it
    assert "区工业和信息化局" not in table


def test_table_rows_do_not_become_tasks_in_tab_cell_and_space_forms():
    for name in ("linhe_tab_rows.txt", "linhe_cell_lines.txt", "linhe_space_rows.txt"):
        document = extract_document(load_source(str(DOCS / name)))
        assert [record.department for record in document.records] == ["区工业和信息化局"], name


def test_annual_plan_targets_are_indicators_of_its_year():
    document = extract_document(load_source(str(DOCS / "linhe_annual_plan_2024.txt")))
    assert (document.kind, document.year) == ("annual_plan", 2024)
    by_name = {record.name: record for record in document.indicators}
    gdp = by_name["地区生产总值增长"]
    assert (gdp.unit, gdp.target_year, gdp.target_value, gdp.target_number, gdp.comparison) == (
        "%",
        2024,
        "6%左右",
        6.0,
        "≈",
    )
    assert (by_name["一般公共预算收入增长"].target_number, by_name["一般公共预算收入增长"].comparison) == (
        5.0,
        ">=",
    )
    assert (by_name["城镇新增就业"].unit, by_name["城镇新增就业"].target_number) == ("人", 3000.0)
    assert (by_name["城镇调查失业率"].target_number, by_name["城镇调查失业率"].comparison) == (5.5, "<=")
    firms = by_name["新培育高新技术企业"]
    assert (firms.unit, firms.target_value, firms.target_number, firms.target_year) == (
        "家",
        "16家",
        16.0,
        2024,
    )
    assert firms.evidence == document.text[firms.span[0] : firms.span[1]]
    assert "新培育高新技术企业16家" in firms.evidence
    # the unit that opens the sentence is responsible, and its name is not part of the indicator's
    farmland = by_name["新建高标准农田"]
    assert (farmland.target_number, farmland.unit, farmland.departments) == (1.2, "万亩", ("区农业农村局",))


def test_last_years_results_in_an_annual_plan_are_no_targets():
    # 2023's 215亿元, 2860人 and 12家 are what was done; 2024's plan aims at 3000 and 16
    indicators = indicators_of(DOCS / "linhe_annual_plan_2024.txt")
    numbers = {record.target_number for record in indicators}
    assert not numbers & {215.0, 2860.0, 12.0, 5.1}
    assert all(record.target_year == 2024 for record in indicators)


def test_a_count_of_named_examples_or_of_a_noun_after_it_is_no_indicator():
    # "临河纺织等3个项目": the words before the number are examples; "4个智慧社区": the count precedes its noun
    text = "临河区2024年国民经济和社会发展计划\n二、2024年主要目标\n力争推动临河纺织等3个项目建成投产，建成4个智慧社区。\n"
    outline = analyse(text)
    assert (outline.kind, outline.year) == ("annual_plan", 2024)
    assert extract_indicators(text, outline, aliases=default_alias_table()) == []


def test_an_annual_breakdown_gives_its_targets_the_units_of_their_row():
    document = extract_document(load_source(str(DOCS / "linhe_breakdown_2024.txt")))
    assert document.kind == "annual_breakdown"
    assert [(r.name, r.target_number, r.unit, r.departments) for r in document.indicators] == [
        ("新培育高新技术企业", 16.0, "家", ("区科技局", "区财政局")),
        ("城镇新增就业", 3000.0, "人", ("区人力资源社会保障局",)),
        (
            "组织开展夜间消费活动",
            12.0,
            "场",
            ("区商务局", "各街道办事处"),
        ),  # labels on the lines under the item
        ("新建口袋公园", 8.0, "处", ("区城市管理局", "区财政局")),  # a bracketed role note after it
    ]
    assert document.indicators[2].comparison == ">="  # 不少于12场


def test_a_five_year_plan_has_no_sentence_targets():
    # only annual plans turn quantified sentences into indicators: a five-year plan's are in its table
    names = [record.name for record in indicators_of(DOCS / "linhe_notes.txt")]
    assert len(names) == 3


def test_items_with_an_indicator_note_are_indicators_of_the_plan_period():
    # a division plan assigns the indicators as items, each with （预期性指标，牵头单位：…）
    document = extract_document(load_source(str(DOCS / "linhe_division_2021.txt")))
    assert document.kind == "division_plan"
    by_name = {record.name: record for record in document.indicators}
    assert list(by_name) == [
        "一般公共预算收入年均增长",
        "城镇新增就业",
        "单位地区生产总值能源消耗降低",
        "耕地保有量",
    ]
    revenue = by_name["一般公共预算收入年均增长"]
    assert (revenue.attribute, revenue.target_year, revenue.target_number, revenue.comparison) == (
        "预期性",
        2025,
        5.5,
        "≈",
    )
    assert revenue.departments == ("区财政局", "区税务局")
    assert by_name["城镇新增就业"].target_value == "累计1.8万人"  # a five-year total stays one
    energy = by_name["单位地区生产总值能源消耗降低"]
    assert (energy.target_value, energy.target_number, energy.attribute) == ("完成市下达任务", None, "约束性")
    assert energy.departments == ("区发展改革局", "区工业和信息化局", "区住房城乡建设局")
    farmland = by_name["耕地保有量"]
    assert (farmland.unit, farmland.target_number, farmland.comparison) == ("万亩", 36.0, ">=")
    assert farmland.evidence == document.text[farmland.span[0] : farmland.span[1]]


def test_taishan_seed_table(seeds_dir):
    [path] = sorted(seeds_dir.glob("004_*.txt"))
    document = extract_document(load_source(str(path)))
    indicators = document.indicators
    assert len(indicators) >= 14
    for record in indicators:
        assert record.base_value and record.target_value and record.attribute, record
        assert (record.base_year, record.target_year) == (2020, 2025)
    by_name = {record.name: record for record in indicators}
    growth = by_name["地区生产总值增速"]
    assert (growth.attribute, growth.target_number, growth.unit, growth.category) == (
        "预期性",
        5.5,
        "%",
        "经济发展",
    )
    urban = by_name["常住人口城镇化率"]
    assert (urban.base_value, urban.target_value, urban.target_number) == ("89.72", "91", 91.0)
    assert by_name["森林覆盖率"].attribute == "约束性"
    assert by_name["人均预期寿命"].comparison == "≈"
    # the table's rows are indicators only: none of them is also a task
    spans = indicator_table_spans(document.text)
    assert spans
    assert not [record for record in document.records if any(a <= record.span[0] < b for a, b in spans)]
