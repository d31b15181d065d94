"""Indicators stated in running text rather than in a table.

- An annual plan's or an annual breakdown's quantified targets: 地区生产总值增长6%左右, 新培育高新技术企业16家.
- A plan's indicators listed as items with a note: "1.地区生产总值年均增长6%以上。（预期性指标，牵头单位：区发改局）",
  as division plans and implementation opinions assign them.

Written by hand because an annual plan states its targets beside last year's results written the same way
(地区生产总值增长5.2%). A clause counts as a target when it sits in the part of the plan that sets this year's work
and reads as an aim (力争, 确保, 目标…); results are recognised by a past year, 同比, 已 or a 了 after the verb. The
indicator is named by the words before the number: the subject, with the verb kept when the number is a change
(增长, 下降) rather than a level (达到, 控制在).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.assignments import (
    LABEL,
    Assignment,
    label_assignments,
    parenthetical_assignments,
    subject_assignments,
)
from ingest.indicator_values import ROW_NUMBER_PREFIX, parse_target
from ingest.records import IndicatorRecord
from ingest.sentences import Sentence, split_sentences
from ingest.structure import Outline

UNITS = (
    "个百分点|万亿元|亿元|万元|元|万人次|人次|万人|人|万户|户|家|个|项|所|平方公里|公里|千米|万平方米|平方米|万亩|亩"
    "|万吨标准煤|吨标准煤|万吨|吨|套|座|张|辆|台|件|岁|天|小时|亿斤|万斤|斤|公顷|万千瓦|千瓦|兆瓦|场|例|处|条|间|栋|名|批"
    "|%|％|‰"
)
CHANGE_VERBS = "增长|下降|降低|减少|提高|提升|增加"
LEVEL_VERBS = "提高到|提高至|提升到|提升至|增加到|增加至|达到|达|稳定在|保持在|保持|突破|为"
QUANTITY = re.compile(
    rf"(?P<verb>{LEVEL_VERBS}|{CHANGE_VERBS})?"
    r"(?P<value>(?:约|大约|不低于|不高于|不少于|不超过|超过|高于|低于|控制在)?\d+(?:\.\d+)?"
    r"(?:\s*[%％]?\s*[-—～~至到]\s*\d+(?:\.\d+)?)?"
    rf"\s*(?P<unit>{UNITS})(?:左右|以上|以内|以下|上下)?)"
)
CLAUSE_BREAK = re.compile(r"[，,；;。：:、！？\n]")
# words before the indicator that say it is an aim, not a name's part
LEAD_IN = re.compile(
    r"^(?:(?:20\d\d年|今年|全年|年内|力争|确保|争取|计划|预计|预期|主要预期目标[是为]?|目标[是为]?|其中|全区|全市|全县|全镇"
    r"|实现|完成|共|我区|我市|我县|努力|推动|要|将|继续|进一步|\d{1,2}月(?:底|末)?(?:前|以前)?|年底前|年内|上半年|下半年"
    r"|第?[一二三四]季度(?:末)?(?:前)?)\s*)+"
)
# after the unit that opens a clause (区科技局要…), the words that join it to its work
SUBJECT_JOIN = re.compile(r"^(?:要|将|应|须|负责|牵头|继续|进一步)+")
AIM_WORDS = re.compile(r"目标|力争|确保|争取|预期|计划|全年|今年|年内|任务")
TARGET_SECTION = re.compile(r"目标|任务|安排|计划|重点|要点|措施|工作")
RESULT_SECTION = re.compile(r"执行情况|完成情况|回顾|总结|成效|成绩")
RESULT_WORDS = re.compile(r"同比|[完实达增降]\S?了|已|累计完成|去年|上年度")
YEAR_MENTION = re.compile(r"(20\d\d)\s*年")
NAME_CHARACTERS = re.compile(r"^[\u4e00-\u9fff“”（）()A-Za-z0-9]+$")


def annual_targets(text: str, outline: Outline) -> list[IndicatorRecord]:
    """Each first quantified target of a name in `text`, due in the document's year."""
    records: list[IndicatorRecord] = []
    seen: set[str] = set()
    position = 0
    lines = text.split("\n")
    for index, line in enumerate(lines):
        line_start = position
        position += len(line) + 1
        if not _may_hold_targets(line, line_start, outline):
            continue
        label_units = _label_units(line, lines[index + 1 : index + 6])
        for sentence in split_sentences(line, line_start):
            subjects = subject_assignments(sentence.text) + parenthetical_assignments(sentence.text)
            clause_start = 0
            for clause_break in [*CLAUSE_BREAK.finditer(sentence.text), None]:
                clause_end = clause_break.start() if clause_break else len(sentence.text)
                record = _clause_target(sentence, clause_start, clause_end, outline, subjects, label_units)
                clause_start = clause_end + 1
                if record and record.name not in seen:
                    seen.add(record.name)
                    records.append(record)
    return records


def _may_hold_targets(line: str, line_start: int, outline: Outline) -> bool:
    if not re.search(r"\d", line):
        return False
    section = outline.section_at(line_start)
    titles = " ".join(section.path) if section else ""
    if RESULT_SECTION.search(titles):
        return False
    if outline.kind == "annual_breakdown":
        return True
    return bool(TARGET_SECTION.search(titles) or AIM_WORDS.search(line))


def _label_units(line: str, following: list[str]) -> tuple[str, ...]:
    """Units labelled on the line (牵头单位：…) or on the label lines right under it, as division plans write them."""
    labelled = [line]
    for next_line in following:
        if not LABEL.match(next_line.strip()):
            break
        labelled.append(next_line)
    assignments = label_assignments("；".join(labelled))
    lead = [a.mention.name for a in assignments if a.role == "lead"]
    return tuple(dict.fromkeys([*lead, *(a.mention.name for a in assignments)]))


def _clause_target(
    sentence: Sentence,
    start: int,
    end: int,
    outline: Outline,
    subjects: list[Assignment],
    label_units: tuple[str, ...],
) -> IndicatorRecord | None:
    clause = sentence.text[start:end]
    if RESULT_WORDS.search(clause) or any(
        int(year) < (outline.year or 0) for year in YEAR_MENTION.findall(clause)
    ):
        return None
    match = QUANTITY.search(clause)
    if match is None:
        return None
    # "建成A等5个项目": the number counts a noun after it, and the words before it name no indicator
    if (
        match.end() < len(clause)
        and re.match(r"[\u4e00-\u9fff]", clause[match.end()])
        and match.group("unit") != "%"
    ):
        return None
    words_start = 0
    for subject in subjects:
        if start <= subject.mention.start and subject.mention.end <= start + match.start():
            words_start = max(words_start, subject.mention.end - start)
    before = clause[words_start : match.start()]
    before = SUBJECT_JOIN.sub("", before) if words_start else before
    written_subject = ROW_NUMBER_PREFIX.sub("", YEAR_MENTION.sub("", before)).strip()
    subject = LEAD_IN.sub("", written_subject).strip()
    if _han_count(subject) < 3:
        # 完成投资 names the target where 投资 alone would not
        subject = re.sub(r"^(?:全年|今年|年内|力争|确保|争取)+", "", written_subject)
    verb = match.group("verb") or ""
    name = subject + verb if verb and re.fullmatch(CHANGE_VERBS, verb) else subject
    name = re.sub(r"(?:比上年|较上年|同比)", "", name)
    if _han_count(name) < 3 or not NAME_CHARACTERS.match(name) or len(name) > 24 or "等" in name:
        return None
    value = match.group("value")
    number, comparison = parse_target(value)
    unit = match.group("unit").replace("％", "%")
    return IndicatorRecord(
        name=name,
        unit=unit,
        category=None,
        base_year=None,
        base_value=None,
        target_year=outline.year,
        target_value=value,
        target_number=number,
        comparison=comparison,
        annual_growth=None,
        attribute=None,
        departments=_clause_units(subjects, start, label_units),
        evidence=sentence.text,
        span=(sentence.start, sentence.start + len(sentence.text)),
    )


def _han_count(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", text))


def _clause_units(subjects: list[Assignment], start: int, label_units: tuple[str, ...]) -> tuple[str, ...]:
    """The units a clause's sentence makes responsible for it, lead first, then its line's labelled units."""
    covering = [subject for subject in subjects if subject.segment_start <= start < subject.segment_end]
    ordered = [s.mention.name for s in covering if s.role == "lead"] + [s.mention.name for s in covering]
    return tuple(dict.fromkeys([*ordered, *label_units]))


# "（预期性指标，牵头单位：区发改局；责任单位：区统计局）" after an item: the item is one of the plan's indicators
INDICATOR_NOTE = re.compile(
    r"[（(]\s*(约束性|预期性)指标\s*[，,；;]?((?:[^（()）]|[（(][^（()）]{0,12}[）)])*)[）)]"
)
BY_YEAR = re.compile(r"到\s*(20\d\d)\s*年")
UNQUANTIFIED = re.compile(r"(完成|达到|符合)((?:上级|市|省|国家)?下达.{0,6}|.{0,8}(?:目标|任务|要求))$")


def noted_indicators(text: str, outline: Outline) -> list[IndicatorRecord]:
    """Items marked by an indicator note, due at the end of the plan period (or the year they name)."""
    records: list[IndicatorRecord] = []
    position = 0
    default_year = outline.period[1] if outline.period and not outline.year_bound else outline.year
    for line in text.split("\n"):
        line_start = position
        position += len(line) + 1
        note = INDICATOR_NOTE.search(line)
        if note is None:
            continue
        item = ROW_NUMBER_PREFIX.sub("", line[: note.start()]).strip().rstrip("。；;，,")
        by_year = BY_YEAR.search(item)
        item = BY_YEAR.sub("", item).strip("，, ")
        record = _noted_item(item, note.group(1), note.group(2))
        if record is None:
            continue
        target_year = int(by_year.group(1)) if by_year else default_year
        base_year = outline.period[0] - 1 if outline.period and not outline.year_bound else None
        records.append(
            replace(
                record,
                base_year=base_year,
                target_year=target_year,
                evidence=line.strip(),
                span=(line_start, line_start + len(line)),
            )
        )
    return records


def _noted_item(item: str, attribute: str, note: str) -> IndicatorRecord | None:
    match = QUANTITY.search(item)
    unit = None
    if match:
        verb = match.group("verb") or ""
        subject = item[: match.start()]
        name = subject + verb if verb and re.fullmatch(CHANGE_VERBS, verb) else subject
        value = match.group("value")
        unit = match.group("unit").replace("％", "%")
    elif unquantified := UNQUANTIFIED.search(item):
        # 完成市下达任务: kept as written, with no number
        name, value = item[: unquantified.start()], unquantified.group()
    else:
        return None
    name = name.strip()
    if name.endswith("累计"):  # 城镇新增就业累计2.5万人: a five-year total, and the value says so
        name, value = name.removesuffix("累计"), "累计" + value
    if _han_count(name) < 2:
        return None
    number, comparison = parse_target(value)
    assignments = label_assignments(note)
    departments = [a.mention.name for a in assignments if a.role == "lead"] + [
        a.mention.name for a in assignments
    ]
    return IndicatorRecord(
        name=name.strip(),
        unit=unit,
        category=None,
        base_year=None,
        base_value=None,
        target_year=None,
        target_value=value,
        target_number=number,
        comparison=comparison,
        annual_growth=value if "年均" in name else None,
        attribute=attribute,
        departments=tuple(dict.fromkeys(departments)),
    )
