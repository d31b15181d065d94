"""Sentences with their assignments -> TaskRecords: canonical units, timings per clause, rule and confidence.

Written by hand because assignment in Chinese plans follows house conventions: the action is the clause after the
unit, a clause with its own timing is a duty of its own, a stage heading of a drafting plan dates the work under it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from ingest.assignments import (
    CLAUSE_LEAD,
    LIST_MARKER,
    ROLE_PREFIX,
    TIME_LEAD,
    WITH_WORDS,
    Assignment,
)
from ingest.deadlines import TimeContext, Timing, month_end, reviews_in, timings_in, with_prefix
from ingest.records import TaskRecord
from ingest.references import OWNERS_REACH, LeadIn
from ingest.sentences import ROLE_NOTE_AT_END, Sentence
from ingest.structure import Outline
from ingest.units import AliasTable, UnitMention, strip_place, unit_kind, units_in_series

QUANTIFIED = re.compile(
    r"\d+(?:\.\d+)?\s*(?:%|％|个|项|家|亿元|万元|万人|人|公里|千米|亩|万吨|吨|平方米|万平方米|座|所|套|户|条)"
)


# a stage heading's time frame: （2024年3月—2024年8月）, (2025年11月-2026年1月)
STAGE_RANGE = re.compile(
    r"(20\d\d)\s*年\s*(\d{1,2})\s*月?\s*[—\-－–~至到]+\s*(?:(20\d\d)\s*年)?\s*(\d{1,2})\s*月"
)


# a quantified goal of a plan period: 年均增长, 累计, 控制在, 降低…完成…下达目标
# a heading about one year's work: 2023年推进规划实施的重点工作, 2024年主要任务
HEADING_YEAR = re.compile(r"(?<![\d—\-－–~至到])(20\d\d)年(?!\s*[—\-－–~至到\d])[^>]{0,16}?(?:工作|任务|安排|措施|计划)")
PERIOD_TARGET = re.compile(r"年均|累计|控制在|稳定在|达到|不低于|降低|提高到|完成(?:省|市|上级)下达")


# a clause that is nothing but a time: 下半年, 2025年, 今年6月底前
TIME_ONLY = re.compile(r"(?:" + TIME_LEAD.pattern + r"|(?:自|从)(?:今年|明年|20\d\d年(?:\d{1,2}月)?)(?:起|开始))")


# a heading about one review of the plan: the work beneath it is that review's
REVIEW_HEADING = re.compile(r"中期评估|总结评估|期末评估")


LEADING_ROLE_CLAUSES = re.compile(r"^(?:[^，,；;。]{2,30}?(?:牵头|配合|负责|参与|协助)[，,；;])+")


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
                self._add(None, None, sentence.text, sentence, section_title, timing, "deadline_without_unit")
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
                    self._add(assignment.mention.name, assignment.role, task, sentence, section_title, timing, rule)

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
            # "三、2023年推进规划实施的重点工作": the heading's year is the year of the work beneath it
            years = list(HEADING_YEAR.finditer(section_title)) if section_title else []
            if years:
                year = int(years[-1].group(1))
                # and, like an annual plan's, undated work under it is due by that year's end
                context = replace(self.context, year=year, annual_plan=True)
                return timings_in(text, context)
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
        rule: str,
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
                rule=rule,
                confidence=confidence_of(rule, canonical, evidence, timing),
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


# the label a form puts before the task itself
TASK_FIELD = re.compile(r"^\s*(?:督办事项|督查事项|任务内容|工作任务|工作内容|重点任务|主要任务|事项)\s*[：:]\s*")


def task_text(segment: str) -> str:
    """The action: the segment without its numbering, opening unit list, role words and modal verb."""
    segment = TASK_FIELD.sub("", LIST_MARKER.sub("", segment))
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
