"""`planbot review-pack PLAN --year 2028 --xlsx F`: the workbook a 中期评估 or 总结评估 starts from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.commands.ledger_support import fail, open_ledger, out_console, today_in
from bot.settings import load_settings
from handlers.review_pack import PlanNotFound, write_review_pack


def register(app: typer.Typer) -> None:
    app.command("review-pack")(review_pack_command)


def review_pack_command(
    plan_id: Annotated[int, typer.Argument(help="规划编号（planbot plan list）/ plan id", min=1)],
    year: Annotated[int, typer.Option(help="评估年度，如 2028 / the year reviewed", min=1990, max=2100)],
    xlsx: Annotated[Path, typer.Option(help="保存到的 .xlsx 文件 / the workbook to write")],
    today: Annotated[str | None, typer.Option(help="以该日期为今天 / YYYY-MM-DD", hidden=True)] = None,
) -> None:
    """生成评估材料：全部任务及进展、全部指标及状态、落后单位。 Write a review pack workbook for a plan."""
    settings = load_settings()
    with open_ledger(settings) as session:
        try:
            pack = write_review_pack(
                session=session,
                plan_id=plan_id,
                year=year,
                path=xlsx,
                today=today_in(settings, today),
                annual_report_date=settings.annual_report_date,
                tolerance=settings.indicator_tolerance,
            )
        except PlanNotFound as error:
            raise fail(error.zh, error.en) from error
    behind = "、".join(pack.units_behind) or "无"
    out_console().print(
        f"✓ 已生成评估材料 {pack.path}：《{pack.plan_title}》{year}年，任务 {pack.tasks} 项（滞后 {pack.tasks_behind}），"
        f"指标 {pack.indicators} 项（预警 {pack.indicators_warned}），落后单位：{behind}。\n"
        f"Review pack written: {pack.tasks} tasks ({pack.tasks_behind} behind), {pack.indicators} indicators "
        f"({pack.indicators_warned} warned). Open it in Excel to finish the annex."
    )
