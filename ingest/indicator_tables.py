"""Finding indicator tables in text: tab rows, `| a | b |` rows and one cell per line, each read into rows.

Written by hand because an indicator table reaches us in several shapes that keep only its reading order: tab rows
(Word and HTML tables, see ingest.formats.tables), `| a | b |` rows, and one cell per line (a table copied out of a
page), where a header cell may even wrap onto the next line (指标 / 属性). Columns are recognised by their header
words, and a table is read as: header, then category rows (经济发展 …) and indicator rows, then notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ingest.assignments import LABEL
from ingest.indicator_values import ROW_NUMBER_PREFIX, TRAILING_UNIT
from ingest.table_rows import pipe_cells

# header cell -> column kind; the first pattern that matches wins, so 指标属性 is an attribute, not a name
COLUMN_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("seq", re.compile(r"^(?:序号|编号)$")),
    ("category", re.compile(r"^(?:类别|领域|分类|类型|方面|维度)$")),
    ("attribute", re.compile(r"属性|性质")),
    ("growth", re.compile(r"年均|增速|增幅")),
    ("lead", re.compile(r"牵头|主责")),
    ("units", re.compile(r"责任|负责|配合|协办|参与")),
    ("note", re.compile(r"^(?:备注|说明)$")),
    ("name", re.compile(r"^(?:主要|具体)?指标(?:名称|项目|内容)?(?:及单位)?(?:[（(][^（()）]{0,6}[）)])?$")),
    ("unit", re.compile(r"^(?:计量)?单位$")),
    ("year", re.compile(r"(20\d\d)\s*年")),
    ("base", re.compile(r"基期|基数|基准|现状")),
    ("target", re.compile(r"目标|规划值|预期值")),
)
MAX_ROWS = 2000  # lines looked at under a header of space-separated cells; no indicator table is longer
VALUE_KINDS = frozenset(("year", "base", "target", "growth", "attribute"))
YEAR = re.compile(r"(20\d\d)\s*年")

BARE_NUMBER = re.compile(r"^\d{1,3}$")
HEADING = re.compile(r"^(?:第[一二三四五六七八九十百\d]+[篇章节]|[一二三四五六七八九十]+、|附[件表])")
ATTRIBUTE = re.compile(r"(?:约束|预期)性")
# a cell that holds a value rather than a name: 5.5, >5.5, 〔5〕, 80左右, 不低于90, -, 完成市下达任务, 预期性
VALUE_CELL = re.compile(
    r"^[<>＜＞≥≤]?=?\s*(?:约|大约|不低于|不高于|不少于|不超过|大于|小于|高于|低于|超过|控制在)?\s*[〔\[【]?[-+]?\d"
    r"|^[-—－–―/／~～\s]*$|^无$|完成.{0,10}任务|下达|^(?:约束|预期)性?(?:指标)?$|左右$|以上$|以内$"
)
KNOWN_CATEGORIES = re.compile(
    r"^(?:经济发展|创新驱动|民生福祉|绿色生态|生态文明|安全保障|改革开放|社会文明|城乡融合|协调发展|开放合作|文化建设|"
    r"社会治理|高质量发展|乡村振兴|城市建设|基础设施|公共服务|资源环境)$"
)
CATEGORY_SHAPE = re.compile(r"^[\u4e00-\u9fff、和与]{2,10}$")


@dataclass(slots=True)
class Row:
    cells: list[str]
    category: str | None
    start: int
    end: int
    text: str  # the row as written: its line, or its cell lines joined by tabs
    # a one-cell-per-line table gives its category column as rows of their own, never inside a row
    without_category: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Table:
    kinds: list[str | None]  # one per header column
    header: list[str]
    rows: list[Row]
    notes: list[str]  # 注… lines under the table
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Line:
    start: int
    end: int
    text: str  # stripped
    cells: list[str] | None  # cells of a tab or `|` row; None for a line that is one cell


def _lines(text: str) -> list[Line]:
    lines: list[Line] = []
    position = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lines.append(Line(position, position + len(raw), stripped, _row_cells(stripped)))
        position += len(raw) + 1
    return lines


def _row_cells(line: str) -> list[str] | None:
    cells = pipe_cells(line)
    if cells is not None:
        return cells
    if "\t" in line:
        cells = [cell.strip() for cell in line.split("\t")]
        return cells if sum(1 for cell in cells if cell) >= 2 else None
    return None


def column_kind(cell: str) -> str | None:
    cell = cell.strip().replace(" ", "")
    if not cell or len(cell) > 24:
        return None
    return next((kind for kind, pattern in COLUMN_KINDS if pattern.search(cell)), None)


def _space_cells(text: str) -> list[str] | None:
    cells = text.split()
    return cells if len(cells) >= 2 else None


def _is_header(kinds: list[str | None]) -> bool:
    return "name" in kinds and sum(1 for kind in kinds if kind in VALUE_KINDS) >= 2


def find_tables(text: str) -> list[Table]:
    lines = _lines(text)
    tables: list[Table] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        table: Table | None = None
        if line.cells:
            kinds = [column_kind(cell) for cell in line.cells]
            if _is_header(kinds):
                table, index = _read_row_table(lines, index, kinds)
        elif len(spaced := line.text.split()) >= 3 and _is_header(kinds := [column_kind(c) for c in spaced]):
            # a PDF's table: cells apart by spaces, read so only under a header written that way
            view = [
                replace(other, cells=_space_cells(other.text)) for other in lines[index : index + MAX_ROWS]
            ]
            table, read = _read_row_table(view, 0, kinds)
            index += read
        elif column_kind(line.text) in ("seq", "category", "name"):
            header = _cell_header(lines, index)
            if header:
                cells, kinds, body = header
                table, index = _read_cell_table(lines, index, body, cells, kinds)
        if table is None:
            index += 1
        elif table.rows:
            tables.append(table)
    return tables


def is_note(text: str) -> bool:
    return text.startswith(("注", "备注", "说明")) or (
        _bracketed(text) and bool(LABEL.search(text) or ATTRIBUTE.search(text))
    )


def _continues_notes(table: Table, text: str) -> bool:
    """A line such as 2.其余指标牵头单位：… under a 注 line is the next note."""
    return bool(table.notes) and len(text) <= 80 and bool(LABEL.search(text))


def _bracketed(text: str) -> bool:
    """A line that is one bracket: （预期性指标，牵头单位：…）, not （9）人均预期寿命（岁）."""
    closing = re.search(r"[）)]", text)
    return text[0] in "（(" and closing is not None and closing.end() == len(text)


def _is_category(text: str) -> bool:
    return bool(KNOWN_CATEGORIES.match(text) or CATEGORY_SHAPE.match(text)) and not VALUE_CELL.search(text)


def _read_row_table(lines: list[Line], header_index: int, kinds: list[str | None]) -> tuple[Table, int]:
    """A table of tab or `|` rows: category rows hold one cell, notes follow the last row."""
    header = lines[header_index]
    table = Table(kinds, header.cells or [], [], [], header.start, header.end)
    category: str | None = None
    index = header_index + 1
    while index < len(lines):
        line = lines[index]
        filled = [cell for cell in line.cells or [] if cell]
        if line.cells == []:  # the |---|---| rule under a header
            index += 1
            continue
        single = line.text if line.cells is None else (filled[0] if len(filled) == 1 else None)
        if single is not None:
            if is_note(single) or _continues_notes(table, single):
                _attach_note(table, single)
            elif _is_category(single) and not table.notes and _next_is_row(lines, index + 1):
                category = single
            else:
                break
        else:
            if table.notes or HEADING.match(line.text):  # rows after the notes belong to another table
                break
            if not any(VALUE_CELL.search(cell) for cell in line.cells or []):
                break  # a row with no value is no indicator's: the table has ended
            if not _is_header([column_kind(cell) for cell in line.cells or []]):  # repeated on a new page
                table.rows.append(Row(line.cells or [], category, line.start, line.end, line.text))
        table.end = line.end
        index += 1
    return table, index


def _next_is_row(lines: list[Line], index: int) -> bool:
    return index < len(lines) and bool(lines[index].cells)


def _attach_note(table: Table, note: str) -> None:
    # a bracketed note right under a row is that row's; 注… lines are the table's
    if note[0] in "（(" and table.rows and not table.notes:
        table.rows[-1].notes.append(note)
    else:
        table.notes.append(note)


def _cell_header(lines: list[Line], first: int) -> tuple[list[str], list[str | None], int] | None:
    """The header of a one-cell-per-line table starting at `first`: (cells, kinds, index of the first body line).

    A header cell that wraps (指标 / 属性) is joined with the next line when it alone names no new column."""
    cells: list[str] = []
    kinds: list[str | None] = []
    index = first
    while index < len(lines) and lines[index].cells is None and len(cells) < 12:
        text = lines[index].text
        kind = column_kind(text)
        if (kind is None or (kind in kinds and kind in ("name", "seq", "unit"))) and index + 1 < len(lines):
            joined = text + lines[index + 1].text
            joined_kind = column_kind(joined)
            if joined_kind is not None and joined_kind not in ("name", "seq") and joined_kind not in kinds:
                cells.append(joined)
                kinds.append(joined_kind)
                index += 2
                continue
        if kind is None or (kind in kinds and kind not in ("year", "units")):
            break
        cells.append(text)
        kinds.append(kind)
        index += 1
    return (cells, kinds, index) if _is_header(kinds) else None


def _starts_row(text: str) -> bool:
    """A line that opens the next row: a numbered name or a name with its unit in brackets."""
    if VALUE_CELL.search(text) or is_note(text):
        return False
    return bool(ROW_NUMBER_PREFIX.match(text) and re.search(r"[\u4e00-\u9fff]", text)) or bool(
        TRAILING_UNIT.search(text) and len(re.findall(r"[\u4e00-\u9fff]", text)) >= 4
    )


def _stops_row(text: str) -> bool:
    return bool(_starts_row(text) or is_note(text) or _ends_table(text) or KNOWN_CATEGORIES.match(text))


def _ends_table(text: str) -> bool:
    return bool(HEADING.match(text)) or len(text) > 40 or "。" in text


def _read_cell_table(
    lines: list[Line], first: int, body: int, header: list[str], kinds: list[str | None]
) -> tuple[Table, int]:
    """A table written one cell per line. A row is its name and the value cells up to the header's width; it
    ends early at the next numbered name, so a missing cell does not shift the rows after it."""
    table = Table(kinds, header, [], [], lines[first].start, lines[body - 1].end)
    width = len(kinds) - (1 if "category" in kinds else 0)
    row_kinds = [kind for kind in kinds if kind != "category"]
    category: str | None = None
    index = body
    while index < len(lines):
        line = lines[index]
        text = line.text
        if line.cells is not None:
            break
        if is_note(text) or _continues_notes(table, text):
            _attach_note(table, text)
            table.end = line.end
            index += 1
            continue
        if _ends_table(text) or table.notes:
            break
        repeated = _cell_header(lines, index) if column_kind(text) in ("seq", "name") else None
        if repeated:  # a table that runs over a page repeats its header there
            table.end = lines[repeated[2] - 1].end
            index = repeated[2]
            continue
        following = lines[index + 1].text if index + 1 < len(lines) else ""
        if (
            _is_category(text)
            and (
                KNOWN_CATEGORIES.match(text)
                or not VALUE_CELL.search(following)
                or (row_kinds[0] == "seq" and BARE_NUMBER.match(following))
            )
            and not _starts_row(text)
        ):
            category = text
            table.end = line.end
            index += 1
            continue
        row_first = index
        name_at = 1 if row_kinds[0] == "seq" and BARE_NUMBER.match(text) else 0
        cells = [text]
        index += 1
        while index < len(lines) and len(cells) < width:
            candidate = lines[index].text
            is_name = len(cells) == name_at  # the name after the row's number opens nothing new
            if lines[index].cells is not None or (_stops_row(candidate) and not is_name):
                break
            cells.append(candidate)
            index += 1
        values = cells[name_at + 1 :]
        if any(VALUE_CELL.search(value) for value in values) or (not values and _starts_row(cells[-1])):
            # a numbered name with no value left is still a row: normalization may have dropped its cells
            table.rows.append(Row(cells, category, line.start, lines[index - 1].end, "\t".join(cells), True))
            table.end = lines[index - 1].end
            continue
        index = row_first  # a name followed by no value is no row of this table: the table has ended
        break
    return table, max(index, first + 1)
