"""Review before anyone is messaged: the card a coordinator gets after an import, `/plan 核对` (what waits,
confirm or discard a plan's tasks), `/plan 未分配` (tasks that name no unit) and `/plan 分配` (give one a unit).

Tasks of a document imported in chat wait (待核对) until a coordinator confirms them; reminders skip them.
"""

from __future__ import annotations

from datetime import UTC

from handlers.context import CommandContext
from handlers.replies import CommandButton, Reply, usage_error
from handlers.slack_text import escape, short
from ingest.units import AliasTable, default_alias_table
from storage.ingest import LOW_CONFIDENCE, IngestReport
from storage.models import Plan, Task
from storage.task_review import (
    confirm_tasks,
    discard_tasks,
    review_summary,
    tasks_awaiting_review,
    unassigned_tasks,
)
from storage.tasks import Editor, TaskChanges, TaskEditError, edit_task

LISTED = 20  # tasks listed in one answer; the rest are counted
CONFIRM_WORDS = ("确认", "confirm")
DISCARD_WORDS = ("舍弃", "discard", "丢弃")


def aliases_of(ctx: CommandContext) -> AliasTable:
    settings = ctx.deps.settings
    table = default_alias_table()
    return table.extended_from_file(settings.alias_file) if settings.alias_file else table


def editor_of(ctx: CommandContext) -> Editor:
    return Editor(author=ctx.actor.user_id, via="slack", now=ctx.deps.clock().astimezone(UTC))


def review_buttons(plan_id: int) -> list[CommandButton]:
    return [
        CommandButton("全部确认", f"核对 确认 {plan_id}", style="primary"),
        CommandButton("查看清单", f"核对 {plan_id}"),
        CommandButton("舍弃", f"核对 舍弃 {plan_id}", style="danger"),
    ]


def review_card(ctx: CommandContext, report: IngestReport, headline: str) -> Reply:
    """What the coordinator sees after an import: the counts, what needs a second look, and the buttons."""
    summary = review_summary(session=ctx.session, plan_id=report.plan_id)
    if summary.count == 0:
        return Reply(headline=headline, suggestions=["/plan 部门", "/plan 日程"], task_buttons=False)
    flagged = set(summary.unassigned_ids) | set(summary.low_confidence_ids)
    lines = [
        _task_line(task, unassigned=task.id in summary.unassigned_ids)
        for task in tasks_awaiting_review(session=ctx.session, plan_id=report.plan_id)
        if task.id in flagged
    ][:LISTED]
    return Reply(
        headline=(
            f"{headline}\n📝 待核对 {summary.count} 项：确认前不会提醒任何部门。"
            f"其中未指明单位 {len(summary.unassigned_ids)} 项，识别把握较低 {len(summary.low_confidence_ids)} 项。\n"
            f"{summary.count} task(s) await your review; no department is reminded until you confirm them."
        ),
        lines=lines,
        command_buttons=review_buttons(report.plan_id),
        task_buttons=False,
    )


def _task_line(task: Task, *, unassigned: bool = False) -> str:
    due = task.due_on.isoformat() if task.due_on else "无时限"
    flags = []
    if unassigned:
        flags.append("未指明单位")
    if task.confidence is not None and task.confidence < LOW_CONFIDENCE:
        flags.append(f"把握 {task.confidence:.0%}")
    note = f"（{'，'.join(flags)}）" if flags else ""
    return f"• #{task.id} {escape(short(task.action, 80))}　{due}{note}"


def review(ctx: CommandContext, text: str | None) -> Reply:
    """/plan 核对 [确认|舍弃] [规划编号]: list what waits, or close the review of one plan (or of all)."""
    words = (text or "").split()
    verb = words[0].lower() if words and not words[0].isdigit() else None
    numbers = [word for word in words if word.isdigit()]
    plan_id = int(numbers[0]) if numbers else None
    if verb is not None and verb not in CONFIRM_WORDS + DISCARD_WORDS:
        return usage_error(
            f"不认识“{escape(words[0])}”。用法：`/plan 核对`、`/plan 核对 确认 规划编号`、`/plan 核对 舍弃 规划编号`。",
            "Usage: `/plan review`, `/plan review confirm PLAN`, `/plan review discard PLAN`.",
        )
    if plan_id is not None and ctx.session.get(Plan, plan_id) is None:
        return usage_error(f"没有编号为 {plan_id} 的规划。", f"There is no plan #{plan_id}.", "/plan 核对")
    waiting = tasks_awaiting_review(session=ctx.session, plan_id=plan_id)
    if verb is None:
        return _waiting_list(ctx, waiting, plan_id)
    if verb in DISCARD_WORDS and plan_id is None:
        return usage_error(
            "舍弃须写明规划编号，例如 `/plan 核对 舍弃 3`。",
            "Name the plan to discard, e.g. `/plan review discard 3`.",
        )
    ids = [task.id for task in waiting if task.id is not None]
    if verb in CONFIRM_WORDS:
        count = confirm_tasks(session=ctx.session, task_ids=ids, editor=editor_of(ctx))
        return Reply(
            headline=f"✅ 已确认 {count} 项任务，今后按期提醒各部门。\n{count} task(s) confirmed; reminders will go out.",
            suggestions=["/plan 未分配", "/plan 部门"],
            task_buttons=False,
        )
    count = discard_tasks(session=ctx.session, task_ids=ids, editor=editor_of(ctx))
    return Reply(
        headline=f"🗑 已舍弃 {count} 项待核对任务（已归档，不会提醒）。\n{count} task(s) discarded.",
        task_buttons=False,
    )


def _waiting_list(ctx: CommandContext, waiting: list[Task], plan_id: int | None) -> Reply:
    if not waiting:
        return Reply(
            headline="没有待核对的任务。 Nothing awaits review.",
            suggestions=["/plan 未分配"],
            task_buttons=False,
        )
    unassigned = {task.id for task in unassigned_tasks(session=ctx.session)}
    plans = sorted({task.plan_id for task in waiting})
    lines = [_task_line(task, unassigned=task.id in unassigned) for task in waiting[:LISTED]]
    if len(waiting) > LISTED:
        lines.append(f"……另有 {len(waiting) - LISTED} 项 / {len(waiting) - LISTED} more")
    buttons = [button for plan in plans[:3] for button in review_buttons(plan)[:1]] if plan_id is None else []
    return Reply(
        headline=(
            f"📝 待核对的任务 {len(waiting)} 项（确认前不提醒）：\n"
            f"{len(waiting)} task(s) await review; nobody is reminded of them yet."
        ),
        lines=lines,
        command_buttons=review_buttons(plan_id) if plan_id is not None else buttons,
        suggestions=["/plan 分配 编号 部门", "/plan 核对 确认 规划编号"],
        task_buttons=False,
    )


def unassigned(ctx: CommandContext) -> Reply:
    """/plan 未分配: tasks that name no unit, so that nobody would ever be reminded of them."""
    tasks = unassigned_tasks(session=ctx.session)
    if not tasks:
        return Reply(headline="每项任务都有责任单位。 Every task has a unit.", task_buttons=False)
    lines = [_task_line(task) for task in tasks[:LISTED]]
    if len(tasks) > LISTED:
        lines.append(f"……另有 {len(tasks) - LISTED} 项 / {len(tasks) - LISTED} more")
    return Reply(
        headline=(
            f"📭 未指明责任单位的任务 {len(tasks)} 项。用 `/plan 分配 编号 部门` 指定牵头单位，"
            f"或在任务卡上点“修改”。\n{len(tasks)} task(s) name no unit: assign one with `/plan assign ID DEPT`."
        ),
        lines=lines,
        suggestions=[f"/plan 分配 {tasks[0].id} 部门"],
        task_buttons=False,
    )


def assign(ctx: CommandContext, task_id: int, department: str) -> Reply:
    """/plan 分配 编号 部门: make a unit the task's lead (the unit is looked up in the task's jurisdiction)."""
    task = ctx.session.get(Task, task_id)
    if task is None or task.status == "archived":
        return usage_error(f"没有编号为 #{task_id} 的任务。", f"No task #{task_id}.", "/plan 未分配")
    try:
        changes = edit_task(
            session=ctx.session,
            task_id=task_id,
            changes=TaskChanges(lead=(department.strip(),)),
            editor=editor_of(ctx),
            aliases=aliases_of(ctx),
        )
    except TaskEditError as refused:
        return usage_error(refused.zh, refused.en, "/plan 部门")
    lead = next((change.new for change in changes if change.field == "lead"), None)
    if lead is None:
        return Reply(headline=f"任务 #{task_id} 的牵头单位没有变化。 Nothing changed.", task_buttons=False)
    return Reply(
        headline=f"✅ 任务 #{task_id} 的牵头单位已设为 {escape(lead)}。\nTask #{task_id} is now led by {escape(lead)}.",
        suggestions=["/plan 未分配", f"/plan 详情 {task_id}"],
        task_buttons=False,
    )
