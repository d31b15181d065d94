"""The 修改 modal (coordinators only): a task's text, lead and co-operating units, deadline and recurrence.

Building the view and reading its submission are plain functions; applying the edit goes through
storage.tasks, which records who changed what (the Slack user) in the task's history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from handlers.context import CommandContext
from handlers.permissions import coordinator_only
from handlers.replies import Reply, usage_error
from handlers.review import aliases_of
from handlers.slack_text import escape
from storage import task_pages
from storage.task_edits import FIELD_NAMES, shown_value
from storage.task_values import RECURRENCE_NAMES, ValueRefused, parse_due, parse_units
from storage.tasks import Editor, TaskChanges, TaskEditError, edit_task, get_task, task_units

EDIT_CALLBACK = "task_edit_modal"
ACTION_BLOCK, LEAD_BLOCK, CO_BLOCK, DUE_BLOCK, RECURRENCE_BLOCK, ARCHIVE_BLOCK = (
    "edit_action",
    "edit_lead",
    "edit_co",
    "edit_due",
    "edit_recurrence",
    "edit_archive",
)
NO_RECURRENCE = "none"


@dataclass(frozen=True)
class EditForm:
    changes: TaskChanges


def editable_task(ctx: CommandContext, task_id: int) -> dict[str, Any] | Reply:
    """The view of the 修改 modal for `task_id`, or the Reply that refuses it."""
    if not ctx.actor.is_coordinator:
        return coordinator_only(
            session=ctx.session, settings=ctx.deps.settings, what_zh="修改任务", what_en="edit tasks"
        )
    try:
        task = get_task(ctx.session, task_id)
    except TaskEditError as missing:
        return usage_error(missing.zh, missing.en)
    if task.status == "archived":
        return usage_error(f"任务 #{task_id} 已归档，不能修改。", f"Task #{task_id} is archived.")
    units = task_units(ctx.session, task_id)
    due: dict[str, Any] = {"type": "datepicker", "action_id": "value"}
    if task.due_on:
        due["initial_date"] = task.due_on.isoformat()
    options = [_option(NO_RECURRENCE, "不重复")] + [
        _option(key, name) for key, name in RECURRENCE_NAMES.items()
    ]
    current = next(o for o in options if o["value"] == (task.recurrence or NO_RECURRENCE))
    return {
        "type": "modal",
        "callback_id": EDIT_CALLBACK,
        "title": {"type": "plain_text", "text": f"修改任务 #{task_id}"},
        "submit": {"type": "plain_text", "text": "保存"},
        "close": {"type": "plain_text", "text": "取消"},
        "private_metadata": json.dumps({"task_id": task_id, "channel_id": ctx.channel_id}),
        "blocks": [
            _text_input(ACTION_BLOCK, "任务 / Task", task.action, multiline=True),
            _text_input(LEAD_BLOCK, "牵头单位（多个用顿号分隔）/ Lead units", "、".join(units["lead"])),
            _text_input(CO_BLOCK, "配合单位 / Co-operating units", "、".join(units["co"]), optional=True),
            {
                "type": "input",
                "block_id": DUE_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "完成时限 / Deadline"},
                "element": due,
            },
            {
                "type": "input",
                "block_id": RECURRENCE_BLOCK,
                "label": {"type": "plain_text", "text": "周期 / Recurrence"},
                "element": {
                    "type": "static_select",
                    "action_id": "value",
                    "options": options,
                    "initial_option": current,
                },
            },
            {
                "type": "input",
                "block_id": ARCHIVE_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "删除 / Delete"},
                "element": {
                    "type": "checkboxes",
                    "action_id": "value",
                    # archived, never deleted: its progress stays, and a re-import does not bring it back
                    "options": [_option("archive", "删除此任务（归档，不再提醒）")],
                },
            },
        ],
    }


def _option(value: str, text: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def _text_input(block_id: str, label: str, initial: str, *, multiline: bool = False, optional: bool = False):  # type: ignore[no-untyped-def]
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


def read_form(view: dict[str, Any]) -> EditForm | dict[str, str]:
    """The submitted values, or {block id: what is wrong} to show beside the fields."""
    values = (view.get("state") or {}).get("values") or {}

    def field(block: str) -> dict[str, Any]:
        return (values.get(block) or {}).get("value") or {}

    errors: dict[str, str] = {}
    action = (field(ACTION_BLOCK).get("value") or "").strip()
    if not action:
        errors[ACTION_BLOCK] = "请填写任务内容 / Enter the task"
    lead = parse_units(field(LEAD_BLOCK).get("value"))
    co = parse_units(field(CO_BLOCK).get("value"))
    try:
        due = parse_due(field(DUE_BLOCK).get("selected_date"))
    except ValueRefused as refused:
        errors[DUE_BLOCK] = refused.zh
        due = None
    recurrence = (field(RECURRENCE_BLOCK).get("selected_option") or {}).get("value") or NO_RECURRENCE
    if recurrence != NO_RECURRENCE and recurrence not in RECURRENCE_NAMES:
        errors[RECURRENCE_BLOCK] = "请选择周期 / Choose a recurrence"
    if errors:
        return errors
    archive = any(o.get("value") == "archive" for o in field(ARCHIVE_BLOCK).get("selected_options") or [])
    return EditForm(
        TaskChanges(
            action=action,
            lead=lead,
            co=co,
            due_on=due,
            recurrence=None if recurrence == NO_RECURRENCE else recurrence,
            status="archived" if archive else None,
        )
    )


def apply_form(ctx: CommandContext, task_id: int, form: EditForm) -> Reply:
    """Save the modal's values as the coordinator's edit; every changed field goes to the task's history."""
    if not ctx.actor.is_coordinator:
        return coordinator_only(
            session=ctx.session, settings=ctx.deps.settings, what_zh="修改任务", what_en="edit tasks"
        )
    editor = Editor(author=ctx.actor.user_id, via="slack", now=ctx.deps.clock().astimezone(UTC))
    try:
        changes = edit_task(
            session=ctx.session, task_id=task_id, changes=form.changes, editor=editor, aliases=aliases_of(ctx)
        )
    except TaskEditError as refused:
        return usage_error(
            f"任务 #{task_id} 没有修改：{refused.zh}", f"Task #{task_id} was not changed: {refused.en}"
        )
    summary = task_pages.task_summary(session=ctx.session, task_id=task_id)
    if not changes:
        return Reply(headline=f"任务 #{task_id} 没有变化。 Nothing changed.", task_buttons=False)
    lines = [
        f"• {FIELD_NAMES.get(c.field, c.field)}：{escape(shown_value(c.field, c.old))} → "
        f"{escape(shown_value(c.field, c.new))}"
        for c in changes
    ]
    return Reply(
        headline=f"✏️ 已修改任务 #{task_id}（记入修改记录）。\nTask #{task_id} was edited; the change is in its history.",
        tasks=[summary] if summary else [],
        lines=lines,
        task_buttons=False,
    )
