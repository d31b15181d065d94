"""Small ledger snapshots for the reminder rules, built in code so each test states exactly what it holds."""

from __future__ import annotations

from datetime import date

from handlers.reminders import (
    Audience,
    DepartmentRow,
    LedgerSnapshot,
    PlanRow,
    ReminderConventions,
    ReviewRow,
    TaskRow,
)

PLAN = PlanRow(id=1, title="莱芜区国民经济和社会发展第十四个五年规划纲要", jurisdiction="莱芜区")
FGJ = DepartmentRow(
    1, "区发展改革局", "莱芜区", Audience(channels=("slack:CFGJ",), members=("slack:UFGJ1", "slack:UFGJ2"))
)
JYJ = DepartmentRow(2, "区教育和体育局", "莱芜区", Audience(channels=(), members=("slack:UJYJ1",)))
COORDINATORS = ("slack:UCOORD",)


def task(
    task_id: int,
    due_on: date | None,
    *,
    department: int = 1,
    status: str = "open",
    recurrence: str | None = None,
    plan_id: int = 1,
    role: str = "lead",
) -> TaskRow:
    return TaskRow(
        task_id=task_id,
        plan_id=plan_id,
        department_id=department,
        role=role,
        action=f"推进第{task_id}项重点工作",
        due_on=due_on,
        recurrence=recurrence,
        status=status,
    )


def snapshot(
    tasks: list[TaskRow] = (),
    reviews: list[ReviewRow] = (),
    *,
    paused: bool = False,
    conventions: ReminderConventions | None = None,
) -> LedgerSnapshot:
    plan = PlanRow(PLAN.id, PLAN.title, PLAN.jurisdiction, paused=paused, conventions=conventions)
    return LedgerSnapshot(
        plans={1: plan},
        departments={1: FGJ, 2: JYJ},
        tasks=list(tasks),
        reviews=list(reviews),
        coordinators=COORDINATORS,
    )
