"""Review events of a plan (年度监测, 中期评估, 总结评估), dated by configurable conventions.

By default the annual monitoring report of year Y is due 01-31 of Y+1, the mid-term review 06-30 of the
middle year of the period (2023 for 2021-2025) and the final review 12-31 of its last year. A date the
document writes itself wins: "中期评估报告2023年12月底前" moves the mid-term review to 2023-12-31, and
"每年1月15日前报送上年度规划实施情况" moves every annual report to 01-15. The calendar of a period is held by the
first plan of it ingested (a five-year plan); a mechanism opinion or division plan of the same period that
writes dates moves that calendar's events. Only five-year plans and the documents implementing them have
reviews: an annual plan or a speech does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from ingest.records import TaskRecord
from storage.models import Plan, ReviewEvent

REVIEW_NAMES = {"annual_monitoring": "年度监测", "mid_term_review": "中期评估", "final_review": "总结评估"}
REVIEWED_KINDS = ("five_year_plan", "mechanism_opinion", "division_plan")  # ingest.records.DOCUMENT_KINDS
# a yearly duty that is the annual monitoring report in other words
_ANNUAL_REPORT = re.compile(r"年度监测|报送上一?年度|上一?年度.{0,12}(?:实施情况|监测)|年度实施情况")


@dataclass(frozen=True)
class ReviewConventions:
    annual_report: str = "01-31"  # MM-DD of the year after the year monitored
    mid_term: str = "06-30"  # MM-DD of the middle year of the period
    final: str = "12-31"  # MM-DD of the last year of the period

    @classmethod
    def from_settings(cls, settings: object) -> ReviewConventions:
        return cls(
            annual_report=getattr(settings, "annual_report_date", cls.annual_report),
            mid_term=getattr(settings, "mid_term_review_date", cls.mid_term),
            final=getattr(settings, "final_review_date", cls.final),
        )


def _on(year: int, month_day: str) -> date:
    month, day = (int(part) for part in month_day.split("-"))
    return date(year, month, day)


@dataclass(frozen=True)
class PlannedReview:
    kind: str
    year: int
    due_on: date
    description: str


def written_dates(records: list[TaskRecord]) -> dict[str, date]:
    """The review dates the document writes itself, by review kind; they beat the conventions."""
    dates: dict[str, date] = {}
    for record in records:
        if record.kind == "review" and record.review and record.due:
            dates.setdefault(record.review, record.due)
    if "annual_monitoring" not in dates:
        for record in records:
            if record.recurrence == "yearly" and record.due and _ANNUAL_REPORT.search(record.evidence):
                dates["annual_monitoring"] = record.due
                break
    return dates


def _written_or_default(
    kind: str, year: int, written: dict[str, date], conventions: ReviewConventions, middle: int, end: int
) -> date:
    said = written.get(kind)
    if kind == "annual_monitoring":
        # the report on year Y is due in Y+1, on the day the document names for every year
        return date(year + 1, said.month, said.day) if said else _on(year + 1, conventions.annual_report)
    if said:
        return said
    return _on(middle, conventions.mid_term) if kind == "mid_term_review" else _on(end, conventions.final)


def planned_reviews(
    *, title: str, period: tuple[int, int], conventions: ReviewConventions, records: list[TaskRecord]
) -> list[PlannedReview]:
    """The review events of a plan with `period`, with descriptions from review sentences when present."""
    start, end = period
    middle = start + (end - start) // 2
    said = {record.review: record.evidence for record in records if record.kind == "review" and record.review}
    written = written_dates(records)
    name = f"《{title}》" if title else "规划"
    reviews = [
        PlannedReview(
            "annual_monitoring",
            year,
            _written_or_default("annual_monitoring", year, written, conventions, middle, end),
            said.get("annual_monitoring") or f"{name}{year}年度实施情况监测 / annual monitoring of {year}",
        )
        for year in range(start, end + 1)
    ]
    reviews.append(
        PlannedReview(
            "mid_term_review",
            middle,
            _written_or_default("mid_term_review", middle, written, conventions, middle, end),
            said.get("mid_term_review") or f"{name}实施中期评估 / mid-term review",
        )
    )
    reviews.append(
        PlannedReview(
            "final_review",
            end,
            _written_or_default("final_review", end, written, conventions, middle, end),
            said.get("final_review") or f"{name}实施总结评估 / final review",
        )
    )
    return reviews


def _calendar_owner(*, session: Session, plan: Plan) -> int | None:
    """The other plan of the same period and jurisdiction that holds the review calendar, if any."""
    return session.exec(
        select(ReviewEvent.plan_id)
        .join(Plan, col(Plan.id) == col(ReviewEvent.plan_id))
        .where(
            Plan.jurisdiction_id == plan.jurisdiction_id,
            Plan.period_start == plan.period_start,
            Plan.period_end == plan.period_end,
            Plan.id != plan.id,
        )
        .limit(1)
    ).first()


def _move_owner_events(
    *, session: Session, owner_id: int, plan: Plan, conventions: ReviewConventions, records: list[TaskRecord]
) -> None:
    """Dates a companion document (实施机制意见) writes move the events of the plan holding the calendar."""
    written = written_dates(records)
    if not written:
        return
    assert plan.period_start is not None and plan.period_end is not None
    start, end = plan.period_start, plan.period_end
    middle = start + (end - start) // 2
    for event in session.exec(select(ReviewEvent).where(ReviewEvent.plan_id == owner_id)).all():
        if event.kind in written:
            event.due_on = _written_or_default(event.kind, event.year, written, conventions, middle, end)
            session.add(event)
    session.flush()


def owns_review_calendar(*, session: Session, plan: Plan) -> bool:
    """Whether `plan` holds the review calendar of its period in its jurisdiction.

    A five-year plan, its mechanism opinion and its division plan share one period; the first of them
    ingested holds the calendar, so departments are not reminded of the same 中期评估 three times.
    """
    if plan.period_start is None or plan.period_end is None:
        return False
    return _calendar_owner(session=session, plan=plan) is None


def sync_review_events(
    *, session: Session, plan: Plan, conventions: ReviewConventions, records: list[TaskRecord]
) -> int:
    """Create or update the plan's review events; returns how many were created.

    On a later version, an event keeps its date unless the document writes one: a default never undoes a date
    that this or a companion document wrote.
    """
    if plan.kind not in REVIEWED_KINDS or plan.period_start is None or plan.period_end is None:
        return 0
    owner_id = _calendar_owner(session=session, plan=plan)
    if owner_id is not None:
        _move_owner_events(
            session=session, owner_id=owner_id, plan=plan, conventions=conventions, records=records
        )
        return 0
    assert plan.id is not None
    written = written_dates(records)
    existing = {
        (event.kind, event.year): event
        for event in session.exec(select(ReviewEvent).where(ReviewEvent.plan_id == plan.id)).all()
    }
    created = 0
    for review in planned_reviews(
        title=plan.title,
        period=(plan.period_start, plan.period_end),
        conventions=conventions,
        records=records,
    ):
        event = existing.get((review.kind, review.year))
        if event is None:
            session.add(
                ReviewEvent(
                    plan_id=plan.id,
                    kind=review.kind,
                    year=review.year,
                    due_on=review.due_on,
                    description=review.description,
                )
            )
            created += 1
        else:
            if review.kind in written and event.due_on != review.due_on:
                event.due_on = review.due_on
            event.description = review.description
            session.add(event)
    session.flush()
    return created
