"""`/plan 报告|report [部门]`: the progress chart as a PNG the adapter uploads, with its figures in words.

Without a department it shows every department of the asker's jurisdiction (all jurisdictions for someone
outside any department, such as the planning office); with one, that department's tasks plan by plan.
The words repeat the chart's totals, so the answer still says something where the picture is not shown.
"""

from __future__ import annotations

from handlers.context import CommandContext
from handlers.replies import FileUpload, Reply
from handlers.report_chart import ChartSubjectNotFound, department_status, status_chart_png

STATUS_WORDS = (("done", "已完成"), ("on_track", "正常推进"), ("yellow", "黄灯"), ("red", "红灯"))


def report(ctx: CommandContext, department: str | None) -> Reply:
    jurisdiction = None
    if department is None and ctx.actor.department is not None and not ctx.actor.is_coordinator:
        jurisdiction = ctx.actor.department.jurisdiction
    try:
        chart = department_status(
            session=ctx.session, jurisdiction=jurisdiction, department=department, today=ctx.today
        )
    except ChartSubjectNotFound as error:
        return Reply(headline=f"{error.zh}\n{error.en}", ok=False, suggestions=["/plan 部门", "/plan 报告"])
    png = status_chart_png(chart.bars, title=chart.title, today=ctx.today)
    counts = [chart.tasks.get(key, 0) for key, _ in STATUS_WORDS]
    counted = "，".join(f"{words} {count}" for (_, words), count in zip(STATUS_WORDS, counts, strict=True))
    day = ctx.today.isoformat()
    return Reply(
        headline=f"📊 {chart.subject} 任务进度图（截至 {day}）：{counted}。\n"
        f"Progress chart of {chart.subject} as of {day}: {counts[0]} done, {counts[1]} on track, "
        f"{counts[2]} due within 7 days, {counts[3]} overdue.",
        upload=FileUpload(
            filename=f"planbot-进度-{day}.png", content=png, title=f"{chart.subject} 任务进度 {day}"
        ),
        task_buttons=False,
        suggestions=["/plan 逾期", "/plan 日程"],
    )
