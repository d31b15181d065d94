"""Task values as people type them (command line, Slack modal, Excel cells) and as they are shown.

One reading for every entry point, so that 2025年6月30日 in a cell and 2025-06-30 on the command line are the
same deadline, and a value that means nothing is refused with the reason, Chinese first.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from storage.statuses import STATUS_NAMES, status_from_word

RECURRENCE_NAMES = {"yearly": "每年", "quarterly": "每季度", "monthly": "每月"}
_RECURRENCE_WORDS = {
    **{key: key for key in RECURRENCE_NAMES},
    **{name: key for key, name in RECURRENCE_NAMES.items()},
    "按年度": "yearly",
    "年度": "yearly",
    "季度": "quarterly",
    "按季度": "quarterly",
    "按月": "monthly",
}
_EMPTY_WORDS = ("", "-", "—", "无", "none", "null")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_UNIT_SEPARATORS = re.compile(r"[、,，;；/\s]+")


class ValueRefused(ValueError):
    """A typed value that does not parse; zh and en say why and what would do."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(f"{zh} / {en}")


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _EMPTY_WORDS)


def parse_due(value: object) -> date | None:
    """A deadline: a date (Excel gives datetimes), 2025-06-30, 2025/6/30 or 2025年6月30日; empty for none."""
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _DATE.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise ValueRefused(
        f"「{text}」不是日期，请写成 2025-06-30 或 2025年6月30日",
        f"{text!r} is not a date; write it as 2025-06-30",
    )


def parse_recurrence(value: object) -> str | None:
    if is_empty(value):
        return None
    text = str(value).strip()
    found = _RECURRENCE_WORDS.get(text.lower())
    if found is None:
        raise ValueRefused(
            f"「{text}」不是周期，请写 每年、每季度、每月 或留空",
            f"{text!r} is not a recurrence; use yearly, quarterly, monthly or leave it empty",
        )
    return found


def parse_status(value: object) -> str:
    text = "" if value is None else str(value).strip()
    status = status_from_word(text)
    if status is None:
        raise ValueRefused(
            f"「{text}」不是状态，请从 {'、'.join(STATUS_NAMES.values())} 中选择",
            f"{text!r} is not a status; use open, in_progress, done or archived",
        )
    return status


def parse_percent(value: object) -> int:
    if is_empty(value):
        return 0
    if isinstance(value, float) and 0 <= value <= 1 and value != int(value):
        return round(value * 100)  # a cell formatted as a percentage holds 0.6
    text = str(value).strip().rstrip("%％")
    try:
        number = float(text)
    except ValueError:
        number = -1
    if not 0 <= number <= 100:
        raise ValueRefused(
            f"「{value}」不是 0 到 100 之间的百分比", f"{value!r} is not a percentage from 0 to 100"
        )
    return round(number)


def parse_units(value: object) -> tuple[str, ...]:
    """区财政局、区科技局 (or commas, spaces, line breaks) -> the names in order."""
    if is_empty(value):
        return ()
    return tuple(name for name in _UNIT_SEPARATORS.split(str(value).strip()) if name)
