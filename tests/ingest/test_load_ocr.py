"""Scanned PDFs: read by OCR with the extra installed, refused with today's hint without it (invented text)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

import ingest.load
from ingest.errors import DocumentError
from ingest.formats.ocr import OCR_FORMAT
from ingest.load import load_source
from ingest.pipeline import extract_document
from ingest.units import default_alias_table

FONT = Path(__file__).resolve().parents[2] / "bot" / "assets" / "PlanbotCJKSans-Regular.otf"
LINES = ["青石区2025年重点工作安排", "一、区发展改革局牵头，区财政局配合，9月底前完成重点项目储备。"]


def scanned_pdf(path: Path) -> Path:
    """Text drawn on a white page, saved as an image-only PDF: no text layer at all."""
    font = ImageFont.truetype(str(FONT), 40)
    page = Image.new("RGB", (1654, 600), "white")
    draw = ImageDraw.Draw(page)
    for index, line in enumerate(LINES):
        draw.text((80, 80 + index * 90), line, fill="black", font=font)
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=150)
    path.write_bytes(buffer.getvalue())
    return path


def test_a_scanned_page_extracts_its_assignment_with_the_ocr_extra(tmp_path: Path) -> None:
    # the dev extra installs the OCR extra: this runs wherever the test suite is installed as the README says
    loaded = load_source(str(scanned_pdf(tmp_path / "scan.pdf")))
    assert loaded.format == OCR_FORMAT  # marked: storage gives its records a low confidence
    records = extract_document(loaded, aliases=default_alias_table()).records
    found = {(r.department, r.role, r.due) for r in records if "重点项目储备" in r.task}
    assert found == {("区发展改革局", "lead", date(2025, 9, 30)), ("区财政局", "co", date(2025, 9, 30))}


def test_without_the_extra_a_scan_gets_the_hint_to_run_ocr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest.load, "ocr_available", lambda: False)
    with pytest.raises(DocumentError) as refused:
        load_source(str(scanned_pdf(tmp_path / "scan.pdf")))
    assert refused.value.code == "no_text"
    assert "扫描件" in refused.value.zh and "OCR" in refused.value.zh
