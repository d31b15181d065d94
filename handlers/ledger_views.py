"""Reading the ledger: tasks of a department, due and overdue tasks, search, one task, calendar, departments.

Each function takes the command context and typed arguments and returns a Reply; nothing here knows Slack.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from handlers.context import CommandContext
from handlers.periods import Period
from handlers.rendering import fits_a_button
from handlers.replies import PAGE_SIZE, Page, Reply, usage_error
from handlers.slack_text import escape, short
from ingest.units import default_alias_table
from storage import bot_queries, departments, page_queries, task_pages
from storage.bot_queries import DepartmentRef
from storage.task_pages import TaskFilter, TaskSummary

REVIEW_NAMES = {"annual_monitoring": "年度监测", "mid_term_review": "中期评估", "final_review": "总结评估"}
DEPARTMENTS_PER_PAGE = 30


def resolve_department(ctx: CommandContext, name: str) -> DepartmentRef | Reply:
    """A department named by any alias, or a Reply listing candidates when it is unknown or ambiguous."""
    name = "".join(name.split())
    shown = escape(name)
    match = departments.resolve_department(session=ctx.session, name=name, aliases=default_alias_table())
    if match.department is not None and match.department.id is not None:
        found = bot_queries.department_ref(session=ctx.session, department_id=match.department.id)
        if found is not None:
            return found
    if match.candidates:
        labels = [match.label(candidate) for candidate in match.candidates[:8]]
        names = escape("、".join(labels))
        ids = [candidate.id for candidate in match.candidates if candidate.id is not None]
        if bot_queries.named_by_alias(session=ctx.session, department_ids=ids, alias=name):
            return usage_error(
                f"“{shown}”有 {len(match.candidates)} 个：{names}。请在前面加上辖区名（如 {escape(labels[0])}）。",
                f'"{shown}" names {len(match.candidates)} departments: {names}. Put the jurisdiction first.',
                *(f"/plan 任务 {label}" for label in labels[:3]),
            )
        return usage_error(
            f"找不到部门“{shown}”。你是不是要找：{names}？",
            f'No department "{shown}". Did you mean: {names}?',
            *(f"/plan 任务 {label}" for label in labels[:3]),
        )
    return usage_error(
        f"找不到部门“{shown}”。输入 `/plan 部门` 查看全部部门。",
        f'No department "{shown}". Type `/plan depts` to list them.',
        "/plan 部门",
    )


def scope_of(ctx: CommandContext, department: DepartmentRef | None) -> tuple[int, ...]:
    """The department and the collective addressees (各部门, 各镇街…) that speak to it."""
    if department is None:
        return ()
    collective = bot_queries.collective_department_ids(session=ctx.session, department=department)
    return (department.id, *collective)


def visible_page(
    ctx: CommandContext, where: TaskFilter, *, offset: int, limit: int
) -> tuple[list[TaskSummary], int]:
    """A page of tasks as the asker may read it, on the asker's today. Tasks awaiting review (待核对) are the
    coordinators' alone until confirmed: every list, search and App Home reads through here, so no department
    hears of them."""
    where = replace(where, confirmed_only=not ctx.actor.is_coordinator, today=ctx.today)
    return task_pages.task_page(session=ctx.session, where=where, offset=offset, limit=limit)


def tasks(ctx: CommandContext, department: str | None) -> Reply:
    if department is None:
        if ctx.actor.department is None:
            return usage_error(
                "你还没有登记所属部门，请写明部门，例如 `/plan 任务 区发改局`；或请协调员用 `/plan 成员 @你 部门` 登记。",
                "You are not registered with a department: name one (`/plan tasks DEPT`) or ask a coordinator "
                "to register you (`/plan member @you DEPT`).",
                "/plan 部门",
            )
        target: DepartmentRef = ctx.actor.department
    else:
        resolved = resolve_department(ctx, department)
        if isinstance(resolved, Reply):
            return resolved
        target = resolved
    where = TaskFilter(department_ids=scope_of(ctx, target))
    name = escape(target.full_name)
    return _task_list(ctx, where, f"{name}的未完成任务", f"Open tasks of {name}")


def due(ctx: CommandContext, period: Period | None) -> Reply:
    window = period or Period(ctx.today, ctx.today + timedelta(days=30), "今后30天")
    where = TaskFilter(
        department_ids=_default_scope(ctx),
        due_from=max(window.start, ctx.today) if period is None else window.start,
        due_to=window.end,
    )
    who = _scope_name(ctx)
    return _task_list(
        ctx, where, f"{who}{window.label}到期的任务", f"Tasks due ({window.start} – {window.end})"
    )


def overdue(ctx: CommandContext) -> Reply:
    where = TaskFilter(department_ids=_default_scope(ctx), overdue_on=ctx.today)
    return _task_list(ctx, where, f"{_scope_name(ctx)}已逾期的任务", "Overdue tasks")


def search(ctx: CommandContext, text: str) -> Reply:
    where = TaskFilter(search=text.strip(), include_closed=True)
    shown = escape(text)
    return _task_list(ctx, where, f"包含“{shown}”的任务", f'Tasks mentioning "{shown}"')


def show(ctx: CommandContext, task_id: int) -> Reply:
    task = task_pages.task_summary(session=ctx.session, task_id=task_id)
    hidden = task is not None and task.awaiting_review and not ctx.actor.is_coordinator
    if task is None or task.status == "archived" or hidden:
        return usage_error(
            f"没有编号为 #{task_id} 的任务（可能已随文件修订归档）。用 `/plan 搜索 关键词` 查找任务编号。",
            f"No task #{task_id} (it may have been archived by a revision). Use `/plan search WORDS` to find ids.",
        )
    return Reply(headline=f"任务 #{task.id} 详情 / Task #{task.id}", tasks=[task], detailed=True)


def calendar(ctx: CommandContext) -> Reply:
    reviews = bot_queries.upcoming_reviews(session=ctx.session, from_day=ctx.today, limit=6)
    lines = ["*评估与监测日程 / Review calendar*"]
    if not reviews:
        lines.append("（暂无待办的评估事项 / none ahead）")
    for review in reviews:
        days = (review.due_on - ctx.today).days
        lines.append(
            f"• {review.due_on.isoformat()}（还剩 {days} 天） {REVIEW_NAMES.get(review.kind, review.kind)}"
            f"（{review.year}年） — {escape(review.jurisdiction)}《{escape(review.plan_title)}》"
        )
    upcoming, total = visible_page(
        ctx, TaskFilter(department_ids=_default_scope(ctx), due_from=ctx.today), offset=0, limit=8
    )
    lines.append("")
    lines.append(f"*近期到期的任务 / Next deadlines*（共 {total} 项 / {total} in all）")
    for task in upcoming:
        lead = escape("、".join(task.leads)) or "（未指明）"
        lines.append(
            f"• {task.due_on.isoformat() if task.due_on else '—'}  #{task.id} {short(task.action, 40)} — {lead}"
        )
    return Reply(headline="日程 / Calendar", lines=lines, suggestions=["/plan 到期 本季度", "/plan 逾期"])


def depts(ctx: CommandContext) -> Reply:
    loads = bot_queries.department_loads(
        session=ctx.session, today=ctx.today, confirmed_only=not ctx.actor.is_coordinator
    )
    if not loads:
        return Reply(
            headline="台账中还没有部门。请协调员先导入规划文件：`/plan 导入 网址`。\n"
            "The ledger has no departments yet. A coordinator imports a plan first: `/plan ingest URL`.",
            ok=False,
        )
    start = ctx.page * DEPARTMENTS_PER_PAGE
    lines = []
    for load in loads[start : start + DEPARTMENTS_PER_PAGE]:
        late = f"，逾期 {load.overdue_tasks}" if load.overdue_tasks else ""
        lines.append(f"• {escape(load.department.full_name)}：未完成 {load.open_tasks}{late}")
    page = _page(ctx, DEPARTMENTS_PER_PAGE, len(loads))
    return Reply(
        headline=f"部门 / Departments（{len(loads)}）",
        lines=lines,
        page=page,
        suggestions=["/plan 任务 部门名"],
    )


def _task_list(ctx: CommandContext, where: TaskFilter, zh: str, en: str) -> Reply:
    found, total = visible_page(ctx, where, offset=ctx.page * PAGE_SIZE, limit=PAGE_SIZE)
    if total == 0:
        return Reply(headline=f"{zh}：没有。\n{en}: none.", suggestions=["/plan 日程", "/plan 帮助"])
    return Reply(
        headline=f"*{zh}*（{total} 项）\n{en} ({total})",
        tasks=found,
        page=_page(ctx, PAGE_SIZE, total),
    )


def _page(ctx: CommandContext, size: int, total: int) -> Page:
    """The list's page; its command is stored when the pager's buttons could not carry it."""
    query_id = None
    if total > size and not fits_a_button(ctx.text):
        query_id = page_queries.remember_query(session=ctx.session, command=ctx.text, now=ctx.deps.clock())
    return Page(ctx.page, size, total, ctx.text, query_id)


def _default_scope(ctx: CommandContext) -> tuple[int, ...]:
    """Members see their own department by default; coordinators and readers see the whole ledger."""
    if ctx.actor.is_coordinator or ctx.actor.department is None:
        return ()
    return scope_of(ctx, ctx.actor.department)


def _scope_name(ctx: CommandContext) -> str:
    if ctx.actor.is_coordinator or ctx.actor.department is None:
        return "全部部门"
    return escape(ctx.actor.department.full_name)
