"""Replies as Slack Block Kit and as plain text, from the same `Reply`.

A task card shows the units (lead/co), the action, the due date with days left, the status and the citation
(document and section). Dates are the user's dates in Asia/Shanghai; `today` is passed in, never read here.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from typing import Any

from handlers.replies import Page, Reply
from handlers.slack_text import clip, escape, unescape
from storage.task_pages import TaskSummary
from storage.task_periods import current_instance

STATUS_NAMES = {"open": "未开始", "in_progress": "进行中", "done": "已完成", "archived": "已归档"}
RECURRENCE_NAMES = {"yearly": "每年", "quarterly": "每季度", "monthly": "每月"}
# Slack refuses a section longer than 3,000 characters and a message of more than 50 blocks.
SECTION_LIMIT = 2900
ACTION_UPDATE = "task_update"
ACTION_DONE = "task_done"
ACTION_SHOW = "task_show"
ACTION_PAGE_PREVIOUS = "plan_page_previous"
ACTION_PAGE_NEXT = "plan_page_next"
ACTION_HOME_TASKS = "home_tasks"
ACTION_HOME_HELP = "home_help"
BUTTON_VALUE_LIMIT = 2000  # Slack's limit on a button's value, in characters
MAX_PAGE = 100_000
_TASK_ID = re.compile(r"[1-9][0-9]{0,17}")
STALE_BUTTON = (
    "这个按钮已失效，请重新输入命令（或重新打开 App 主页）后再点。"
    " This button is out of date: run the command again (or reopen the App Home)."
)
TOO_LONG_TO_PAGE = "查询太长，无法翻页：请缩短查询后重试。 The query is too long to page through; shorten it."
ACTION_EDIT = "task_edit"  # the 修改 modal, coordinators only (handlers.task_edit_listeners)
ACTION_RUN = "plan_run"  # a CommandButton: its value is the /plan text to run


def days_left_text(due_on: date | None, today: date, status: str = "open") -> str:
    if due_on is None:
        return "无明确期限"
    if status == "done":
        return due_on.isoformat()
    days = (due_on - today).days
    if days > 0:
        return f"{due_on.isoformat()}（还剩 {days} 天）"
    if days == 0:
        return f"{due_on.isoformat()}（今天到期）"
    return f"{due_on.isoformat()}（已逾期 {-days} 天）"


def light(task: TaskSummary, today: date) -> str:
    """红灯 overdue, 黄灯 due within 7 days, 绿灯 otherwise; the marks the reminders use too."""
    if task.status == "done":
        return "✅"
    if task.due_on is None:
        return "⚪"
    days = (task.due_on - today).days
    if days < 0:
        return "🔴"
    if days <= 7:
        return "🟡"
    return "🟢"


def status_text(task: TaskSummary) -> str:
    name = STATUS_NAMES.get(task.status, task.status)
    shown = f"{name} {task.percent}%" if task.status == "in_progress" else name
    # only coordinators are shown such a task; the mark says why no department has heard of it yet
    return f"{shown}（待核对，确认前不提醒）" if task.awaiting_review else shown


def units_text(task: TaskSummary) -> str:
    lead = "、".join(task.leads) or "（未指明）"
    text = f"牵头：{lead}"
    if task.cos:
        text += f"　配合：{'、'.join(task.cos)}"
    return text


def citation_text(task: TaskSummary) -> str:
    document = f"《{task.document_title}》" if task.document_title else ""
    return f"{document} {task.section}".strip() or "—"


def current_instance_of(task: TaskSummary, today: date) -> tuple[TaskSummary, str]:
    """A recurring duty as of `today`: its current instance's deadline, status and percent, and the instance's
    name (2027年度). Other tasks come back as they are, with no name."""
    if not task.recurrence or task.status in ("done", "archived"):
        return task, ""
    reported = {period: (status, percent) for period, status, percent in task.instances}
    first_day, last_day = task.plan_span
    # a list of what falls due (or is overdue) names the period it lists the duty for: the card shows that one
    instance = task.listed_instance or current_instance(
        recurrence=task.recurrence,
        due_on=task.due_on,
        today=today,
        done_periods=frozenset(period for period, (status, _) in reported.items() if status == "done"),
        starts_on=task.starts_on,
        first_day=first_day,
        last_day=last_day,
    )
    if instance is None:
        return task, ""
    # progress reported before duties had instances stays on the task itself
    status, percent = reported.get(instance.period, ("open", 0) if reported else (task.status, task.percent))
    return replace(task, due_on=instance.due_on, status=status, percent=percent), instance.label


def card_lines(task: TaskSummary, today: date, *, detailed: bool = False) -> list[str]:
    task, period_label = current_instance_of(task, today)
    due = days_left_text(task.due_on, today, task.status)
    if task.recurrence:
        due += f"，{RECURRENCE_NAMES.get(task.recurrence, task.recurrence)}"
    lines = [
        f"{light(task, today)} #{task.id} {task.action}",
        units_text(task),
        f"期限：{due}　状态：{status_text(task)}",
        f"出处：{citation_text(task)}",
    ]
    if period_label:
        # each period of a duty is reported on by itself: say which one the deadline and status above belong to
        lines.insert(3, f"本期：{period_label}（每期分别报告进展 / progress is reported per period）")
    if detailed and task.evidence:
        lines.append(f"原文：{task.evidence}")
    return lines


# -- plain text --------------------------------------------------------------------------------------------


def plain(reply: Reply, today: date) -> str:
    return _without_markup(_plain(reply, today))


def _without_markup(text: str) -> str:
    """Slack's *bold* and `code` marks read as noise in a terminal; document text has neither.

    Headlines and lines hold mrkdwn, with document text escaped into them, and _plain escapes the rest (task
    cards, suggestions) alike: unescaping the whole once shows every text as written, `&lt;` in a document too.
    """
    return unescape(text.replace("*", "").replace("`", ""))


def _plain(reply: Reply, today: date) -> str:
    parts = [reply.headline]
    for task in reply.tasks:
        parts.append(
            "\n".join(
                "  " + escape(line) if n else escape(line)
                for n, line in enumerate(card_lines(task, today, detailed=reply.detailed))
            )
        )
    if reply.lines:
        parts.append("\n".join(reply.lines))
    if reply.page is not None and reply.page.count > 1:
        parts.append(
            page_text(reply.page) + ("（输入 下一页 / next 查看更多）" if reply.page.has_next else "")
        )
    if reply.suggestions:
        parts.append("试试 / Try: " + "  ".join(escape(s) for s in reply.suggestions))
    if reply.command_buttons:
        parts.append("  ".join(f"[{b.label}] /plan {b.command}" for b in reply.command_buttons))
    if reply.upload is not None:
        parts.append(f"文件 / file: {reply.upload.filename}（{len(reply.upload.content)} 字节）")
    return "\n\n".join(part for part in parts if part)


def page_text(page: Page) -> str:
    first = page.number * page.size + 1
    last = min(page.total, (page.number + 1) * page.size)
    return f"第 {page.number + 1}/{page.count} 页，第 {first}–{last} 条，共 {page.total} 条"


# -- Block Kit ---------------------------------------------------------------------------------------------


def message(reply: Reply, today: date) -> dict[str, Any]:
    """Keyword arguments for respond() / chat.postMessage: text (the notification fallback) and blocks."""
    return {
        "text": clip(reply.headline, SECTION_LIMIT),
        "blocks": blocks(reply, today),
        "response_type": "in_channel" if reply.public else "ephemeral",
    }


def blocks(reply: Reply, today: date) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [_section(reply.headline)]
    for task in reply.tasks:
        out.append(_divider())
        out.extend(task_card(task, today, detailed=reply.detailed, buttons=reply.task_buttons))
    if reply.lines:
        out.append(_divider())
        out.extend(_section(chunk) for chunk in _chunks(reply.lines))
    if reply.page is not None and reply.page.count > 1:
        out.extend(pager(reply.page))
    if reply.suggestions:
        out.append(_context("试试 / Try: " + "  ".join(f"`{escape(s)}`" for s in reply.suggestions)))
    if reply.home_buttons:
        out.append(home_actions())
    if reply.command_buttons:
        elements = [
            _button(button.label, button.action or ACTION_RUN, button.command[:2000], style=button.style)
            for button in reply.command_buttons
        ]
        out.append({"type": "actions", "block_id": "commands", "elements": elements[:25]})
    return out[:50]


def task_card(
    task: TaskSummary, today: date, *, detailed: bool = False, buttons: bool = True
) -> list[dict[str, Any]]:
    title, *rest = card_lines(task, today, detailed=detailed)
    card: list[dict[str, Any]] = [_section(f"*{escape(title)}*\n" + "\n".join(escape(line) for line in rest))]
    if buttons and task.status not in ("done", "archived"):
        card.append(
            {
                "type": "actions",
                "block_id": f"task_{task.id}",
                "elements": [
                    _button("更新进展", ACTION_UPDATE, str(task.id)),
                    _button("标记完成", ACTION_DONE, str(task.id), style="primary"),
                    _button("详情", ACTION_SHOW, str(task.id)),
                    _button("修改", ACTION_EDIT, str(task.id)),
                ],
            }
        )
    return card


def pager(page: Page) -> list[dict[str, Any]]:
    elements = []
    previous = _page_value(page, page.number - 1)
    following = _page_value(page, page.number + 1)
    if previous is None or following is None:
        # Slack refuses a longer button value, and a cut query would page through another list
        return [_context(page_text(page) + "。" + TOO_LONG_TO_PAGE)]
    if page.has_previous:
        elements.append(_button("上一页", ACTION_PAGE_PREVIOUS, previous))
    if page.has_next:
        elements.append(_button("下一页", ACTION_PAGE_NEXT, following))
    out: list[dict[str, Any]] = [_context(page_text(page))]
    if elements:
        out.append({"type": "actions", "block_id": "pager", "elements": elements})
    return out


def home_actions() -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": "home_actions",
        "elements": [
            _button("我的任务", ACTION_HOME_TASKS, "tasks", style="primary"),
            _button("帮助", ACTION_HOME_HELP, "help"),
        ],
    }


def page_value(raw: str) -> tuple[str | int, int] | None:
    """What a pager button carries: (command or stored query id, page), or None when it was tampered with."""
    try:
        decoded = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(decoded, dict):
        return None
    # {"c": command, "p": page}, or {"q": stored query id, "p": page} for a command too long to carry
    command = decoded.get("q") if "q" in decoded else decoded.get("c")
    number = decoded.get("p")
    stored = "q" in decoded and isinstance(command, int) and not isinstance(command, bool)
    if not stored and not isinstance(command, str):
        return None
    if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= MAX_PAGE:
        return None
    return command, number


def fits_a_button(command: str) -> bool:
    """Whether a pager button can carry `command` itself; a longer one is stored (storage.page_queries)."""
    return _encoded_page_value(command, MAX_PAGE) is not None


def task_id_of(raw: object) -> int | None:
    """The task id a task-card button carries, or None when the value is not one (a stale or forged click)."""
    text = str(raw)
    return int(text) if _TASK_ID.fullmatch(text) else None


def _page_value(page: Page, number: int) -> str | None:
    if page.query_id is not None:
        return json.dumps({"q": page.query_id, "p": number})
    return _encoded_page_value(page.command, number)


def _encoded_page_value(command: str, number: int) -> str | None:
    """The pager button's value, or None when it would pass Slack's limit (counted as Slack counts: encoded)."""
    value = json.dumps({"c": command, "p": number}, ensure_ascii=False)
    return value if len(value) <= BUTTON_VALUE_LIMIT else None


def _chunks(lines: list[str]) -> list[str]:
    chunks: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + len(line) + 1 > SECTION_LIMIT:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks[:40]


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}]}


def _divider() -> dict[str, Any]:
    return {"type": "divider"}


def _button(label: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button
