"""The review pack (评估材料): what a 中期评估 or 总结评估 of one plan needs, in one workbook.

- 说明: the plan, the year reviewed, when the pack was made and what it counts.
- 任务: every task of the plan with its units, deadline, status and every progress note.
- 指标: every indicator with its values by year, its status and the value its path asks for.
- 落后单位: the units behind on either: tasks past their deadline (by the end of the year reviewed, or today
  if earlier) and not done, and indicators judged red or not reported.

It is the first draft of the 中期评估报告's annex; people finish it in Excel.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from sqlmodel import Session

from handlers.indicator_status import DEFAULT_TOLERANCE, STATUS_LABELS
from handlers.indicator_views import JudgedIndicator, judge_rows
from storage.indicator_sheet import sheet_rows, write_indicator_sheet
from storage.indicators import IndicatorRow
from storage.models import Jurisdiction, Plan
from storage.progress import progress_histories
from storage.queries import TaskRow, find_tasks
from storage.sheet_cells import write_header, write_text
from storage.statuses import STATUS_NAMES

TASK_COLUMNS = (
    ("编号", 8),
    ("任务", 42),
    ("牵头单位", 20),
    ("配合单位", 24),
    ("完成时限", 12),
    ("状态", 10),
    ("完成百分比", 10),
    ("是否滞后", 8),
    ("进展情况", 48),
    ("出处", 48),
)
UNIT_COLUMNS = (("单位", 24), ("滞后任务", 10), ("滞后任务编号", 30), ("预警指标", 10), ("预警指标名称", 40))
BEHIND_FILL = PatternFill("solid", fgColor="FFC7CE")


class PlanNotFound(LookupError):
    def __init__(self, plan_id: int) -> None:
        super().__init__(plan_id)
        self.zh = f"没有编号为 {plan_id} 的规划。请用 planbot plan list 查看编号。"
        self.en = f"No plan {plan_id}: see planbot plan list."


@dataclass(frozen=True)
class ReviewPack:
    path: Path
    plan_title: str
    tasks: int
    tasks_behind: int
    indicators: int
    indicators_warned: int
    units_behind: list[str]


@dataclass
class _Task:
    row: TaskRow
    lead: list[str]
    co: list[str]


def write_review_pack(
    *,
    session: Session,
    plan_id: int,
    year: int,
    path: Path,
    today: date,
    annual_report_date: str = "01-31",
    tolerance: float = DEFAULT_TOLERANCE,
) -> ReviewPack:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise PlanNotFound(plan_id)
    place = session.get(Jurisdiction, plan.jurisdiction_id)
    tasks = _plan_tasks(session, plan)
    cutoff = min(today, date(year, 12, 31))
    behind = {task.row.id for task in tasks if _is_behind(task.row, cutoff)}
    indicators = judge_rows(
        [_up_to(row, year) for row in sheet_rows(session, plan_id=plan_id)],
        today=min(today, date(year + 1, 12, 31)),
        annual_report_date=annual_report_date,
        tolerance=tolerance,
    )
    units = _units_behind(tasks, behind, indicators)

    workbook = Workbook()
    cover = workbook.active
    assert cover is not None
    cover.title = "说明"
    warned = sum(1 for item in indicators if item.judgement.warns)
    for label, value in (
        ("规划", plan.title),
        ("辖区", place.name if place else ""),
        ("评估年度", f"{year}年"),
        ("生成日期", today.isoformat()),
        ("任务", f"{len(tasks)} 项，滞后 {len(behind)} 项"),
        ("指标", f"{len(indicators)} 项，预警（红灯或未报送）{warned} 项"),
        ("落后单位", "、".join(units) or "无"),
    ):
        cover.append([label, None])
        write_text(cover.cell(row=cover.max_row, column=2), value)
        cover.cell(row=cover.max_row, column=1).font = Font(bold=True)
    cover.column_dimensions["A"].width = 12
    cover.column_dimensions["B"].width = 80

    _task_sheet(workbook, session, tasks, behind)
    write_indicator_sheet(
        workbook,
        rows=[item.row for item in indicators],
        extra_columns=(("状态", 16), ("判断年份", 8), ("应达", 10)),
        extra_values=[_status_cells(item) for item in indicators],
    )
    _units_sheet(workbook, units)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return ReviewPack(
        path=path,
        plan_title=plan.title,
        tasks=len(tasks),
        tasks_behind=len(behind),
        indicators=len(indicators),
        indicators_warned=warned,
        units_behind=list(units),
    )


def _plan_tasks(session: Session, plan: Plan) -> list[_Task]:
    tasks: dict[int, _Task] = {}
    for row in find_tasks(session=session, jurisdiction_id=plan.jurisdiction_id, confirmed_only=True):
        if row.plan_id != plan.id:
            continue
        task = tasks.setdefault(row.id, _Task(row=row, lead=[], co=[]))
        if row.department and row.role:
            units = task.lead if row.role == "lead" else task.co
            if row.department not in units:
                units.append(row.department)
    return sorted(tasks.values(), key=lambda task: task.row.id)


def _is_behind(row: TaskRow, cutoff: date) -> bool:
    return row.status in ("open", "in_progress") and row.due_on is not None and row.due_on <= cutoff


def _up_to(row: IndicatorRow, year: int) -> IndicatorRow:
    """The row with only the values of `year` and before: a 2028 pack does not judge by 2029's report."""
    return replace(
        row, values={reported: value for reported, value in row.values.items() if reported <= year}
    )


def _units_behind(
    tasks: list[_Task], behind: set[int], indicators: list[JudgedIndicator]
) -> dict[str, tuple[list[int], list[str]]]:
    units: dict[str, tuple[list[int], list[str]]] = defaultdict(lambda: ([], []))
    for task in tasks:
        if task.row.id in behind:
            for name in task.lead or task.co:
                units[name][0].append(task.row.id)
    for item in indicators:
        if item.judgement.warns:
            for name in item.row.departments[:1]:  # the lead unit answers for the indicator
                units[name][1].append(item.row.indicator.name)
    return dict(sorted(units.items(), key=lambda entry: (-len(entry[1][0]) - len(entry[1][1]), entry[0])))


def _task_sheet(workbook: Workbook, session: Session, tasks: list[_Task], behind: set[int]) -> None:
    sheet = workbook.create_sheet("任务")
    write_header(sheet, TASK_COLUMNS)
    histories = progress_histories(session=session, task_ids=[task.row.id for task in tasks])
    for row_number, task in enumerate(tasks, start=2):
        row = task.row
        notes = "\n".join(
            f"{update.created_at.date().isoformat()} {update.percent}% {update.note}".strip()
            for update in histories.get(row.id, [])
        )
        values: list[object] = [
            row.id,
            row.action,
            "、".join(task.lead),
            "、".join(task.co),
            row.due_on,
            STATUS_NAMES.get(row.status, row.status),
            row.percent,
            "滞后" if row.id in behind else "",
            notes,
            f"《{row.plan_title}》{row.section}：{row.evidence}",
        ]
        for number, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=number)
            write_text(cell, value)
            cell.alignment = Alignment(vertical="top", wrap_text=number in (2, 9, 10))
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            if row.id in behind:
                cell.fill = BEHIND_FILL


def _status_cells(item: JudgedIndicator) -> list[object]:
    judgement = item.judgement
    path = f"{judgement.path:.2f}".rstrip("0").rstrip(".") if judgement.path is not None else ""
    return [STATUS_LABELS[judgement.status], judgement.year, path]


def _units_sheet(workbook: Workbook, units: dict[str, tuple[list[int], list[str]]]) -> None:
    sheet = workbook.create_sheet("落后单位")
    write_header(sheet, UNIT_COLUMNS)
    for row_number, (name, (task_ids, indicator_names)) in enumerate(units.items(), start=2):
        for number, value in enumerate(
            [
                name,
                len(task_ids),
                "、".join(f"#{i}" for i in task_ids),
                len(indicator_names),
                "、".join(indicator_names),
            ],
            start=1,
        ):
            write_text(sheet.cell(row=row_number, column=number), value)


def review_pack_reply(ctx, text: str | None):  # type: ignore[no-untyped-def]
    """`/plan 评估材料 规划编号 [年份]`: the review pack as an xlsx the adapter uploads (coordinators only)."""
    import tempfile

    from handlers.replies import FileUpload, Reply, usage_error

    words = (text or "").replace("年", " ").split()
    if (
        not words
        or not words[0].lstrip("#").isdigit()
        or len(words) > 2
        or not all(w.isdigit() for w in words[1:])
    ):
        return usage_error(
            "请写规划编号和评估年度，例如 `/plan 评估材料 2 2028`（编号见 planbot plan list）。",
            "Name the plan and the year reviewed, e.g. `/plan review-pack 2 2028`.",
        )
    plan_id = int(words[0].lstrip("#"))
    year = int(words[1]) if len(words) > 1 else ctx.today.year
    settings = ctx.deps.settings
    with tempfile.TemporaryDirectory(prefix="planbot-review-pack-") as directory:
        try:
            pack = write_review_pack(
                session=ctx.session,
                plan_id=plan_id,
                year=year,
                path=Path(directory) / "review-pack.xlsx",
                today=ctx.today,
                annual_report_date=settings.annual_report_date,
                tolerance=settings.indicator_tolerance,
            )
        except PlanNotFound as missing:
            return usage_error(missing.zh, missing.en)
        content = pack.path.read_bytes()
    filename = f"planbot-评估材料-{plan_id}-{year}.xlsx"
    behind = "、".join(pack.units_behind[:10]) or "无"
    return Reply(
        headline=(
            f"📎 评估材料已生成：《{pack.plan_title}》{year}年，任务 {pack.tasks} 项（滞后 {pack.tasks_behind}），"
            f"指标 {pack.indicators} 项（预警 {pack.indicators_warned}）；落后单位：{behind}。\n"
            f"Review pack for {year}: {pack.tasks} tasks ({pack.tasks_behind} behind), {pack.indicators} "
            f"indicators ({pack.indicators_warned} warned)."
        ),
        upload=FileUpload(filename=filename, content=content, title=f"评估材料 {year}"),
        task_buttons=False,
        public=True,  # coordinators only: the pack goes to the channel they asked in
    )
