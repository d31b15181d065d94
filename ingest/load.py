"""Load one document, from a path or an http(s) URL, into text: the first stage of the ingest pipeline.

The format comes from the bytes first (ingest.formats.sniff), then from the file name or Content-Type; each
format has its reader in ingest.formats. Every refusal is a DocumentError with a stable code:
not_found, too_large, empty, binary, unknown_format, corrupt, legacy_format, no_text, private_address,
too_many_redirects, fetch_failed, too_complex. Nothing here touches a database or keeps state between calls.
Binary formats other than HTML (.docx, PDF, legacy Word, and any reader added later) come from untrusted
hands and can be decompression bombs, so they are read in a child process under memory and CPU limits
(ingest.parse_sandbox); plain text and HTML are read here, their cost bounded by the size limit.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import DocumentError
from ingest.formats.ocr import OCR_FORMAT, ocr_available
from ingest.formats.refusals import empty_error, no_text_error, too_large_error
from ingest.formats.sniff import detect_format, unknown_format_error
from ingest.formats.text import decode_text
from ingest.parse_sandbox import DEFAULT_PARSE_LIMITS, ParseLimits, parse_in_child
from ingest.records import LoadedDocument

if TYPE_CHECKING:
    import httpx

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# the OCR models and onnxruntime need more room and time than a text reader: seconds per page
OCR_PARSE_LIMITS = ParseLimits(memory_bytes=4096 * 1024 * 1024, cpu_seconds=300, wall_seconds=300.0)
# Share of letters (Chinese characters count as letters) among the visible characters of a real document;
# a page of digits and punctuation, or of symbols from a bad conversion, has far fewer.
MIN_LETTER_SHARE = 0.3
RECOGNITION_SAMPLE = 200_000
NOT_DOCUMENT_SUFFIXES = frozenset(
    [
        ".py",
        ".pyc",
        ".js",
        ".ts",
        ".json",
        ".toml",
        ".yml",
        ".yaml",
        ".ini",
        ".cfg",
        ".conf",
        ".sh",
        ".bat",
        ".ps1",
        ".md",
        ".rst",
        ".tsv",
        ".pptx",
        ".ppt",
        ".zip",
        ".rar",
        ".7z",
        ".gz",
        ".tar",
        ".exe",
        ".dll",
        ".so",
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".bmp",
        ".mp3",
        ".mp4",
        ".avi",
        ".log",
        ".sqlite3",
        ".db",
    ]
)


def load_source(
    source: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_private: bool = False,
    timeout: float = 20.0,
    transport: httpx.BaseTransport | None = None,
    parse_limits: ParseLimits | None = DEFAULT_PARSE_LIMITS,
) -> LoadedDocument:
    """Read a file or fetch a URL and return its text. Raises DocumentError (see the module docstring).

    `parse_limits=None` reads binary formats in this process: only for bytes that are already trusted.
    """
    if is_url(source):
        from ingest.formats.fetch import fetch_url  # httpx is imported only when a URL is loaded

        fetched = fetch_url(
            source, max_bytes=max_bytes, allow_private=allow_private, timeout=timeout, transport=transport
        )
        return loaded_from_bytes(
            source,
            fetched.content,
            name=fetched.filename,
            content_type=fetched.content_type,
            parse_limits=parse_limits,
        )
    if Path(source).suffix.lower() in NOT_DOCUMENT_SUFFIXES:
        # `planbot ingest folder/*` meets notes, scripts and spreadsheets beside the plans; downloads with odd
        # names (.bin, .jsp) are still read by their bytes
        raise unknown_format_error(source)
    return loaded_from_bytes(
        source, read_file(source, max_bytes), name=source, content_type=None, parse_limits=parse_limits
    )


def read_file(source: str, max_bytes: int) -> bytes:
    path = Path(source).expanduser()
    if not path.is_file():
        raise DocumentError(
            "not_found",
            f"找不到文件：{source}。请检查路径是否正确。",
            f"File not found: {source}. Check the path.",
        )
    size = path.stat().st_size
    if size > max_bytes:  # refused before reading, so a huge file costs nothing
        raise too_large_error(source, size, max_bytes)
    with path.open("rb") as handle:
        raw = handle.read(max_bytes + 1)  # the file may have grown since stat()
    if len(raw) > max_bytes:
        raise too_large_error(source, len(raw), max_bytes)
    return raw


def loaded_from_bytes(
    source: str,
    raw: bytes,
    *,
    name: str | None,
    content_type: str | None,
    parse_limits: ParseLimits | None = DEFAULT_PARSE_LIMITS,
) -> LoadedDocument:
    """Turn a document's bytes into a LoadedDocument; `name` and `content_type` are hints for the format."""
    if not raw.strip():
        raise empty_error(source)
    format_name = detect_format(raw, name=name, content_type=content_type)
    encoding: str | None = None
    if format_name == "txt":
        # A declared charset is not trusted for plain text: servers default to ISO-8859-1 for GBK files, and
        # Latin-1 decodes any bytes without complaint. Detection is right more often.
        decoded = decode_text(raw)
        text, encoding = decoded.text, decoded.encoding
        if not text.strip():
            raise empty_error(source)
    else:
        # Readers are imported on first use: lxml, python-docx and pdfplumber together cost a tenth of a
        # second at start-up, which `planbot extract` on text files should not pay.
        if format_name == "html" or parse_limits is None:
            text, encoding = read_binary_format(raw, format_name, content_type)
        else:
            text, encoding = parse_in_child(raw, format_name, content_type, limits=parse_limits)
    if not has_recognisable_text(text) and format_name == "pdf" and ocr_available():
        # a scan: with the OCR extra installed its pages are recognised, under limits of their own
        if parse_limits is None:
            text, _ = read_binary_format(raw, OCR_FORMAT, None)
        else:
            text, _ = parse_in_child(raw, OCR_FORMAT, None, limits=OCR_PARSE_LIMITS)
        format_name = OCR_FORMAT
    if not has_recognisable_text(text):
        raise no_text_error(source, "pdf" if format_name == OCR_FORMAT else format_name)
    return LoadedDocument(
        source=source,
        format=format_name,
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        encoding=encoding,
    )


def read_binary_format(raw: bytes, format_name: str, content_type: str | None) -> tuple[str, str | None]:
    if format_name == "html":
        from ingest.formats.html import html_text

        decoded = html_text(raw, declared_charset=charset_of(content_type))
        return decoded.text, decoded.encoding
    if format_name == "docx":
        from ingest.formats.docx import docx_text

        return docx_text(raw), None
    if format_name == "pdf":
        from ingest.formats.pdf import pdf_text

        return pdf_text(raw), None
    if format_name == OCR_FORMAT:
        from ingest.formats.ocr import ocr_pdf_text

        return ocr_pdf_text(raw), None
    if format_name == "ofd":
        from ingest.formats.ofd import ofd_text

        return ofd_text(raw), None
    if format_name == "csv":
        from ingest.formats.spreadsheet import csv_text

        return csv_text(raw), None
    if format_name in ("xlsx", "xls", "et", "ods"):
        from ingest.formats.spreadsheet import spreadsheet_text

        return spreadsheet_text(raw), None
    from ingest.formats.legacy import legacy_text

    return legacy_text(raw, format_name=format_name), None


def is_url(source: str) -> bool:
    return bool(re.match(r"^https?://", source.strip(), re.I))


def charset_of(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for parameter in content_type.split(";")[1:]:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def has_recognisable_text(text: str) -> bool:
    sample = text[:RECOGNITION_SAMPLE]
    visible = sum(1 for char in sample if not char.isspace())
    letters = sum(1 for char in sample if char.isalpha())
    return letters >= 2 and letters >= MIN_LETTER_SHARE * visible
