"""Word .docx to text: paragraphs and tables in document order.

Division plans (分工方案) and indicator tables are usually Word tables, so a table is not dropped or moved to
the end: each row becomes one line where it stands. A row under a header that names responsibilities
(牵头单位, 责任单位, 完成时限…) is written as "task；牵头单位：A；责任单位：B、C；完成时限：…", the structured form
the extractor reads; a two-cell row "牵头单位 | A" becomes "牵头单位：A"; any other row joins its cells with a tab.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator

from docx import Document
from docx.document import Document as DocxDocument
from docx.exceptions import PythonDocxError
from docx.opc.exceptions import OpcError
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree

from ingest.errors import DocumentError

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
# What a damaged zip or XML part raises while python-docx opens or walks it.
DAMAGED_FILE_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    RuntimeError,  # encrypted or unsupported zip entries (NotImplementedError is one)
    EOFError,
    OSError,
    KeyError,
    ValueError,  # includes UnicodeDecodeError
    etree.LxmlError,
    PythonDocxError,
    OpcError,
)
TRAILING_PUNCTUATION = "。；;，,、 \t"


def docx_text(raw: bytes) -> str:
    """The text of a .docx file, blocks in document order, one line per paragraph or table row."""
    try:
        document = Document(io.BytesIO(raw))
        return "\n".join(body_lines(document))
    except DAMAGED_FILE_ERRORS as error:
        raise DocumentError(
            "corrupt",
            "Word 文件已损坏或不是有效的 .docx，无法读取。请用 Word 或 WPS 打开后重新另存为 .docx。",
            f"The Word file is damaged or not a valid .docx ({type(error).__name__}). Open it in Word or WPS "
            "and save it again.",
        ) from None


def body_lines(document: DocxDocument) -> Iterator[str]:
    for block in iter_blocks(document.element.body):
        if block.tag == qn("w:p"):
            yield Paragraph(block, document).text.strip()
        else:
            yield from table_lines(Table(block, document))


def iter_blocks(parent: etree._Element) -> Iterator[etree._Element]:
    """Paragraphs and tables under the body, looking inside content controls (w:sdt) that wrap them."""
    for child in parent.iterchildren():
        if child.tag in (qn("w:p"), qn("w:tbl")):
            yield child
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from iter_blocks(content)


def table_lines(table: Table) -> list[str]:
    rows = table_cells(table)
    if not rows:
        return []
    header = [text for text, _ in rows[0]]
    if len(rows) > 1 and len(header) > 1 and is_responsibility_header(header):
        return [responsibility_row(header, row) for row in rows[1:] if any(text for text, _ in row)]
    return [plain_row([text for text, _ in row]) for row in rows if any(text for text, _ in row)]


def table_cells(table: Table) -> list[list[tuple[str, bool]]]:
    """Rows of (text, continues_from_above): horizontal spans kept once, vertical spans marked."""
    rows: list[list[tuple[str, bool]]] = []
    # lxml may hand out a new proxy object for the same XML element, so identity is only meaningful while
    # the proxies are kept alive: `kept` holds them.
    kept: list[object] = []
    seen_above: set[int] = set()
    for row in table.rows:
        cells: list[tuple[str, bool]] = []
        in_row: list[object] = []
        for cell in row.cells:
            if in_row and cell._tc is in_row[-1]:
                continue
            in_row.append(cell._tc)
            cells.append((cell_text(cell), id(cell._tc) in seen_above))
        kept.extend(in_row)
        seen_above.update(id(element) for element in in_row)
        rows.append(cells)
    return rows


def cell_text(cell: _Cell) -> str:
    """A cell's paragraphs on one line; nested tables are read row by row into the same line."""
    parts: list[str] = []
    for block in iter_blocks(cell._tc):
        if block.tag == qn("w:p"):
            text = Paragraph(block, cell).text.strip()
        else:
            text = "；".join(table_lines(Table(block, cell)))
        if text:
            parts.append(text)
    return join_fragments(parts)


def join_fragments(parts: list[str]) -> str:
    """Chinese fragments join without a space; Latin words keep one."""
    joined = ""
    for part in parts:
        part = part.replace("\n", " ")
        if joined and joined[-1].isascii() and joined[-1].isalnum() and part[0].isascii():
            joined += " "
        joined += part
    return joined


def is_responsibility_header(header: list[str]) -> bool:
    labels = [text.rstrip("：:") for text in header if text]
    named = all(len(text) <= 12 and HEADER_WORD.search(text) for text in labels)
    return named and any(RESPONSIBILITY_HEADER.search(text) for text in labels)


def responsibility_row(header: list[str], row: list[tuple[str, bool]]) -> str:
    parts: list[str] = []
    for index, (text, continued) in enumerate(row):
        label = header[index] if index < len(header) else ""
        if not text or ROW_NUMBER_HEADER.match(label):
            continue
        value = text.rstrip(TRAILING_PUNCTUATION)
        if RESPONSIBILITY_HEADER.search(label):
            # a unit merged down several rows applies to each of them, so it is repeated
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
