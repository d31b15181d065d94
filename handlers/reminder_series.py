"""A reminder series: the occurrences of one subject (a task, a review, a department's digest) to one set of
targets, and how to word one of them on a given day. The rules (handlers.reminders) turn them into reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from handlers.task_instances import Due


@dataclass(frozen=True, slots=True)
class Occurrence:
    rule: str
    kind: str
    nominal: date  # when it would fire without the holiday shift
    occurrence_on: date  # what goes into the key
    due: Due | None = None  # the deadline (or instance of a duty) a task reminder is about
    # a sweep no longer catches up on it after this day: the next occurrence has taken its place
    expires: date | None = None


@dataclass(frozen=True)
class Series:
    """Occurrences of one subject to one set of targets, and how to word one of them on a given day."""

    subject_key: str
    targets: tuple[str, ...]
    occurrences: list[Occurrence]
    jurisdiction: str
    department: str | None
    task_id: int | None = None
    review_event_id: int | None = None
    last_relevant: date | None = None  # after this day nothing of the series is sent any more
    words: object = None  # callable(occurrence, as_of) -> text
