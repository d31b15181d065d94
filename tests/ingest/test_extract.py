"""Sentences to task records, through the whole pure pipeline."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from ingest.pipeline import extract_document
from ingest.records import LoadedDocument


def extract(text: str, year: int | None = None):
    loaded = LoadedDocument(
        source="memo.txt", format="txt", text=text, sha256=hashlib.sha256(text.encode()).hexdigest()
    )
    return extract_document(loaded, year=year)


def rows(text: str, year: int | None = None):
    return [(r.canonical_department, r.role, r.due, r.recurrence, r.starts) for r in extract(text, year).records]


PLAN_HEAD = "临河区国民经济和社会发展第十四个五年规划纲要\n第十五章 规划实施保障\n"


def test_every_clause_subject_gets_its_own_record():
    text = (
        PLAN_HEAD
        + "区政府统筹推进规划实施，区发改局负责规划实施的综合协调，各镇（街道）、各部门要制定实施方案。"
    )
    records = extract(text).records
    assert [(r.canonical_department, r.role) for r in records] == [
        ("区政府", "lead"),
        ("区发展改革局", "lead"),
        ("各镇（街道）", "lead"),
        ("各部门", "lead"),
    ]
    assert records[1].task == "规划实施的综合协调"
    assert all(r.evidence == text.split("\n")[2] for r in records)  # the whole sentence is the evidence
    assert records[0].section == "第十五章 规划实施保障"


def test_partners_after_hui_tong_are_co():
    text = PLAN_HEAD + "区发展改革局要会同区统计局、有关部门，自2022年起按年度开展监测。"
    assert rows(text) == [
        ("区发展改革局", "lead", None, "yearly", date(2022, 1, 1)),
        ("区统计局", "co", None, "yearly", date(2022, 1, 1)),
        ("各有关部门", "co", None, "yearly", date(2022, 1, 1)),
    ]


def test_objects_of_a_clause_are_not_responsible():
    text = PLAN_HEAD + "各有关部门要分解约束性指标，落实到各镇（街道），报区发展改革局备案。"
    assert [r[0] for r in rows(text)] == ["各有关部门"]


def test_by_means_of_names_the_responsible_unit():
    text = PLAN_HEAD + "确需调整时，由区政府提出调整方案，报区人大常委会批准。"
    assert [r[:2] for r in rows(text)] == [("区政府", "lead")]
    text = PLAN_HEAD + "专项规划由区直有关部门负责编制，2022年6月底前印发。"
    assert rows(text) == [("各有关部门", "lead", date(2022, 6, 30), None, None)]


def test_reviews_without_a_unit_become_review_records():
    records = extract(PLAN_HEAD + "规划实施中期和期末，组织开展总结评估。").records
    assert [(r.canonical_department, r.kind, r.review, r.due) for r in records] == [
        (None, "review", "mid_term_review", date(2023, 6, 30)),
        (None, "review", "final_review", date(2025, 12, 31)),
    ]
    # "启动" is how a review is often set going; the review's name is enough of a directive
    records = extract(PLAN_HEAD + "2025年下半年启动总结评估。").records
    assert [(r.canonical_department, r.review, r.due) for r in records] == [(None, "final_review", date(2025, 12, 31))]


def test_sentences_without_unit_or_date_are_left_out():
    assert rows(PLAN_HEAD + "坚持党的全面领导，把党的领导贯穿规划实施全过程。") == []


def test_outside_mechanism_sections_only_plain_assignments_count():
    text = "临河区国民经济和社会发展第十四个五年规划纲要\n第三章 产业发展\n区发改局获评先进单位，全区经济稳步增长。\n区发改局要牵头编制产业地图。"
    assert [r[0] for r in rows(text)] == ["区发展改革局"]
    assert extract(text).records[0].task == "编制产业地图"


DIVISION = """2025年区政府工作报告重点任务分工方案
一、区发展改革局
1.编制“十五五”规划纲要，2025年10月底前形成初稿。
二、重点任务
2.加快重大项目建设，全年完成投资100亿元。（区发改局牵头，区财政局、区统计局配合）
3.推进老旧小区改造。
牵头单位：区住建局
责任单位：各镇（街道）、区财政局
完成时限：2025年6月底前
"""


def test_division_plan_forms():
    by_task: dict[str, list[tuple]] = {}
    for record in extract(DIVISION).records:
        by_task.setdefault(record.task, []).append((record.canonical_department, record.role, record.due))
    assert by_task["编制“十五五”规划纲要，2025年10月底前形成初稿"] == [
        ("区发展改革局", "lead", date(2025, 10, 31))
    ]
    assert by_task["加快重大项目建设，全年完成投资100亿元"] == [
        ("区发展改革局", "lead", date(2025, 12, 31)),
        ("区财政局", "co", date(2025, 12, 31)),
        ("区统计局", "co", date(2025, 12, 31)),
    ]
    assert by_task["推进老旧小区改造"] == [
        ("区住房城乡建设局", "lead", date(2025, 6, 30)),
        ("各镇（街道）", "co", date(2025, 6, 30)),
        ("区财政局", "co", date(2025, 6, 30)),
    ]


def test_table_rows_with_a_header():
    text = "重点任务分工方案\n序号\t重点任务\t牵头单位\t责任单位\t完成时限\n1\t建设智慧城市平台\t区大数据局\t区财政局、区工信局\t2025年第三季度\n"
    assert rows(text) == [
        ("区大数据局", "lead", date(2025, 9, 30), None, None),
        ("区财政局", "co", date(2025, 9, 30), None, None),
        ("区工业和信息化局", "co", date(2025, 9, 30), None, None),
    ]


def test_rows_rendered_as_labels():
    text = "实施机制分工表\n编制年度监测报告；牵头单位：市发展改革委；责任单位：市统计局；完成时限：自2022年起每年。"
    assert rows(text) == [
        ("市发展改革委", "lead", None, "yearly", date(2022, 1, 1)),
        ("市统计局", "co", None, "yearly", date(2022, 1, 1)),
    ]


def test_annual_plan_tasks_default_to_the_years_end_and_titles_are_skipped():
    text = "临河区2025年国民经济和社会发展计划\n三、2025年主要任务和措施\n13.实施城市更新。区住建局要年内改造老旧小区40个。\n14.加强生态保护。推进大气污染综合治理，持续改善空气质量。"
    records = extract(text).records
    assert [(r.canonical_department, r.due, r.evidence) for r in records] == [
        ("区住房城乡建设局", date(2025, 12, 31), "区住建局要年内改造老旧小区40个。"),
        (None, date(2025, 12, 31), "推进大气污染综合治理，持续改善空气质量。"),
    ]
    assert records[0].kind == "target"


def test_routing_lines_name_no_responsible_unit():
    text = (
        PLAN_HEAD + "抄送：区委各部门，区人大常委会办公室，区法院。\n临河区人民政府办公室 2021年7月28日印发"
    )
    assert rows(text) == []


def test_records_cite_the_original_text():
    raw = "臨河區國民經濟和社會發展第十四個五年規劃綱要\n第十五章 規劃實施保障\n區(qū)發改局負責規劃實施的綜合協調。"
    record = extract(raw).records[0]
    assert record.canonical_department == "区发展改革局" and record.department == "区发改局"
    start, end = record.source_span
    assert raw[start:end] == "區(qū)發改局負責規劃實施的綜合協調。"


def test_a_notices_addressees_are_not_assigned():
    text = "关于建立健全规划实施机制的意见\n各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n国家发展改革委要会同有关部门做好统筹协调。"
    assert [r[:2] for r in rows(text)] == [("国家发展改革委", "lead"), ("各有关部门", "co")]


def test_units_working_by_their_duties_are_co():
    text = "关于建立健全规划实施机制的意见\n财政部、自然资源部等部门按职责分工负责相关保障工作。"
    assert [r[:2] for r in rows(text)] == [("财政部", "co"), ("自然资源部", "co")]


def test_a_review_dated_by_the_text_keeps_the_texts_date():
    text = PLAN_HEAD + "2023年，区发改局组织开展规划实施中期评估。"
    records = extract(text).records
    assert [(r.canonical_department, r.review, r.due) for r in records] == [
        ("区发展改革局", "mid_term_review", date(2023, 12, 31))
    ]


def test_years_inside_a_title_are_not_deadlines():
    text = (
        PLAN_HEAD
        + "为推动《临河区国民经济和社会发展第十四个五年规划和2035年远景目标纲要》实施，区发改局要加强统筹。"
    )
    assert rows(text) == [("区发展改革局", "lead", None, None, None)]


def test_work_report_division_table_skips_leaders_and_binds_tasks_to_its_year():
    text = (
        "临河区2025年政府工作报告重点工作任务分解表\n"
        "序号\t工作任务\t牵头区领导\t牵头单位\t责任单位\t完成时限\n"
        "1\t新开工亿元以上项目50个\t张三\t区发改局、区住建局\t各镇（街道）\t全年\n"
        "一、稳定经济增长\n"
        "2.深化国资国企改革，完成国企整合。责任单位：区国资中心。\n"
    )
    assert rows(text) == [
        ("区发展改革局", "lead", date(2025, 12, 31), None, None),
        ("区住房城乡建设局", "lead", date(2025, 12, 31), None, None),
        ("各镇（街道）", "co", date(2025, 12, 31), None, None),
        ("区国资中心", "lead", date(2025, 12, 31), None, None),
    ]


def test_the_preamble_assigns_nothing_without_a_unit():
    text = "2025年区政府工作报告重点任务分工方案\n为完成年度目标任务，现将重点任务分解如下。\n一、稳增长\n1.全年地区生产总值增长5%左右。"
    assert [r.evidence for r in extract(text).records] == ["1.全年地区生产总值增长5%左右。"]


def test_role_only_clauses_share_the_action():
    text = PLAN_HEAD + "市发改委、市财政局牵头，市统计局配合，建立规划实施监测统计制度。"
    records = extract(text).records
    assert [(r.canonical_department, r.role, r.task) for r in records] == [
        ("市发展改革委", "lead", "建立规划实施监测统计制度"),
        ("市财政局", "lead", "建立规划实施监测统计制度"),
        ("市统计局", "co", "建立规划实施监测统计制度"),
    ]


def test_peoples_congress_and_cppcc_are_units():
    text = PLAN_HEAD + "区人大常委会要加强监督检查。区政协要开展民主监督。"
    assert [r[0] for r in rows(text)] == ["区人大常委会", "区政协"]


def test_a_date_before_the_subject():
    text = PLAN_HEAD + "2023年6月底前区发改局要完成清单编制。"
    assert [r[:3] for r in rows(text)] == [("区发展改革局", "lead", date(2023, 6, 30))]


def test_a_lead_in_without_a_comma_before_the_subject():
    text = (
        PLAN_HEAD
        + "按照要求区发改局要在2023年6月底前完成项目储备。为加快数字化转型区工信局要牵头制定实施方案。"
        + "按照区发改局的要求，区财政局要保障资金。对照年度目标区住建局的工作要加快。"
    )
    # the last sentence's unit is not followed by 要 or a role word: no unit is made responsible there
    assert [r[:3] for r in rows(text) if r[0]] == [
        ("区发展改革局", "lead", date(2023, 6, 30)),
        ("区工业和信息化局", "lead", None),
        ("区财政局", "lead", None),  # 区发改局 is the object of the lead-in here, not a subject
    ]


def test_linking_words_open_later_clauses_too():
    text = PLAN_HEAD + "区发改局负责统筹，同时区财政局要保障资金，另外区统计局负责监测。"
    assert [r[:2] for r in rows(text)] == [
        ("区发展改革局", "lead"),
        ("区财政局", "lead"),
        ("区统计局", "lead"),
    ]


ANNUAL_HEAD = "临河区2025年国民经济和社会发展计划\n三、2025年主要任务和措施\n"


def test_an_items_number_does_not_hide_its_subject():
    text = (
        ANNUAL_HEAD
        + "7.区商务局会同区市场监管局，于第三季度完成商业网点规划修编。\n8.区水务局负责推进河湖长制。"
    )
    records = extract(text).records
    assert [(r.canonical_department, r.role, r.due) for r in records] == [
        ("区商务局", "lead", date(2025, 9, 30)),
        ("区市场监管局", "co", date(2025, 9, 30)),
        ("区水务局", "lead", date(2025, 12, 31)),
    ]
    # neither the number nor the clause naming only the partners is part of the action
    assert records[0].task == "于第三季度完成商业网点规划修编"
    assert records[2].task == "推进河湖长制"


def test_a_sentence_naming_only_units_takes_the_task_before_it():
    text = (
        ANNUAL_HEAD
        + "9.提升城市功能。加快推进城市更新，2025年10月底前完成老旧小区改造20个。"
        + "由区住建局牵头，各镇街按职责分工负责。\n"
        + "10.优化营商环境。区发改局牵头制定工作方案，6月底前印发实施。区司法局、区市场监管局配合。"
    )
    records = extract(text).records
    assert [(r.canonical_department, r.role, r.due) for r in records] == [
        ("区住房城乡建设局", "lead", date(2025, 10, 31)),
        ("各镇（街道）", "co", date(2025, 10, 31)),
        ("区发展改革局", "lead", date(2025, 6, 30)),
        ("区司法局", "co", date(2025, 6, 30)),
        ("区市场监管局", "co", date(2025, 6, 30)),
    ]
    assert {r.task for r in records[:2]} == {"加快推进城市更新，2025年10月底前完成老旧小区改造20个"}
    assert {r.task for r in records[2:]} == {"制定工作方案，6月底前印发实施"}


def test_the_half_year_a_report_is_about_is_not_its_deadline():
    report = ANNUAL_HEAD + "各部门要在每年7月15日前报送上半年工作进展。"
    assert [r[2] for r in rows(report)] == [date(2025, 7, 15)]
    rule = ANNUAL_HEAD + "区统计局要上半年出台考核办法。"
    assert [r[2] for r in rows(rule)] == [date(2025, 6, 30)]


def test_an_undated_division_of_the_work_report_takes_the_year_of_its_deadlines():
    text = (
        "临河区落实《政府工作报告》重点任务分工方案\n一、稳增长\n"
        "1.新开工亿元以上项目30个，2026年9月底前全部开工。（区发改局负责）\n"
        "2.推进医共体建设，6月底前实现镇街卫生院全覆盖。（区卫健局负责）\n"
        "3.新增城镇就业8000人。（区人社局牵头）"
    )
    assert [r[2] for r in rows(text)] == [date(2026, 9, 30), date(2026, 6, 30), date(2026, 12, 31)]


def test_a_time_phrase_before_the_subject_stays_out_of_the_action():
    records = extract(ANNUAL_HEAD + "明年上半年，区发改局要牵头开展前期准备工作。").records
    assert [(r.canonical_department, r.due, r.task) for r in records] == [
        ("区发展改革局", date(2026, 6, 30), "开展前期准备工作")
    ]


def test_units_on_separate_lines_of_one_cell_are_separate_units():
    # a Word cell with one unit per line reaches the text as one line, its units apart by spaces
    text = "重点任务清单\n序号\t重点任务\t牵头单位\t配合单位\t完成时限\n2\t开展审批制度改革\t区住建局\t区自然资源局 区发展改革局\t2026年9月\n"
    assert [r[:2] for r in rows(text)] == [
        ("区住房城乡建设局", "lead"),
        ("区自然资源局", "co"),
        ("区发展改革局", "co"),
    ]


def test_more_label_names_and_leaders_who_are_not_units():
    text = (
        "临河区2026年民生实事项目实施方案\n一、项目清单\n（一）新建公办幼儿园3所，新增学位1080个。\n"
        "责任领导：王某某\n责任主体：区教育局\n协同部门：区自然资源局\n完成时限：2026年8月底\n"
        "（二）改造提升农贸市场5个。\n牵头领导：李某某\n实施单位：区商务局、各镇（街道）\n时间节点：2026年11月\n"
    )
    assert [r[:3] for r in rows(text)] == [
        ("区教育局", "lead", date(2026, 8, 31)),
        ("区自然资源局", "co", date(2026, 8, 31)),
        ("区商务局", "lead", date(2026, 11, 30)),
        ("各镇（街道）", "lead", date(2026, 11, 30)),
    ]


def test_a_bracketed_label_note_with_a_marked_lead_and_a_quota_of_the_year():
    text = (
        ANNUAL_HEAD
        + "2.加快专项债券发行使用，9月底前完成全年额度发行。（责任单位：区财政局（牵头）、区发改局）"
    )
    # 全年额度 is the year's quota, not a second deadline; the note's closing bracket ends the last unit
    assert [r[:3] for r in rows(text)] == [
        ("区财政局", "lead", date(2025, 9, 30)),
        ("区发展改革局", "co", date(2025, 9, 30)),
    ]


def test_a_unit_with_a_colon_before_its_duty():
    records = extract(ANNUAL_HEAD + "区发改局：负责项目谋划申报；区财政局：负责资金监管。").records
    assert [(r.canonical_department, r.task) for r in records] == [
        ("区发展改革局", "项目谋划申报"),
        ("区财政局", "资金监管"),
    ]


def test_the_items_of_an_enumeration_keep_their_own_unit_and_deadline():
    text = (
        ANNUAL_HEAD + "（二）深化改革攻坚。一是深化国企改革，区国资中心负责，年底前完成整合重组；"
        "二是推进要素改革，由区自然资源局牵头，9月底前完成“标准地”出让试点（含（1）类用地）；"
        "三是优化营商环境，区行政审批服务局要于6月底前上线服务专区。"
    )
    records = extract(text).records
    assert [(r.canonical_department, r.due) for r in records] == [
        ("区国资中心", date(2025, 12, 31)),
        ("区自然资源局", date(2025, 9, 30)),
        ("区行政审批服务局", date(2025, 6, 30)),
    ]
    assert records[1].evidence.startswith("二是推进要素改革") and records[1].evidence.endswith("；")


def test_units_working_by_their_duties_with_nobody_leading_lead():
    text = ANNUAL_HEAD + "推进“无废城市”建设，回收利用率达到40%。（区城管局、区生态环境分局按职责分工负责）"
    assert [r[1] for r in rows(text)] == ["lead", "lead"]
    helped = ANNUAL_HEAD + "推进“无废城市”建设，回收利用率达到40%。（区城管局配合，各镇街按职责分工负责）"
    assert [r[1] for r in rows(helped)] == ["co", "co"]  # 配合 says someone else leads, though unnamed


def test_the_youth_league_and_utility_companies_are_units():
    text = ANNUAL_HEAD + "团区委要组织青年就业见习活动。国网临河供电公司负责完成农网改造升级工程。"
    assert [r[:2] for r in rows(text)] == [("团区委", "lead"), ("国网临河供电公司", "lead")]


def test_records_keep_the_documents_spelling_and_know_the_canonical_name():
    records = extract(PLAN_HEAD + "区发改委要加强监测评估，区住建局负责老旧小区改造。").records
    assert [(r.department, r.canonical_department) for r in records] == [
        ("区发改委", "区发展改革委"),  # a commission is not the bureau 区发展改革局: aliases never join two bodies
        ("区住建局", "区住房城乡建设局"),
    ]


def units_of(text: str, year: int | None = None) -> list[str | None]:
    return [r.department for r in extract(text, year).records]


def test_places_sharing_a_counted_suffix_are_each_a_unit():
    text = PLAN_HEAD + "东、西、南三区人民政府要于2021年10月31日前印发落实本规划的实施方案。"
    assert units_of(text) == ["东区人民政府", "西区人民政府", "南区人民政府"]


def test_a_regulation_article_gives_work_to_levels_and_to_bodies_named_by_function():
    text = (
        "青川市发展规划条例\n"
        "第二十条 市、县（市、区）人民政府应当将规划的主要指标纳入年度计划。\n"
        "第二十一条 发展规划行政主管部门应当每年对规划实施情况进行监测分析。\n"
        "第二十二条 专项规划编制部门应当在规划期末组织总结评估。\n"
    )
    assert units_of(text) == ["市、县（市、区）人民政府", "发展规划行政主管部门", "专项规划编制部门"]


def test_role_units_are_kept_as_written():
    text = "临河区“十四五”重点项目推进方案\n各项目牵头单位要于每月5日前报送上月项目进展。"
    records = extract(text).records
    assert [(r.department, r.recurrence) for r in records] == [("各项目牵头单位", "monthly")]


def test_cover_letters_past_results_and_descriptions_of_a_year_are_no_tasks():
    text = (
        "临河区2024年政府工作报告重点任务分解\n"
        "现将《2024年政府工作报告重点任务分解》印发给你们，请认真贯彻落实。\n"
        "两年来，区发展改革局牵头完成了42个重大项目的前期工作。\n"
        "今年是全面完成规划目标的关键之年，各项任务要逐年推进。\n"
        "区交通运输局牵头的项目进展较快。\n"
        "区住建局要在6月底前完成老旧小区改造。\n"
    )
    assert [(r.department, r.due) for r in extract(text).records] == [("区住建局", date(2024, 6, 30))]


def test_tables_one_cell_per_line_and_pipe_rows_are_read_by_content():
    cells = (
        "2023年重点民生项目推进表\n序号 |\n项目名称 |\n分管领导 |\n牵头单位 |\n配合单位 |\n推进情况 |\n"
        "1 |\n新建社区食堂8个 |\n王某某 |\n区民政局 |\n区市场监管局、各街道 |\n已完成选址。 |\n"
        "2 |\n改造背街小巷20条 |\n城管局 |\n区市政局 |\n已开工。 |\n"
    )
    records = extract(cells).records
    assert [(r.department, r.role, r.due) for r in records if r.task.startswith("新建")] == [
        ("区民政局", "lead", date(2023, 12, 31)),
        ("区市场监管局", "co", date(2023, 12, 31)),
        ("各街道", "co", date(2023, 12, 31)),
    ]
    # the second row lost its leader's cell: its units are still read, by what the cells hold
    assert [r.department for r in records if r.task.startswith("改造")] == ["城管局", "区市政局"]
    piped = (
        "青川市重大工程任务分解表\n| 序号 | 任务内容 | 牵头单位 | 配合单位 | 时间要求 |\n|---|---|---|---|---|\n"
        "| 1 | 建设港区二期码头 | 市交通运输局 | 市港航中心 | 2024年底前 |\n"
    )
    assert [(r.department, r.role, r.due) for r in extract(piped).records] == [
        ("市交通运输局", "lead", date(2024, 12, 31)),
        ("市港航中心", "co", date(2024, 12, 31)),
    ]


def test_under_a_review_heading_undated_work_is_due_with_that_review():
    text = "临河区“十四五”规划纲要\n三、中期评估的组织方式\n区发展改革局负责起草中期评估报告。\n"
    assert [(r.department, r.due) for r in extract(text).records] == [("区发展改革局", date(2023, 6, 30))]


def test_partners_inside_the_subjects_own_clause():
    head = "东坪县2025年重点工作任务分解\n"
    assert [(r.department, r.role) for r in extract(head + "由县商务局牵头、县市场监管局配合，开展商业街区改造。").records] == [
        ("县商务局", "lead"),
        ("县市场监管局", "co"),
    ]
    # "A配合B完成": B leads and A helps
    assert [(r.department, r.role) for r in extract(head + "年度监测由县统计局配合县发展改革局完成。").records] == [
        ("县统计局", "co"),
        ("县发展改革局", "lead"),
    ]
    assert [(r.department, r.role) for r in extract(head + "重点任务由市发改委会同市直有关部门逐项分解。").records] == [
        ("市发改委", "lead"),
        ("市直有关部门", "co"),
    ]


def test_townships_mass_organisations_and_bodies_by_function_are_units():
    head = "东坪县2025年重点工作任务分解\n"
    assert units_of(head + "县水利局负责，青石镇、河西镇配合，9月底前实现通水。") == ["县水利局", "青石镇", "河西镇"]
    assert units_of(head + "县残联、县妇联、团县委要发挥群团组织作用。") == ["县残联", "县妇联", "团县委"]
    assert units_of(head + "第九条 总体规划实施中期，由发展规划行政主管部门组织开展中期评估。") == ["发展规划行政主管部门"]
    # a verb before a place name is no township, and 由 before a phrase names no body
    assert units_of(head + "14.完成柳湾镇、石埠镇镇区污水管网改造。") == [None]
    assert "全面建成小康社" not in units_of(head + "这一时期由全面建成小康社会转向基本实现现代化，各部门要抓好落实。")


def test_a_semicolon_typed_for_the_labels_colon():
    text = "关于开展专项督查的通知\n1.实施改厨改厕工程。（责任单位；住建局、畜牧局、各乡镇场）"
    assert units_of(text) == ["住建局", "畜牧局", "各乡镇场"]


def test_each_timing_in_its_own_clause_makes_its_own_task():
    text = "临河区2026年重点任务分解\n区发改局要在2026年9月底前出台方案，并于每年12月10日前报送实施情况。"
    records = extract(text).records
    assert [(r.due, r.recurrence) for r in records] == [(date(2026, 9, 30), None), (date(2026, 12, 10), "yearly")]
    assert records[0].task != records[1].task  # storage keeps one task per action: both duties survive


def test_every_record_says_which_rule_made_it_and_how_sure_it_is():
    text = (
        "临河区2025年重点任务分工方案\n"
        "1.建设智慧城市平台。\n牵头单位：区大数据局\n"
        "2.区住建局要在6月底前完成老旧小区改造。\n"
        "3.各有关部门要加强协作。\n"
        "4.9月底前完成全区道路普查。\n"
    )
    by_unit = {r.department: r for r in extract(text).records}
    assert by_unit["区大数据局"].rule == "label_lines"
    assert by_unit["区住建局"].rule == "clause_subject"
    assert by_unit[None].rule == "deadline_without_unit"
    assert by_unit["区大数据局"].confidence > by_unit["区住建局"].confidence > by_unit[None].confidence
    assert by_unit["各有关部门"].confidence < by_unit["区住建局"].confidence  # 有关部门 leaves open who


def test_damaged_text_is_never_trusted():
    from ingest.deadlines import Timing
    from ingest.record_builder import confidence_of, damaged_share

    garbled = "ǘ┩七M东部区发改局要完成ǘ┩项目"
    assert damaged_share(garbled) > 0.1
    assert confidence_of("clause_subject", "区发改局", garbled, Timing(due=date(2025, 1, 1))) <= 0.3


def test_the_units_named_before_are_what_以上单位_refers_to():
    text = (
        "县政府督查室关于常务会议议定事项落实情况的通报\n"
        "其中，由县民政局负责的第1件、县税务局负责的第13件进展滞后，请以上责任单位加快工作节奏。\n"
    )
    assert units_of(text) == ["县民政局", "县税务局"]
    # with no unit in its own sentence, the units of the section's records so far
    text = (
        "县政府督查室关于重点工作落实情况的通报\n一、滞后事项\n"
        "1.县住建局要于8月15日前完成设备安装。\n2.县水利局要于9月底前实现通水。\n请上述单位倒排工期，加快推进。\n"
    )
    records = extract(text).records
    assert [r.department for r in records if r.evidence.startswith("请上述")] == ["县住建局", "县水利局"]
    assert all(r.rule == "anaphora" for r in records if r.evidence.startswith("请上述"))


def test_a_drafting_plans_stages_date_the_work_beneath_them():
    text = (
        "临河区“十五五”规划编制工作方案\n四、进度安排\n"
        "（一）前期研究阶段（2024年3月—2024年8月）\n4月底前，区发改局完成重大课题委托。\n"
        "（二）审议阶段（2025年11月—2026年1月）\n区政府办负责提请区人大审议。\n1月底前，区发改局印发规划纲要。\n"
    )
    assert [(r.department, r.due) for r in extract(text).records] == [
        ("区发改局", date(2024, 4, 30)),
        ("区政府办", date(2026, 1, 31)),  # undated work of a stage is due when the stage ends
        ("区发改局", date(2026, 1, 31)),  # January of a stage that opened in November is the next year's
    ]


def test_rows_with_bars_between_cells_only():
    text = (
        "河口区“十五五”规划编制工作推进计划\n阶段 | 时间 | 主要任务 | 责任单位\n"
        "前期调研 | 2024年4月—6月 | 开展区情调研 | 区发展改革局、区直各部门\n"
        "审议报批 | 2025年9月—2026年1月 | 提请审议 | 区政府办公室\n"
    )
    assert [(r.department, r.due) for r in extract(text).records] == [
        ("区发展改革局", date(2024, 6, 30)),
        ("区直各部门", date(2024, 6, 30)),
        ("区政府办公室", date(2026, 1, 31)),
    ]


def test_a_lead_in_line_gives_its_units_and_date_to_the_items_below():
    text = (
        "临河区“十四五”规划纲要主要目标任务分工方案\n一、主要指标\n"
        "到2025年，全区主要指标如下（以下指标均需各镇（街道）落实）：\n"
        "1.地区生产总值年均增长6%以上。（预期性指标，牵头单位：区发改局）\n"
        "2.粮食产量稳定在12万吨以上。（约束性指标，牵头单位：区农业农村局）\n"
        "二、重点任务\n3.区住建局要推进老旧小区改造。\n"
    )
    records = extract(text).records
    assert [(r.department, r.role, r.due, r.task) for r in records[:2]] == [
        ("区发改局", "lead", date(2025, 12, 31), "地区生产总值年均增长6%以上"),  # the note is not the task
        ("各镇（街道）", "co", date(2025, 12, 31), "地区生产总值年均增长6%以上"),
    ]
    assert "各镇（街道）" not in [r.department for r in records if r.task.startswith("推进老旧")]  # its own section
    assert not any(r.evidence.startswith("到2025年") for r in records)  # the lead-in itself is no task


def test_a_short_numbered_task_followed_by_who_does_it_is_no_title():
    text = "北川区2025年重点任务分工方案\n3.力争上半年开工建设北川大道二期。区交通运输局负责。\n"
    assert [(r.department, r.due, r.task) for r in extract(text).records] == [
        ("区交通运输局", date(2025, 6, 30), "力争上半年开工建设北川大道二期")
    ]


def test_a_body_after_由_may_be_followed_by_any_verb_and_a_season_date_is_one_date():
    head = "北川区2025年重点任务分工方案\n"
    assert units_of(head + "对推进不力的，由区纪委监委依规依纪严肃问责。") == ["区纪委监委"]
    records = extract(head + "5.区教体局：新建中小学3所，2025年秋季开学前投入使用。").records
    assert [(r.department, r.due) for r in records] == [("区教体局", date(2025, 8, 31))]


def test_a_unit_named_by_function_is_the_body_the_document_defines():
    text = (
        "青川市发展规划条例\n第三条 本条例所称发展规划行政主管部门，是指市发展改革委。\n"
        "第九条 发展规划行政主管部门应当每年对规划实施情况进行监测分析。\n"
        "第十条 青川市重大项目服务中心（以下简称项目中心）负责重大项目的跟踪服务。\n"
    )
    pairs = [(r.department, r.canonical_department) for r in extract(text).records]
    assert ("发展规划行政主管部门", "市发展改革委") in pairs
    # the short name's note is not part of the body's name
    assert ("青川市重大项目服务中心", "市重大项目服务中心") in pairs


def test_a_bare_table_one_cell_per_line_is_read_and_kept_whole():
    text = (
        "松原县“十四五”规划纲要重点任务分工表\n（2021年11月）\n序号\n重点任务\n牵头单位\n责任单位\n完成时限\n"
        "1\n建成经济开发区污水处理厂二期\n县经开区管委会\n县住建局、县生态环境分局\n2022年底\n"
        "2\n推进县城老旧小区改造\n县住建局\n城关镇\n2023年6月底前\n"
        "3\n推进智慧社区建设\n县住建局\n城关镇\n2024年底\n"
    )
    document = extract(text)
    assert document.kind == "division_plan"  # the date line under the title is no annual title
    assert [(r.department, r.due) for r in document.records if r.task.startswith("推进县城")] == [
        ("县住建局", date(2023, 6, 30)),
        ("城关镇", date(2023, 6, 30)),
    ]
    assert len({r.task for r in document.records}) == 3  # repeated cells and row numbers are not page noise


def test_a_five_year_target_with_no_date_is_due_at_the_periods_end():
    text = "临河区“十四五”规划纲要重点任务分工方案\n1.地区生产总值年均增长6%以上。（牵头单位：区发改局）\n"
    assert [(r.department, r.due) for r in extract(text).records] == [("区发改局", date(2025, 12, 31))]


@pytest.mark.parametrize(
    ("sentence", "due", "recurrence"),
    [
        ("区统计局于11月发布前三季度经济运行分析。", date(2024, 11, 30), None),
        ("区督查室对滞后任务实行一月一督办。", None, "monthly"),
    ],
)
def test_months_without_a_year_and_monthly_follow_up(sentence, due, recurrence):
    record = extract("临河区2024年重点工作任务分解\n" + sentence).records[0]
    assert (record.due if due else None, record.recurrence) == (due, recurrence)


def test_bureaus_after_the_first_share_its_level():
    text = "青禾市“十四五”规划任务分工\n4.打造产业集群。（牵头部门：市工信局；配合部门：市发改委、商务局、科技局）\n"
    assert units_of(text) == ["市工信局", "市发改委", "市商务局", "市科技局"]


def test_statements_of_who_answers_and_reports_of_results_are_no_tasks():
    text = (
        "柳溪乡“十四五”规划实施方案\n一、组织实施\n乡人民政府是规划实施的责任主体。\n"
        "区发展改革局、区商务局等单位任务推进有力，三季度考评为优秀等次。\n"
        "小河镇、石桥街道未按时报送三季度进展材料。\n"
        "乡团委、乡妇联要组织青年和妇女参与美丽乡村建设。\n"
    )
    assert units_of(text) == ["乡团委", "乡妇联"]


def test_the_owners_of_items_named_above_are_what_上述牵头单位_means():
    text = (
        "北川区政府督查室关于重点任务推进情况的通报\n一、存在问题\n"
        "由区交通运输局牵头的第12项、区水利局牵头的第27项均未达到序时进度。\n"
        "二、整改要求\n（一）上述滞后任务的牵头单位要于10月31日前向区政府督查室书面报告整改措施。\n"
    )
    assert units_of(text) == ["区交通运输局", "区水利局"]


def test_a_cell_that_opens_with_a_task_verb_is_the_task():
    text = (
        "松原县“十四五”规划纲要重点任务分工表\n序号\n重点任务\n牵头单位\n责任单位\n完成时限\n"
        "1\n创建省级全域旅游示范区\n县文旅局\n县发改局\n2022.12\n"
        "2\n建立规划实施年度监测制度\n县发改局\n县统计局\n每年一季度\n"
    )
    records = extract(text).records
    assert {(r.task, r.department) for r in records if r.role == "lead"} == {
        ("创建省级全域旅游示范区", "县文旅局"),  # ends like a zone's name, but opens with its verb
        ("建立规划实施年度监测制度", "县发改局"),  # names a review, but is no date cell
    }
    assert {r.due for r in records if r.task.startswith("创建")} == {date(2022, 12, 31)}


def test_a_time_before_the_subject_is_no_task_of_its_own():
    text = "临河区2023年重点任务分解\n下半年，区发改局要完成储备库更新，11月底前形成评估报告。\n"
    tasks = [r.task for r in extract(text).records]
    assert tasks and all(len(task) > 4 for task in tasks)  # never "下半年" alone


def test_units_of_another_place_keep_it_and_a_relative_clause_is_no_subject():
    text = (
        "南江市国民经济和社会发展第十四个五年规划纲要\n第十六章 规划实施保障\n"
        "江北、江南两区人民政府要于2021年9月底前制定实施方案。\n"
        "各镇人民政府、街道办事处编制的本辖区专项规划，参照本办法执行。\n"
    )
    records = extract(text).records
    assert [(r.department, r.canonical_department) for r in records] == [
        ("江北区人民政府", "江北区人民政府"),  # not twice 区政府: two governments of the city
        ("江南区人民政府", "江南区人民政府"),
    ]


def test_a_sentence_running_on_after_a_labelled_note_and_该局():
    text = (
        "北塘区“十四五”规划主要指标分工\n"
        "4.森林覆盖率保持在42%以上（约束性指标，牵头单位：区林业局）指标责任单位要加强跟踪分析，区统计局负责按季度提供数据。\n"
        "县交通运输局负责的第9项事项已超过办理时限，请该局于7月25日前书面说明原因。\n"
    )
    units = units_of(text, 2025)
    assert units[:1] == ["区林业局"] and {"指标责任单位", "区统计局", "县交通运输局"} <= set(units)


def test_a_sentence_opening_with_its_modal_keeps_the_previous_subject():
    text = (
        "潘集区“十四五”规划纲要\n第十八章 保障规划实施\n"
        "各乡镇街道、各部门要认真组织学习宣传。要把规划确定的目标任务作为工作重点，认真分解落实。\n"
    )
    records = [r for r in extract(text).records if "分解落实" in r.evidence]
    assert [r.department for r in records] == ["各乡镇街道", "各部门"]
    assert all(r.rule == "carried_subject" for r in records)


def test_a_timetable_section_of_a_plan_gives_work_without_a_unit():
    text = (
        "某市“十二五”规划编制工作\n五、进度安排\n（一）前期研究阶段（2010年2月—2010年3月）\n"
        "2月底前，完成重点研究课题的委托工作。\n各牵头单位务于3月15日前报送课题成果。\n"
    )
    records = extract(text).records
    assert [(r.department, r.due) for r in records] == [
        (None, date(2010, 2, 28)),
        ("各牵头单位", date(2010, 3, 15)),
    ]


def test_a_stage_above_numbered_items_dates_them():
    text = (
        "苍岭州“十五五”规划纲要编制工作方案\n（2024年5月）\n二、进度安排\n（一）前期研究阶段（2024年5月—12月）\n"
        "1.州直各部门围绕本领域开展重大问题研究。\n（二）思路形成阶段（2025年1月—6月）\n2.州规划办起草基本思路，3月底前提交审议。\n"
    )
    assert [(r.department, r.due) for r in extract(text).records] == [
        ("州直各部门", date(2024, 12, 31)),
        ("州规划办", date(2025, 3, 31)),
    ]


def test_a_units_leaders_and_leadership_are_the_units():
    head = PLAN_HEAD
    assert units_of(head + "各乡镇、各部门主要负责同志是第一责任人，要亲自抓、负总责。") == ["各乡镇", "各部门"]
    assert units_of(head + "区发改局领导班子要每季度研究一次规划实施工作。") == ["区发改局"]


def test_role_and_partial_collectives_are_kept_as_written():
    head = PLAN_HEAD
    records = extract(head + "主要责任部门要制定推进计划，参与部门要积极配合，相关镇街要做好要素保障。").records
    assert [(r.department, r.role) for r in records] == [
        ("主要责任部门", "lead"),
        ("相关镇街", "lead"),
        ("参与部门", "co"),  # 参与 is a helping role; "积极配合" alone shares the whole sentence, so it comes last
    ]
    assert records[1].canonical_department != "各镇（街道）"  # some towns are not every town


def test_a_garbled_copy_of_the_title_gives_way_to_the_clean_one():
    text = "(青川?。H临河区…\n临河区国民经济和社会发展第十四个五年规划纲要\n第十五章 规划实施保障\n区发改局要加强监测。\n"
    assert extract(text).title == "临河区国民经济和社会发展第十四个五年规划纲要"


def test_a_headings_year_dates_the_work_beneath_it_and_a_draft_plan_is_of_its_year():
    text = (
        "临河区“十四五”规划实施情况中期报告\n三、2023年推进规划实施的重点工作\n"
        "（一）区发改局要在年底前完成重大项目谋划。\n（二）社区事务受理中心要推行一窗通办。\n"
        "由城建办牵头，各相关社区配合，整治背街小巷。\n"
    )
    records = extract(text).records
    assert ("区发改局", date(2023, 12, 31)) in [(r.department, r.due) for r in records]
    assert {"社区事务受理中心", "城建办", "各相关社区"} <= {r.department for r in records}
    title = "关于临河区2024年国民经济和社会发展计划执行情况与2025年国民经济和社会发展计划草案的报告\n正文。"
    assert extract(title).year == 2025


def test_a_supervision_forms_fields_each_on_a_line():
    text = (
        "芷阳区人民政府督查室督办通知\n区城管执法局、滨河街道办事处：\n"
        "督办事项：整治滨河路沿线占道经营问题\n承办单位：区城管执法局\n协办单位：区住建局\n办结时限：2024年6月30日\n"
    )
    assert [(r.department, r.role, r.due, r.task) for r in extract(text).records] == [
        ("区城管执法局", "lead", date(2024, 6, 30), "整治滨河路沿线占道经营问题"),
        ("区住建局", "co", date(2024, 6, 30), "整治滨河路沿线占道经营问题"),
    ]  # the addressees joined by 、 are whom the notice is sent to, not a task


def test_a_start_before_the_subject_is_a_start_not_a_task_nor_a_deadline():
    text = PLAN_HEAD + "从今年开始，区发改局要会同区统计局每年一季度完成监测报告。\n"
    records = extract(text, 2022).records
    assert {(r.department, r.recurrence, r.starts, r.task) for r in records} == {
        ("区发改局", "yearly", date(2022, 1, 1), "会同区统计局每年一季度完成监测报告"),
        ("区统计局", "yearly", date(2022, 1, 1), "会同区统计局每年一季度完成监测报告"),
    }


def test_an_item_number_before_a_year_is_a_number():
    text = "临河区2025年重点任务分工方案\n2.2025年6月底前，区发改局完成重点项目集中开工。\n"
    assert [(r.department, r.due, r.task) for r in extract(text).records] == [
        ("区发改局", date(2025, 6, 30), "完成重点项目集中开工")  # not "2.2025年…" read as a decimal
    ]


def test_assessments_of_the_situation_are_no_tasks():
    text = (
        "在全区“十四五”规划实施推进会议上的讲话\n一、形势\n"
        "从外部环境看，今年经济发展面临需求收缩、预期转弱等压力。\n"
        "规划确定的十大工程中，已有六项开工建设。\n"
        "做好今年的工作任务艰巨、责任重大。\n"
        "区发改局要在6月底前完成项目储备。\n"
    )
    assert units_of(text, 2022) == ["区发改局"]


def test_an_item_number_before_a_month_and_a_date_line_under_the_title():
    text = (
        "临河区“十四五”规划纲要重点任务分工表\n（2021年11月）\n一、重点任务\n"
        "1.6月30日前完成老旧小区改造方案编制。（牵头单位：区住建局）\n"
        "序号 |\n任务 |\n牵头单位 |\n完成时限 |\n1 |\n建成污水处理厂二期 |\n区住建局 |\n2023年6月30日 |\n"
    )
    document = extract(text)
    assert (document.title, document.year) == ("临河区“十四五”规划纲要重点任务分工表", 2021)  # not the table's date
    first = document.records[0]
    assert (first.due, first.task) == (date(2021, 6, 30), "6月30日前完成老旧小区改造方案编制")
