"""Load one document, from a path or an http(s) URL, into text: the first stage of the ingest pipeline.

The format comes from the bytes first (ingest.formats.sniff), then from the file name or Content-Type; each
format has its reader in ingest.formats. Every refusal is a DocumentError with a stable code:
not_found, too_large, empty, binary, unknown_format, corrupt, legacy_format, no_text, private_address,
too_many_redirects, fetch_failed. Nothing here touches a database or keeps state between calls.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx

from ingest.errors import DocumentError
from ingest.formats.docx import docx_text
from ingest.formats.fetch import fetch_url, is_url, too_large_error
from ingest.formats.html import html_text
from ingest.formats.legacy import legacy_text
from ingest.formats.pdf import pdf_text
from ingest.formats.sniff import detect_format
from ingest.formats.text import decode_text
from ingest.records import LoadedDocument

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Share of letters (Chinese characters count as letters) among the visible characters of a real document;
# a page of digits and punctuation, or of symbols from a bad conversion, has far fewer.
MIN_LETTER_SHARE = 0.3
RECOGNITION_SAMPLE = 200_000


def load_source(
    source: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_private: bool = False,
    timeout: float = 20.0,
    transport: httpx.BaseTransport | None = None,
) -> LoadedDocument:
    """Read a file or fetch a URL and return its text. Raises DocumentError (see the module docstring)."""
    if is_url(source):
        fetched = fetch_url(
            source, max_bytes=max_bytes, allow_private=allow_private, timeout=timeout, transport=transport
        )
        return loaded_from_bytes(
            source, fetched.content, name=fetched.filename, content_type=fetched.content_type
        )
    return loaded_from_bytes(source, read_file(source, max_bytes), name=source, content_type=None)


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
    source: str, raw: bytes, *, name: str | None, content_type: str | None
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
    elif format_name == "html":
        decoded = html_text(raw, declared_charset=charset_of(content_type))
        text, encoding = decoded.text, decoded.encoding
    elif format_name == "docx":
        text = docx_text(raw)
    elif format_name == "pdf":
        text = pdf_text(raw)
    else:
        text = legacy_text(raw, format_name=format_name)
    if not has_recognisable_text(text):
        raise no_text_error(source, format_name)
    return LoadedDocument(
        source=source,
        format=format_name,
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        encoding=encoding,
    )


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


def empty_error(source: str) -> DocumentError:
    return DocumentError(
        "empty",
        f"文件是空的，没有任何内容：{source}。请确认选对了文件。",
        f"The document is empty: {source}. Check that this is the right file.",
    )


def no_text_error(source: str, format_name: str) -> DocumentError:
    if format_name == "pdf":
        hint_zh, hint_en = (
            "可能是扫描件或图片。请提供可复制文字的版本，或先做文字识别（OCR）。",
            ("It may be a scan. Provide a version with selectable text, or run OCR first."),
        )
    else:
        hint_zh, hint_en = (
            "请确认文件内容是规划文本，或换用 .txt / .docx 版本。",
            ("Check that it holds the plan's text, or use a .txt / .docx version."),
        )
    return DocumentError(
        "no_text",
        f"文件中没有可识别的文字：{source}。{hint_zh}",
        f"The document has no recognisable text: {source}. {hint_en}",
    )
