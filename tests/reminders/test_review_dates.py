"""The document's own review dates beat the conventions, also when a companion document writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import select

from ingest.load import load_source
from ingest.pipeline import extract_document
from storage.ingest import ingest_document
from storage.models import ReviewEvent

NOW = datetime(2022, 3, 1, tzinfo=UTC)

# invented text: a mechanism opinion that dates its own reviews
OPINION = """青松区关于健全“十四五”规划纲要实施机制的意见
一、健全监测评估制度
（一）年度监测。区统计局每年1月15日前报送上年度规划实施情况。
（二）中期评估。区发展改革局于2023年12月底前形成规划实施中期评估报告。
"""
PLAN = """青松区国民经济和社会发展第十四个五年规划纲要
第一章 发展目标
第一节 主要任务
区发展改革局牵头，2025年底前建成区级项目库。
第二节 实施保障
开展规划实施中期评估和总结评估。
"""
ANNUAL = """青松区2022年国民经济和社会发展计划
一、重点工作
区发展改革局年内完成项目库建设。
"""


def _ingest(sessions, tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with sessions() as session:
        ingest_document(session=session, document=extract_document(load_source(str(path))), now=NOW)


def _events(sessions) -> dict[tuple[str, int], date]:
    with sessions() as session:
        return {(event.kind, event.year): event.due_on for event in session.exec(select(ReviewEvent)).all()}


def test_an_opinion_that_dates_its_reviews_is_believed(sessions, tmp_path):
    _ingest(sessions, tmp_path, "意见.txt", OPINION)
    events = _events(sessions)
    assert events[("mid_term_review", 2023)] == date(2023, 12, 31)  # not also 06-30
    assert events[("annual_monitoring", 2021)] == date(2022, 1, 15)
    assert events[("annual_monitoring", 2024)] == date(2025, 1, 15)
    assert events[("final_review", 2025)] == date(2025, 12, 31)  # unwritten: the convention
    assert len(events) == 7


def test_a_companion_opinion_moves_the_calendar_of_the_plan_and_a_later_version_keeps_it(sessions, tmp_path):
    _ingest(sessions, tmp_path, "纲要.txt", PLAN)
    assert _events(sessions)[("mid_term_review", 2023)] == date(2023, 6, 30)
    _ingest(sessions, tmp_path, "意见.txt", OPINION)
    events = _events(sessions)
    assert len(events) == 7  # one calendar for the period, not two
    assert events[("mid_term_review", 2023)] == date(2023, 12, 31)
    assert events[("annual_monitoring", 2022)] == date(2023, 1, 15)
    # a revised plan that writes no date does not put the defaults back
    _ingest(sessions, tmp_path, "纲要（修订）.txt", PLAN + "第三节 其他\n区财政局2024年底前完成绩效评价。\n")
    assert _events(sessions)[("mid_term_review", 2023)] == date(2023, 12, 31)


def test_an_annual_plan_has_no_reviews(sessions, tmp_path):
    _ingest(sessions, tmp_path, "计划.txt", ANNUAL)
    assert _events(sessions) == {}
