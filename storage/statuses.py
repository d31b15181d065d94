"""Task statuses: the values stored, the Chinese words people see, and the words people may type for them."""

from __future__ import annotations

STATUSES = ("open", "in_progress", "done", "archived")
STATUS_NAMES = {"open": "未开始", "in_progress": "推进中", "done": "已完成", "archived": "已归档"}
# what people type in a command, Chinese first; the stored value is the right-hand side
STATUS_WORDS = {
    **{status: status for status in STATUSES},
    "未开始": "open",
    "待办": "open",
    "推进中": "in_progress",
    "进行中": "in_progress",
    "进展中": "in_progress",
    "完成": "done",
    "已完成": "done",
    "归档": "archived",
    "已归档": "archived",
}


def status_from_word(word: str) -> str | None:
    """The stored status a typed word means, or None when it means none."""
    return STATUS_WORDS.get(word.strip().lower())
