"""Which reader a document needs, from its first bytes, its file name and a server's Content-Type.

The bytes win when they are decisive: government sites publish HTML saved as `.doc`, PDFs served as
`application/octet-stream`, and `.wps` files that are really Word 97 files.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePosixPath

from ingest.errors import DocumentError

FORMATS = ("txt", "docx", "pdf", "html", "doc", "wps", "xlsx", "xls", "et", "ods", "csv", "ofd")

EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".docx": "docx",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".xhtml": "html",
    ".doc": "doc",
    ".wps": "wps",
    ".rtf": "doc",  # LibreOffice converts RTF like a .doc
    # division tables (ingest.formats.spreadsheet) and OFD documents (ingest.formats.ofd)
    ".xlsx": "xlsx",
    ".xls": "xls",
    ".et": "et",
    ".ods": "ods",
    ".csv": "csv",
    ".ofd": "ofd",
}

CONTENT_TYPES = {
    "text/plain": "txt",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc",
    "application/rtf": "doc",
    "text/rtf": "doc",
    "application/vnd.ms-works": "wps",
    "application/kswps": "wps",
    "application/wps-office.wps": "wps",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "text/csv": "csv",
    "application/ofd": "ofd",
}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 and WPS files are OLE compound files
OTHER_OLE_SUFFIXES = frozenset({".ppt", ".pps", ".dps", ".msg", ".vsd", ".msi"})
OLE_SPREADSHEET_SUFFIXES = {".xls": "xls", ".xlt": "xls", ".et": "et"}  # BIFF8 workbooks, WPS's .et too
HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)
BINARY_MAGICS = (
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x1f\x8b",  # gzip
    b"II*\x00",
    b"MM\x00*",
    b"\x7fELF",
)


def format_from_name(name: str | None) -> str | None:
    if not name:
        return None
    return EXTENSIONS.get(PurePosixPath(name.split("?")[0].split("#")[0]).suffix.lower())


def format_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return CONTENT_TYPES.get(content_type.split(";")[0].strip().lower())


def detect_format(raw: bytes, *, name: str | None = None, content_type: str | None = None) -> str:
    """The reader for these bytes. Raises DocumentError("unknown_format" | "binary")."""
    claimed = format_from_name(name) or format_from_content_type(content_type)
    head = raw[:1024]
    if b"%PDF-" in head:  # the PDF header may sit anywhere in the first kilobyte
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return zip_format(raw, name)
    if head.startswith(OLE_MAGIC):
        suffix = PurePosixPath(name).suffix.lower() if name else ""
        if suffix in OLE_SPREADSHEET_SUFFIXES or claimed == "xls":
            return OLE_SPREADSHEET_SUFFIXES.get(suffix, "xls")
        if suffix in OTHER_OLE_SUFFIXES:
            raise unknown_format_error(name)  # a spreadsheet or slides, not a legacy Word file
        return "wps" if claimed == "wps" else "doc"
    if head.startswith(b"{\\rtf"):
        return "doc"
    if head.startswith(BINARY_MAGICS):
        raise unknown_format_error(name)
    if looks_like_html(head):
        return "html"
    if claimed in ("docx", "pdf", "doc", "wps"):
        # The name promised a binary format but the bytes are something else: read them as text if they are
        # text (some sites serve plain text as .doc), and let the text decoder refuse them otherwise.
        return "txt"
    return claimed or "txt"


def looks_like_html(head: bytes) -> bool:
    sample = head.lstrip(b"\xef\xbb\xbf")
    if HTML_START.match(sample):
        return True
    lowered = sample.lower()
    return (b"<html" in lowered and b"</" in lowered) or b"<body" in lowered


def zip_format(raw: bytes, name: str | None) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = set(archive.namelist())
    except (
        zipfile.BadZipFile,
        RuntimeError,
        ValueError,
        EOFError,
        OSError,
    ) as error:  # RuntimeError: encrypted
        raise DocumentError(
            "corrupt",
            "文件已损坏（压缩结构无法读取），请重新下载或另存后再试。",
            f"The file is damaged (its zip structure cannot be read: {type(error).__name__}). Download or save it again.",
        ) from None
    if "word/document.xml" in names:
        return "docx"
    if "OFD.xml" in names:
        return "ofd"
    if "xl/workbook.xml" in names:
        return "et" if name and PurePosixPath(name).suffix.lower() == ".et" else "xlsx"
    if "content.xml" in names and b"opendocument.spreadsheet" in raw[:200]:
        return "ods"  # the uncompressed mimetype member comes first in an ODF package
    raise unknown_format_error(name)


def unknown_format_error(name: str | None) -> DocumentError:
    suffix = PurePosixPath(name).suffix if name else ""
    shown = f"（{suffix}）" if suffix else ""
    return DocumentError(
        "unknown_format",
        f"不支持的文件格式{shown}。请提供 .txt、.docx、.pdf、.html、.ofd 文件，.xlsx、.xls、.et、.csv 分工表，"
        "或网页地址；.doc/.wps 请另存为 .docx。",
        f"Unsupported file format{' ' + suffix if suffix else ''}. Provide a .txt, .docx, .pdf, .html or .ofd file, "
        "an .xlsx, .xls, .et or .csv division table, or a web address; save .doc/.wps files as .docx.",
    )
