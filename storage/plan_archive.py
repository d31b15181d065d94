"""A plan's life cycle: `planbot plan archive ID` keeps its tasks in the ledger but ends their reminders.

Plans whose period ended long ago are retired by the reminder rules on their own (the setting
`archive_after_period_days`); this is for the plan the office knows is finished, or replaced, earlier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from storage.models import Jurisdiction, Plan


class PlanNotFound(LookupError):
    def __init__(self, plan_id: int) -> None:
        self.zh = f"没有编号为 {plan_id} 的规划。请用 `planbot plan list` 查看规划编号。"
        self.en = f"There is no plan #{plan_id}. List plan ids with `planbot plan list`."
        super().__init__(f"{self.zh} / {self.en}")


@dataclass(frozen=True)
class ArchivedPlan:
    id: int
    jurisdiction: str
    title: str
    archived_at: datetime | None
    changed: bool  # False when the plan already was in the state asked for


def set_plan_archived(*, session: Session, plan_id: int, archived: bool, now: datetime) -> ArchivedPlan:
    """Archive the plan (or bring it back with `archived=False`). Commits."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise PlanNotFound(plan_id)
    changed = (plan.archived_at is not None) != archived
    if changed:
        plan.archived_at = now if archived else None
        session.add(plan)
        session.commit()
        session.refresh(plan)
    jurisdiction = session.exec(
        select(Jurisdiction.name).where(Jurisdiction.id == plan.jurisdiction_id)
    ).one()
    assert plan.id is not None
    return ArchivedPlan(plan.id, jurisdiction, plan.title, plan.archived_at, changed)


def archived_plan_ids(*, session: Session) -> set[int]:
    return set(session.exec(select(Plan.id).where(Plan.archived_at.is_not(None))).all())  # type: ignore[union-attr]
