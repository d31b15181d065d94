"""Sentences -> task records: who must do what, by when, and where the document says so.

Written by hand because assignment in Chinese plans follows house conventions rather than free grammar: the
responsible unit opens a clause (区发展改革局要…, 由区政府提出…), roles are marked by 牵头/负责 (lead) and
会同/配合/参与 (co), division plans add labelled lines (牵头单位：A；责任单位：B) and tables, and a heading can
name the unit for everything beneath it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from ingest.assignments import (
    CLAUSE_LEAD,
    LABEL,
    LIST_MARKER,
    MODAL_OR_ROLE,
    ROLE_PREFIX,
    TIME_LEAD,
    WITH_WORDS,
    Assignment,
    TableLayout,
    duty_bearers_lead,
    label_assignments,
    parenthetical_assignments,
    subject_assignments,
    table_layout,
    units_in_list,
)
from ingest.deadlines import TimeContext, Timing, month_end, reviews_in, timings_in, with_prefix
from ingest.records import Section, TaskRecord
from ingest.sentences import ROLE_NOTE_AT_END, Sentence, split_sentences
from ingest.structure import Outline, heading_of
from ingest.table_rows import CellBlock, CellLine, cell_blocks, pipe_cells
from ingest.units import AliasTable, UnitMention, strip_place, unit_kind, units_in_series

QUANTIFIED = re.compile(
    r"\d+(?:\.\d+)?\s*(?:%|％|个|项|家|亿元|万元|万人|人|公里|千米|亩|万吨|吨|平方米|万平方米|座|所|套|户|条)"
)
DIRECTIVE_HINT = re.compile(
    r"要|应|须|必须|负责|牵头|推进|推动|加强|加快|完成|开展|实施|建立|健全|完善|制定|落实|确保|组织|做好|提升|实现|新增|建成|力争"
    r"|启动|中期评估|总结评估|年度监测"
)
TARGET_HINT = re.compile(r"增长|达到|控制在|不低于|不少于|以上|以内|提高到|降低到")
# a notice's distribution and contact lines name units as recipients, never as responsible
# "现将…印发给你们，请认真贯彻落实": the cover letter hands the document over; it assigns nothing itself
COVER_LETTER = re.compile(
    r"现将.{0,60}(?:印发|转发|下达|通报|公布|如下)|(?:印发|转发)给你们|请(?:认真)?(?:贯彻|遵照)执行"
)
# reports of what was done ("两年来…完成了", "截至5月底已开工52个", "受到…肯定"): past results are no tasks,
# unless the sentence also sets work to come (要, 应, 力争, 确保, 前完成)
PAST_RESULT = re.compile(
    r"(?:年来|以来|截至|截止)[^。；]{0,30}[，,]|[了]|受到.{0,12}(?:肯定|表扬|通报表扬)|进展较快|进度滞后|已(?:开工|完成|建成|办结)"
    r"|推进有力|考评为|评为[^。，]{0,6}等次|未(?:达到|按时|按期)|进度符合预期|成效明显|至今(?:未|尚未|仍未)|(?:尚|仍)未(?:取得|开工|完成)"
)
# 要 as a modal, not inside 主要, 重要, 需要 or 要求
WORK_TO_COME = re.compile(
    r"(?<![主重需纪摘提概必纲])要(?![求点素件闻])|应当?|须|需|力争|确保|将(?:于|对|在|组织|开展)|于\d|前完成|底前|请"
)
# "今年是…的攻坚之年", "…是…的关键时期": what a year is, not what anyone must do
DESCRIBES_A_TIME = re.compile(r"是[^。，；]{0,24}(?:时期|之年|一年|阶段|节点)[，。；]")
# "请以上单位…", "上述责任单位要…": the units named just before are meant
ANAPHORA = re.compile(r"(?:以上|上述)[^，。；]{0,10}?(?:责任|牵头|相关|承办)?(?:单位|部门)|该(?:局|单位|部门|委|办)")
# "乡人民政府是规划实施的责任主体。": a statement of who is answerable, with no work of its own
STATES_A_ROLE = re.compile(r"^[^，,。；;]{2,20}是[^，,。；;]{2,30}(?:主体|部门|单位|责任人|第一责任人)[。；;]?$")
# "由区交通运输局牵头的第12项、区水利局牵头的第27项…": units named as the owners of items, for 上述单位 to follow
OWNERS_REACH = 2000  # characters back that 上述单位 may reach for the owners of items
OWNERS_OF_ITEMS = re.compile(r"(?:负责|牵头|承担|承办)的第")
# a stage heading's time frame: （2024年3月—2024年8月）, (2025年11月-2026年1月)
STAGE_RANGE = re.compile(
    r"(20\d\d)\s*年\s*(\d{1,2})\s*月?\s*[—\-－–~至到]+\s*(?:(20\d\d)\s*年)?\s*(\d{1,2})\s*月"
)
# a quantified goal of a plan period: 年均增长, 累计, 控制在, 降低…完成…下达目标
PERIOD_TARGET = re.compile(r"年均|累计|控制在|稳定在|达到|不低于|降低|提高到|完成(?:省|市|上级)下达")
# a clause that is nothing but a time: 下半年, 2025年, 今年6月底前
TIME_ONLY = re.compile(r"(?:" + TIME_LEAD.pattern + r")")
# a sentence that opens with its modal: its subject is the previous sentence's
SUBJECTLESS = re.compile(
    r"^(?:(?:同时|并|还|也|更)?要(?![求点素件])|[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[，,]|其[一二三四五])"
)
# a heading about one review of the plan: the work beneath it is that review's
REVIEW_HEADING = re.compile(r"中期评估|总结评估|期末评估")
ROUTING_LINE = re.compile(
    r"^(?:(?:抄送|抄报|主送|分送|发送|联系人|联系电话|电话|附件)\s*[:：]|附件\s*\d*$)|.*\d{1,2}日印发$"
)


# "市统计局配合，建立…": role-only clauses before the action are not part of it
# what a who-only sentence holds besides its units: role words, 等部门, and punctuation
ASSIGNMENT_WORDS = re.compile(
    r"由|牵头|负责|配合|协助|参与|共同|按照?职责分工|按照?职责|分工|抓好落实|落实|等|有关|相关|部门|单位|[，,、；;。和及与\s]"
)
LEADING_ROLE_CLAUSES = re.compile(r"^(?:[^，,；;。]{2,30}?(?:牵头|配合|负责|参与|协助)[，,；;])+")


@dataclass(slots=True)
class LeadIn:
    """A line that introduces the items below it and says for all of them who and by when:
    "到2025年，全区主要指标如下（以下指标均需各镇（街道）落实，不再逐一列出）：". It holds for its section."""

    section_start: int
    units: list[UnitMention]
    timing: str

    def applied(
        self, sentence: Sentence, assignments: list[Assignment], timing_text: str | None, context: TimeContext
    ) -> tuple[list[Assignment], str | None]:
        present = {a.mention.name for a in assignments}
        role = "co" if any(a.role == "lead" for a in assignments) else "lead"
        added = [Assignment(m, role, 0, len(sentence.text)) for m in self.units if m.name not in present]
        own = timings_in(timing_text or sentence.text, replace(context, annual_plan=False))
        if not any(t.due or t.recurrence for t in own):
            timing_text = (timing_text or sentence.text) + " " + self.timing
        return assignments + added, timing_text


LEAD_IN_WORDS = re.compile(r"如下|以下|下列")
BLANKET_NOTE = re.compile(r"以下(?:各项)?(?:指标|任务|事项)?(?:均需|均由|均须|均要)(.{2,30}?)(?:落实|负责|完成|承担)")
# "（以下指标均需各镇（街道）落实）", "均由区发改局负责": who the lead-in gives every item below to
LEAD_IN_UNITS = re.compile(r"(?:均需|均由|均须|均要|由)(.{2,40}?)(?:落实|负责|牵头|完成|承担)")


def lead_in_of(line: str, section_start: int) -> LeadIn | None:
    stripped = line.strip()
    if not stripped.endswith(("：", ":")) or not LEAD_IN_WORDS.search(stripped) or len(stripped) > 120:
        return None
    who = LEAD_IN_UNITS.search(stripped)
    units = _units_named_in(who.group(1)) if who else []
    when = re.search(r"(?:到|至)?20\d\d年[^，,：:（(]{0,8}", stripped)
    if not units and not when:
        return None
    return LeadIn(section_start, units, when.group() if when else "")


class RecordBuilder:
    """Turns sentences with their assignments into TaskRecords (canonical units, timings, dedupe)."""

    def __init__(
        self, outline: Outline, aliases: AliasTable, source_map: Callable[[int], int] | None
    ) -> None:
        self.outline = outline
        self.aliases = aliases
        self.source_map = source_map
        self.context = TimeContext(year=outline.year, period=outline.period, annual_plan=outline.year_bound)
        self.records: list[TaskRecord] = []
        self._seen: set[tuple[object, ...]] = set()
        self.rule = "clause_subject"  # the rule of the emit in progress, recorded on each record it makes
        self._unassigned: dict[str, list[int]] = {}  # evidence -> indices of its records without a unit
        self.lead_in: LeadIn | None = None
        self.last_subjects: tuple[int, list[Assignment]] | None = None  # (line start, the last clause subjects)
        self.mentioned: list[tuple[int, list[UnitMention]]] = []  # units named as owners of items, by offset
        self.definitions: dict[str, str] = {}  # a unit named by its function -> the body the document says it is  # "到2025年，主要指标如下（以下指标均需各镇（街道）落实）："
        self._retracted: set[int] = set()

    def emit(
        self,
        sentence: Sentence,
        assignments: list[Assignment],
        *,
        timing_text: str | None = None,
        allow_unassigned: bool,
        rule: str = "clause_subject",
    ) -> None:
        self.rule = rule
        section = self.outline.section_at(sentence.start)
        section_title = section.title if section else ""
        lead_in = self.lead_in if self.lead_in and self.lead_in.section_start == self.scope_start(sentence.start) else None
        if lead_in and rule != "anaphora":
            assignments, timing_text = lead_in.applied(sentence, assignments, timing_text, self.context)
            allow_unassigned = allow_unassigned or bool(assignments)
        if not assignments and not allow_unassigned:
            return
        if not assignments:
            timings = self._review_section_default(
                self._timings(timing_text or sentence.text, section_title), section_title
            )
            if not allow_unassigned or not any(timing.is_signal for timing in timings):
                return
            for timing in timings:
                self.rule = "deadline_without_unit"
                self._add(None, None, sentence.text, sentence, section_title, timing)
            return
        prefix_end = min(assignment.segment_start for assignment in assignments) or min(
            assignment.mention.start for assignment in assignments
        )
        prefix = sentence.text[:prefix_end]
        # units sharing a segment share its action and timings: read them once (a who-only line may name
        # thousands of units, and reading the segment for each was quadratic)
        read: dict[tuple[int, int], list[tuple[str, list[Timing]]]] = {}
        for assignment in assignments:
            bounds = (assignment.segment_start, assignment.segment_end)
            if bounds not in read:
                segment = sentence.text[slice(*bounds)]
                read[bounds] = self._timed_parts(segment, prefix, timing_text, section_title)
            for task, timings in read[bounds]:
                for timing in timings:
                    self._add(assignment.mention.name, assignment.role, task, sentence, section_title, timing)

    def _timed_parts(
        self, segment: str, prefix: str, timing_text: str | None, section_title: str
    ) -> list[tuple[str, list[Timing]]]:
        """The segment's action and timings; one part per timing when each clause carries its own.

        "2026年8月前出台方案，并于每年12月10日前报送" is a one-off and a yearly duty: read as one action with
        two timings it would become one task with the first date and lose the rhythm of the second."""
        whole = self._read_segment(segment, prefix, timing_text, section_title)
        if timing_text is not None or len([t for t in whole[1] if t.is_signal]) < 2:
            return [whole]
        if any(t.review for t in whole[1]):
            return [whole]  # a review and the report it asks for are one duty: the text's date dates the review
        parts: list[list[str]] = []
        dated_only = replace(self.context, annual_plan=False)
        first_dated = False
        for clause in re.split(r"(?<=[，,；;])", segment):
            signalled = any(t.is_signal for t in timings_in(clause, dated_only))
            if parts and TIME_ONLY.fullmatch(LIST_MARKER.sub("", "".join(parts[-1])).strip("，,；; ")):
                parts[-1].append(clause)  # "下半年，区发改局要…": a time before the subject opens the first duty
                first_dated = True
            elif not parts:
                first_dated = signalled
                parts.append([clause])
            elif signalled and first_dated:
                parts.append([clause])
            elif signalled:
                parts[-1].append(clause)  # "新建中小学3所，2025年秋季前投入使用": the date is the first part's
                first_dated = True
            else:
                parts[-1].append(clause)
        if len(parts) < 2:
            return [whole]
        read = [self._read_segment("".join(part), prefix, None, section_title) for part in parts]
        return [(task, timings) for task, timings in read if task]

    def _read_segment(
        self, segment: str, prefix: str, timing_text: str | None, section_title: str = ""
    ) -> tuple[str, list[Timing]]:
        timings = self._timings(timing_text or segment, section_title)
        if not any(timing.is_signal for timing in timings) and prefix and not timing_text:
            timings = self._timings(prefix + segment, section_title)
        elif prefix and not timing_text:
            timings = with_prefix(timings, prefix, self.context)
        timings = self._review_section_default(timings, section_title)
        if not any(t.is_signal for t in timings) and self.context.period and PERIOD_TARGET.search(segment):
            # "地区生产总值年均增长6%以上" in a five-year plan's division: a target for the period's end
            timings = [Timing(due=date(self.context.period[1], 12, 31))]
        return task_text(segment), timings

    def _timings(self, text: str, section_title: str) -> list[Timing]:
        """Timings read in the section's time frame: under （一）前期研究阶段（2024年3月—2025年1月） a bare
        "4月底前" is April 2024 and "1月底前" January 2025, whatever the document's own year."""
        # the innermost heading with a time frame: a stage, not the numbered item under it
        stages = list(STAGE_RANGE.finditer(section_title)) if section_title else []
        stage = stages[-1] if stages else None
        if not stage:
            return timings_in(text, self.context)
        first_year, first_month = int(stage.group(1)), int(stage.group(2))
        last_year = int(stage.group(3) or first_year)
        timings = timings_in(text, replace(self.context, year=first_year))
        if not any(timing.is_signal for timing in timings):
            # work of a stage with no date of its own is due when the stage ends
            return [Timing(due=month_end(last_year, int(stage.group(4))))]
        if last_year == first_year:
            return timings
        opens = date(first_year, first_month, 1)
        return [
            replace(t, due=t.due.replace(year=last_year)) if t.due and t.due < opens and t.due.year == first_year else t
            for t in timings
        ]

    def _review_section_default(self, timings: list[Timing], section_title: str) -> list[Timing]:
        """Under a heading such as 三、中期评估的组织方式 an undated task serves that review: it is due with it."""
        if any(timing.is_signal for timing in timings) or not REVIEW_HEADING.search(section_title):
            return timings
        reviews = [review for review in reviews_in(section_title, self.context) if review.due]
        return [Timing(due=reviews[0].due)] if reviews else timings

    def retract_unassigned(self, sentence: Sentence) -> None:
        """A labelled unit line below a sentence replaces the records made for it without a unit.

        Indexed by evidence, so a plan of thousands of labelled items stays linear."""
        evidence = sentence.text.strip()
        for index in self._unassigned.pop(evidence, ()):
            self._retracted.add(index)
            record = self.records[index]
            self._seen.discard((None, evidence, record.due, record.recurrence, record.review))

    def _canonical(self, unit: str) -> str:
        """The alias table's name, which drops the place; a unit of another place keeps it: in a 南江市 plan,
        江北区人民政府 and 江南区人民政府 are two governments, not twice 区政府."""
        stripped = strip_place(unit)
        place = unit[: len(unit) - len(stripped) + 1]
        jurisdiction = self.outline.jurisdiction
        if stripped != unit and jurisdiction and not (place.endswith(jurisdiction) or jurisdiction.endswith(place)):
            return unit
        return self.aliases.canonical(unit)

    def scope_start(self, offset: int) -> int:
        """Where the part of the document around `offset` begins: its section, but not an item's own heading
        (2.县水利局要…), so that 以上单位 and a lead-in reach over the items of their list."""
        section = self.outline.section_at(offset)
        while section and section.path and re.match(r"\d|[（(]\d", section.path[-1]):
            parent = section.path[:-1]
            section = next(
                (s for s in reversed(self.outline.sections) if s.path == parent and s.start <= offset), None
            )
        return section.start if section else 0

    def units_in_section(self, offset: int) -> list[UnitMention]:
        """The units of the records made so far in the section around `offset` (what 以上单位 refers to)."""
        start = self.scope_start(offset)
        # 上述滞后任务的牵头单位: the owners of the items named last above, often under the previous heading
        owners = [mentions for at, mentions in self.mentioned if offset - OWNERS_REACH <= at < offset and mentions]
        if owners:
            return owners[-1]
        names: dict[str, None] = {}
        for index in range(len(self.records) - 1, -1, -1):
            record = self.records[index]
            if record.span[0] < start:
                break
            if record.department and index not in self._retracted:
                names.setdefault(record.department)
        return [UnitMention(name, 0, 0) for name in reversed(list(names))]

    def finished(self) -> list[TaskRecord]:
        if not self._retracted:
            return self.records
        return [record for index, record in enumerate(self.records) if index not in self._retracted]

    def _add(
        self,
        unit: str | None,
        role: str | None,
        task: str,
        sentence: Sentence,
        section_title: str,
        timing: Timing,
    ) -> None:
        defined = self.definitions.get(unit) if unit else None
        canonical = self._canonical(defined or unit) if unit else None
        written = unit
        evidence = sentence.text.strip()
        key = (canonical, evidence, timing.due, timing.recurrence, timing.review)
        if key in self._seen:
            return
        self._seen.add(key)
        kind = (
            "review"
            if timing.review
            else ("target" if QUANTIFIED.search(task) and not timing.recurrence else "task")
        )
        end = sentence.start + len(sentence.text)
        if canonical is None:
            self._unassigned.setdefault(evidence, []).append(len(self.records))
        self.records.append(
            TaskRecord(
                department=written,
                role=role,
                task=task or evidence,
                evidence=evidence,
                section=section_title,
                due=timing.due,
                recurrence=timing.recurrence,
                starts=timing.starts,
                kind=kind,
                review=timing.review,
                unit_kind=unit_kind(canonical) if canonical else None,
                canonical_department=canonical,
                rule=self.rule,
                confidence=confidence_of(self.rule, canonical, evidence, timing),
                span=(sentence.start, end),
                source_span=(
                    self.source_map(sentence.start),
                    self.source_map(max(sentence.start, end - 1)) + 1,
                )
                if self.source_map
                else None,
            )
        )


# how sure each rule is when it fires on clean text: labels and table columns say outright who does what; a
# clause subject is read from grammar; a heading's unit or a who-only sentence is carried over from elsewhere
RULE_CONFIDENCE = {
    "label_lines": 0.95,
    "inline_labels": 0.95,
    "table_row": 0.9,
    "role_note": 0.9,
    "clause_subject": 0.85,
    "table_cells": 0.8,
    "who_only_sentence": 0.8,
    "carried_subject": 0.7,
    "anaphora": 0.75,
    "heading_unit": 0.7,
    "deadline_without_unit": 0.5,
}
# characters that never belong in a Chinese plan's sentence: a sign of text decoded with the wrong codec
DAMAGE = re.compile(r"[\u00c0-\u024f\u2500-\u259f\ue000-\uf8ff\ufffd\uff61-\uff9f]|\?[。、，A-Za-z]")


def damaged_share(text: str) -> float:
    """The share of characters in `text` that look like mojibake (GBK read as Big5 and the like)."""
    return len(DAMAGE.findall(text)) / len(text) if text else 0.0


def confidence_of(rule: str, unit: str | None, evidence: str, timing: Timing) -> float:
    """0–1: how far a coordinator can trust the record without reading its sentence."""
    confidence = RULE_CONFIDENCE.get(rule, 0.6)
    if unit and (unit.startswith(("有关", "相关")) or "有关" in unit or "相关" in unit):
        confidence -= 0.1  # 有关部门: someone must still say which
    if unit and unit_kind(unit) == "collective" and not unit.startswith("各"):
        confidence -= 0.05
    if damaged_share(evidence) > 0.02:
        confidence = min(confidence, 0.3)  # damaged text: never trusted without a look
    if not (timing.due or timing.recurrence or timing.review):
        confidence -= 0.05
    return round(max(0.05, min(1.0, confidence)), 2)


def task_text(segment: str) -> str:
    """The action: the segment without its numbering, opening unit list, role words and modal verb."""
    segment = LIST_MARKER.sub("", segment)
    lead = CLAUSE_LEAD.match(segment)
    position = lead.end() if lead else 0
    if segment.startswith("由", position):
        position += 1
    series, after = units_in_series(segment, position)
    time_lead = TIME_LEAD.match(segment, position) if not series else None
    if time_lead and time_lead.end() > position:
        # "明年上半年，区发改局要牵头…": the due date keeps the time; the action starts after the subject
        subject_at = time_lead.end() + (segment[time_lead.end() : time_lead.end() + 1] in ("，", ","))
        series, after = units_in_series(segment, subject_at)
    text = segment[after:] if series else segment
    text = ROLE_PREFIX.sub("", text.lstrip("：: "))  # "区财政局：负责资金监管"
    text = _without_partner_clause(text)
    text = LEADING_ROLE_CLAUSES.sub("", text.lstrip("，,；; "))
    text = LIST_MARKER.sub("", text)
    text = ROLE_NOTE_AT_END.sub("", text)
    return text.strip("，,；;。 ")


def _without_partner_clause(text: str) -> str:
    """ "会同区市场监管局，于三季度完成…": a clause that only names the partners is not part of the action."""
    with_words = WITH_WORDS.match(text)
    if not with_words:
        return text
    partners, after = units_in_series(text, with_words.end(), lenient=True)
    etc = re.match(r"等(?:有关|相关)?(?:部门|单位)?", text[after:])
    after += etc.end() if etc else 0
    if partners and text[after : after + 1] in ("，", ",", "；", ";"):
        return text[after + 1 :]
    return text


@dataclass(slots=True)
class _LabelBlock:
    """Labelled lines (牵头单位：…, 完成时限：…) and the task sentences above them they belong to."""

    sentences: list[Sentence]
    text: str = ""


def extract_records(
    text: str, outline: Outline, *, aliases: AliasTable, source_map: Callable[[int], int] | None = None
) -> list[TaskRecord]:
    builder = RecordBuilder(outline, aliases, source_map)
    builder.definitions = unit_definitions(text)
    previous: list[Sentence] = []  # the last content line's sentences: labelled lines below attach to them
    block: _LabelBlock | None = None
    layout: TableLayout | None = None
    line_units: tuple[int, list[Assignment]] = (-1, [])  # units set by a "区发改局：" line, per section start
    position = 0
    lines = text.split("\n")
    blocks = {block.first_line: block for block in cell_blocks(lines)}
    skip_until = -1
    for line_number, line in enumerate(lines):
        line_start = position
        position += len(line) + 1
        if line_number <= skip_until:
            continue
        if line_number in blocks:
            block_of_cells = blocks[line_number]
            _emit_cell_block(builder, block_of_cells)
            skip_until = block_of_cells.last_line
            previous, layout = [], None
            continue
        section = outline.section_at(line_start)
        section_start = section.start if section else 0
        in_mechanism = bool(section and section.is_mechanism)
        if LABEL.match(line):
            if block is None and previous:
                block = _LabelBlock(previous)
            if block is not None:
                block.text += line + "\n"
            continue
        if block is not None:
            _flush(builder, block)
            block = None
        piped = pipe_cells(line) if "|" in line else None
        if piped == []:
            continue  # the |---|---| rule under a header
        if "\t" in line or piped:
            cells = piped or [cell.strip() for cell in line.split("\t")]
            found_layout = table_layout(cells)
            if found_layout or layout:
                layout = found_layout or layout
                if not found_layout:
                    _emit_table_row(builder, cells, layout, line_start, line)
                previous = []
                continue
        layout = None
        if ROUTING_LINE.match(line):
            previous = []
            continue
        if _addressee_line(line):
            previous = []
            continue  # 各功能区管委会，各街道办事处，区政府各部门：— whom a notice is sent to
        introduced = lead_in_of(line, builder.scope_start(line_start))
        if introduced:
            builder.lead_in = introduced
            previous = []
            continue
        named = _label_line_units(line)
        if named:
            line_units = (section_start, named)
            previous = []
            continue
        sentences = list(split_sentences(line, line_start))
        previous = sentences
        if heading_of(line) and len(line) <= 45 and not re.search(r"[。；;！？]", line) and (
            not re.search(r"[，,]", line) or (len(line) <= 30 and not subject_assignments(line))
        ):
            continue  # a title line ("二、突出重点，抓好落实"); it may still carry labelled units below
        heading_units = line_units[1] if line_units[0] == section_start else _units_of_headings(section)
        sentences = _labels_joined_to_their_task(sentences)
        if len(sentences) > 1 and _run_in_title(sentences[0]) and not _names_units_only(sentences[1].text):
            sentences = sentences[1:]  # "13.实施城市更新。区住建局要…": the title before the task
        for index, sentence in enumerate(sentences):
            if index and _names_units_only(sentence.text):
                _emit_for_task_before(builder, sentences[index - 1], sentence)
                continue
            # the preamble before the first heading explains the document; it assigns nothing without a unit
            # a labelled unit line right below gives this sentence its units: no record without a unit first
            labelled_below = line_number + 1 < len(lines) and bool(LABEL.match(lines[line_number + 1]))
            unassigned_ok = in_mechanism and bool(section and section.path) and not labelled_below
            _emit_sentence(builder, sentence, in_mechanism, heading_units, outline.kind, unassigned_ok)
    if block is not None:
        _flush(builder, block)
    return builder.finished()


def _labels_joined_to_their_task(sentences: list[Sentence]) -> list[Sentence]:
    """ "…年内完成国企整合。责任单位：区国资中心。" — the label sentence belongs to the task before it."""
    joined: list[Sentence] = []
    for sentence in sentences:
        if joined and LABEL.match(sentence.text):
            previous = joined[-1]
            gap = sentence.start - (previous.start + len(previous.text))
            joined[-1] = Sentence(
                previous.start, previous.text + " " * gap + sentence.text, previous.line_start
            )
        else:
            joined.append(sentence)
    return joined


def _names_units_only(text: str) -> bool:
    """ "由区住建局牵头，各镇街按职责分工负责。" or "区司法局配合。": who, with nothing of what."""
    assignments = subject_assignments(text)
    if not assignments:
        return False
    kept, position = [], 0
    for assignment in sorted(assignments, key=lambda a: a.mention.start):
        kept.append(text[position : assignment.mention.start])
        position = max(position, assignment.mention.end)
    kept.append(text[position:])
    return not ASSIGNMENT_WORDS.sub("", "".join(kept))


def _emit_for_task_before(builder: RecordBuilder, task: Sentence, units: Sentence) -> None:
    """The units of a who-only sentence share the task of the sentence before it, and its deadline."""
    named = [
        Assignment(UnitMention(a.mention.name, 0, 0), a.role, 0, len(task.text))
        for a in subject_assignments(units.text)
    ]
    builder.retract_unassigned(task)  # made when the task seemed to have no unit
    builder.emit(task, named, timing_text=task.text + units.text, allow_unassigned=False, rule="who_only_sentence")


def _run_in_title(sentence: Sentence) -> bool:
    text = sentence.text
    return (
        sentence.start == sentence.line_start
        and len(text) <= 24
        and bool(heading_of(text) or LIST_MARKER.match(text))
        and not re.search(r"[，,；;]", text)
        and not subject_assignments(text)
    )


def _flush(builder: RecordBuilder, block: _LabelBlock) -> None:
    labelled = label_assignments(block.text)  # read as one: 牵头单位 on one line makes 责任单位 below co
    for sentence in block.sentences:
        if not labelled:
            continue
        whole = [Assignment(a.mention, a.role, 0, len(sentence.text)) for a in labelled]
        builder.retract_unassigned(sentence)
        builder.emit(
            sentence, whole, timing_text=block.text + sentence.text, allow_unassigned=False, rule="label_lines"
        )


def _units_of_headings(section: Section | None) -> list[Assignment]:
    """The nearest enclosing heading that names a unit (一、区发展改革局) assigns the tasks beneath it."""
    if not section:
        return []
    for title in reversed(section.path):
        units = _units_named_by_heading(title)
        if units:
            return units
    return []


# "本条例所称发展规划行政主管部门，是指市发展改革委", "市发展改革委（以下简称发展规划主管部门）"
DEFINED_AS = re.compile(r"所称([\u4e00-\u9fff]{2,20}?)[，,]?(?:是指|指)([\u4e00-\u9fff]{2,20}?)[。；;，,]")
SHORT_NAME = re.compile(r"([\u4e00-\u9fff]{3,20}?)[（(]以下(?:简)?称([\u4e00-\u9fff]{2,16}?)[）)]")


def unit_definitions(text: str) -> dict[str, str]:
    """Units the document names by function or short name, mapped to the body it says they are."""
    definitions: dict[str, str] = {}
    for match in DEFINED_AS.finditer(text):
        bodies = units_in_series(match.group(2) + "。", 0)[0]
        if bodies:
            definitions[match.group(1)] = bodies[0].name
    for match in SHORT_NAME.finditer(text):
        start = match.start(1)
        for offset in range(len(match.group(1)) - 2):
            bodies = units_in_series(text, start + offset)[0]
            if bodies and bodies[-1].end == match.end(1):
                definitions[match.group(2)] = bodies[-1].name
                break
    return definitions


def _units_named_in(text: str) -> list[UnitMention]:
    """Every unit named in `text` where a unit can start (after 由, a separator or at the start), in order."""
    found: list[UnitMention] = []
    names: set[str] = set()
    for position in range(len(text)):
        if position and text[position - 1] not in "由、，,；;：:。（(":
            continue
        for mention in units_in_series(text, position)[0]:
            if mention.name not in names:
                names.add(mention.name)
                found.append(mention)
    return found


def assigns_no_work(text: str) -> bool:
    """Sentences that read like duties but hand over a document, report results or describe a year."""
    if COVER_LETTER.search(text):
        return True
    if PAST_RESULT.search(text) and not WORK_TO_COME.search(PAST_RESULT.sub("", text)):
        return True
    return bool(DESCRIBES_A_TIME.search(text)) and not re.search(r"要|应|须|负责|牵头", text.split("是", 1)[1])


def _emit_sentence(
    builder: RecordBuilder,
    sentence: Sentence,
    in_mechanism: bool,
    heading_units: list[Assignment],
    kind: str,
    unassigned_ok: bool,
) -> None:
    text = sentence.text
    blanket = BLANKET_NOTE.search(text)
    if blanket:
        # "（…，以下各项指标均需各乡镇落实，不再逐一列出）": every item from here on has these units too
        builder.lead_in = LeadIn(builder.scope_start(sentence.start), _units_named_in(blanket.group(1)), "")
    if OWNERS_OF_ITEMS.search(text):
        builder.mentioned.append((sentence.start, _units_named_in(text)))
    if assigns_no_work(text) or STATES_A_ROLE.match(text):
        return
    label = LABEL.search(text)
    if label and label.start() > 0:
        # a table row rendered as "任务；牵头单位：A；责任单位：B；完成时限：…"
        opening = max(text.rfind("（", 0, label.start()), text.rfind("(", 0, label.start()))
        inside_note = opening >= 0 and ")" not in text[opening : label.start()] and "）" not in text[opening : label.start()]
        closing = _closing_bracket(text, opening) if inside_note else len(text)
        labelled = label_assignments(text[label.start() : closing])  # the note's labels, not what follows it
        # "…以上。（预期性指标，牵头单位：…）": the task ends before the note that holds the label
        task_end = len(text[: opening if inside_note else label.start()].rstrip("（(，,；;。 "))
        if labelled and task_end:
            whole = [Assignment(a.mention, a.role, 0, task_end) for a in labelled]
            builder.emit(sentence, whole, timing_text=text, allow_unassigned=False, rule="inline_labels")
            after_note = text[closing + 1 :]
            if len(after_note.strip("，,；;。 ")) >= 8:
                # "…（牵头单位：区林业局）指标责任单位要加强…": a sentence runs on after the note
                rest = Sentence(sentence.start + closing + 1, after_note, sentence.line_start)
                _emit_sentence(builder, rest, in_mechanism, heading_units, kind, unassigned_ok)
            return
    subjects = subject_assignments(text)
    referring = ANAPHORA.search(text)
    if referring and not any(a.mention.start >= referring.start() for a in subjects):
        named_before = _units_named_in(text[: referring.start()]) or builder.units_in_section(sentence.start)
        if named_before:
            whole = [Assignment(mention, "lead", 0, len(text)) for mention in named_before]
            builder.emit(sentence, whole, allow_unassigned=False, rule="anaphora")
            return
    notes = parenthetical_assignments(text)
    # a note that is the task's only attribution: "（A、B按职责分工负责）" means A and B do it
    assignments = subjects + (notes if subjects else duty_bearers_lead(text, notes))
    carried = builder.last_subjects
    builder.last_subjects = (sentence.line_start, subjects) if subjects else carried
    if not assignments and carried and carried[0] == sentence.line_start and SUBJECTLESS.match(text):
        # "各乡镇、各部门要认真学习。要把目标任务作为工作重点，认真分解落实。": the subject carries on
        whole = [Assignment(a.mention, a.role, 0, len(text)) for a in carried[1]]
        builder.emit(sentence, whole, allow_unassigned=False, rule="carried_subject")
        return
    if assignments:
        if not in_mechanism and kind != "speech" and not _assigns(text, assignments):
            return
        builder.emit(sentence, assignments, allow_unassigned=False, rule="clause_subject" if subjects else "role_note")
        return
    if len(text) < 14 or not (
        DIRECTIVE_HINT.search(text) or QUANTIFIED.search(text) or TARGET_HINT.search(text)
    ):
        return
    if heading_units and in_mechanism:
        builder.emit(
            sentence,
            [Assignment(a.mention, a.role, 0, len(text)) for a in heading_units],
            allow_unassigned=False,
            rule="heading_unit",
        )
        return
    if DESCRIBES_A_TIME.search(text):
        return  # "今年至2025年，是…的关键时期，各项任务要…": no one is given anything
    builder.emit(sentence, [], allow_unassigned=unassigned_ok)


def _closing_bracket(text: str, opening: int) -> int:
    """Where the bracket opened at `opening` closes (the text's end when it never does)."""
    depth = 0
    for index in range(opening, len(text)):
        if text[index] in "（(":
            depth += 1
        elif text[index] in "）)":
            depth -= 1
            if depth == 0:
                return index
    return len(text)


def _assigns(text: str, assignments: list[Assignment]) -> bool:
    """Outside the mechanism parts, a unit counts only where the sentence plainly gives it the work."""
    for assignment in assignments:
        after = text[assignment.mention.end : assignment.mention.end + 12]
        if MODAL_OR_ROLE.match(after.lstrip("、和及与")) or "牵头" in after or "负责" in after:
            return True
    return False


@lru_cache(maxsize=512)
def _units_named_by_heading(title: str) -> list[Assignment]:
    """A heading such as 一、区发展改革局 or （三）区财政局： names the unit for the tasks beneath it."""
    found = heading_of(title)
    body = title
    if found:
        marker = re.match(
            r"^(?:第[^章节篇]{1,4}[章节篇]|[一二三四五六七八九十]+、|[（(][^）)]{1,3}[）)]|\d{1,2}[.．、]|专栏\s*\d+)\s*",
            title,
        )
        body = title[marker.end() :] if marker else title
    body = body.strip().rstrip("：:")
    if not body:
        return []
    mentions, after = units_in_series(body + "。", 0)
    if mentions and after >= len(body):
        return [Assignment(mention, "lead", 0, 0) for mention in mentions]
    return []


def _addressee_line(line: str) -> bool:
    """各省、自治区、直辖市人民政府，国务院各部委、各直属机构：— the list a notice is sent to."""
    stripped = line.strip()
    if not stripped.endswith(("：", ":")) or not re.search(r"[，,]", stripped) or len(stripped) > 150:
        return False
    parts = [part for part in re.split(r"[，,]", stripped.rstrip("：:")) if part]
    bodies = sum(
        1
        for part in parts
        if re.search(r"(?:政府|部门|单位|机构|部委|管委会|办事处|委员会|局|委|办)(?:（[^）]*）)?$", part)
    )
    return len(parts) >= 2 and bodies * 2 >= len(parts) and not re.search(r"要|负责|牵头|完成", stripped)


def _label_line_units(line: str) -> list[Assignment]:
    """A short line that is only a unit and a colon (区发改局：) heads the tasks below it."""
    stripped = line.strip()
    if not stripped.endswith(("：", ":")) or len(stripped) > 30:
        return []
    return _units_named_by_heading(stripped)


def _emit_table_row(
    builder: RecordBuilder, cells: list[str], layout: TableLayout, line_start: int, line: str
) -> None:
    def cell(index: int | None) -> str:
        return cells[index] if index is not None and index < len(cells) else ""

    task_cell = cell(layout.task) or max(cells, key=len)
    if len(task_cell) < 4:
        return
    offset = line.find(task_cell)
    sentence = Sentence(line_start + max(offset, 0), task_cell, line_start)
    assignments: list[Assignment] = []
    lead_cell = cell(layout.lead)
    responsible_cell = cell(layout.responsible)
    for mention in units_in_list(lead_cell, 0, len(lead_cell)):
        assignments.append(Assignment(mention, "lead", 0, len(task_cell)))
    responsible_role = "co" if lead_cell else "lead"
    for mention in units_in_list(responsible_cell, 0, len(responsible_cell)):
        assignments.append(Assignment(mention, responsible_role, 0, len(task_cell)))
    co_cell = cell(layout.co)
    for mention in units_in_list(co_cell, 0, len(co_cell)):
        assignments.append(Assignment(mention, "co", 0, len(task_cell)))
    # the due cell sits under a time label: its bare month or full date is the deadline
    due_cell = cell(layout.due)
    timing_text = (f"完成时限：{due_cell} " if due_cell else "") + task_cell
    builder.emit(sentence, assignments, timing_text=timing_text, allow_unassigned=True, rule="table_row")


def _emit_cell_block(builder: RecordBuilder, block: CellBlock) -> None:
    # read by content even when a row has as many cells as the header: an empty cell dropped in one place and
    # an extra one elsewhere keep the count and shift every column after them
    for row in block.rows:
        _emit_row_by_content(builder, row)


def _emit_row_by_content(builder: RecordBuilder, row: list[CellLine]) -> None:
    """A row that lost cells: the task is its first long text cell, units the cells that are only units."""
    task_cell: CellLine | None = None
    unit_cells: list[str] = []
    dates: list[str] = []
    # a date cell states a date: the annual default (no date = the year's end) would make every cell one
    dated_only = replace(builder.context, annual_plan=False)
    for cell in row[1:]:
        text = cell.text
        if not text:
            continue
        if _only_units(text):
            unit_cells.append(text)
        elif (
            len(text) <= 20
            and not TASK_VERB_OPENING.match(text)
            and any(t.due or t.recurrence for t in timings_in(f"完成时限：{text}", dated_only) if not t.review)
        ):
            dates.append(f"完成时限：{text}")
        elif task_cell is None and len(text) >= 4 and not unit_cells:
            task_cell = cell
    if task_cell is None:
        return
    sentence = Sentence(task_cell.start, task_cell.text, task_cell.start)
    assignments = []
    for position, cell_text in enumerate(unit_cells):
        for mention in units_in_list(cell_text, 0, len(cell_text)):
            assignments.append(Assignment(mention, "lead" if position == 0 else "co", 0, len(task_cell.text)))
    builder.emit(
        sentence,
        assignments,
        timing_text=" ".join(dates) + " " + task_cell.text,
        allow_unassigned=True,
        rule="table_cells",
    )


# a cell that opens with the verb of a task is the task, whatever its last character (创建…示范区)
TASK_VERB_OPENING = re.compile(
    r"(?:创建|建设|建成|完成|推进|实施|开展|新建|改造|打造|提升|加快|建立|组织|制定|推动|争创|培育|引进|举办|编制)"
)


def _only_units(text: str) -> bool:
    """A cell that holds nothing but units and separators (区民政局、各街道)."""
    if TASK_VERB_OPENING.match(text):
        return False
    mentions = units_in_list(text, 0, len(text))
    covered = sum(mention.end - mention.start for mention in mentions)
    return bool(mentions) and covered >= len(re.sub(r"[、，,；;/\s和及等]", "", text)) - 2


__all__ = ["extract_records", "split_sentences"]
