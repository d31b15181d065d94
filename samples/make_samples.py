"""Build samples/mechanism_opinion.docx, the fictional 实施机制意见 shipped for the demo and the tests.

The .docx is committed too; run this script again (`python samples/make_samples.py`) after editing the text
below. The document is invented for 青川市 and deliberately ends with a Word table of task division, because
real opinions of this kind usually carry their 分工 as a table the loader must read in document order.
"""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

OUTPUT = Path(__file__).resolve().parent / "mechanism_opinion.docx"
# the signature date; used for the metadata and the zip entries so that a rebuild is byte-identical
SIGNED = datetime(2021, 9, 6, 9, 0, tzinfo=UTC)

HEADER = [
    ("center", "青川市人民政府办公室文件"),
    ("center", "青政办发〔2021〕23号"),
    ("title", "青川市人民政府办公室\n关于建立健全“十四五”规划纲要实施机制的意见"),
    ("body", "各区（县）人民政府，市政府各部门、各直属机构："),
]

# (style, text): "h1" = 一、 headings, "h2" = （一） paragraphs that open with a heading phrase
BODY = [
    (
        "body",
        "《青川市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要》（以下简称《纲要》）已经市十六届"
        "人大五次会议审议批准，是全市今后五年经济社会发展的宏伟蓝图和行动纲领，是政府履行经济调节、市场监管、"
        "社会管理、公共服务和生态环境保护职能的重要依据。为确保《纲要》确定的目标任务如期实现，经市政府同意，现就建立健全《纲要》实施机制"
        "提出如下意见。",
    ),
    ("h1", "一、总体要求"),
    (
        "h2",
        "（一）指导思想。以习近平新时代中国特色社会主义思想为指导，完整、准确、全面贯彻新发展理念，坚持系统观念，"
        "把《纲要》作为全市经济社会发展的总遵循，构建目标明确、责任清晰、衔接有序、监督有力的规划实施体系。"
        "通过健全责任落实、计划衔接、监测评估、动态调整和考核监督等机制，推动《纲要》确定的发展目标、"
        "重大战略、重大工程、重大改革和重大政策落地见效，为建设现代化区域中心城市提供坚实保障。",
    ),
    (
        "h2",
        "（二）基本原则。坚持统筹协调，发挥《纲要》对专项规划、区域规划和年度计划的统领作用；坚持分级负责，"
        "层层压实规划实施责任，做到任务到岗、责任到人；坚持动态监测，及时发现和解决规划实施中的突出问题；坚持公开透明，"
        "自觉接受社会监督。到2022年，《纲要》实施的责任体系和政策体系基本建立；到2025年，规划实施机制更加完善，"
        "《纲要》确定的主要目标任务全面完成，以规划引领经济社会发展的格局更加巩固。",
    ),
    ("h1", "二、建立规划实施责任机制"),
    (
        "h2",
        "（三）明确任务分工。市发展改革委会同市直有关部门编制《纲要》主要目标任务分工方案，于2021年10月底前"
        "报市政府审定后印发。",
    ),
    (
        "h2",
        "（四）制定实施方案。各区（县）人民政府要结合本地实际，于2021年12月底前制定落实《纲要》的具体实施方案。"
        "市直有关部门要围绕牵头负责的任务，细化年度目标和推进措施，明确时间表和路线图。",
    ),
    (
        "h2",
        "（五）强化专项规划支撑。市级重点专项规划由市直有关部门负责编制，须与《纲要》做好衔接，并于2022年6月底前"
        "全部印发实施。市发展改革委负责专项规划与《纲要》的目标衔接审查。",
    ),
    ("h1", "三、建立规划与年度计划衔接机制"),
    (
        "h2",
        "（六）落实年度计划。市发展改革委每年将《纲要》确定的目标任务分解纳入市国民经济和社会发展年度计划，"
        "年度计划报告要对《纲要》实施进展作出说明。",
    ),
    (
        "h2",
        "（七）强化财政保障。市财政局要加强中期财政规划与《纲要》的衔接，每年编制预算时优先安排《纲要》"
        "确定的重大任务和重大工程所需资金。",
    ),
    (
        "h2",
        "（八）强化要素保障。市自然资源和规划局要对《纲要》确定的重大项目在国土空间规划中预留空间，"
        "优先保障用地用林需求。市生态环境局要提前介入重大项目环境影响评价，"
        "在依法依规前提下压缩评审时间。",
    ),
    ("h1", "四、建立规划实施监测评估机制"),
    (
        "h2",
        "（九）开展年度监测。自2022年起，市发展改革委会同市统计局每年对《纲要》主要指标完成情况和重大任务推进"
        "情况开展监测分析，形成年度监测报告。",
    ),
    (
        "h2",
        "（十）组织中期评估。2023年，市发展改革委牵头组织开展《纲要》实施中期评估，评估报告提请市人大常委会审议。",
    ),
    (
        "h2",
        "（十一）组织总结评估。《纲要》实施期末，市政府组织开展总结评估，全面总结“十四五”时期规划实施成效，"
        "为编制下一个五年规划提供依据。",
    ),
    ("h2", "（十二）完善评估方式。中期评估和总结评估应坚持自评估与第三方评估相结合，评估结果向社会公开。"),
    ("h1", "五、建立规划动态调整机制"),
    (
        "h2",
        "（十三）规范调整程序。经中期评估确需调整《纲要》的，由市政府提出调整方案，报市人民代表大会常务委员会批准。"
        "未经法定程序，任何部门不得擅自调整《纲要》确定的约束性指标。",
    ),
    ("h1", "六、建立规划实施考核监督机制"),
    (
        "h2",
        "（十四）加强督查考核。市政府督查室要将《纲要》重点任务落实情况纳入市政府年度督查计划。"
        "市委组织部要将《纲要》实施情况作为对各区（县）和市直部门领导班子综合考核的重要内容。",
    ),
    (
        "h2",
        "（十五）强化审计监督。市审计局要把《纲要》重大政策措施和重大工程项目落实情况作为审计监督的重点。",
    ),
    (
        "h2",
        "（十六）推进信息公开。各责任单位要通过政府网站等渠道及时公开规划实施进展情况，"
        "主动接受人大、政协和社会各界监督。",
    ),
    ("h1", "七、保障措施"),
    (
        "body",
        "各级各部门要充分认识建立健全《纲要》实施机制的重要意义，把规划实施摆上重要议事日程，加强组织领导，强化协同配合，"
        "确保各项机制落地见效。市发展改革委要加强对本意见落实情况的跟踪指导，每半年向市政府报告一次进展。"
        "执行中遇到的重大问题，请及时报告市政府。",
    ),
    ("body", "附件：“十四五”规划纲要实施重点任务分工表"),
]

SIGNATURE = [("right", "青川市人民政府办公室"), ("right", "2021年9月6日")]

TABLE_TITLE = "附件\n“十四五”规划纲要实施重点任务分工表"
TABLE_HEADER = ("序号", "重点任务", "牵头单位", "责任单位", "完成时限")
TABLE_ROWS = [
    ("1", "印发《纲要》主要目标任务分工方案", "市发展改革委", "市直有关部门", "2021年10月底前"),
    ("2", "出台各区（县）落实《纲要》实施方案", "各区（县）人民政府", "", "2021年12月底前"),
    ("3", "完成市级重点专项规划编制印发", "市直有关部门", "市发展改革委", "2022年6月底前"),
    ("4", "建立“十四五”重大项目储备库并动态更新", "市发展改革委", "各区（县）人民政府、市直有关部门", "每年"),
    ("5", "编制《纲要》实施年度监测报告", "市发展改革委", "市统计局", "自2022年起每年"),
    ("6", "完成《纲要》实施中期评估报告", "市发展改革委", "市直有关部门", "2023年12月底前"),
    ("7", "完成《纲要》实施总结评估报告", "市发展改革委", "市直有关部门", "2025年12月底前"),
    ("8", "保障《纲要》重大项目用地需求", "市自然资源和规划局", "各区（县）人民政府", "持续推进"),
    ("9", "将《纲要》重点任务纳入市政府年度督查计划", "市政府督查室", "市发展改革委", "每年"),
    ("10", "开展《纲要》重大政策措施落实情况审计", "市审计局", "", "持续推进"),
]


def _set_chinese_font(document: Document) -> None:
    """python-docx sets only the Latin font; Word needs eastAsia set too, or Chinese falls back to a default."""
    style = document.styles["Normal"]
    style.font.name = "FangSong"
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")


def _add_paragraph(document: Document, style: str, text: str) -> None:
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    if style in ("center", "title"):
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run.bold = style == "title"
    elif style == "right":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif style == "h1":
        run.bold = True


def build(path: Path = OUTPUT) -> Path:
    document = Document()
    _set_chinese_font(document)
    for style, text in HEADER + BODY + SIGNATURE:
        _add_paragraph(document, style, text)
    document.add_page_break()
    _add_paragraph(document, "title", TABLE_TITLE)
    table = document.add_table(rows=1, cols=len(TABLE_HEADER))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, TABLE_HEADER, strict=True):
        cell.text = text
    for row in TABLE_ROWS:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    properties = document.core_properties
    properties.author = properties.last_modified_by = "青川市人民政府办公室"
    properties.title = "关于建立健全“十四五”规划纲要实施机制的意见"
    properties.created = properties.modified = SIGNED
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(_with_fixed_timestamps(buffer.getvalue()))
    return path


def _with_fixed_timestamps(package: bytes) -> bytes:
    """The same zip with every entry dated SIGNED: python-docx stamps entries with the current time."""
    rewritten = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(rewritten, "w") as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=SIGNED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(entry.filename))
    return rewritten.getvalue()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    print(build(target))
