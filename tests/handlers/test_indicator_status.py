"""Judging indicator values against the path from base to target (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.indicator_status import IndicatorFacts, judge, path_method, path_value

MONITORED = date(2024, 3, 1)  # after 2024-01-31, the monitoring date for 2023


def urbanisation(attribute: str = "预期性") -> IndicatorFacts:
    return IndicatorFacts(
        name="常住人口城镇化率",
        unit="%",
        base_year=2020,
        base_number=89.72,
        target_year=2025,
        target_number=91.0,
        comparison=None,
        attribute=attribute,
    )


def test_urbanisation_in_2023_is_behind_at_89_9_and_on_track_at_90_8() -> None:
    assert path_value(urbanisation(), 2023) == pytest.approx(90.488)
    behind = judge(urbanisation(), {2023: 89.9}, today=MONITORED)
    assert behind.status == "red" and behind.shortfall == pytest.approx(0.588) and behind.warns
    on_track = judge(urbanisation(), {2023: 90.8}, today=MONITORED)
    assert on_track.status == "on_track" and not on_track.warns


def test_expected_indicators_within_the_tolerance_are_yellow_and_binding_ones_red() -> None:
    # 90.45 is 0.038 behind a planned change of 0.768 to 2023: 5 %
    assert judge(urbanisation(), {2023: 90.45}, today=MONITORED, tolerance=0.1).status == "yellow"
    assert judge(urbanisation(), {2023: 90.45}, today=MONITORED, tolerance=0.01).status == "red"
    assert judge(urbanisation("约束性"), {2023: 90.45}, today=MONITORED).status == "red"


def test_growth_rates_are_judged_against_the_rate_and_reductions_compound() -> None:
    growth = IndicatorFacts("地区生产总值增速", "%", 2020, 3.6, 2025, 5.5, ">=", "预期性")
    assert path_method(growth) == "rate" and path_value(growth, 2022) == 5.5
    assert judge(growth, {2022: 5.2}, today=date(2023, 1, 5)).status == "yellow"
    assert judge(growth, {2022: 4.0}, today=date(2023, 1, 5)).status == "red"
    energy = IndicatorFacts("单位地区生产总值能源消耗降低", "%", 2020, None, 2025, 14.0, None, "约束性")
    assert path_method(energy) == "compound"
    # after three of five years: 1 - 0.86^0.6 = 8.65 %, more than the straight 8.4 %
    assert path_value(energy, 2023) == pytest.approx(100 * (1 - 0.86**0.6))
    assert judge(energy, {2023: 8.5}, today=MONITORED).status == "red"
    assert judge(energy, {2023: 8.7}, today=MONITORED).status == "on_track"


def test_lower_is_better_when_the_target_says_at_most() -> None:
    unemployment = IndicatorFacts("城镇调查失业率", "%", 2020, 5.2, 2025, 5.5, "<=", "预期性")
    assert judge(unemployment, {2023: 5.0}, today=MONITORED).status == "on_track"
    assert judge(unemployment, {2023: 6.5}, today=MONITORED).status == "red"


def test_no_value_after_the_monitoring_date_is_unreported() -> None:
    assert judge(urbanisation(), {2022: 90.3}, today=date(2024, 1, 31)).status == "on_track"
    missing = judge(urbanisation(), {2022: 90.3}, today=date(2024, 2, 1))
    assert missing.status == "unreported" and missing.year == 2023 and missing.warns
    assert judge(urbanisation(), {}, today=date(2021, 6, 1)).status == "no_value"
    vague = IndicatorFacts("耕地保有量", "万亩", 2020, None, 2025, None, None, "约束性")
    assert judge(vague, {2023: None}, today=MONITORED).status == "unjudged"


def test_a_ceiling_caps_every_year_instead_of_drawing_a_path_up_to_it() -> None:
    # the 泰山区 table writes 城镇登记失业率 1.8 -> 3.5 without a sign: 3.5 is a ceiling, not a goal
    unemployment = IndicatorFacts("城镇登记失业率", "%", 2020, 1.8, 2025, 3.5, None, "预期性")
    assert path_value(unemployment, 2022) == 3.5
    assert judge(unemployment, {2022: 3.0}, today=date(2023, 1, 5)).status == "on_track"
    assert judge(unemployment, {2022: 4.5}, today=date(2023, 1, 5)).status == "red"
    accidents = IndicatorFacts("亿元GDP生产安全事故死亡率", "%", 2020, None, 2025, 0.01, "<=", "预期性")
    assert judge(accidents, {2022: 0.008}, today=date(2023, 1, 5)).status == "on_track"


def test_an_annual_plans_target_is_asked_for_and_judged_in_its_own_year_only() -> None:
    firms = IndicatorFacts("新培育高新技术企业", "家", None, None, 2025, 16.0, None, None)
    assert judge(firms, {}, today=date(2025, 3, 1)).status == "no_value"  # 2024 is none of its business
    assert judge(firms, {}, today=date(2026, 2, 2)).status == "unreported"
    assert judge(firms, {2025: 17.0}, today=date(2026, 2, 2)).status == "on_track"
    assert judge(firms, {2025: 12.0}, today=date(2026, 2, 2)).status == "red"
