"""Heading tree, document kind, jurisdiction, period, year and mechanism sections."""

from __future__ import annotations

import pytest

from ingest.structure import analyse, five_year_period, heading_of

FIVE_YEAR_PLAN = """青川市临河区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要
第一章 发展基础
第一节 “十三五”时期的成就
全区经济总量稳步提升。
第十五章 规划实施保障
第一节 加强党的领导
坚持党的全面领导。
第二节 完善规划实施机制
一、明确职责分工
区政府统筹推进规划实施。
专栏1 重大工程
（一）交通工程
1.建设青川大道
"""


def test_heading_tree_and_mechanism_sections():
    outline = analyse(FIVE_YEAR_PLAN)
    assert outline.kind == "five_year_plan"
    assert outline.jurisdiction == "临河区"
    assert outline.period == (2021, 2025)
    paths = [section.path for section in outline.sections]
    assert ("第十五章 规划实施保障", "第二节 完善规划实施机制", "一、明确职责分工") in paths
    offset = FIVE_YEAR_PLAN.index("区政府统筹")
    section = outline.section_at(offset)
    assert section.is_mechanism
    assert section.title == "第十五章 规划实施保障 > 第二节 完善规划实施机制 > 一、明确职责分工"
    assert not outline.section_at(FIVE_YEAR_PLAN.index("全区经济总量")).is_mechanism


@pytest.mark.parametrize(
    ("line", "rank"),
    [
        ("第二篇 创新驱动", 0),
        ("第十五章 规划实施保障", 1),
        ("第三节 完善规划实施机制", 2),
        ("四、明确职责分工", 3),
        ("（二）强化要素保障", 4),
        ("3.推进老旧小区改造", 5),
        ("专栏2 重大项目", 5),
        ("一是健全目标任务分工落实机制。强化分工。", 7),
    ],
)
def test_heading_styles(line, rank):
    assert heading_of(line)[0] == rank


def test_a_heading_with_its_first_sentence_on_the_line_ends_at_the_stop():
    assert heading_of("（四）加强基层医疗能力。完成中心建设，区卫健局负责。") == (4, "（四）加强基层医疗能力")
    assert heading_of("（二）强化要素保障") == (4, "（二）强化要素保障")


def test_a_long_numbered_sentence_is_not_a_heading():
    assert heading_of("1." + "很长的句子" * 15) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "临河区人民政府办公室\n关于印发《2025年区政府工作报告重点任务分工方案》的通知\n正文。",
            "annual_breakdown",
        ),
        ("临河区落实“十四五”规划纲要重点任务分工方案\n正文。", "division_plan"),
        ("临河区“十五五”规划编制工作方案\n正文。", "drafting_work_plan"),
        ("东坪县“十五五”规划编制工作时间安排表\n正文。", "drafting_work_plan"),
        ("青川市发展规划条例\n第一条 为了…", "regulation"),
        ("青川市规划实施管理办法\n第一条 为了…", "regulation"),
        ("县政府督查室关于2025年上半年重点工作落实情况的督查通报\n正文。", "supervision_notice"),
        ("2023年区政府重点民生实事项目推进情况\n正文。", "annual_breakdown"),
        ("临政发〔2025〕3号\n关于印发临河区2025年国民经济和\n社会发展计划的通知\n正文。", "annual_plan"),
        ("关于建立健全“十四五”规划纲要实施机制的意见\n正文。", "mechanism_opinion"),
        ("在全区“十四五”规划实施推进会上的讲话\n同志们：今天开会。", "speech"),
        ("临河区国民经济和社会发展第十四个五年规划纲要\n正文。", "five_year_plan"),
        ("领导干部解读：《临河区国民经济和社会发展第十四个五年规划纲要》\n正文。", "mechanism_opinion"),
    ],
)
def test_document_kinds(text, kind):
    assert analyse(text).kind == kind


def test_annual_plan_year_title_and_period():
    outline = analyse(
        "临政发〔2025〕3号\n青川市临河区人民政府\n关于印发临河区2025年国民经济和\n社会发展计划的通知\n正文。"
    )
    assert outline.title == "临河区2025年国民经济和社会发展计划"
    assert outline.year == 2025
    assert outline.period == (2021, 2025)
    assert outline.jurisdiction == "临河区"


def test_year_from_signature_line_and_from_relative_phrases():
    assert analyse("关于某事的通知\n正文内容很长。\n青川市人民政府\n2021年9月6日").year == 2021
    assert analyse("讲话\n今年底至2021年上半年完成编制。").year == 2020
    assert analyse("讲话\n正文。", year_override=2019).year == 2019


@pytest.mark.parametrize(("ordinal", "period"), [(13, (2016, 2020)), (14, (2021, 2025)), (15, (2026, 2030))])
def test_five_year_periods(ordinal, period):
    assert five_year_period(ordinal) == period


def test_explicit_period_in_title():
    assert analyse("临河区农业农村发展规划（2021—2025年）\n正文。").period == (2021, 2025)


def test_division_plan_is_mechanism_throughout():
    outline = analyse("2025年区政府工作报告重点任务分工方案\n一、稳增长\n1.全年增长5%。")
    assert all(section.is_mechanism for section in outline.sections)


def test_red_head_and_issuer_lines_are_not_the_title():
    outline = analyse("青川市人民政府办公室文件\n青政办发〔2021〕23号\n青川市人民政府办公室\n关于建立健全规划纲要实施机制的意见\n正文。")
    assert outline.title == "建立健全规划纲要实施机制的意见"
    assert outline.jurisdiction == "青川市"


def test_a_year_before_区政府_is_not_a_jurisdiction():
    outline = analyse("青川市临河区人民政府办公室\n关于印发《2025年区政府工作报告重点任务分工方案》的通知\n正文。")
    assert outline.jurisdiction == "临河区"
    assert outline.year_bound and outline.year == 2025


@pytest.mark.parametrize(
    ("header", "year"),
    [
        ("文件名称 | 2023年第五次县政府常务会议议定事项落实情况的通报 |\n成文日期 | 2023年07月12日 |", 2023),
        ("在白沙县2024年重点工作推进会上的讲话\n同志们：", 2024),
        ("东坪县“十五五”规划编制工作时间安排表\n2024年5月底前\t印发方案\n2024年8月底前\t完成调研", 2024),
    ],
)
def test_the_documents_year_comes_from_its_date_line_title_or_dates(header, year):
    assert analyse(header).year == year


def test_a_signature_date_beats_this_year_to():
    text = "临河区“十四五”规划纲要\n今年至2025年，要全面完成规划目标。\n临河区人民政府\n2021年3月1日"
    assert analyse(text).year == 2021


def test_only_five_year_plans_and_what_implements_them_keep_a_review_calendar():
    from ingest.pipeline import extract_document
    from ingest.records import LoadedDocument

    def period_of(text: str):
        return extract_document(LoadedDocument("t.txt", "txt", text, "0")).period

    assert period_of("临河区“十四五”规划纲要\n第十五章 规划实施保障\n区发改局要加强监测。") == (2021, 2025)
    assert period_of("关于2024年“十四五”规划重点工作的任务分解\n1.区发改局要加强监测。") is None
    assert period_of("临河区“十五五”规划编制工作方案\n1.区发改局要在6月底前完成调研。") is None


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("白沙县人民政府督查室关于2025年上半年重点工作落实情况的督查通报\n县直各部门、各乡镇：\n现将情况通报如下。", "白沙县人民政府督查室关于2025年上半年重点工作落实情况的督查通报"),
        ("文件名称 | 2023年第五次县政府常务会议议定事项落实情况的通报 |\n索引号 | x-1 |\n正文。", "2023年第五次县政府常务会议议定事项落实情况的通报"),
        ("东坪县落实规划纲要重点任务分工表\n序号\t重点任务\t牵头单位\n1\t建设物流中心\t县商务局", "东坪县落实规划纲要重点任务分工表"),
    ],
)
def test_the_title_comes_from_the_text_and_stops_before_addressees_and_tables(text, title):
    from ingest.normalize import normalize

    assert analyse(normalize(text).text).title == title


@pytest.mark.parametrize(
    ("text", "kind", "title"),
    [
        (
            "索引号：1133/2021-00231　　发布机构：青川市人民政府办公室\n成文日期：2021年05月18日\n"
            "青川市人民政府关于建立健全“十四五”规划纲要实施机制的实施意见\n正文。",
            "mechanism_opinion",
            "青川市人民政府关于建立健全“十四五”规划纲要实施机制的实施意见",
        ),
        (
            "石岭县人民政府关于印发2023年《政府工作报告》重点工作任务分解表的通知\n各乡镇：\n正文。",
            "annual_breakdown",
            "2023年政府工作报告重点工作任务分解表",
        ),
        ("在白沙县2024年重点工作推进会上的讲话\n同志们：", "speech", "在白沙县2024年重点工作推进会上的讲话"),
        ("云溪市人民政府办公室关于做好“十五五”规划编制工作的通知\n正文。", "drafting_work_plan", None),
        ("云溪市关于推动“十五五”规划纲要实施的若干措施\n一、细化目标", "mechanism_opinion", None),
        ("北塘区“十四五”规划纲要年度重点项目推进表（截至2022年6月）\n序号", "division_plan", None),
        ("云岭区2024年上半年国民经济和社会发展计划执行情况\n正文。", "annual_plan", None),
    ],
)
def test_kinds_and_titles_of_the_genres_variety(text, kind, title):
    from ingest.normalize import normalize

    outline = analyse(normalize(text).text)
    assert outline.kind == kind
    if title:
        assert outline.title == title
