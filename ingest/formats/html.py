"""HTML to the page's main text, without navigation, headers, footers, scripts or share buttons.

Government pages wrap one document in a great deal of chrome. We drop the elements that are never content
(script, style, nav, header, footer, aside, forms) and those whose class or id says so (nav, menu, footer,
breadcrumb, share…), then keep the block that holds the most paragraph text: an <article> or <main> when
the page has a substantial one, otherwise the element whose own paragraphs add up to the most text.
The page title is put first when the chosen block does not already contain it.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from ingest.formats.text import DecodedText, decode_with_declared

NEVER_CONTENT = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "canvas",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "input",
    "textarea",
    "object",
    "embed",
    "audio",
    "video",
)
# Whole tokens of class/id values: "article-header" drops, "headline" does not.
CHROME_TOKENS = frozenset(
    {
        "nav",
        "navbar",
        "navigation",
        "menu",
        "menubar",
        "submenu",
        "footer",
        "foot",
        "header",
        "topbar",
        "breadcrumb",
        "breadcrumbs",
        "crumb",
        "crumbs",
        "share",
        "sharing",
        "social",
        "sidebar",
        "copyright",
        "banner",
        "advert",
        "ads",
        "toolbar",
        "skip",
        "login",
        "search",
        "related",
        "recommend",
        "pager",
        "pagination",
        "qrcode",
        "dh",
        "daohang",
        "wzdh",
        "bszn",
        "fxdh",
    }
)
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "li",
        "ul",
        "ol",
        "table",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "dl",
        "dt",
        "dd",
        "center",
        "br",
        "hr",
        "td",
        "th",
        "tbody",
        "thead",
        "body",
    }
)
CELL_TAGS = frozenset({"td", "th"})
PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote", "td", "dd"})
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
TOKEN_SPLIT = re.compile(r"[\s_\-]+")
SUBSTANTIAL_CHARS = 200
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
                return text
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
            return found[0]
    scores: dict[etree._Element, float] = {}
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in PARAGRAPH_TAGS:
            weight = paragraph_weight(element)
            holder = element.getparent()
        else:
            weight = direct_text_length(element)  # <div>text<br>text</div>, common on government pages
            holder = element
        if not weight or holder is None:
            continue
        # Half the score goes one level up, so content split over sibling sub-blocks elects their parent.
        scores[holder] = scores.get(holder, 0) + weight
        grandparent = holder.getparent()
        if grandparent is not None:
            scores[grandparent] = scores.get(grandparent, 0) + weight / 2
    if not scores:
        return body
    best = max(scores, key=lambda element: scores[element])
    # When no block holds a fair share of the text, the page is better read whole.
    return best if plain_text_length(best) >= 0.3 * total else body


def direct_text_length(element: etree._Element) -> int:
    own = [element.text or "", *(child.tail or "" for child in element)]
    return sum(len(squash(text)) for text in own)


def paragraph_weight(element: etree._Element) -> int:
    """Characters of text outside links, less the links again: a paragraph that is mostly links weighs nothing."""
    text = len(squash(element.text_content()))
    links = sum(len(squash(link.text_content())) for link in element.iter("a"))
    return max(0, text - 2 * links)


def plain_text_length(element: etree._Element) -> int:
    text = len(squash(element.text_content()))
    return text - sum(len(squash(link.text_content())) for link in element.iter("a"))


def block_text(element: etree._Element) -> str:
    """Text with a line break at every block element and a tab between table cells."""
    pieces: list[str] = []
    walk(element, pieces)
    lines = (squash(line) for line in "".join(pieces).split("\n"))
    return "\n".join(line for line in lines if line)


def walk(element: etree._Element, pieces: list[str]) -> None:
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
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


def inline(text: str) -> str:
    """Source line breaks inside a text node are spaces, and nothing at all between Chinese characters."""
    return re.sub(r"[ \t\r\n\f\v]+", " ", CJK_LINE_WRAP.sub("", text))


def squash(text: str) -> str:
    """Collapse HTML whitespace inside a line; tabs between cells survive as single tabs."""
    text = text.replace("\xa0", " ").replace("\u3000", " ")
    cells = [re.sub(r"[ \r\n\f\v]+", " ", cell).strip() for cell in text.split("\t")]
    return "\t".join(cell for cell in cells if cell)
