"""Progress charts from the ledger, as PNG bytes: tasks per department by status, and the review calendar.

`planbot report`, `/plan 报告` and the coordinators' weekly digest call `department_status_png`,
`review_calendar_png` (or `status_chart_png` with bars they counted themselves). Statuses follow the
reminders' lights: done, on track, 黄灯 (due within 7 days), 红灯 (overdue). The drawing is in
handlers.chart_figures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from handlers.chart_figures import (
    DPI,
    CalendarPoint,
    StatusBar,
    calendar_figure,
    chart_font,
    describe_png,
    font_path,
    render,
    shorten,
    status_figure,
)
from storage.departments import resolve_department
from storage.models import Department, Jurisdiction, ReviewEvent
from storage.queries import TaskRow, find_tasks, review_events

__all__ = [
    "DPI",
    "CalendarPoint",
    "ChartSubjectNotFound",
    "StatusBar",
    "StatusChart",
    "calendar_figure",
    "chart_font",
    "department_status",
    "department_status_png",
    "describe_png",
    "font_path",
    "render",
    "review_calendar_png",
    "status_bars",
    "status_chart_png",
    "status_figure",
    "status_of",
]

YELLOW_WITHIN_DAYS = 7  # as the reminders' 黄灯: due within the coming week


class ChartSubjectNotFound(LookupError):
    """The jurisdiction or department asked for is not in the ledger; .zh/.en say what to do."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


# -- counting -------------------------------------------------------------------------------------------------


def status_of(status: str, due_on: date | None, today: date) -> str | None:
    """done / on_track / yellow / red for one task row; None for an archived one (not shown)."""
    if status == "archived":
        return None
    if status == "done":
        return "done"
    if due_on is not None and due_on < today:
        return "red"
    if due_on is not None and (due_on - today).days <= YELLOW_WITHIN_DAYS:
        return "yellow"
    return "on_track"


def status_bars(rows: Iterable[TaskRow], today: date, *, by_plan: bool = False) -> list[StatusBar]:
    """One bar per department (or per plan, for one department's chart), most overdue first.

    Each (task, department) pair counts once, so a task led by one bureau and joined by two counts for all three.
    When the rows span several jurisdictions each label starts with its own: 临河区's 各部门 is not 青川市's.
    """
    rows = list(rows)
    several_places = len({row.jurisdiction for row in rows}) > 1
    tallies: dict[str, Counter[str]] = {}
    seen: set[tuple[int, str]] = set()
    for row in rows:
        bucket = status_of(row.status, row.due_on, today)
        if bucket is None:
            continue
        if by_plan:
            label = shorten(row.plan_title, 22)
        else:
            label = row.department or "（未指明单位）"
            label = f"{row.jurisdiction} {label}" if several_places else label
        if (row.id, label) in seen:
            continue
        seen.add((row.id, label))
        tallies.setdefault(label, Counter())[bucket] += 1
    bars = [StatusBar(label, dict(counter)) for label, counter in tallies.items()]
    bars.sort(
        key=lambda bar: (-bar.counts.get("red", 0), -bar.counts.get("yellow", 0), -bar.total, bar.label)
    )
    return bars


# -- from the ledger ------------------------------------------------------------------------------------------


def _jurisdiction(session: Session, jurisdiction: str | int | None) -> Jurisdiction | None:
    if jurisdiction is None:
        return None
    places = list(session.exec(select(Jurisdiction).order_by(Jurisdiction.id)).all())
    for place in places:
        if place.id == jurisdiction or place.name == jurisdiction:
            return place
    if isinstance(jurisdiction, str):
        for place in places:
            if jurisdiction in place.name or place.name in jurisdiction:
                return place
    names = "、".join(place.name for place in places) or "（无）"
    raise ChartSubjectNotFound(
        f"没有找到辖区“{jurisdiction}”。已有辖区：{names}。", f"No jurisdiction named {jurisdiction!r}."
    )


def _department(session: Session, department: str | int, region: str | None) -> tuple[int, str]:
    if isinstance(department, int):
        found = session.get(Department, department)
        if found is None or found.id is None:
            raise ChartSubjectNotFound(
                f"没有编号为 {department} 的单位。", f"No department with id {department}."
            )
        place = session.get(Jurisdiction, found.jurisdiction_id)
        return found.id, f"{place.name if place else ''} {found.name}".strip()
    match = resolve_department(session=session, name=department, region=region)
    if match.department is None or match.department.id is None:
        options = "、".join(match.label(candidate) for candidate in match.candidates[:5])
        hint = f"您是不是要找：{options}？" if options else "用 `planbot depts` 查看全部单位。"
        raise ChartSubjectNotFound(
            f"没有唯一找到单位“{department}”。{hint}", f"No single department named {department!r}."
        )
    return match.department.id, match.label(match.department)


@dataclass(frozen=True)
class StatusChart:
    """What the department chart shows: its title, its bars, and each status's count of distinct tasks."""

    subject: str  # 临河区, 全部辖区, or 临河区 区财政局
    title: str
    bars: list[StatusBar]
    tasks: dict[str, int]


def department_status(
    *,
    session: Session,
    jurisdiction: str | int | None = None,
    department: str | int | None = None,
    today: date,
    confirmed_only: bool = False,
) -> StatusChart:
    """The figures of the department chart (see department_status_png), without drawing it; `confirmed_only`
    leaves out tasks awaiting review, for a chart departments see."""
    place = _jurisdiction(session, jurisdiction)
    if department is not None:
        department_id, subject = _department(session, department, place.name if place else None)
        rows = find_tasks(session=session, department_id=department_id, confirmed_only=confirmed_only)
        bars = status_bars(rows, today, by_plan=True)
        title = f"{subject} 各规划任务状态 / tasks by plan"
    else:
        subject = place.name if place else "全部辖区"
        rows = find_tasks(
            session=session, jurisdiction_id=place.id if place else None, confirmed_only=confirmed_only
        )
        bars = status_bars(rows, today)
        title = f"{subject} 各部门任务状态 / tasks per department"
    # a joint task is one bar segment per department but one task in the totals
    statuses = (status_of(row.status, row.due_on, today) for row in {row.id: row for row in rows}.values())
    return StatusChart(
        subject, title, bars, dict(Counter(status for status in statuses if status is not None))
    )


def department_status_png(
    *,
    session: Session,
    jurisdiction: str | int | None = None,
    department: str | int | None = None,
    today: date,
    confirmed_only: bool = False,
) -> bytes:
    """PNG of tasks per department by status (done, on track, 黄灯, 红灯).

    With `department` (a name, any alias, or an id) the bars are that department's plans instead.
    Raises ChartSubjectNotFound for an unknown jurisdiction or department.
    """
    chart = department_status(
        session=session,
        jurisdiction=jurisdiction,
        department=department,
        today=today,
        confirmed_only=confirmed_only,
    )
    return status_chart_png(chart.bars, title=chart.title, today=today)


def status_chart_png(bars: list[StatusBar], *, title: str, today: date) -> bytes:
    """PNG of bars counted elsewhere (the weekly digest counts from its own snapshot with `status_of`)."""
    return render(status_figure(bars, title=title, today=today))


def review_calendar_png(*, session: Session, jurisdiction: str | int | None = None, today: date) -> bytes:
    """PNG timeline of 年度监测, 中期评估 and 总结评估 per plan, with open task deadlines per month beneath."""
    place = _jurisdiction(session, jurisdiction)
    place_id = place.id if place else None
    entries = review_events(session=session, since=date(1900, 1, 1), jurisdiction_id=place_id)
    ids = [entry.review_event_id for entry in entries if entry.review_event_id is not None]
    years = dict(
        session.exec(select(ReviewEvent.id, ReviewEvent.year).where(col(ReviewEvent.id).in_(ids))).all()
    )
    points = [
        CalendarPoint(
            row=f"{entry.jurisdiction} 《{shorten(entry.plan_title, 20)}》",
            kind=entry.kind,
            due_on=entry.due_on,
            year=years.get(entry.review_event_id, entry.due_on.year),
        )
        for entry in entries
    ]
    rows: list[TaskRow] = find_tasks(session=session, jurisdiction_id=place_id, open_only=True)
    deadlines = [row.due_on for row in {row.id: row for row in rows}.values() if row.due_on is not None]
    title = f"{place.name if place else '全部辖区'} 规划评估日历 / review calendar"
    return render(calendar_figure(points, deadlines, title=title, today=today))
