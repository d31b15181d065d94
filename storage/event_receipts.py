"""Slack events already handled, so that a retried event is answered once.

Slack resends an event (X-Slack-Retry-Num 1, 2, 3) when it did not see the acknowledgement within 3 s, or
when it was sent to another `planbot serve` process behind the same URL. The event id is the same each
time; the first process to insert it handles the event, every later copy is acknowledged and dropped. The
receipt lives in the database, not in memory, so that it holds across processes and restarts.

The receipt is written before the event's work runs, so an event is handled at most once: when that work
fails, Slack's retry of it is still dropped. That is a choice: a question that crashed the handler would
most likely crash it again, and the user sees the failure either way.

The insert runs in the work after the ack (handlers.once_per_event), never before it: a stalled database
must not delay Slack's 3 s ack. It still waits at most `RECEIPT_WAIT_MS` for a lock (an ingest or the CLI
holding SQLite's write lock, say) and then raises OperationalError; the caller handles the event anyway, as
answering a rare retry twice is better than an answer held up behind an ingest.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from storage.models import SlackEventReceipt

# Slack retries within about an hour; a day of receipts is plenty and keeps the table small
KEEP_RECEIPTS = timedelta(days=1)
EVENT_ID_LENGTH = 100  # SlackEventReceipt.event_id
# how long the insert may wait for a lock before the event is answered without its receipt
RECEIPT_WAIT_MS = 300


def first_receipt(*, session: Session, event_id: str, now: datetime) -> bool:
    """Record `event_id`; True for its first delivery, False for a retry or a copy already being handled.

    ON CONFLICT DO NOTHING makes two processes racing on one event agree: exactly one insert counts.
    Raises sqlalchemy.exc.OperationalError, with the session rolled back, when a lock is not free within
    `RECEIPT_WAIT_MS`.
    """
    connection = session.connection()
    dialect = connection.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(SlackEventReceipt.__table__)
        .values(event_id=event_id[:EVENT_ID_LENGTH], received_at=now)
        .on_conflict_do_nothing(index_elements=["event_id"])
        # RETURNING, not rowcount: psycopg reports -1 for this statement
        .returning(SlackEventReceipt.__table__.c.event_id)
    )
    try:
        with _short_lock_wait(connection):
            inserted = connection.execute(statement).first() is not None
        session.commit()
    except OperationalError:
        session.rollback()
        raise
    return inserted


@contextmanager
def _short_lock_wait(connection: Connection) -> Iterator[None]:
    """Wait at most `RECEIPT_WAIT_MS` for a lock inside the block, on this connection only."""
    if connection.dialect.name != "sqlite":
        # SET LOCAL ends with the transaction, whether it commits or fails
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{RECEIPT_WAIT_MS}ms'")
        yield
        return
    # busy_timeout belongs to the connection, which goes back to the pool: restore it before the session
    # commits or rolls back and lets go of the connection. Under WAL the commit takes no lock it would wait
    # for: the insert already holds the write lock.
    usual = int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one())  # storage.db sets 30 s
    connection.exec_driver_sql(f"PRAGMA busy_timeout={RECEIPT_WAIT_MS}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={usual}")


def forget_old_receipts(*, session: Session, now: datetime) -> int:
    """Delete receipts older than a day; returns how many went."""
    result = session.execute(
        delete(SlackEventReceipt).where(SlackEventReceipt.received_at < now - KEEP_RECEIPTS)  # type: ignore[arg-type]
    )
    session.commit()
    return result.rowcount or 0
