"""Whatever bytes arrive, the loader either returns text or refuses with DocumentError: nothing else escapes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.errors import DocumentError
from ingest.load import loaded_from_bytes
from tests.ingest.fixtures_load.builders import chinese_lines, docx_bytes, pdf_bytes

SEED_DOCUMENTS = {
    "pdf": pdf_bytes([chinese_lines(["区发展改革局牵头，会同各有关部门建立规划实施年度监测制度。"] * 3)]),
    "docx": docx_bytes(["区发展改革局牵头。", [["工作任务", "牵头单位"], ["开展中期评估", "区发展改革局"]]]),
    "html": "<html><head><meta charset='gbk'></head><body><p>区政府每年报告规划实施情况。</p></body></html>".encode(
        "gbk"
    ),
    "txt": "區發展改革局牽頭，會同區統計局開展年度監測。".encode("big5"),
}


@st.composite
def mutated_documents(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(sorted(SEED_DOCUMENTS)))
    raw = bytearray(SEED_DOCUMENTS[kind])
    for _ in range(draw(st.integers(1, 12))):
        position = draw(st.integers(0, max(0, len(raw) - 1)))
        action = draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip" and raw:
            raw[position] = draw(st.integers(0, 255))
        elif action == "cut":
            del raw[position : position + draw(st.integers(1, 64))]
        else:
            raw[position:position] = draw(st.binary(min_size=1, max_size=16))
    return kind, bytes(raw)


def load_or_refuse(raw: bytes, name: str | None) -> None:
    try:
        loaded = loaded_from_bytes("fuzz", raw, name=name, content_type=None)
    except DocumentError as error:
        assert error.code and error.zh and error.en
    else:
        assert loaded.text.strip()


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents(), st.booleans())
def test_mutated_documents_load_or_are_refused(document, named):
    kind, raw = document
    load_or_refuse(raw, f"plan.{kind}" if named else None)


@settings(max_examples=300, deadline=None, database=None)
@given(st.binary(max_size=2048), st.sampled_from([None, "a.txt", "a.docx", "a.pdf", "a.html", "a.doc"]))
def test_random_bytes_load_or_are_refused(raw, name):
    load_or_refuse(raw, name)


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=400), st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_random_text_in_any_encoding_loads_or_is_refused(text, codec):
    load_or_refuse(text.encode(codec), "a.txt")
