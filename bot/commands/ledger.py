"""Ledger commands: ingest, tasks, depts, calendar, progress, alias add, dept merge, export, db upgrade.

Every command opens the database named by DATABASE_URL (a SQLite file by default, migrated on start;
PostgreSQL after `planbot db upgrade`) and closes it when done.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session, select

from bot.settings import Settings, load_settings
from ingest.errors import DocumentError
from ingest.units import AliasTable, default_alias_table
from storage.db import create_engine_for, current_revision, is_sqlite, session_factory, upgrade
from storage.departments import DepartmentMatch, add_alias, merge_departments, resolve_department
from storage.ingest import IngestReport, ingest_document
from storage.models import Department, Jurisdiction
from storage.progress import InvalidProgress, ProgressConflict, TaskNotFound, record_progress
from storage.queries import TaskRow, calendar, department_summaries, find_tasks, task_by_id
from storage.reviews import REVIEW_NAMES, ReviewConventions

STATUS_NAMES = {"open": "未开始", "in_progress": "推进中", "done": "已完成", "archived": "已归档"}
ROLE_NAMES = {"lead": "牵头", "co": "配合", None: ""}


class OutputFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"


class TaskStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    archived = "archived"


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_command)
    app.command("tasks")(tasks_command)
    app.command("depts")(depts_command)
    app.command("calendar")(calendar_command)
    app.command("progress")(progress_command)
    app.command("export")(export_command)
    alias_app = typer.Typer(help="部门别名 / department aliases", no_args_is_help=True)
    alias_app.command("add")(alias_add_command)
    app.add_typer(alias_app, name="alias")
    dept_app = typer.Typer(help="部门维护 / department maintenance", no_args_is_help=True)
    dept_app.command("merge")(dept_merge_command)
    app.add_typer(dept_app, name="dept")
    db_app = typer.Typer(help="数据库 / database", no_args_is_help=True)
    db_app.command("upgrade")(db_upgrade_command)
    app.add_typer(db_app, name="db")


def _out() -> Console:
    # piped output (files, tests, grep) gets wide tables instead of the 80 columns rich assumes
    return Console(highlight=False, width=None if sys.stdout.isatty() else 200)


def _err() -> Console:
    return Console(stderr=True, highlight=False)


def _fail(zh: str, en: str, code: int = 1) -> typer.Exit:
    _err().print(f"[red]{zh}[/red]\n{en}")
    return typer.Exit(code=code)


@contextmanager
def _database(settings: Settings) -> Iterator[Session]:
    """A session on DATABASE_URL; SQLite is migrated on open, PostgreSQL must have been upgraded."""
    engine = create_engine_for(settings.database_url)
    try:
        if is_sqlite(engine):
            upgrade(engine)
        else:
            try:
                revision = current_revision(engine)
            except OperationalError as error:
                raise _fail(
                    f"无法连接数据库：{error.orig}。请检查 DATABASE_URL。",
                    "Cannot reach the database; check DATABASE_URL.",
                ) from error
            if revision is None:
                raise _fail(
                    "数据库尚未初始化。请先运行 `planbot db upgrade`。",
                    "The database has no schema yet. Run `planbot db upgrade` first.",
                )
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _aliases(settings: Settings) -> AliasTable:
    table = default_alias_table()
    return table.extended_from_file(settings.alias_file) if settings.alias_file else table


def _today(settings: Settings, given: str | None) -> date:
    if given:
        return date.fromisoformat(given)
    return datetime.now(ZoneInfo(settings.timezone)).date()


def _jurisdiction_id(session: Session, region: str | None) -> int | None:
    if not region:
        return None
    for place in session.exec(select(Jurisdiction)).all():
        if place.name == region or region in place.name or place.name in region:
            return place.id
    names = "、".join(p.name for p in session.exec(select(Jurisdiction)).all()) or "（无）"
    raise _fail(f"没有找到辖区“{region}”。已有辖区：{names}", f"No jurisdiction named {region!r}.")


def _department(session: Session, name: str, region: str | None, aliases: AliasTable) -> Department:
    match = resolve_department(session=session, name=name, region=region, aliases=aliases)
    if match.department is not None:
        return match.department
    raise _fail(*_did_you_mean(name, match))


def _did_you_mean(name: str, match: DepartmentMatch) -> tuple[str, str]:
    if not match.candidates:
        return (
            f"没有找到单位“{name}”。用 `planbot depts` 查看全部单位，或用 `planbot alias add` 添加别名。",
            f"No department named {name!r}. List them with `planbot depts` or add an alias with `planbot alias add`.",
        )
    options = "\n".join(f"  · {match.label(d)}" for d in match.candidates)
    return (
        f"“{name}”不能唯一确定一个单位，您是不是要找：\n{options}\n请写上辖区（如 莱芜区发改局）或使用 --region。",
        f"{name!r} does not name exactly one department. Did you mean one of the above? "
        "Prefix the jurisdiction or pass --region.",
    )


# ---------------------------------------------------------------- ingest


def ingest_command(
    sources: Annotated[list[str], typer.Argument(help="文件路径或网址 / paths or http(s) URLs")],
    region: Annotated[
        str | None,
        typer.Option(help="辖区，覆盖文中识别的结果（如讲话稿未写明辖区）/ jurisdiction, overrides the text"),
    ] = None,
    year: Annotated[int | None, typer.Option(help="文件年份 / the document's year")] = None,
) -> None:
    """把规划文件存入任务台账（同一文件重复导入不会重复）。 Store documents in the ledger."""
    from ingest.load import load_source
    from ingest.pipeline import extract_document

    settings = load_settings()
    aliases = _aliases(settings)
    conventions = ReviewConventions.from_settings(settings)
    out, err = _out(), _err()
    reports: list[IngestReport] = []
    failures = 0
    with _database(settings) as session:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=err, transient=True, disable=len(sources) < 2) as progress:
            bar = progress.add_task("入库 / ingesting", total=len(sources))
            for source in sources:
                try:
                    loaded = load_source(
                        source,
                        max_bytes=settings.max_document_bytes,
                        allow_private=settings.allow_private_urls,
                        timeout=settings.url_timeout_seconds,
                    )
                    document = extract_document(loaded, aliases=aliases, year=year)
                    report = ingest_document(
                        session=session,
                        document=document,
                        aliases=aliases,
                        conventions=conventions,
                        jurisdiction=region,
                    )
                except DocumentError as error:
                    failures += 1
                    err.print(f"[red]✗ {source}[/red]\n  {error.zh}\n  {error.en}")
                else:
                    reports.append(report)
                    out.print(_report_line(report))
                progress.advance(bar)
    if reports:
        out.print(_department_table(reports))
    if failures:
        raise typer.Exit(code=2)


def _report_line(report: IngestReport) -> str:
    head = f"✓ {report.source}：《{report.title}》（{report.jurisdiction}）"
    if report.status == "unchanged":
        return f"{head} 已入库，无变化 / already stored, unchanged"
    verb = "新规划" if report.status == "new" else "修订"
    lines = [
        f"{head} {verb} / {report.status}: 新增 {len(report.added)}，变更 {len(report.changed)}，"
        f"归档 {len(report.archived)}，不变 {report.kept}；评估节点 {report.review_events_created}"
    ]
    for label, actions in (("+", report.added), ("~", report.changed), ("-", report.archived)):
        if report.status == "revised":
            lines += [f"  {label} {action}" for action in actions]
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
    due_within: Annotated[int | None, typer.Option(help="N 天内到期 / due within N days")] = None,
    overdue: Annotated[bool, typer.Option(help="已逾期 / overdue only")] = False,
    status: Annotated[TaskStatus | None, typer.Option(help="状态 / status")] = None,
    search: Annotated[str | None, typer.Option(help="在任务和原文中查找 / text to find")] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table | jsonl")
    ] = OutputFormat.table,
    limit: Annotated[int | None, typer.Option(help="最多显示条数 / at most N rows")] = None,
    today: Annotated[str | None, typer.Option(help="以该日期为今天 / YYYY-MM-DD", hidden=True)] = None,
) -> None:
    """查询任务台账。 List tasks of the ledger."""
    settings = load_settings()
    with _database(settings) as session:
        day = _today(settings, today)
        department = _department(session, dept, region, _aliases(settings)) if dept else None
        rows = find_tasks(
            session=session,
            department_id=department.id if department else None,
            jurisdiction_id=None if department else _jurisdiction_id(session, region),
            due_from=day if due_within is not None else None,
            due_until=(
                date.fromordinal(day.toordinal() + due_within)
                if due_within is not None
                else date.fromordinal(day.toordinal() - 1)
                if overdue
                else None
            ),
            open_only=overdue or due_within is not None,
            status=status.value if status else None,
            search=search,
            include_archived=status is TaskStatus.archived,
            limit=limit,
        )
    if output_format is OutputFormat.jsonl:
        _write_jsonl(rows)
        return
    _out().print(_tasks_table(rows, day))


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
            STATUS_NAMES.get(row.status, row.status),
            f"{row.percent}%",
        )
    return table


# ---------------------------------------------------------------- depts, calendar


def depts_command(
    region: Annotated[str | None, typer.Option(help="辖区 / jurisdiction")] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table | jsonl")
    ] = OutputFormat.table,
) -> None:
    """列出各单位及其任务数。 List departments with their task counts."""
    settings = load_settings()
    with _database(settings) as session:
        summaries = department_summaries(session=session, jurisdiction_id=_jurisdiction_id(session, region))
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
    table = Table(title=f"单位 / departments（{len(summaries)}）")
    for column in ("编号", "辖区", "单位", "类型", "牵头", "配合", "未完成", "已完成", "别名"):
        table.add_column(column, overflow="fold")
    kinds = {"bureau": "部门", "government": "政府/镇街", "collective": "泛指", "committee": "委员会"}
    for s in summaries:
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
    _out().print(table)


def calendar_command(
    region: Annotated[str | None, typer.Option(help="辖区 / jurisdiction")] = None,
    dept: Annotated[str | None, typer.Option(help="单位 / department")] = None,
    days: Annotated[int, typer.Option(help="向后看多少天 / days ahead")] = 365,
    deadlines: Annotated[int, typer.Option(help="显示多少个任务时限 / task deadlines shown")] = 20,
    today: Annotated[str | None, typer.Option(help="以该日期为今天 / YYYY-MM-DD", hidden=True)] = None,
) -> None:
    """规划评估节点和近期任务时限。 Review events of the plans and the next task deadlines."""
    settings = load_settings()
    with _database(settings) as session:
        day = _today(settings, today)
        department = _department(session, dept, region, _aliases(settings)) if dept else None
        entries = calendar(
            session=session,
            today=day,
            days=days,
            jurisdiction_id=None if department else _jurisdiction_id(session, region),
            department_id=department.id if department else None,
            deadlines=deadlines,
        )
    table = Table(title=f"日历 / calendar（{day.isoformat()} 起 {days} 天）")
    for column in ("日期", "辖区", "类型", "内容", "单位"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        kind = REVIEW_NAMES.get(entry.kind, "任务时限" if entry.kind == "task" else entry.kind)
        label = f"#{entry.task_id} {entry.description}" if entry.task_id else entry.description
        table.add_row(entry.due_on.isoformat(), entry.jurisdiction, kind, label, "、".join(entry.departments))
    _out().print(table)


# ---------------------------------------------------------------- progress


def progress_command(
    task_id: Annotated[int, typer.Argument(help="任务编号 / task id")],
    status: Annotated[TaskStatus | None, typer.Option(help="open | in_progress | done")] = None,
    percent: Annotated[int | None, typer.Option(min=0, max=100, help="完成百分比 / percent done")] = None,
    note: Annotated[str, typer.Option(help="进展说明 / what was done")] = "",
    version: Annotated[
        int | None, typer.Option(help="您看到的版本号（防止覆盖他人更新）/ version seen")
    ] = None,
    author: Annotated[str | None, typer.Option(help="填报人 / reported by")] = None,
) -> None:
    """填报任务进展。 Report progress on a task."""
    settings = load_settings()
    with _database(settings) as session:
        try:
            update = record_progress(
                session=session,
                task_id=task_id,
                author=author or f"cli:{getpass.getuser()}",
                status=status.value if status else None,
                percent=percent,
                note=note,
                expected_version=version,
            )
        except (TaskNotFound, ProgressConflict, InvalidProgress) as error:
            raise _fail(error.zh, error.en) from error
        rows = task_by_id(session=session, task_id=task_id)
    action = rows[0].action if rows else ""
    _out().print(
        f"✓ #{task_id} {action}：{STATUS_NAMES.get(update.status, update.status)} {update.percent}%"
        f"（版本 {rows[0].version if rows else '?'}）"
    )


# ---------------------------------------------------------------- aliases and merges


def alias_add_command(
    name: Annotated[str, typer.Argument(help="现有单位名称或别名 / existing department")],
    alias: Annotated[str, typer.Argument(help="新别名 / the new alias")],
    region: Annotated[str | None, typer.Option(help="辖区 / jurisdiction")] = None,
) -> None:
    """为单位添加别名。 Add an alias to a department."""
    settings = load_settings()
    with _database(settings) as session:
        department = _department(session, name, region, _aliases(settings))
        if not add_alias(session=session, department=department, alias=alias):
            session.rollback()
            raise _fail(
                f"别名“{alias}”在该辖区已属于其他单位。如系机构改革，请用 `planbot dept merge`。",
                f"{alias!r} already names another department there; for a reorganisation use `planbot dept merge`.",
            )
        session.commit()
        _out().print(f"✓ {alias} → {department.name}")


def dept_merge_command(
    old: Annotated[str, typer.Argument(help="被合并（撤销）的单位 / the department that ceased")],
    into: Annotated[str, typer.Argument(help="承接的单位 / the department taking over")],
    region: Annotated[str | None, typer.Option(help="辖区 / jurisdiction")] = None,
) -> None:
    """机构改革后合并单位：任务、别名、成员和频道转到新单位。 Merge a department into another."""
    from storage.departments import MergeError

    settings = load_settings()
    with _database(settings) as session:
        aliases = _aliases(settings)
        source = _department(session, old, region, aliases)
        target = _department(session, into, region, aliases)
        try:
            moved = merge_departments(session=session, old=source, into=target)
        except MergeError as error:
            zh, _, en = str(error).partition(" ")
            raise _fail(zh, en) from error
        _out().print(f"✓ {source.name} → {target.name}：转移任务 {moved} 项 / {moved} tasks moved")


# ---------------------------------------------------------------- export and db


def export_command(
    xlsx: Annotated[Path, typer.Option("--xlsx", help="输出的 Excel 文件 / output .xlsx file")],
    dept: Annotated[str | None, typer.Option(help="只导出该单位 / only this department")] = None,
    region: Annotated[str | None, typer.Option(help="辖区 / jurisdiction")] = None,
) -> None:
    """导出任务台账（Excel）。 Export the ledger as an .xlsx workbook."""
    from storage.export import write_ledger_xlsx

    settings = load_settings()
    with _database(settings) as session:
        department = _department(session, dept, region, _aliases(settings)) if dept else None
        summary = write_ledger_xlsx(
            session=session,
            path=xlsx,
            department_id=department.id if department else None,
            jurisdiction_id=None if department else _jurisdiction_id(session, region),
        )
    _out().print(f"✓ {summary.path}：{summary.sheets} 个工作表，{summary.rows} 行 / sheets, rows")


def db_upgrade_command() -> None:
    """把数据库结构升级到最新版本。 Migrate the database schema to the latest revision."""
    settings = load_settings()
    engine = create_engine_for(settings.database_url)
    try:
        upgrade(engine)
        revision = current_revision(engine)
    except (OperationalError, ProgrammingError) as error:
        raise _fail(
            f"升级失败：{error.orig}。请检查 DATABASE_URL 和权限。",
            "The upgrade failed; check DATABASE_URL and permissions.",
        ) from error
    finally:
        engine.dispose()
    _out().print(f"✓ 数据库已是最新版本 / database at revision {revision}")
