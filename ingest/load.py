"""Placeholder: reads UTF-8 text files only. Replaced by the full loader (encodings, docx, pdf, html, URLs)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx

from ingest.errors import DocumentError
from ingest.records import LoadedDocument


def load_source(
    source: str,
    *,
    max_bytes: int = 20 * 1024 * 1024,
    allow_private: bool = False,
    timeout: float = 20.0,
    transport: httpx.BaseTransport | None = None,
) -> LoadedDocument:
    path = Path(source)
    if not path.is_file():
        raise DocumentError("not_found", f"找不到文件：{source}", f"File not found: {source}")
    raw = path.read_bytes()
    return LoadedDocument(
        source=source,
        format="txt",
        text=raw.decode("utf-8-sig", errors="replace"),
        sha256=hashlib.sha256(raw).hexdigest(),
        encoding="utf-8",
    )
