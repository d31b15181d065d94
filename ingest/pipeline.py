"""One call from loaded text to an ExtractedDocument: normalize -> structure -> extract."""

from __future__ import annotations

from ingest.errors import DocumentError
from ingest.records import ExtractedDocument, LoadedDocument
from ingest.units import AliasTable, default_alias_table

# a few garbled characters are noise; past this share of the text, the reader is told
DAMAGE_WARNING_SHARE = 0.002


def _title_from_opening(text: str) -> str:
    """A document with no title line (a page cut from a longer one) is named by its opening words, never by its
    file name: the first line, up to its first sentence end, at most 30 characters."""
    for line in text.split("\n"):
        opening = line.strip().split("。", 1)[0]
        if len(opening) >= 4:
            return opening[:30] + ("…" if len(opening) > 30 else "")
    return ""


def extract_document(
    loaded: LoadedDocument, *, aliases: AliasTable | None = None, year: int | None = None
) -> ExtractedDocument:
    """Run every pure stage on one loaded document. Raises DocumentError only."""
    from ingest import extract, normalize, structure
    from ingest.indicators import extract_indicators
    from ingest.record_builder import damaged_share

    normalized = normalize.normalize(loaded.text)
    if not normalized.has_text:
        raise DocumentError(
            "no_text",
            "文件中没有可识别的中文内容（可能是扫描件、图片或非规划文件）。请提供可复制文字的规划文件，扫描件请先做文字识别（OCR）。",
            "The document has no recognisable Chinese text (a scan, an image or not a plan). Provide a plan with "
            "selectable text, or run OCR on a scan first.",
        )
    outline = structure.analyse(normalized.text, year_override=year)
    records = extract.extract_records(
        normalized.text, outline, aliases=aliases or default_alias_table(), source_map=normalized.to_source
    )
    warnings = list(normalized.warnings)
    share = damaged_share(normalized.text)
    if share >= DAMAGE_WARNING_SHARE:
        warnings.insert(
            0,
            f"全文约 {share:.1%} 的字符疑似乱码，相关任务已标为低置信度、需人工核对；请检查原文件编码或改用 Word/PDF 原件。"
            f" / About {share:.1%} of the characters look garbled; their tasks are marked low-confidence for review.",
        )
    return ExtractedDocument(
        source=loaded.source,
        format=loaded.format,
        sha256=loaded.sha256,
        title=outline.title or _title_from_opening(normalized.text),
        kind=outline.kind,
        jurisdiction=outline.jurisdiction,
        period=outline.period if outline.has_review_calendar else None,
        year=outline.year,
        text=normalized.text,
        sections=list(outline.sections),
        records=records,
        warnings=warnings,
        indicators=extract_indicators(
            normalized.text, outline, aliases=aliases or default_alias_table(), source=loaded.text
        ),
    )
