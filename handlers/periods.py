"""Time words as people type them ("30天", "本月", "下个月", "本季度", "下半年", "今年", "2025年", and in English
"30", "30 days", "this month", "next month") turned into date windows.

The same words serve `/plan 到期 …` and the questions, so both understand a period the same way.
Windows are inclusive on both ends and computed from the user's date in Asia/Shanghai, never from UTC.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from ingest.structure import CN_DIGITS

# the digits the plan engine reads, plus 十 for "十天"
CHINESE_DIGITS = {**CN_DIGITS, "十": 10}

# a bare number is days too: `/plan due 30`
_DAYS = re.compile(
    r"^(?:未来|近|next|within|in)?(\d{1,4})\s*(?:天|日|d|days?)?(?:内|之内|以内)?$", re.IGNORECASE
)
_HALF_YEAR = re.compile(r"^(?:(20\d{2})年)?([上下])半年(?:内|底前)?$")
_YEAR = re.compile(r"^(20\d{2})\s*年?(?:内|底前|全年)?$")
_MONTH_OF_YEAR = re.compile(r"^(?:(20\d{2})年)?(\d{1,2})月(?:份|底前|内)?$")


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str  # what we understood, in Chinese, to echo back to the user

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_of(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    return date(day.year, first_month, 1), month_end(day.year, first_month + 2)


def parse_period(word: str, today: date) -> Period | None:
    """One token of time words -> a window, or None when the word is not a period we know."""
    word = word.strip().replace(" ", "")
    if not word:
        return None
    if found := _YEAR.match(word):  # before days: a bare 2025 is a year, a bare 30 is days
        year = int(found.group(1))
        return Period(date(year, 1, 1), date(year, 12, 31), f"{year}年")
    if found := _DAYS.match(word):
        days = int(found.group(1))
        return Period(
            today,
            today + timedelta(days=days),
            f"今后{days}天（至{(today + timedelta(days=days)).isoformat()}）",
        )
    if found := _HALF_YEAR.match(word):
        return half_year(int(found.group(1) or today.year), second=found.group(2) == "下", today=today)
    if found := _MONTH_OF_YEAR.match(word):
        year = int(found.group(1) or today.year)
        month = int(found.group(2))
        if 1 <= month <= 12:
            return Period(date(year, month, 1), month_end(year, month), f"{year}年{month}月")
        return None
    return _relative_period(word, today)


def half_year(year: int, *, second: bool, today: date) -> Period:
    """上半年 is January to June, 下半年 July to December; the year is named only when it is not this one."""
    name = ("下" if second else "上") + "半年"
    label = name if year == today.year else f"{year}年{name}"
    start, end = (date(year, 7, 1), date(year, 12, 31)) if second else (date(year, 1, 1), date(year, 6, 30))
    return Period(start, end, f"{label}（{start.isoformat()} 至 {end.isoformat()}）")


def _relative_period(word: str, today: date) -> Period | None:
    # English words arrive with their spaces removed ("this month" -> "thismonth") or hyphenated
    word = word.lower().replace("-", "")
    if word in ("上半年", "firsthalf", "h1"):
        return half_year(today.year, second=False, today=today)
    if word in ("下半年", "secondhalf", "h2"):
        return half_year(today.year, second=True, today=today)
    if word in ("本月", "这个月", "当月", "thismonth", "month"):
        return Period(
            today.replace(day=1), month_end(today.year, today.month), f"本月（{today.year}年{today.month}月）"
        )
    if word in ("下个月", "下月", "nextmonth"):
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return Period(date(year, month, 1), month_end(year, month), f"下个月（{year}年{month}月）")
    if word in ("本季度", "这个季度", "本季", "quarter", "thisquarter"):
        start, end = quarter_of(today)
        return Period(start, end, f"本季度（{start.isoformat()} 至 {end.isoformat()}）")
    if word in ("下季度", "下个季度", "nextquarter"):
        start, _ = quarter_of(today)
        following = month_end(start.year, start.month + 2) + timedelta(days=1)
        start, end = quarter_of(following)
        return Period(start, end, f"下季度（{start.isoformat()} 至 {end.isoformat()}）")
    if word in ("今年", "本年", "年内", "本年度", "thisyear", "year"):
        return Period(date(today.year, 1, 1), date(today.year, 12, 31), f"今年（{today.year}年）")
    if word in ("明年", "nextyear"):
        return Period(date(today.year + 1, 1, 1), date(today.year + 1, 12, 31), f"明年（{today.year + 1}年）")
    if word in ("本周", "这周", "week", "thisweek"):
        start = today - timedelta(days=today.weekday())
        return Period(start, start + timedelta(days=6), "本周")
    if word in ("下周", "nextweek"):
        start = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return Period(start, start + timedelta(days=6), "下周")
    return None


# Time words inside a free sentence, longest first so that 下个月 wins over 月.
_SENTENCE_WORDS = (
    "下个季度",
    "这个季度",
    "本季度",
    "下季度",
    "这个月",
    "下个月",
    "本月",
    "下月",
    "今年",
    "明年",
    "年内",
    "本年度",
    "本周",
    "这周",
    "下周",
    "上半年",
    "下半年",
)
# English questions ("what tasks are due next month?"), matched on the lowered sentence
_ENGLISH_WORDS = {
    "next month": "nextmonth",
    "this month": "thismonth",
    "next quarter": "nextquarter",
    "this quarter": "thisquarter",
    "next year": "nextyear",
    "this year": "thisyear",
    "next week": "nextweek",
    "this week": "thisweek",
    "first half": "firsthalf",
    "second half": "secondhalf",
}
_ENGLISH_DAYS = re.compile(r"\b(?:in|within|next)?\s*(\d{1,4})\s*days?\b", re.IGNORECASE)
_SENTENCE_HALF_YEAR = re.compile(r"(?:(20\d{2})年)?[上下]半年")
_SENTENCE_DAYS = re.compile(
    r"(?:未来|近|最近)?([0-9一二两三四五六七八九十]{1,4})\s*(?:天|日)(?:内|之内|以内)?"
)
_SENTENCE_YEAR = re.compile(r"(20\d{2})\s*年(?!\d{1,2}月)")
_SENTENCE_MONTH = re.compile(r"(?:(20\d{2})年)?(\d{1,2})月(?:份|底)?")


def find_period(sentence: str, today: date) -> Period | None:
    """The first period a question mentions ("下个月到期的任务" -> next month), or None."""
    if found := _SENTENCE_HALF_YEAR.search(sentence):  # before 2025年 alone and before the words
        return parse_period(found.group(0), today)
    lowered = sentence.lower()
    for english, word in _ENGLISH_WORDS.items():
        if english in lowered:
            return _relative_period(word, today)
    if found := _ENGLISH_DAYS.search(sentence):
        return parse_period(f"{found.group(1)}天", today)
    for word in _SENTENCE_WORDS:
        if word in sentence:
            return _relative_period(word, today)
    if found := _SENTENCE_DAYS.search(sentence):
        days = _number(found.group(1))
        if days:
            return parse_period(f"{days}天", today)
    if found := _SENTENCE_MONTH.search(sentence):
        return parse_period(found.group(0).rstrip("底"), today)
    if found := _SENTENCE_YEAR.search(sentence):
        return parse_period(found.group(1), today)
    return None


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + CHINESE_DIGITS.get(text[1:], 0)
    if text.endswith("十"):
        return CHINESE_DIGITS.get(text[0], 0) * 10
    if len(text) == 3 and text[1] == "十":
        return CHINESE_DIGITS.get(text[0], 0) * 10 + CHINESE_DIGITS.get(text[2], 0)
    return CHINESE_DIGITS.get(text)
