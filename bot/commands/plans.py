"""`planbot plan list` and `planbot plan reminders`: the plans in the ledger and each plan's reminder settings."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from bot.commands.ledger_support import fail, open_ledger, out_console
from bot.deps import system_clock
from bot.settings import Settings, load_settings
from handlers.plan_reminders import describe
from storage.plan_archive import PlanNotFound, archived_plan_ids, set_plan_archived
from storage.plan_settings import (
    PlanOverview,
    PlanSettingsError,
    ReminderOverrides,
    overrides_from_words,
    plan_overviews,
    update_plan_reminders,
)
from storage.reminder_rows import ReminderConventions

KIND_NAMES = {  # ingest.records.DOCUMENT_KINDS
    "five_year_plan": "五年规划",
    "annual_plan": "年度计划",
    "mechanism_opinion": "实施机制意见",
    "division_plan": "任务分工方案",
    "annual_breakdown": "年度任务分解",
    "drafting_work_plan": "规划编制工作方案",
    "supervision_notice": "督查督办通知",
    "regulation": "规划条例/管理办法",
    "speech": "讲话",
    "other": "其他",
}


def register(app: typer.Typer) -> None:
    plan_app = typer.Typer(help="规划及其提醒设置 / plans and their reminder settings", no_args_is_help=True)
    plan_app.command("list")(plan_list_command)
    plan_app.command("reminders")(plan_reminders_command)
    plan_app.command("archive")(plan_archive_command)
    app.add_typer(plan_app, name="plan")


def plan_list_command(
    output_format: Annotated[str, typer.Option("--format", help="table | jsonl")] = "table",
) -> None:
    """列出台账中的规划及其提醒设置。 List the plans in the ledger with their reminder settings."""
    if output_format not in ("table", "jsonl"):
        raise fail(f"不支持的输出格式：{output_format}。请用 table 或 jsonl。", f"unknown format {output_format}: use table or jsonl", code=2)
    settings = load_settings()
    defaults = ReminderConventions.from_settings(settings)
    with open_ledger(settings) as session:
        overviews = plan_overviews(session=session)
        archived = archived_plan_ids(session=session)
    if output_format == "jsonl":
        for overview in overviews:
            print(json.dumps(_plan_line(overview, overview.id in archived), ensure_ascii=False))
        return
    if not overviews:
        out_console().print(
            "台账中还没有规划。请先用 `planbot ingest 文件` 导入。 No plans yet: run `planbot ingest FILE`."
        )
        return
    table = Table(title=f"规划 {len(overviews)} 个 / plans", show_lines=True)
    for column in ("编号", "辖区", "规划", "类型", "期间", "提醒设置"):
        table.add_column(column, overflow="fold")
    for overview in overviews:
        table.add_row(
            str(overview.id),
            overview.jurisdiction,
            overview.title,
            KIND_NAMES.get(overview.kind, overview.kind),
            overview.period,
            ("已归档（不再提醒）" if overview.id in archived else "")
            or _retired(overview.period, defaults, settings.timezone)
            or describe(overview, defaults),
        )
    out_console().print(table)


def plan_reminders_command(
    plan_id: Annotated[int, typer.Argument(help="规划编号（planbot plan list）/ plan id", min=1)],
    deadline_days: Annotated[
        str | None,
        typer.Option("--deadline-days", help="到期前几天提醒，如 30,7,1,0 / days before a deadline"),
    ] = None,
    review_days: Annotated[
        str | None,
        typer.Option("--review-days", help="中期、总结评估前几天，如 60,30,7 / days before a review"),
    ] = None,
    annual_days: Annotated[
        str | None,
        typer.Option("--annual-days", help="年度监测前几天，如 30,7 / days before the annual report"),
    ] = None,
    overdue_every: Annotated[
        int | None,
        typer.Option("--overdue-every", help="逾期后每隔几天提醒 / days between overdue reminders"),
    ] = None,
    pause: Annotated[
        bool, typer.Option("--pause", help="暂停本规划的提醒 / pause this plan's reminders")
    ] = False,
    resume: Annotated[bool, typer.Option("--resume", help="恢复本规划的提醒 / resume them")] = False,
    reset: Annotated[
        bool, typer.Option("--reset", help="恢复为全局默认天数 / back to the global default days")
    ] = False,
) -> None:
    """设置某个规划自己的提醒天数，或暂停、恢复它的提醒。 Set one plan's reminder days, or pause or resume them."""
    if pause and resume:
        raise fail("--pause 和 --resume 只能选一个。", "Choose one of --pause and --resume.", code=2)
    settings: Settings = load_settings()
    try:
        overrides = overrides_from_words(
            deadline_days=deadline_days,
            review_days=review_days,
            annual_monitoring_days=annual_days,
            overdue_every_days=overdue_every,
        )
    except PlanSettingsError as error:
        raise fail(error.zh, error.en, code=2) from error
    nothing_asked = overrides == ReminderOverrides() and not (pause or resume or reset)
    with open_ledger(settings) as session:
        try:
            overview = update_plan_reminders(
                session=session,
                plan_id=plan_id,
                overrides=overrides,
                paused=True if pause else (False if resume else None),
                reset=reset,
            )
        except PlanSettingsError as error:
            raise fail(error.zh, error.en) from error
    line = describe(overview, ReminderConventions.from_settings(settings))
    prefix = "" if nothing_asked else "✓ "
    out_console().print(f"{prefix}{overview.id} {overview.jurisdiction} {overview.title}：{line}")


def plan_archive_command(
    plan_id: Annotated[int, typer.Argument(help="规划编号（planbot plan list）/ plan id", min=1)],
    undo: Annotated[bool, typer.Option("--undo", help="取消归档，恢复提醒 / bring the plan back")] = False,
) -> None:
    """归档规划：任务留在台账中，但不再提醒。 Archive a plan: its tasks stay in the ledger, reminders stop."""
    settings: Settings = load_settings()
    with open_ledger(settings) as session:
        try:
            plan = set_plan_archived(session=session, plan_id=plan_id, archived=not undo, now=system_clock())
        except PlanNotFound as error:
            raise fail(error.zh, error.en) from error
    name = f"{plan.id} {plan.jurisdiction}《{plan.title}》"
    if undo:
        state = "已恢复，其任务重新按设置提醒" if plan.changed else "本来就没有归档"
        english = "is active again" if plan.changed else "was not archived"
    else:
        state = "已归档，其任务不再提醒（`--undo` 可恢复）" if plan.changed else "早已归档"
        english = "is archived: no more reminders of its tasks" if plan.changed else "was archived already"
    out_console().print(f"{'✓ ' if plan.changed else ''}{name}{state}。\nPlan {plan.id} {english}.")


def _plan_line(overview: PlanOverview, archived: bool) -> dict[str, object]:
    """One plan as `planbot plan list --format jsonl` prints it (DESIGN.md)."""
    return {
        "id": overview.id,
        "jurisdiction": overview.jurisdiction,
        "title": overview.title,
        "kind": overview.kind,
        "year": overview.year,
        "period": list(overview.period_years) if overview.period_years else None,
        "archived": archived,
        "reminders_paused": overview.paused,
    }


def _retired(period: str, defaults: ReminderConventions, zone: str) -> str:
    """The words for a plan whose period ended longer ago than the archive delay: its tasks are not reminded."""
    if not period or defaults.archive_after_days is None:
        return ""
    last_year = int(period[-4:])
    today = system_clock().astimezone(ZoneInfo(zone)).date()
    if today <= date(last_year, 12, 31) + timedelta(days=defaults.archive_after_days):
        return ""
    return f"规划期已于 {last_year} 年结束，自动归档，不再提醒（PLANBOT_ARCHIVE_AFTER_PERIOD_DAYS）"
