"""`planbot indicators`: the plans' main indicators with their values and status; `indicators report` adds a value."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from bot.commands.ledger_support import (
    OutputFormat,
    alias_table,
    department_named,
    fail,
    open_ledger,
    out_console,
    today_in,
)
from bot.settings import Settings, load_settings
from handlers.indicator_views import (
    TABLE_HEADERS,
    JudgedIndicator,
    indicator_json,
    judge_rows,
    status_text,
    table_cells,
)
from storage.indicators import IndicatorError, indicator_rows, record_indicator_value, value_history


def register(app: typer.Typer) -> None:
    indicators_app = typer.Typer(
        help="规划的主要指标、历年数值和状态 / a plan's main indicators, their yearly values and status",
        invoke_without_command=True,
    )
    indicators_app.callback()(indicators_command)
    indicators_app.command("report")(report_command)
    indicators_app.command("chart")(chart_command)
    indicators_app.command("history")(history_command)
    app.add_typer(indicators_app, name="indicators")


def judged_indicators(
    settings: Settings, session, *, plan: int | None, dept: str | None, today: str | None
) -> list[JudgedIndicator]:
    department = department_named(session, dept, None, alias_table(settings)) if dept else None
    rows = indicator_rows(session=session, plan_id=plan, department_id=department.id if department else None)
    return judge_rows(
        rows,
        today=today_in(settings, today),
        annual_report_date=settings.annual_report_date,
        tolerance=settings.indicator_tolerance,
    )


def indicators_command(
    ctx: typer.Context,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table | jsonl")
    ] = OutputFormat.table,
    plan: Annotated[int | None, typer.Option(help="规划编号（planbot plan list）/ plan id", min=1)] = None,
    dept: Annotated[str | None, typer.Option(help="责任单位 / responsible department")] = None,
    today: Annotated[str | None, typer.Option(help="以该日期为今天 / YYYY-MM-DD", hidden=True)] = None,
) -> None:
    """列出规划的主要指标：基期、目标、属性、责任单位、历年数值和状态。 List indicators with values and status."""
    if ctx.invoked_subcommand is not None:
        return
    settings = load_settings()
    with open_ledger(settings) as session:
        judged = judged_indicators(settings, session, plan=plan, dept=dept, today=today)
    if output_format is OutputFormat.jsonl:
        for item in judged:
            print(json.dumps(indicator_json(item), ensure_ascii=False))
        return
    if not judged:
        out_console().print(
            "没有找到指标。导入含主要指标表的规划后再查看（planbot ingest 纲要.docx）。"
            " No indicators: ingest a plan with its table of main indicators."
        )
        return
    table = Table(title=f"主要指标 {len(judged)} 项 / indicators", show_lines=True)
    for header in TABLE_HEADERS:
        table.add_column(header, overflow="fold")
    for item in judged:
        table.add_row(*table_cells(item))
    out_console().print(table)


def report_command(
    indicator_id: Annotated[int, typer.Argument(help="指标编号（planbot indicators）/ indicator id", min=1)],
    year: Annotated[int, typer.Argument(help="年份，如 2026 / year")],
    value: Annotated[str, typer.Argument(help="数值，如 90.8 / value")],
    note: Annotated[str, typer.Option(help="说明、来源 / note or source")] = "",
    author: Annotated[str | None, typer.Option(help="填报人 / reported by")] = None,
    today: Annotated[str | None, typer.Option(help="以该日期为今天 / YYYY-MM-DD", hidden=True)] = None,
) -> None:
    """报送指标某一年的数值（同一年再报则以最新为准，历史保留）。 Report an indicator's value for a year."""
    settings = load_settings()
    with open_ledger(settings) as session:
        try:
            record_indicator_value(
                session=session,
                indicator_id=indicator_id,
                year=year,
                value=value,
                note=note,
                author=author or f"cli:{getpass.getuser()}",
                now=datetime.now(UTC),
            )
        except IndicatorError as error:
            raise fail(error.zh, error.en) from error
        rows = indicator_rows(session=session, indicator_ids=[indicator_id], include_archived=True)
        (judged,) = judge_rows(
            rows,
            today=today_in(settings, today),
            annual_report_date=settings.annual_report_date,
            tolerance=settings.indicator_tolerance,
        )
    out_console().print(
        f"✓ #{indicator_id} {judged.row.indicator.name} {year}年：{value}　{status_text(judged)}"
    )


def chart_command(
    png: Annotated[Path, typer.Option(help="保存到的 PNG 文件 / the PNG to write")],
    plan: Annotated[int | None, typer.Option(help="规划编号（planbot plan list）/ plan id", min=1)] = None,
    dept: Annotated[str | None, typer.Option(help="责任单位 / responsible department")] = None,
    today: Annotated[str | None, typer.Option(help="以该日期为今天 / YYYY-MM-DD", hidden=True)] = None,
) -> None:
    """画出各指标的实际值与进度线（PNG）。 Draw each indicator's values against its path as a PNG."""
    from handlers.chart_figures import describe_png
    from handlers.indicator_chart import indicators_chart_png

    settings = load_settings()
    with open_ledger(settings) as session:
        judged = judged_indicators(settings, session, plan=plan, dept=dept, today=today)
    title = f"主要指标 实际值与进度线{f'（{dept}）' if dept else ''}"
    image = indicators_chart_png(judged, title=title, today=today_in(settings, today))
    png.parent.mkdir(parents=True, exist_ok=True)
    png.write_bytes(image)
    size = describe_png(image)
    out_console().print(
        f"✓ 指标图已保存：{png}（{len(judged)} 项，{size['width']}×{size['height']}）。"
        f" Indicator chart written: {png}."
    )


def history_command(
    indicator_id: Annotated[int, typer.Argument(help="指标编号（planbot indicators）/ indicator id", min=1)],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table | jsonl")
    ] = OutputFormat.table,
) -> None:
    """指标的全部报送记录（谁、何时、数值、说明），旧的在前。 Every report of an indicator's values, oldest first."""
    settings = load_settings()
    with open_ledger(settings) as session:
        rows = indicator_rows(session=session, indicator_ids=[indicator_id], include_archived=True)
        if not rows:
            raise fail(
                f"没有编号为 {indicator_id} 的指标。请用 planbot indicators 查看编号。",
                f"No indicator {indicator_id}: see planbot indicators.",
            )
        history = value_history(session=session, indicator_id=indicator_id)
    counting = {value.id for value in rows[0].values.values()}
    if output_format is OutputFormat.jsonl:
        for value in history:
            line = {
                "indicator_id": indicator_id,
                "year": value.year,
                "value": value.value,
                "number": value.number,
                "reported_by": value.reported_by,
                "reported_at": value.reported_at.isoformat(),
                "note": value.note,
                "via": value.via,
                "counts": value.id in counting,
            }
            print(json.dumps(line, ensure_ascii=False))
        return
    table = Table(title=f"#{indicator_id} {rows[0].indicator.name} 报送记录 / reports", show_lines=False)
    for header in ("年份", "数值", "填报人", "时间（北京时间）", "来源", "说明", ""):
        table.add_column(header, overflow="fold")
    shown_in = ZoneInfo(settings.timezone)
    for value in history:
        table.add_row(
            str(value.year),
            value.value,
            value.reported_by,
            value.reported_at.astimezone(shown_in).strftime("%Y-%m-%d %H:%M"),
            value.via,
            value.note,
            "✓ 现行" if value.id in counting else "已被更正",
        )
    if not history:
        out_console().print(f"#{indicator_id} 还没有报送记录。 No reports yet.")
        return
    out_console().print(table)
