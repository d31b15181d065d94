"""`planbot demo`: planbot at work in a minute, with no Slack workspace and no database to set up.

A fresh SQLite file in a new directory; the sample documents (or `--docs DIR`) ingested with progress bars; the
ledger per department; the review calendar and the two charts; a month-by-month time-lapse of the reminders
the plan period would bring; then the console chat when stdin is a terminal. Without a terminal (a script, CI)
it stops after the time-lapse and exits 0, so the README's first block runs unattended.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlmodel import Session, select

from bot.commands.demo_timelapse import print_time_lapse
from bot.settings import Settings, load_settings
from ingest.errors import DocumentError
from ingest.units import AliasTable, default_alias_table
from storage.db import open_database, session_factory
from storage.ingest import IngestReport, ingest_document
from storage.models import Plan
from storage.queries import find_tasks, review_events
from storage.reviews import REVIEW_NAMES, ReviewConventions

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"
DOCUMENT_SUFFIXES = (".txt", ".docx", ".pdf", ".html", ".htm", ".doc", ".wps", ".rtf")
# the samples are written as of mid-2025: from this day their ledger has work done, due soon and overdue
SAMPLES_TODAY = date(2025, 6, 16)
ROLE_NAMES = {"lead": "牵头", "co": "配合"}
LIGHTS = {"done": "[green]已完成[/green]", "red": "[red]红灯 逾期[/red]", "yellow": "[yellow]黄灯[/yellow]"}


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)


def demo_command(
    docs: Annotated[
        Path | None, typer.Option("--docs", help="用自己的文件（目录或单个文件）/ your own documents instead")
    ] = None,
    workdir: Annotated[
        Path | None,
        typer.Option("--dir", help="演示数据库和图表放在这里（默认新建临时目录）/ where to put them"),
    ] = None,
    today: Annotated[str | None, typer.Option(help="演示日期 YYYY-MM-DD / the day the demo plays on")] = None,
) -> None:
    """演示：用示例文件建一个临时台账，展示台账、评估日历、提醒推演和对话。 Try planbot on the sample documents."""
    out = Console(highlight=False, width=None if sys.stdout.isatty() else 150)
    sources = _documents(docs, out)
    day = _demo_day(today, docs)
    folder = _fresh_folder(workdir, out)
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    # the demo never touches the user's own database, whatever DATABASE_URL says
    settings = load_settings(DATABASE_URL=url)
    out.rule("[bold]planbot 演示 / demo[/bold]")
    out.print(f"演示目录 / demo folder：{folder}\n演示日期 / demo date：{day.isoformat()}\n")
    engine = open_database(url)
    sessions = session_factory(engine)
    try:
        with sessions() as session:
            reports = _ingest_all(session, sources, settings, out)
            if not reports:
                out.print(
                    "[red]没有文件成功入库，演示结束。[/red]\nNo document could be stored; see the errors above."
                )
                raise typer.Exit(code=2)
            _print_ledger(session, day, out)
            _print_calendar(session, out)
            _write_charts(session, day, folder, out)
            print_time_lapse(session, settings, _period(session, day), out)
        _chat_or_finish(settings, sessions, day, folder, out)
    finally:
        engine.dispose()


# -- set-up ---------------------------------------------------------------------------------------------------


def _documents(docs: Path | None, out: Console) -> list[Path]:
    where = docs or SAMPLES_DIR
    if where.is_file():
        return [where]
    if not where.is_dir():
        hint = (
            "请检查 --docs 路径。"
            if docs
            else "示例文件随源码提供：请在 git clone 的目录中运行，或用 --docs 指定文件。"
        )
        out.print(f"[red]找不到文件目录：{where}。{hint}[/red]\nNo such folder: {where}.")
        raise typer.Exit(code=2)
    found = sorted(
        path for path in where.iterdir() if path.is_file() and path.suffix.lower() in DOCUMENT_SUFFIXES
    )
    if not found:
        out.print(
            f"[red]{where} 中没有可读取的文件（{'、'.join(DOCUMENT_SUFFIXES)}）。[/red]\n"
            f"No documents ({', '.join(DOCUMENT_SUFFIXES)}) in {where}."
        )
        raise typer.Exit(code=2)
    return found


def _demo_day(given: str | None, docs: Path | None) -> date:
    if given:
        try:
            return date.fromisoformat(given)
        except ValueError as error:
            raise typer.BadParameter(
                "日期格式应为 YYYY-MM-DD / use YYYY-MM-DD", param_hint="--today"
            ) from error
    if docs is None:
        return SAMPLES_TODAY
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _fresh_folder(workdir: Path | None, out: Console) -> Path:
    if workdir is None:
        return Path(tempfile.mkdtemp(prefix="planbot-demo-"))
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    if (workdir / "demo.sqlite3").exists():
        out.print(
            f"[red]{workdir} 里已有演示数据库；请换一个空目录。[/red]\n{workdir} already holds a demo database."
        )
        raise typer.Exit(code=2)
    return workdir


def _aliases(settings: Settings) -> AliasTable:
    table = default_alias_table()
    return table.extended_from_file(settings.alias_file) if settings.alias_file else table


# -- 1. ingest ------------------------------------------------------------------------------------------------


def _ingest_all(
    session: Session, sources: list[Path], settings: Settings, out: Console
) -> list[IngestReport]:
    from ingest.load import load_source
    from ingest.pipeline import extract_document

    aliases = _aliases(settings)
    conventions = ReviewConventions.from_settings(settings)
    reports: list[IngestReport] = []
    out.print(f"[bold]1. 导入 {len(sources)} 个文件 / ingesting {len(sources)} documents[/bold]")
    columns = (TextColumn("{task.description:<44}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=out) as progress:
        overall = progress.add_task("全部文件 / all documents", total=len(sources))
        for path in sources:
            steps = progress.add_task(f"  {path.name}", total=3)
            try:
                loaded = load_source(str(path), **settings.source_limits())
                progress.advance(steps)
                document = extract_document(loaded, aliases=aliases)
                progress.advance(steps)
                report = ingest_document(
                    session=session, document=document, aliases=aliases, conventions=conventions
                )
                progress.advance(steps)
            except DocumentError as error:
                progress.console.print(f"  [red]✗ {path.name}[/red]：{error.zh}\n    {error.en}")
            else:
                reports.append(report)
                units = len(report.departments)
                encoding = (
                    f"，编码 {loaded.encoding}" if loaded.encoding and loaded.encoding != "utf-8" else ""
                )
                progress.console.print(
                    f"  ✓ {path.name}（{loaded.format}{encoding}）→《{report.title}》{report.jurisdiction}："
                    f"{len(report.added)} 项任务，{units} 个单位，{report.review_events_created} 个评估节点"
                )
            progress.advance(overall)
    out.print()
    return reports


# -- 2. the ledger per department -----------------------------------------------------------------------------


def _print_ledger(session: Session, day: date, out: Console) -> None:
    from handlers.report_chart import status_of

    rows = find_tasks(session=session)
    by_unit: dict[tuple[str, str], list] = {}
    for row in rows:
        by_unit.setdefault((row.jurisdiction, row.department or "（未指明单位）"), []).append(row)
    out.print(
        f"[bold]2. 任务台账（按单位）/ the ledger per department[/bold]：{len({r.id for r in rows})} 项任务"
    )
    for jurisdiction in sorted({place for place, _ in by_unit}):
        table = Table(title=f"{jurisdiction} 任务台账", title_justify="left", show_lines=False)
        for column, width in (
            ("单位", 24),
            ("角色", 4),
            ("编号", 5),
            ("任务", 60),
            ("时限", 10),
            ("状态", 9),
        ):
            table.add_column(column, overflow="fold", max_width=width)
        units = sorted(
            (unit for place, unit in by_unit if place == jurisdiction),
            key=lambda u: (-len(by_unit[(jurisdiction, u)]), u),
        )
        for unit in units:
            unit_rows = by_unit[(jurisdiction, unit)]
            for index, row in enumerate(unit_rows):
                table.add_row(
                    f"{unit}（{len(unit_rows)}）" if index == 0 else "",
                    ROLE_NAMES.get(row.role or "", ""),
                    f"#{row.id}",
                    row.action,
                    row.due_on.isoformat() if row.due_on else "—",
                    LIGHTS.get(status_of(row.status, row.due_on, day) or "", ""),
                    end_section=index == len(unit_rows) - 1,
                )
        out.print(table)
    out.print()


# -- 3. the review calendar and the charts --------------------------------------------------------------------


def _print_calendar(session: Session, out: Console) -> None:
    entries = review_events(session=session, since=date(1900, 1, 1))
    table = Table(title="3. 规划评估日历 / review calendar", title_justify="left")
    for column in ("日期", "辖区", "节点", "规划"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        table.add_row(
            entry.due_on.isoformat(),
            entry.jurisdiction,
            REVIEW_NAMES.get(entry.kind, entry.kind),
            entry.plan_title,
        )
    if not entries:
        table.add_row("—", "", "（无：只有五年规划纲要和年度计划才有评估节点）", "")
    out.print(table)
    out.print(
        "约定 / conventions：年度监测 = 次年 01-31，中期评估 = 规划期中间一年 06-30，总结评估 = 最后一年 12-31"
        "（可在 .env 中修改 PLANBOT_ANNUAL_REPORT_DATE 等）。\n"
    )


def _write_charts(session: Session, day: date, folder: Path, out: Console) -> None:
    from handlers.report_chart import department_status_png, describe_png, review_calendar_png

    charts = {
        folder / "report.png": department_status_png(session=session, today=day),
        folder / "calendar.png": review_calendar_png(session=session, today=day),
    }
    for path, png in charts.items():
        path.write_bytes(png)
        size = describe_png(png)
        out.print(f"图表 / chart：{path}（{size['width']}×{size['height']}）")
    out.print("同样的图：`planbot report --png 文件.png`，Slack 中 `/plan 报告`。\n")


def _period(session: Session, day: date) -> tuple[date, date]:
    """From the first year of the plans to the last review (the final year's monitoring is due the next January)."""
    years = [
        year
        for plan in session.exec(select(Plan)).all()
        for year in (plan.period_start, plan.period_end, plan.year)
        if year is not None
    ] or [day.year]
    last_review = max(
        (entry.due_on for entry in review_events(session=session, since=date(1900, 1, 1))), default=None
    )
    end = date(max(years), 12, 31)
    return date(min(years), 1, 1), max(end, last_review) if last_review else end


# -- 4. the chat ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrozenClock:
    """The demo's day at 09:00 Shanghai time, so the chat's 本周/逾期 agree with the ledger printed above."""

    day: date

    def __call__(self) -> datetime:
        return datetime.combine(self.day, time(9), ZoneInfo("Asia/Shanghai")).astimezone(UTC)


def _chat_or_finish(settings: Settings, sessions, day: date, folder: Path, out: Console) -> None:  # type: ignore[no-untyped-def]
    again = f'DATABASE_URL="sqlite:///{folder / "demo.sqlite3"}" planbot tasks'
    if not sys.stdin.isatty():
        out.print(
            "5. 标准输入不是终端，跳过对话。在终端里运行 `planbot demo` 可以直接试用 /plan 命令。\n"
            "   stdin is not a terminal: the chat is skipped. Run `planbot demo` in a terminal to try /plan commands.\n"
            f"演示数据留在 {folder}，可随时删除；继续查看：{again}"
        )
        return
    from bot.console import ConsoleChat
    from bot.deps import Deps

    out.print(
        "[bold]5. 对话 / chat[/bold]：试试 `/plan 任务 临河区发改局`、`/plan 逾期`、`/plan 日程`、“中期评估什么时候？”"
    )
    deps = Deps(settings=settings, session_factory=sessions, clock=FrozenClock(day))
    ConsoleChat(deps).run(sys.stdin, sys.stdout)
    out.print(f"再见。演示数据留在 {folder}，可随时删除。 Bye.")
