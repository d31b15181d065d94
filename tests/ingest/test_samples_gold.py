"""The shipped sample documents against their hand annotations (tests/ingest/sample_gold/).

Scoring uses the project's own scorer (tests/scoring.py): a record matches a gold (item, unit) pair when its
department is one of the unit's spellings and its evidence contains the item's key, both after the same
normalization. The first tests check the scorer wiring and the gold files with predictions written by hand, so that
a failure of the last test means the extractor, not the yardstick.
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from ingest.load import load_source
from ingest.pipeline import extract_document
from tests.scoring import Score, score_document
from tests.scoring import comparable as norm

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT / "samples"
GOLD_DIR = Path(__file__).resolve().parent / "sample_gold"
GOLD_FILES = sorted(GOLD_DIR.glob("*.json"))
MIN_F1 = 0.85
MIN_DEADLINE_ACCURACY = 0.85


@dataclass(frozen=True)
class SampleScore:
    precision: float
    recall: float
    f1: float
    deadline_accuracy: float
    detail: Score
    report: str  # the scorer's misses and extras, for the assertion message


def score_sample(gold: dict, reference_text: str, records: list[dict]) -> SampleScore:
    score = score_document(gold, reference_text, records)
    listing = "\n".join([*(f"   miss: {miss}" for miss in score.misses), *(f"   extra: {e}" for e in score.extras)])
    report = f"{gold['doc']}: {score.summary()} records={score.records}\n{listing}"
    return SampleScore(score.precision, score.recall, score.f1, score.deadline_accuracy, score, report)


def read_gold(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def reference_text(path: Path) -> str:
    """The sample's text read independently of ingest.load: paragraphs, then table rows with tabs."""
    if path.suffix == ".docx":
        document = docx.Document(str(path))
        lines = [paragraph.text for paragraph in document.paragraphs]
        for table in document.tables:
            lines.extend("\t".join(cell.text for cell in row.cells) for row in table.rows)
        return "\n".join(lines)
    raw = path.read_bytes()
    # the GBK sample is declared in its name; every other text sample is UTF-8
    return raw.decode("gbk" if ".gbk." in path.name else "utf-8")


def sentences(text: str) -> list[str]:
    """Normalized sentences, ended by 。！？ or a line end, as the record contract defines evidence."""
    found = []
    for line in text.splitlines():
        found.extend(norm(part) for part in re.split(r"(?<=[。！？])", line) if norm(part))
    return found


def perfect_records(gold: dict, text: str) -> list[dict]:
    """One record per gold (item, unit), citing the sentence that holds the key (the key alone if it spans lines)."""
    normalized = sentences(text)
    records = []
    for item in gold["items"]:
        key = norm(item["key"])
        evidence = next((sentence for sentence in normalized if key in sentence), key)
        for unit in item["units"] or [[None]]:
            records.append(
                {
                    "department": unit[0],
                    "evidence": evidence,
                    "due": f"{item['due_year']}-12-31" if item["due_year"] else None,
                    "recurrence": item["recurrence"],
                    "starts": f"{item['starts_year']}-01-01" if item["starts_year"] else None,
                }
            )
    return records


# Written by hand from district_plan_implementation.txt: what a perfect extractor prints for its 规划实施保障
# chapter (required pairs only, canonical spellings, whole sentences as evidence).
# department | due | recurrence | starts | evidence
DISTRICT_PLAN_PERFECT = """
区政府 | - | - | - | 区政府统筹推进本规划实施，对规划确定的约束性指标、重大工程项目和重大改革事项实行清单化管理。
区发展改革局 | - | - | - | 区发展改革局负责规划实施的综合协调，会同区直有关部门将规划目标任务逐项分解，明确每项任务的牵头单位和责任单位。
区直有关部门 | - | - | - | 区发展改革局负责规划实施的综合协调，会同区直有关部门将规划目标任务逐项分解，明确每项任务的牵头单位和责任单位。
各镇（街道） | 2021-12-31 | - | - | 各镇（街道）、各功能区和区直有关部门要对照规划分工，于2021年底前制定本地区、本领域的实施方案，报区发展改革局备案。
各功能区 | 2021-12-31 | - | - | 各镇（街道）、各功能区和区直有关部门要对照规划分工，于2021年底前制定本地区、本领域的实施方案，报区发展改革局备案。
区直有关部门 | 2021-12-31 | - | - | 各镇（街道）、各功能区和区直有关部门要对照规划分工，于2021年底前制定本地区、本领域的实施方案，报区发展改革局备案。
区发展改革局 | - | yearly | - | 规划确定的主要目标和重点任务，要纳入全区国民经济和社会发展年度计划，由区发展改革局按年度组织落实。
区直有关部门 | - | - | - | 对约束性指标，区直有关部门要分解到年度、落实到镇（街道），确保如期完成；对预期性指标，要加强跟踪分析和政策引导。
区财政局 | - | - | - | 区财政局要统筹中期财政规划和年度预算安排，优先保障规划确定的重大任务和重大工程资金需求。
区自然资源局 | - | - | - | 区自然资源局要发挥国土空间规划的空间支撑作用，对列入规划的重大项目优先安排用地指标。
区人力资源和社会保障局 | - | - | - | 区人力资源和社会保障局要围绕规划确定的重点产业链，完善人才引进、培养和激励政策。
区金融服务中心 | - | - | - | 区金融服务中心牵头，引导驻区金融机构加大对规划重点领域和薄弱环节的信贷投放。
区发展改革局 | - | yearly | - | 区发改局建立“十四五”重大项目储备库，实行动态管理，每年更新一次入库项目。
区行政审批服务局 | - | - | - | 区行政审批服务局对列入规划的重大项目开辟审批绿色通道，推行并联审批和容缺受理。
各镇（街道） | - | - | - | 各镇（街道）、各功能区负责做好项目征地拆迁、水电气暖配套等要素保障工作。
各功能区 | - | - | - | 各镇（街道）、各功能区负责做好项目征地拆迁、水电气暖配套等要素保障工作。
区发展改革局 | - | yearly | 2022-01-01 | 自2022年起，区发展改革局会同区统计局按年度对规划实施情况开展监测分析，形成年度监测报告。
区统计局 | - | yearly | 2022-01-01 | 自2022年起，区发展改革局会同区统计局按年度对规划实施情况开展监测分析，形成年度监测报告。
区发展改革局 | 2023-12-31 | - | - | 2023年，区发展改革局组织开展规划实施中期评估，全面检查规划目标完成情况和重点任务进展。
区政府 | 2025-12-31 | - | - | 规划实施期末，区政府组织开展规划实施总结评估，评估结果向区人大常委会报告。
区政府 | - | - | - | 经评估确需调整规划的，由区政府研究提出规划调整方案，报区人民代表大会常务委员会批准。
区委组织部 | - | - | - | 区委组织部会同区发展改革局将规划主要指标完成情况纳入全区综合考核体系，考核结果作为干部评价的重要依据。
区发展改革局 | - | - | - | 区委组织部会同区发展改革局将规划主要指标完成情况纳入全区综合考核体系，考核结果作为干部评价的重要依据。
区审计局 | - | - | - | 区审计局要加强对规划重大政策措施落实情况的审计监督。
各责任单位 | - | - | - | 各责任单位要及时向社会公开规划实施进展情况，主动接受区人大、区政协和社会各界监督。
区融媒体中心 | - | - | - | 区融媒体中心要加强规划宣传解读，营造全社会共同推进规划实施的良好氛围。
"""


def as_records(table: str) -> list[dict]:
    """Records in the contract's shape from the rows of a table like DISTRICT_PLAN_PERFECT ("-" = null)."""
    records = []
    for row in table.strip().splitlines():
        department, due, recurrence, starts, evidence = (cell.strip() for cell in row.split("|"))
        values = {"department": department, "due": due, "recurrence": recurrence, "starts": starts}
        records.append({name: None if value == "-" else value for name, value in values.items()})
        records[-1]["evidence"] = evidence
    return records


def test_committed_docx_is_what_make_samples_builds(tmp_path):
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    make_samples = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_samples)
    rebuilt = make_samples.build(tmp_path / "mechanism_opinion.docx")
    assert rebuilt.read_bytes() == (SAMPLES / "mechanism_opinion.docx").read_bytes(), (
        "samples/mechanism_opinion.docx is stale: run python samples/make_samples.py and commit the result"
    )


def test_every_sample_has_gold_and_every_gold_a_sample():
    documents = {path.name for path in SAMPLES.iterdir() if path.suffix in (".txt", ".docx")}
    annotated = {read_gold(path)["doc"] for path in GOLD_FILES}
    assert annotated == documents


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=lambda path: path.stem)
def test_gold_keys_are_unique_and_inside_the_scope(gold_path):
    gold = read_gold(gold_path)
    text = norm(reference_text(SAMPLES / gold["doc"]))
    regions = []
    for scope in gold["scope"]:
        start = text.find(norm(scope["from"]))
        end = text.find(norm(scope["to"]), start) if scope["to"] else len(text)
        assert start >= 0 and end > start, scope
        regions.append(text[start:end])
    assert len({item["id"] for item in gold["items"]}) == len(gold["items"])
    for item in gold["items"]:
        key = norm(item["key"])
        assert text.count(key) == 1, f"{item['id']} key {key} must occur exactly once"
        assert any(key in region for region in regions), f"{item['id']} key {key} lies outside the scope"
        assert all(unit and all(unit) for unit in item["units"]), item["id"]
        assert item["recurrence"] in (None, "yearly", "quarterly", "monthly")
        assert item["due_year"] is None or 2021 <= item["due_year"] <= 2025


def district_plan_case() -> tuple[dict, str, list[dict]]:
    gold = read_gold(GOLD_DIR / "district_plan_implementation.json")
    return gold, reference_text(SAMPLES / gold["doc"]), as_records(DISTRICT_PLAN_PERFECT)


def test_hand_written_perfect_predictions_score_full_marks():
    gold, text, records = district_plan_case()
    score = score_sample(gold, text, records)
    assert (score.recall, score.precision, score.deadline_accuracy) == (1.0, 1.0, 1.0), score.report
    assert score.detail.pairs == len(records)


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=lambda path: path.stem)
def test_predictions_built_from_gold_score_full_marks(gold_path):
    gold = read_gold(gold_path)
    text = reference_text(SAMPLES / gold["doc"])
    score = score_sample(gold, text, perfect_records(gold, text))
    assert (score.f1, score.deadline_accuracy) == (1.0, 1.0), score.report


def test_wrong_unit_is_a_miss_and_an_extra():
    gold, text, records = district_plan_case()
    records[0]["department"] = "区财政局"  # 区政府统筹推进… given to the wrong bureau
    score = score_sample(gold, text, records)
    pairs = len(records)
    assert score.recall == pytest.approx((pairs - 1) / pairs)
    assert score.precision == pytest.approx((pairs - 1) / pairs)
    assert "miss: P4" in score.report and "extra: 区财政局" in score.report


def test_wrong_year_lowers_deadline_accuracy_only():
    gold, text, records = district_plan_case()
    mid_term = next(record for record in records if "中期评估" in record["evidence"])
    mid_term["due"] = "2024-12-31"  # 中期评估 of 2021-2025 falls in 2023
    score = score_sample(gold, text, records)
    assert score.f1 == 1.0
    dated = score.detail.dated
    assert score.deadline_accuracy == pytest.approx((dated - 1) / dated)


def test_records_outside_the_scope_do_not_count():
    gold, text, records = district_plan_case()
    # a sentence of chapter 12, before the annotated 规划实施保障 chapter
    records.append(
        {
            "department": "区住房和城乡建设局",
            "evidence": "实施城市更新行动，稳妥推进老旧小区、老旧街区和城中村改造，补齐停车、养老、托育、便民商业等设施短板。",
        }
    )
    score = score_sample(gold, text, records)
    assert (score.precision, score.recall, score.detail.scoped) == (1.0, 1.0, len(records) - 1)


def test_traditional_evidence_with_pinyin_matches_simplified_keys():
    gold = read_gold(GOLD_DIR / "speech_traditional.json")
    text = reference_text(SAMPLES / gold["doc"])
    # evidence exactly as the source reads, before normalization: 區(qū), 發(fā), 規(guī) and Traditional forms
    raw = next(line for line in text.splitlines() if "全面審核" in line)
    sentence = next(part for part in re.split(r"(?<=。)", raw) if "全面審核" in part)
    assert "發(fā)" in sentence
    record = {
        "department": "區發展改革局",
        "evidence": sentence,
        "due": "2022-05-31",
        "recurrence": None,
        "starts": None,
    }
    score = score_sample(gold, text, [record])
    assert score.detail.hits == 1 and score.detail.true_records == 1, score.report


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=lambda path: path.stem)
def test_pipeline_meets_the_bar_on_sample(gold_path):
    """The real loader and pipeline on each shipped sample: F1 and deadline accuracy at least 0.85."""
    gold = read_gold(gold_path)
    loaded = load_source(str(SAMPLES / gold["doc"]))
    extracted = extract_document(loaded)
    records = [record.as_contract() for record in extracted.records]
    score = score_sample(gold, loaded.text, records)
    assert score.f1 >= MIN_F1 and score.deadline_accuracy >= MIN_DEADLINE_ACCURACY, score.report
