"""Slack events already handled, so that a retried event is answered once.

Slack resends an event (X-Slack-Retry-Num 1, 2, 3) when it did not see the acknowledgement within 3 s, or
when it was sent to another `planbot serve` process behind the same URL. The event id is the same each
time; the first process to insert it handles the event, every later copy is acknowledged and dropped. The
receipt lives in the database, not in memory, so that it holds across processes and restarts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.models import SlackEventReceipt

# Slack retries within about an hour; a day of receipts is plenty and keeps the table small
KEEP_RECEIPTS = timedelta(days=1)
EVENT_ID_LENGTH = 100  # SlackEventReceipt.event_id


def first_receipt(*, session: Session, event_id: str, now: datetime) -> bool:
    """Record `event_id`; True for its first delivery, False for a retry or a copy already being handled.

    ON CONFLICT DO NOTHING makes two processes racing on one event agree: exactly one insert counts.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(SlackEventReceipt.__table__)
        .values(event_id=event_id[:EVENT_ID_LENGTH], received_at=now)
        .on_conflict_do_nothing(index_elements=["event_id"])
        # RETURNING, not rowcount: psycopg reports -1 for this statement
        .returning(SlackEventReceipt.__table__.c.event_id)
    )
    inserted = session.execute(statement).first() is not None
    session.commit()
    return inserted


def forget_old_receipts(*, session: Session, now: datetime) -> int:
    """Delete receipts older than a day; returns how many went."""
    result = session.execute(
        delete(SlackEventReceipt).where(SlackEventReceipt.received_at < now - KEEP_RECEIPTS)  # type: ignore[arg-type]
    )
    session.commit()
    return result.rowcount or 0
