"""Small documents of each format, built from the text a test gives.

The PDFs are written by hand: Helvetica for Latin text and the non-embedded Adobe-GB1 font STSong-Light for
Chinese, which every PDF reader (and pdfminer) maps to Unicode without a font file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx import Document

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PAGE_HEIGHT = 842


@dataclass(frozen=True, slots=True)
class PdfLine:
    x: float
    y: float  # from the top of the page, as people measure
    text: str
    size: float = 12.0
    spacing: float = 0.0  # extra space after each character (the PDF Tc operator), for letter-spaced titles


def pdf_bytes(pages: list[list[PdfLine]]) -> bytes:
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        4: b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [5 0 R] >>",
        5: b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (GB1) /Supplement 2 >> /FontDescriptor 6 0 R /DW 1000 >>",
        6: b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 >>",
    }
    kids = []
    number = 7
    for lines in pages:
        stream = "\n".join(text_operator(line) for line in lines).encode("latin-1")
        objects[number] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
        objects[number + 1] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 %d] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
            b"/Contents %d 0 R >>" % (PAGE_HEIGHT, number)
        )
        kids.append(number + 1)
        number += 2
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for key in sorted(objects):
        offsets[key] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (key, objects[key])
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[key] for key in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def text_operator(line: PdfLine) -> str:
    if line.text.isascii():
        escaped = line.text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        font, shown = "F1", f"({escaped})"
    else:
        font, shown = "F2", "<" + line.text.encode("utf-16-be").hex().upper() + ">"
    return f"BT /{font} {line.size} Tf {line.spacing} Tc {line.x} {PAGE_HEIGHT - line.y} Td {shown} Tj ET"


def chinese_lines(
    paragraphs: list[str], *, chars_per_line: int = 20, size: float = 12.0, top: float = 80
) -> list[PdfLine]:
    """Lay Chinese paragraphs out as a typesetter would: two-character indent, full lines, a short last one."""
    lines = []
    y = top
    left = 72.0
    for paragraph in paragraphs:
        first = True
        rest = paragraph
        while rest:
            room = chars_per_line - (2 if first else 0)
            piece, rest = rest[:room], rest[room:]
            lines.append(PdfLine(left + (2 * size if first else 0), y, piece, size))
            first = False
            y += size * 1.5
    return lines


def docx_bytes(blocks: list[str | list[list[str]]]) -> bytes:
    """A .docx with paragraphs (str) and tables (rows of cells) in the given order."""
    document = Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            table = document.add_table(rows=len(block), cols=len(block[0]))
            for row, cells in zip(table.rows, block, strict=True):
                for cell, text in zip(row.cells, cells, strict=True):
                    cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
