"""OFD (GB/T 33190, the national format for official electronic documents): a zip of XML, read for its text.

OFD.xml names each document's root (Document.xml) and its DocInfo, whose Title is the document's title; the
root lists the pages, and each page's Content.xml holds TextObjects whose TextCode elements carry the text
at a position. The text is put in reading order (top to bottom, then left to right), glyphs on one baseline
make one line, and a line that runs to the right margin without ending a sentence continues on the next
line, also across a page break: a sentence wrapped by the layout is one sentence again.

No maintained Python package reads OFD text well (the PyPI ones render pages or are unmaintained one-offs),
and the text layer is plain XML, so it is read here with lxml, with entities and network access off.
The zip is checked before anything is inflated: a bomb or an archive of thousands of pages is refused.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass

from lxml import etree

from ingest.errors import DocumentError

MAX_PAGES = 2_000
MAX_INFLATED_BYTES = 200 * 1024 * 1024  # all XML members together, inflated
LINE_END = re.compile(r"[。！？!?：:；;]$")
PAGE_NUMBER = re.compile(r"^[\s\-—－–]*(第\s*)?\d{1,4}(\s*页)?[\s\-—－–]*$")
FULL_LINE = 0.9  # a line this close to the widest line of its page reaches the right margin
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)


@dataclass(frozen=True)
class _Glyphs:
    y: float  # baseline, from the top of the page
    x: float
    right: float
    text: str


def ofd_text(raw: bytes) -> str:
    """Title (from DocInfo) and the text of every page, wrapped lines joined."""
    try:
        return _ofd_text(raw)
    except DocumentError:
        raise
    except Exception as error:  # malformed XML or numbers: the file is damaged, not too complex
        raise _corrupt(error) from None


def _ofd_text(raw: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise _corrupt(error) from None
    with archive:
        inflated = sum(info.file_size for info in archive.infolist())
        if inflated > MAX_INFLATED_BYTES:
            raise DocumentError(
                "too_complex",
                "OFD 文件解压后过大，已拒绝读取。请确认文件来源，或另存为 PDF 后导入。",
                "The OFD file inflates to too much data and was refused.",
            )
        root = _xml(archive, "OFD.xml")
        title = _first_text(root, "Title")
        lines: list[str] = [title] if title else []
        for document_path in (node.text.strip() for node in _all(root, "DocRoot") if node.text):
            document_path = document_path.lstrip("/")
            document = _xml(archive, document_path)
            pages = [page.get("BaseLoc", "") for page in _all(document, "Page") if page.get("BaseLoc")]
            if len(pages) > MAX_PAGES:
                raise DocumentError(
                    "too_complex",
                    f"OFD 文件有 {len(pages)} 页，超过 {MAX_PAGES} 页的上限。",
                    f"The OFD file has {len(pages)} pages, more than {MAX_PAGES}.",
                )
            base = posixpath.dirname(document_path)
            page_lines = [_page_lines(_xml(archive, _resolve(base, location))) for location in pages]
            lines.extend(_joined(page_lines))
    if title and len(lines) > 1 and lines[1] == title:
        lines.pop(0)  # the title printed on the first page too
    return "\n".join(lines)


def _resolve(base: str, location: str) -> str:
    if location.startswith("/"):
        return location.lstrip("/")
    return posixpath.normpath(posixpath.join(base, location))


def _xml(archive: zipfile.ZipFile, name: str) -> etree._Element:
    try:
        content = archive.read(name)
    except KeyError:
        raise DocumentError(
            "corrupt",
            f"OFD 文件不完整（缺少 {name}），请重新下载。",
            f"The OFD file is incomplete ({name} is missing); download it again.",
        ) from None
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError) as error:
        raise _corrupt(error) from None
    root = etree.fromstring(content, _PARSER)
    if root is None:
        raise _corrupt(ValueError(name))
    return root


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _all(root: etree._Element, name: str) -> list[etree._Element]:
    return [node for node in root.iter() if _local(node.tag) == name]


def _first_text(root: etree._Element, name: str) -> str:
    for node in _all(root, name):
        if node.text and node.text.strip():
            return node.text.strip()
    return ""


def _numbers(text: str | None) -> list[float]:
    try:
        return [float(part) for part in (text or "").split()]
    except ValueError:
        return []


def _page_lines(page: etree._Element) -> list[_Glyphs]:
    """The page's text as lines in reading order: glyph runs whose baselines are within half a size agree."""
    runs: list[_Glyphs] = []
    for text_object in _all(page, "TextObject"):
        box = _numbers(text_object.get("Boundary")) or [0.0, 0.0, 0.0, 0.0]
        size = float(text_object.get("Size") or 3.5)
        for code in _all(text_object, "TextCode"):
            text = "".join(code.itertext())
            if not text.strip():
                continue
            x = box[0] + float(code.get("X") or 0)
            y = box[1] + float(code.get("Y") or 0)
            deltas = _numbers(code.get("DeltaX"))
            width = sum(deltas) + size if deltas else size * len(text)
            runs.append(_Glyphs(y=y, x=x, right=x + width, text=text))
    runs.sort(key=lambda run: (run.y, run.x))
    lines: list[list[_Glyphs]] = []
    for run in runs:
        if lines and abs(lines[-1][0].y - run.y) < 1.5:
            lines[-1].append(run)
        else:
            lines.append([run])
    merged = []
    for line in lines:
        line.sort(key=lambda run: run.x)
        if PAGE_NUMBER.match("".join(r.text for r in line)):
            continue  # "— 2 —" at the foot of a page would land inside a sentence that runs on
        merged.append(
            _Glyphs(
                y=line[0].y, x=line[0].x, right=max(r.right for r in line), text="".join(r.text for r in line)
            )
        )
    return merged


def _joined(pages: list[list[_Glyphs]]) -> list[str]:
    """Lines of all pages; a line that fills its page's width and ends no sentence goes on with the next."""
    out: list[str] = []
    carry = False
    for lines in pages:
        widest = max((line.right - line.x for line in lines), default=0.0)
        for line in lines:
            text = line.text.strip()
            if carry and out:
                out[-1] += text
            else:
                out.append(text)
            full = widest > 0 and (line.right - line.x) >= FULL_LINE * widest
            carry = full and not LINE_END.search(text)
    return out


def _corrupt(error: Exception) -> DocumentError:
    return DocumentError(
        "corrupt",
        "OFD 文件已损坏，无法读取。请重新下载，或用 OFD 阅读器另存为 PDF 后导入。",
        f"The OFD file is damaged ({type(error).__name__}); download it again or save it as PDF.",
    )
