"""The weekly digests: one per department (its open work), one for the coordinators (every department at once).

Plain text, Chinese first and English after, so the same words go to Slack, the robots and the console.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import date
from typing import TYPE_CHECKING

from ingest.units import qualified_name

if TYPE_CHECKING:
    from storage.reminder_rows import DepartmentRow, TaskRow

DUE_SOON_DAYS = 30
YELLOW_DAYS = 7
LISTED = 10  # longer lists end with "等 N 项" so a digest stays one screen


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _line(row: TaskRow, as_of: date, escalated: AbstractSet[int] = frozenset()) -> str:
    assert row.due_on is not None
    days = (row.due_on - as_of).days
    if days < 0:
        when = f"已逾期 {-days} 天"
        mark = "🔴"
    elif days == 0:
        when = "今天到期"
        mark = "🟡"
    else:
        when = f"还剩 {days} 天"
        mark = "🟡" if days <= YELLOW_DAYS else "▫️"
    followed_up = "，已报协调员督办" if row.task_id in escalated else ""
    return f"{mark} #{row.task_id} {_short(row.action)}（{row.due_on.isoformat()}，{when}{followed_up}）"


def _listed(rows: Sequence[TaskRow], as_of: date, escalated: AbstractSet[int] = frozenset()) -> list[str]:
    lines = [f"  {_line(row, as_of, escalated)}" for row in rows[:LISTED]]
    if len(rows) > LISTED:
        lines.append(f"  …等 {len(rows)} 项 / {len(rows)} in all")
    return lines


def split_open_tasks(
    rows: Sequence[TaskRow], as_of: date
) -> tuple[list[TaskRow], list[TaskRow], list[TaskRow]]:
    """(overdue, due within 30 days, later or undated) among the open rows, each by due date."""
    overdue: list[TaskRow] = []
    soon: list[TaskRow] = []
    later: list[TaskRow] = []
    for row in rows:
        if not row.is_open:
            continue
        if row.due_on is None:
            later.append(row)
        elif row.due_on < as_of:
            overdue.append(row)
        elif (row.due_on - as_of).days <= DUE_SOON_DAYS:
            soon.append(row)
        else:
            later.append(row)
    by_due = lambda row: (row.due_on or date.max, row.task_id)  # noqa: E731
    return sorted(overdue, key=by_due), sorted(soon, key=by_due), sorted(later, key=by_due)


def department_digest_text(
    department: str,
    jurisdiction: str,
    rows: Sequence[TaskRow],
    as_of: date,
    *,
    escalated: AbstractSet[int] = frozenset(),
) -> str:
    """Monday's digest for one department: how much is open, what falls due within 30 days, what is late.

    `escalated` tasks have had their last overdue reminder: the digest is where the department still sees them.
    """
    overdue, soon, later = split_open_tasks(rows, as_of)
    open_count = len(overdue) + len(soon) + len(later)
    lines = [
        f"【每周任务摘要】{qualified_name(jurisdiction, department)}（{as_of.isoformat()}）："
        f"在办任务 {open_count} 项，30 天内到期 {len(soon)} 项，逾期 {len(overdue)} 项。"
    ]
    if overdue:
        lines.append("🔴 逾期（红灯）：")
        lines.extend(_listed(overdue, as_of, escalated))
    if soon:
        lines.append("🟡 即将到期：")
        lines.extend(_listed(soon, as_of))
    lines.append("用 `/plan 任务` 查看全部，用 `/plan 进展 编号 说明 百分比` 报告进展。")
    lines.append(
        f"Weekly digest for {department}: {open_count} open, {len(soon)} due within 30 days, "
        f"{len(overdue)} overdue. `/plan tasks` lists them; `/plan update ID <note> <percent>` reports progress."
    )
    return "\n".join(lines)


def coordinators_digest_text(
    jurisdiction: str,
    rows: Sequence[TaskRow],
    departments: Mapping[int, DepartmentRow],
    as_of: date,
    *,
    escalations: Sequence[tuple[str, TaskRow]] = (),
    unassigned: Sequence[TaskRow] = (),
    notes: Sequence[str] = (),
) -> str:
    """The planning office's weekly view: per department, tasks done, open on time and overdue; then the 督办
    list (tasks whose department's reminders have run out: 黄灯 → 红灯 → 通报) and the tasks no unit can be
    reminded of (no unit, or a collective such as 各有关部门 that names nobody)."""
    counts: dict[int, list[int]] = {}  # department id -> [done, on time, overdue]
    # the totals count tasks, not assignments: a task of 各部门 or with a lead and two partners is one task
    task_state: dict[int, int] = {}
    for row in rows:
        if row.status == "archived":
            continue
        tally = counts.setdefault(row.department_id, [0, 0, 0])
        if row.status == "done":
            state = 0
        elif row.due_on is not None and row.due_on < as_of:
            state = 2
        else:
            state = 1
        tally[state] += 1
        task_state[row.task_id] = state
    order = sorted(
        counts, key=lambda department_id: (-counts[department_id][2], _name(departments, department_id))
    )
    total = [sum(1 for state in task_state.values() if state == index) for index in range(3)]
    lines = [
        f"【规划实施周报】{jurisdiction}（{as_of.isoformat()}）：共 {len(counts)} 个部门，"
        f"已完成 {total[0]} 项，按期推进 {total[1]} 项，逾期 {total[2]} 项。"
    ]
    for department_id in order:
        done, on_time, late = counts[department_id]
        mark = "🔴" if late else "🟢"
        lines.append(
            f"  {mark} {_name(departments, department_id)}：完成 {done}，按期 {on_time}，逾期 {late}"
        )
    lines.extend(_escalation_lines(escalations, departments, as_of))
    lines.extend(_unassigned_lines(unassigned, as_of))
    lines.extend(notes)
    lines.append("逾期较多的部门排在前面；用 `/plan 逾期` 查看逐项明细，可提醒相关部门说明原因。")
    lines.append(
        f"Coordinators' weekly digest for {jurisdiction}: {total[0]} done, {total[1]} on time, {total[2]} overdue "
        f"across {len(counts)} departments. `/plan overdue` lists the late tasks."
    )
    return "\n".join(lines)


ESCALATION_MARKS = {"黄灯": "🟡", "红灯": "🔴", "通报": "📢"}


def _escalation_lines(
    escalations: Sequence[tuple[str, TaskRow]], departments: Mapping[int, DepartmentRow], as_of: date
) -> list[str]:
    """One line per task (its units joined), the most serious stage first."""
    if not escalations:
        return []
    by_task: dict[int, tuple[str, TaskRow, list[str]]] = {}
    for stage, row in escalations:
        entry = by_task.setdefault(row.task_id, (stage, row, []))
        entry[2].append(_name(departments, row.department_id))
    order = {stage: index for index, stage in enumerate(("通报", "红灯", "黄灯"))}
    entries = sorted(
        by_task.values(), key=lambda entry: (order.get(entry[0], 9), entry[1].due_on or date.min)
    )
    lines = [f"督办清单（部门提醒已满，仍未完成）{len(entries)} 项 / follow-up list:"]
    for stage, row, units in entries[:LISTED]:
        assert row.due_on is not None
        lines.append(
            f"  {ESCALATION_MARKS.get(stage, '')}{stage} #{row.task_id} {_short(row.action)}"
            f"（{'、'.join(units)}，已逾期 {(as_of - row.due_on).days} 天）"
        )
    if len(entries) > LISTED:
        lines.append(f"  …等 {len(entries)} 项 / {len(entries)} in all")
    return lines


def _unassigned_lines(unassigned: Sequence[TaskRow], as_of: date) -> list[str]:
    if not unassigned:
        return []
    by_task = {row.task_id: row for row in unassigned}
    lines = [
        f"未分配任务（没有指明单位，或只写了“有关部门”）{len(by_task)} 项，请用 `planbot task edit 编号` 指定牵头单位 / "
        f"tasks with no unit to remind:"
    ]
    for row in sorted(by_task.values(), key=lambda row: (row.due_on or date.max, row.task_id))[:LISTED]:
        who = f"文件中为“{row.addressed_as}”，" if row.addressed_as else ""
        due = row.due_on.isoformat() if row.due_on else "无时限"
        lines.append(f"  ▫️ #{row.task_id} {_short(row.action)}（{who}{due}）")
    if len(by_task) > LISTED:
        lines.append(f"  …等 {len(by_task)} 项 / {len(by_task)} in all")
    return lines


def unreachable_line(names: Sequence[str]) -> str:
    shown = "、".join(names[:LISTED]) + (f" 等 {len(names)} 个" if len(names) > LISTED else "")
    return (
        f"⚠️ 未绑定频道的部门（其提醒无法送达）：{shown}。请用 `/plan 绑定 部门 #频道` 或 `/plan 成员 @某人 部门` 设置。\n"
        f"{len(names)} department(s) with open tasks have no channel, member or robot: bind them with `/plan bind`."
    )


def _name(departments: Mapping[int, DepartmentRow], department_id: int) -> str:
    department = departments.get(department_id)
    return department.name if department else f"部门 {department_id}"
