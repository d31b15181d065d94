"""Scanned PDFs read by OCR, with the optional extra `pip install 'planbot[ocr]'`.

rapidocr-onnxruntime ships its detection and recognition models inside the wheel, so nothing is downloaded
when it runs (a government intranet has no route to a model hub), and onnxruntime runs them on the CPU.
Pages are rendered with pdfplumber (pypdfium2), which planbot already uses for PDFs with a text layer.

Text lines come back with their boxes; they are put in reading order, and a line that reaches the right
margin without ending a sentence continues on the next one, as in ingest.formats.ofd. A document read this
way is marked (format "pdf_ocr"), and storage gives its records a low confidence, so that a coordinator
checks them before anyone is reminded.
"""

from __future__ import annotations

import importlib.util
import io
import re

from ingest.errors import DocumentError

OCR_FORMAT = "pdf_ocr"
MAX_OCR_PAGES = 50  # a scan of more pages takes minutes; such a document should come as text
RESOLUTION = 200  # dots per inch: small Chinese print stays legible, a page stays under 2,000 px wide
MIN_SCORE = 0.5  # recognitions below this are noise (stamps, lines of a table)
LINE_END = re.compile(r"[。！？!?：:；;]$")
FULL_LINE = 0.9


def ocr_available() -> bool:
    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


def ocr_pdf_text(raw: bytes) -> str:
    """The text of a scanned PDF, recognised page by page."""
    import numpy
    import pdfplumber
    from rapidocr_onnxruntime import RapidOCR

    lines: list[str] = []
    carry = False
    with pdfplumber.open(io.BytesIO(raw)) as document:
        if not any(page.images for page in document.pages):
            return ""  # no picture of a page to read: not a scan, and loading the models would cost seconds
        engine = RapidOCR()
        if len(document.pages) > MAX_OCR_PAGES:
            raise DocumentError(
                "too_complex",
                f"扫描件有 {len(document.pages)} 页，超过文字识别 {MAX_OCR_PAGES} 页的上限。请提供可复制文字的版本。",
                f"The scan has {len(document.pages)} pages, more than the {MAX_OCR_PAGES} OCR reads.",
            )
        for page in document.pages:
            image = page.to_image(resolution=RESOLUTION).original.convert("RGB")
            found, _elapsed = engine(numpy.asarray(image))
            boxes = [
                (box, text.strip()) for box, text, score in found or [] if score >= MIN_SCORE and text.strip()
            ]
            boxes.sort(key=lambda item: (min(y for _, y in item[0]), min(x for x, _ in item[0])))
            widest = max((_width(box) for box, _ in boxes), default=0.0)
            for box, text in boxes:
                if carry and lines:
                    lines[-1] += text
                else:
                    lines.append(text)
                carry = widest > 0 and _width(box) >= FULL_LINE * widest and not LINE_END.search(text)
    return "\n".join(lines)


def _width(box: list[list[float]]) -> float:
    xs = [x for x, _ in box]
    return max(xs) - min(xs)
