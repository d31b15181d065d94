"""HTML to the page's main text, without navigation, headers, footers, scripts or share buttons.

Government pages wrap one document in a great deal of chrome. We drop the elements that are never content
(script, style, nav, header, footer, aside, forms) and those whose class or id says so (nav, menu, footer,
breadcrumb, share…), then keep the block that holds the most paragraph text: an <article> or <main> when
the page has a substantial one, otherwise the element whose own paragraphs (and data tables) add up to the
most text. That block is widened to its parents while they add text rather than links, to take in the title
and issuing line that sit beside the body; the page title is put first when it is still missing.
Data tables become one line per row, like Word tables (ingest.formats.tables).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.html
from lxml import etree

from ingest.formats.tables import Cell, join_fragments, table_lines
from ingest.formats.text import DecodedText, decode_with_declared

# fmt: off
NEVER_CONTENT = frozenset({
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "nav", "header", "footer",
    "aside", "form", "button", "select", "input", "textarea", "object", "embed", "audio", "video"
})
# Whole tokens of class/id values: "article-header" drops, "headline" does not. Chinese sites also name
# them in pinyin initials: dh 导航, wzdh 网站导航, bszn 办事指南, fxdh 分享导航.
CHROME_TOKENS = frozenset({
    "nav", "navbar", "navigation", "menu", "menubar", "submenu", "footer", "foot", "header", "topbar",
    "breadcrumb", "breadcrumbs", "crumb", "crumbs", "share", "sharing", "social", "sidebar", "copyright",
    "banner", "advert", "ads", "toolbar", "skip", "login", "search", "related", "recommend", "pager",
    "pagination", "qrcode", "dh", "daohang", "wzdh", "bszn", "fxdh"
})
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "li", "ul", "ol", "table", "tr", "h1", "h2", "h3", "h4",
    "h5", "h6", "blockquote", "pre", "dl", "dt", "dd", "center", "br", "hr", "td", "th", "tbody", "thead",
    "body"
})
# fmt: on
CELL_TAGS = frozenset({"td", "th"})
PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote", "dd"})
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
TOKEN_SPLIT = re.compile(r"[\s_\-]+")
SUBSTANTIAL_CHARS = 200
SITE_SUFFIX = re.compile(r"\s*[_|｜]\s*|\s+[-—–]+\s+")
CJK_LINE_WRAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t]*\n\s*(?=[\u3000-\u9fff\uff00-\uffef])")


def html_text(raw: bytes, *, declared_charset: str | None = None) -> DecodedText:
    """The main text of an HTML page, one block per line, and the encoding it was read with."""
    decoded = decode_with_declared(raw, declared_charset or meta_charset(raw))
    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", decoded.text)  # lxml refuses str input with an encoding line
    if not markup.strip():
        return DecodedText("", decoded.encoding)
    try:
        root = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return DecodedText("", decoded.encoding)
    title = page_title(root)
    remove_chrome(root)
    main = main_block(root)
    text = block_text(main)
    if title and title not in text[: len(title) * 4 + 200]:
        text = f"{title}\n{text}"
    return DecodedText(text, decoded.encoding)


def meta_charset(raw: bytes) -> str | None:
    found = META_CHARSET.search(raw[:4096])
    return found.group(1).decode("ascii") if found else None


def page_title(root: etree._Element) -> str:
    for path in ("//h1", "//title"):
        for element in root.xpath(path):
            text = squash(element.text_content())
            if text:
                # "通知标题_莱芜区人民政府" or "通知标题 - 政府文件": the site's name is not part of the title
                return SITE_SUFFIX.split(text)[0] if path == "//title" else text
    return ""


def remove_chrome(root: etree._Element) -> None:
    doomed = [element for element in root.iter() if is_chrome(element)]
    for element in doomed:
        parent = element.getparent()
        if parent is not None:
            keep_tail(element)
            parent.remove(element)


def is_chrome(element: etree._Element) -> bool:
    if not isinstance(element.tag, str):  # comments and processing instructions
        return True
    if element.tag.lower() in NEVER_CONTENT:
        return True
    if element.tag.lower() in ("html", "body"):
        return False
    marks = f"{element.get('class', '')} {element.get('id', '')} {element.get('role', '')}".lower()
    return any(token in CHROME_TOKENS for token in TOKEN_SPLIT.split(marks) if token)


def keep_tail(element: etree._Element) -> None:
    """Removing an element in lxml also removes the text after it; hand that text to the neighbour."""
    if not element.tail:
        return
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + element.tail
    else:
        parent = element.getparent()
        parent.text = (parent.text or "") + element.tail


def main_block(root: etree._Element) -> etree._Element:
    body = root.find("body")
    body = body if body is not None else root
    total = max(1, plain_text_length(body))  # link lists (menus, related articles) do not count
    for tag in ("article", "main"):
        found = sorted(root.iter(tag), key=lambda element: -len(squash(element.text_content())))
        if found and plain_text_length(found[0]) >= min(SUBSTANTIAL_CHARS, total * 0.5):
            return with_neighbours(found[0], body)
    scores: dict[etree._Element, float] = {}
    for weight, holder in text_units(body):
        # Half the score goes one level up, so content split over sibling sub-blocks elects their parent.
        scores[holder] = scores.get(holder, 0) + weight
        grandparent = holder.getparent()
        if grandparent is not None:
            scores[grandparent] = scores.get(grandparent, 0) + weight / 2
    if not scores:
        return body
    best = max(scores, key=lambda element: scores[element])
    # When no block holds a fair share of the text, the page is better read whole.
    if plain_text_length(best) < 0.3 * total:
        return body
    return with_neighbours(best, body)


def text_units(body: etree._Element) -> Iterator[tuple[int, etree._Element]]:
    """(weight, the element credited) for each paragraph, data table and text-bearing block.

    A data table (no table inside it) is one unit credited to its container, so a division plan laid out as
    a table elects the block around it, with the paragraphs before and after; a layout table's cells are
    blocks like any <div>.
    """
    for element in body.iter():
        if not isinstance(element.tag, str) or inside_data_table(element):
            continue
        if (element.tag == "table" and is_data_table(element)) or element.tag in PARAGRAPH_TAGS:
            weight, holder = paragraph_weight(element), element.getparent()
        else:
            weight, holder = direct_text_length(element), element  # <div>text<br>text</div>
        if weight and holder is not None:
            yield weight, holder


def is_data_table(table: etree._Element) -> bool:
    return next(table.iterdescendants("table"), None) is None


def inside_data_table(element: etree._Element) -> bool:
    enclosing = next(element.iterancestors("table"), None)
    return enclosing is not None and is_data_table(enclosing)


def with_neighbours(best: etree._Element, body: etree._Element) -> etree._Element:
    """Widen the chosen block to its parents while what they add is text, not links: the title and the
    issuing information often sit in siblings of the body text, menus in siblings further out."""
    while best is not body:
        parent = best.getparent()
        if parent is None:
            break
        added = len(squash(parent.text_content())) - len(squash(best.text_content()))
        added_links = link_text_length(parent) - link_text_length(best)
        if added > 0 and added_links > 0.2 * added:
            break
        best = parent
    return best


def direct_text_length(element: etree._Element) -> int:
    own = [element.text or "", *(child.tail or "" for child in element)]
    return sum(len(squash(text)) for text in own)


def paragraph_weight(element: etree._Element) -> int:
    """Characters of text outside links, less the links again: a paragraph that is mostly links weighs nothing."""
    return max(0, len(squash(element.text_content())) - 2 * link_text_length(element))


def plain_text_length(element: etree._Element) -> int:
    return len(squash(element.text_content())) - link_text_length(element)


def link_text_length(element: etree._Element) -> int:
    return sum(len(squash(link.text_content())) for link in element.iter("a"))


def block_text(element: etree._Element) -> str:
    """Text with a line break at every block element; data tables one row per line (ingest.formats.tables),
    layout tables with a tab between cells."""
    pieces: list[str] = []
    walk(element, pieces)
    lines = (squash(line) for line in "".join(pieces).split("\n"))
    return "\n".join(line for line in lines if line)


def walk(element: etree._Element, pieces: list[str]) -> None:
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    if tag == "table" and is_data_table(element):
        pieces.extend(("\n", "\n".join(data_table_lines(element)), "\n"))
        return
    block = tag in BLOCK_TAGS
    if block and tag not in CELL_TAGS:
        pieces.append("\n")
    if element.text and isinstance(element.tag, str):
        pieces.append(inline(element.text))
    for child in element:
        walk(child, pieces)
        if child.tail:
            pieces.append(inline(child.tail))
    if tag in CELL_TAGS:
        pieces.append("\t")
    elif block:
        pieces.append("\n")


def data_table_lines(table: etree._Element) -> list[str]:
    """Rows of a table, with cells merged down (rowspan) carried into the rows they cover."""
    rows: list[list[Cell]] = []
    covering: dict[int, tuple[str, int]] = {}  # column -> (text, rows it still covers)
    for row_element in table.iter("tr"):
        row: list[Cell] = []
        for cell in row_element:
            if not isinstance(cell.tag, str) or cell.tag.lower() not in CELL_TAGS:
                continue
            carry_down(row, covering)
            text = cell_line(cell)
            rows_spanned = span(cell, "rowspan")
            if rows_spanned > 1:
                covering[len(row)] = (text, rows_spanned - 1)
            row.append((text, False))
        carry_down(row, covering, to_the_end=True)
        rows.append(row)
    return table_lines(rows)


def carry_down(row: list[Cell], covering: dict[int, tuple[str, int]], *, to_the_end: bool = False) -> None:
    """Fill the row's next columns with the cells merged down from above, as far as they reach."""
    while len(row) in covering or (to_the_end and any(column > len(row) for column in covering)):
        column = len(row)
        if column not in covering:
            row.append(("", False))
            continue
        text, left = covering.pop(column)
        if left > 1:
            covering[column] = (text, left - 1)
        row.append((text, True))


def span(cell: etree._Element, attribute: str) -> int:
    value = (cell.get(attribute) or "1").strip()
    return min(int(value), 1000) if value.isdigit() and int(value) > 0 else 1


def cell_line(cell: etree._Element) -> str:
    pieces: list[str] = []
    if cell.text:
        pieces.append(inline(cell.text))
    for child in cell:
        walk(child, pieces)
        if child.tail:
            pieces.append(inline(child.tail))
    return join_fragments([squash(line) for line in "".join(pieces).split("\n")])


def inline(text: str) -> str:
    """Source line breaks inside a text node are spaces, and nothing at all between Chinese characters."""
    return re.sub(r"[ \t\r\n\f\v]+", " ", CJK_LINE_WRAP.sub("", text))


def squash(text: str) -> str:
    """Collapse HTML whitespace inside a line; tabs between cells survive as single tabs."""
    text = text.replace("\xa0", " ").replace("\u3000", " ")
    cells = [re.sub(r"[ \r\n\f\v]+", " ", cell).strip() for cell in text.split("\t")]
    return "\t".join(cell for cell in cells if cell)
