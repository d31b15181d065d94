"""App Home: the user's department, its open tasks by due date, the next review event, and buttons."""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers.context import CommandContext
from handlers.ledger_views import REVIEW_NAMES, scope_of, visible_page
from handlers.rendering import blocks
from handlers.replies import Reply
from handlers.slack_text import escape
from storage import bot_queries
from storage.task_pages import TaskFilter

HOME_TASKS = 8


def home_reply(ctx: CommandContext) -> Reply:
    actor = ctx.actor
    lines: list[str] = []
    reviews = bot_queries.upcoming_reviews(session=ctx.session, from_day=ctx.today, limit=1)
    if reviews:
        review = reviews[0]
        days = (review.due_on - ctx.today).days
        lines.append(
            f"📅 下一个评估节点 / Next review：{REVIEW_NAMES.get(review.kind, review.kind)}（{review.year}年）"
            f" {review.due_on.isoformat()}，还剩 {days} 天 — {escape(review.jurisdiction)}《{escape(review.plan_title)}》"
        )
    else:
        lines.append("📅 暂无待办的评估节点 / No review event ahead")
    if actor.department is None:
        who = "协调员 / coordinator" if actor.is_coordinator else "尚未登记部门 / no department yet"
        headline = f"*planbot 任务台账*\n你的身份：{who}"
        where = TaskFilter()
        if not actor.is_coordinator:
            lines.append(
                "请协调员用 `/plan 成员 @你 部门` 登记你的部门；现在可以用 `/plan 任务 部门` 查看任何部门。"
            )
    else:
        headline = f"*planbot 任务台账*\n你的部门 / Your department：*{escape(actor.department.full_name)}*"
        where = TaskFilter(department_ids=scope_of(ctx, actor.department))
    found, total = visible_page(ctx, where, offset=0, limit=HOME_TASKS)
    lines.append(
        f"未完成任务（按期限）/ Open tasks by due date：{total} 项"
        + ("，显示最近的几项" if total > len(found) else "")
    )
    return Reply(headline=headline, tasks=found, lines=lines, home_buttons=True)


def home_view(reply: Reply, today: date) -> dict[str, Any]:
    """views.publish's view: the tasks come after the summary lines, so the summary is seen first."""
    summary = Reply(headline=reply.headline, lines=reply.lines)
    tasks = Reply(headline="—", tasks=reply.tasks, home_buttons=True)
    return {"type": "home", "blocks": (blocks(summary, today) + blocks(tasks, today)[1:])[:100]}
