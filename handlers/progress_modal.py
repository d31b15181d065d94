"""The 更新进展 modal: status, percent and note, with the task's version kept to catch concurrent edits."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from handlers.rendering import STATUS_NAMES, units_text
from handlers.slack_text import escape, short
from storage.task_pages import TaskSummary

MODAL_CALLBACK = "progress_modal"
_CHANNEL_ID = re.compile(r"[CDG][A-Z0-9]{1,30}")


@dataclass(frozen=True)
class ModalMetadata:
    """What the modal carries from the task card to the submission: which task, where to answer, which version."""

    task_id: int
    channel_id: str | None  # None when the form came from App Home
    version: int | None


STATUS_BLOCK, PERCENT_BLOCK, NOTE_BLOCK = "status", "percent", "note"


def progress_modal(task: TaskSummary, *, channel_id: str | None) -> dict[str, Any]:
    options = [_option(status) for status in ("open", "in_progress", "done")]
    current = _option(task.status if task.status in ("open", "in_progress", "done") else "in_progress")
    return {
        "type": "modal",
        "callback_id": MODAL_CALLBACK,
        "title": {"type": "plain_text", "text": "更新进展"},
        "submit": {"type": "plain_text", "text": "提交"},
        "close": {"type": "plain_text", "text": "取消"},
        "private_metadata": json.dumps(
            {"task_id": task.id, "channel_id": channel_id, "version": task.version}
        ),
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*#{task.id} {short(task.action, 200)}*\n{escape(units_text(task))}",
                },
            },
            {
                "type": "input",
                "block_id": STATUS_BLOCK,
                "label": {"type": "plain_text", "text": "状态 / Status"},
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "options": options,
                    "initial_option": current,
                },
            },
            {
                "type": "input",
                "block_id": PERCENT_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "完成百分比 / Percent (0–100)"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "initial_value": str(task.percent),
                },
            },
            {
                "type": "input",
                "block_id": NOTE_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "进展说明 / Note"},
                "element": {"type": "plain_text_input", "action_id": "value", "multiline": True},
            },
        ],
    }


def modal_metadata(raw: object) -> ModalMetadata | None:
    """The modal's private_metadata, or None when it is not what progress_modal wrote (forged or from an old
    version of planbot)."""
    try:
        decoded = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    if not isinstance(decoded, dict):
        return None
    task_id, channel_id, version = decoded.get("task_id"), decoded.get("channel_id"), decoded.get("version")
    if not _whole_number(task_id) or not 0 < task_id < 2**62:
        return None
    if channel_id is not None and not (isinstance(channel_id, str) and _CHANNEL_ID.fullmatch(channel_id)):
        return None
    if version is not None and not _whole_number(version):
        return None
    return ModalMetadata(task_id=task_id, channel_id=channel_id, version=version)


def expired_form_view() -> dict[str, Any]:
    """What the modal turns into when its submission cannot be read: say so, and how to start again."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "更新进展"},
        "close": {"type": "plain_text", "text": "关闭"},
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "这个表单已失效，进展没有保存。请关闭后在任务卡片上重新点“更新进展”，"
                    "或用 `/plan 进展 编号 说明 百分比` 报告。\n"
                    "This form is out of date and nothing was saved. Close it and press 更新进展 on the task "
                    "card again, or use `/plan update ID <note> <percent>`.",
                },
            }
        ],
    }


def _whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def modal_values(view: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(status, percent text, note) from a view_submission's state; missing fields come back as None."""
    values = (view.get("state") or {}).get("values") or {}
    status = ((values.get(STATUS_BLOCK) or {}).get("value") or {}).get("selected_option") or {}
    percent = ((values.get(PERCENT_BLOCK) or {}).get("value") or {}).get("value")
    note = ((values.get(NOTE_BLOCK) or {}).get("value") or {}).get("value")
    return status.get("value"), percent, note


def _option(status: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": STATUS_NAMES[status]}, "value": status}
