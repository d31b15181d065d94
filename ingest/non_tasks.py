"""Sentences that read like duties but give no one any work: cover letters, reports of results, descriptions.

Written by hand because the genre marks them by fixed phrases (现将…印发给你们, 两年来…完成了, 是…的关键之年).
"""

from __future__ import annotations

import re

# "现将…印发给你们，请认真贯彻落实": the cover letter hands the document over; it assigns nothing itself
COVER_LETTER = re.compile(
    r"现将.{0,60}(?:印发|转发|下达|通报|公布|如下)|(?:印发|转发)给你们|请(?:认真)?(?:贯彻|遵照)执行"
)


# reports of what was done ("两年来…完成了", "截至5月底已开工52个", "受到…肯定"): past results are no tasks,
# unless the sentence also sets work to come (要, 应, 力争, 确保, 前完成)
PAST_RESULT = re.compile(
    r"(?:年来|以来|截至|截止)[^。；]{0,30}[，,]|[了]|受到.{0,12}(?:肯定|表扬|通报表扬)|进展较快|进度滞后|已(?:开工|完成|建成|办结)"
    r"|推进有力|考评为|评为[^。，]{0,6}等次|未(?:达到|按时|按期)|进度符合预期|成效明显|至今(?:未|尚未|仍未)|(?:尚|仍)未(?:取得|开工|完成)"
    r"|已有[^。，]{0,8}(?:开工|建成|完成)|均高于|高于全[省市区县]平均"
)
# an assessment of the situation: "从外部环境看，…面临…压力", "…任务艰巨、责任重大"
ASSESSMENT = re.compile(r"^从[^，。]{1,12}看[，,]|面临[^。]{0,20}(?:压力|挑战|困难)|任务艰巨|责任重大|意义重大")


# 要 as a modal, not inside 主要, 重要, 需要 or 要求
WORK_TO_COME = re.compile(
    r"(?<![主重需纪摘提概必纲])要(?![求点素件闻])|应当?|须|需|力争|确保|将(?:于|对|在|组织|开展)|于\d|前完成|底前|请"
)


# "今年是…的攻坚之年", "…是…的关键时期": what a year is, not what anyone must do
DESCRIBES_A_TIME = re.compile(r"是[^。，；]{0,24}(?:时期|之年|一年|阶段|节点)[，。；]")


# "乡人民政府是规划实施的责任主体。": a statement of who is answerable, with no work of its own
STATES_A_ROLE = re.compile(r"^[^，,。；;]{2,20}是[^，,。；;]{2,30}(?:主体|部门|单位|责任人|第一责任人)[。；;]?$")


def assigns_no_work(text: str) -> bool:
    """Sentences that read like duties but hand over a document, report results or describe a year."""
    if COVER_LETTER.search(text):
        return True
    if PAST_RESULT.search(text) and not WORK_TO_COME.search(PAST_RESULT.sub("", text)):
        return True
    if ASSESSMENT.search(text) and not WORK_TO_COME.search(ASSESSMENT.sub("", text)):
        return True
    return bool(DESCRIBES_A_TIME.search(text)) and not re.search(r"要|应|须|负责|牵头", text.split("是", 1)[1])
