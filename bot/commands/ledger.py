"""Ledger commands: ingest, tasks, depts, calendar, progress (and, from ledger_admin, the maintenance ones).

Every command opens the database named by DATABASE_URL (a SQLite file by default, migrated on start;
PostgreSQL after `planbot db upgrade`) and closes it when done.
"""

from __future__ import annotations

import getpass
import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from bot.commands import ledger_admin
from bot.commands.ledger_support import (
    ROLE_NAMES,
    OutputFormat,
    alias_table,
    department_named,
    err_console,
    fail,
    jurisdiction_id_named,
    open_ledger,
    out_console,
    parse_days,
    parse_status,
    parse_task_id,
    today_in,
)
from bot.settings import load_settings
from ingest.errors import DocumentError
from storage.progress import InvalidProgress, ProgressConflict, TaskNotFound, record_progress
from storage.queries import TaskRow, calendar, department_summaries, find_tasks, task_by_id
from storage.reviews import REVIEW_NAMES, ReviewConventions
from storage.statuses import STATUS_NAMES

if TYPE_CHECKING:
    from storage.ingest import IngestReport

# Tasks a table shows unless --limit says otherwise: a page, as the bot shows, with a hint when there are more.
TABLE_PAGE = 50


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_command)
    app.command("tasks")(tasks_command)
    app.command("depts")(depts_command)
    app.command("calendar")(calendar_command)
    app.command("progress")(progress_command)
    ledger_admin.register(app)


# ---------------------------------------------------------------- ingest


def ingest_command(
    sources: Annotated[list[str], typer.Argument(help="文件路径或网址 / paths or http(s) URLs")],
    region: Annotated[
        str | None,
        typer.Option(help="辖区，覆盖文中识别的结果（如讲话稿未写明辖区）/ jurisdiction, overrides the text"),
    ] = None,
    year: Annotated[int | None, typer.Option(help="文件年份 / the document's year")] = None,
    review: Annotated[
        bool, typer.Option("--review", help="新任务待核对，确认前不提醒 / new tasks wait for review")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只显示逐项变化，不入库 / show the changes, store nothing")
    ] = False,
) -> None:
    """把规划文件存入任务台账（同一文件重复导入不会重复；手工修改会保留）。 Store documents in the ledger."""
    # imported here, not at the top: `planbot tasks` and the other queries should not pay for them
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ingest.load import load_source
    from ingest.pipeline import extract_document
    from storage.ingest import ingest_document

    settings = load_settings()
    aliases = alias_table(settings)
    conventions = ReviewConventions.from_settings(settings)
    out, err = out_console(), err_console()
    reports: list[IngestReport] = []
    failures = 0
    with open_ledger(settings) as session:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=err, transient=True, disable=len(sources) < 2) as progress:
            bar = progress.add_task("入库 / ingesting", total=len(sources))
            for source in sources:
                try:
                    loaded = load_source(source, **settings.source_limits())
                    document = extract_document(loaded, aliases=aliases, year=year)
                    report = ingest_document(
                        session=session,
                        document=document,
                        aliases=aliases,
                        conventions=conventions,
                        jurisdiction=region,
                        confirm=not review,
                        dry_run=dry_run,
                    )
                except DocumentError as error:
                    failures += 1
                    err.print(f"[red]✗ {source}[/red]\n  {error.zh}\n  {error.en}")
                else:
                    reports.append(report)
                    out.print(_report_line(report, dry_run=dry_run))
                    for warning in document.warnings[:3]:
                        err.print(f"[yellow]! {warning}[/yellow]")
                progress.advance(bar)
    if dry_run:
        out.print("预览：以上为将发生的变化，没有存入任何内容。 Dry run: nothing was stored.")
    elif reports:
        out.print(_department_table(reports))
    if failures:
        raise typer.Exit(code=2)


def _report_line(report: IngestReport, *, dry_run: bool = False) -> str:
    head = f"✓ {report.source}：《{report.title}》（{report.jurisdiction}）"
    if report.status == "unchanged":
        return f"{head} 已入库，无变化 / already stored, unchanged"
    verb = "新规划" if report.status == "new" else "修订"
    lines = [
        f"{head} {verb} / {report.status}: 新增 {len(report.added)}，变更 {len(report.changed)}，"
        f"归档 {len(report.archived)}，不变 {report.kept}；评估节点 {report.review_events_created}"
    ]
    for label, actions in (("+", report.added), ("~", report.changed), ("-", report.archived)):
        if report.status == "revised" or dry_run:
            for action in actions:
                lines.append(f"  {label} {action}")
                lines += [f"      {change}" for change in report.changes.get(action, []) if label == "~"]
    for label, actions, hint in (
        ("未指明单位", report.unassigned, "用 planbot task edit 编号 --lead 单位 指定 / name no unit"),
        ("识别把握较低", report.low_confidence, "请核对 / the extraction was unsure"),
    ):
        if actions:
            lines.append(f"  {label} {len(actions)} 项（{hint}）：")
            lines += [f"    ? {action}" for action in actions[:10]]
    indicators = (report.indicators_added, report.indicators_changed, report.indicators_archived)
    if any(indicators):
        added, changed, archived = (len(names) for names in indicators)
        lines.append(
            f"  主要指标：新增 {added}，变更 {changed}，不再列出 {archived}（planbot indicators 查看）。"
            f" Indicators: {added} added, {changed} changed, {archived} dropped."
        )
    if report.awaiting_review:
        lines.append(
            f"  待核对 {report.awaiting_review} 项，确认前不提醒：planbot task confirm --plan {report.plan_id}。"
            f" {report.awaiting_review} task(s) await review."
        )
    return "\n".join(lines)


def _department_table(reports: list[IngestReport]) -> Table:
    totals: dict[tuple[str, str], dict[str, int]] = {}
    for report in reports:
        for name, counts in report.departments.items():
            bucket = totals.setdefault((report.jurisdiction, name), {"lead": 0, "co": 0})
            for role, count in counts.items():
                bucket[role] = bucket.get(role, 0) + count
    table = Table(title="各单位任务汇总 / tasks per department")
    for column in ("辖区", "单位", "牵头", "配合"):
        table.add_column(column)
    for (place, name), counts in sorted(totals.items()):
        table.add_row(place, name, str(counts["lead"]), str(counts["co"]))
    return table


# ---------------------------------------------------------------- tasks


def tasks_command(
    dept: Annotated[
        str | None, typer.Option(help="单位（可带辖区前缀，如 莱芜区发改局）/ department")
    ] = None,
    region: Annotated[str | None, typer.Option(help="辖区 / jurisdiction")] = None,
    due_within: Annotated[
        int | None, typer.Option(parser=parse_days, help="N 天内到期 / due within N days")
    ] = None,
    overdue: Annotated[bool, typer.Option(help="已逾期 / overdue only")] = False,
    status: Annotated[
        str | None, typer.Option(parser=parse_status, help="状态：未开始、推进中、已完成、已归档 / status")
    ] = None,
    search: Annotated[str | None, typer.Option(help="在任务和原文中查找 / text to find")] = None,
    coordinator: Annotated[
        bool,
        typer.Option(
            help="以协调员身份：列出待核对的任务并标明；--no-coordinator 按部门所见列出（不含待核对任务）"
            " / as a coordinator: tasks awaiting review are listed, marked; --no-coordinator lists what departments see"
        ),
    ] = True,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table | jsonl")
    ] = OutputFormat.table,
    limit: Annotated[
        int | None,
        typer.Option(
            min=0,
            help=f"最多显示多少项任务（表格默认 {TABLE_PAGE}，0 = 全部；jsonl 默认全部）"
            f" / at most N tasks (table: {TABLE_PAGE} by default, 0 = all; jsonl: all)",
        ),
    ] = None,
    today: Annotated[str | None, typer.Option(help="以该日期为今天 / YYYY-MM-DD", hidden=True)] = None,
) -> None:
    """查询任务台账。 List tasks of the ledger."""
    if limit is None and output_format is OutputFormat.table:
        limit = TABLE_PAGE  # tens of thousands of rows in a terminal help nobody, and take seconds to draw
    shown = limit or None  # 0: all
    settings = load_settings()
    with open_ledger(settings) as session:
        day = today_in(settings, today)
        department = department_named(session, dept, region, alias_table(settings)) if dept else None
        rows = find_tasks(
            session=session,
            department_id=department.id if department else None,
            jurisdiction_id=None if department else jurisdiction_id_named(session, region),
            due_from=day if due_within is not None else None,
            due_until=(
                date.fromordinal(day.toordinal() + due_within)
                if due_within is not None
                else date.fromordinal(day.toordinal() - 1)
                if overdue
                else None
            ),
            open_only=overdue or due_within is not None,
            status=status,
            search=search,
            include_archived=status == "archived",
            confirmed_only=not coordinator,
            limit=shown + 1 if shown else None,  # one more than shown tells whether there are more
        )
    more = False
    if shown and len({row.id for row in rows}) > shown:
        kept = set(list(dict.fromkeys(row.id for row in rows))[:shown])
        rows, more = [row for row in rows if row.id in kept], True
    if output_format is OutputFormat.jsonl:
        _write_jsonl(rows)
        return
    out_console().print(_tasks_table(rows, day))
    if more:
        err_console().print(
            f"只显示了前 {shown} 项任务，还有更多。加 --limit {shown * 4} 看更多，--limit 0 看全部，"
            f"或用 --format jsonl 导出。 Showing the first {shown} tasks; there are more: use --limit N or 0 for all."
        )


def _write_jsonl(rows: list[TaskRow]) -> None:
    if rows:
        sys.stdout.write("\n".join(json.dumps(row.as_jsonl(), ensure_ascii=False) for row in rows) + "\n")
    sys.stdout.flush()


def _tasks_table(rows: list[TaskRow], today: date) -> Table:
    table = Table(title=f"任务 / tasks（{len({r.id for r in rows})} 项）", show_lines=False)
    for column in ("编号", "辖区", "单位", "角色", "任务", "时限", "状态", "进度"):
        table.add_column(column, overflow="fold")
    for row in rows:
        due = row.due_on.isoformat() if row.due_on else ""
        if row.due_on and row.due_on < today and row.status in ("open", "in_progress"):
            due = f"[red]{due} 逾期[/red]"
        unit = row.department or "（未指明）"
        if row.via_collective:
            unit = f"{unit}（经“{row.via_collective}”）" if row.department != row.via_collective else unit
        table.add_row(
            str(row.id),
            row.jurisdiction,
            unit,
            ROLE_NAMES.get(row.role, row.role or ""),
            row.action,
            due,
            STATUS_NAMES.get(row.status, row.status) + ("（待核对）" if row.awaiting_review else ""),
            f"{row.percent}%",
        )
    return table


# ---------------------------------------------------------------- depts, calendar


def depts_command(
    region: Annotated[str | None, typer.Option(help="辖区 / jurisdiction")] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table | jsonl")
    ] = OutputFormat.table,
    limit: Annotated[
        int | None,
        typer.Option(
            min=0,
            help=f"最多显示多少个单位（表格默认 {TABLE_PAGE}，0 = 全部；jsonl 默认全部）"
            f" / at most N departments (table: {TABLE_PAGE} by default, 0 = all; jsonl: all)",
        ),
    ] = None,
) -> None:
    """列出各单位及其任务数。 List departments with their task counts."""
    settings = load_settings()
    with open_ledger(settings) as session:
        summaries = department_summaries(
            session=session, jurisdiction_id=jurisdiction_id_named(session, region)
        )
    if output_format is OutputFormat.jsonl:
        for s in summaries:
            sys.stdout.write(
                json.dumps(
                    {
                        "id": s.id,
                        "jurisdiction": s.jurisdiction,
                        "department": s.name,
                        "kind": s.kind,
                        "lead": s.lead,
                        "co": s.co,
                        "open": s.open,
                        "done": s.done,
                        "aliases": list(s.aliases),
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
        return
    shown = TABLE_PAGE if limit is None else limit or len(summaries)
    table = Table(title=f"单位 / departments（{len(summaries)}）")
    for column in ("编号", "辖区", "单位", "类型", "牵头", "配合", "未完成", "已完成", "别名"):
        table.add_column(column, overflow="fold")
    kinds = {"bureau": "部门", "government": "政府/镇街", "collective": "泛指", "committee": "委员会"}
    for s in summaries[:shown]:
        table.add_row(
            str(s.id),
            s.jurisdiction,
            s.name,
            kinds.get(s.kind, s.kind),
            str(s.lead),
            str(s.co),
            str(s.open),
            str(s.done),
            "、".join(s.aliases),
        )
    out_console().print(table)
    if len(summaries) > shown:
        err_console().print(
            f"只显示了前 {shown} 个单位（共 {len(summaries)} 个）。加 --limit 0 看全部，--region 只看一个辖区，"
            f"或用 --format jsonl 导出。 Showing {shown} of {len(summaries)} departments: --limit 0 shows all."
        )


def calendar_command(
    region: Annotated[str | None, typer.Option(help="辖区 / jurisdiction")] = None,
    dept: Annotated[str | None, typer.Option(help="单位 / department")] = None,
    days: Annotated[int, typer.Option(help="向后看多少天 / days ahead")] = 365,
    deadlines: Annotated[int, typer.Option(help="显示多少个任务时限 / task deadlines shown")] = 20,
    today: Annotated[str | None, typer.Option(help="以该日期为今天 / YYYY-MM-DD", hidden=True)] = None,
) -> None:
    """规划评估节点和近期任务时限。 Review events of the plans and the next task deadlines."""
    settings = load_settings()
    with open_ledger(settings) as session:
        day = today_in(settings, today)
        department = department_named(session, dept, region, alias_table(settings)) if dept else None
        entries = calendar(
            session=session,
            today=day,
            days=days,
            jurisdiction_id=None if department else jurisdiction_id_named(session, region),
            department_id=department.id if department else None,
            deadlines=deadlines,
        )
    if not entries:
        out_console().print(
            f"{day.isoformat()} 起 {days} 天内没有评估节点或任务时限。可用 --days 看得更远，或先导入规划：planbot ingest 文件。\n"
            f"Nothing falls due in the {days} days from {day.isoformat()}. Try --days, or ingest a plan first."
        )
        return
    table = Table(title=f"日历 / calendar（{day.isoformat()} 起 {days} 天）")
    for column in ("日期", "辖区", "类型", "内容", "单位"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        kind = REVIEW_NAMES.get(entry.kind, "任务时限" if entry.kind == "task" else entry.kind)
        label = f"#{entry.task_id} {entry.description}" if entry.task_id else entry.description
        table.add_row(entry.due_on.isoformat(), entry.jurisdiction, kind, label, "、".join(entry.departments))
    out_console().print(table)


# ---------------------------------------------------------------- progress


def progress_command(
    task_id: Annotated[int, typer.Argument(parser=parse_task_id, help="任务编号 / task id")],
    status: Annotated[
        str | None,
        typer.Option(parser=parse_status, help="未开始 | 推进中 | 已完成 (open | in_progress | done)"),
    ] = None,
    percent: Annotated[int | None, typer.Option(min=0, max=100, help="完成百分比 / percent done")] = None,
    note: Annotated[str, typer.Option(help="进展说明 / what was done")] = "",
    version: Annotated[
        int | None, typer.Option(help="您看到的版本号（防止覆盖他人更新）/ version seen")
    ] = None,
    author: Annotated[str | None, typer.Option(help="填报人 / reported by")] = None,
) -> None:
    """填报任务进展。 Report progress on a task."""
    settings = load_settings()
    with open_ledger(settings) as session:
        try:
            update = record_progress(
                session=session,
                task_id=task_id,
                author=author or f"cli:{getpass.getuser()}",
                status=status,
                percent=percent,
                note=note,
                expected_version=version,
            )
        except (TaskNotFound, ProgressConflict, InvalidProgress) as error:
            raise fail(error.zh, error.en) from error
        rows = task_by_id(session=session, task_id=task_id)
    action = rows[0].action if rows else ""
    out_console().print(
        f"✓ #{task_id} {action}：{STATUS_NAMES.get(update.status, update.status)} {update.percent}%"
        f"（版本 {rows[0].version if rows else '?'}）"
    )
