from __future__ import annotations

from datetime import date

import pytest

from handlers.periods import find_period, parse_period

TODAY = date(2025, 11, 20)


@pytest.mark.parametrize(
    ("word", "start", "end"),
    [
        ("30天", TODAY, date(2025, 12, 20)),
        ("7天内", TODAY, date(2025, 11, 27)),
        ("本月", date(2025, 11, 1), date(2025, 11, 30)),
        ("下个月", date(2025, 12, 1), date(2025, 12, 31)),
        ("本季度", date(2025, 10, 1), date(2025, 12, 31)),
        ("下季度", date(2026, 1, 1), date(2026, 3, 31)),
        ("今年", date(2025, 1, 1), date(2025, 12, 31)),
        ("明年", date(2026, 1, 1), date(2026, 12, 31)),
        ("2024年", date(2024, 1, 1), date(2024, 12, 31)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026年2月", date(2026, 2, 1), date(2026, 2, 28)),
        ("6月", date(2025, 6, 1), date(2025, 6, 30)),
        ("下半年", date(2025, 7, 1), date(2025, 12, 31)),
        ("上半年", date(2025, 1, 1), date(2025, 6, 30)),
        ("2026年上半年", date(2026, 1, 1), date(2026, 6, 30)),
        ("2025年下半年", date(2025, 7, 1), date(2025, 12, 31)),
        # English, as `/plan due …` passes it: the words joined without their spaces
        ("30", TODAY, date(2025, 12, 20)),
        ("30days", TODAY, date(2025, 12, 20)),
        ("next30days", TODAY, date(2025, 12, 20)),
        ("thismonth", date(2025, 11, 1), date(2025, 11, 30)),
        ("nextmonth", date(2025, 12, 1), date(2025, 12, 31)),
        ("thisquarter", date(2025, 10, 1), date(2025, 12, 31)),
        ("nextyear", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_period_words(word, start, end):
    period = parse_period(word, TODAY)
    assert period is not None and (period.start, period.end) == (start, end)


def test_unknown_words_are_none():
    assert parse_period("下辈子", TODAY) is None
    assert parse_period("13月", TODAY) is None
    assert parse_period("this", TODAY) is None


def test_a_half_year_of_another_year_names_the_year():
    assert parse_period("2026年下半年", TODAY).label == "2026年下半年（2026-07-01 至 2026-12-31）"  # type: ignore[union-attr]
    assert parse_period("下半年", TODAY).label == "下半年（2025-07-01 至 2025-12-31）"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("sentence", "start", "end"),
    [
        ("下个月到期的任务", date(2025, 12, 1), date(2025, 12, 31)),
        ("区发改局今年有哪些任务？", date(2025, 1, 1), date(2025, 12, 31)),
        ("未来十五天要完成什么", TODAY, date(2025, 12, 5)),
        ("2026年有哪些任务", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026年3月底前的任务", date(2026, 3, 1), date(2026, 3, 31)),
        ("下半年有哪些任务", date(2025, 7, 1), date(2025, 12, 31)),
        ("2026年下半年到期的任务", date(2026, 7, 1), date(2026, 12, 31)),  # not the whole of 2026
        ("what tasks are due next month?", date(2025, 12, 1), date(2025, 12, 31)),
        ("Which tasks are due this month", date(2025, 11, 1), date(2025, 11, 30)),
        ("tasks due within 10 days", TODAY, date(2025, 11, 30)),
    ],
)
def test_periods_inside_questions(sentence, start, end):
    period = find_period(sentence, TODAY)
    assert period is not None and (period.start, period.end) == (start, end)


def test_december_rolls_into_next_year():
    period = parse_period("下个月", date(2025, 12, 5))
    assert period is not None and period.start == date(2026, 1, 1)
