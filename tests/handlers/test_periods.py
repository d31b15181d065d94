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
    ],
)
def test_period_words(word, start, end):
    period = parse_period(word, TODAY)
    assert period is not None and (period.start, period.end) == (start, end)


def test_unknown_words_are_none():
    assert parse_period("下辈子", TODAY) is None
    assert parse_period("13月", TODAY) is None


@pytest.mark.parametrize(
    ("sentence", "start", "end"),
    [
        ("下个月到期的任务", date(2025, 12, 1), date(2025, 12, 31)),
        ("区发改局今年有哪些任务？", date(2025, 1, 1), date(2025, 12, 31)),
        ("未来十五天要完成什么", TODAY, date(2025, 12, 5)),
        ("2026年有哪些任务", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026年3月底前的任务", date(2026, 3, 1), date(2026, 3, 31)),
    ],
)
def test_periods_inside_questions(sentence, start, end):
    period = find_period(sentence, TODAY)
    assert period is not None and (period.start, period.end) == (start, end)


def test_december_rolls_into_next_year():
    period = parse_period("下个月", date(2025, 12, 5))
    assert period is not None and period.start == date(2026, 1, 1)
