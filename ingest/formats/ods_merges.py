"""Merged cells of an OpenDocument spreadsheet (.ods), which python-calamine reads but does not report.

A lead unit merged down over several tasks is the usual layout of a division table. calamine gives merges for
.xlsx and .xls only; in an .ods the covered cells then read empty, and every task but the first would lose its
lead unit. The merges are in content.xml as table:number-rows-spanned / number-columns-spanned on the first
cell, so they are read here by streaming that part, counting repeated rows and columns as calamine does.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from ingest.formats.zip_limits import check_archive

TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TABLE = f"{{{TABLE_NS}}}table"
_ROW = f"{{{TABLE_NS}}}table-row"
_CELLS = (f"{{{TABLE_NS}}}table-cell", f"{{{TABLE_NS}}}covered-table-cell")

Range = tuple[tuple[int, int], tuple[int, int]]


def _count(element: etree._Element, name: str) -> int:
    try:
        return max(int(element.get(f"{{{TABLE_NS}}}{name}", "1")), 1)
    except ValueError:
        return 1


def ods_merged_ranges(raw: bytes) -> dict[str, list[Range]]:
    """Sheet name -> merged ranges ((top, left), (bottom, right)), 0-based like calamine's rows."""
    merges: dict[str, list[Range]] = {}
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        check_archive(archive, kind="ODS")
        with archive.open("content.xml") as content:
            depth = 0  # a table inside a cell (rare) has rows of its own: only the sheets' rows count
            name, row, column = "", 0, 0
            events = etree.iterparse(
                content, events=("start", "end"), resolve_entities=False, no_network=True, huge_tree=False
            )
            for event, element in events:
                tag = element.tag
                if tag == _TABLE:
                    depth += 1 if event == "start" else -1
                    if event == "start" and depth == 1:
                        name, row = element.get(f"{{{TABLE_NS}}}name", ""), 0
                        merges.setdefault(name, [])
                elif depth != 1 or event != "end":
                    continue
                elif tag == _ROW:
                    row += _count(element, "number-rows-repeated")
                    column = 0
                    element.clear()
                elif tag in _CELLS:
                    rows, columns = (
                        _count(element, "number-rows-spanned"),
                        _count(element, "number-columns-spanned"),
                    )
                    if tag == _CELLS[0] and (rows > 1 or columns > 1):
                        merges[name].append(((row, column), (row + rows - 1, column + columns - 1)))
                    column += _count(element, "number-columns-repeated")
    return merges
