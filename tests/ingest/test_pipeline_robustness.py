"""Random and mutated text through the whole pure pipeline: only DocumentError may come out."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.errors import DocumentError
from ingest.pipeline import extract_document
from ingest.records import LoadedDocument

FRAGMENTS = [
    "区发改局", "各镇（街道）", "牵头", "会同", "配合", "要", "负责", "由", "：", "；", "。", "，", "（", "）", "\n", "\t",
    "第十五章 规划实施保障", "一、", "（一）", "1.", "专栏1", "一是", "2025年底前", "6月底前", "中期评估", "总结评估", "每年",
    "自2022年起", "牵头单位：", "责任单位：", "完成时限：", "區(qū)", "[bookmark: x]", "—41—", "?。H", "十四五", "序号",
]  # fmt: skip


def run(text: str) -> None:
    loaded = LoadedDocument(
        "fuzz.txt", "txt", text, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    )
    try:
        document = extract_document(loaded)
    except DocumentError as error:
        assert error.zh and error.en and error.code
        return
    for record in document.records:
        start, end = record.span
        assert document.text[start:end].strip() == record.evidence
        assert record.role in (None, "lead", "co")
        assert record.recurrence in (None, "yearly", "quarterly", "monthly")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=6), max_size=60).map("".join))
def test_plan_like_fragments(text):
    run(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_unicode(text):
    run(text)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_bytes_decoded_any_way(raw):
    run(raw.decode("latin-1"))
    run(raw.decode("utf-8", errors="replace"))


@pytest.mark.parametrize(
    "text",
    [
        "区?。H" * 20_000,  # a whole file of mojibake
        "区发改局，" * 20_000,  # one "sentence" of twenty thousand clauses
        "区发改局、" * 20_000 + "要负责。",
        "（" * 20_000 + "区发改局" + "）" * 20_000,
        "“区发改局要推进。" * 10_000,  # a quotation that never closes
        "\n".join(f"第{n}章 规划实施保障" for n in range(10_000)),
    ],
    ids=["mojibake", "clauses", "series", "brackets", "open-quote", "headings"],
)
def test_run_on_and_degenerate_documents_finish(text):
    """Each of these once took minutes (quadratic steps); they now run in about a second."""
    run(text)


def test_garbled_text_is_flagged_with_its_share_and_never_trusted():
    from ingest.pipeline import extract_document
    from ingest.records import LoadedDocument

    text = "临河区2025年重点任务分解\n1.区发改局要在6月底前完成ǘ┩七M东部项目ǘ┩储备。\n2.区财政局要保障资金。\n"
    document = extract_document(LoadedDocument("t.txt", "txt", text, "0"))
    assert document.warnings[0].startswith("全文约") and "乱码" in document.warnings[0]
    confidence = {record.department: record.confidence for record in document.records}
    assert confidence["区发改局"] <= 0.3 < confidence["区财政局"]


def test_a_document_without_a_title_line_is_named_by_its_opening_words_not_its_file():
    from ingest.pipeline import extract_document
    from ingest.records import LoadedDocument

    text = "（三）对规划提出的实施机制有关要求的贯彻落实情况进行分析评价，包括建立健全规划管理体制等内容。\n区发改局要牵头。\n"
    document = extract_document(LoadedDocument("/tmp/下载/页面2.txt", "txt", text, "0"))
    assert document.title.startswith("（三）对规划提出的实施机制") and "页面2" not in document.title
