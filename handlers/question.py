"""Questions from @mentions and DMs: "区发改局今年有哪些任务？", "下个月到期的任务", "中期评估什么时候？", and
in English "what tasks are due next month?".

A question is read for three things: a unit (any alias the ledger knows, optionally with its jurisdiction), a
time (the same time words as `/plan 到期`) and what is asked (tasks, deadlines, overdue, a review date). When
the bot cannot tell what was asked, it says what it understood and offers the command that would answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.context import CommandContext
from handlers.ledger_views import REVIEW_NAMES, resolve_department, scope_of, visible_page
from handlers.periods import Period, find_period
from handlers.replies import PAGE_SIZE, Reply, usage_error
from handlers.slack_text import escape
from ingest.units import default_alias_table
from storage import bot_queries, task_pages
from storage.bot_queries import DepartmentRef
from storage.task_pages import TaskFilter

REVIEW_WORDS = {
    "中期评估": "mid_term_review",
    "总结评估": "final_review",
    "期末评估": "final_review",
    "年度监测": "annual_monitoring",
    "年度评估": "annual_monitoring",
}
WHEN_WORDS = ("什么时候", "何时", "哪天", "几号", "时间", "日期", "日程", "啥时候")
# matched in the lowered question; "overdue" is looked for before "due"
OVERDUE_WORDS = ("逾期", "超期", "过期", "延期", "晚了", "没按时", "overdue")
DUE_WORDS = ("到期", "截止", "期限", "要完成", "需完成", "deadline", "due")
TASK_WORDS = ("任务", "工作", "事项", "要做", "负责", "哪些", "什么事", "task")
# how a request opens in chat ("帮我查一下", "请问", "看看"); no unit's name begins with these
REQUEST_WORDS = re.compile(
    r"^(?:帮我|帮忙|请问|请|麻烦|我想|想|知道|告诉我|查一下|查查|查询|查|看一下|看看|看|问一下|问问|说说|一下)+"
)


@dataclass(frozen=True)
class Understanding:
    department: DepartmentRef | None
    department_words: str | None  # what in the question named a unit
    period: Period | None
    review_kind: str | None
    intent: str  # tasks, due, overdue, review, unknown

    def describe(self) -> str:
        parts = []
        if self.department_words:
            parts.append(
                f"部门：{escape(self.department.full_name if self.department else self.department_words)}"
            )
        if self.period:
            parts.append(f"时间：{self.period.label}")
        if self.review_kind:
            parts.append(f"事项：{REVIEW_NAMES[self.review_kind]}")
        return "，".join(parts) or "（没有识别出部门或时间）"


def understand(ctx: CommandContext, text: str) -> Understanding | Reply:
    """Read the question; a Reply when a unit it names is ambiguous or unknown."""
    words, department = _find_department(ctx, text)
    if isinstance(department, Reply):
        return department
    period = find_period(text, ctx.today) or _deadline_period(text, ctx)
    lowered = text.lower()
    review_kind = next((kind for word, kind in REVIEW_WORDS.items() if word in text), None)
    if review_kind and (any(word in text for word in WHEN_WORDS) or not any(w in text for w in TASK_WORDS)):
        intent = "review"
    elif any(word in lowered for word in OVERDUE_WORDS):
        intent = "overdue"
    elif any(word in lowered for word in DUE_WORDS) or (period is not None and department is None):
        intent = "due"
    elif any(word in lowered for word in TASK_WORDS) and (department is not None or period is not None):
        intent = "tasks"
    else:
        intent = "unknown"
    return Understanding(department, words, period, review_kind, intent)


def answer(ctx: CommandContext, text: str) -> Reply:
    if task_pages.ledger_is_empty(session=ctx.session):
        # no unit is known yet either: "找不到该部门" would send the user looking for a typo
        return empty_ledger()
    understood = understand(ctx, text)
    if isinstance(understood, Reply):
        return understood
    if understood.intent == "review":
        return _review_answer(ctx, understood)
    if understood.intent == "unknown":
        return _not_understood(understood)
    scope = scope_of(ctx, understood.department) if understood.department else _own_scope(ctx)
    where = TaskFilter(department_ids=scope)
    period = understood.period
    if understood.intent == "overdue":
        where = TaskFilter(department_ids=scope, overdue_on=ctx.today)
    elif period is not None:
        where = TaskFilter(department_ids=scope, due_from=period.start, due_to=period.end)
    elif understood.intent == "due":
        period = find_period("30天", ctx.today)
        assert period is not None
        where = TaskFilter(department_ids=scope, due_from=ctx.today, due_to=period.end)
    found, total = visible_page(ctx, where, offset=0, limit=PAGE_SIZE)
    echo = f"我理解为：{understood.describe()}，查{ {'overdue': '逾期任务', 'due': '到期任务'}.get(understood.intent, '任务') }。"
    headline = f"{echo}\n共 {total} 项 / {total} task(s)" + (
        "，先列出最近的几项：" if total > len(found) else ""
    )
    return Reply(headline=headline, tasks=found, suggestions=_commands_for(understood))


def empty_ledger() -> Reply:
    return Reply(
        headline="📭 台账还是空的：还没有导入任何规划文件，所以查不到部门和任务。\n"
        "协调员可以用 `/plan 导入 网址` 导入，或把文件（.docx、.pdf、.txt）私信给 planbot；"
        "在服务器上用 `planbot ingest 文件`。\n"
        "The ledger is empty: no plan has been imported yet. A coordinator imports one with "
        "`/plan ingest URL`, by sending the file to planbot in a DM, or with `planbot ingest FILE`.",
        suggestions=["/plan 帮助 导入", "/plan 帮助"],
    )


def _review_answer(ctx: CommandContext, understood: Understanding) -> Reply:
    assert understood.review_kind is not None
    reviews = bot_queries.reviews_of_kind(session=ctx.session, kind=understood.review_kind)
    name = REVIEW_NAMES[understood.review_kind]
    if not reviews:
        return Reply(
            headline=f"台账里还没有{name}的日程（需要先导入带规划期的规划文件）。\nNo {name} date in the ledger yet.",
            suggestions=["/plan 日程"],
        )
    lines = []
    for review in reviews[:10]:
        days = (review.due_on - ctx.today).days
        when = f"还剩 {days} 天" if days >= 0 else f"已过 {-days} 天"
        lines.append(
            f"• {escape(review.jurisdiction)}《{escape(review.plan_title)}》{name}（{review.year}年）：{review.due_on.isoformat()}（{when}）"
        )
    return Reply(
        headline=f"{name}日程 / {understood.review_kind.replace('_', ' ')} dates",
        lines=lines,
        suggestions=["/plan 日程"],
    )


def _not_understood(understood: Understanding) -> Reply:
    return usage_error(
        f"🤔 没太看懂要查什么。我理解到的是：{understood.describe()}。\n"
        "可以这样问：“区发改局今年有哪些任务？”“下个月到期的任务”“中期评估什么时候？”，或者用下面的命令。",
        "I could not tell what you asked. Try a question like the ones above, or one of these commands.",
        *_commands_for(understood),
    )


def _commands_for(understood: Understanding) -> list[str]:
    department = understood.department.full_name if understood.department else None
    suggestions = []
    if department:
        suggestions.append(f"/plan 任务 {department}")
    if understood.period:
        suggestions.append("/plan 到期 " + _period_word(understood.period))
    suggestions += ["/plan 逾期", "/plan 日程", "/plan 帮助"]
    return suggestions[:4]


def _period_word(period: Period) -> str:
    if period.start.month == 1 and period.start.day == 1 and period.end.month == 12 and period.end.day == 31:
        return f"{period.start.year}年"
    return (
        f"{(period.end - period.start).days}天"
        if period.label.startswith("今后")
        else period.label.split("（")[0]
    )


def _own_scope(ctx: CommandContext) -> tuple[int, ...]:
    if ctx.actor.is_coordinator or ctx.actor.department is None:
        return ()
    return scope_of(ctx, ctx.actor.department)


def _find_department(ctx: CommandContext, text: str) -> tuple[str | None, DepartmentRef | Reply | None]:
    """The longest unit name in the question, matched against the ledger's aliases and the shipped alias table."""
    known = bot_queries.all_aliases(session=ctx.session)
    shipped = default_alias_table().canonical_by_alias
    candidates = [alias for alias, _ in known if alias and alias in text]
    candidates += [alias for alias in shipped if alias and alias in text]
    if not candidates:
        # a spelling neither list has (区发展和改革局): the extraction engine's unit recogniser finds it
        candidates = [_without_request_words(mention.name) for mention in _recognised_units(text)]
    if not candidates:
        return None, None
    best = max(candidates, key=len)
    start = text.index(best)
    # a jurisdiction written just before the unit (莱芜区发改局) narrows an alias shared by several districts
    prefix = text[max(0, start - 6) : start]
    for cut in range(len(prefix)):
        resolved = resolve_department(ctx, prefix[cut:] + best) if prefix[cut:] else None
        if resolved is not None and not isinstance(resolved, Reply):
            return prefix[cut:] + best, resolved
    return best, resolve_department(ctx, best)


def _without_request_words(name: str) -> str:
    """ "帮我看看教育局" -> "教育局": the recogniser reads a whole run of words up to 局 as one name."""
    trimmed = REQUEST_WORDS.sub("", name)
    return trimmed if len(trimmed) >= 2 else name


def _recognised_units(text: str) -> list[object]:
    from ingest.units import unit_at

    found = []
    position = 0
    while position < len(text):
        mention = unit_at(text, position, lenient=True)
        if mention is not None:
            found.append(mention)
            position = mention.end
        else:
            position += 1
    return found


def _deadline_period(text: str, ctx: CommandContext) -> Period | None:
    """Deadline words the extraction engine reads ("6月底前", "上半年", "第三季度"): up to that day."""
    from ingest.deadlines import TimeContext, explicit_dues

    dues = explicit_dues(text, TimeContext(year=ctx.today.year, period=None))
    if not dues:
        return None
    due = max(dues)
    return Period(min(ctx.today, due.replace(month=1, day=1)), due, f"{due.isoformat()}前")
