"""`/plan 指标 [部门]` lists indicators with their status; `/plan 指标 编号 年份 数值 [说明]` reports a value.

Members report the indicators of their own department, coordinators any. A department name never starts
with a digit, so the first word tells the two forms apart.
"""

from __future__ import annotations

import re

from handlers.context import CommandContext
from handlers.indicator_modal import ACTION_REPORT, button_command
from handlers.indicator_views import JudgedIndicator, indicator_list_text, judge_rows, status_text
from handlers.ledger_views import resolve_department, scope_of
from handlers.permissions import coordinators_text
from handlers.replies import CommandButton, Reply, usage_error
from handlers.slack_text import escape
from storage.indicators import IndicatorError, IndicatorRow, indicator_rows, record_indicator_value

NOTE_LIMIT = 2000
BUTTONS_SHOWN = 10  # 报送 buttons under a list: Slack shows at most 25 in one block, and ten is already many
USAGE = "/plan 指标 编号 年份 数值 [说明]，例如 /plan 指标 3 2026 90.8 统计公报"


def indicators(ctx: CommandContext, text: str | None) -> Reply:
    words = (text or "").split()
    if words and words[0].lstrip("#＃").isdigit():
        return _report(ctx, words)
    return _list(ctx, " ".join(words) or None)


def judged(ctx: CommandContext, rows: list[IndicatorRow]) -> list[JudgedIndicator]:
    settings = ctx.deps.settings
    return judge_rows(
        rows,
        today=ctx.today,
        annual_report_date=settings.annual_report_date,
        tolerance=settings.indicator_tolerance,
    )


def _list(ctx: CommandContext, department: str | None) -> Reply:
    if department is None and ctx.actor.department is not None and not ctx.actor.is_coordinator:
        found = ctx.actor.department
    elif department is None:
        rows = indicator_rows(session=ctx.session)
        return _listing(ctx, judged(ctx, rows), "全部主要指标")
    else:
        resolved = resolve_department(ctx, department)
        if isinstance(resolved, Reply):
            return resolved
        found = resolved
    rows: list[IndicatorRow] = []
    seen: set[int] = set()
    for department_id in scope_of(ctx, found):
        for row in indicator_rows(session=ctx.session, department_id=department_id):
            if row.indicator.id not in seen:
                seen.add(row.indicator.id or 0)
                rows.append(row)
    return _listing(ctx, judged(ctx, rows), f"{found.full_name}的主要指标")


def _listing(ctx: CommandContext, items: list[JudgedIndicator], title: str) -> Reply:
    headline, *lines = indicator_list_text(items, title=escape(title)).split("\n")
    own = set(scope_of(ctx, ctx.actor.department)) if ctx.actor.department is not None else set()
    buttons = [
        CommandButton(f"报送 #{item.id}", button_command(item.id), action=ACTION_REPORT)
        for item in items
        if ctx.actor.is_coordinator or own & set(item.row.department_ids)
    ]
    return Reply(
        headline=headline,
        lines=[escape(line) for line in lines],
        task_buttons=False,
        command_buttons=buttons[:BUTTONS_SHOWN],
    )


def _report(ctx: CommandContext, words: list[str]) -> Reply:
    if len(words) < 3 or not re.fullmatch(r"\d{4}", words[1].rstrip("年")):
        return usage_error(
            f"报送指标数值请写编号、年份和数值。用法：{USAGE}",
            "Report a value with: /plan 指标 ID YEAR VALUE [note]",
            "/plan 指标",
        )
    indicator_id, year, value = int(words[0].lstrip("#＃")), int(words[1].rstrip("年")), words[2]
    note = " ".join(words[3:])
    if len(note) > NOTE_LIMIT:
        return usage_error(f"说明最多 {NOTE_LIMIT} 字。", f"A note holds at most {NOTE_LIMIT} characters.")
    refused = may_report(ctx, indicator_id)
    if refused is not None:
        return refused
    return report_value(ctx, indicator_id=indicator_id, year=year, value=value, note=note)


def may_report(ctx: CommandContext, indicator_id: int) -> Reply | None:
    """None when the asker may report this indicator, else the refusal (or the not-found answer)."""
    rows = indicator_rows(session=ctx.session, indicator_ids=[indicator_id], include_archived=True)
    if not rows:
        return usage_error(
            f"没有编号为 {indicator_id} 的指标。输入 `/plan 指标` 查看编号。",
            f"No indicator {indicator_id}. Type `/plan 指标` for the ids.",
            "/plan 指标",
        )
    if ctx.actor.is_coordinator:
        return None
    row = rows[0]
    if ctx.actor.department is not None and set(scope_of(ctx, ctx.actor.department)) & set(
        row.department_ids
    ):
        return None
    who = coordinators_text(session=ctx.session, settings=ctx.deps.settings)
    units = escape("、".join(row.departments)) or "责任单位"
    return Reply(
        headline=(
            f"⛔ 指标 #{indicator_id} {escape(row.indicator.name)} 只能由 {units} 的成员或协调员（{who}）报送。"
            "如果你属于这些单位，请协调员用 `/plan 成员 @你 部门` 登记。\n"
            f"Indicator #{indicator_id} is reported by members of {units} or by coordinators ({who})."
        ),
        ok=False,
    )


def report_value(
    ctx: CommandContext, *, indicator_id: int, year: int, value: str, note: str, via: str = "slack"
) -> Reply:
    """Record the value (the caller checked who may) and answer with the indicator's new status."""
    try:
        record_indicator_value(
            session=ctx.session,
            indicator_id=indicator_id,
            year=year,
            value=value,
            note=note,
            author=ctx.actor.user_id,
            now=ctx.deps.clock(),
            via=via,
        )
    except IndicatorError as error:
        return usage_error(escape(error.zh), escape(error.en), "/plan 指标")
    (item,) = judged(
        ctx, indicator_rows(session=ctx.session, indicator_ids=[indicator_id], include_archived=True)
    )
    name = escape(item.row.indicator.name)
    return Reply(
        headline=(
            f"已记录指标 #{indicator_id} {name} {year}年：{escape(value)}\n"
            f"Value recorded for indicator #{indicator_id} ({year})."
        ),
        lines=[f"状态 / status：{escape(status_text(item))}", f"历年 / by year：{escape(_values(item))}"],
        task_buttons=False,
    )


def _values(item: JudgedIndicator) -> str:
    return "；".join(f"{year}：{value.value}" for year, value in item.row.values.items()) or "—"
