"""Table rows to lines of text, the same way for Word tables and HTML tables.

Division plans (分工方案) put one task per row under a header such as 序号 | 重点任务 | 牵头单位 | 责任单位 |
完成时限. Such a row is written "task；牵头单位：A；责任单位：B、C；完成时限：…", the structured form the extractor
reads, with the row number dropped (a leading "1" would look like a heading). A unit merged down several rows
is repeated on each, since it applies to each task. A two-cell row "牵头单位 | A" becomes "牵头单位：A"; any
other row joins its cells with a tab.
"""

from __future__ import annotations

import re

# Header words that make a column a responsibility or a deadline, as opposed to "单位" (unit of measure).
RESPONSIBILITY_HEADER = re.compile(
    r"牵头|责任|配合|参与|协办|主办|承办|负责|完成时限|时限|完成时间|时间节点|时间安排|进度"
)
# A header cell names a column; "区发展改革局" in the first row is a value, and the table is label | value.
HEADER_WORD = re.compile(
    r"(单位|部门|时限|时间|日期|任务|内容|措施|序号|编号|事项|目标|要求|进度|备注|名称|指标|类别|领域|安排|分工|人|项目|举措|节点)$"
)
ROW_NUMBER_HEADER = re.compile(r"^(序号|编号|No\.?)$", re.I)
SHORT_LABEL = re.compile(r"^[\u4e00-\u9fffA-Za-z（）()]{1,8}[：:]?$")
TRAILING_PUNCTUATION = "。；;，,、 \t"
SENTENCE_END = re.compile(r"[。！？!?]")

Cell = tuple[str, bool]  # (text, continues a cell merged down from the row above)


def table_lines(rows: list[list[Cell]]) -> list[str]:
    rows = [row for row in rows if any(text for text, _ in row)]
    if not rows:
        return []
    header = [text for text, _ in rows[0]]
    if len(rows) > 1 and len(header) > 1 and is_responsibility_header(header):
        return [responsibility_row(header, row) for row in rows[1:]]
    return [plain_row([text for text, _ in row]) for row in rows]


def is_responsibility_header(header: list[str]) -> bool:
    labels = [text.rstrip("：:") for text in header if text]
    named = all(len(text) <= 12 and HEADER_WORD.search(text) for text in labels)
    return named and any(RESPONSIBILITY_HEADER.search(text) for text in labels)


def responsibility_row(header: list[str], row: list[Cell]) -> str:
    parts: list[str] = []
    for index, (text, continued) in enumerate(row):
        label = header[index] if index < len(header) else ""
        if not text or ROW_NUMBER_HEADER.match(label):
            continue
        # One row is one task: a full stop inside a cell would split it from its units and deadline.
        value = SENTENCE_END.sub("；", text.rstrip(TRAILING_PUNCTUATION))
        if RESPONSIBILITY_HEADER.search(label):
            parts.append(f"{label.rstrip('：:')}：{value}")
        elif not continued:
            parts.append(value)
    return "；".join(parts) + ("。" if parts else "")


def plain_row(cells: list[str]) -> str:
    cells = [text for text in cells if text]
    if len(cells) == 2 and SHORT_LABEL.match(cells[0]):
        label = cells[0].rstrip("：:")
        return f"{label}：{cells[1]}"
    return "\t".join(cells)


def join_fragments(parts: list[str]) -> str:
    """A cell's paragraphs on one line: Chinese fragments join without a space, Latin words keep one."""
    joined = ""
    for part in parts:
        part = part.replace("\n", " ").strip()
        if not part:
            continue
        if joined and joined[-1].isascii() and joined[-1].isalnum() and part[0].isascii():
            joined += " "
        joined += part
    return joined
