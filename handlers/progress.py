"""Reporting progress: `/plan 进展 ID 说明 [60%]`, `/plan 完成 ID`, and the 更新进展 form's validation.

Members update the tasks of their own department, coordinators any task. Every report is kept (ProgressUpdate);
the task holds the latest status and percent. Two people reporting at once never overwrite each other: the
second is told what changed and asked to send again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from handlers.context import CommandContext
from handlers.ledger_views import scope_of
from handlers.permissions import may_update, update_refused
from handlers.replies import Reply, usage_error
from handlers.slack_text import escape
from storage import task_pages
from storage.progress import InvalidProgress, ProgressConflict, TaskNotFound, record_progress
from storage.task_pages import TaskSummary
from storage.task_periods import label_of

FORM_STATUSES = ("open", "in_progress", "done")
NOTE_LIMIT = 2000


@dataclass(frozen=True)
class ProgressForm:
    """A validated report: what the modal or the command asked for."""

    status: str
    percent: int
    note: str


def validate_form(
    status: str | None, percent_text: str | None, note: str | None
) -> ProgressForm | dict[str, str]:
    """The modal's values -> a form, or {field: message} for Slack to show beside each field."""
    errors: dict[str, str] = {}
    if status not in FORM_STATUSES:
        errors["status"] = "请选择状态 / Choose a status"
    raw = (percent_text or "").strip().rstrip("%％").strip()
    percent = 0
    if raw:
        if not raw.isdigit() or not 0 <= int(raw) <= 100:
            errors["percent"] = "请填写 0–100 的整数 / Enter a whole number from 0 to 100"
        else:
            percent = int(raw)
    note_text = (note or "").strip()
    if len(note_text) > NOTE_LIMIT:
        errors["note"] = f"说明最多 {NOTE_LIMIT} 字 / At most {NOTE_LIMIT} characters"
    if status == "done":
        percent = 100
    if errors:
        return errors
    return ProgressForm(status=str(status), percent=percent, note=note_text)


def task_for_update(ctx: CommandContext, task_id: int) -> TaskSummary | Reply:
    """The task, when it exists and the actor may update it; otherwise the Reply to show."""
    task = task_pages.task_summary(session=ctx.session, task_id=task_id)
    # a task awaiting review is unknown to departments until a coordinator confirms it
    hidden = task is not None and task.awaiting_review and not ctx.actor.is_coordinator
    if task is None or task.status == "archived" or hidden:
        return usage_error(
            f"没有编号为 #{task_id} 的任务。用 `/plan 任务` 或 `/plan 搜索 关键词` 查找编号。",
            f"No task #{task_id}. Use `/plan tasks` or `/plan search WORDS` to find ids.",
        )
    collective = frozenset(scope_of(ctx, ctx.actor.department)) if ctx.actor.department else frozenset()
    if not may_update(ctx.actor, task, collective):
        return update_refused(session=ctx.session, settings=ctx.deps.settings, task=task)
    return task


def apply(
    ctx: CommandContext, task: TaskSummary, form: ProgressForm, expected_version: int | None = None
) -> Reply:
    try:
        recorded = record_progress(
            session=ctx.session,
            task_id=task.id,
            author=ctx.actor.user_id,
            status=form.status,
            percent=form.percent,
            note=form.note,
            expected_version=expected_version,
            now=ctx.deps.clock().astimezone(UTC),
        )
    except ProgressConflict as conflict:
        return usage_error(
            f"{conflict.zh}你的这次进展没有保存。",
            f"{conflict.en} Your report was not saved.",
            f"/plan 详情 {task.id}",
        )
    except (TaskNotFound, InvalidProgress) as refused:
        return usage_error(refused.zh, refused.en)
    updated = task_pages.task_summary(session=ctx.session, task_id=task.id) or task
    # a recurring duty's report is about one period: say which (2027年度), so nobody thinks 2028 is closed too
    zh_period = f"（{label_of(recorded.period)}）" if recorded.period else " "
    en_period = f" (period {recorded.period})" if recorded.period else ""
    headline = f"已记录任务 #{updated.id}{zh_period}的进展：{escape(form.note) if form.note else '（无说明）'}\nProgress recorded for task #{updated.id}{en_period}."
    if form.status == "done":
        headline = (
            f"🎉 任务 #{updated.id}{zh_period}已标记完成。\nTask #{updated.id}{en_period} is marked done."
        )
    return Reply(headline=headline, tasks=[updated], task_buttons=False)


def update(ctx: CommandContext, task_id: int, note: str | None, percent: int | None) -> Reply:
    found = task_for_update(ctx, task_id)
    if isinstance(found, Reply):
        return found
    if not note and percent is None:
        return usage_error(
            "请写明进展说明或百分比，例如 `/plan 进展 12 已完成招标 60%`。",
            "Give a note or a percentage, e.g. `/plan update 12 tender finished 60%`.",
        )
    new_percent = found.percent if percent is None else percent
    status = "done" if new_percent == 100 else "in_progress"
    return apply(ctx, found, ProgressForm(status=status, percent=new_percent, note=note or ""))


def done(ctx: CommandContext, task_id: int) -> Reply:
    found = task_for_update(ctx, task_id)
    if isinstance(found, Reply):
        return found
    if found.status == "done":
        return Reply(
            headline=f"任务 #{task_id} 已经是完成状态。\nTask #{task_id} is already done.",
            tasks=[found],
            task_buttons=False,
        )
    return apply(ctx, found, ProgressForm(status="done", percent=100, note="标记完成"))
