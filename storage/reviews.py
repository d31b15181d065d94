"""Review events of a plan (年度监测, 中期评估, 总结评估), dated by configurable conventions.

By default the annual monitoring report of year Y is due 01-31 of Y+1, the mid-term review 06-30 of the
middle year of the period (2023 for 2021-2025) and the final review 12-31 of its last year. The mechanism
text decides nothing about the dates; its sentences become the events' descriptions when it names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from ingest.records import TaskRecord
from storage.models import Plan, ReviewEvent

REVIEW_NAMES = {"annual_monitoring": "年度监测", "mid_term_review": "中期评估", "final_review": "总结评估"}


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


def planned_reviews(
    *, title: str, period: tuple[int, int], conventions: ReviewConventions, records: list[TaskRecord]
) -> list[PlannedReview]:
    """The review events of a plan with `period`, with descriptions from review sentences when present."""
    start, end = period
    middle = start + (end - start) // 2
    said = {record.review: record.evidence for record in records if record.kind == "review" and record.review}
    name = f"《{title}》" if title else "规划"
    reviews = [
        PlannedReview(
            "annual_monitoring",
            year,
            _on(year + 1, conventions.annual_report),
            said.get("annual_monitoring") or f"{name}{year}年度实施情况监测 / annual monitoring of {year}",
        )
        for year in range(start, end + 1)
    ]
    reviews.append(
        PlannedReview(
            "mid_term_review",
            middle,
            _on(middle, conventions.mid_term),
            said.get("mid_term_review") or f"{name}实施中期评估 / mid-term review",
        )
    )
    reviews.append(
        PlannedReview(
            "final_review",
            end,
            _on(end, conventions.final),
            said.get("final_review") or f"{name}实施总结评估 / final review",
        )
    )
    return reviews


def owns_review_calendar(*, session: Session, plan: Plan) -> bool:
    """Whether `plan` holds the review calendar of its period in its jurisdiction.

    A five-year plan, its mechanism opinion and its division plan share one period; the first of them
    ingested holds the calendar, so departments are not reminded of the same 中期评估 three times.
    """
    if plan.period_start is None or plan.period_end is None:
        return False
    other = session.exec(
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
    return other is None


def sync_review_events(
    *, session: Session, plan: Plan, conventions: ReviewConventions, records: list[TaskRecord]
) -> int:
    """Create or update the plan's review events; returns how many were created."""
    if not owns_review_calendar(session=session, plan=plan):
        return 0
    assert plan.id is not None and plan.period_start is not None and plan.period_end is not None
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
        elif (event.due_on, event.description) != (review.due_on, review.description):
            event.due_on = review.due_on
            event.description = review.description
            session.add(event)
    session.flush()
    return created
