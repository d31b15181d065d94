"""The demo's time-lapse: month by month over the plan period, which reminders would fire and to whom.

It asks the reminder rules' own dry run (`handlers.reminders.planned_reminders`), on a snapshot of the demo
ledger in which every department is reached at a console target named after it: a fresh demo database has
no Slack channels or members yet, and without targets the rules would (rightly) send nothing.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date

from rich.console import Console
from sqlmodel import Session

from bot.settings import Settings
from handlers.reminders import Audience, LedgerSnapshot, Reminder, ReminderConventions, planned_reminders
from ingest.units import qualified_name
from storage import reminder_snapshot

# the weekly digests (one per department each Monday) would bury everything else in the listing
SHOWN_KINDS = ("annual_monitoring", "mid_term_review", "final_review", "deadline", "overdue")
KIND_NAMES = {
    "annual_monitoring": "年度监测",
    "mid_term_review": "中期评估",
    "final_review": "总结评估",
    "deadline": "到期",
    "overdue": "逾期",
}
EXAMPLES_PER_MONTH = 2
COORDINATORS = "规划办（协调员）"


def demo_snapshot(snapshot: LedgerSnapshot) -> LedgerSnapshot:
    """The snapshot with each department reachable at console:<辖区单位> and the planning office at console."""
    departments = {
        key: dataclasses.replace(
            department,
            audience=Audience(
                channels=(f"console:{qualified_name(department.jurisdiction, department.name)}",)
            ),
        )
        for key, department in snapshot.departments.items()
    }
    # the time-lapse imagines planbot running since the plans began, so nothing counts as imported late (historic)
    tasks = [dataclasses.replace(row, imported_on=None) for row in snapshot.tasks]
    return dataclasses.replace(
        snapshot, departments=departments, tasks=tasks, coordinators=(f"console:{COORDINATORS}",)
    )


def months(start: date, end: date) -> list[date]:
    first = date(start.year, start.month, 1)
    found = []
    while first <= end:
        found.append(first)
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return found


def recipient(target: str) -> str:
    return target.removeprefix("console:")


def month_line(month: date, reminders: list[Reminder]) -> str:
    """'2023-06  12 条：中期评估 9、到期 3 → 临河区 区发展改革局、…' (or a dash for a quiet month)."""
    if not reminders:
        return f"{month:%Y-%m}  [dim]—[/dim]"
    kinds = Counter(reminder.kind for reminder in reminders)
    listed = "、".join(f"{KIND_NAMES[kind]} {kinds[kind]}" for kind in SHOWN_KINDS if kinds[kind])
    people = Counter(recipient(reminder.target) for reminder in reminders)
    top = "、".join(name for name, _ in people.most_common(3))
    more = f" 等 {len(people)} 处" if len(people) > 3 else ""
    return f"{month:%Y-%m}  {len(reminders)} 条：{listed} → {top}{more}"


def examples(reminders: list[Reminder]) -> list[Reminder]:
    """Reviews first, then deadlines; one per subject, so two lines say different things.

    Overdue notices are only counted: once a task is late it is nagged weekly, and showing those every month
    would hide the month's new events.
    """
    order = {kind: rank for rank, kind in enumerate(SHOWN_KINDS)}
    chosen: list[Reminder] = []
    subjects: set[str] = set()
    fresh = [reminder for reminder in reminders if reminder.kind != "overdue"]
    for reminder in sorted(fresh, key=lambda r: (order[r.kind], r.fire_on, r.target)):
        if reminder.subject_key in subjects:
            continue
        subjects.add(reminder.subject_key)
        chosen.append(reminder)
        if len(chosen) == EXAMPLES_PER_MONTH:
            break
    return chosen


def gist(text: str, limit: int = 46) -> str:
    """The first sentence of a reminder, without its traffic light: enough to see what it is about."""
    sentence = text.splitlines()[0].split("。")[0]
    for mark in ("🔴红灯 ", "🟡黄灯 "):
        sentence = sentence.removeprefix(mark)
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


def print_time_lapse(session: Session, settings: Settings, period: tuple[date, date], out: Console) -> int:
    """Print the months of `period` with their reminders; returns how many reminders were listed."""
    snapshot = reminder_snapshot.load_snapshot(
        session=session, defaults=ReminderConventions.from_settings(settings)
    )
    start, end = period
    reminders = planned_reminders(demo_snapshot(snapshot), start, end, kinds=SHOWN_KINDS)
    by_month: dict[date, list[Reminder]] = {}
    for reminder in reminders:
        by_month.setdefault(date(reminder.fire_on.year, reminder.fire_on.month, 1), []).append(reminder)
    out.print(
        f"[bold]4. 提醒推演 / time-lapse[/bold] {start:%Y-%m} 至 {end:%Y-%m}：假如 planbot 每个工作日运行，"
        f"每月会发出哪些提醒、发给谁（遇节假日顺延到下一个工作日；任务逾期未完成的每周提醒一次、最多三次，之后报协调员督办；每周一的任务摘要未列出）。\n"
        f"If planbot ran every working day: the reminders of each month and who gets them (late tasks are reminded weekly, at most three times, then escalated to the coordinators; weekly digests not listed)."
    )
    for month in months(start, end):
        chosen = by_month.get(month, [])
        out.print(month_line(month, chosen))
        for reminder in examples(chosen):
            out.print(
                f"         [dim]{reminder.fire_on:%m-%d} → {recipient(reminder.target)}：{gist(reminder.text)}[/dim]"
            )
    out.print(
        f"共 {len(reminders)} 条提醒 / {len(reminders)} reminders in all。真实发送：`planbot serve` 或 `planbot remind --now`。\n"
    )
    return len(reminders)
