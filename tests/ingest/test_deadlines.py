"""Deadline conventions of DESIGN.md, one expression at a time."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.deadlines import TimeContext, recurrence_of, timings_in

PLAN = TimeContext(year=2021, period=(2021, 2025))
ANNUAL = TimeContext(year=2024, period=(2021, 2025), annual_plan=True)


def only(text: str, context: TimeContext = PLAN):
    timings = timings_in(text, context)
    assert len(timings) == 1, timings
    return timings[0]


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("到2025年，服务业增加值比重达到55%", date(2025, 12, 31)),
        ("2025年底前全面完成改造", date(2025, 12, 31)),
        ("2022年6月底前完成清单编制", date(2022, 6, 30)),
        ("2023年上半年完成验收", date(2023, 6, 30)),
        ("2024年第一季度启动", date(2024, 3, 31)),
        ("于2022年9月15日前报送", date(2022, 9, 15)),
        ("力争2023年建成投用", date(2023, 12, 31)),
        ("2022年2月底前", date(2022, 2, 28)),
        ("新建中小学3所，2023年9月投入使用", date(2023, 9, 30)),
        ("2024年6月建成通车", date(2024, 6, 30)),
        ("（责任单位：区教体局；完成时限：2022年9月）", date(2022, 9, 30)),
        ("时间节点: 2023年11月", date(2023, 11, 30)),
    ],
)
def test_explicit_dates_follow_the_conventions(text, due):
    assert only(text).due == due


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("年内完成主体工程", date(2024, 12, 31)),
        ("全年新增就业7000人", date(2024, 12, 31)),
        ("今年完成改造", date(2024, 12, 31)),
        ("上半年完成招标", date(2024, 6, 30)),
        ("第三季度建成通车", date(2024, 9, 30)),
        ("6月底前完成", date(2024, 6, 30)),
        ("年底前全部完成", date(2024, 12, 31)),
        ("推进老旧小区改造", date(2024, 12, 31)),  # an annual plan's task without a date
        ("新建中小学3所，秋季开学前投入使用", date(2024, 8, 31)),
        ("主汛期前完成水库除险加固", date(2024, 5, 31)),
        ("国庆节前完成广场提升", date(2024, 9, 30)),
        ("今年中考改革平稳落地", date(2024, 12, 31)),  # 今年 + 中考, not 年中
    ],
)
def test_relative_dates_use_the_documents_year(text, due):
    assert only(text, ANNUAL).due == due


def test_mid_year_and_years_end_are_two_deadlines():
    assert [t.due for t in timings_in("于年中和年底开展专项督查", ANNUAL)] == [
        date(2024, 6, 30),
        date(2024, 12, 31),
    ]


def test_recurrence_and_start():
    timing = only("自 2022 年起，按年度梳理指标完成情况")
    assert (timing.recurrence, timing.starts, timing.due) == ("yearly", date(2022, 1, 1), None)
    assert only("每季度调度一次进展").recurrence == "quarterly"
    assert only("每月通报").recurrence == "monthly"
    assert only("纳入国民经济和社会发展年度计划").recurrence == "yearly"


def test_start_relative_to_the_documents_year():
    assert only("从今年开始按年度报送", ANNUAL).starts == date(2024, 1, 1)
    assert only("自明年起每年开展评估", ANNUAL).starts == date(2025, 1, 1)


def test_early_each_year_is_due_on_the_annual_report_date():
    timing = only("每年年初报送上年度实施情况")
    assert timing.recurrence == "yearly"
    assert timing.due == date(2022, 1, 31)


def test_mid_term_and_final_reviews_are_two_deadlines():
    timings = timings_in("规划实施中期和期末，组织开展总结评估", PLAN)
    assert [(t.review, t.due) for t in timings] == [
        ("mid_term_review", date(2023, 6, 30)),
        ("final_review", date(2025, 12, 31)),
    ]


def test_monitoring_mid_term_and_final_in_one_sentence():
    timings = timings_in("实施年度监测分析、中期评估和总结评估", PLAN)
    assert [t.review for t in timings] == ["annual_monitoring", "mid_term_review", "final_review"]
    assert timings[0].recurrence == "yearly"


def test_review_dates_follow_configured_conventions():
    context = TimeContext(year=2021, period=(2021, 2025), mid_term_review=(9, 30), final_review=(10, 31))
    assert [t.due for t in timings_in("开展中期评估和总结评估", context)] == [
        date(2023, 9, 30),
        date(2025, 10, 31),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "基于中期评估结果，确需调整时",  # the result of a review is not a review to do
        "加强中期财政规划管理",  # 中期 alone is not the mid-term review
        "于2021年6月15日以区政府文件印发",  # an event's date, not a deadline
        "2023年，全区地区生产总值增长4.5%",  # the past
        "今年是规划实施的关键一年",
    ],
)
def test_no_deadline_where_none_is_set(text):
    timing = only(text, TimeContext(year=2024, period=(2021, 2025)))
    assert timing.due is None and timing.review is None


def test_several_deadlines_in_one_sentence():
    timings = timings_in("2022年底前完成50%，2024年底前全部完成", PLAN)
    assert [t.due for t in timings] == [date(2022, 12, 31), date(2024, 12, 31)]


def test_without_a_period_reviews_have_no_date():
    timings = timings_in("开展中期评估", TimeContext(year=None, period=None))
    assert timings[0].review == "mid_term_review" and timings[0].due is None


def test_yearly_dates_without_a_year():
    timing = only("每年1月15日前报送上年度实施总结", PLAN)
    assert (timing.due, timing.recurrence) == (date(2022, 1, 15), "yearly")
    timing = only("每年第一季度组织开展评估", TimeContext(year=None, period=(2021, 2025)))
    assert (timing.due, timing.recurrence) == (date(2021, 3, 31), "yearly")


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("明年6月底前完成", date(2025, 6, 30)),
        ("今年6月底前印发实施", date(2024, 6, 30)),
        ("今年9月1日前建成投用", date(2024, 9, 1)),
        ("明年上半年完成", date(2025, 6, 30)),
        ("今年第三季度完成", date(2024, 9, 30)),
    ],
)
def test_this_and_next_year_with_a_part_of_the_year(text, due):
    assert only(text, TimeContext(year=2024, period=(2021, 2025))).due == due


@pytest.mark.parametrize(
    ("text", "rhythm"),
    [
        ("应当每季度对年度计划执行情况进行分析", "quarterly"),  # the stated rhythm beats the yearly plan it works on
        ("每季度首月10日前通报项目进展", "quarterly"),
        ("每年一季度报送上年度评估报告", "yearly"),  # a yearly duty due in a quarter
        ("每月5日前报送上月进展，每年底形成总结", "monthly"),  # the first rhythm read
        ("负责制定年度推进计划并组织实施", "yearly"),
        ("加强统筹协调", None),
    ],
)
def test_the_rhythm_of_a_duty(text, rhythm):
    assert recurrence_of(text) == rhythm


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("完成时限：2025年6月30日", date(2025, 6, 30)),
        ("完成时限：2025-06-30", date(2025, 6, 30)),
        ("2025年6月30日完成主体工程", date(2025, 6, 30)),
        ("须于2026年06月30日前完成论证", date(2026, 6, 30)),  # a zero-padded month
    ],
)
def test_a_full_date_that_is_plainly_a_deadline(text, due):
    assert timings_in(text, TimeContext(year=2025, period=None))[0].due == due


def test_an_events_full_date_is_no_deadline():
    assert timings_in("于2025年6月30日召开推进会议", TimeContext(year=2025, period=None))[0].due is None


def test_a_review_of_a_named_plan_is_dated_by_that_plan():
    from ingest.deadlines import reviews_in

    drafting_the_next = TimeContext(year=2024, period=(2026, 2030))
    assert [t.due for t in reviews_in("完成“十四五”规划实施总结评估", drafting_the_next)] == [date(2025, 12, 31)]


@pytest.mark.parametrize(
    ("text", "due", "starts"),
    [
        ("2021—2025年，每年建设高标准农田3.6万亩", date(2025, 12, 31), date(2021, 1, 1)),
        ("完成时限：2025年1—3月", date(2025, 3, 31), None),
        ("在10月份提请人大常委会审议", date(2024, 10, 31), None),
        ("自10月起每月5日前报送项目进展", None, date(2024, 10, 1)),
    ],
)
def test_ranges_months_in_and_starts_from_a_month(text, due, starts):
    timing = timings_in(text, TimeContext(year=2024, period=None))[0]
    assert (timing.due if due else None, timing.starts) == (due, starts)


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("二〇二五年四月底前完成", date(2025, 4, 30)),
        ("二○二五年十二月三十一日前报送", date(2025, 12, 31)),
        ("于二〇二一年年底前完成", date(2021, 12, 31)),
    ],
)
def test_dates_in_chinese_numerals(text, due):
    assert timings_in(text, TimeContext(year=2021, period=None))[0].due == due


@pytest.mark.parametrize(
    ("text", "due", "rhythm"),
    [
        ("于每季度末月25日前将进展书面报送", date(2025, 3, 25), "quarterly"),
        ("每季度首月10日前通报项目进展", date(2025, 1, 10), "quarterly"),
        ("每月5日前报送上月进展", date(2025, 1, 5), "monthly"),
        ("自10月起每月5日前报送", date(2025, 10, 5), "monthly"),
    ],
)
def test_a_quarterly_or_monthly_duty_falls_due_on_its_day_of_the_first_period(text, due, rhythm):
    timing = timings_in(text, TimeContext(year=2025, period=None))[0]
    assert (timing.due, timing.recurrence) == (due, rhythm)
