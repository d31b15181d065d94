"""Hostile documents: every file under the size limit is refused or read within 10 s and 600 MB.

The bombs are built here (tests/ingest/fixtures_load/bombs.py), and loaded through load_source as the CLI and
the bot load them: .docx and PDF are read in a child process under memory and CPU limits.
"""

from __future__ import annotations

import io
import os
import random
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from ingest.errors import DocumentError
from ingest.load import load_source
from ingest.parse_sandbox import ParseLimits
from tests.ingest.fixtures_load.bombs import EMPTY_PARAGRAPHS, docx_with_body, pdf_with_inflating_page
from tests.ingest.fixtures_load.builders import chinese_lines, docx_bytes, pdf_bytes

MB = 1024 * 1024
SECONDS_ALLOWED = 10
MEMORY_ALLOWED = 600 * MB


def refusal(tmp_path: Path, name: str, raw: bytes, **options: object) -> tuple[DocumentError, float]:
    path = tmp_path / name
    path.write_bytes(raw)
    started = time.monotonic()
    with pytest.raises(DocumentError) as caught:
        load_source(str(path), **options)
    return caught.value, time.monotonic() - started


def largest_rss(who: int) -> int:
    return resource.getrusage(who).ru_maxrss * 1024  # Linux reports kilobytes


def docx_of_xml_body(body: bytes) -> bytes:
    """A .docx whose document.xml body is `body`, deflated as Word would (no assembled stream)."""
    template = zipfile.ZipFile(io.BytesIO(docx_bytes(["区发展改革局牵头。"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in template.namelist():
            content = template.read(name)
            if name == "word/document.xml":
                content = content.partition(b"<w:body>")[0] + b"<w:body>" + body + b"</w:body></w:document>"
            archive.writestr(name, content)
    return out.getvalue()


def test_a_docx_whose_xml_inflates_to_a_gigabyte_is_refused_from_its_zip_directory(tmp_path):
    bomb = docx_with_body(EMPTY_PARAGRAPHS, 1200)  # 1.8 MB on disk, 1.2 GB of XML
    assert len(bomb) < 2 * MB
    own_before = largest_rss(resource.RUSAGE_SELF)
    error, seconds = refusal(tmp_path, "bomb.docx", bomb)
    assert error.code == "too_complex"
    assert error.zh.startswith("Word 文件的内容异常庞大（解压后 1,201 MB）")
    assert "请确认文件来源" in error.zh and "decompression bomb" in error.en
    assert seconds < SECONDS_ALLOWED
    assert largest_rss(resource.RUSAGE_SELF) - own_before < 50 * MB
    assert largest_rss(resource.RUSAGE_CHILDREN) < MEMORY_ALLOWED


def test_a_small_docx_of_empty_paragraphs_is_refused_by_its_compression_ratio(tmp_path):
    # 30 MB of <w:p/> take 45 KB, beside python-docx's own 35 KB thumbnail: minutes of walking paragraphs
    bomb = docx_with_body(EMPTY_PARAGRAPHS, 30)
    assert len(bomb) < 100 * 1024
    error, seconds = refusal(tmp_path, "empty.docx", bomb)
    assert error.code == "too_complex"
    assert "word/document.xml 的压缩比为" in error.zh
    assert seconds < SECONDS_ALLOWED


def test_a_docx_of_too_many_ordinary_paragraphs_is_refused_by_counting_them(tmp_path):
    # Distinct paragraphs compress like a real document's, so only the paragraph count gives them away.
    draw = random.Random(14)
    body = b"".join(
        f"<w:p><w:r><w:t>第{draw.randrange(10**9)}项</w:t></w:r></w:p>".encode() for _ in range(120_000)
    )
    error, seconds = refusal(tmp_path, "long.docx", docx_of_xml_body(body))
    assert error.code == "too_complex"
    assert "120,000 个段落" in error.zh and "120,000 paragraphs" in error.en
    assert seconds < SECONDS_ALLOWED


def test_a_docx_of_a_million_runs_in_one_paragraph_is_refused_by_counting_elements(tmp_path):
    draw = random.Random(5)
    runs = b"".join(b'<w:r w:rsidR="%08X"/>' % draw.randrange(16**8) for _ in range(1_100_000))
    error, seconds = refusal(tmp_path, "runs.docx", docx_of_xml_body(b"<w:p>" + runs + b"</w:p>"))
    assert error.code == "too_complex"
    assert "个 XML 元素" in error.zh
    assert seconds < SECONDS_ALLOWED


def test_a_pdf_whose_stream_inflates_to_a_gigabyte_is_stopped_by_the_memory_limit(tmp_path):
    bomb = pdf_with_inflating_page(1024)  # 1 MB on disk
    assert len(bomb) < 2 * MB
    own_before = largest_rss(resource.RUSAGE_SELF)
    error, seconds = refusal(tmp_path, "bomb.pdf", bomb)
    assert error.code == "too_complex"
    assert error.zh.startswith("文件过于复杂，读取所需内存超过 600 MB")
    assert "另存为 .docx / .txt" in error.zh and "too complex" in error.en
    assert seconds < SECONDS_ALLOWED
    assert largest_rss(resource.RUSAGE_SELF) - own_before < 50 * MB
    assert largest_rss(resource.RUSAGE_CHILDREN) < MEMORY_ALLOWED


def test_a_pdf_over_the_page_cap_is_refused_before_its_pages_are_read(tmp_path):
    error, seconds = refusal(tmp_path, "pages.pdf", pdf_bytes([[]] * 1_001))
    assert error.code == "too_complex"
    assert "1,001 页" in error.zh and "请拆分" in error.zh
    assert seconds < SECONDS_ALLOWED


def dense_pdf(pages: int) -> bytes:
    page = chinese_lines(["区发展改革局牵头，会同各有关部门建立规划实施年度监测制度，每年报告进展。"] * 40)
    return pdf_bytes([page] * pages)


def test_a_document_that_needs_more_cpu_than_allowed_is_stopped(tmp_path):
    # 100 dense pages take pdfplumber about 9 s of CPU; under a one-second limit the child is stopped.
    limits = ParseLimits(cpu_seconds=1, wall_seconds=60)
    error, seconds = refusal(tmp_path, "dense.pdf", dense_pdf(100), parse_limits=limits)
    assert error.code == "too_complex"
    assert error.zh.startswith("文件过于复杂，读取用时超过 1 秒")
    assert seconds < SECONDS_ALLOWED


def test_a_child_that_outlives_the_wall_clock_limit_is_killed(tmp_path):
    limits = ParseLimits(cpu_seconds=60, wall_seconds=0.5)
    error, seconds = refusal(tmp_path, "dense.pdf", dense_pdf(100), parse_limits=limits)
    assert error.code == "too_complex"
    assert "0.5 秒内未能读完" in error.zh
    assert seconds < 2


def test_an_ordinary_document_is_read_in_the_child_and_its_refusals_come_back_whole(tmp_path):
    path = tmp_path / "plan.docx"
    path.write_bytes(docx_bytes(["区财政局负责资金保障。"]))
    assert load_source(str(path)).text == "区财政局负责资金保障。"
    error, _ = refusal(tmp_path, "broken.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 4)
    assert error.code == "corrupt"
    assert error.zh.startswith("PDF 文件已损坏或已加密")


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
def test_the_child_leaves_the_idle_scheduling_of_a_reply_process_and_keeps_its_limits():
    script = (
        "import os, resource\n"
        "os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))  # as bot.after_ack's reply processes\n"
        "from ingest.parse_sandbox import lower_own_limits\n"
        "lower_own_limits(600 * 2**20, 10)\n"
        "print(os.sched_getscheduler(0) == os.SCHED_OTHER, resource.getrlimit(resource.RLIMIT_AS)[0],\n"
        "      resource.getrlimit(resource.RLIMIT_CPU))\n"
    )
    printed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert printed.split(maxsplit=1) == ["True", f"{600 * MB} (10, 12)\n"]
