"""The words of the deadline and review reminders: Chinese first, English after, and what to do next."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ingest.units import qualified_name

if TYPE_CHECKING:
    from storage.reminder_rows import DepartmentRow, PlanRow, ReminderConventions, ReviewRow, TaskRow

REVIEW_NAMES = {"annual_monitoring": "年度监测", "mid_term_review": "中期评估", "final_review": "总结评估"}
REVIEW_ENGLISH = {
    "annual_monitoring": "Annual monitoring",
    "mid_term_review": "Mid-term review",
    "final_review": "Final review",
}
ROLE_NAMES = {"lead": "牵头", "co": "配合"}
RED = "🔴红灯"
YELLOW = "🟡黄灯"


def short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def light(due_on: date, as_of: date, yellow_within_days: int = 7) -> str:
    """红灯 once late, 黄灯 within the last week, nothing before."""
    days_left = (due_on - as_of).days
    if days_left < 0:
        return RED
    if days_left <= yellow_within_days:
        return YELLOW
    return ""


def task_text(
    row: TaskRow,
    department: DepartmentRow,
    plan_title: str,
    as_of: date,
    conventions: ReminderConventions,
    *,
    period_label: str = "",
    overdue_count: int = 0,
) -> str:
    """One deadline or overdue reminder; `period_label` names the instance of a recurring duty (2027年度),
    and the last of the `overdue_reminder_limit` overdue reminders says what happens next."""
    assert row.due_on is not None
    due = row.due_on.isoformat()
    days_left = (row.due_on - as_of).days
    mark = light(row.due_on, as_of, conventions.yellow_within_days)
    role = ROLE_NAMES.get(row.role, row.role)
    # a fanned-out collective task says so: the bureau reads "各部门" in the document, not its own name
    via = f"，文件中为“{row.addressed_as}”" if row.addressed_as else ""
    who = f"{qualified_name(department.jurisdiction, department.name)}（{role}{via}）"
    what = f"任务 #{row.task_id}「{short(row.action)}」"
    if period_label:
        what += f"（{period_label}）"
    if days_left > 0:
        zh = f"【任务到期提醒】{who}：{what}将于 {due} 到期，还剩 {days_left} 天。"
        en = f"Deadline reminder: task #{row.task_id} is due on {due} ({days_left} days left)."
    elif days_left == 0:
        zh = f"【任务今日到期】{who}：{what}今天（{due}）到期。"
        en = f"Deadline today: task #{row.task_id} is due today ({due})."
    else:
        zh = f"【任务逾期】{who}：{what}已逾期 {-days_left} 天（时限 {due}）。"
        en = f"Overdue: task #{row.task_id} was due on {due}, {-days_left} days ago."
    prefix = f"{mark} " if mark else ""
    last = ""
    last_en = ""
    if overdue_count and overdue_count >= conventions.overdue_reminder_limit:
        last = "这是最后一次逾期提醒，此后本任务列入每周摘要，并报规划科（协调员）督办。"
        last_en = " This is the last overdue reminder: from now on the task is in the weekly digest and on the coordinators' follow-up list."
    return (
        f"{prefix}{zh}请抓紧推进，并用 `/plan 进展 {row.task_id} 说明 百分比` 报告进展，完成后用 "
        f"`/plan 完成 {row.task_id}`。{last}（{short(plan_title, 40)}）\n"
        f"{en} Report progress with `/plan update {row.task_id} <note> <percent>`, or `/plan done {row.task_id}`."
        f"{last_en}"
    )


def review_text(event: ReviewRow, plan: PlanRow, as_of: date) -> str:
    name = REVIEW_NAMES.get(event.kind, event.kind)
    english = REVIEW_ENGLISH.get(event.kind, event.kind)
    due = event.due_on.isoformat()
    days_left = (event.due_on - as_of).days
    when = f"还有 {days_left} 天" if days_left > 0 else "就在今天"
    if event.kind == "annual_monitoring":
        return (
            f"【{name}】{plan.jurisdiction}《{short(plan.title, 40)}》{event.year} 年度实施情况监测于 {due} 截止"
            f"（{when}）。请报送上年度规划实施情况，并用 `/plan 进展` 更新本部门各项任务的进展。\n"
            f"{english}: report how the plan was carried out in {event.year} by {due} "
            f"({max(days_left, 0)} days left), and update your tasks with `/plan update`."
        )
    return (
        f"【{name}】{plan.jurisdiction}《{short(plan.title, 40)}》{name}定于 {due}（{when}）。"
        f"请梳理本部门承担任务的完成情况、存在问题和下一步打算，按要求报送评估材料；用 `/plan 任务` 查看本部门任务。\n"
        f"{english} of the plan on {due} ({max(days_left, 0)} days left): prepare your department's report on "
        f"its tasks; `/plan tasks` lists them."
    )
