"""Storing a plan's indicators on ingest and recording their yearly values, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from storage.indicators import (
    IndicatorError,
    indicator_rows,
    parse_number,
    record_indicator_value,
    value_history,
)
from storage.ingest import ingest_document
from storage.models import Indicator, IndicatorValue
from tests.storage.documents import aliases
from tests.storage.indicator_documents import main_indicators, plan_with_indicators

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _by_name(session: Session) -> dict[str, Indicator]:
    return {row.name: row for row in session.exec(select(Indicator)).all()}


def test_ingest_stores_indicators_as_written_with_their_units(session: Session) -> None:
    report = ingest_document(session=session, document=plan_with_indicators(), aliases=aliases(), now=NOW)
    assert sorted(report.indicators_added) == sorted(i.name for i in main_indicators())
    rows = {row.indicator.name: row for row in indicator_rows(session=session, plan_id=report.plan_id)}
    urban = rows["常住人口城镇化率"]
    assert (urban.indicator.base_year, urban.indicator.base_value) == (2020, "89.72")
    assert (urban.indicator.target_year, urban.indicator.target_value, urban.indicator.target_number) == (
        2025,
        "91",
        91.0,
    )
    # the alias table files 区发改局 under its canonical name; the lead comes first
    assert urban.departments == ["区住房城乡建设局", "区发展改革局"]
    energy = rows["单位地区生产总值能源消耗降低"].indicator
    assert (
        energy.target_value == "完成市下达任务"
        and energy.target_number is None
        and energy.attribute == "约束性"
    )
    assert rows["地区生产总值增速"].indicator.comparison == ">="


def test_reingest_updates_indicators_and_keeps_their_values(session: Session) -> None:
    first = ingest_document(session=session, document=plan_with_indicators(), aliases=aliases(), now=NOW)
    urban = _by_name(session)["常住人口城镇化率"]
    record_indicator_value(
        session=session,
        indicator_id=urban.id,
        year=2023,
        value="89.9",
        author="cli:test",
        now=NOW,
        note="统计公报",
    )
    revised = main_indicators()
    revised[1] = replace(revised[1], target_value="91.5", target_number=91.5)
    del revised[3]  # 森林覆盖率 dropped by the revision
    later = NOW + timedelta(days=30)
    report = ingest_document(
        session=session, document=plan_with_indicators(revised, version="v2"), aliases=aliases(), now=later
    )
    assert report.plan_id == first.plan_id and report.status == "revised"
    assert report.indicators_changed == ["常住人口城镇化率"]
    assert report.indicators_archived == ["森林覆盖率"]
    session.expire_all()
    kept = session.get(Indicator, urban.id)
    assert kept is not None and kept.target_value == "91.5"
    assert [v.value for v in value_history(session=session, indicator_id=urban.id)] == ["89.9"]
    names = [row.indicator.name for row in indicator_rows(session=session, plan_id=first.plan_id)]
    assert "森林覆盖率" not in names and len(names) == 3


def test_a_later_report_of_the_same_year_adds_a_row_and_counts(session: Session) -> None:
    ingest_document(session=session, document=plan_with_indicators(), aliases=aliases(), now=NOW)
    urban = _by_name(session)["常住人口城镇化率"]
    record_indicator_value(
        session=session, indicator_id=urban.id, year=2023, value="89.9", author="U1", now=NOW
    )
    record_indicator_value(
        session=session,
        indicator_id=urban.id,
        year=2023,
        value="90.8%",
        author="U2",
        now=NOW + timedelta(hours=1),
        note="更正：按七普口径",
        via="slack",
    )
    assert len(session.exec(select(IndicatorValue)).all()) == 2
    (row,) = indicator_rows(session=session, indicator_ids=[urban.id])
    assert row.values[2023].value == "90.8%" and row.values[2023].number == 90.8
    assert row.values[2023].reported_by == "U2" and row.values[2023].reported_at.tzinfo is not None


def test_reports_outside_the_plan_or_for_unknown_indicators_are_refused(session: Session) -> None:
    ingest_document(session=session, document=plan_with_indicators(), aliases=aliases(), now=NOW)
    urban = _by_name(session)["常住人口城镇化率"]
    with pytest.raises(IndicatorError, match="2020–2025"):
        record_indicator_value(
            session=session, indicator_id=urban.id, year=2031, value="92", author="U1", now=NOW
        )
    with pytest.raises(IndicatorError, match="没有编号为 999"):
        record_indicator_value(session=session, indicator_id=999, year=2023, value="92", author="U1", now=NOW)


def test_department_filter_finds_indicators_of_co_units_too(session: Session) -> None:
    ingest_document(session=session, document=plan_with_indicators(), aliases=aliases(), now=NOW)
    rows = indicator_rows(session=session)
    development = next(row for row in rows if row.indicator.name == "常住人口城镇化率").department_ids[1]
    names = {row.indicator.name for row in indicator_rows(session=session, department_id=development)}
    assert names == {"常住人口城镇化率", "单位地区生产总值能源消耗降低"}


def test_numbers_are_read_from_values_as_written() -> None:
    assert parse_number(">5.5") == 5.5
    assert parse_number("80左右") == 80.0
    assert parse_number("−2.1") == -2.1
    assert parse_number("完成市下达任务") is None and parse_number("-") is None


def test_a_division_plan_naming_an_indicator_gives_the_plans_indicator_its_units(session: Session) -> None:
    unnamed = [replace(record, departments=()) for record in main_indicators()]
    plan = ingest_document(
        session=session, document=plan_with_indicators(unnamed), aliases=aliases(), now=NOW
    )
    division = replace(
        plan_with_indicators(
            [
                replace(main_indicators()[1], departments=("区住建局", "区统计局")),
                replace(main_indicators()[1], name="新增市场主体", departments=("区市场监管局",)),
            ],
            version="division",
        ),
        kind="division_plan",
        title="莱芜区“十四五”规划纲要主要目标任务分工方案",
    )
    report = ingest_document(session=session, document=division, aliases=aliases(), now=NOW)
    assert report.plan_id != plan.plan_id
    assert report.indicators_changed == ["常住人口城镇化率"] and report.indicators_added == ["新增市场主体"]
    rows = {row.indicator.name: row for row in indicator_rows(session=session)}
    urban = rows["常住人口城镇化率"]
    assert urban.indicator.plan_id == plan.plan_id and urban.departments == ["区住房城乡建设局", "区统计局"]
    assert rows["新增市场主体"].indicator.plan_id == report.plan_id
    assert len(rows) == 5


def test_an_overlong_unit_is_clipped_not_refused(session: Session) -> None:
    odd = replace(main_indicators()[0], unit="按可比价格计算，以上年为100" * 4)
    ingest_document(session=session, document=plan_with_indicators([odd]), aliases=aliases(), now=NOW)
    (row,) = indicator_rows(session=session)
    assert len(row.indicator.unit or "") == 40
