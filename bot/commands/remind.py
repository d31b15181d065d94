"""`planbot remind`: list the reminders a date range would bring (dry run), or sweep and dispatch now."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from bot.commands.holidays import load_calendar
from bot.commands.ledger_support import out_console
from bot.deps import Deps, system_clock
from bot.notifiers.digest_chart import digest_chart_attachment
from bot.notifiers.dispatch import DispatchOptions
from bot.notifiers.setup import build_notifier, robot_fallback_targets, slack_client_for
from bot.scheduler import SqliteLock, dispatch, holiday_warning, local_today, sweep
from bot.settings import load_settings
from handlers.reminders import KINDS, UNBOUND, ReminderConventions, planned_reminders, with_unbound_shown
from handlers.working_days import use_calendar
from storage import reminder_queries, reminder_snapshot
from storage.db import is_sqlite, open_database, session_factory

KIND_NAMES = {
    "deadline": "到期",
    "overdue": "逾期",
    "annual_monitoring": "年度监测",
    "mid_term_review": "中期评估",
    "final_review": "总结评估",
    "digest": "周报",
}


class OutputFormat(StrEnum):
    jsonl = "jsonl"
    table = "table"


def register(app: typer.Typer) -> None:
    app.command("remind")(remind_command)


def remind_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只列出将发送的提醒 / list, do not send")
    ] = False,
    now: Annotated[
        bool, typer.Option("--now", help="立即扫描并发送一次 / one sweep and one dispatch now")
    ] = False,
    start: Annotated[str | None, typer.Option("--from", help="起始日期 YYYY-MM-DD（默认今天）")] = None,
    end: Annotated[str | None, typer.Option("--to", help="结束日期 YYYY-MM-DD（默认起始后 30 天）")] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table | jsonl")
    ] = OutputFormat.table,
    workers: Annotated[int, typer.Option(help="并发发送线程数 / sending threads")] = 8,
    bound_only: Annotated[
        bool,
        typer.Option(
            "--bound-only", help="预览时略去未绑定频道的部门 / skip departments with no channel yet"
        ),
    ] = False,
    batch: Annotated[int, typer.Option(help="每批认领的提醒数 / deliveries claimed at a time")] = 20_000,
    status: Annotated[
        bool,
        typer.Option(
            "--status", help="列出结果不明、卡住、失败和延后的提醒 / list uncertain, stuck, failed, deferred ones"
        ),
    ] = False,
    today: Annotated[
        str | None,
        typer.Option("--today", help="按这一天发送（YYYY-MM-DD，默认今天）/ send as on this day"),
    ] = None,
) -> None:
    """提醒：预览某段时间内将发送的提醒，或立即发送到期提醒。 Preview reminders for a date range, or send due ones now."""
    err = Console(stderr=True, highlight=False)
    if [dry_run, now, status].count(True) != 1:
        err.print(
            "请指定 --dry-run、--now 或 --status 之一。\n"
            "Choose one of --dry-run (preview), --now (send) or --status (what needs a look)."
        )
        raise typer.Exit(code=2)
    settings = load_settings()
    clock = _clock_for(today, settings.timezone, err)
    use_calendar(load_calendar(settings.holiday_file))
    engine = open_database(settings.database_url)
    sessions = session_factory(engine)
    try:
        if status:
            with sessions() as session:
                problems = reminder_queries.delivery_problems(session=session, now=clock())
            _print_problems(problems, err)
            if problems:
                raise typer.Exit(code=1)
            return
        if dry_run:
            first, last = _date_range(start, end, err, settings.timezone)
            with sessions() as session:
                snapshot = reminder_snapshot.load_snapshot(
                    session=session,
                    defaults=ReminderConventions.from_settings(settings),
                    coordinator_user_ids=settings.coordinator_ids,
                    fallback_targets=robot_fallback_targets(settings),
                )
            if not bound_only:
                # a preview is most useful before any channel is bound: show those reminders as "unbound"
                snapshot = with_unbound_shown(snapshot)
            reminders = planned_reminders(snapshot, first, last, kinds=KINDS)
            warning = holiday_warning(first, last)
            if warning:
                err.print(warning, soft_wrap=True)
            if output_format is OutputFormat.jsonl:
                lines = [json.dumps(reminder.as_json(), ensure_ascii=False) for reminder in reminders]
                sys.stdout.write("".join(line + "\n" for line in lines))
                sys.stdout.flush()
            else:
                out_console().print(_table(reminders, first, last))
            return
        # robot webhooks come from the channel bindings at dispatch time
        client = slack_client_for(settings)
        deps = Deps(
            settings=settings,
            session_factory=sessions,
            clock=clock,
            slack_client=client,
            notifier=build_notifier(
                settings,
                slack_client=client,
                attachment_for=digest_chart_attachment(
                    sessions, clock=clock, timezone=settings.timezone
                ),
            ),
        )
        warning = holiday_warning(local_today(deps))
        if warning:
            err.print(warning, soft_wrap=True)
        inserted = sweep(deps, kinds=KINDS)
        file_lock = SqliteLock(engine)
        if is_sqlite(engine) and not file_lock.acquire():
            err.print(
                f"新增提醒 {inserted} 条。另一个 planbot 进程（serve）正在发送提醒，由它发送。\n"
                f"{inserted} new; another planbot process (serve) is dispatching and will send them."
            )
            return
        try:
            if is_sqlite(engine):
                # we hold the SQLite file's lock: a row still `sending` was left by a run that died
                with sessions() as session:
                    reminder_queries.release_abandoned_now(session=session, now=clock())
            report = dispatch(deps, options=DispatchOptions(workers=workers, batch=batch))
        finally:
            file_lock.release()
        with sessions() as session:
            waiting = reminder_queries.delivery_counts(session=session).get("pending", 0)
        err.print(
            f"{local_today(deps).isoformat()}：新增提醒 {inserted} 条，已发送 {report.sent} 条"
            f"（其中 {report.checked} 条结果不明、经核实已送达，未重发），崩溃后核实已发 {report.recovered} 条，"
            f"失败 {report.failed} 条，结果不明无法核实 {report.uncertain} 条，延后重试 {report.deferred} 条，"
            f"尚待发送 {waiting} 条。\n"
            f"{inserted} new, {report.sent} sent ({report.checked} of them unclear and found in the channel, "
            f"not resent), {report.recovered} found already sent after a crash, {report.failed} failed, "
            f"{report.uncertain} uncertain, {report.deferred} deferred, {waiting} still pending.",
            soft_wrap=True,  # one line each, for cron's mail and the logs
        )
        for error in report.errors[:20]:
            err.print(f"  ✗ {error}")
        if report.failed or report.uncertain or report.deferred:
            # cron (or whoever runs this) must notice; `--status` lists what needs a look
            err.print("有提醒未能确认送达：用 `planbot remind --status` 查看。 Run `planbot remind --status`.")
            raise typer.Exit(code=1)
    finally:
        engine.dispose()


def _clock_for(today: str | None, zone: str, err: Console):  # type: ignore[no-untyped-def]
    """The system clock, or with --today a clock standing at 18:00 of that day (after every send time)."""
    if today is None:
        return system_clock
    try:
        day = date.fromisoformat(today)
    except ValueError as error:
        err.print(f"日期格式应为 YYYY-MM-DD：{error}\nDates are YYYY-MM-DD.")
        raise typer.Exit(code=2) from error
    at = datetime.combine(day, time(18, 0), ZoneInfo(zone))
    return lambda: at


STATE_NAMES = {"uncertain": "结果不明", "stuck": "卡在发送中", "failed": "失败", "deferred": "延后重试"}


def _print_problems(problems: list, err: Console) -> None:
    if not problems:
        out_console().print("没有需要处理的提醒。 Every reminder is sent or waiting for its time.")
        return
    table = Table(title=f"需要处理的提醒 {len(problems)} 条 / deliveries that need a look", show_lines=True)
    for column in ("状态", "编号", "发往", "尝试", "错误", "内容"):
        table.add_column(column, overflow="fold")
    for problem in problems:
        table.add_row(
            STATE_NAMES.get(problem.state, problem.state),
            str(problem.id),
            problem.target,
            str(problem.attempts),
            problem.error[:120],
            problem.first_line[:80],
        )
    out_console().print(table)
    err.print(
        "结果不明：请到该频道确认是否收到，并把 planbot 邀请进频道；失败：检查频道绑定；延后重试：下次运行会再发。\n"
        "Uncertain: look in the channel and invite the bot; failed: check the binding; deferred: sent on a later run."
    )


def _date_range(start: str | None, end: str | None, err: Console, zone: str) -> tuple[date, date]:
    try:
        first = date.fromisoformat(start) if start else system_clock().astimezone(ZoneInfo(zone)).date()
        last = date.fromisoformat(end) if end else first + timedelta(days=30)
    except ValueError as error:
        err.print(f"日期格式应为 YYYY-MM-DD：{error}\nDates are YYYY-MM-DD.")
        raise typer.Exit(code=2) from error
    if last < first:
        err.print("结束日期早于起始日期。\n--to is before --from.")
        raise typer.Exit(code=2)
    return first, last


def _table(reminders: list, first: date, last: date) -> Table:
    table = Table(
        title=f"{first.isoformat()} 至 {last.isoformat()} 将发送的提醒：{len(reminders)} 条", show_lines=True
    )
    for column in ("日期", "类别", "辖区", "部门", "任务", "发往", "内容"):
        table.add_column(column, overflow="fold")
    for reminder in reminders:
        table.add_row(
            reminder.fire_on.isoformat(),
            KIND_NAMES.get(reminder.kind, reminder.kind),
            reminder.jurisdiction,
            reminder.department or "（统筹协调）",
            str(reminder.task_id or ""),
            "（未绑定）" if reminder.target == UNBOUND else reminder.target,
            reminder.text.splitlines()[0],
        )
    return table
