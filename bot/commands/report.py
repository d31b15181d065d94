"""`planbot report`: the progress chart (tasks per department by status) and the review calendar as PNG files."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError, ProgrammingError

from bot.settings import load_settings
from storage.db import open_database, session_factory


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)


def report_command(
    png: Annotated[
        Path | None, typer.Option("--png", help="各部门任务状态图 / tasks-by-status chart (.png)")
    ] = None,
    calendar_png: Annotated[
        Path | None, typer.Option("--calendar-png", help="评估日历图 / review-calendar chart (.png)")
    ] = None,
    dept: Annotated[
        str | None, typer.Option("--dept", help="只看该单位（按规划分列）/ one department, by plan")
    ] = None,
    region: Annotated[str | None, typer.Option(help="辖区 / jurisdiction")] = None,
    today: Annotated[str | None, typer.Option(help="以该日期为今天 / YYYY-MM-DD")] = None,
) -> None:
    """生成进度图：各部门任务完成、正常推进、黄灯、红灯情况，以及评估日历。 Draw the progress charts as PNG."""
    from handlers.report_chart import (
        ChartSubjectNotFound,
        department_status_png,
        describe_png,
        review_calendar_png,
    )

    out, err = Console(highlight=False), Console(stderr=True, highlight=False)
    if png is None and calendar_png is None:
        err.print(
            "请用 --png 文件.png（或 --calendar-png）指定输出文件。\nGive --png FILE and/or --calendar-png FILE."
        )
        raise typer.Exit(code=2)
    settings = load_settings()
    try:
        day = date.fromisoformat(today) if today else datetime.now(ZoneInfo(settings.timezone)).date()
    except ValueError as error:
        err.print(f"日期格式应为 YYYY-MM-DD：{today}\nDates are YYYY-MM-DD.")
        raise typer.Exit(code=2) from error
    engine = open_database(settings.database_url)
    try:
        with session_factory(engine)() as session:
            charts: list[tuple[Path, bytes]] = []
            if png is not None:
                chart = department_status_png(
                    session=session, jurisdiction=region, department=dept, today=day
                )
                charts.append((png, chart))
            if calendar_png is not None:
                charts.append(
                    (calendar_png, review_calendar_png(session=session, jurisdiction=region, today=day))
                )
    except ChartSubjectNotFound as error:
        err.print(f"[red]{error.zh}[/red]\n{error.en}")
        raise typer.Exit(code=1) from error
    except OperationalError as error:
        err.print(
            f"[red]无法连接数据库：{error.orig}。请检查 DATABASE_URL，确认数据库服务已启动。[/red]\n"
            "Cannot reach the database; check DATABASE_URL and that the server is running."
        )
        raise typer.Exit(code=1) from error
    except ProgrammingError as error:
        err.print(
            "[red]数据库尚未初始化或版本过旧。请先运行 `planbot db upgrade`。[/red]\n"
            "The database has no (current) schema. Run `planbot db upgrade` first."
        )
        raise typer.Exit(code=1) from error
    finally:
        engine.dispose()
    for path, chart in charts:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(chart)
        size = describe_png(chart)
        out.print(f"✓ {path}（{size['width']}×{size['height']} 像素，{size['bytes'] // 1024} KB）")
