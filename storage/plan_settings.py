"""A plan's own reminder settings: its reminder days, its overdue rhythm, and the pause switch.

The global settings (DEADLINE_REMINDER_DAYS…) are the defaults. A plan overrides only what its planning
office changed, stored as JSON in `plan.reminder_settings`, so a later change of a default still reaches
every plan that did not override that value.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields, replace

from sqlmodel import Session, select

from storage.models import Jurisdiction, Plan
from storage.reminder_rows import ReminderConventions, parse_days

MAX_DAYS_BEFORE = 366  # a reminder more than a year ahead is a typo (3000 for 30,0,0)
DAY_LISTS = ("deadline_days", "review_days", "annual_monitoring_days")


class PlanSettingsError(ValueError):
    """A setting that cannot be stored, said in Chinese (`zh`) and English (`en`)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} {en}")
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class ReminderOverrides:
    """What one plan changes of the defaults; None leaves the default in force."""

    deadline_days: tuple[int, ...] | None = None
    review_days: tuple[int, ...] | None = None
    annual_monitoring_days: tuple[int, ...] | None = None
    overdue_every_days: int | None = None

    @classmethod
    def from_json(cls, text: str | None) -> ReminderOverrides:
        """Read what `to_json` wrote; a value that no longer validates falls back to the default."""
        if not text:
            return cls()
        try:
            stored = json.loads(text)
        except ValueError:
            return cls()
        if not isinstance(stored, dict):
            return cls()
        overrides = cls()
        for name in DAY_LISTS:
            value = stored.get(name)
            if (
                isinstance(value, list)
                and value
                and all(type(day) is int and 0 <= day <= MAX_DAYS_BEFORE for day in value)
            ):
                overrides = replace(overrides, **{name: tuple(sorted(set(value), reverse=True))})
        every = stored.get("overdue_every_days")
        if type(every) is int and 1 <= every <= MAX_DAYS_BEFORE:
            overrides = replace(overrides, overdue_every_days=every)
        return overrides

    def to_json(self) -> str | None:
        stored = {
            field.name: list(value) if isinstance(value, tuple) else value
            for field in fields(self)
            if (value := getattr(self, field.name)) is not None
        }
        return json.dumps(stored, sort_keys=True) if stored else None

    def merged_with(self, newer: ReminderOverrides) -> ReminderOverrides:
        """These overrides with every value `newer` sets replaced."""
        changes = {field.name: getattr(newer, field.name) for field in fields(newer)}
        return replace(self, **{name: value for name, value in changes.items() if value is not None})

    def applied_to(self, defaults: ReminderConventions) -> ReminderConventions:
        changes = {field.name: getattr(self, field.name) for field in fields(self)}
        return replace(defaults, **{name: value for name, value in changes.items() if value is not None})

    @property
    def is_empty(self) -> bool:
        return self.to_json() is None


class PlanNotFound(PlanSettingsError):
    def __init__(self, plan_id: int) -> None:
        super().__init__(
            f"没有编号为 {plan_id} 的规划。用 `planbot plan list` 查看全部规划。",
            f"No plan {plan_id}; list them with `planbot plan list`.",
        )
        self.plan_id = plan_id


def _checked_days(text: str) -> tuple[int, ...]:
    # people type the list with Chinese punctuation or spaces as often as with ASCII commas
    listed = re.sub(r"[，、；;\s]+", ",", text)
    try:
        days = parse_days(listed)
    except ValueError as error:
        raise PlanSettingsError(
            f"提醒天数应是用逗号分隔的非负整数，例如 30,7,1,0（收到“{text}”）。",
            f"Reminder days are whole numbers >= 0 separated by commas, e.g. 30,7,1,0 (got {text!r}).",
        ) from error
    if not days:
        raise PlanSettingsError(
            "至少要有一个提醒天数，例如 30,7,1,0；不想提醒请用暂停。",
            "Give at least one day, or pause the plan instead.",
        )
    if days[0] > MAX_DAYS_BEFORE:
        raise PlanSettingsError(
            f"提醒最多提前 {MAX_DAYS_BEFORE} 天（收到 {days[0]}）。",
            f"Reminders go at most {MAX_DAYS_BEFORE} days ahead.",
        )
    return days


def overrides_from_words(
    *,
    deadline_days: str | None = None,
    review_days: str | None = None,
    annual_monitoring_days: str | None = None,
    overdue_every_days: int | None = None,
) -> ReminderOverrides:
    """Overrides from what a person typed ("30,14,7,1,0"); raises PlanSettingsError on anything unusable."""
    if overdue_every_days is not None and not 1 <= overdue_every_days <= MAX_DAYS_BEFORE:
        raise PlanSettingsError(
            f"逾期提醒间隔应在 1 到 {MAX_DAYS_BEFORE} 天之间，例如 7。",
            f"The overdue interval is 1 to {MAX_DAYS_BEFORE} days.",
        )
    return ReminderOverrides(
        deadline_days=_checked_days(deadline_days) if deadline_days is not None else None,
        review_days=_checked_days(review_days) if review_days is not None else None,
        annual_monitoring_days=(
            _checked_days(annual_monitoring_days) if annual_monitoring_days is not None else None
        ),
        overdue_every_days=overdue_every_days,
    )


@dataclass(frozen=True)
class PlanOverview:
    id: int
    jurisdiction: str
    title: str
    kind: str
    period: str  # "2021–2025", "2025" or ""
    paused: bool
    overrides: ReminderOverrides
    year: int | None = None
    period_years: tuple[int, int] | None = None


def _overview(plan: Plan, jurisdiction: str) -> PlanOverview:
    assert plan.id is not None
    if plan.period_start is not None:
        period = f"{plan.period_start}–{plan.period_end}"
    else:
        period = str(plan.year) if plan.year is not None else ""
    return PlanOverview(
        plan.id,
        jurisdiction,
        plan.title,
        plan.kind,
        period,
        plan.reminders_paused,
        ReminderOverrides.from_json(plan.reminder_settings),
        plan.year,
        (plan.period_start, plan.period_end) if plan.period_start is not None and plan.period_end is not None else None,
    )


def plan_overviews(*, session: Session) -> list[PlanOverview]:
    rows = session.exec(
        select(Plan, Jurisdiction.name)
        .join(Jurisdiction, Jurisdiction.id == Plan.jurisdiction_id)
        .order_by(Plan.id)  # type: ignore[arg-type]
    ).all()
    return [_overview(plan, name) for plan, name in rows]


def update_plan_reminders(
    *,
    session: Session,
    plan_id: int,
    overrides: ReminderOverrides | None = None,
    paused: bool | None = None,
    reset: bool = False,
) -> PlanOverview:
    """Change one plan's reminder settings and commit. `reset` drops its overrides before applying new ones."""
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise PlanNotFound(plan_id)
    current = ReminderOverrides() if reset else ReminderOverrides.from_json(plan.reminder_settings)
    plan.reminder_settings = current.merged_with(overrides or ReminderOverrides()).to_json()
    if paused is not None:
        plan.reminders_paused = paused
    session.add(plan)
    session.commit()
    place = session.get(Jurisdiction, plan.jurisdiction_id)
    return _overview(plan, place.name if place else "")
