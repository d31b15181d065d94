"""PDF to text with pdfplumber, rebuilding paragraphs from the line layout.

A PDF holds lines, not paragraphs: a sentence that wraps must be joined again, or every wrapped line looks
like a sentence end to the extractor. A line starts a new paragraph when it is indented (Chinese paragraphs
start two characters in), when the gap above it is larger than the usual line spacing, when its font size
changes, when it opens like a heading (第X章, 一、, （一）, 专栏), or when the line before it stopped early: the
first word (or character) of this line would have fit there, so the writer ended it on purpose.
Page numbers and running headers repeated on most pages are dropped, and a paragraph that runs on to the
next page is joined across the break.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from itertools import pairwise
from statistics import median

import pdfplumber

from ingest.errors import DocumentError

PAGE_NUMBER = re.compile(
    r"^[\s\-—－–·•]*(第\s*)?[0-9０-９]+(\s*页)?(\s*/\s*[0-9]+)?[\s\-—－–·•]*$|^[-—－–]?\s*[ivxlcIVXLC]+\s*[-—－–]?$"
)
CJK = "\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
CJK_PAIR = re.compile(f"(?<=[{CJK}])( *)(?=[{CJK}])")
CJK_SPACE = re.compile(f"(?<=[{CJK}]) +(?=[{CJK}])")
HEADING_START = re.compile(
    r"^(第[一二三四五六七八九十百零〇0-9]+[篇章节条部分]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十0-9]+[）)]"
    r"|[0-9]+[、．]|[0-9]+\.(?![0-9])|专栏\s*[0-9一二三四五六七八九十]+|附件)"
)

# A page of dense text takes pdfplumber about 0.1 s, so a plan of a few hundred pages is read in seconds and
# nothing longer is a single plan.
MAX_PAGES = 1_000


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # median font size of its characters
    first_token_width: float  # width of its first word (Latin) or first character (CJK)


def pdf_text(raw: bytes) -> str:
    """The text of a PDF, one paragraph per line."""
    pages = read_pages(raw)
    pages = drop_running_lines(pages)
    paragraphs: list[str] = []
    layout = Layout.of(pages)
    previous_last: Line | None = None
    for lines in pages:
        if not lines:
            continue
        page_paragraphs = rebuild_paragraphs(lines, layout)
        first = lines[0]
        if paragraphs and previous_last is not None and runs_on(previous_last, first, layout):
            paragraphs[-1] = join_lines(paragraphs[-1], page_paragraphs[0])
            page_paragraphs = page_paragraphs[1:]
        paragraphs.extend(page_paragraphs)
        previous_last = lines[-1]
    return "\n".join(paragraphs)


def read_pages(raw: bytes) -> list[list[Line]]:
    # pdfminer logs a warning for every malformed object it recovers from; they would reach the user's
    # terminal through logging's last-resort handler and say nothing the user can act on.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        with pdfplumber.open(io.BytesIO(raw)) as document:
            if len(document.pages) > MAX_PAGES:
                raise too_many_pages(len(document.pages))
            return [page_lines(page) for page in document.pages]
    except (DocumentError, MemoryError):
        raise
    except Exception as error:  # pdfminer raises many unrelated types for damaged or encrypted files
        if ran_out_of_memory(error):
            raise MemoryError from error  # not damage: ingest.parse_sandbox reports it as too complex
        raise DocumentError(
            "corrupt",
            "PDF 文件已损坏或已加密，无法读取。请提供未加密、可复制文字的 PDF，或改用 .docx / .txt。",
            f"The PDF is damaged or encrypted ({type(error).__name__}). Provide an unencrypted PDF with "
            "selectable text, or a .docx / .txt file.",
        ) from None


def ran_out_of_memory(error: BaseException) -> bool:
    """pdfplumber wraps whatever pdfminer raised, a MemoryError from inflating a stream included."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, MemoryError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def too_many_pages(count: int) -> DocumentError:
    return DocumentError(
        "too_complex",
        f"PDF 文件有 {count:,} 页，超过 {MAX_PAGES:,} 页的上限，已拒绝读取。请拆分为较小的文件后分别导入。",
        f"The PDF has {count:,} pages, over the limit of {MAX_PAGES:,}, so it was not read. Split it into "
        "smaller files and load each.",
    )


def page_lines(page: pdfplumber.page.Page) -> list[Line]:
    lines = []
    # Some generators draw each character twice, offset by a hair, to fake bold type.
    for found in page.dedupe_chars().extract_text_lines(return_chars=True, strip=True):
        text = without_letter_spacing(found["text"].strip())
        chars = [char for char in found["chars"] if not char["text"].isspace()]
        if not text or not chars:
            continue
        lines.append(
            Line(
                text=text,
                x0=float(min(char["x0"] for char in chars)),
                x1=float(max(char["x1"] for char in chars)),
                top=float(found["top"]),
                bottom=float(found["bottom"]),
                size=float(median(char["size"] for char in chars)),
                first_token_width=first_token_width(chars),
            )
        )
    lines.sort(key=lambda line: (round(line.top), line.x0))
    return [line for line in lines if not PAGE_NUMBER.match(line.text)]


def without_letter_spacing(text: str) -> str:
    """Remove the spaces pdfplumber reads into letter-spaced Chinese (titles like "关 于 印 发 通 知")."""
    gaps = CJK_PAIR.findall(text)  # the run of spaces between each two neighbouring Chinese characters
    spaced = [gap for gap in gaps if gap]
    if spaced and len(spaced) >= 0.5 * len(gaps) and (len(spaced) >= 3 or len(spaced) == len(gaps)):
        return CJK_SPACE.sub("", text)
    return text


def first_token_width(chars: list[dict]) -> float:
    first = chars[0]
    if not first["text"].isascii():
        return float(first["x1"] - first["x0"])
    end = first
    for char in chars[1:]:
        if not char["text"].isascii() or not char["text"].isalnum() or char["x0"] - end["x1"] > 1.0:
            break
        end = char
    return float(end["x1"] - first["x0"])


def drop_running_lines(pages: list[list[Line]]) -> list[list[Line]]:
    """Remove running headers and footers: the same first or last line on most pages (digits ignored)."""
    if len(pages) < 3:
        return pages
    counts: dict[str, int] = {}
    for lines in pages:
        for line in {*lines[:1], *lines[-1:]}:
            key = running_key(line.text)
            counts[key] = counts.get(key, 0) + 1
    repeated = {key for key, count in counts.items() if count >= max(3, len(pages) * 0.6)}
    if not repeated:
        return pages
    cleaned = []
    for lines in pages:
        edges = {id(line) for line in (*lines[:1], *lines[-1:]) if running_key(line.text) in repeated}
        cleaned.append([line for line in lines if id(line) not in edges])
    return cleaned


def running_key(text: str) -> str:
    return re.sub(r"[0-9]+", "#", re.sub(r"\s+", "", text))


@dataclass(frozen=True, slots=True)
class Layout:
    """The body text's margins and line spacing, measured over the whole document."""

    left: float
    right: float
    spacing: float  # the usual distance from one line's top to the next one's

    @classmethod
    def of(cls, pages: list[list[Line]]) -> Layout:
        lines = [line for page in pages for line in page]
        if not lines:
            return cls(0.0, 0.0, 0.0)
        lefts: dict[int, int] = {}
        for line in lines:
            lefts[round(line.x0)] = lefts.get(round(line.x0), 0) + 1
        left = float(min(lefts, key=lambda x: (-lefts[x], x)))
        rights = sorted(line.x1 for line in lines)
        right = rights[int(0.9 * (len(rights) - 1))]
        steps = [
            later.top - earlier.top
            for page in pages
            for earlier, later in pairwise(page)
            if later.top - earlier.top > 0.5 * earlier.size
        ]
        spacing = median(steps) if steps else max(line.size for line in lines) * 1.5
        return cls(left, right, spacing)


def rebuild_paragraphs(lines: list[Line], layout: Layout) -> list[str]:
    paragraphs = [lines[0].text]
    for previous, line in pairwise(lines):
        if starts_paragraph(previous, line, layout):
            paragraphs.append(line.text)
        else:
            paragraphs[-1] = join_lines(paragraphs[-1], line.text)
    return paragraphs


def starts_paragraph(previous: Line, line: Line, layout: Layout) -> bool:
    if line.top - previous.top > 1.4 * layout.spacing:
        return True
    if abs(line.size - previous.size) > 0.15 * previous.size:
        return True
    return opens_paragraph(line, layout) or ended_early(previous, line, layout)


def opens_paragraph(line: Line, layout: Layout) -> bool:
    indented = line.x0 - layout.left > 0.8 * line.size
    return indented or bool(HEADING_START.match(line.text))


def ended_early(previous: Line, line: Line, layout: Layout) -> bool:
    """The previous line left room for this line's first word: its writer ended it there."""
    room = layout.right - previous.x1
    space = 0.0 if not line.text[0].isascii() else 0.3 * line.size
    return room > line.first_token_width + space + 0.5 * line.size


def runs_on(previous_last: Line, first: Line, layout: Layout) -> bool:
    """A paragraph continues on the next page when the page ended on a full line and the next opens flush."""
    return not ended_early(previous_last, first, layout) and not opens_paragraph(first, layout)


def join_lines(head: str, tail: str) -> str:
    if not head:
        return tail
    if head.endswith("-") and len(head) > 1 and head[-2].isalpha() and tail[:1].islower():
        return head[:-1] + tail  # a word hyphenated at the line end
    if head[-1].isascii() and tail[:1].isascii() and head[-1] not in " /" and tail[:1] != " ":
        return f"{head} {tail}"
    return head + tail
