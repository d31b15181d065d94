"""What the reminder rules read and return: plain rows of the ledger and the reminder conventions.

Storage builds a `LedgerSnapshot` from the database (storage.reminder_snapshot.load_snapshot); tests and the
demo build one in code. A `Reminder` is one message to one target with its delivery key. The rows live on
the storage side because storage fills them; the rules that read them are in handlers.reminders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

OPEN_STATUSES = ("open", "in_progress")


# -- the snapshot the rules read ------------------------------------------------------------------------------


def parse_days(text: str) -> tuple[int, ...]:
    """'30,7,1,0' -> (30, 7, 1, 0); blanks ignored, negatives refused (they would fire after the date)."""
    days = tuple(sorted({int(part) for part in text.split(",") if part.strip()}, reverse=True))
    if any(day < 0 for day in days):
        raise ValueError(f"reminder days must be >= 0: {text!r}")
    return days


@dataclass(frozen=True, slots=True)
class ReminderConventions:
    deadline_days: tuple[int, ...] = (30, 7, 1, 0)
    review_days: tuple[int, ...] = (60, 30, 7)
    annual_monitoring_days: tuple[int, ...] = (30, 7)
    overdue_every_days: int = 7
    yellow_within_days: int = 7
    digest_weekday: int = 0  # Monday
    # after this many overdue reminders a task is no longer nagged: it goes into the weekly digest and onto the
    # coordinators' 督办 list
    overdue_reminder_limit: int = 3
    # a task (or an instance of a duty) already this many days overdue when imported is historic: never nagged
    historic_after_days: int = 30
    # a plan whose period ended this many days ago is archived: its tasks are no longer reminded (None: never)
    archive_after_days: int | None = 365
    annual_report_date: str = "01-31"  # MM-DD: after it, an indicator without last year's value is 未报送
    indicator_tolerance: float = 0.1  # how far a 预期性 indicator may lag its path and stay yellow

    @classmethod
    def from_settings(cls, settings: object) -> ReminderConventions:
        return cls(
            deadline_days=parse_days(getattr(settings, "deadline_reminder_days", "30,7,1,0")),
            review_days=parse_days(getattr(settings, "review_reminder_days", "60,30,7")),
            annual_monitoring_days=parse_days(getattr(settings, "annual_monitoring_reminder_days", "30,7")),
            digest_weekday=int(getattr(settings, "digest_weekday", 0)),
            overdue_reminder_limit=int(getattr(settings, "overdue_reminder_limit", 3)),
            historic_after_days=int(getattr(settings, "historic_after_days", 30)),
            archive_after_days=_days_or_none(getattr(settings, "archive_after_period_days", 365)),
            annual_report_date=str(getattr(settings, "annual_report_date", "01-31")),
            indicator_tolerance=float(getattr(settings, "indicator_tolerance", 0.1)),
        )


def _days_or_none(value: object) -> int | None:
    """A negative or empty setting turns the automatic archive off."""
    if value is None or value == "":
        return None
    days = int(value)  # type: ignore[call-overload]
    return days if days >= 0 else None


@dataclass(frozen=True, slots=True)
class Audience:
    """Where a department is reached: bound channels (or robots) and its members' DMs, as delivery targets."""

    channels: tuple[str, ...] = ()  # "slack:C123", "dingtalk:4"
    members: tuple[str, ...] = ()  # "slack:U123"

    def department_wide(self) -> tuple[str, ...]:
        """One message to the department: its channels, or each member when no channel is bound."""
        return self.channels or self.members


@dataclass(frozen=True, slots=True)
class DepartmentRow:
    id: int
    name: str
    jurisdiction: str
    audience: Audience = Audience()


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One assignment of an open or done task: the task seen from one department."""

    task_id: int
    plan_id: int
    department_id: int
    role: str
    action: str
    due_on: date | None
    recurrence: str | None = None
    status: str = "open"
    addressed_as: str | None = None  # the collective (各部门) the document named, when this row fans it out
    starts_on: date | None = None  # a recurring duty's first period ("自2027年起")
    imported_on: date | None = (
        None  # when the task entered the ledger: what was long overdue then is historic
    )
    done_periods: frozenset[str] = frozenset()  # the instances of a recurring duty reported done

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True, slots=True)
class ReviewRow:
    event_id: int
    plan_id: int
    kind: str  # annual_monitoring, mid_term_review, final_review
    due_on: date
    year: int


@dataclass(frozen=True, slots=True)
class PlanRow:
    id: int
    title: str
    jurisdiction: str
    paused: bool = False
    conventions: ReminderConventions | None = None  # None: the settings' defaults
    starts_on: date | None = None  # the first day of the plan's period (or of its year)
    ends_on: date | None = None  # the last day of the plan's period (or of its year); None: open-ended
    archived: bool = False  # `planbot plan archive`


@dataclass(frozen=True, slots=True)
class IndicatorWatch:
    """An indicator as the reminders see it: who answers for it (its lead unit) and the numbers to judge it by."""

    indicator_id: int
    plan_id: int
    department_id: int  # the lead unit; 0 when the document names none
    name: str
    unit: str | None
    base_year: int | None
    base_number: float | None
    target_year: int | None
    target_number: float | None
    comparison: str | None
    attribute: str | None
    values: tuple[tuple[int, float | None], ...] = ()  # (year, number of the counting report)


@dataclass(frozen=True)
class LedgerSnapshot:
    plans: dict[int, PlanRow]
    departments: dict[int, DepartmentRow]
    tasks: list[TaskRow]
    reviews: list[ReviewRow]
    coordinators: tuple[str, ...] = ()  # delivery targets of the planning office
    defaults: ReminderConventions = field(default_factory=ReminderConventions)
    # open tasks nobody can be reminded of by name: no unit at all, or a collective such as 各有关部门 that does
    # not say who; `addressed_as` holds the collective. They go to the coordinators' digest, as one list.
    unassigned: list[TaskRow] = field(default_factory=list)
    # the plans' live indicators: the annual monitoring reminder asks for their values, the digest warns of them
    indicators: list[IndicatorWatch] = field(default_factory=list)

    def conventions_of(self, plan_id: int) -> ReminderConventions:
        plan = self.plans.get(plan_id)
        return plan.conventions if plan and plan.conventions else self.defaults

    def active(self, plan_id: int) -> bool:
        plan = self.plans.get(plan_id)
        return plan is not None and not plan.paused and not plan.archived

    def retired_after(self, plan_id: int) -> date | None:
        """The last day anything of the plan is reminded: its end plus the archive delay (None: no end)."""
        plan = self.plans.get(plan_id)
        delay = self.conventions_of(plan_id).archive_after_days
        if plan is None or plan.ends_on is None or delay is None:
            return None
        return plan.ends_on + timedelta(days=delay)


@dataclass(frozen=True, slots=True)
class Reminder:
    """One message to one target. (rule, subject_key, occurrence_on, target) is the delivery's unique key."""

    rule: str  # "deadline-7", "overdue", "mid_term_review-30", "digest"
    kind: str  # one of KINDS
    subject_key: str  # "task:12", "review:3", "digest:dept:5", "digest:coordinators:莱芜区"
    occurrence_on: date  # the nominal date of this occurrence (the deadline, the review date, the Monday)
    fire_on: date  # the working day it goes out
    target: str
    text: str
    jurisdiction: str = ""
    department: str | None = None
    task_id: int | None = None
    review_event_id: int | None = None

    @property
    def key(self) -> tuple[str, str, date, str]:
        return (self.rule, self.subject_key, self.occurrence_on, self.target)

    def as_json(self) -> dict[str, object]:
        """The object `planbot remind --dry-run --format jsonl` prints."""
        return {
            "fire_on": self.fire_on.isoformat(),
            "kind": self.kind,
            "jurisdiction": self.jurisdiction,
            "department": self.department,
            "task_id": self.task_id,
            "target": self.target,
            "text": self.text,
        }
