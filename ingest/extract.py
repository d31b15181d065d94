"""Sentences -> task records: who must do what, by when, and where the document says so.

Written by hand because assignment in Chinese plans follows house conventions rather than free grammar: the
responsible unit opens a clause (区发展改革局要…, 由区政府提出…), roles are marked by 牵头/负责 (lead) and
会同/配合/参与 (co), division plans add labelled lines (牵头单位：A；责任单位：B) and tables, and a heading can
name the unit for everything beneath it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ingest.deadlines import TimeContext, Timing, timings_in
from ingest.records import TaskRecord
from ingest.structure import Outline, heading_of
from ingest.units import AliasTable, UnitMention, unit_at, unit_kind, units_in_series

SENTENCE_END = "。！？!?"
CLAUSE_BREAK = "，,；;："
OPENERS = "（(《“‘【[「"
CLOSERS = "）)》”’】]」"
CLAUSE_LEAD = re.compile(r"^(?:同时|并且|并|另外|此外|其中|为此|对此|然后|最后|首先|其次|再次|今后|目前|当前|还要|也要|都要|均要|要|请)?")
LEAD_WORDS = re.compile(r"^(?:牵头负责|牵头|负责|主抓|主责)")
CO_WORDS = re.compile(r"^(?:配合|协助|参与|协同配合|按职责分工负责|按照职责分工负责|按职责分工|按照职责分工|按职责|分别负责)")
WITH_WORDS = re.compile(r"^(?:会同|联合|协同|同|商|牵头会同)")
ROLE_PREFIX = re.compile(r"^(?:要|应|须|必须|需要)?(?:牵头负责|牵头|负责|按职责分工负责|按职责分工|按职责|配合)?")
MODAL = re.compile(r"^(?:要|应|须|必须|需要|应当|还要|也要|进一步|主动|积极|切实)")
MODAL_OR_ROLE = re.compile(r"^(?:要|应|须|需|必须|负责|牵头|会同|联合|配合|协助|参与|按职责|统筹|分别|共同|将|把|对|是|作为|为|进一步|切实|及时)")
LABEL = re.compile(
    r"(牵头单位|牵头部门|主办单位|责任单位|责任部门|主责单位|配合单位|配合部门|协办单位|参与单位|协同单位|完成时限|完成时间|时间节点|时限)\s*[:：]\s*"
)
LEAD_LABELS = ("牵头单位", "牵头部门", "主办单位", "主责单位")
CO_LABELS = ("配合单位", "配合部门", "协办单位", "参与单位", "协同单位")
TIME_LABELS = ("完成时限", "完成时间", "时间节点", "时限")
# a notice's distribution and contact lines name units as recipients, never as responsible
ROUTING_LINE = re.compile(r"^(?:抄送|抄报|主送|分送|发送|印发|联系人|联系电话|电话|附件)[:：]?")
PAREN = re.compile(r"[（(]([^（()）]{2,80})[）)]")
QUANTIFIED = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|个|项|家|亿元|万元|万人|人|公里|千米|亩|万吨|吨|平方米|万平方米|座|所|套|户|条)")
DIRECTIVE_HINT = re.compile(r"要|应|须|必须|负责|牵头|推进|推动|加强|加快|完成|开展|实施|建立|健全|完善|制定|落实|确保|组织|做好|提升|实现|新增|建成|力争")

TABLE_TASK = re.compile(r"任务|内容|事项|措施|工作")
TABLE_LEAD = re.compile(r"牵头")
TABLE_RESPONSIBLE = re.compile(r"责任|主办|承办")
TABLE_CO = re.compile(r"配合|协办|参与|协同")
TABLE_DUE = re.compile(r"时限|时间|节点|进度")


@dataclass(frozen=True, slots=True)
class Assignment:
    mention: UnitMention
    role: str
    segment_start: int  # offsets (in the sentence) of the part of the sentence this unit is responsible for
    segment_end: int


@dataclass(slots=True)
class Sentence:
    start: int  # offset in the normalized text
    text: str
    line_start: int
    is_heading: bool = False
    assignments: list[Assignment] = field(default_factory=list)


def split_sentences(line: str, line_start: int) -> Iterator[Sentence]:
    """Sentences end at 。！？ or the line end; a 。 right after a ? is mojibake (`?。`), not an end."""
    start = 0
    depth = 0
    for index, char in enumerate(line):
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS:
            depth = max(0, depth - 1)
        elif char in SENTENCE_END and depth == 0:
            if index and line[index - 1] == "?":
                continue
            if index + 1 < len(line) and line[index + 1] in "”’」":
                continue
            yield Sentence(line_start + start, line[start : index + 1], line_start)
            start = index + 1
            while start < len(line) and line[start] in " \u3000\t":
                start += 1
    if start < len(line) and line[start:].strip():
        yield Sentence(line_start + start, line[start:].rstrip(), line_start)


def clause_starts(sentence: str) -> list[int]:
    """Offsets where clauses begin, ignoring commas inside brackets and quotes."""
    starts = [0]
    depth = 0
    for index, char in enumerate(sentence):
        if char in OPENERS:
            depth += 1
        elif char in CLOSERS:
            depth = max(0, depth - 1)
        elif char in CLAUSE_BREAK and depth == 0 and index + 1 < len(sentence):
            starts.append(index + 1)
    return starts


def subject_assignments(sentence: str) -> list[Assignment]:
    """Units that open a clause, with their roles, each responsible for the text up to the next such clause."""
    found: list[tuple[int, list[tuple[UnitMention, str]]]] = []
    for clause_start in clause_starts(sentence):
        lead = CLAUSE_LEAD.match(sentence, clause_start)
        position = lead.end() if lead else clause_start
        by_means = sentence.startswith("由", position)
        if by_means:
            position += 1
        mentions, after = units_in_series(sentence, position)
        if not mentions:
            continue
        rest = sentence[after:]
        if not by_means and not rest.strip("，,；;。 "):
            continue  # a bare list of units is an object or a heading, not a subject
        modal = MODAL.match(rest)
        if modal:
            rest = rest[modal.end() :]
            after += modal.end()
        roles: list[tuple[UnitMention, str]] = []
        subject_role = "co" if CO_WORDS.match(rest) else "lead"
        roles.extend((mention, subject_role) for mention in mentions)
        with_words = WITH_WORDS.match(rest)
        if with_words:
            partners, _ = units_in_series(sentence, after + with_words.end())
            roles.extend((partner, "co") for partner in partners)
        found.append((clause_start, roles))
    assignments: list[Assignment] = []
    for index, (clause_start, roles) in enumerate(found):
        end = found[index + 1][0] if index + 1 < len(found) else len(sentence)
        segment_start = 0 if index == 0 else clause_start
        assignments.extend(Assignment(mention, role, segment_start, end) for mention, role in roles)
    return assignments


def parenthetical_assignments(sentence: str) -> list[Assignment]:
    """（区发改局牵头，区财政局配合） or （责任单位：区商务局） after a task."""
    assignments: list[Assignment] = []
    for match in PAREN.finditer(sentence):
        inner = match.group(1)
        if not re.search(r"牵头|配合|负责|责任|参与|协办|主办", inner):
            continue
        base = match.start(1)
        labelled = label_assignments(inner)
        if labelled:
            assignments.extend(
                Assignment(UnitMention(a.mention.name, a.mention.start + base, a.mention.end + base), a.role, 0, match.start())
                for a in labelled
            )
            continue
        for clause_start in clause_starts(inner):
            mentions, after = units_in_series(inner, clause_start)
            if not mentions:
                continue
            role = "co" if CO_WORDS.match(inner[after:]) else "lead"
            assignments.extend(
                Assignment(UnitMention(m.name, m.start + base, m.end + base), role, 0, match.start()) for m in mentions
            )
    return assignments


def label_assignments(text: str) -> list[Assignment]:
    """牵头单位：A；责任单位：B、C — on one line or in brackets."""
    labels = list(LABEL.finditer(text))
    if not labels:
        return []
    has_lead_label = any(label.group(1) in LEAD_LABELS for label in labels)
    assignments: list[Assignment] = []
    for index, label in enumerate(labels):
        name = label.group(1)
        if name in TIME_LABELS:
            continue
        end = labels[index + 1].start() if index + 1 < len(labels) else len(text)
        role = "co" if name in CO_LABELS or (has_lead_label and name not in LEAD_LABELS) else "lead"
        for mention in units_in_list(text, label.end(), end):
            assignments.append(Assignment(mention, role, 0, len(text)))
    return assignments


def units_in_list(text: str, start: int, end: int) -> list[UnitMention]:
    """Units listed in a cell or after a label, separated by 、，,；/ or spaces."""
    mentions: list[UnitMention] = []
    cell = text[:end]
    position = start
    while position < end:
        while position < end and cell[position] in "、，,；;/ \u3000\t和及":
            position += 1
        if position >= end:
            break
        series, after = units_in_series(cell + "。", position)
        if series:
            mentions.extend(series)
            position = max(after, series[-1].end)
            continue
        next_break = min((cell.find(sep, position) for sep in "、，,；;/ " if cell.find(sep, position) != -1), default=end)
        fallback = cell[position:next_break].strip()
        if 2 <= len(fallback) <= 16 and re.search(r"[局委办部院会司厅署府区镇街道心位门关组]$", fallback):
            mentions.append(UnitMention(fallback, position, next_break))
        position = next_break + 1
    return mentions


@dataclass(slots=True)
class _TableLayout:
    task: int | None
    lead: int | None
    responsible: int | None
    co: int | None
    due: int | None


def table_layout(cells: list[str]) -> _TableLayout | None:
    def column(pattern: re.Pattern[str], exclude: tuple[int | None, ...] = ()) -> int | None:
        for index, cell in enumerate(cells):
            if index not in exclude and pattern.search(cell) and len(cell) <= 12:
                return index
        return None

    lead = column(TABLE_LEAD)
    responsible = column(TABLE_RESPONSIBLE, (lead,))
    co = column(TABLE_CO, (lead, responsible))
    due = column(TABLE_DUE, (lead, responsible, co))
    task = column(TABLE_TASK, (lead, responsible, co, due))
    if lead is None and responsible is None:
        return None
    return _TableLayout(task, lead, responsible, co, due)


class RecordBuilder:
    """Turns sentences with their assignments into TaskRecords (canonical units, timings, dedupe)."""

    def __init__(self, outline: Outline, aliases: AliasTable, source_map: Callable[[int], int] | None) -> None:
        self.outline = outline
        self.aliases = aliases
        self.source_map = source_map
        self.context = TimeContext(year=outline.year, period=outline.period, annual_plan=outline.kind == "annual_plan")
        self.records: list[TaskRecord] = []
        self._seen: set[tuple[object, ...]] = set()

    def emit(
        self,
        sentence: Sentence,
        assignments: list[Assignment],
        *,
        timing_text: str | None = None,
        allow_unassigned: bool,
    ) -> None:
        section = self.outline.section_at(sentence.start)
        section_title = section.title if section else ""
        if not assignments:
            timings = timings_in(timing_text or sentence.text, self.context)
            if not allow_unassigned or not any(timing.is_signal for timing in timings):
                return
            for timing in timings:
                self._add(None, None, sentence.text, sentence, section_title, timing)
            return
        prefix_end = min(assignment.segment_start for assignment in assignments) or min(
            assignment.mention.start for assignment in assignments
        )
        prefix = sentence.text[:prefix_end]
        for assignment in assignments:
            segment = sentence.text[assignment.segment_start : assignment.segment_end]
            timings = timings_in(timing_text or segment, self.context)
            if not any(timing.is_signal for timing in timings) and prefix and not timing_text:
                timings = timings_in(prefix + segment, self.context)
            task = task_text(segment)
            for timing in timings:
                self._add(assignment.mention.name, assignment.role, task, sentence, section_title, timing)

    def _add(
        self,
        unit: str | None,
        role: str | None,
        task: str,
        sentence: Sentence,
        section_title: str,
        timing: Timing,
    ) -> None:
        canonical = self.aliases.canonical(unit) if unit else None
        evidence = sentence.text.strip()
        key = (canonical, evidence, timing.due, timing.recurrence, timing.review)
        if key in self._seen:
            return
        self._seen.add(key)
        kind = "review" if timing.review else ("target" if QUANTIFIED.search(task) and not timing.recurrence else "task")
        end = sentence.start + len(sentence.text)
        self.records.append(
            TaskRecord(
                department=canonical,
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
                span=(sentence.start, end),
                source_span=(self.source_map(sentence.start), self.source_map(max(sentence.start, end - 1)) + 1)
                if self.source_map
                else None,
            )
        )


def task_text(segment: str) -> str:
    """The action: the segment without its opening unit list, role words and modal verb."""
    lead = CLAUSE_LEAD.match(segment)
    position = lead.end() if lead else 0
    if segment.startswith("由", position):
        position += 1
    series, after = units_in_series(segment, position)
    text = segment[after:] if series else segment
    text = ROLE_PREFIX.sub("", text)
    return text.strip("，,；;。 ")


def extract_records(
    text: str, outline: Outline, *, aliases: AliasTable, source_map: Callable[[int], int] | None = None
) -> list[TaskRecord]:
    builder = RecordBuilder(outline, aliases, source_map)
    heading_units: list[Assignment] = []
    heading_section_start = -1
    pending: list[Sentence] = []  # task sentences still waiting for a labelled unit line beneath them
    layout: _TableLayout | None = None
    position = 0
    for line in text.split("\n"):
        line_start = position
        position += len(line) + 1
        section = outline.section_at(line_start)
        in_mechanism = bool(section and section.is_mechanism)
        if section and section.start != heading_section_start:
            heading_section_start = section.start
            heading_units = _units_named_by_heading(section.path[-1] if section.path else "")
            pending = []
        if "\t" in line:
            cells = [cell.strip() for cell in line.split("\t")]
            found_layout = table_layout(cells)
            if found_layout:
                layout = found_layout
                continue
            if layout:
                _emit_table_row(builder, cells, layout, line_start, line)
                continue
        else:
            layout = None
        labelled = label_assignments(line) if LABEL.match(line) else []
        if labelled and pending:
            for sentence in pending:
                builder.emit(sentence, labelled, timing_text=line + sentence.text, allow_unassigned=False)
            pending = []
            continue
        if heading_of(line) and len(line) <= 40 and not units_in_series(line, 0)[0]:
            own = _units_named_by_heading(line)
            if own:
                heading_units = own
            continue
        label_only = _label_line_units(line)
        if label_only:
            heading_units = label_only
            continue
        pending = []
        if ROUTING_LINE.match(line):
            continue
        for sentence in split_sentences(line, line_start):
            _emit_sentence(builder, sentence, in_mechanism, heading_units, outline.kind, pending)
    return builder.records


def _emit_sentence(
    builder: RecordBuilder,
    sentence: Sentence,
    in_mechanism: bool,
    heading_units: list[Assignment],
    kind: str,
    pending: list[Sentence],
) -> None:
    text = sentence.text
    if sentence.start == sentence.line_start and heading_of(text) and len(text) <= 45 and text[-1] not in SENTENCE_END:
        return
    assignments = subject_assignments(text) + parenthetical_assignments(text)
    labelled = label_assignments(text)
    if labelled:
        label_start = LABEL.search(text).start()
        task_sentence = Sentence(sentence.start, text[:label_start].rstrip("（(，,；; "), sentence.line_start)
        if task_sentence.text:
            builder.emit(task_sentence, labelled, timing_text=text, allow_unassigned=False)
            return
    if assignments:
        if not in_mechanism and kind not in ("speech",) and not _assigns(text, assignments):
            return
        builder.emit(sentence, assignments, allow_unassigned=False)
        return
    if len(text) < 14 or not DIRECTIVE_HINT.search(text):
        return
    if heading_units and in_mechanism:
        builder.emit(sentence, [Assignment(a.mention, a.role, 0, len(text)) for a in heading_units], allow_unassigned=False)
        return
    pending.append(sentence)
    builder.emit(sentence, [], allow_unassigned=in_mechanism)


def _assigns(text: str, assignments: list[Assignment]) -> bool:
    """Outside the mechanism parts, a unit counts only where the sentence plainly gives it the work."""
    for assignment in assignments:
        after = text[assignment.mention.end : assignment.mention.end + 12]
        if MODAL_OR_ROLE.match(after.lstrip("、和及与")) or "牵头" in after or "负责" in after:
            return True
    return False


def _units_named_by_heading(title: str) -> list[Assignment]:
    """A heading such as 一、区发展改革局 or （三）区财政局： names the unit for the tasks beneath it."""
    found = heading_of(title)
    body = title
    if found:
        marker = re.match(r"^(?:第[^章节篇]{1,4}[章节篇]|[一二三四五六七八九十]+、|[（(][^）)]{1,3}[）)]|\d{1,2}[.．、]|专栏\s*\d+)\s*", title)
        body = title[marker.end() :] if marker else title
    body = body.strip().rstrip("：:")
    if not body:
        return []
    mentions, after = units_in_series(body + "。", 0)
    if mentions and after >= len(body):
        return [Assignment(mention, "lead", 0, 0) for mention in mentions]
    return []


def _label_line_units(line: str) -> list[Assignment]:
    """A short line that is only a unit and a colon (区发改局：) heads the tasks below it."""
    stripped = line.strip()
    if not stripped.endswith(("：", ":")) or len(stripped) > 30:
        return []
    return _units_named_by_heading(stripped)


def _emit_table_row(builder: RecordBuilder, cells: list[str], layout: _TableLayout, line_start: int, line: str) -> None:
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
    builder.emit(sentence, assignments, timing_text=cell(layout.due) + " " + task_cell, allow_unassigned=True)


__all__ = ["extract_records", "split_sentences", "subject_assignments", "unit_at"]
