"""Periods and questions as a user tried them in the console: English words, half years, the overdue order,
and an empty ledger. The console runs the same handlers as Slack."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.console import ConsoleChat
from bot.deps import Deps
from tests.handlers.ledger import NOW


@pytest.fixture
def chat(deps, ledger):  # type: ignore[no-untyped-def]
    return ConsoleChat(deps)


def task_ids(answer: str) -> list[str]:
    return re.findall(r"#(\d+) ", answer)


def deadlines(answer: str) -> list[str]:
    return re.findall(r"期限：(\d{4}-\d{2}-\d{2})", answer)


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("/plan due 30", "/plan 到期 30天"),
        ("/plan due this month", "/plan 到期 本月"),
        ("/plan due next month", "/plan 到期 下个月"),
        ("/plan due this year", "/plan 到期 今年"),
    ],
)
def test_english_periods_answer_as_the_chinese_ones(chat, english, chinese):
    answer = chat.say(english)
    assert "看不懂时间" not in answer
    assert answer == chat.say(chinese)
    assert task_ids(answer)


def test_an_unknown_period_says_what_can_be_written_in_both_languages(chat):
    answer = chat.say("/plan due someday")
    assert "看不懂时间“someday”" in answer and "this month" in answer and "下半年" in answer


def test_an_english_question_about_next_month(chat):
    answer = chat.say("what tasks are due next month?")
    assert answer.startswith("我理解为：时间：下个月（2025年7月），查到期任务。")
    assert task_ids(answer) == task_ids(chat.say("下个月到期的任务"))
    assert all(day.startswith("2025-07") for day in deadlines(answer))


@pytest.mark.parametrize("question", ["下半年到期的任务", "2025年下半年到期的任务"])
def test_the_second_half_of_the_year_is_a_period(chat, question):
    answer = chat.say(question)
    assert "时间：下半年（2025-07-01 至 2025-12-31）" in answer
    assert deadlines(answer) and all("2025-07-01" <= day <= "2025-12-31" for day in deadlines(answer))
    assert "/plan 到期 下半年" in answer  # the command that answers it, offered back
    assert task_ids(chat.say("/plan 到期 下半年")) == task_ids(answer)


def test_the_overdue_list_shows_the_latest_deadline_first(deps, ledger):  # type: ignore[no-untyped-def]
    a_year_later = Deps(
        settings=deps.settings, session_factory=deps.session_factory, clock=lambda: NOW + timedelta(days=400)
    )
    chat = ConsoleChat(a_year_later)
    for answer in (chat.say("/plan 逾期"), chat.say("哪些任务逾期了？")):
        shown = deadlines(answer)
        assert len(set(shown)) > 1, answer
        assert shown == sorted(shown, reverse=True)


def test_on_an_empty_ledger_a_question_says_so_and_how_to_import(deps):  # type: ignore[no-untyped-def]
    chat = ConsoleChat(deps)
    for question in ("区财政局有哪些任务？", "what tasks are due next month?"):
        answer = chat.say(question)
        assert answer.startswith("📭 台账还是空的")
        assert (
            "/plan 导入 网址" in answer
            and "planbot ingest 文件" in answer
            and "The ledger is empty" in answer
        )
        assert "找不到" not in answer
