"""Word .docx to text: paragraphs and tables in document order.

Division plans (分工方案) and indicator tables are usually Word tables, so a table is not dropped or moved to
the end: each row becomes one line where it stands, written as ingest.formats.tables says.
"""

from __future__ import annotations

import io
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
from ingest.formats.tables import Cell, join_fragments, table_lines
from ingest.formats.zip_limits import check_archive, count_xml_tags, too_complex_archive

# A long plan is a few thousand paragraphs and a division table a few thousand rows; walking python-docx's
# proxies costs about 10 µs a paragraph, so these caps keep any accepted file to a few seconds and a few
# hundred MB of parsed XML.
MAX_PARAGRAPHS = 100_000
MAX_XML_ELEMENTS = 1_000_000

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


def docx_text(raw: bytes) -> str:
    """The text of a .docx file, blocks in document order, one line per paragraph or table row."""
    try:
        check_word_archive(raw)
        document = Document(io.BytesIO(raw))
        return "\n".join(body_lines(document))
    except DAMAGED_FILE_ERRORS as error:
        raise DocumentError(
            "corrupt",
            "Word 文件已损坏或不是有效的 .docx，无法读取。请用 Word 或 WPS 打开后重新另存为 .docx。",
            f"The Word file is damaged or not a valid .docx ({type(error).__name__}). Open it in Word or WPS "
            "and save it again.",
        ) from None


def check_word_archive(raw: bytes) -> None:
    """Refuse a bomb from the zip directory and a stream count of its tags, before python-docx parses it."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        check_archive(archive, kind="Word")
        elements = paragraphs = 0
        # Every XML part is counted, not only word/document.xml: the main part may be named anything.
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                counts = count_xml_tags(archive, name)
                elements += counts.elements
                paragraphs += counts.paragraphs
    if paragraphs > MAX_PARAGRAPHS:
        raise too_complex_archive("Word", f"{paragraphs:,} 个段落", f"{paragraphs:,} paragraphs")
    if elements > MAX_XML_ELEMENTS:
        raise too_complex_archive("Word", f"{elements:,} 个 XML 元素", f"{elements:,} XML elements")


def body_lines(document: DocxDocument) -> Iterator[str]:
    for block in iter_blocks(document.element.body):
        if block.tag == qn("w:p"):
            yield Paragraph(block, document).text.strip()
        else:
            yield from word_table_lines(Table(block, document))


def iter_blocks(parent: etree._Element) -> Iterator[etree._Element]:
    """Paragraphs and tables under the body, looking inside content controls (w:sdt) that wrap them."""
    for child in parent.iterchildren():
        if child.tag in (qn("w:p"), qn("w:tbl")):
            yield child
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from iter_blocks(content)


def word_table_lines(table: Table) -> list[str]:
    return table_lines(table_cells(table))


def table_cells(table: Table) -> list[list[Cell]]:
    """Rows of (text, continues_from_above): horizontal spans kept once, vertical spans marked."""
    rows: list[list[Cell]] = []
    # lxml may hand out a new proxy object for the same XML element, so identity is only meaningful while
    # the proxies are kept alive: `kept` holds them.
    kept: list[object] = []
    seen_above: set[int] = set()
    for row in table.rows:
        cells: list[Cell] = []
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
            text = "；".join(word_table_lines(Table(block, cell)))
        if text:
            parts.append(text)
    return join_fragments(parts)
