"""Refuse zip-based documents (.docx, and the spreadsheet and OFD formats) that would unpack into too much.

A .docx is a zip of XML parts. A small file can claim gigabytes once inflated (a decompression bomb), or hold
millions of empty paragraphs that cost minutes to walk. The zip directory states each part's unpacked size, and
Python's zipfile never inflates a part beyond that size (it stops there and fails the CRC check), so the
directory can be trusted for sizes: checking it costs nothing and refuses a bomb before any part is inflated.
Element counts are not in the directory; `count_xml_tags` streams one part to count them before it is parsed.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from ingest.errors import DocumentError

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    max_entries: int = 5_000
    max_unpacked_bytes: int = 128 * MB  # all parts together, as the directory states them
    # Word's XML inflates 5 to 30 times; a part that inflates more than this, and is big, is padding.
    max_ratio: float = 100.0
    ratio_applies_above: int = 1 * MB  # a small part may compress as well as it likes


DEFAULT_ARCHIVE_LIMITS = ArchiveLimits()
CHUNK = 1 * MB
# Any start tag, and a Word paragraph start tag (<w:p>, <w:p/>, <w:p w:rsidR=…>; not <w:pPr>).
START_TAG = re.compile(rb"<[A-Za-z_]")
PARAGRAPH_TAG = re.compile(rb"<w:p[\s/>]")
LONGEST_TAG = 5


def check_archive(
    archive: zipfile.ZipFile, *, kind: str, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS
) -> None:
    """Raise DocumentError("too_complex") when the zip directory promises more than a document ever needs."""
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise too_complex_archive(kind, f"{len(entries):,} 个部件", f"{len(entries):,} parts")
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limits.max_unpacked_bytes:
        raise too_complex_archive(
            kind, f"解压后 {unpacked / MB:,.0f} MB", f"{unpacked / MB:,.0f} MB once unpacked"
        )
    for entry in entries:
        if entry.file_size <= limits.ratio_applies_above:
            continue
        ratio = entry.file_size / max(entry.compress_size, 1)
        if ratio > limits.max_ratio:
            raise too_complex_archive(
                kind,
                f"{entry.filename} 的压缩比为 {ratio:,.0f} 倍",
                f"{entry.filename} inflates {ratio:,.0f} times",
            )


@dataclass(frozen=True, slots=True)
class TagCounts:
    elements: int
    paragraphs: int


def count_xml_tags(archive: zipfile.ZipFile, part: str) -> TagCounts:
    """Start tags and Word paragraphs in one part, counted while streaming it, never holding it whole."""
    elements = paragraphs = 0
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            window = tail + chunk
            # Tags wholly inside `tail` were counted with the previous chunk; only tags that reach into this
            # chunk are new. No tag pattern can overlap another, since each starts with "<".
            elements += len(START_TAG.findall(window)) - len(START_TAG.findall(tail))
            paragraphs += len(PARAGRAPH_TAG.findall(window)) - len(PARAGRAPH_TAG.findall(tail))
            tail = window[-(LONGEST_TAG - 1) :]
    return TagCounts(elements=elements, paragraphs=paragraphs)


def too_complex_archive(kind: str, found_zh: str, found_en: str) -> DocumentError:
    return DocumentError(
        "too_complex",
        f"{kind} 文件的内容异常庞大（{found_zh}），可能是恶意构造的文件，已拒绝读取。"
        "请确认文件来源；如确为正常文件，请拆分后再导入，或另存为 .txt。",
        f"The {kind} file is abnormally large inside ({found_en}) and may be a decompression bomb, so it was "
        "not read. Check where it came from; if it is genuine, split it or save it as .txt and load that.",
    )
