"""Refusals shared by several readers, so the same problem reads the same whether from a file or a URL."""

from __future__ import annotations

from ingest.errors import DocumentError


def too_large_error(source: str, size: int, max_bytes: int) -> DocumentError:
    return DocumentError(
        "too_large",
        f"文件超过大小上限（已超过 {max_bytes / 1024 / 1024:.1f} MB）：{source}。请拆分文件，"
        "或由管理员调高 PLANBOT_MAX_DOCUMENT_MB。",
        f"The document is over the size limit ({size:,} bytes > {max_bytes:,}): {source}. Split it, or ask an "
        "administrator to raise PLANBOT_MAX_DOCUMENT_MB.",
    )


def empty_error(source: str) -> DocumentError:
    return DocumentError(
        "empty",
        f"文件是空的，没有任何内容：{source}。请确认选对了文件。",
        f"The document is empty: {source}. Check that this is the right file.",
    )


def no_text_error(source: str, format_name: str) -> DocumentError:
    if format_name == "pdf":
        hint_zh = (
            "可能是扫描件或图片。请提供可复制文字的版本，或先做文字识别（OCR）；"
            "也可由 IT 安装文字识别扩展后重新导入：pip install 'planbot[ocr]'。"
        )
        hint_en = (
            "It may be a scan. Provide a version with selectable text, or run OCR first; or have IT install "
            "the OCR extra (pip install 'planbot[ocr]') and import it again."
        )
    else:
        hint_zh = "请确认文件内容是规划文本，或换用 .txt / .docx 版本。"
        hint_en = "Check that it holds the plan's text, or use a .txt / .docx version."
    return DocumentError(
        "no_text",
        f"文件中没有可识别的文字：{source}。{hint_zh}",
        f"The document has no recognisable text: {source}. {hint_en}",
    )
