"""Division tables that reach us as text: tab rows, `| a | b |` rows, and one cell per line.

Written by hand because a table copied out of a web page or a PDF loses its grid in house-specific ways: a page's
table often arrives with one cell per line, each ending in " |", and merged or empty cells drop out, so a row can
hold fewer cells than its header. Columns are then found by what a cell holds (a list of units, a date) rather
than by position alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "| 1 | 建设…工程 | 市交通运输局 |": a row of a Markdown-like table; "|---|---|" is its rule line
PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
# "阶段 | 时间 | 主要任务 | 责任单位": the same without the outer bars
BARE_PIPE_ROW = re.compile(r"^[^|]+(?:\s\|\s[^|]*){2,}$")
PIPE_RULE = re.compile(r"^[\s|:：\-—]+$")
# a line that is one cell: text ending in " |" ("||" for an empty cell)
CELL_LINE = re.compile(r"^[^|]*\|\s*$|^\s*\|\|\s*$")
ROW_NUMBER = re.compile(r"^\s*\d{1,4}\s*$")
HEADER_WORDS = re.compile(r"序号|编号|任务|事项|内容|项目|单位|部门|时限|时间|进度|情况|领导|备注|说明|目标|措施")


# a header cell of a table laid out one cell per line with no bars at all: 序号 / 重点任务 / 牵头单位 / 完成时限
BARE_HEADER_CELL = re.compile(r"^(?:序号|编号|类别|[\u4e00-\u9fff]{0,6}(?:任务|事项|内容|项目|措施|单位|部门|时限|时间|进度|情况|备注|目标|领导))$")
ENDS_A_BARE_TABLE = re.compile(r"^(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十\d]+[章节条]|注[:：]|附件)")


def bare_cell_lines(lines: list[str]) -> set[int]:
    """Indices of the lines of tables written one cell per line without bars (a page's table pasted as text):
    at least three header cells, then a row number, then cells until a heading or a long paragraph.

    Normalization keeps these lines apart and whole (a lone row number is no page number there, and a unit
    repeated row after row is no page header)."""
    cells: set[int] = set()
    index = 0
    while index < len(lines):
        header_end = index
        while header_end < len(lines) and BARE_HEADER_CELL.match(lines[header_end].strip()):
            header_end += 1
        if header_end - index >= 3 and header_end < len(lines) and ROW_NUMBER.match(lines[header_end]):
            end = header_end
            while end < len(lines) and len(lines[end]) <= 100 and not ENDS_A_BARE_TABLE.match(lines[end].strip()):
                end += 1
            cells.update(range(index, end))
            index = end
        else:
            index = max(index + 1, header_end)
    return cells


def pipe_cells(line: str) -> list[str] | None:
    """The cells of a `| a | b |` or `a | b | c` row; [] for its rule line; None when the line is no such row."""
    if not (PIPE_ROW.match(line) or BARE_PIPE_ROW.match(line)) or line.count("|") < 2:
        return None
    if PIPE_RULE.match(line):
        return []
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


@dataclass(frozen=True, slots=True)
class CellLine:
    index: int  # line number in the text
    start: int  # offset of the line in the text
    text: str  # the cell's text without its closing bar


@dataclass(frozen=True, slots=True)
class CellBlock:
    """A table written one cell per line: its header cells and its rows, each a list of cell lines."""

    first_line: int
    last_line: int
    header: list[str]
    rows: list[list[CellLine]]


def cell_blocks(lines: list[str]) -> list[CellBlock]:
    """Every run of one-cell lines that opens with a header (序号 | 任务 | 牵头单位 | …) and holds numbered rows."""
    blocks: list[CellBlock] = []
    offsets, position = [], 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1
    index = 0
    while index < len(lines):
        if not CELL_LINE.match(lines[index]):
            index += 1
            continue
        run_end = index
        while run_end < len(lines) and (CELL_LINE.match(lines[run_end]) or not lines[run_end].strip()):
            run_end += 1
        cells = [
            CellLine(i, offsets[i], lines[i].rstrip().removesuffix("|").rstrip().removesuffix("|").strip())
            for i in range(index, run_end)
            if lines[i].strip()
        ]
        block = _read_block(cells)
        if block:
            blocks.append(block)
        index = run_end
    return blocks


def _read_block(cells: list[CellLine]) -> CellBlock | None:
    first_number = next((i for i, cell in enumerate(cells) if ROW_NUMBER.match(cell.text)), None)
    if first_number is None or first_number < 2:
        return None
    header = [cell.text for cell in cells[:first_number]]
    if sum(1 for name in header if HEADER_WORDS.search(name)) * 2 < len(header):
        return None
    rows: list[list[CellLine]] = []
    for cell in cells[first_number:]:
        # a new row opens with its number; a number is no task text, so it cannot be a cell inside a row
        if ROW_NUMBER.match(cell.text) or not rows:
            rows.append([cell])
        else:
            rows[-1].append(cell)
    return CellBlock(cells[0].index, cells[-1].index, header, rows)
