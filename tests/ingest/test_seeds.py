"""The five real seed documents in ../shared/seeds, end to end through the loader and the pipeline.

Expectations are pinned per document: its metadata, every record that names a unit (by department, role, dates and
the opening characters of its evidence), and the count of records that name none. The two annotated seeds are also
scored with the shared scorer.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest

from ingest.load import load_source
from ingest.pipeline import extract_document

D = date

METADATA = {
    "000": ("mechanism_opinion", "莱芜区", (2021, 2025), 2021),
    "001": ("five_year_plan", "潍城区", (2021, 2025), None),
    "002": ("speech", None, (2021, 2025), 2020),
    "003": ("annual_plan", "莱芜区", None, 2024),
    "004": ("five_year_plan", "泰山区", (2021, 2025), 2021),
}

# (department, role, due, recurrence, starts, evidence opening)
UNIT_RECORDS = {
    "002": [
        ("各县（市、区）", "lead", None, None, None, "各县区、各部门要按照《方"),
        ("各部门", "lead", None, None, None, "各县区、各部门要按照《方"),
        ("各县（市、区）", "lead", None, None, None, "各县区、各部门要按照全市"),
        ("各部门", "lead", None, None, None, "各县区、各部门要按照全市"),
        ("市发展改革委", "lead", None, None, None, "关于全市“十四五”经济社"),
        ("各有关部门", "lead", None, None, None, "全市确定了X个重点专项规"),
        ("各县（市、区）", "lead", None, None, None, "各县区、各部门要把重大项"),
        ("各部门", "lead", None, None, None, "各县区、各部门要把重大项"),
        ("市发展改革委", "lead", None, None, None, "市发改委负责统筹推进全市"),
        ("市级有关部门", "lead", None, None, None, "市级有关部门是市级专项规"),
        ("各县区政府", "lead", None, None, None, "各县区政府要按照市上的统"),
        ("各部门", "lead", None, None, None, "各级、各部门要牢固树立“"),
        ("各部门", "lead", None, None, None, "各级各部门要选强配硬规划"),
    ],
    "003": [],
    "004": [
        ("各部门", "lead", None, None, None, "各级各部门要认真学习、深"),
        ("区政府", "lead", None, None, None, "区政府统筹推进“十四五”"),
        ("区发展改革局", "lead", None, None, None, "区政府统筹推进“十四五”"),
        ("各镇（街道）", "lead", None, "yearly", None, "各街道镇、园区、各部门建"),
        ("园区", "lead", None, "yearly", None, "各街道镇、园区、各部门建"),
        ("各部门", "lead", None, "yearly", None, "各街道镇、园区、各部门建"),
        ("各镇（街道）", "lead", None, None, None, "围绕解决规划实施中存在的"),
        ("园区", "lead", None, None, None, "围绕解决规划实施中存在的"),
        ("各有关部门", "lead", None, None, None, "围绕解决规划实施中存在的"),
    ],
}
UNASSIGNED_COUNTS = {"002": 0, "003": 60, "004": 3}  # 003: measures of the annual plan, no unit named (its cover letter and review of last year are none)


def seed(seeds_dir: Path, prefix: str) -> Path:
    return next(seeds_dir.glob(f"{prefix}_*.txt"))


@pytest.fixture(scope="module")
def extracted(seeds_dir):
    return {prefix: extract_document(load_source(str(seed(seeds_dir, prefix)))) for prefix in METADATA}


@pytest.mark.parametrize("prefix", sorted(METADATA))
def test_document_metadata(extracted, prefix):
    document = extracted[prefix]
    assert (document.kind, document.jurisdiction, document.period, document.year) == METADATA[prefix]


@pytest.mark.parametrize("prefix", sorted(UNIT_RECORDS))
def test_records_naming_a_unit(extracted, prefix):
    records = extracted[prefix].records
    got = [
        (r.canonical_department, r.role, r.due, r.recurrence, r.starts, r.evidence.replace(" ", "")[:12])
        for r in records
        if r.canonical_department
    ]
    assert got == UNIT_RECORDS[prefix]
    assert sum(1 for r in records if r.canonical_department is None) == UNASSIGNED_COUNTS[prefix]


def test_annual_plan_measures_fall_due_at_the_years_end(extracted):
    unassigned = [r for r in extracted["003"].records if r.canonical_department is None]
    assert {r.due for r in unassigned} == {D(2024, 12, 31)}
    assert all("措施" in r.section for r in unassigned)


def test_mid_term_review_in_the_plan_mechanism(extracted):
    reviews = [(r.review, r.due) for r in extracted["004"].records if r.kind == "review"]
    assert reviews == [("annual_monitoring", None), ("mid_term_review", D(2023, 6, 30))]


def test_traditional_seed_is_simplified_without_pinyin(extracted):
    text = extracted["001"].text
    assert "潍城区" in text and "(qū)" not in text and "區" not in text
    assert extracted["001"].warnings  # its mojibake is flagged


def test_advertising_is_gone_from_the_speech(extracted):
    assert "订阅" not in extracted["002"].text
    assert extracted["002"].title.endswith("讲话")


@pytest.mark.parametrize("prefix", ["000", "001"])
def test_annotated_seeds_score_with_the_shared_scorer(extracted, seeds_dir, prefix):
    eval_dir = seeds_dir.parent / "eval"
    sys.path.insert(0, str(eval_dir))
    try:
        from norm import norm
        from score import score_doc
    finally:
        sys.path.remove(str(eval_dir))
    path = seed(seeds_dir, prefix)
    gold = json.loads((eval_dir / "gold" / f"{path.stem}.json").read_text(encoding="utf-8"))
    records = [record.as_contract() for record in extracted[prefix].records]
    result = score_doc(gold, norm(path.read_text(encoding="utf-8")), records, False)
    precision = result["tp"] / result["scoped"]
    recall = result["hit"] / result["pairs"]
    dated = result["due_n"] + result["rec_n"] + result["st_n"]
    accuracy = (result["due_ok"] + result["rec_ok"] + result["st_ok"]) / dated
    assert precision >= 0.95 and recall >= 0.95 and accuracy >= 0.95, result
