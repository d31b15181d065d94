"""Sentences -> task records: who must do what, by when, and where the document says so.

Written by hand because assignment in Chinese plans follows house conventions rather than free grammar: the
responsible unit opens a clause (区发展改革局要…, 由区政府提出…), roles are marked by 牵头/负责 (lead) and
会同/配合/参与 (co), division plans add labelled lines (牵头单位：A；责任单位：B) and tables, and a heading can
name the unit for everything beneath it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.assignments import (
    LABEL,
    LIST_MARKER,
    MODAL_OR_ROLE,
    Assignment,
    TableLayout,
    duty_bearers_lead,
    label_assignments,
    parenthetical_assignments,
    subject_assignments,
    table_layout,
)
from ingest.line_kinds import ROUTING_LINE, is_addressee_line, label_line_units, units_of_headings
from ingest.non_tasks import DESCRIBES_A_TIME, STATES_A_ROLE, assigns_no_work
from ingest.record_builder import QUANTIFIED, RecordBuilder
from ingest.records import TaskRecord
from ingest.references import (
    ANAPHORA,
    BLANKET_NOTE,
    OWNERS_OF_ITEMS,
    LeadIn,
    lead_in_of,
    unit_definitions,
    units_named_in,
)
from ingest.sentences import Sentence, split_sentences
from ingest.structure import Outline, heading_of
from ingest.table_emit import emit_cell_block, emit_table_row
from ingest.table_rows import cell_blocks, pipe_cells
from ingest.units import AliasTable, UnitMention

DIRECTIVE_HINT = re.compile(
    r"要|应|须|必须|负责|牵头|推进|推动|加强|加快|完成|开展|实施|建立|健全|完善|制定|落实|确保|组织|做好|提升|实现|新增|建成|力争"
    r"|启动|中期评估|总结评估|年度监测"
)
TARGET_HINT = re.compile(r"增长|达到|控制在|不低于|不少于|以上|以内|提高到|降低到")
# a sentence that opens with its modal: its subject is the previous sentence's
SUBJECTLESS = re.compile(
    r"^(?:(?:同时|并|还|也|更)?要(?![求点素件])|[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[，,]|其[一二三四五])"
)


# "市统计局配合，建立…": role-only clauses before the action are not part of it
# what a who-only sentence holds besides its units: role words, 等部门, and punctuation
ASSIGNMENT_WORDS = re.compile(
    r"由|牵头|负责|配合|协助|参与|共同|按照?职责分工|按照?职责|分工|抓好落实|落实|等|有关|相关|部门|单位|[，,、；;。和及与\s]"
)




















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
            emit_cell_block(builder, block_of_cells)
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
                    emit_table_row(builder, cells, layout, line_start, line)
                previous = []
                continue
        layout = None
        if ROUTING_LINE.match(line):
            previous = []
            continue
        if is_addressee_line(line):
            previous = []
            continue  # 各功能区管委会，各街道办事处，区政府各部门：— whom a notice is sent to
        introduced = lead_in_of(line, builder.scope_start(line_start))
        if introduced:
            builder.lead_in = introduced
            previous = []
            continue
        named = label_line_units(line)
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
        heading_units = line_units[1] if line_units[0] == section_start else units_of_headings(section)
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
        builder.lead_in = LeadIn(builder.scope_start(sentence.start), units_named_in(blanket.group(1)), "")
    if OWNERS_OF_ITEMS.search(text):
        builder.mentioned.append((sentence.start, units_named_in(text)))
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
        named_before = units_named_in(text[: referring.start()]) or builder.units_in_section(sentence.start)
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


















__all__ = ["extract_records", "split_sentences"]
