"""Table rows -> records: rows with a header's columns, and rows read by what their cells hold.

Written by hand because tables reach us as text with their grid damaged (cells dropped, columns shifted), so the
columns are found by content: a cell of units, a date cell, and the task, which opens with its verb.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.assignments import Assignment, TableLayout, units_in_list
from ingest.deadlines import timings_in
from ingest.record_builder import RecordBuilder
from ingest.sentences import Sentence
from ingest.table_rows import CellBlock, CellLine


def emit_table_row(
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


def emit_cell_block(builder: RecordBuilder, block: CellBlock) -> None:
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
