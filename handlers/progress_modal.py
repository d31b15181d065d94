"""The 更新进展 modal: status, percent and note, with the task's version kept to catch concurrent edits."""

from __future__ import annotations

import json
from typing import Any

from handlers.rendering import STATUS_NAMES, units_text
from handlers.slack_text import escape, short
from storage.bot_queries import TaskSummary

MODAL_CALLBACK = "progress_modal"
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


def modal_values(view: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(status, percent text, note) from a view_submission's state; missing fields come back as None."""
    values = (view.get("state") or {}).get("values") or {}
    status = ((values.get(STATUS_BLOCK) or {}).get("value") or {}).get("selected_option") or {}
    percent = ((values.get(PERCENT_BLOCK) or {}).get("value") or {}).get("value")
    note = ((values.get(NOTE_BLOCK) or {}).get("value") or {}).get("value")
    return status.get("value"), percent, note


def _option(status: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": STATUS_NAMES[status]}, "value": status}
